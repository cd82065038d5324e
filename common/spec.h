/*
 * spec.h - the run spec: everything one evaluation needs, from a YAML file
 * (--spec run.yaml) and/or command-line flags.  The fleet stores the same
 * spec under the run id, so local and fleet runs read one format.
 *
 * An ef_run_spec owns all its strings, mappings and parameter objects;
 * ef_run_spec_free() releases them.  Which fields exist, their types,
 * defaults and help texts come from the option table (options.h).
 */
#ifndef EF_SPEC_H
#define EF_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "endpoint.h"
#include "mapping.h"

typedef enum ef_tristate { EF_AUTO = -1, EF_NO = 0, EF_YES = 1 } ef_tristate;

typedef struct ef_eval_spec {
    char *name;          /* output prefix (the reference's evaluator alias) */
    char *type;          /* evaluator kind; defaults to name */
    cJSON *params;       /* user parameter values (object), validated later */
    ef_mapping *mapping; /* per-evaluator column mapping, or NULL */
} ef_eval_spec;

typedef struct ef_run_spec {
    char *spec_path; /* file the spec came from, for messages */
    char *run_id;
    char *data; /* JSONL input ("-" = stdin) */
    ef_eval_spec *evals;
    size_t nevals;
    ef_mapping *mapping;    /* default column mapping */
    char *output;           /* directory or FILE.json; NULL = none */
    ef_tristate rows_jsonl; /* stream rows to rows.jsonl */
    uint64_t rows_jsonl_threshold;
    bool fail_on_bad_row;
    uint64_t max_line_bytes;
    ef_tristate progress;
    bool quiet;
    char *debug;
    uint64_t max_inflight_rows;
    ef_endpoint_conf judge;  /* LLM-as-judge endpoint (api NONE: from the environment) */
    ef_endpoint_conf target; /* the application under test (api NONE: no target) */
} ef_run_spec;

void ef_run_spec_init(ef_run_spec *s);
void ef_run_spec_free(ef_run_spec *s);

/* Load a YAML run spec into s (fields it names override s).  Unknown keys,
 * wrong types and bad values are errors naming the file, line and key. */
int ef_run_spec_load_yaml(ef_run_spec *s, const char *path, char *errstr, size_t errsize);
/* The same from text already read (the fleet's stored spec); path names it
 * in messages and anchors relative paths.  Text above 1 MiB is refused. */
int ef_run_spec_load_text(ef_run_spec *s, const char *path, const char *text, size_t len,
                          char *errstr, size_t errsize);
/* Evaluators from "f1_score,bleu" (replaces the list). */
int ef_run_spec_set_evaluators(ef_run_spec *s, const char *csv, char *errstr, size_t errsize);
/* --set NAME.PARAM=VALUE */
int ef_run_spec_set_param(ef_run_spec *s, const char *assign, char *errstr, size_t errsize);
/* --map [NAME:]KEY=EXPR  (default mapping, or one evaluator's) */
int ef_run_spec_set_map(ef_run_spec *s, const char *assign, char *errstr, size_t errsize);
/* Final checks (data and evaluators present, names unique). */
int ef_run_spec_validate(const ef_run_spec *s, char *errstr, size_t errsize);

#endif
