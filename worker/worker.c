/* worker.c - `evalfleet worker` (see worker.h). */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "ef_log.h"
#include "engine.h"
#include "heartbeat.h"
#include "judge_gate.h"
#include "kafka.h"
#include "loop.h"
#include "offsets.h"
#include "redis.h"
#include "row_codec.h"
#include "spec_doc.h"
#include "worker.h"

#define MAX_RUNS      64  /* engines kept; the least recently used goes first */
#define POLL_BATCH    500 /* messages taken per wake-up before yielding */
#define SPEC_RETRY_MS 1000

typedef struct worker worker;
typedef struct wk_job wk_job;

typedef enum { RUN_LOADING, RUN_READY } run_state;

typedef struct wk_run {
    char id[EF_RUN_ID_MAX + 1];
    run_state state;
    ef_run_spec spec;
    ef_engine *engine;
    ef_engine_ctx *ctx;
    wk_job *pending, **pending_tail; /* rows waiting for the spec */
    size_t active;                   /* rows started and not yet acknowledged */
    uint64_t last_used;
    unsigned spec_tries;
    struct event *retry_ev;
    worker *w;
    struct wk_run *next;
} wk_run;

typedef struct wk_part {
    int32_t partition;
    uint64_t gen;
    ef_offsets track;
    struct wk_part *next;
} wk_part;

struct wk_job {
    worker *w;
    wk_run *run;
    rd_kafka_message_t *msg;
    ef_row_result row;
    int row_init, started;
    uint64_t index, lineno;
    int32_t partition;
    uint64_t gen, seq;
    char *encoded;
    unsigned sends;
    wk_job *next;                /* run's pending list */
    wk_job *all_prev, *all_next; /* every live job, to free at exit */
};

struct worker {
    const ef_fleet_conf *fc;
    struct event_base *base;
    rd_kafka_t *consumer, *producer;
    rd_kafka_queue_t *cq, *pq;
    ef_kafka_watch *cwatch, *pwatch;
    ef_redis_async *redis;
    ef_judge_gate *gate;
    ef_heartbeat *hb;
    struct event *more_ev, *sig_term, *sig_int, *drain_ev, *stats_ev;
    wk_run *runs;
    size_t nruns;
    wk_part *parts;
    wk_job *jobs;
    uint64_t gen_counter, use_counter;
    size_t inflight; /* jobs alive: consumed, not yet acknowledged */
    int paused, draining, fatal;
    int synced; /* a rebalance callback has run: the group assigned this member */
    double drain_deadline;
    uint64_t rows_done, rows_failed;
};

static double mono_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fatal(worker *w, const char *what) {
    ef_log_error("worker: %s; stopping without committing unfinished rows", what);
    w->fatal = 1;
    event_base_loopbreak(w->base);
}

/* ---- partitions and offsets ---------------------------------------------- */

static wk_part *part_find(worker *w, int32_t p) {
    for (wk_part *x = w->parts; x; x = x->next)
        if (x->partition == p)
            return x;
    return NULL;
}

static void set_paused(worker *w, int pause) {
    rd_kafka_topic_partition_list_t *a = NULL;
    if (rd_kafka_assignment(w->consumer, &a) == RD_KAFKA_RESP_ERR_NO_ERROR && a->cnt > 0) {
        rd_kafka_resp_err_t e = pause ? rd_kafka_pause_partitions(w->consumer, a)
                                      : rd_kafka_resume_partitions(w->consumer, a);
        if (e)
            ef_log_warn("worker: %s partitions: %s", pause ? "pause" : "resume",
                        rd_kafka_err2str(e));
    }
    if (a)
        rd_kafka_topic_partition_list_destroy(a);
    if (w->paused != pause)
        ef_log_debug(EF_DBG_KAFKA, "%s at %zu rows in flight", pause ? "paused" : "resumed",
                     w->inflight);
    w->paused = pause;
}

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque) {
    worker *w = opaque;
    w->synced = 1;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        for (int i = 0; i < parts->cnt; i++) {
            wk_part *x = part_find(w, parts->elems[i].partition);
            if (!x && !(x = calloc(1, sizeof(*x)))) {
                fatal(w, "out of memory");
                return;
            }
            if (x->gen) /* assigned again: earlier rows can no longer commit */
                ef_offsets_free(&x->track);
            else {
                x->next = w->parts;
                w->parts = x;
            }
            x->partition = parts->elems[i].partition;
            x->gen = ++w->gen_counter;
            ef_offsets_init(&x->track);
        }
        ef_kafka_rebalance_apply(rk, err, parts);
        /* librdkafka keeps a partition's pause flag across a revoke and a
         * new assignment, so a partition paused before a lost session and
         * assigned again after the worker resumed (with an empty
         * assignment) would never be fetched: set the flag explicitly. */
        if (w->paused || w->draining)
            rd_kafka_pause_partitions(rk, parts);
        else
            rd_kafka_resume_partitions(rk, parts);
        ef_log_info("worker: assigned %d partition%s", parts->cnt, parts->cnt == 1 ? "" : "s");
    } else {
        for (int i = 0; i < parts->cnt; i++) {
            wk_part **pp = &w->parts;
            while (*pp && (*pp)->partition != parts->elems[i].partition)
                pp = &(*pp)->next;
            if (*pp) {
                wk_part *x = *pp;
                *pp = x->next;
                ef_offsets_free(&x->track);
                free(x);
            }
        }
        ef_kafka_rebalance_apply(rk, err, parts);
        ef_log_info("worker: revoked %d partition%s", parts->cnt, parts->cnt == 1 ? "" : "s");
    }
}

/* ---- jobs ------------------------------------------------------------------ */

static void job_free(wk_job *j) {
    if (j->started) /* the run stays while its rows are alive (runs_trim) */
        j->run->active--;
    if (j->all_prev)
        j->all_prev->all_next = j->all_next;
    else
        j->w->jobs = j->all_next;
    if (j->all_next)
        j->all_next->all_prev = j->all_prev;
    if (j->row_init)
        ef_row_result_free(&j->row);
    if (j->msg)
        rd_kafka_message_destroy(j->msg);
    free(j->encoded);
    free(j);
}

static void maybe_resume(worker *w) {
    if (w->paused && !w->draining && w->inflight <= w->fc->max_inflight_rows * 3 / 4)
        set_paused(w, 0);
}

/* The row's result is safely in the results topic (or the row was
 * malformed): its offset may be committed once its predecessors' are. */
static void job_complete(wk_job *j) {
    worker *w = j->w;
    wk_part *x = part_find(w, j->partition);
    if (x && x->gen == j->gen) {
        int64_t next = ef_offsets_done(&x->track, j->seq);
        if (next >= 0) {
            rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
            rd_kafka_topic_partition_list_add(l, w->fc->rows_topic, j->partition)->offset = next;
            rd_kafka_resp_err_t e = rd_kafka_offsets_store(w->consumer, l);
            if (e)
                ef_log_debug(EF_DBG_KAFKA, "offsets_store p%d: %s", (int)j->partition,
                             rd_kafka_err2str(e));
            rd_kafka_topic_partition_list_destroy(l);
        }
    }
    w->inflight--;
    job_free(j);
    maybe_resume(w);
}

static int send_result(wk_job *j) {
    worker *w = j->w;
    rd_kafka_resp_err_t e = rd_kafka_producev(
        w->producer, RD_KAFKA_V_TOPIC(w->fc->results_topic),
        RD_KAFKA_V_KEY(j->msg->key, j->msg->key_len),
        RD_KAFKA_V_VALUE(j->encoded, strlen(j->encoded)), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_HEADER(EF_HDR_RUN, j->run->id, -1), RD_KAFKA_V_OPAQUE(j), RD_KAFKA_V_END);
    if (e) {
        /* Queue full: the delivery watcher drains it; try again shortly. */
        ef_log_debug(EF_DBG_KAFKA, "produce: %s", rd_kafka_err2str(e));
        return -1;
    }
    j->sends++; /* counts deliveries tried, not refusals of a full queue */
    return 0;
}

static void send_or_retry(evutil_socket_t fd, short what, void *arg);

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    wk_job *j = m->_private;
    if (!m->err) {
        job_complete(j);
        return;
    }
    ef_log_warn("worker: result of %s row %" PRIu64 " not delivered: %s", j->run->id, j->index,
                rd_kafka_err2str(m->err));
    if (j->sends >= 5)
        fatal(j->w, "results cannot be delivered");
    else
        send_or_retry(-1, 0, j);
}

/* Send j's result now, or again every 100 ms while the producer queue is full. */
static void send_or_retry(evutil_socket_t fd, short what, void *arg) {
    wk_job *j = arg;
    if (send_result(j)) {
        struct timeval tv = {0, 100000};
        event_base_once(j->w->base, -1, EV_TIMEOUT, send_or_retry, j, &tv);
    }
}

static void row_done(ef_row_result *r, void *arg) {
    wk_job *j = arg;
    worker *w = j->w;
    int failed = r->row_err != EF_ERR_OK;
    for (size_t i = 0; i < r->nevals && !failed; i++)
        failed = r->outs[i].err != EF_ERR_OK;
    w->rows_done++;
    w->rows_failed += failed;
    if (!(j->encoded = ef_row_encode(r))) {
        fatal(w, "out of memory");
        return;
    }
    ef_row_result_free(&j->row);
    j->row_init = 0;
    send_or_retry(-1, 0, j);
}

static void job_start(wk_job *j) {
    wk_run *run = j->run;
    const rd_kafka_message_t *m = j->msg;
    char buf[512];
    run->last_used = ++j->w->use_counter;
    if (ef_row_result_init(&j->row, run->engine)) {
        fatal(j->w, "out of memory");
        return;
    }
    j->row_init = 1;
    j->started = 1;
    run->active++;
    uint64_t cap;
    if (!ef_kafka_header(m, EF_HDR_TOO_LONG, buf, sizeof(buf)) && !ef_parse_u64(buf, &cap)) {
        ef_row_result_set_too_long(&j->row, run->spec.data, j->index, j->lineno, cap);
        row_done(&j->row, j);
    } else if (!ef_kafka_header(m, EF_HDR_BAD, buf, sizeof(buf))) {
        ef_row_result_set_bad(&j->row, j->index, j->lineno, EF_ERR_LINE_TOO_LONG, "%s", buf);
        row_done(&j->row, j);
    } else if (ef_engine_submit_line(run->ctx, run->spec.data, j->index, j->lineno,
                                     m->payload ? m->payload : "", m->len, &j->row, row_done, j)) {
        fatal(j->w, "out of memory");
    }
}

/* ---- runs ------------------------------------------------------------------ */

static void run_free(wk_run *run) {
    ef_engine_ctx_destroy(run->ctx);
    ef_engine_destroy(run->engine);
    ef_run_spec_free(&run->spec);
    if (run->retry_ev)
        event_free(run->retry_ev);
    free(run);
}

/* Forget the least recently used idle run beyond MAX_RUNS. */
static void runs_trim(worker *w) {
    while (w->nruns > MAX_RUNS) {
        wk_run **victim = NULL;
        for (wk_run **pp = &w->runs; *pp; pp = &(*pp)->next)
            if ((*pp)->state == RUN_READY && !(*pp)->active &&
                (!victim || (*pp)->last_used < (*victim)->last_used))
                victim = pp;
        if (!victim)
            return;
        wk_run *run = *victim;
        *victim = run->next;
        w->nruns--;
        run_free(run);
    }
}

static void fetch_spec(wk_run *run);

static void on_spec(redisReply *rep, void *arg) {
    wk_run *run = arg;
    worker *w = run->w;
    char err[1024];
    if (!rep || rep->type != REDIS_REPLY_STRING) {
        if (run->spec_tries++ % 30 == 0)
            ef_log_warn("worker: run %s: %s; retrying", run->id,
                        rep ? "no spec stored in Redis under this run id" : "Redis unavailable");
        struct timeval tv = {SPEC_RETRY_MS / 1000, (SPEC_RETRY_MS % 1000) * 1000};
        event_add(run->retry_ev, &tv);
        return;
    }
    ef_run_spec_init(&run->spec);
    if (ef_spec_doc_load(&run->spec, rep->str, rep->len, err, sizeof(err)) ||
        !(run->engine = ef_engine_new(&run->spec, w->base, err, sizeof(err))) ||
        !(run->ctx = ef_engine_ctx_new(run->engine, err, sizeof(err)))) {
        /* Another worker may be able to (it may have the spec's files). */
        char what[1200];
        snprintf(what, sizeof(what), "run %s: cannot build its evaluators: %s", run->id, err);
        fatal(w, what);
        return;
    }
    if (w->gate && ef_engine_judge(run->engine))
        ef_llm_set_gate(ef_engine_judge(run->engine), ef_judge_gate_llm(w->gate));
    run->state = RUN_READY;
    ef_log_info("worker: run %s: %zu evaluators ready", run->id, ef_engine_nevals(run->engine));
    wk_job *j = run->pending;
    run->pending = NULL;
    run->pending_tail = &run->pending;
    while (j && !w->fatal) {
        wk_job *next = j->next;
        job_start(j);
        j = next;
    }
}

static void retry_spec(evutil_socket_t fd, short what, void *arg) { fetch_spec(arg); }

static void fetch_spec(wk_run *run) {
    char key[256];
    ef_run_key(key, sizeof(key), run->id, "spec");
    const char *argv[] = {"GET", key};
    if (ef_redis_async_cmdargv(run->w->redis, 5000, on_spec, run, 2, argv, NULL))
        fatal(run->w, "out of memory");
}

static wk_run *run_get(worker *w, const char *id) {
    for (wk_run *run = w->runs; run; run = run->next)
        if (!strcmp(run->id, id))
            return run;
    wk_run *run = calloc(1, sizeof(*run));
    if (!run || !(run->retry_ev = evtimer_new(w->base, retry_spec, run))) {
        free(run);
        return NULL;
    }
    snprintf(run->id, sizeof(run->id), "%s", id);
    run->w = w;
    run->pending_tail = &run->pending;
    run->next = w->runs;
    w->runs = run;
    w->nruns++;
    fetch_spec(run);
    runs_trim(w);
    return run;
}

/* ---- consuming --------------------------------------------------------------- */

static void handle_message(worker *w, rd_kafka_message_t *m) {
    if (m->err) {
        if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
            ef_log_warn("worker: consume: %s", rd_kafka_message_errstr(m));
        rd_kafka_message_destroy(m);
        return;
    }
    wk_part *x = part_find(w, m->partition);
    if (w->draining || !x) {
        rd_kafka_message_destroy(m); /* not stored: it will be consumed again */
        return;
    }
    wk_job *j = calloc(1, sizeof(*j));
    if (!j) {
        rd_kafka_message_destroy(m);
        fatal(w, "out of memory");
        return;
    }
    j->w = w;
    j->msg = m;
    j->all_next = w->jobs;
    if (w->jobs)
        w->jobs->all_prev = j;
    w->jobs = j;
    j->partition = m->partition;
    j->gen = x->gen;
    if (ef_offsets_add(&x->track, m->offset, &j->seq)) {
        job_free(j);
        fatal(w, "out of memory");
        return;
    }
    w->inflight++;
    char run[EF_RUN_ID_MAX + 1], num[32];
    if (ef_row_key_parse(m->key, m->key_len, run, sizeof(run), &j->index) ||
        ef_kafka_header(m, EF_HDR_LINE, num, sizeof(num)) || ef_parse_u64(num, &j->lineno)) {
        ef_log_warn("worker: %s [%d] offset %" PRId64 ": not an evalfleet row message; skipped",
                    w->fc->rows_topic, (int)m->partition, m->offset);
        job_complete(j);
        return;
    }
    if (!(j->run = run_get(w, run))) {
        fatal(w, "out of memory");
        return;
    }
    if (j->run->state == RUN_READY) {
        job_start(j);
    } else {
        *j->run->pending_tail = j;
        j->run->pending_tail = &j->next;
    }
    if (!w->paused && w->inflight >= w->fc->max_inflight_rows)
        set_paused(w, 1);
}

static void consume(void *arg) {
    worker *w = arg;
    int i = 0;
    for (; i < POLL_BATCH && !w->fatal; i++) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(w->consumer, 0);
        if (!m)
            break;
        handle_message(w, m);
    }
    if (i == POLL_BATCH && !w->fatal)
        event_active(w->more_ev, EV_TIMEOUT, 0);
}

static void on_more(evutil_socket_t fd, short what, void *arg) { consume(arg); }

static void deliveries(void *arg) {
    worker *w = arg;
    rd_kafka_poll(w->producer, 0);
}

/* ---- draining -------------------------------------------------------------- */

static void drain_check(evutil_socket_t fd, short what, void *arg) {
    worker *w = arg;
    consume(w); /* serve rebalances; new rows are dropped uncommitted */
    rd_kafka_poll(w->producer, 0);
    int idle = w->inflight == 0 && rd_kafka_outq_len(w->producer) == 0 &&
               ef_kafka_close_safe(w->consumer, w->synced);
    if (!idle && mono_now() < w->drain_deadline)
        return;
    if (!idle)
        ef_log_warn("worker: drain timeout with %zu rows in flight; they will be evaluated again "
                    "elsewhere",
                    w->inflight);
    event_base_loopbreak(w->base);
}

static void on_signal(evutil_socket_t sig, short what, void *arg) {
    worker *w = arg;
    if (w->draining) {
        ef_log_warn("worker: second signal; leaving now");
        event_base_loopbreak(w->base);
        return;
    }
    ef_log_info("worker: %s: draining %zu rows in flight", sig == SIGTERM ? "SIGTERM" : "SIGINT",
                w->inflight);
    w->draining = 1;
    w->drain_deadline = mono_now() + w->fc->drain_timeout_s;
    set_paused(w, 1);
    struct timeval tv = {0, 50000};
    event_add(w->drain_ev, &tv);
}

static void on_stats(evutil_socket_t fd, short what, void *arg) {
    worker *w = arg;
    ef_log_debug(EF_DBG_KAFKA, "rows done %" PRIu64 " (%" PRIu64 " failed), in flight %zu%s",
                 w->rows_done, w->rows_failed, w->inflight, w->paused ? ", paused" : "");
}

/* ---- set-up ---------------------------------------------------------------- */

static rd_kafka_t *make_client(worker *w, rd_kafka_type_t type, char *err, size_t errsize) {
    rd_kafka_conf_t *conf = ef_kafka_client_conf(
        type == RD_KAFKA_CONSUMER ? EF_KAFKA_WORKER_IN : EF_KAFKA_WORKER_OUT, w->fc, err, errsize);
    if (!conf)
        return NULL;
    rd_kafka_conf_set_opaque(conf, w);
    if (type == RD_KAFKA_CONSUMER)
        rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
    else
        rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_t *rk = rd_kafka_new(type, conf, err, errsize);
    if (!rk)
        rd_kafka_conf_destroy(conf);
    return rk;
}

int ef_worker_main(const ef_fleet_conf *fc) {
    worker w = {0};
    w.fc = fc;
    char err[1024];
    int rc = 1;
    if (!(w.base = ef_loop_new()) ||
        !(w.redis = ef_redis_async_new(w.base, fc->redis, err, sizeof(err))) ||
        !(w.consumer = make_client(&w, RD_KAFKA_CONSUMER, err, sizeof(err))) ||
        !(w.producer = make_client(&w, RD_KAFKA_PRODUCER, err, sizeof(err)))) {
        ef_log_error("worker: %s", w.base ? err : "out of memory");
        goto out;
    }
    w.gate = ef_judge_gate_new(w.base, w.redis, fc->cache_ttl_s, fc->budget_rpm);
    if ((fc->cache_ttl_s > 0 || fc->budget_rpm > 0) && !w.gate) {
        ef_log_error("worker: out of memory");
        goto out;
    }
    rd_kafka_poll_set_consumer(w.consumer);
    w.cq = rd_kafka_queue_get_consumer(w.consumer);
    w.pq = rd_kafka_queue_get_main(w.producer);
    w.more_ev = event_new(w.base, -1, 0, on_more, &w);
    w.drain_ev = event_new(w.base, -1, EV_PERSIST, drain_check, &w);
    w.stats_ev = event_new(w.base, -1, EV_PERSIST, on_stats, &w);
    w.sig_term = evsignal_new(w.base, SIGTERM, on_signal, &w);
    w.sig_int = evsignal_new(w.base, SIGINT, on_signal, &w);
    if (!w.cq || !w.pq || !w.more_ev || !w.drain_ev || !w.stats_ev || !w.sig_term || !w.sig_int ||
        !(w.cwatch = ef_kafka_watch_new(w.base, w.cq, consume, &w, err, sizeof(err))) ||
        !(w.pwatch = ef_kafka_watch_new(w.base, w.pq, deliveries, &w, err, sizeof(err))) ||
        (fc->heartbeat && !(w.hb = ef_heartbeat_new(w.base, fc->heartbeat, err, sizeof(err))))) {
        ef_log_error("worker: %s", err);
        goto out;
    }
    struct timeval every5 = {5, 0};
    event_add(w.sig_term, NULL);
    event_add(w.sig_int, NULL);
    event_add(w.stats_ev, &every5);
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, fc->rows_topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(w.consumer, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (e) {
        ef_log_error("worker: subscribe %s: %s", fc->rows_topic, rd_kafka_err2str(e));
        goto out;
    }
    ef_log_info("worker: consuming %s as group %s, up to %" PRIu64 " rows in flight",
                fc->rows_topic, fc->group, fc->max_inflight_rows);
    event_base_dispatch(w.base);
    rc = w.fatal ? 1 : 0;
out:
    if (w.consumer) {
        if (!w.fatal) {
            /* Store what finished, commit it, leave the group. */
            rd_kafka_resp_err_t ce = rd_kafka_commit(w.consumer, NULL, 0);
            if (ce && ce != RD_KAFKA_RESP_ERR__NO_OFFSET)
                ef_log_warn("worker: final commit: %s", rd_kafka_err2str(ce));
        }
        rd_kafka_consumer_close(w.consumer);
    }
    ef_kafka_watch_destroy(w.cwatch);
    ef_kafka_watch_destroy(w.pwatch);
    if (w.cq)
        rd_kafka_queue_destroy(w.cq);
    if (w.pq)
        rd_kafka_queue_destroy(w.pq);
    if (w.gate) {
        ef_judge_gate_stats gs = ef_judge_gate_get_stats(w.gate);
        ef_log_info("worker: judge cache %llu hits, %llu misses, %llu stored; %llu budget waits",
                    gs.hits, gs.misses, gs.stores, gs.waits);
    }
    ef_judge_gate_destroy(w.gate); /* before the engines: it holds their calls */
    /* Engines go before the jobs: cancelled calls still write into rows. */
    for (wk_run *run = w.runs; run; run = run->next) {
        ef_engine_ctx_destroy(run->ctx);
        ef_engine_destroy(run->engine);
        run->ctx = NULL;
        run->engine = NULL;
    }
    if (w.producer) {
        rd_kafka_flush(w.producer, 5000);
        rd_kafka_destroy(w.producer);
    }
    /* Rows cut short by the drain timeout still hold consumer messages:
     * rd_kafka_destroy() would wait for them forever. */
    while (w.jobs)
        job_free(w.jobs);
    if (w.consumer)
        rd_kafka_destroy(w.consumer);
    while (w.runs) {
        wk_run *run = w.runs;
        w.runs = run->next;
        run_free(run);
    }
    while (w.parts) {
        wk_part *x = w.parts;
        w.parts = x->next;
        ef_offsets_free(&x->track);
        free(x);
    }
    ef_heartbeat_destroy(w.hb);
    ef_redis_async_destroy(w.redis);
    struct event *evs[] = {w.more_ev, w.drain_ev, w.stats_ev, w.sig_term, w.sig_int};
    for (size_t i = 0; i < sizeof(evs) / sizeof(*evs); i++)
        if (evs[i])
            event_free(evs[i]);
    if (w.base)
        event_base_free(w.base);
    return rc;
}
