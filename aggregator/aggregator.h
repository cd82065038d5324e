/*
 * aggregator.h - `evalfleet aggregate`: results in, exact metrics out.
 *
 * Consumes the results topic in batches.  For each run and results
 * partition in a batch it drops rows already stored (Redis holds each
 * accepted row), folds the new rows into that partition's reducer, and
 * commits everything in one Redis script: the rows, the reducer (versioned,
 * "VERSION\n{json}"), the progress counters and the latest errors.  The
 * script refuses a commit whose version is stale (another aggregator, or a
 * retried script whose first attempt landed), and the aggregator then
 * reloads and retries.  Kafka offsets are stored only after Redis accepted
 * the commit.  So at any kill the state in Redis is a set of whole batches,
 * replays are dropped as duplicates, and no row is lost or counted twice.
 *
 * When a run's stored rows reach its total, one aggregator (holding the
 * run's final lock) writes OUTPUT/RUN/evaluation_results.json from the
 * stored rows in input order, with the same writer and reducer as local
 * mode, and marks the run done.
 */
#ifndef EF_AGGREGATOR_H
#define EF_AGGREGATOR_H

#include "fleet.h"

/* Exit status: 0 stopped by a signal or --exit-when-done, 1 fatal error. */
int ef_aggregator_main(const ef_fleet_conf *fc);

#endif
