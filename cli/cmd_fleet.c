/*
 * cmd_fleet.c - the fleet subcommands: produce, worker, aggregate, status,
 * results.  Their shared flags are declared once, in fleet_options[];
 * `produce` also takes every run option (run_args.h), recorded into the
 * stored spec.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aggregator.h"
#include "cli.h"
#include "ef_error.h"
#include "ef_log.h"
#include "export.h"
#include "kafka.h"
#include "options.h"
#include "producer.h"
#include "results_writer.h"
#include "run_args.h"
#include "spec_doc.h"
#include "worker.h"

enum {
    F_PRODUCE = 1u << 0,
    F_WORKER = 1u << 1,
    F_AGGREGATE = 1u << 2,
    F_STATUS = 1u << 3,
    F_RESULTS = 1u << 4,
    F_KAFKA = F_PRODUCE | F_WORKER | F_AGGREGATE,
    F_ALL = F_KAFKA | F_STATUS | F_RESULTS,
};

typedef struct fleet_option {
    const char *name;
    char shortopt;
    const char *metavar;
    const char *def; /* NULL: none */
    unsigned cmds;
    const char *desc;
} fleet_option;

static const fleet_option fleet_options[] = {
    {"brokers", 'b', "HOST:PORT,...", NULL, F_KAFKA,
     "Kafka bootstrap servers (default: $EVALFLEET_BROKERS)"},
    {"redis", 0, "URL", NULL, F_ALL,
     "Redis holding run specs, progress and results: redis://[:PASSWORD@]HOST:PORT[/DB] "
     "(default: $EVALFLEET_REDIS)"},
    {"kafka-set", 'X', "KEY=VALUE", NULL, F_KAFKA,
     "librdkafka setting, repeatable, as kcat's -X (e.g. -X security.protocol=SSL)"},
    {"rows-topic", 0, "TOPIC", EF_TOPIC_ROWS, F_PRODUCE | F_WORKER, "topic of input rows"},
    {"results-topic", 0, "TOPIC", EF_TOPIC_RESULTS, F_WORKER | F_AGGREGATE, "topic of row results"},
    {"group", 0, "ID", NULL, F_WORKER | F_AGGREGATE,
     "consumer group (default: " EF_GROUP_WORKERS " / " EF_GROUP_AGGREGATE ")"},
    {"shard", 0, "I/N", "0/1", F_PRODUCE,
     "publish only rows whose index % N == I (an Indexed Job: --shard=$(JOB_COMPLETION_INDEX)/N); "
     "the run's total is known once all N shards have published"},
    {"max-inflight-rows", 0, "N", "1000", F_WORKER,
     "rows evaluated at once; the worker pauses its partitions at this bound"},
    {"drain-timeout", 0, "SECONDS", "60", F_WORKER,
     "on SIGTERM, how long in-flight rows may take to finish"},
    {"judge-cache-ttl", 0, "SECONDS", "86400", F_WORKER,
     "keep judge replies in Redis this long, shared by all workers (a re-run or a redelivered "
     "row never pays twice); 0 turns the cache off"},
    {"judge-budget-rpm", 0, "N", "0", F_WORKER,
     "fleet-wide judge requests per minute per endpoint, a token bucket in Redis shared by all "
     "workers (0: no fleet budget)"},
    {"heartbeat", 0, "FILE", NULL, F_WORKER | F_AGGREGATE,
     "touch FILE every few seconds while the main loop is healthy (liveness probes)"},
    {"output", 'o', "DIR", NULL, F_AGGREGATE | F_RESULTS,
     "results directory; a run's files go to DIR/RUN/ (aggregate: default evalfleet-results; "
     "results: required)"},
    {"run", 0, "RUN", NULL, F_AGGREGATE, "with --exit-when-done: the run to wait for"},
    {"exit-when-done", 0, NULL, NULL, F_AGGREGATE,
     "exit 0 once --run's result files are written (batch Jobs)"},
    {"json", 0, NULL, NULL, F_STATUS, "print the status as one JSON object"},
    {"watch", 0, "SECONDS", NULL, F_STATUS,
     "print the status again every SECONDS until the run ends"},
    {NULL, 0, NULL, NULL, 0, NULL},
};

static const char *cmd_name(unsigned cmd) {
    return cmd == F_PRODUCE     ? "produce"
           : cmd == F_WORKER    ? "worker"
           : cmd == F_AGGREGATE ? "aggregate"
           : cmd == F_STATUS    ? "status"
                                : "results";
}

static void fleet_help(FILE *f, unsigned cmd) {
    for (const fleet_option *o = fleet_options; o->name; o++) {
        if (!(o->cmds & cmd))
            continue;
        char flag[96];
        if (o->shortopt)
            snprintf(flag, sizeof(flag), "-%c, --%s%s%s", o->shortopt, o->name,
                     o->metavar ? " " : "", o->metavar ? o->metavar : "");
        else
            snprintf(flag, sizeof(flag), "    --%s%s%s", o->name, o->metavar ? " " : "",
                     o->metavar ? o->metavar : "");
        fprintf(f, "  %s\n        %s%s%s%s\n", flag, o->desc, o->def ? " (default " : "",
                o->def ? o->def : "", o->def ? ")" : "");
    }
}

void ef_fleet_options_markdown(FILE *f) {
    fputs("\n## Fleet options\n\n"
          "Flags of `evalfleet produce`, `worker`, `aggregate`, `status` and `results` "
          "(see [fleet.md](fleet.md)). `produce` also takes every run option above.\n\n"
          "| flag | commands | default | meaning |\n| --- | --- | --- | --- |\n",
          f);
    for (const fleet_option *o = fleet_options; o->name; o++) {
        char cmds[96] = "";
        for (unsigned c = F_PRODUCE; c <= F_RESULTS; c <<= 1)
            if (o->cmds & c) {
                strncat(cmds, cmds[0] ? ", " : "", sizeof(cmds) - strlen(cmds) - 1);
                strncat(cmds, cmd_name(c), sizeof(cmds) - strlen(cmds) - 1);
            }
        char shortflag[8] = "";
        if (o->shortopt)
            snprintf(shortflag, sizeof(shortflag), "-%c, ", o->shortopt);
        fprintf(f, "| `%s--%s%s%s` | %s | %s | ", shortflag, o->name, o->metavar ? " " : "",
                o->metavar ? o->metavar : "", cmds, o->def ? o->def : "");
        for (const char *p = o->desc; *p; p++) /* keep the table intact */
            fputs(*p == '|' ? "\\|" : (char[]){*p, 0}, f);
        fputs(" |\n", f);
    }
    fputs("\n### Kafka client defaults\n\n"
          "What each role sets in librdkafka unless `-X` says otherwise. The queue bounds keep a "
          "role's memory flat in the dataset's size and the topic's backlog (see "
          "[fleet.md](fleet.md#memory)).\n\n"
          "| setting | clients | default | why |\n| --- | --- | --- | --- |\n",
          f);
    ef_kafka_defaults_markdown(f);
}

static void usage(FILE *f, unsigned cmd) {
    static const char *const synopsis[] = {
        "produce --spec run.yaml [run options] -b BROKERS --redis URL\n\n"
        "Store the run spec in Redis and publish the dataset's rows to Kafka.",
        "worker -b BROKERS --redis URL\n\n"
        "Evaluate rows from Kafka for any run; publish their results.",
        "aggregate -b BROKERS --redis URL -o DIR\n\n"
        "Reduce results into exact metrics; write DIR/RUN/evaluation_results.json.",
        "status RUN --redis URL\n\nProgress, rate, ETA, partial metrics and errors of a run.",
        "results RUN --redis URL -o DIR\n\n"
        "Write a run's result files from Redis now (partial while it runs)."};
    int i = 0;
    while (!((1u << i) & cmd))
        i++;
    fprintf(f, "usage: evalfleet %s\n\noptions:\n", synopsis[i]);
    fleet_help(f, cmd);
    fputs("  -h, --help\n        this help\n", f);
    if (cmd == F_PRODUCE) {
        fputs("\nrun options (as `evalfleet run`):\n", f);
        ef_options_help(f, EF_CMD_RUN);
    }
}

static void usage_produce(FILE *f) { usage(f, F_PRODUCE); }

static void conf_free(ef_fleet_conf *c) {
    char **strs[] = {&c->brokers, &c->redis,     &c->rows_topic, &c->results_topic,
                     &c->group,   &c->heartbeat, &c->run,        &c->output};
    for (size_t i = 0; i < sizeof(strs) / sizeof(*strs); i++)
        free(*strs[i]);
    for (size_t i = 0; i < c->nkafka; i++)
        free(c->kafka[i]);
    free(c->kafka);
}

static int set_opt(ef_fleet_conf *c, const fleet_option *o, const char *v, unsigned cmd) {
    const char *n = o->name;
    char *end;
    if (!strcmp(n, "kafka-set")) {
        char **g = realloc(c->kafka, (c->nkafka + 1) * sizeof(*g));
        if (!g || !(g[c->nkafka] = strdup(v)))
            return -1;
        c->kafka = g;
        c->nkafka++;
        return 0;
    }
    if (!strcmp(n, "exit-when-done") || !strcmp(n, "json")) {
        if (!strcmp(n, "json"))
            c->json = true;
        else
            c->exit_when_done = true;
        return 0;
    }
    if (!strcmp(n, "shard")) {
        unsigned long long i, k;
        if (sscanf(v, "%llu/%llu", &i, &k) != 2 || k == 0 || i >= k) {
            fprintf(stderr, "evalfleet %s: --shard %s: expected I/N with 0 <= I < N\n",
                    cmd_name(cmd), v);
            return -2;
        }
        c->shard = i;
        c->nshards = k;
        return 0;
    }
    if (!strcmp(n, "max-inflight-rows") || !strcmp(n, "drain-timeout") || !strcmp(n, "watch") ||
        !strcmp(n, "judge-cache-ttl") || !strcmp(n, "judge-budget-rpm")) {
        double d = strtod(v, &end);
        int zero_ok = !strncmp(n, "judge-", 6);
        if (end == v || *end || !(d > 0 || (zero_ok && d == 0)) || d > 1e9) {
            fprintf(stderr, "evalfleet %s: --%s %s: expected a %s number\n", cmd_name(cmd), n, v,
                    zero_ok ? "non-negative" : "positive");
            return -2;
        }
        if (!strcmp(n, "max-inflight-rows"))
            c->max_inflight_rows = (uint64_t)d;
        else if (!strcmp(n, "drain-timeout"))
            c->drain_timeout_s = d;
        else if (!strcmp(n, "judge-cache-ttl"))
            c->cache_ttl_s = d;
        else if (!strcmp(n, "judge-budget-rpm"))
            c->budget_rpm = d;
        else
            c->watch_s = d;
        return 0;
    }
    char **dst = !strcmp(n, "brokers")         ? &c->brokers
                 : !strcmp(n, "redis")         ? &c->redis
                 : !strcmp(n, "rows-topic")    ? &c->rows_topic
                 : !strcmp(n, "results-topic") ? &c->results_topic
                 : !strcmp(n, "group")         ? &c->group
                 : !strcmp(n, "heartbeat")     ? &c->heartbeat
                 : !strcmp(n, "run")           ? &c->run
                 : !strcmp(n, "output")        ? &c->output
                                               : NULL;
    if (!dst) {
        fprintf(stderr, "evalfleet: option --%s has no setting (a bug)\n", n);
        return -2;
    }
    free(*dst);
    return (*dst = strdup(v)) ? 0 : -1;
}

/* Take this command's fleet flags out of argv (the rest stays, compacted).
 * 0, 1 after --help, 2 on bad usage. */
static int fleet_args(unsigned cmd, int *argc, char **argv, ef_fleet_conf *c) {
    int out = 1;
    for (const fleet_option *o = fleet_options; o->name; o++)
        if ((o->cmds & cmd) && o->def && set_opt(c, o, o->def, cmd))
            return 2;
    for (int i = 1; i < *argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout, cmd);
            return 1;
        }
        const fleet_option *hit = NULL;
        const char *val = NULL;
        for (const fleet_option *o = fleet_options; o->name && !hit; o++) {
            if (!(o->cmds & cmd))
                continue;
            size_t l = strlen(o->name);
            if (a[0] == '-' && a[1] == '-' && !strncmp(a + 2, o->name, l) &&
                (a[2 + l] == '\0' || a[2 + l] == '=')) {
                hit = o;
                val = a[2 + l] == '=' ? a + 3 + l : NULL;
            } else if (o->shortopt && a[0] == '-' && a[1] == o->shortopt) {
                hit = o;
                val = a[2] ? a + 2 : NULL;
            }
        }
        if (!hit) {
            argv[out++] = argv[i];
            continue;
        }
        if (!val && hit->metavar) {
            if (i + 1 >= *argc) {
                fprintf(stderr, "evalfleet %s: --%s needs a value\n", cmd_name(cmd), hit->name);
                return 2;
            }
            val = argv[++i];
        }
        int rc = set_opt(c, hit, val ? val : "true", cmd);
        if (rc == -1) {
            fprintf(stderr, "evalfleet %s: out of memory\n", cmd_name(cmd));
            return 2;
        }
        if (rc)
            return 2;
    }
    *argc = out;
    argv[out] = NULL;
    /* Defaults and environment fallbacks. */
    const char *env_b = getenv("EVALFLEET_BROKERS"), *env_r = getenv("EVALFLEET_REDIS");
    if (!c->brokers && env_b && *env_b)
        c->brokers = strdup(env_b);
    if (!c->redis && env_r && *env_r)
        c->redis = strdup(env_r);
    if (!c->group)
        c->group = strdup(cmd == F_AGGREGATE ? EF_GROUP_AGGREGATE : EF_GROUP_WORKERS);
    if (!c->output && cmd == F_AGGREGATE)
        c->output = strdup("evalfleet-results");
    if ((cmd & F_KAFKA) && !c->brokers) {
        fprintf(stderr, "evalfleet %s: no Kafka brokers: give -b HOST:PORT or EVALFLEET_BROKERS\n",
                cmd_name(cmd));
        return 2;
    }
    if (!c->redis) {
        fprintf(stderr, "evalfleet %s: no Redis: give --redis URL or EVALFLEET_REDIS\n",
                cmd_name(cmd));
        return 2;
    }
    if (cmd == F_RESULTS && !c->output) {
        fprintf(stderr, "evalfleet results: give -o DIR\n");
        return 2;
    }
    if (c->exit_when_done && !c->run) {
        fprintf(stderr, "evalfleet aggregate: --exit-when-done needs --run RUN\n");
        return 2;
    }
    return 0;
}

static void debug_from_env(void) {
    const char *dbg = getenv("EVALFLEET_DEBUG");
    char err[256];
    if (dbg && ef_log_set_debug(dbg, err, sizeof(err)))
        ef_log_warn("EVALFLEET_DEBUG: %s", err);
}

/* Parse a command without run options; positional: the run id if wanted. */
static int simple_args(unsigned cmd, int argc, char **argv, ef_fleet_conf *c, int want_run) {
    debug_from_env();
    int rc = fleet_args(cmd, &argc, argv, c);
    if (rc)
        return rc;
    if (want_run && argc == 2 && !c->run) {
        c->run = strdup(argv[1]);
        argc = 1;
    }
    if (argc > 1) {
        fprintf(stderr, "evalfleet %s: unexpected argument '%s'\n", cmd_name(cmd), argv[1]);
        return 2;
    }
    if (want_run && !ef_run_id_valid(c->run)) {
        fprintf(stderr, "evalfleet %s: give a run id (letters, digits, '.', '_', '-')\n",
                cmd_name(cmd));
        return 2;
    }
    return 0;
}

int ef_cmd_produce(int argc, char **argv) {
    ef_fleet_conf c = {0};
    ef_run_spec spec;
    ef_run_spec_init(&spec);
    cJSON *record = cJSON_CreateArray();
    char err[1200], *doc = NULL;
    debug_from_env();
    int rc = record ? fleet_args(F_PRODUCE, &argc, argv, &c) : 1;
    if (!rc)
        rc = ef_run_args_parse("produce", argc, argv, &spec, usage_produce, record);
    if (rc) {
        rc = rc == 1 ? 0 : rc; /* 1: help was printed */
        goto out;
    }
    ef_log_quiet = spec.quiet;
    rc = 2;
    if (ef_run_spec_validate(&spec, err, sizeof(err))) {
        fprintf(stderr, "evalfleet produce: %s\n", err);
        goto out;
    }
    if (!spec.run_id) {
        /* A fresh id, recorded so that every process sees the same one. */
        char id[64];
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        snprintf(id, sizeof(id), "run-%lld-%05lx", (long long)ts.tv_sec,
                 ((unsigned long)ts.tv_nsec ^ (unsigned long)getpid()) & 0xfffff);
        cJSON *pair = cJSON_CreateArray();
        cJSON_AddItemToArray(pair, cJSON_CreateString("run-id"));
        cJSON_AddItemToArray(pair, cJSON_CreateString(id));
        cJSON_AddItemToArray(record, pair);
        spec.run_id = strdup(id);
    }
    if (!ef_run_id_valid(spec.run_id)) {
        fprintf(stderr, "evalfleet produce: run id '%s': use 1-%d letters, digits, '.', '_', '-'\n",
                spec.run_id, EF_RUN_ID_MAX);
        goto out;
    }
    /* Build the evaluators once here: a spec error stops the run before any
     * row is published, instead of in every worker. */
    ef_engine *e = ef_engine_new(&spec, NULL, err, sizeof(err));
    if (!e) {
        fprintf(stderr, "evalfleet produce: %s\n", err);
        goto out;
    }
    ef_engine_destroy(e);
    if (!(doc = ef_spec_doc_build(record, err, sizeof(err)))) {
        fprintf(stderr, "evalfleet produce: %s\n", err);
        goto out;
    }
    rc = ef_produce(&c, &spec, doc);
out:
    free(doc);
    cJSON_Delete(record);
    ef_run_spec_free(&spec);
    conf_free(&c);
    return rc;
}

int ef_cmd_worker(int argc, char **argv) {
    ef_fleet_conf c = {0};
    int rc = simple_args(F_WORKER, argc, argv, &c, 0);
    rc = rc == 1 ? 0 : rc ? rc : ef_worker_main(&c);
    conf_free(&c);
    return rc;
}

int ef_cmd_aggregate(int argc, char **argv) {
    ef_fleet_conf c = {0};
    int rc = simple_args(F_AGGREGATE, argc, argv, &c, 0);
    rc = rc == 1 ? 0 : rc ? rc : ef_aggregator_main(&c);
    conf_free(&c);
    return rc;
}

/* ---- status and results ---------------------------------------------------- */

/* The run's status as JSON (new object), or NULL with errstr. */
static cJSON *run_status(ef_redis *r, ef_fleet_run *fr, char *errstr, size_t errsize) {
    char meta[256], errs[256];
    ef_run_key(meta, sizeof(meta), fr->id, "meta");
    ef_run_key(errs, sizeof(errs), fr->id, "errors");
    redisReply *m = ef_redis_cmd(
        r, "HMGET %s state total done failed bad_lines first_ts last_ts created output error",
        meta);
    if (!m || m->type != REDIS_REPLY_ARRAY || m->elements != 10) {
        ef_seterr(errstr, errsize, "%s", m ? "bad reply" : ef_redis_error(r));
        if (m)
            freeReplyObject(m);
        return NULL;
    }
    const char *sv[10];
    for (int i = 0; i < 10; i++)
        sv[i] = m->element[i]->type == REDIS_REPLY_STRING ? m->element[i]->str : NULL;
    long long total = sv[1] ? strtoll(sv[1], NULL, 10) : -1;
    long long done = sv[2] ? strtoll(sv[2], NULL, 10) : 0;
    double first = sv[5] ? strtod(sv[5], NULL) : 0, last = sv[6] ? strtod(sv[6], NULL) : 0;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "run", fr->id);
    cJSON_AddStringToObject(o, "state", sv[0] ? sv[0] : total < 0 ? "producing" : "running");
    cJSON_AddItemToObject(o, "total",
                          total < 0 ? cJSON_CreateNull() : cJSON_CreateNumber((double)total));
    cJSON_AddNumberToObject(o, "done", (double)done);
    cJSON_AddNumberToObject(o, "failed", sv[3] ? strtod(sv[3], NULL) : 0);
    cJSON_AddNumberToObject(o, "bad_lines", sv[4] ? strtod(sv[4], NULL) : 0);
    double rate = last > first && done > 1 ? (double)(done - 1) * 1000.0 / (last - first) : 0;
    cJSON_AddNumberToObject(o, "rows_per_s", rate);
    if (total >= 0 && rate > 0 && done < total)
        cJSON_AddNumberToObject(o, "eta_s", (double)(total - done) / rate);
    else
        cJSON_AddNullToObject(o, "eta_s");
    if (sv[8])
        cJSON_AddStringToObject(o, "output", sv[8]);
    if (sv[9])
        cJSON_AddStringToObject(o, "error", sv[9]);
    freeReplyObject(m);
    ef_reducer *red = ef_fleet_merged(r, fr, errstr, errsize);
    if (!red) {
        cJSON_Delete(o);
        return NULL;
    }
    cJSON_AddItemToObject(o, "metrics", ef_reducer_metrics(red));
    ef_reducer_destroy(red);
    cJSON *el = cJSON_AddArrayToObject(o, "errors");
    redisReply *e = ef_redis_cmd(r, "LRANGE %s 0 %d", errs, EF_ERRORS_KEPT - 1);
    for (size_t i = 0; e && i < e->elements; i++)
        cJSON_AddItemToArray(el, cJSON_CreateString(e->element[i]->str));
    if (e)
        freeReplyObject(e);
    return o;
}

static double num_of(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static void print_status(const cJSON *s) {
    double total = num_of(s, "total"), done = num_of(s, "done"), eta = num_of(s, "eta_s");
    const char *state = cJSON_GetObjectItemCaseSensitive(s, "state")->valuestring;
    char bar[41];
    double frac = total > 0 ? done / total : 0;
    for (int i = 0; i < 40; i++)
        bar[i] = i < (int)(frac * 40) ? '#' : '.';
    bar[40] = '\0';
    printf("run %s: %s\n", cJSON_GetObjectItemCaseSensitive(s, "run")->valuestring, state);
    if (total >= 0)
        printf("[%s] %.0f/%.0f rows %.1f%%", bar, done, total, 100 * frac);
    else
        printf("%.0f rows (total not known yet: still producing)", done);
    printf(", %.0f failed, %.0f bad lines, %.1f rows/s", num_of(s, "failed"),
           num_of(s, "bad_lines"), num_of(s, "rows_per_s"));
    if (eta >= 0)
        printf(", ETA %.0fs", eta);
    putchar('\n');
    const cJSON *out = cJSON_GetObjectItemCaseSensitive(s, "output");
    if (cJSON_IsString(out))
        printf("results: %s/evaluation_results.json\n", out->valuestring);
    const cJSON *kv;
    printf("metrics%s:\n", strcmp(state, "done") ? " so far" : "");
    cJSON_ArrayForEach(kv, cJSON_GetObjectItemCaseSensitive(s, "metrics")) {
        char num[64];
        ef_format_double(kv->valuedouble, num, sizeof(num));
        printf("  %-44s %s\n", kv->string, num);
    }
    const cJSON *errs = cJSON_GetObjectItemCaseSensitive(s, "errors");
    if (cJSON_GetArraySize(errs) > 0) {
        printf("latest errors:\n");
        cJSON_ArrayForEach(kv, errs) printf("  %s\n", kv->valuestring);
    }
}

/* status / results: parse, connect, load the run.  0, or the exit status. */
static int open_run(unsigned cmd, int argc, char **argv, ef_fleet_conf *c, ef_redis **r,
                    ef_fleet_run *fr, int *loaded) {
    char err[1200];
    int rc = simple_args(cmd, argc, argv, c, 1);
    if (rc)
        return rc == 1 ? -1 : rc; /* -1: help printed, exit 0 */
    if (!(*r = ef_redis_new(c->redis, 10, err, sizeof(err))) ||
        (*loaded = 1, ef_fleet_run_load(*r, c->run, fr, err, sizeof(err)))) {
        fprintf(stderr, "evalfleet %s: %s\n", cmd_name(cmd), err);
        return 1;
    }
    return 0;
}

int ef_cmd_status(int argc, char **argv) {
    ef_fleet_conf c = {0};
    char err[1200];
    ef_redis *r = NULL;
    ef_fleet_run fr = {0};
    int loaded = 0;
    int rc = open_run(F_STATUS, argc, argv, &c, &r, &fr, &loaded);
    if (rc) {
        rc = rc < 0 ? 0 : rc;
        goto out;
    }
    rc = 1;
    for (;;) {
        cJSON *s = run_status(r, &fr, err, sizeof(err));
        if (!s) {
            fprintf(stderr, "evalfleet status: %s\n", err);
            goto out;
        }
        if (c.json) {
            char *js = cJSON_PrintUnformatted(s);
            if (js)
                puts(js);
            free(js);
        } else {
            print_status(s);
        }
        fflush(stdout);
        const char *state = cJSON_GetObjectItemCaseSensitive(s, "state")->valuestring;
        int over = !strcmp(state, "done") || !strcmp(state, "failed");
        cJSON_Delete(s);
        if (!c.watch_s || over)
            break;
        struct timespec ts = {(time_t)c.watch_s, (long)((c.watch_s - floor(c.watch_s)) * 1e9)};
        nanosleep(&ts, NULL);
    }
    rc = 0;
out:
    if (loaded)
        ef_fleet_run_free(&fr);
    ef_redis_destroy(r);
    conf_free(&c);
    return rc;
}

int ef_cmd_results(int argc, char **argv) {
    ef_fleet_conf c = {0};
    char err[1200];
    ef_redis *r = NULL;
    ef_fleet_run fr = {0};
    int loaded = 0;
    int rc = open_run(F_RESULTS, argc, argv, &c, &r, &fr, &loaded);
    if (rc) {
        rc = rc < 0 ? 0 : rc;
        goto out;
    }
    rc = 1;
    long long total = ef_fleet_meta_int(r, c.run, "total");
    long long done = ef_fleet_meta_int(r, c.run, "done");
    bool complete = total >= 0 && done >= total;
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/%s", c.output, c.run);
    mkdir(c.output, 0755);
    ef_export_opts o = {dir, !complete, complete ? (uint64_t)total : 0, NULL, NULL};
    uint64_t n = 0;
    if (ef_fleet_export(r, &fr, &o, &n, err, sizeof(err))) {
        fprintf(stderr, "evalfleet results: %s\n", err);
        goto out;
    }
    fprintf(stderr, "evalfleet results: %" PRIu64 " rows%s written to %s\n", n,
            complete ? "" : " (partial: the run is still going)", dir);
    rc = 0;
out:
    if (loaded)
        ef_fleet_run_free(&fr);
    ef_redis_destroy(r);
    conf_free(&c);
    return rc;
}
