/*
 * cmd_run.c - `evalfleet run`: local mode.  Streams the dataset through the
 * engine on one libevent loop, keeping up to --max-inflight-rows rows in
 * flight (their judge and target calls run concurrently), folds finished
 * rows into the reducer in input order, writes the result file and prints
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

#include <event2/event.h>

#include "cli.h"
#include "run_args.h"
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

/* The local runner: a window of rows in flight over a ring of row results. */
typedef struct runner {
    const ef_run_spec *spec;
    ef_engine *engine;
    ef_engine_ctx *ctx;
    ef_jsonl_reader *reader;
    ef_reducer *red;
    ef_results_writer *writer;
    ef_progress prog;
    ef_row_result *ring;
    unsigned char *ready;
    size_t window;
    uint64_t next_index, next_flush, failed, reported;
    int eof, rc; /* rc: -1 running, else the exit status */
    struct event *feed_ev;
} runner;

static void stop(runner *rn, int rc) {
    if (rn->rc < 0)
        rn->rc = rc;
    event_base_loopbreak(ef_engine_base(rn->engine));
}

/* Fold finished rows into the reducer and the writer, in input order. */
static void flush(runner *rn) {
    while (rn->rc < 0 && rn->next_flush < rn->next_index &&
           rn->ready[rn->next_flush % rn->window]) {
        ef_row_result *row = &rn->ring[rn->next_flush % rn->window];
        rn->ready[rn->next_flush % rn->window] = 0;
        int row_failed = row->row_err != EF_ERR_OK;
        for (size_t i = 0; i < row->nevals; i++) {
            if (row->outs[i].err == EF_ERR_OK)
                continue;
            row_failed = 1;
            /* Report each distinct problem; cap the noise on huge bad files. */
            if (rn->reported < 100 && (row->row_err == EF_ERR_OK || i == 0)) {
                ef_log_warn("%s", row->outs[i].errmsg);
                if (++rn->reported == 100)
                    ef_log_warn("further row errors are counted but not printed");
            }
        }
        rn->failed += row_failed;
        if (row_failed && rn->spec->fail_on_bad_row) {
            ef_log_error("stopping at the first bad row (--fail-on-bad-row); no result written");
            stop(rn, 3);
            return;
        }
        if (ef_reducer_add(rn->red, row) ||
            (rn->writer && ef_results_writer_row(rn->writer, row))) {
            ef_log_error("%s", rn->writer ? "cannot write rows (disk full?)" : "out of memory");
            stop(rn, 1);
            return;
        }
        ef_row_result_reset(row);
        rn->next_flush++;
        ef_progress_update(&rn->prog, rn->next_flush, rn->failed, ef_jsonl_reader_tell(rn->reader));
    }
    if (rn->rc < 0 && rn->eof && rn->next_flush == rn->next_index)
        stop(rn, 0);
}

static void row_done(ef_row_result *row, void *arg) {
    runner *rn = arg;
    rn->ready[row->index % rn->window] = 1;
    flush(rn);
    if (rn->rc < 0 && !rn->eof)
        event_active(rn->feed_ev, EV_TIMEOUT, 0);
}

/* Read and submit lines while the window has room. */
static void feed(evutil_socket_t fd, short what, void *arg) {
    runner *rn = arg;
    const ef_run_spec *spec = rn->spec;
    ef_jsonl_line line;
    while (rn->rc < 0 && !rn->eof && rn->next_index - rn->next_flush < rn->window) {
        int r = ef_jsonl_reader_next(rn->reader, &line);
        if (r < 0) {
            ef_log_error("%s: %s", spec->data, ef_jsonl_reader_error(rn->reader));
            stop(rn, 1);
            return;
        }
        if (r == 0) {
            rn->eof = 1;
            break;
        }
        uint64_t index = rn->next_index++;
        ef_row_result *row = &rn->ring[index % rn->window];
        if (line.err == EF_ERR_LINE_TOO_LONG) {
            ef_row_result_set_too_long(row, spec->data, index, line.lineno, spec->max_line_bytes);
            row_done(row, rn);
        } else if (ef_engine_submit_line(rn->ctx, spec->data, index, line.lineno, line.data,
                                         line.len, row, row_done, rn)) {
            ef_log_error("out of memory at %s:%llu", spec->data, (unsigned long long)line.lineno);
            stop(rn, 1);
            return;
        }
    }
    flush(rn);
}

int ef_cmd_run(int argc, char **argv) {
    ef_run_spec spec;
    ef_run_spec_init(&spec);
    const char *dbg = getenv("EVALFLEET_DEBUG");
    char err[1024];
    if (dbg && ef_log_set_debug(dbg, err, sizeof(err)))
        ef_log_warn("EVALFLEET_DEBUG: %s", err);
    int rc = ef_run_args_parse("run", argc, argv, &spec, run_usage, NULL);
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
    runner rn = {0};
    rn.spec = &spec;
    rn.rc = -1;
    cJSON *metrics = NULL;
    rc = 1;
    if (!(rn.engine = ef_engine_new(&spec, NULL, err, sizeof(err))) ||
        !(rn.ctx = ef_engine_ctx_new(rn.engine, err, sizeof(err))) ||
        !(rn.reader = ef_jsonl_reader_new(spec.data, spec.max_line_bytes, err, sizeof(err)))) {
        ef_log_error("%s", err);
        goto out;
    }
    rn.window = ef_engine_is_async(rn.engine) ? spec.max_inflight_rows : 1;
    rn.ring = calloc(rn.window, sizeof(*rn.ring));
    rn.ready = calloc(rn.window, 1);
    rn.feed_ev = event_new(ef_engine_base(rn.engine), -1, 0, feed, &rn);
    if (!(rn.red = ef_reducer_new(rn.engine)) || !rn.ring || !rn.ready || !rn.feed_ev) {
        ef_log_error("out of memory");
        goto out;
    }
    for (size_t i = 0; i < rn.window; i++)
        if (ef_row_result_init(&rn.ring[i], rn.engine)) {
            ef_log_error("out of memory");
            goto out;
        }
    if (spec.output &&
        !(rn.writer = ef_results_writer_new(rn.engine, spec.output, spec.rows_jsonl,
                                            spec.rows_jsonl_threshold, err, sizeof(err)))) {
        ef_log_error("%s", err);
        goto out;
    }
    bool show = spec.progress == EF_YES || (spec.progress == EF_AUTO && isatty(2));
    ef_progress_start(&rn.prog, show && !spec.quiet, ef_jsonl_reader_size(rn.reader));
    event_active(rn.feed_ev, EV_TIMEOUT, 0);
    event_base_dispatch(ef_engine_base(rn.engine));
    if (rn.rc != 0) {
        if (rn.rc < 0)
            ef_log_error("the event loop stopped with rows in flight");
        rc = rn.rc < 0 ? 1 : rn.rc;
        goto out;
    }
    uint64_t index = rn.next_flush;
    ef_progress_finish(&rn.prog, index, rn.failed);
    if (index == 0)
        ef_log_warn("%s: %s: the file has no rows", spec.data, ef_strerror(EF_ERR_EMPTY_INPUT));
    metrics = ef_reducer_metrics(rn.red);
    if (!metrics) {
        ef_log_error("out of memory");
        goto out;
    }
    if (rn.writer) {
        if (ef_results_writer_finish(rn.writer, metrics, NULL, err, sizeof(err))) {
            ef_log_error("%s", err);
            goto out;
        }
        if (!spec.quiet)
            ef_log_info("results written to %s", ef_results_writer_path(rn.writer));
    }
    char *js = cJSON_Print(metrics);
    if (js) {
        puts(js);
        free(js);
    }
    if (!spec.quiet) {
        print_table(metrics, rn.red, ef_now() - rn.prog.start);
        char http[512];
        ef_engine_http_summary(rn.engine, http, sizeof(http));
        if (http[0])
            fprintf(stderr, "%s\n", http);
    }
    rc = 0;
out:
    cJSON_Delete(metrics);
    ef_results_writer_destroy(rn.writer);
    ef_reducer_destroy(rn.red);
    ef_jsonl_reader_destroy(rn.reader);
    ef_engine_ctx_destroy(rn.ctx);
    if (rn.feed_ev)
        event_free(rn.feed_ev);
    ef_engine_destroy(rn.engine); /* before the rows: cancelled calls still write into them */
    for (size_t i = 0; rn.ring && i < rn.window; i++)
        ef_row_result_free(&rn.ring[i]);
    free(rn.ring);
    free(rn.ready);
    ef_run_spec_free(&spec);
    return rc;
}
