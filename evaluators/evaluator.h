/*
 * evaluator.h - the contract between the engine and an evaluator kind.
 *
 * An ef_evaluator_def is static, immutable data describing one evaluator kind
 * ("f1_score", "rouge", ...): its inputs, its output keys (in the reference's
 * order), its parameters, and its functions.  The engine creates one state per
 * configured evaluator (create/destroy, shared read-only across threads) and
 * one scratch per thread (scratch_new/scratch_destroy).
 *
 * An evaluator is either synchronous (eval(): fills an ef_eval_out and
 * returns; text metrics) or asynchronous (start(): issues work on the event
 * loop - judge calls, a child process - and later calls
 * ef_eval_call_done() exactly once, possibly before start() returns).
 * Neither keeps pointers to in[] after returning; an asynchronous evaluator
 * may keep pointers into in[k].value (the row) until it calls done.
 *
 * Most kinds declare static inputs and outputs; kinds configured by a file
 * (a custom .prompty, a code evaluator) report theirs per instance through
 * inputs_of/outputs_of.  Use ef_evaluator_inputs()/_outputs() to read them.
 */
#ifndef EF_EVALUATOR_H
#define EF_EVALUATOR_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "ef_error.h"

typedef enum ef_param_type { EF_PARAM_NUMBER, EF_PARAM_STRING } ef_param_type;

typedef struct ef_param_def {
    const char *name;
    ef_param_type type;
    const char *def;            /* default, as text ("0.5", "rougeL") */
    const char *const *choices; /* allowed strings, NULL-terminated; NULL = any */
    double min, max;            /* range for numbers (min > max = unbounded) */
    const char *desc;
} ef_param_def;

typedef enum ef_input_type { EF_INPUT_STRING, EF_INPUT_ANY } ef_input_type;

typedef struct ef_input_def {
    const char *name;
    ef_input_type type;
    bool required;
} ef_input_def;

/* One evaluated input: the resolved JSON value (borrowed from the row) and,
 * for string inputs, its bytes. */
typedef struct ef_eval_input {
    const cJSON *value;
    const char *str; /* EF_INPUT_STRING: valid UTF-8 */
    size_t len;
} ef_eval_input;

typedef enum ef_value_kind { EF_VAL_NULL, EF_VAL_NUMBER, EF_VAL_STRING, EF_VAL_JSON } ef_value_kind;

#define EF_EVAL_OUT_MAX 64

/* One output value of an evaluator. */
typedef struct ef_eval_kv {
    const char *key;
    ef_value_kind kind;
    double num;
    char *str;
    cJSON *json;
} ef_eval_kv;

/* What one evaluator produced for one row.  Keys are strings that outlive the
 * row (static, or owned by the evaluator's state); string values are copied
 * into the out (ef_eval_out_set_str), JSON values are taken over
 * (ef_eval_out_set_json); both are freed by ef_eval_out_reset().  kv grows
 * on demand up to EF_EVAL_OUT_MAX values (a row in flight holds one out per
 * evaluator, so no fixed array of the maximum); ef_eval_out_reset() releases
 * it too. */
typedef struct ef_eval_out {
    size_t n, cap;
    ef_eval_kv *kv;
    ef_err err;       /* EF_ERR_OK, or why the row has no scores */
    char errmsg[512]; /* "data.jsonl:12: field 'response': missing" */
} ef_eval_out;

void ef_eval_out_init(ef_eval_out *o); /* an empty out, nothing allocated */
void ef_eval_out_reset(ef_eval_out *o);
int ef_eval_out_set_num(ef_eval_out *o, const char *key, double v);
int ef_eval_out_set_str(ef_eval_out *o, const char *key, const char *s);
/* Takes v (freed even on failure). */
int ef_eval_out_set_json(ef_eval_out *o, const char *key, cJSON *v);
/* Copy every value of src into dst (composites).  0 or -1. */
int ef_eval_out_merge(ef_eval_out *dst, const ef_eval_out *src);
/* Mark the row failed: drops the values set so far. */
void ef_eval_out_fail(ef_eval_out *o, ef_err err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "pass" / "fail" as the reference's EVALUATION_PASS_FAIL_MAPPING. */
static inline const char *ef_pass_fail(bool pass) { return pass ? "pass" : "fail"; }

struct event_base;
struct ef_llm;

/* What an evaluator instance may use besides its parameters. */
typedef struct ef_eval_env {
    const char *name;        /* the configured name (output prefix) */
    struct event_base *base; /* the engine's event loop */
    struct ef_llm *judge;    /* the judge endpoint, NULL when none is configured */
    const char *spec_dir;    /* directory of the run spec (relative paths), or "." */
} ef_eval_env;

/* One asynchronous evaluation in progress; owned by whoever started it. */
typedef struct ef_eval_call ef_eval_call;
struct ef_eval_call {
    void (*done)(ef_eval_call *c);
};
static inline void ef_eval_call_done(ef_eval_call *c) { c->done(c); }

typedef struct ef_evaluator_def {
    const char *type;           /* registry name */
    const char *summary;        /* one line for --help and docs */
    const ef_input_def *inputs; /* terminated by {NULL} */
    const char *const *outputs; /* output keys, NULL-terminated */
    const ef_param_def *params; /* terminated by {NULL} */
    /* params: an object holding every declared param, defaults filled in and
     * types checked by the registry.  Returns the state or NULL (errstr set). */
    void *(*create)(const cJSON *params, const ef_eval_env *env, char *errstr, size_t errsize);
    void (*destroy)(void *state);
    void *(*scratch_new)(const void *state); /* NULL state-less scratch is fine */
    void (*scratch_destroy)(void *scratch);
    /* in[i] matches inputs[i]; absent optional inputs have value == NULL.
     * Returns 0; a per-row failure is reported through out->err. */
    int (*eval)(const void *state, void *scratch, const ef_eval_input *in, ef_eval_out *out);
    /* Asynchronous kinds set start instead of eval.  Returns 0 (done will be
     * called), or -1 on out of memory (done will not be called). */
    int (*start)(const void *state, const ef_eval_input *in, ef_eval_out *out, ef_eval_call *call);
    /* Per-instance inputs ({NULL}-terminated) / outputs; NULL = the static ones. */
    const ef_input_def *(*inputs_of)(const void *state);
    const char *const *(*outputs_of)(const void *state);
    /* Safety kinds: the score from which a row counts as a defect, for
     * <metric>_defect_rate (NULL: not a safety kind). */
    double (*defect_threshold)(const void *state);
} ef_evaluator_def;

const ef_input_def *ef_evaluator_inputs(const ef_evaluator_def *def, const void *state);
const char *const *ef_evaluator_outputs(const ef_evaluator_def *def, const void *state);

/* Registry of built-in evaluator kinds. */
const ef_evaluator_def *ef_evaluator_find(const char *type);
/* NULL-terminated list, for --help and the generated docs. */
const ef_evaluator_def *const *ef_evaluator_all(void);
/* Build the full params object for def from user values (strings or numbers),
 * checking names, types, choices and ranges.  Returns a new cJSON (caller
 * frees) or NULL with errstr naming the evaluator and parameter. */
cJSON *ef_evaluator_params(const ef_evaluator_def *def, const char *name, const cJSON *user,
                           char *errstr, size_t errsize);

#endif
