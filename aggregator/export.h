/*
 * export.h - read a fleet run back from Redis: its spec and engine, its
 * partial aggregates, its rows; and write its result files.
 *
 * Shared by the aggregator (final files when a run completes) and the
 * `status` / `results` commands (partial views while it runs).  The files
 * are written by the same results writer and reducer as local mode, from
 * the stored rows in input order, so they equal local mode's files.
 */
#ifndef EF_EXPORT_H
#define EF_EXPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "engine.h"
#include "fleet.h"
#include "redis.h"
#include "reducer.h"
#include "spec.h"

/* A run as stored: its spec and an engine built from it (the engine is only
 * described, never fed rows).  Owns both. */
typedef struct ef_fleet_run {
    char id[EF_RUN_ID_MAX + 1];
    ef_run_spec spec;
    ef_engine *engine;
} ef_fleet_run;

int ef_fleet_run_load(ef_redis *r, const char *run, ef_fleet_run *fr, char *errstr, size_t errsize);
void ef_fleet_run_free(ef_fleet_run *fr);

/* A stored partition aggregate "VERSION\n{reducer json}": version and reducer
 * (NULL blob: version 0, empty reducer).  NULL on a malformed blob. */
ef_reducer *ef_fleet_agg_parse(const ef_fleet_run *fr, const char *blob, size_t len,
                               uint64_t *version, char *errstr, size_t errsize);

/* Every partition's aggregate merged: the run's reducer so far. */
ef_reducer *ef_fleet_merged(ef_redis *r, const ef_fleet_run *fr, char *errstr, size_t errsize);

/* Write dir/evaluation_results.json (and rows.jsonl) from the stored rows in
 * input order.  partial: the rows stored so far; else all of rows 0..total-1
 * must be there.  *nrows receives the rows written. */
typedef struct ef_export_opts {
    const char *dir;
    bool partial;
    uint64_t total;
    void (*tick)(void *arg); /* between batches (may be NULL): e.g. extend a lock */
    void *tick_arg;
} ef_export_opts;
int ef_fleet_export(ef_redis *r, ef_fleet_run *fr, const ef_export_opts *o, uint64_t *nrows,
                    char *errstr, size_t errsize);

/* HGET ef:{run}:meta field as an integer; -1 when absent. */
long long ef_fleet_meta_int(ef_redis *r, const char *run, const char *field);

#endif
