/*
 * mapping.h - column mapping as in azure-ai-evaluation's evaluate():
 * evaluator input name -> a reference "${data.col}", "${data.a.b}" (dotted
 * path into nested objects), "${target.col}" (the target's output), with the
 * aliases "${outputs.col}" and "${run.outputs.col}" for the target.
 * Path segments are [A-Za-z0-9_]+ as in the reference grammar.
 *
 * An ef_mapping owns copies of its keys and parsed references.  Resolution
 * returns borrowed pointers into the row's cJSON trees.  Parsing does no I/O
 * and caps an expression at EF_MAPPING_EXPR_MAX bytes.
 */
#ifndef EF_MAPPING_H
#define EF_MAPPING_H

#include <stddef.h>

#include <cjson/cJSON.h>

#define EF_MAPPING_EXPR_MAX     1024
#define EF_MAPPING_MAX_SEGMENTS 32

typedef enum ef_ref_src { EF_REF_DATA, EF_REF_TARGET } ef_ref_src;

typedef struct ef_ref {
    ef_ref_src src;
    char *path; /* "a.b" as written, owned */
    char **seg; /* segments, pointing into segbuf */
    char *segbuf;
    size_t nseg;
} ef_ref;

/* Parse one reference. 0, or -1 with a message naming the problem in errstr. */
int ef_ref_parse(const char *expr, ef_ref *out, char *errstr, size_t errsize);
void ef_ref_free(ef_ref *ref);
/* Look the reference up: first the whole dotted path as one top-level key
 * (flattened columns), then as nested objects. NULL if absent. */
const cJSON *ef_ref_resolve(const ef_ref *ref, const cJSON *data, const cJSON *target);
/* "${data.a.b}" into buf. */
const char *ef_ref_format(const ef_ref *ref, char *buf, size_t size);

typedef struct ef_mapping ef_mapping;

ef_mapping *ef_mapping_new(void);
void ef_mapping_destroy(ef_mapping *m); /* NULL is fine */
/* Set key -> expr (replacing an earlier one). 0, or -1 with errstr set. */
int ef_mapping_set(ef_mapping *m, const char *key, const char *expr, char *errstr, size_t errsize);
const ef_ref *ef_mapping_get(const ef_mapping *m, const char *key);

#endif
