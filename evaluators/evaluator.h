/*
 * evaluator.h - the contract between the engine and an evaluator kind.
 *
 * An ef_evaluator_def is static, immutable data describing one evaluator kind
 * ("f1_score", "rouge", ...): its inputs, its output keys (in the reference's
 * order), its parameters, and its functions.  The engine creates one state per
 * configured evaluator (create/destroy, shared read-only across threads) and
 * one scratch per thread (scratch_new/scratch_destroy).  eval() fills an
 * ef_eval_out; it never keeps pointers to the inputs after returning.
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

typedef enum ef_value_kind { EF_VAL_NULL, EF_VAL_NUMBER, EF_VAL_STRING } ef_value_kind;

#define EF_EVAL_OUT_MAX 24

/* What one evaluator produced for one row.  Keys are static strings; string
 * values are copied into the out (ef_eval_out_set_str) and freed by
 * ef_eval_out_reset(). */
typedef struct ef_eval_out {
    size_t n;
    struct {
        const char *key;
        ef_value_kind kind;
        double num;
        char *str;
    } kv[EF_EVAL_OUT_MAX];
    ef_err err;       /* EF_ERR_OK, or why the row has no scores */
    char errmsg[512]; /* "data.jsonl:12: field 'response': missing" */
} ef_eval_out;

void ef_eval_out_init(ef_eval_out *o);
void ef_eval_out_reset(ef_eval_out *o);
int ef_eval_out_set_num(ef_eval_out *o, const char *key, double v);
int ef_eval_out_set_str(ef_eval_out *o, const char *key, const char *s);
/* Mark the row failed: drops the values set so far. */
void ef_eval_out_fail(ef_eval_out *o, ef_err err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "pass" / "fail" as the reference's EVALUATION_PASS_FAIL_MAPPING. */
static inline const char *ef_pass_fail(bool pass) { return pass ? "pass" : "fail"; }

typedef struct ef_evaluator_def {
    const char *type;           /* registry name */
    const char *summary;        /* one line for --help and docs */
    const ef_input_def *inputs; /* terminated by {NULL} */
    const char *const *outputs; /* output keys, NULL-terminated */
    const ef_param_def *params; /* terminated by {NULL} */
    /* params: an object holding every declared param, defaults filled in and
     * types checked by the registry.  Returns the state or NULL (errstr set). */
    void *(*create)(const cJSON *params, char *errstr, size_t errsize);
    void (*destroy)(void *state);
    void *(*scratch_new)(const void *state); /* NULL state-less scratch is fine */
    void (*scratch_destroy)(void *scratch);
    /* in[i] matches inputs[i]; absent optional inputs have value == NULL.
     * Returns 0; a per-row failure is reported through out->err. */
    int (*eval)(const void *state, void *scratch, const ef_eval_input *in, ef_eval_out *out);
} ef_evaluator_def;

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
