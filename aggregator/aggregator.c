/* aggregator.c - `evalfleet aggregate` (see aggregator.h). */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aggregator.h"
#include "ef_error.h"
#include "ef_log.h"
#include "export.h"
#include "heartbeat.h"
#include "kafka.h"
#include "row_codec.h"

#define BATCH_MAX      1000
#define BATCH_WAIT_MS  200
#define CHECK_EVERY_MS 1000
#define CLOSE_WAIT_MS  15000 /* longest wait for a first assignment before closing */
#define COMMIT_TRIES   8
#define FINAL_LOCK_MS  20000

/* Which of ARGV (row indexes) are stored in hash KEYS[1]. */
static const char exists_lua[] = "local r = {}\n"
                                 "for i, f in ipairs(ARGV) do\n"
                                 "  r[i] = redis.call('HEXISTS', KEYS[1], f)\n"
                                 "end\n"
                                 "return r\n";

/* One batch of one run and partition, all or nothing (see aggregator.h).
 * KEYS: agg, rows, meta, parts, errors.  ARGV: version, blob, partition,
 * new rows, new failed rows, now (ms), error count, errors..., then index,
 * row pairs. */
static const char commit_lua[] =
    "local cur = redis.call('GET', KEYS[1])\n"
    "local v = 0\n"
    "if cur then v = tonumber(string.match(cur, '^(%d+)\\n')) end\n"
    "if v ~= tonumber(ARGV[1]) then return 0 end\n"
    "local nerr = tonumber(ARGV[7])\n"
    "local base = 8 + nerr\n"
    "for i = base, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end\n"
    "redis.call('SET', KEYS[1], ARGV[2])\n"
    "redis.call('SADD', KEYS[4], ARGV[3])\n"
    "redis.call('HINCRBY', KEYS[3], 'done', ARGV[4])\n"
    "redis.call('HINCRBY', KEYS[3], 'failed', ARGV[5])\n"
    "redis.call('HSETNX', KEYS[3], 'first_ts', ARGV[6])\n"
    "redis.call('HSET', KEYS[3], 'last_ts', ARGV[6])\n"
    "for i = 8, base - 1 do redis.call('LPUSH', KEYS[5], ARGV[i]) end\n"
    "if nerr > 0 then redis.call('LTRIM', KEYS[5], 0, 19) end\n"
    "return 1\n";

typedef struct ag_part {
    int32_t partition;
    uint64_t version;
    ef_reducer *red;
    struct ag_part *next;
} ag_part;

typedef struct ag_run {
    ef_fleet_run fr;
    int loaded, done;
    ef_row_result row;
    ag_part *parts;
    struct ag_run *next;
} ag_run;

typedef struct aggregator {
    const ef_fleet_conf *fc;
    ef_redis *r;
    rd_kafka_t *rk;
    ef_heartbeat *hb;
    ag_run *runs;
    int synced; /* a rebalance callback has run (see ef_kafka_close_safe) */
    char me[300];
    char lock_key[256];
} aggregator;

static volatile sig_atomic_t stop_sig;
static void on_signal(int sig) { stop_sig = sig; }

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000 + (double)ts.tv_nsec / 1e6;
}

static void part_drop(ag_run *run, int32_t p) {
    for (ag_part **pp = &run->parts; *pp; pp = &(*pp)->next)
        if ((*pp)->partition == p) {
            ag_part *x = *pp;
            *pp = x->next;
            ef_reducer_destroy(x->red);
            free(x);
            return;
        }
}

static void run_free(ag_run *run) {
    while (run->parts)
        part_drop(run, run->parts->partition);
    if (run->loaded) {
        ef_row_result_free(&run->row);
        ef_fleet_run_free(&run->fr);
    }
    free(run);
}

/* The run, its spec and engine loaded; NULL with *gone set when Redis has
 * no such run (its messages are then skipped). */
static ag_run *run_get(aggregator *a, const char *id, int *gone) {
    *gone = 0;
    for (ag_run *run = a->runs; run; run = run->next)
        if (!strcmp(run->fr.id, id))
            return run;
    ag_run *run = calloc(1, sizeof(*run));
    char err[1200];
    if (!run) {
        ef_log_error("aggregator: out of memory");
        return NULL;
    }
    if (ef_fleet_run_load(a->r, id, &run->fr, err, sizeof(err))) {
        ef_fleet_run_free(&run->fr);
        free(run);
        *gone = strstr(err, "no run '") != NULL;
        (*gone ? ef_log_warn : ef_log_error)("aggregator: %s", err);
        return NULL;
    }
    if (ef_row_result_init(&run->row, run->fr.engine)) {
        ef_fleet_run_free(&run->fr);
        free(run);
        ef_log_error("aggregator: out of memory");
        return NULL;
    }
    run->loaded = 1;
    long long st = 0;
    char key[256];
    ef_run_key(key, sizeof(key), id, "meta");
    redisReply *rep = ef_redis_cmd(a->r, "HGET %s state", key);
    if (rep) {
        st = rep->type == REDIS_REPLY_STRING && strcmp(rep->str, "running");
        freeReplyObject(rep);
    }
    run->done = (int)st;
    run->next = a->runs;
    a->runs = run;
    return run;
}

static ag_part *part_get(aggregator *a, ag_run *run, int32_t p) {
    for (ag_part *x = run->parts; x; x = x->next)
        if (x->partition == p)
            return x;
    char key[256], what[64], err[600];
    snprintf(what, sizeof(what), "agg:%d", (int)p);
    ef_run_key(key, sizeof(key), run->fr.id, what);
    redisReply *rep = ef_redis_cmd(a->r, "GET %s", key);
    if (!rep) {
        ef_log_error("aggregator: %s", ef_redis_error(a->r));
        return NULL;
    }
    ag_part *x = calloc(1, sizeof(*x));
    if (x)
        x->red = ef_fleet_agg_parse(&run->fr, rep->type == REDIS_REPLY_STRING ? rep->str : NULL,
                                    rep->len, &x->version, err, sizeof(err));
    freeReplyObject(rep);
    if (!x || !x->red) {
        ef_log_error("aggregator: run %s partition %d: %s", run->fr.id, (int)p,
                     x ? err : "out of memory");
        free(x);
        return NULL;
    }
    x->partition = p;
    x->next = run->parts;
    run->parts = x;
    return x;
}

/* ---- one run's messages of one partition -------------------------------------- */

typedef struct ag_msg {
    rd_kafka_message_t *m;
    char run[EF_RUN_ID_MAX + 1];
    uint64_t index;
    int handled;
} ag_msg;

static int row_failed(const ef_row_result *r) {
    if (r->row_err != EF_ERR_OK)
        return 1;
    for (size_t i = 0; i < r->nevals; i++)
        if (r->outs[i].err != EF_ERR_OK)
            return 1;
    return 0;
}

static const char *row_error(const ef_row_result *r) {
    if (r->row_err != EF_ERR_OK)
        return r->row_errmsg;
    for (size_t i = 0; i < r->nevals; i++)
        if (r->outs[i].err != EF_ERR_OK)
            return r->outs[i].errmsg;
    return NULL;
}

/* Commit msgs[0..n) (same run and partition).  0, or -1: fatal. */
static int commit_group(aggregator *a, ag_run *run, int32_t p, ag_msg **msgs, size_t n) {
    size_t cap = 2 * n + 64; /* fixed arguments, errors, index/row pairs */
    const char **argv = calloc(cap, sizeof(*argv));
    size_t *lens = calloc(cap, sizeof(*lens));
    char(*names)[24] = calloc(n, sizeof(*names));
    char *blob = NULL, *json = NULL;
    int rc = -1;
    if (!argv || !lens || !names)
        goto out;
    char k_agg[256], k_rows[256], k_meta[256], k_parts[256], k_err[256], what[64];
    snprintf(what, sizeof(what), "agg:%d", (int)p);
    ef_run_key(k_agg, sizeof(k_agg), run->fr.id, what);
    ef_run_key(k_rows, sizeof(k_rows), run->fr.id, "rows");
    ef_run_key(k_meta, sizeof(k_meta), run->fr.id, "meta");
    ef_run_key(k_parts, sizeof(k_parts), run->fr.id, "parts");
    ef_run_key(k_err, sizeof(k_err), run->fr.id, "errors");
    for (size_t i = 0; i < n; i++)
        snprintf(names[i], sizeof(names[i]), "%" PRIu64, msgs[i]->index);

    for (int attempt = 0; attempt < COMMIT_TRIES; attempt++) {
        ag_part *x = part_get(a, run, p);
        if (!x)
            goto out;
        /* Which rows are new: not stored, and first of their copies here. */
        size_t k = 0;
        argv[k++] = "EVAL";
        argv[k++] = exists_lua;
        argv[k++] = "1";
        argv[k++] = k_rows;
        for (size_t i = 0; i < n; i++)
            argv[k++] = names[i];
        redisReply *ex = ef_redis_cmdargv(a->r, (int)k, argv, NULL);
        if (!ex || ex->type != REDIS_REPLY_ARRAY || ex->elements != n) {
            ef_log_error("aggregator: %s",
                         ex ? "bad reply to the dedup script" : ef_redis_error(a->r));
            if (ex)
                freeReplyObject(ex);
            goto out;
        }
        size_t fresh = 0, failed = 0, nerr = 0;
        char errs[EF_ERRORS_KEPT][600];
        k = 0;
        argv[k++] = "EVAL";
        argv[k++] = commit_lua;
        argv[k++] = "5";
        argv[k++] = k_agg;
        argv[k++] = k_rows;
        argv[k++] = k_meta;
        argv[k++] = k_parts;
        argv[k++] = k_err;
        size_t argv_fixed = k; /* version, blob, partition, fresh, failed, now, nerr */
        k += 7;
        /* Errors go before the rows; collect rows first, then shift. */
        size_t rows_at = k + EF_ERRORS_KEPT;
        size_t kr = rows_at;
        for (size_t i = 0; i < n; i++) {
            int dup = ex->element[i]->integer != 0;
            for (size_t j = 0; j < i && !dup; j++)
                dup = msgs[j]->index == msgs[i]->index;
            if (dup) {
                ef_log_debug(EF_DBG_REDIS, "run %s row %s: duplicate dropped", run->fr.id,
                             names[i]);
                continue;
            }
            char err[300];
            ef_row_result *row = &run->row;
            if (ef_row_decode(run->fr.engine, msgs[i]->m->payload, msgs[i]->m->len, row, err,
                              sizeof(err)) ||
                row->index != msgs[i]->index) {
                ef_log_error("aggregator: run %s row %s: %s; skipped", run->fr.id, names[i],
                             row->index != msgs[i]->index ? "index differs from its key" : err);
                continue;
            }
            if (ef_reducer_add(x->red, row)) {
                freeReplyObject(ex);
                goto out;
            }
            fresh++;
            if (row_failed(row)) {
                failed++;
                if (nerr < EF_ERRORS_KEPT)
                    snprintf(errs[nerr++], sizeof(errs[0]), "%s", row_error(row));
            }
            argv[kr] = names[i];
            lens[kr++] = strlen(names[i]);
            argv[kr] = msgs[i]->m->payload;
            lens[kr++] = msgs[i]->m->len;
        }
        freeReplyObject(ex);
        if (!fresh) {
            rc = 0;
            goto out;
        }
        cJSON *rj = ef_reducer_to_json(x->red);
        json = rj ? cJSON_PrintUnformatted(rj) : NULL;
        cJSON_Delete(rj);
        size_t bl = json ? strlen(json) + 32 : 0;
        if (!json || !(blob = malloc(bl)))
            goto out;
        snprintf(blob, bl, "%" PRIu64 "\n%s", x->version + 1, json);
        char ver[32], part[16], nf[32], nfail[32], now[32], ne[32];
        snprintf(ver, sizeof(ver), "%" PRIu64, x->version);
        snprintf(part, sizeof(part), "%d", (int)p);
        snprintf(nf, sizeof(nf), "%zu", fresh);
        snprintf(nfail, sizeof(nfail), "%zu", failed);
        snprintf(now, sizeof(now), "%lld", now_ms());
        snprintf(ne, sizeof(ne), "%zu", nerr);
        const char *fixed[7] = {ver, blob, part, nf, nfail, now, ne};
        for (size_t i = 0; i < 7; i++)
            argv[argv_fixed + i] = fixed[i];
        /* Errors right after the fixed arguments, then the rows. */
        for (size_t i = 0; i < nerr; i++)
            argv[argv_fixed + 7 + i] = errs[i];
        size_t nrows_args = kr - rows_at;
        memmove(&argv[argv_fixed + 7 + nerr], &argv[rows_at], nrows_args * sizeof(*argv));
        memmove(&lens[argv_fixed + 7 + nerr], &lens[rows_at], nrows_args * sizeof(*lens));
        size_t total = argv_fixed + 7 + nerr + nrows_args;
        for (size_t i = 0; i < argv_fixed + 7 + nerr; i++)
            lens[i] = strlen(argv[i]);
        redisReply *c = ef_redis_cmdargv(a->r, (int)total, argv, lens);
        free(json);
        free(blob);
        json = blob = NULL;
        if (!c) {
            ef_log_error("aggregator: commit: %s", ef_redis_error(a->r));
            part_drop(run, p);
            goto out;
        }
        long long ok = c->type == REDIS_REPLY_INTEGER ? c->integer : -1;
        freeReplyObject(c);
        if (ok == 1) {
            x->version++;
            ef_log_debug(EF_DBG_REDIS, "run %s p%d: +%zu rows (%zu failed), version %" PRIu64,
                         run->fr.id, (int)p, fresh, failed, x->version);
            rc = 0;
            goto out;
        }
        /* Stale version: someone else committed this partition. */
        ef_log_debug(EF_DBG_REDIS, "run %s p%d: stale aggregate; reloading", run->fr.id, (int)p);
        part_drop(run, p);
    }
    ef_log_error("aggregator: run %s partition %d: %d commit conflicts in a row", run->fr.id,
                 (int)p, COMMIT_TRIES);
out:
    if (rc && (!argv || !lens || !names))
        ef_log_error("aggregator: out of memory");
    free(json);
    free(blob);
    free(argv);
    free(lens);
    free(names);
    return rc;
}

/* ---- completion ------------------------------------------------------------ */

static void extend_lock(void *arg) {
    aggregator *a = arg;
    redisReply *rep = ef_redis_cmd(a->r, "PEXPIRE %s %d", a->lock_key, FINAL_LOCK_MS);
    if (rep)
        freeReplyObject(rep);
}

static int finalize(aggregator *a, ag_run *run, long long total, long long failed) {
    char meta[256], err[1024], dir[4096];
    ef_run_key(a->lock_key, sizeof(a->lock_key), run->fr.id, "final");
    ef_run_key(meta, sizeof(meta), run->fr.id, "meta");
    redisReply *rep = ef_redis_cmd(a->r, "SET %s %s NX PX %d", a->lock_key, a->me, FINAL_LOCK_MS);
    if (!rep) {
        ef_log_error("aggregator: %s", ef_redis_error(a->r));
        return -1;
    }
    int mine = rep->type == REDIS_REPLY_STATUS;
    freeReplyObject(rep);
    if (!mine)
        return 0; /* another aggregator is writing it */
    const char *state = "done";
    snprintf(dir, sizeof(dir), "%s/%s", a->fc->output, run->fr.id);
    if (run->fr.spec.fail_on_bad_row && failed > 0) {
        state = "failed";
        snprintf(err, sizeof(err), "%lld bad rows with fail_on_bad_row: no result written", failed);
        ef_log_error("aggregator: run %s: %s", run->fr.id, err);
    } else {
        uint64_t n = 0;
        ef_export_opts o = {dir, false, (uint64_t)total, extend_lock, a};
        mkdir(a->fc->output, 0755);
        if (ef_fleet_export(a->r, &run->fr, &o, &n, err, sizeof(err))) {
            ef_log_error("aggregator: run %s: %s", run->fr.id, err);
            if ((rep = ef_redis_cmd(a->r, "DEL %s", a->lock_key)))
                freeReplyObject(rep);
            return -1;
        }
        ef_log_info("aggregator: run %s complete: %" PRIu64 " rows (%lld failed) written to %s",
                    run->fr.id, n, failed, dir);
    }
    char now[32];
    snprintf(now, sizeof(now), "%lld", now_ms());
    rep = !strcmp(state, "done")
              ? ef_redis_cmd(a->r, "HSET %s state done output %s finished_ts %s", meta, dir, now)
              : ef_redis_cmd(a->r, "HSET %s state failed error %s finished_ts %s", meta, err, now);
    if (!rep) {
        ef_log_error("aggregator: %s", ef_redis_error(a->r));
        return -1;
    }
    freeReplyObject(rep);
    if ((rep = ef_redis_cmd(a->r, "DEL %s", a->lock_key)))
        freeReplyObject(rep);
    run->done = 1;
    return 0;
}

/* Finish every run whose stored rows reached its total.  Returns 1 when the
 * run of --exit-when-done is finished, 0, or -1 on a fatal error. */
static int check_runs(aggregator *a) {
    redisReply *ids = ef_redis_cmd(a->r, "ZRANGE ef:runs 0 -1");
    if (!ids) {
        ef_log_error("aggregator: %s", ef_redis_error(a->r));
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < ids->elements && rc >= 0; i++) {
        const char *id = ids->element[i]->str;
        if (a->fc->run && strcmp(a->fc->run, id))
            continue;
        ag_run *known = NULL;
        for (ag_run *run = a->runs; run; run = run->next)
            if (!strcmp(run->fr.id, id))
                known = run;
        if (known && known->done)
            continue;
        char meta[256];
        ef_run_key(meta, sizeof(meta), id, "meta");
        redisReply *m = ef_redis_cmd(a->r, "HMGET %s total done failed state", meta);
        if (!m || m->type != REDIS_REPLY_ARRAY || m->elements != 4) {
            if (m)
                freeReplyObject(m);
            rc = -1;
            break;
        }
        long long v[3];
        for (int k = 0; k < 3; k++)
            v[k] = m->element[k]->type == REDIS_REPLY_STRING ? strtoll(m->element[k]->str, NULL, 10)
                                                             : -1;
        int finished =
            m->element[3]->type == REDIS_REPLY_STRING && strcmp(m->element[3]->str, "running");
        freeReplyObject(m);
        if (finished) {
            if (known)
                known->done = 1;
        } else if (v[0] >= 0 && v[1] >= v[0]) {
            int gone;
            ag_run *run = known ? known : run_get(a, id, &gone);
            if (!run || finalize(a, run, v[0], v[2] < 0 ? 0 : v[2])) {
                rc = -1;
                break;
            }
            finished = run->done;
        }
        if (finished && a->fc->run && a->fc->exit_when_done)
            rc = 1;
    }
    freeReplyObject(ids);
    return rc;
}

/* ---- the loop ---------------------------------------------------------------- */

static int process_batch(aggregator *a, ag_msg *msgs, size_t n) {
    ag_msg **group = malloc(n * sizeof(*group));
    if (!group)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        if (msgs[i].handled)
            continue;
        size_t g = 0;
        for (size_t j = i; j < n; j++)
            if (!msgs[j].handled && msgs[j].m->partition == msgs[i].m->partition &&
                !strcmp(msgs[j].run, msgs[i].run)) {
                msgs[j].handled = 1;
                group[g++] = &msgs[j];
            }
        if (!msgs[i].run[0])
            continue; /* not ours */
        int gone;
        ag_run *run = run_get(a, msgs[i].run, &gone);
        if (!run) {
            rc = gone ? 0 : -1;
            continue;
        }
        if (run->done)
            continue; /* late copies of a finished run */
        rc = commit_group(a, run, msgs[i].m->partition, group, g);
    }
    free(group);
    return rc;
}

static void store_offsets(aggregator *a, ag_msg *msgs, size_t n) {
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)n);
    for (size_t i = 0; i < n; i++) {
        rd_kafka_topic_partition_t *t = rd_kafka_topic_partition_list_find(
            l, rd_kafka_topic_name(msgs[i].m->rkt), msgs[i].m->partition);
        if (!t)
            t = rd_kafka_topic_partition_list_add(l, rd_kafka_topic_name(msgs[i].m->rkt),
                                                  msgs[i].m->partition);
        if (msgs[i].m->offset + 1 > t->offset)
            t->offset = msgs[i].m->offset + 1;
    }
    rd_kafka_resp_err_t e = rd_kafka_offsets_store(a->rk, l);
    if (e)
        ef_log_debug(EF_DBG_KAFKA, "offsets_store: %s", rd_kafka_err2str(e));
    rd_kafka_topic_partition_list_destroy(l);
}

/* librdkafka assigns by itself without a callback, but then (2.0.2, with
 * cooperative-sticky) leaves no group on close: the next aggregator would
 * wait a session timeout.  Partitions that move away forget their reducer;
 * a version check protects a stale one anyway. */
static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque) {
    aggregator *a = opaque;
    a->synced = 1;
    if (err != RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) /* moved away: forget the reducers */
        for (int i = 0; i < parts->cnt; i++)
            for (ag_run *run = a->runs; run; run = run->next)
                part_drop(run, parts->elems[i].partition);
    ef_kafka_rebalance_apply(rk, err, parts);
}

static rd_kafka_t *make_consumer(aggregator *a, const ef_fleet_conf *fc, char *err,
                                 size_t errsize) {
    rd_kafka_conf_t *conf = ef_kafka_client_conf(EF_KAFKA_AGGREGATOR, fc, err, errsize);
    if (conf) {
        rd_kafka_conf_set_opaque(conf, a);
        rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
    }
    rd_kafka_t *rk = conf ? rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, errsize) : NULL;
    if (conf && !rk)
        rd_kafka_conf_destroy(conf);
    return rk;
}

int ef_aggregator_main(const ef_fleet_conf *fc) {
    aggregator a = {0};
    a.fc = fc;
    char err[1024], host[256] = "?";
    gethostname(host, sizeof(host));
    host[sizeof(host) - 1] = '\0';
    snprintf(a.me, sizeof(a.me), "%s:%ld", host, (long)getpid());
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    int rc = 1;
    ag_msg *msgs = calloc(BATCH_MAX, sizeof(*msgs));
    if (!msgs || !(a.r = ef_redis_new(fc->redis, EF_REDIS_PATIENCE, err, sizeof(err))) ||
        !(a.rk = make_consumer(&a, fc, err, sizeof(err))) ||
        (fc->heartbeat && !(a.hb = ef_heartbeat_new(NULL, fc->heartbeat, err, sizeof(err))))) {
        ef_log_error("aggregator: %s", msgs ? err : "out of memory");
        goto out;
    }
    rd_kafka_poll_set_consumer(a.rk);
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, fc->results_topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(a.rk, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (e) {
        ef_log_error("aggregator: subscribe %s: %s", fc->results_topic, rd_kafka_err2str(e));
        goto out;
    }
    ef_log_info("aggregator: consuming %s as group %s, writing to %s", fc->results_topic, fc->group,
                fc->output);
    double next_check = 0;
    while (!stop_sig) {
        size_t n = 0;
        double until = mono_ms() + BATCH_WAIT_MS;
        while (n < BATCH_MAX && !stop_sig) {
            double left = until - mono_ms();
            if (left <= 0)
                break;
            rd_kafka_message_t *m = rd_kafka_consumer_poll(a.rk, (int)left);
            if (!m)
                continue;
            if (m->err) {
                if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                    ef_log_warn("aggregator: consume: %s", rd_kafka_message_errstr(m));
                rd_kafka_message_destroy(m);
                continue;
            }
            ag_msg *x = &msgs[n++];
            memset(x, 0, sizeof(*x));
            x->m = m;
            if (ef_row_key_parse(m->key, m->key_len, x->run, sizeof(x->run), &x->index)) {
                x->run[0] = '\0';
                ef_log_warn("aggregator: %s [%d] offset %" PRId64 ": not an evalfleet result; "
                            "skipped",
                            fc->results_topic, (int)m->partition, m->offset);
            }
        }
        int prc = n ? process_batch(&a, msgs, n) : 0;
        if (!prc && n)
            store_offsets(&a, msgs, n);
        for (size_t i = 0; i < n; i++)
            rd_kafka_message_destroy(msgs[i].m);
        if (prc) {
            ef_log_error("aggregator: stopping; uncommitted results will be consumed again");
            goto out;
        }
        ef_heartbeat_beat(a.hb);
        if (mono_ms() >= next_check || n == 0) {
            next_check = mono_ms() + CHECK_EVERY_MS;
            int c = check_runs(&a);
            if (c < 0)
                goto out;
            if (c > 0) {
                ef_log_info("aggregator: run %s done; exiting", fc->run);
                break;
            }
        }
    }
    rc = 0;
out:
    if (a.rk) {
        if (!rc) {
            rd_kafka_resp_err_t ce = rd_kafka_commit(a.rk, NULL, 0);
            if (ce && ce != RD_KAFKA_RESP_ERR__NO_OFFSET)
                ef_log_warn("aggregator: final commit: %s", rd_kafka_err2str(ce));
        }
        /* A member between join and first assignment must not close yet
         * (kafka.h); what it reads meanwhile is left uncommitted. */
        for (double until = mono_ms() + CLOSE_WAIT_MS;
             !ef_kafka_close_safe(a.rk, a.synced) && mono_ms() < until;) {
            rd_kafka_message_t *m = rd_kafka_consumer_poll(a.rk, 100);
            if (m)
                rd_kafka_message_destroy(m);
        }
        rd_kafka_consumer_close(a.rk);
        rd_kafka_destroy(a.rk);
    }
    while (a.runs) {
        ag_run *run = a.runs;
        a.runs = run->next;
        run_free(run);
    }
    ef_heartbeat_destroy(a.hb);
    ef_redis_destroy(a.r);
    free(msgs);
    return rc;
}
