/* run_args.c - the command line of a run (see run_args.h). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "run_args.h"

static int ef_run_args_record(cJSON *record, const char *name, const char *value) {
    cJSON *pair = cJSON_CreateArray();
    if (!pair || !cJSON_AddItemToArray(record, pair) ||
        !cJSON_AddItemToArray(pair, cJSON_CreateString(name)) ||
        !cJSON_AddItemToArray(pair, cJSON_CreateString(value))) {
        fputs("evalfleet: out of memory\n", stderr);
        return -1;
    }
    return 0;
}

/* Build getopt_long's tables from the option table. */
int ef_run_args_parse(const char *cmd, int argc, char **argv, ef_run_spec *spec,
                      void (*usage)(FILE *f), cJSON *record) {
    const ef_option *opts = ef_options();
    size_t n = 0;
    while (opts[n].name)
        n++;
    struct option *lo = calloc(n + 2, sizeof(*lo));
    char shorts[128] = "h";
    if (!lo)
        return -1;
    for (size_t i = 0; i < n; i++) {
        lo[i].name = opts[i].name;
        lo[i].has_arg = required_argument;
        lo[i].val = 1000 + (int)i;
        if (opts[i].shortopt) {
            size_t l = strlen(shorts);
            shorts[l] = opts[i].shortopt;
            shorts[l + 1] = opts[i].type == EF_OPT_BOOL ? '\0' : ':';
            shorts[l + 2] = '\0';
        }
        /* Switches: `--quiet`, `--rows-jsonl`, or with a value `--rows-jsonl=auto`. */
        if (opts[i].type == EF_OPT_BOOL || opts[i].type == EF_OPT_TRISTATE)
            lo[i].has_arg = optional_argument;
    }
    lo[n].name = "help";
    lo[n].val = 'h';
    /* The spec file is applied first so that flags override it. */
    char err[600];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = NULL;
        if (!strcmp(a, "--spec") || !strcmp(a, "-s"))
            v = i + 1 < argc ? argv[i + 1] : NULL;
        else if (!strncmp(a, "--spec=", 7))
            v = a + 7;
        if (v && ef_run_spec_load_yaml(spec, v, err, sizeof(err))) {
            fprintf(stderr, "evalfleet %s: %s\n", cmd, err);
            free(lo);
            return 2;
        }
        if (v && record && ef_run_args_record(record, "spec", v)) {
            free(lo);
            return 2;
        }
    }
    /* Evaluators first, then the rest, so --set/--map can name them in any order. */
    int pass_rc = 0;
    for (int pass = 0; pass < 2 && !pass_rc; pass++) {
        optind = 1;
        opterr = pass == 0;
        int c;
        while ((c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
            if (c == 'h') {
                usage(stdout);
                free(lo);
                return 1;
            }
            if (c == '?') {
                usage(stderr);
                free(lo);
                return 2;
            }
            const ef_option *o = NULL;
            if (c >= 1000)
                o = &opts[c - 1000];
            else
                for (size_t i = 0; i < n; i++)
                    if (opts[i].shortopt == c)
                        o = &opts[i];
            if (!o || o->type == EF_OPT_SPEC)
                continue;
            int first = o->type == EF_OPT_EVALUATORS;
            if (first != (pass == 0))
                continue;
            const char *val = optarg ? optarg : "true";
            if (ef_option_apply(spec, o, val, err, sizeof(err))) {
                fprintf(stderr, "evalfleet %s: %s\n", cmd, err);
                pass_rc = 2;
                break;
            }
            if (record && ef_run_args_record(record, o->name, val)) {
                pass_rc = 2;
                break;
            }
        }
    }
    if (!pass_rc && optind < argc) {
        fprintf(stderr, "evalfleet %s: unexpected argument '%s'\n", cmd, argv[optind]);
        pass_rc = 2;
    }
    free(lo);
    return pass_rc;
}
