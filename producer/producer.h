/*
 * producer.h - `evalfleet produce`: publish a run.
 *
 * Stores the run's spec document in Redis under its id (refusing an id
 * already used with another spec), then streams the dataset in constant
 * memory into the rows topic: one message per line (or, with shards, per
 * line whose index % nshards == shard), keyed "RUN/INDEX", idempotent
 * producer, acks from all in-sync replicas.  Lines are published as read;
 * a line that is not a JSON object is reported with its file and line
 * number and counted, and still published, so that the worker records it as
 * a rejected row exactly as local mode does (with fail_on_bad_row it stops
 * the run instead).  Only when every message is acknowledged does it record
 * its shard's row count; the run's total appears when all shards have.
 * Running it again for the same run republishes; the aggregator drops the
 * duplicates.
 */
#ifndef EF_PRODUCER_H
#define EF_PRODUCER_H

#include "fleet.h"
#include "spec.h"

/* Exit status: 0 published, 1 fatal error, 3 bad line with fail_on_bad_row. */
int ef_produce(const ef_fleet_conf *fc, const ef_run_spec *spec, const char *spec_doc);

#endif
