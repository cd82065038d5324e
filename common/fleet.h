/*
 * fleet.h - what the fleet roles (producer, worker, aggregator, status)
 * agree on: their shared settings, topic and group names, message headers
 * and the Redis key layout.  Declared once, here.
 *
 * Rows topic: one message per input line, key "RUN/INDEX", value the line's
 * bytes, headers ef-run, ef-index, ef-line and, for a line the producer could
 * not publish whole, ef-too-long (the reader's cap) or ef-bad (a message).
 * Results topic: one message per evaluated row, same key, value the encoded
 * row result (row_codec.h), header ef-run.  Equal keys land on equal
 * partitions, so every copy of a row meets the same aggregator.
 *
 * Redis keys (the {RUN} hash tag keeps a run's keys on one cluster slot):
 *   ef:runs               ZSET of run ids by creation time
 *   ef:{RUN}:spec         the stored spec (spec_doc.h)
 *   ef:{RUN}:meta         HASH: created, shards, rows:<shard>, bad:<shard>,
 *                         total, bad_lines, done, failed, first_ts, last_ts,
 *                         state (running|done|failed), output, error
 *   ef:{RUN}:rows         HASH: row index -> encoded row result
 *   ef:{RUN}:agg:<P>      STRING "VERSION\n" + the reducer of results partition P
 *   ef:{RUN}:parts        SET of results partitions with an aggregate
 *   ef:{RUN}:errors       LIST of the latest row error messages (capped)
 *   ef:{RUN}:final        STRING lock held by the aggregator writing the files
 *   ef:cache:<hash>       a judge reply (shared cache, with a TTL)
 *   ef:budget:<hash>      a judge endpoint's fleet-wide token bucket
 */
#ifndef EF_FLEET_H
#define EF_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EF_TOPIC_ROWS      "evalfleet.rows"
#define EF_TOPIC_RESULTS   "evalfleet.results"
#define EF_GROUP_WORKERS   "evalfleet-workers"
#define EF_GROUP_AGGREGATE "evalfleet-aggregators"

#define EF_HDR_RUN      "ef-run"
#define EF_HDR_INDEX    "ef-index"
#define EF_HDR_LINE     "ef-line"
#define EF_HDR_TOO_LONG "ef-too-long"
#define EF_HDR_BAD      "ef-bad"

#define EF_RUN_ID_MAX     128
#define EF_ERRORS_KEPT    20
#define EF_REDIS_PATIENCE 300.0 /* seconds a role waits for Redis to come back */

/* Settings shared by the fleet subcommands (cli/fleet_args.c fills them). */
typedef struct ef_fleet_conf {
    char *brokers; /* -b / EVALFLEET_BROKERS */
    char *redis;   /* --redis / EVALFLEET_REDIS */
    char **kafka;  /* -X key=value, passed to librdkafka */
    size_t nkafka;
    char *rows_topic, *results_topic, *group;
    char *heartbeat;     /* file touched while the loop is healthy */
    char *run;           /* aggregate/status/results: one run */
    char *output;        /* aggregate/results: directory */
    bool exit_when_done; /* aggregate: exit once --run is written */
    bool json;           /* status: one JSON object */
    double watch_s;      /* status: repeat every watch_s seconds */
    uint64_t max_inflight_rows;
    uint64_t shard, nshards; /* produce --shard I/N */
    double drain_timeout_s;
    double cache_ttl_s; /* worker: judge reply cache TTL (0: off) */
    double budget_rpm;  /* worker: fleet-wide judge requests/minute per endpoint (0: off) */
} ef_fleet_conf;

/* A run id: 1-128 of [A-Za-z0-9._-]. */
bool ef_run_id_valid(const char *id);

/* buf <- "ef:{RUN}:what"; -1 if it does not fit. */
int ef_run_key(char *buf, size_t size, const char *run, const char *what);

/* "RUN/INDEX" -> run (NUL-terminated copy) and index; -1 if malformed. */
int ef_row_key_parse(const char *key, size_t len, char *run, size_t runsize, uint64_t *index);

#endif
