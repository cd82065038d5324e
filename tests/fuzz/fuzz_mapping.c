/*
 * fuzz_mapping.c - the column-mapping parser and resolver, and --map / --set
 * argument parsing, over arbitrary text.  Invariants: a parsed reference
 * formats back to text that parses to the same path; resolution never
 * crashes on any row shape.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mapping.h"
#include "spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    char err[512], buf[EF_MAPPING_EXPR_MAX + 64];
    ef_ref r;
    if (ef_ref_parse(s, &r, err, sizeof(err)) == 0) {
        ef_ref r2;
        if (ef_ref_parse(ef_ref_format(&r, buf, sizeof(buf)), &r2, err, sizeof(err)) ||
            strcmp(r.path, r2.path) || r.nseg != r2.nseg)
            abort();
        static cJSON *row;
        if (!row)
            row = cJSON_Parse("{\"a\":{\"b\":{\"c\":1}},\"a.b\":2,\"x\":[1],\"q\":\"s\"}");
        (void)ef_ref_resolve(&r, row, row);
        ef_ref_free(&r2);
        ef_ref_free(&r);
    }
    ef_run_spec spec;
    ef_run_spec_init(&spec);
    ef_run_spec_set_evaluators(&spec, "f1_score,rouge", err, sizeof(err));
    (void)ef_run_spec_set_map(&spec, s, err, sizeof(err));
    (void)ef_run_spec_set_param(&spec, s, err, sizeof(err));
    (void)ef_run_spec_set_evaluators(&spec, s, err, sizeof(err));
    ef_run_spec_free(&spec);
    free(s);
    return 0;
}
