/* redis.c - Redis clients for the fleet (see redis.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <hiredis/adapters/libevent.h>
#include <hiredis/async.h>

#include "ef_error.h"
#include "ef_log.h"
#include "redis.h"

int ef_redis_url_parse(const char *url, char *host, int *port, int *db, char *pass, char *errstr,
                       size_t errsize) {
    const char *p = url;
    *port = 6379;
    *db = 0;
    pass[0] = '\0';
    if (!strncmp(p, "redis://", 8))
        p += 8;
    const char *at = strrchr(p, '@');
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        const char *pw = colon ? colon + 1 : p;
        if ((size_t)(at - pw) >= 256)
            goto bad;
        memcpy(pass, pw, (size_t)(at - pw));
        pass[at - pw] = '\0';
        p = at + 1;
    }
    size_t hl = strcspn(p, ":/");
    if (hl == 0 || hl >= 256)
        goto bad;
    memcpy(host, p, hl);
    host[hl] = '\0';
    p += hl;
    char *end;
    if (*p == ':') {
        long v = strtol(p + 1, &end, 10);
        if (end == p + 1 || v <= 0 || v > 65535)
            goto bad;
        *port = (int)v;
        p = end;
    }
    if (*p == '/' && p[1]) {
        long v = strtol(p + 1, &end, 10);
        if (*end || v < 0 || v > 1000)
            goto bad;
        *db = (int)v;
    } else if (*p && strcmp(p, "/")) {
        goto bad;
    }
    return 0;
bad:
    /* Never echo the URL: it may hold a password. */
    ef_seterr(errstr, errsize, "bad Redis URL (expected redis://[:PASSWORD@]HOST:PORT[/DB])");
    return -1;
}

/* ---- blocking client ------------------------------------------------------ */

struct ef_redis {
    redisContext *c;
    char host[256], pass[256];
    int port, db;
    double patience;
    char err[600];
};

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void drop(ef_redis *r) {
    if (r->c)
        redisFree(r->c);
    r->c = NULL;
}

static int connect_sync(ef_redis *r) {
    struct timeval tv = {2, 0};
    r->c = redisConnectWithTimeout(r->host, r->port, tv);
    if (!r->c || r->c->err) {
        snprintf(r->err, sizeof(r->err), "redis %s:%d: %s", r->host, r->port,
                 r->c ? r->c->errstr : "out of memory");
        drop(r);
        return -1;
    }
    struct timeval io = {30, 0};
    redisSetTimeout(r->c, io);
    redisReply *rep = NULL;
    if (r->pass[0] &&
        (!(rep = redisCommand(r->c, "AUTH %s", r->pass)) || rep->type == REDIS_REPLY_ERROR)) {
        snprintf(r->err, sizeof(r->err), "redis %s:%d: authentication failed", r->host, r->port);
        goto fail;
    }
    if (rep)
        freeReplyObject(rep);
    rep = NULL;
    if (r->db &&
        (!(rep = redisCommand(r->c, "SELECT %d", r->db)) || rep->type == REDIS_REPLY_ERROR)) {
        snprintf(r->err, sizeof(r->err), "redis %s:%d: cannot select db %d", r->host, r->port,
                 r->db);
        goto fail;
    }
    if (rep)
        freeReplyObject(rep);
    return 0;
fail:
    if (rep)
        freeReplyObject(rep);
    drop(r);
    return -1;
}

ef_redis *ef_redis_new(const char *url, double patience_s, char *errstr, size_t errsize) {
    ef_redis *r = calloc(1, sizeof(*r));
    if (!r) {
        ef_seterr(errstr, errsize, "out of memory");
        return NULL;
    }
    if (ef_redis_url_parse(url, r->host, &r->port, &r->db, r->pass, errstr, errsize)) {
        free(r);
        return NULL;
    }
    r->patience = patience_s;
    if (connect_sync(r)) {
        ef_seterr(errstr, errsize, "%s", r->err);
        ef_redis_destroy(r);
        return NULL;
    }
    return r;
}

void ef_redis_destroy(ef_redis *r) {
    if (!r)
        return;
    drop(r);
    memset(r->pass, 0, sizeof(r->pass));
    free(r);
}

const char *ef_redis_error(const ef_redis *r) { return r->err; }

/* One command with retries: send() issues it on r->c. */
typedef redisReply *(*send_fn)(redisContext *c, void *arg);

static redisReply *with_retries(ef_redis *r, send_fn send, void *arg) {
    double deadline = now_s() + r->patience;
    long backoff = 50;
    for (unsigned attempt = 0;; attempt++) {
        redisReply *rep = NULL;
        if (r->c || !connect_sync(r)) {
            rep = send(r->c, arg);
            if (!rep) {
                snprintf(r->err, sizeof(r->err), "redis %s:%d: %s", r->host, r->port,
                         r->c->errstr[0] ? r->c->errstr : "connection lost");
                drop(r);
            } else if (rep->type == REDIS_REPLY_ERROR) {
                /* LOADING: a restarted server replaying its append-only file. */
                int transient = !strncmp(rep->str, "LOADING", 7) || !strncmp(rep->str, "BUSY", 4) ||
                                !strncmp(rep->str, "TRYAGAIN", 8);
                snprintf(r->err, sizeof(r->err), "redis: %s", rep->str);
                freeReplyObject(rep);
                if (!transient)
                    return NULL;
                rep = NULL;
            } else {
                return rep;
            }
        }
        if (now_s() + (double)backoff / 1000 > deadline)
            return NULL;
        if (attempt == 0 || attempt % 20 == 0)
            ef_log_warn("%s; retrying", r->err);
        sleep_ms(backoff);
        backoff = backoff * 2 > 2000 ? 2000 : backoff * 2;
    }
}

typedef struct {
    const char *fmt;
    va_list *ap;
} fmt_args;

static redisReply *send_fmt(redisContext *c, void *arg) {
    fmt_args *f = arg;
    va_list ap;
    va_copy(ap, *f->ap);
    redisReply *rep = redisvCommand(c, f->fmt, ap);
    va_end(ap);
    return rep;
}

redisReply *ef_redis_cmd(ef_redis *r, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fmt_args f = {fmt, &ap};
    redisReply *rep = with_retries(r, send_fmt, &f);
    va_end(ap);
    return rep;
}

typedef struct {
    int argc;
    const char **argv;
    const size_t *lens;
} argv_args;

static redisReply *send_argv(redisContext *c, void *arg) {
    argv_args *a = arg;
    return redisCommandArgv(c, a->argc, a->argv, a->lens);
}

redisReply *ef_redis_cmdargv(ef_redis *r, int argc, const char **argv, const size_t *lens) {
    argv_args a = {argc, argv, lens};
    return with_retries(r, send_argv, &a);
}

/* ---- asynchronous client ------------------------------------------------- */

struct ef_redis_async {
    struct event_base *base;
    redisAsyncContext *ac;
    int connected, closing;
    struct event *retry_ev;
    long backoff_ms;
    char host[256], pass[256];
    int port, db;
};

typedef struct areq {
    ef_redis_cb cb;
    void *arg;
    struct event *timer;
    int fired;
} areq;

static void areq_fire(areq *q, redisReply *rep) {
    if (q->fired)
        return;
    q->fired = 1;
    if (q->timer)
        event_del(q->timer);
    q->cb(rep && rep->type != REDIS_REPLY_ERROR ? rep : NULL, q->arg);
}

static void on_areply(redisAsyncContext *ac, void *reply, void *priv) {
    areq *q = priv;
    areq_fire(q, reply);
    if (q->timer)
        event_free(q->timer);
    free(q);
}

static void on_atimeout(evutil_socket_t fd, short what, void *arg) { areq_fire(arg, NULL); }

static void on_aoffline(evutil_socket_t fd, short what, void *arg) {
    areq_fire(arg, NULL);
    free(arg);
}

static void schedule_reconnect(ef_redis_async *a) {
    if (a->closing)
        return;
    struct timeval tv = {a->backoff_ms / 1000, (a->backoff_ms % 1000) * 1000};
    event_add(a->retry_ev, &tv);
    a->backoff_ms = a->backoff_ms * 2 > 2000 ? 2000 : a->backoff_ms * 2;
}

static void on_connect(const redisAsyncContext *ac, int status) {
    ef_redis_async *a = ac->data;
    if (status != REDIS_OK) {
        ef_log_debug(EF_DBG_REDIS, "connect %s:%d: %s", a->host, a->port, ac->errstr);
        a->ac = NULL; /* hiredis frees it */
        schedule_reconnect(a);
        return;
    }
    a->connected = 1;
    a->backoff_ms = 50;
    ef_log_debug(EF_DBG_REDIS, "connected to %s:%d", a->host, a->port);
}

static void on_disconnect(const redisAsyncContext *ac, int status) {
    ef_redis_async *a = ac->data;
    a->connected = 0;
    a->ac = NULL;
    if (!a->closing) {
        ef_log_warn("redis %s:%d: connection lost; reconnecting", a->host, a->port);
        schedule_reconnect(a);
    }
}

static void noop_reply(redisAsyncContext *ac, void *reply, void *priv) {}

static void do_connect(evutil_socket_t fd, short what, void *arg) {
    ef_redis_async *a = arg;
    redisAsyncContext *ac = redisAsyncConnect(a->host, a->port);
    if (!ac || ac->err) {
        if (ac)
            redisAsyncFree(ac);
        schedule_reconnect(a);
        return;
    }
    ac->data = a;
    a->ac = ac;
    redisLibeventAttach(ac, a->base);
    redisAsyncSetConnectCallback(ac, on_connect);
    redisAsyncSetDisconnectCallback(ac, on_disconnect);
    /* Queued before any user command, so they run authenticated. */
    if (a->pass[0])
        redisAsyncCommand(ac, noop_reply, NULL, "AUTH %s", a->pass);
    if (a->db)
        redisAsyncCommand(ac, noop_reply, NULL, "SELECT %d", a->db);
}

ef_redis_async *ef_redis_async_new(struct event_base *base, const char *url, char *errstr,
                                   size_t errsize) {
    ef_redis_async *a = calloc(1, sizeof(*a));
    if (!a) {
        ef_seterr(errstr, errsize, "out of memory");
        return NULL;
    }
    a->base = base;
    a->backoff_ms = 50;
    if (ef_redis_url_parse(url, a->host, &a->port, &a->db, a->pass, errstr, errsize) ||
        !(a->retry_ev = evtimer_new(base, do_connect, a))) {
        if (!a->retry_ev && a->host[0])
            ef_seterr(errstr, errsize, "out of memory");
        free(a);
        return NULL;
    }
    do_connect(-1, 0, a);
    return a;
}

void ef_redis_async_destroy(ef_redis_async *a) {
    if (!a)
        return;
    a->closing = 1;
    if (a->ac)
        redisAsyncFree(a->ac); /* runs pending callbacks with NULL */
    event_free(a->retry_ev);
    memset(a->pass, 0, sizeof(a->pass));
    free(a);
}

int ef_redis_async_connected(const ef_redis_async *a) { return a->connected; }

int ef_redis_async_cmdargv(ef_redis_async *a, unsigned timeout_ms, ef_redis_cb cb, void *arg,
                           int argc, const char **argv, const size_t *lens) {
    areq *q = calloc(1, sizeof(*q));
    if (!q)
        return -1;
    q->cb = cb;
    q->arg = arg;
    if (!a->ac || !a->connected ||
        redisAsyncCommandArgv(a->ac, on_areply, q, argc, argv, lens) != REDIS_OK) {
        /* No hiredis callback will come: complete on the loop, never inside
         * the caller's stack. */
        struct timeval zero = {0, 0};
        if (event_base_once(a->base, -1, EV_TIMEOUT, on_aoffline, q, &zero)) {
            free(q);
            return -1;
        }
        return 0;
    }
    q->timer = evtimer_new(a->base, on_atimeout, q);
    if (q->timer) {
        struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
        event_add(q->timer, &tv);
    }
    return 0;
}
