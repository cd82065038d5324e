/*
 * cmd_run.c - `evalfleet run`: local mode.  Streams the dataset through the
 * engine, folds every row into the reducer, writes the result file and prints
 * the metrics (JSON on stdout, a table on stderr).
 *
 * Exit status: 0 done (rows may have failed: see the error counts), 1 a fatal
 * error, 2 bad usage, 3 a bad row with --fail-on-bad-row.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ef_log.h"
#include "engine.h"
#include "jsonl_reader.h"
#include "options.h"
#include "progress.h"
#include "reducer.h"
#include "results_writer.h"

static void run_usage(FILE *f) {
    fputs("usage: evalfleet run --data FILE.jsonl --evaluators LIST [options]\n"
          "       evalfleet run --spec run.yaml [options]\n\n"
          "Evaluate a JSONL dataset on this machine, with no servers.\n\n"
          "options:\n",
          f);
    ef_options_help(f, EF_CMD_RUN);
    fputs("  -h, --help\n        this help\n\n"
          "evaluators (see `evalfleet evaluators` for inputs and parameters):\n",
          f);
    for (const ef_evaluator_def *const *d = ef_evaluator_all(); *d; d++)
        fprintf(f, "  %-12s %s\n", (*d)->type, (*d)->summary);
}

/* Build getopt_long's tables from the option table. */
static int parse_args(int argc, char **argv, ef_run_spec *spec) {
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
            fprintf(stderr, "evalfleet run: %s\n", err);
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
                run_usage(stdout);
                free(lo);
                return 1;
            }
            if (c == '?') {
                run_usage(stderr);
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
                fprintf(stderr, "evalfleet run: %s\n", err);
                pass_rc = 2;
                break;
            }
        }
    }
    if (!pass_rc && optind < argc) {
        fprintf(stderr, "evalfleet run: unexpected argument '%s'\n", argv[optind]);
        pass_rc = 2;
    }
    free(lo);
    return pass_rc;
}

static void print_table(const cJSON *metrics, const ef_reducer *red, double secs) {
    fprintf(stderr, "\n%-44s %s\n", "metric", "value");
    const cJSON *m;
    cJSON_ArrayForEach(m, metrics) {
        char num[64];
        if (m->valuedouble == (double)(long long)m->valuedouble && strstr(m->string, "_count"))
            snprintf(num, sizeof(num), "%lld", (long long)m->valuedouble);
        else
            ef_format_double(m->valuedouble, num, sizeof(num));
        fprintf(stderr, "%-44s %s\n", m->string, num);
    }
    double rate = secs > 0 ? (double)ef_reducer_rows(red) / secs : 0;
    fprintf(stderr, "\n%llu rows (%llu rejected lines) in %.2fs, %.0f rows/s\n",
            (unsigned long long)ef_reducer_rows(red), (unsigned long long)ef_reducer_bad_rows(red),
            secs, rate);
}

int ef_cmd_run(int argc, char **argv) {
    ef_run_spec spec;
    ef_run_spec_init(&spec);
    const char *dbg = getenv("EVALFLEET_DEBUG");
    char err[1024];
    if (dbg && ef_log_set_debug(dbg, err, sizeof(err)))
        ef_log_warn("EVALFLEET_DEBUG: %s", err);
    int rc = parse_args(argc, argv, &spec);
    if (rc) {
        ef_run_spec_free(&spec);
        return rc == 1 ? 0 : rc;
    }
    ef_log_quiet = spec.quiet;
    if (ef_run_spec_validate(&spec, err, sizeof(err))) {
        fprintf(stderr, "evalfleet run: %s\n", err);
        ef_run_spec_free(&spec);
        return 2;
    }
    ef_engine *engine = NULL;
    ef_engine_ctx *ctx = NULL;
    ef_jsonl_reader *reader = NULL;
    ef_reducer *red = NULL;
    ef_results_writer *writer = NULL;
    ef_row_result row = {0};
    cJSON *metrics = NULL;
    rc = 1;
    if (!(engine = ef_engine_new(&spec, err, sizeof(err))) ||
        !(ctx = ef_engine_ctx_new(engine, err, sizeof(err))) ||
        !(reader = ef_jsonl_reader_new(spec.data, spec.max_line_bytes, err, sizeof(err)))) {
        ef_log_error("%s", err);
        goto out;
    }
    if (!(red = ef_reducer_new(engine)) || ef_row_result_init(&row, engine)) {
        ef_log_error("out of memory");
        goto out;
    }
    if (spec.output &&
        !(writer = ef_results_writer_new(engine, spec.output, spec.rows_jsonl,
                                         spec.rows_jsonl_threshold, err, sizeof(err)))) {
        ef_log_error("%s", err);
        goto out;
    }
    ef_progress prog;
    bool show = spec.progress == EF_YES || (spec.progress == EF_AUTO && isatty(2));
    ef_progress_start(&prog, show && !spec.quiet, ef_jsonl_reader_size(reader));
    ef_jsonl_line line;
    uint64_t index = 0, failed = 0, reported = 0;
    int r;
    while ((r = ef_jsonl_reader_next(reader, &line)) == 1) {
        if (line.err == EF_ERR_LINE_TOO_LONG)
            ef_row_result_set_bad(&row, index, line.lineno, EF_ERR_LINE_TOO_LONG,
                                  "%s:%llu: line longer than the cap of %llu bytes "
                                  "(--max-line-bytes)",
                                  spec.data, (unsigned long long)line.lineno,
                                  (unsigned long long)spec.max_line_bytes);
        else if (ef_engine_eval_line(ctx, spec.data, index, line.lineno, line.data, line.len,
                                     &row)) {
            ef_log_error("out of memory at %s:%llu", spec.data, (unsigned long long)line.lineno);
            goto out;
        }
        int row_failed = row.row_err != EF_ERR_OK;
        for (size_t i = 0; i < row.nevals; i++) {
            if (row.outs[i].err == EF_ERR_OK)
                continue;
            row_failed = 1;
            /* Report each distinct problem; cap the noise on huge bad files. */
            if (reported < 100 && (row.row_err == EF_ERR_OK || i == 0)) {
                ef_log_warn("%s", row.outs[i].errmsg);
                if (++reported == 100)
                    ef_log_warn("further row errors are counted but not printed");
            }
        }
        failed += row_failed;
        if (row_failed && spec.fail_on_bad_row) {
            ef_log_error("stopping at the first bad row (--fail-on-bad-row); no result written");
            rc = 3;
            goto out;
        }
        if (ef_reducer_add(red, &row) || (writer && ef_results_writer_row(writer, &row))) {
            ef_log_error("%s", writer ? "cannot write rows (disk full?)" : "out of memory");
            goto out;
        }
        index++;
        ef_progress_update(&prog, index, failed, ef_jsonl_reader_tell(reader));
    }
    if (r < 0) {
        ef_log_error("%s: %s", spec.data, ef_jsonl_reader_error(reader));
        goto out;
    }
    ef_progress_finish(&prog, index, failed);
    if (index == 0)
        ef_log_warn("%s: %s: the file has no rows", spec.data, ef_strerror(EF_ERR_EMPTY_INPUT));
    metrics = ef_reducer_metrics(red);
    if (!metrics) {
        ef_log_error("out of memory");
        goto out;
    }
    if (writer) {
        if (ef_results_writer_finish(writer, metrics, NULL, err, sizeof(err))) {
            ef_log_error("%s", err);
            goto out;
        }
        if (!spec.quiet)
            ef_log_info("results written to %s", ef_results_writer_path(writer));
    }
    char *js = cJSON_Print(metrics);
    if (js) {
        puts(js);
        free(js);
    }
    if (!spec.quiet)
        print_table(metrics, red, ef_now() - prog.start);
    rc = 0;
out:
    cJSON_Delete(metrics);
    ef_results_writer_destroy(writer);
    ef_row_result_free(&row);
    ef_reducer_destroy(red);
    ef_jsonl_reader_destroy(reader);
    ef_engine_ctx_destroy(ctx);
    ef_engine_destroy(engine);
    ef_run_spec_free(&spec);
    return rc;
}
