/*
 * engine.h - the evaluator engine: one row in, one row result out.
 *
 * The same engine serves local mode (evalfleet run) and the fleet workers.
 * ef_engine holds the configured evaluators (immutable after _new, safe to
 * share between threads).  ef_engine_ctx holds one thread's scratch memory.
 * ef_engine_eval_line() validates and parses one JSONL line (UTF-8, size,
 * JSON object), resolves each evaluator's inputs through the column mapping
 * and runs the evaluator.  A bad line or a bad field fails only that row (and
 * for a field, only that evaluator), with a message naming the source, the
 * line and the field.
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
    ef_eval_out *outs; /* one per evaluator, in spec order */
} ef_row_result;

ef_engine *ef_engine_new(const ef_run_spec *spec, char *errstr, size_t errsize);
void ef_engine_destroy(ef_engine *e); /* NULL is fine */

size_t ef_engine_nevals(const ef_engine *e);
const char *ef_engine_eval_name(const ef_engine *e, size_t i);
const ef_evaluator_def *ef_engine_eval_def(const ef_engine *e, size_t i);

ef_engine_ctx *ef_engine_ctx_new(ef_engine *e, char *errstr, size_t errsize);
void ef_engine_ctx_destroy(ef_engine_ctx *c); /* NULL is fine */

int ef_row_result_init(ef_row_result *r, const ef_engine *e);
void ef_row_result_reset(ef_row_result *r);
void ef_row_result_free(ef_row_result *r);

/* Mark r as a bad line (too long, unreadable) without parsing. */
void ef_row_result_set_bad(ef_row_result *r, uint64_t index, uint64_t lineno, ef_err err,
                           const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Evaluate one line (source names the file in messages).  Returns 0, or -1 on
 * out of memory (the run should stop); per-row problems are in r. */
int ef_engine_eval_line(ef_engine_ctx *c, const char *source, uint64_t index, uint64_t lineno,
                        const char *line, size_t len, ef_row_result *r);

#endif
