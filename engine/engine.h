/*
 * engine.h - the evaluator engine: one row in, one row result out.
 *
 * The same engine serves local mode (evalfleet run) and the fleet workers.
 * ef_engine holds the configured evaluators, the judge and target endpoints
 * and the HTTP client, all bound to one libevent loop (the caller's, or one
 * the engine creates).  ef_engine_ctx holds scratch memory for that loop.
 *
 * ef_engine_submit_line() validates and parses one JSONL line (UTF-8, size,
 * JSON object), calls the target when the run has one, resolves each
 * evaluator's inputs through the column mapping and starts every evaluator;
 * synchronous ones finish at once, judges finish as their HTTP calls do.  The
 * callback runs once, when the whole row is done (possibly before submit
 * returns).  Thousands of rows can be in flight on one loop.  A bad line or
 * a bad field fails only that row (and for a field, only that evaluator),
 * with a message naming the source, the line and the field.
 */
#ifndef EF_ENGINE_H
#define EF_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "evaluator.h"
#include "spec.h"

typedef struct ef_engine ef_engine;
typedef struct ef_engine_ctx ef_engine_ctx;

/* The result of one row.  Owns data/target (cJSON) and outs[]. */
typedef struct ef_row_result {
    uint64_t index;  /* 0-based position among the input's rows */
    uint64_t lineno; /* line in the source file */
    cJSON *data;     /* the row's columns, NULL when the line was bad */
    cJSON *target;   /* the target's outputs, or NULL */
    ef_err row_err;  /* EF_ERR_OK, or why the whole line was rejected */
    char row_errmsg[512];
    size_t nevals;
    ef_eval_out *outs;      /* one per evaluator, in spec order */
    struct ef_row_job *job; /* the engine's bookkeeping while in flight */
} ef_row_result;

struct event_base;

/* base: the loop to run on, or NULL for one the engine creates and owns. */
ef_engine *ef_engine_new(const ef_run_spec *spec, struct event_base *base, char *errstr,
                         size_t errsize);
void ef_engine_destroy(ef_engine *e); /* NULL is fine; cancels unfinished calls */
struct event_base *ef_engine_base(const ef_engine *e);
/* The judge endpoint (NULL when the run has none), e.g. to set a gate. */
struct ef_llm *ef_engine_judge(ef_engine *e);
/* Whether any evaluator or a target needs the event loop. */
int ef_engine_is_async(const ef_engine *e);
/* One line per endpoint with request/retry/failure counts, for summaries. */
void ef_engine_http_summary(const ef_engine *e, char *buf, size_t size);

size_t ef_engine_nevals(const ef_engine *e);
const char *ef_engine_eval_name(const ef_engine *e, size_t i);
const ef_evaluator_def *ef_engine_eval_def(const ef_engine *e, size_t i);
/* Declared outputs of evaluator i (per instance), NULL-terminated. */
const char *const *ef_engine_eval_outputs(const ef_engine *e, size_t i);
/* Defect threshold of a safety evaluator, NAN for other kinds. */
double ef_engine_eval_defect_threshold(const ef_engine *e, size_t i);

ef_engine_ctx *ef_engine_ctx_new(ef_engine *e, char *errstr, size_t errsize);
void ef_engine_ctx_destroy(ef_engine_ctx *c); /* NULL is fine */

int ef_row_result_init(ef_row_result *r, const ef_engine *e);
void ef_row_result_reset(ef_row_result *r);
void ef_row_result_free(ef_row_result *r);

/* Mark r as a bad line (too long, unreadable) without parsing. */
void ef_row_result_set_bad(ef_row_result *r, uint64_t index, uint64_t lineno, ef_err err,
                           const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Mark r as a line the reader cut at cap bytes (--max-line-bytes). */
void ef_row_result_set_too_long(ef_row_result *r, const char *source, uint64_t index,
                                uint64_t lineno, uint64_t cap);

/* Output key `key` of evaluator i as a string that lives as long as e: the
 * declared one, or a copy the engine keeps (decoded rows, row_codec.h).
 * NULL past EF_ENGINE_MAX_KEYS distinct undeclared keys or out of memory. */
#define EF_ENGINE_MAX_KEYS 4096
const char *ef_engine_key(ef_engine *e, size_t i, const char *key);

typedef void (*ef_row_done_cb)(ef_row_result *r, void *arg);

/* Start evaluating one line (source names the file in messages; it must
 * outlive the row).  r must stay valid until done runs.  Returns 0 (done
 * will run exactly once), or -1 on out of memory (done will not run). */
int ef_engine_submit_line(ef_engine_ctx *c, const char *source, uint64_t index, uint64_t lineno,
                          const char *line, size_t len, ef_row_result *r, ef_row_done_cb done,
                          void *arg);

/* Evaluate one line to completion, running the loop as needed (tests, fuzz;
 * not from inside a callback of the engine's loop).  0, or -1 on out of
 * memory; per-row problems are in r. */
int ef_engine_eval_line(ef_engine_ctx *c, const char *source, uint64_t index, uint64_t lineno,
                        const char *line, size_t len, ef_row_result *r);

#endif
