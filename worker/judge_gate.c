/* judge_gate.c - fleet-wide judge reply cache and budget (see judge_gate.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "ef_log.h"
#include "judge_gate.h"

#define LOOKUP_TIMEOUT_MS 200
#define BUDGET_TIMEOUT_MS 1000

/* Token bucket on Redis' clock.  KEYS[1] bucket; ARGV rate/s, capacity.
 * Returns 0 (granted) or the milliseconds to wait before asking again. */
static const char bucket_lua[] =
    "local t = redis.call('TIME')\n"
    "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
    "local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')\n"
    "local rate, cap = tonumber(ARGV[1]), tonumber(ARGV[2])\n"
    "local tokens = tonumber(b[1]) or cap\n"
    "local ts = tonumber(b[2]) or now\n"
    "tokens = math.min(cap, tokens + math.max(0, now - ts) * rate / 1000)\n"
    "local wait = 0\n"
    "if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) * 1000 / rate) "
    "end\n"
    "redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', now)\n"
    "redis.call('PEXPIRE', KEYS[1], 60000)\n"
    "return wait\n";

typedef struct pending pending;
struct ef_judge_gate {
    ef_llm_gate llm; /* first: ef_llm_gate * -> ef_judge_gate * */
    struct event_base *base;
    ef_redis_async *redis;
    double ttl, rpm;
    pending *list;
    ef_judge_gate_stats st;
    unsigned warned;
};

/* One request between before() and go(). */
struct pending {
    ef_judge_gate *g;
    ef_llm_ticket *t; /* NULL once the gate dropped it */
    char endpoint[33], key[33];
    struct event *timer;
    int inflight; /* a Redis command holds this */
    pending *prev, *next;
};

static void unlink_p(pending *p) {
    if (p->prev)
        p->prev->next = p->next;
    else if (p->g)
        p->g->list = p->next;
    if (p->next)
        p->next->prev = p->prev;
    p->prev = p->next = NULL;
}

static void finish(pending *p, const char *cached, size_t len) {
    ef_llm_ticket *t = p->t;
    unlink_p(p);
    if (p->timer)
        event_free(p->timer);
    free(p);
    ef_llm_gate_go(t, cached, len);
}

static void budget_ask(pending *p);

static void on_wait_over(evutil_socket_t fd, short what, void *arg) { budget_ask(arg); }

static void on_budget(redisReply *rep, void *arg) {
    pending *p = arg;
    p->inflight = 0;
    if (!p->t) { /* dropped while Redis answered */
        free(p);
        return;
    }
    ef_judge_gate *g = p->g;
    if (!rep || rep->type != REDIS_REPLY_INTEGER) {
        g->st.redis_errors++;
        if (g->warned++ % 1000 == 0)
            ef_log_warn("judge budget: Redis unavailable; sending under local limits only");
        finish(p, NULL, 0);
        return;
    }
    if (rep->integer <= 0) {
        finish(p, NULL, 0);
        return;
    }
    g->st.waits++;
    long ms = rep->integer > 60000 ? 60000 : (long)rep->integer;
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    if (!p->timer && !(p->timer = evtimer_new(g->base, on_wait_over, p))) {
        finish(p, NULL, 0);
        return;
    }
    event_add(p->timer, &tv);
}

static void budget_ask(pending *p) {
    ef_judge_gate *g = p->g;
    if (!(g->rpm > 0)) {
        finish(p, NULL, 0);
        return;
    }
    char key[64], rate[32], cap[32];
    snprintf(key, sizeof(key), "ef:budget:%s", p->endpoint);
    snprintf(rate, sizeof(rate), "%.6f", g->rpm / 60.0);
    snprintf(cap, sizeof(cap), "%.6f", fmax(1.0, g->rpm / 60.0));
    const char *argv[] = {"EVAL", bucket_lua, "1", key, rate, cap};
    p->inflight = 1;
    if (ef_redis_async_cmdargv(g->redis, BUDGET_TIMEOUT_MS, on_budget, p, 6, argv, NULL)) {
        p->inflight = 0;
        finish(p, NULL, 0);
    }
}

static void on_lookup(redisReply *rep, void *arg) {
    pending *p = arg;
    p->inflight = 0;
    if (!p->t) {
        free(p);
        return;
    }
    ef_judge_gate *g = p->g;
    if (rep && rep->type == REDIS_REPLY_STRING) {
        g->st.hits++;
        finish(p, rep->str, rep->len);
        return;
    }
    if (!rep)
        g->st.redis_errors++;
    g->st.misses++;
    budget_ask(p);
}

static void gate_before(ef_llm_gate *lg, const char *endpoint, const char *key, ef_llm_ticket *t) {
    ef_judge_gate *g = (ef_judge_gate *)lg;
    pending *p = calloc(1, sizeof(*p));
    if (!p) {
        ef_llm_gate_go(t, NULL, 0);
        return;
    }
    p->g = g;
    p->t = t;
    snprintf(p->endpoint, sizeof(p->endpoint), "%s", endpoint);
    snprintf(p->key, sizeof(p->key), "%s", key);
    p->next = g->list;
    if (g->list)
        g->list->prev = p;
    g->list = p;
    if (!(g->ttl > 0)) {
        budget_ask(p);
        return;
    }
    char k[64];
    snprintf(k, sizeof(k), "ef:cache:%s", key);
    const char *argv[] = {"GET", k};
    p->inflight = 1;
    if (ef_redis_async_cmdargv(g->redis, LOOKUP_TIMEOUT_MS, on_lookup, p, 2, argv, NULL)) {
        p->inflight = 0;
        budget_ask(p);
    }
}

static void on_stored(redisReply *rep, void *arg) {}

static void gate_after(ef_llm_gate *lg, const char *key, const char *body, size_t len) {
    ef_judge_gate *g = (ef_judge_gate *)lg;
    if (!(g->ttl > 0))
        return;
    char k[64], ttl[32];
    snprintf(k, sizeof(k), "ef:cache:%s", key);
    snprintf(ttl, sizeof(ttl), "%lld", (long long)ceil(g->ttl));
    const char *argv[] = {"SET", k, body, "EX", ttl};
    size_t lens[] = {3, strlen(k), len, 2, strlen(ttl)};
    /* Fire and forget; a lost store only costs a later request. */
    if (!ef_redis_async_cmdargv(g->redis, 1000, on_stored, NULL, 5, argv, lens))
        g->st.stores++;
}

ef_judge_gate *ef_judge_gate_new(struct event_base *base, ef_redis_async *redis, double cache_ttl_s,
                                 double budget_rpm) {
    if (!(cache_ttl_s > 0) && !(budget_rpm > 0))
        return NULL;
    ef_judge_gate *g = calloc(1, sizeof(*g));
    if (!g)
        return NULL;
    g->llm.before = gate_before;
    g->llm.after = gate_after;
    g->base = base;
    g->redis = redis;
    g->ttl = cache_ttl_s;
    g->rpm = budget_rpm;
    return g;
}

void ef_judge_gate_destroy(ef_judge_gate *g) {
    if (!g)
        return;
    while (g->list) {
        pending *p = g->list;
        unlink_p(p);
        ef_llm_gate_drop(p->t);
        p->t = NULL;
        p->g = NULL;
        if (p->timer)
            event_free(p->timer);
        p->timer = NULL;
        if (!p->inflight) /* else the Redis callback frees it */
            free(p);
    }
    free(g);
}

ef_llm_gate *ef_judge_gate_llm(ef_judge_gate *g) { return g ? &g->llm : NULL; }

ef_judge_gate_stats ef_judge_gate_get_stats(const ef_judge_gate *g) { return g->st; }
