/*
 * worker.h - `evalfleet worker`: a stateless, run-agnostic evaluator.
 *
 * One libevent loop serves everything: the rows consumer and the results
 * producer (librdkafka queues signalled through pipes, kafka.h), the judge
 * and target HTTP calls of every run (the shared engine's curl multi) and
 * Redis (hiredis' async libevent adapter: run specs, the shared judge reply
 * cache and budget).  Each message names its run; the worker fetches that
 * run's spec from Redis once and keeps an engine per run.
 *
 * At least once: a row's offset is stored for commit only after its result
 * message is acknowledged by the broker, and only once every earlier offset
 * of its partition is too (offsets.h).  When rows in flight reach
 * max_inflight_rows the worker pauses its partitions and resumes them below
 * three quarters.  Partitions are assigned cooperatively (cooperative-sticky)
 * so a rebalance moves only what it must.  SIGTERM or SIGINT drains: no new
 * rows, in-flight rows finish (bounded by drain_timeout_s), offsets are
 * committed and the worker leaves the group.
 */
#ifndef EF_WORKER_H
#define EF_WORKER_H

#include "fleet.h"

/* Exit status: 0 after a drain, 1 on a fatal error. */
int ef_worker_main(const ef_fleet_conf *fc);

#endif
