/* http.c - libcurl multi-socket on libevent, with limits and retries (see http.h). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "ef_log.h"
#include "http.h"

typedef enum call_state { CALL_QUEUED, CALL_RUNNING, CALL_WAITING } call_state;

typedef struct ef_http_call {
    TAILQ_ENTRY(ef_http_call) link; /* in ep->queue (QUEUED) or ep->active */
    ef_http_endpoint *ep;
    call_state state;
    CURL *easy; /* from ep->pool while an attempt runs, else NULL */
    char *body; /* owned */
    size_t len;
    char *resp;
    size_t resp_len, resp_cap;
    int overflow;
    double est_tokens;
    unsigned attempts;
    double t0;
    struct event *retry_ev;
    ef_http_cb cb;
    void *arg;
} ef_http_call;

typedef TAILQ_HEAD(call_list, ef_http_call) call_list;

typedef struct bucket {
    double rate; /* per second; 0 = unlimited */
    double cap, level, t;
} bucket;

struct ef_http_endpoint {
    TAILQ_ENTRY(ef_http_endpoint) link;
    ef_http *h;
    char *name;
    char *url;
    char where[160];            /* url without query or user info, for messages */
    struct curl_slist *headers; /* built once; values wiped on destroy */
    CURL **pool;                /* idle easy handles, set up for this endpoint */
    size_t npool, pool_cap;     /* pool_cap <= lim.max_inflight */
    ef_http_limits lim;
    call_list queue;  /* waiting for a slot or a token */
    call_list active; /* running or waiting to retry */
    unsigned inflight;
    bucket req, tok;
    struct event *pump_ev; /* wakes the queue when a bucket refills */
    ef_http_stats st;
};

typedef struct sock_ctx {
    curl_socket_t fd;
    struct event *ev;
    ef_http *h;
} sock_ctx;

struct ef_http {
    struct event_base *base;
    CURLM *multi;
    struct event *timer_ev;
    TAILQ_HEAD(, ef_http_endpoint) endpoints;
    size_t pending;
    int running;
    double timer_at; /* when timer_ev fires (monotonic s), valid while it is pending */
};

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void check_done(ef_http *h);
static void pump(ef_http_endpoint *ep);
static void finish(ef_http_call *c, long status, ef_err err, const char *msg);

/* ---- token buckets ------------------------------------------------------ */

/* A bucket may go into debt: a request starts when the level is positive,
 * then pays its full cost, so one large request never deadlocks. */
static void bucket_init(bucket *b, double per_min) {
    b->rate = per_min > 0 ? per_min / 60.0 : 0;
    b->cap = per_min > 0 ? fmax(1.0, per_min / 6.0) : 0; /* ten seconds of burst */
    b->level = b->cap;
    b->t = now_s();
}

static void bucket_refill(bucket *b, double now) {
    if (b->rate > 0) {
        b->level = fmin(b->cap, b->level + (now - b->t) * b->rate);
        b->t = now;
    }
}

/* Seconds until the bucket allows a request (0 = now). */
static double bucket_wait(const bucket *b) {
    if (b->rate <= 0 || b->level > 0)
        return 0;
    return (-b->level + 1e-3) / b->rate;
}

/* ---- libevent <-> curl glue --------------------------------------------- */

static void on_timer(evutil_socket_t fd, short what, void *arg) {
    ef_http *h = arg;
    curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &h->running);
    check_done(h);
}

/* libcurl moves its deadline on nearly every state change of every transfer.
 * Re-arming the libevent timer each time costs a heap update; a deadline that
 * moves later is left alone instead: the timer then fires early, and
 * curl_multi_socket_action(CURL_SOCKET_TIMEOUT) with nothing expired only
 * reports the new deadline. */
static int timer_cb(CURLM *multi, long timeout_ms, void *userp) {
    ef_http *h = userp;
    if (timeout_ms < 0) {
        evtimer_del(h->timer_ev);
        return 0;
    }
    double at = now_s() + (double)timeout_ms / 1000.0;
    if (evtimer_pending(h->timer_ev, NULL) && at >= h->timer_at)
        return 0;
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    h->timer_at = at;
    evtimer_add(h->timer_ev, &tv);
    return 0;
}

static void on_socket(evutil_socket_t fd, short what, void *arg) {
    ef_http *h = arg;
    int action =
        ((what & EV_READ) ? CURL_CSELECT_IN : 0) | ((what & EV_WRITE) ? CURL_CSELECT_OUT : 0);
    curl_multi_socket_action(h->multi, fd, action, &h->running);
    check_done(h);
}

static int socket_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *sockp) {
    ef_http *h = userp;
    sock_ctx *sc = sockp;
    if (what == CURL_POLL_REMOVE) {
        if (sc) {
            event_free(sc->ev);
            free(sc);
            curl_multi_assign(h->multi, s, NULL);
        }
        return 0;
    }
    short kind = EV_PERSIST | ((what & CURL_POLL_IN) ? EV_READ : 0) |
                 ((what & CURL_POLL_OUT) ? EV_WRITE : 0);
    if (!sc) {
        sc = calloc(1, sizeof(*sc));
        if (!sc)
            return -1;
        sc->fd = s;
        sc->h = h;
        curl_multi_assign(h->multi, s, sc);
    } else {
        event_free(sc->ev);
    }
    sc->ev = event_new(h->base, s, kind, on_socket, h);
    if (!sc->ev)
        return -1;
    event_add(sc->ev, NULL);
    return 0;
}

/* ---- calls -------------------------------------------------------------- */

static size_t write_cb(char *ptr, size_t size, size_t nmemb, void *userdata) {
    ef_http_call *c = userdata;
    size_t n = size * nmemb;
    size_t cap = c->ep->lim.max_response;
    if (c->resp_len + n > cap) {
        c->overflow = 1;
        return 0;
    }
    if (c->resp_len + n + 1 > c->resp_cap) {
        size_t ncap = c->resp_cap ? c->resp_cap : 4096;
        while (ncap < c->resp_len + n + 1)
            ncap *= 2;
        char *r = realloc(c->resp, ncap);
        if (!r)
            return 0;
        c->resp = r;
        c->resp_cap = ncap;
    }
    memcpy(c->resp + c->resp_len, ptr, n);
    c->resp_len += n;
    c->resp[c->resp_len] = '\0';
    return n;
}

/* An easy handle with the endpoint's constant options; per attempt only the
 * body, the write target and PRIVATE change.  A 4 KB receive buffer (curl's
 * default is 16 KB) keeps memory per request in flight small: replies of
 * judges are well under that, larger ones arrive in more callbacks. */
static CURL *easy_new(const ef_http_endpoint *ep) {
    const ef_http_limits *lim = &ep->lim;
    CURL *e = curl_easy_init();
    if (!e)
        return NULL;
    curl_easy_setopt(e, CURLOPT_URL, ep->url);
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, ep->headers);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, lim->timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, lim->connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_BUFFERSIZE, 4096L);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "evalfleet/0.1");
    return e;
}

static CURL *easy_get(ef_http_endpoint *ep) {
    return ep->npool ? ep->pool[--ep->npool] : easy_new(ep);
}

/* Back to the pool once its transfer is removed from the multi handle.  The
 * pool never holds more than max_inflight handles. */
static void easy_put(ef_http_endpoint *ep, CURL *e) {
    if (ep->npool == ep->pool_cap && ep->pool_cap < ep->lim.max_inflight) {
        size_t ncap = ep->pool_cap ? ep->pool_cap * 2 : 16;
        if (ncap > ep->lim.max_inflight)
            ncap = ep->lim.max_inflight;
        CURL **np = realloc(ep->pool, ncap * sizeof(*np));
        if (np) {
            ep->pool = np;
            ep->pool_cap = ncap;
        }
    }
    if (ep->npool < ep->pool_cap)
        ep->pool[ep->npool++] = e;
    else
        curl_easy_cleanup(e);
}

static void call_free(ef_http_call *c) {
    if (!c)
        return;
    if (c->easy)
        easy_put(c->ep, c->easy);
    if (c->retry_ev)
        event_free(c->retry_ev);
    free(c->body);
    free(c->resp);
    free(c);
}

static void start_attempt(ef_http_call *c) {
    ef_http_endpoint *ep = c->ep;
    if (!(c->easy = easy_get(ep))) {
        TAILQ_INSERT_TAIL(&ep->active, c, link);
        finish(c, 0, EF_ERR_NOMEM, "out of memory");
        return;
    }
    CURL *e = c->easy;
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, c->body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)c->len);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(e, CURLOPT_PRIVATE, c);
    c->state = CALL_RUNNING;
    c->resp_len = 0;
    c->overflow = 0;
    if (c->resp)
        c->resp[0] = '\0';
    c->attempts++;
    ep->inflight++;
    ep->st.attempts++;
    if (ep->inflight > ep->st.max_inflight_seen)
        ep->st.max_inflight_seen = ep->inflight;
    TAILQ_INSERT_TAIL(&ep->active, c, link);
    CURLMcode mc = curl_multi_add_handle(ep->h->multi, c->easy);
    if (mc != CURLM_OK)
        ef_log_error("http %s: curl_multi_add_handle: %s", ep->name, curl_multi_strerror(mc));
}

/* Move queued calls into flight while the slot cap and buckets allow. */
static void pump(ef_http_endpoint *ep) {
    double now = now_s();
    bucket_refill(&ep->req, now);
    bucket_refill(&ep->tok, now);
    while (!TAILQ_EMPTY(&ep->queue) && ep->inflight < ep->lim.max_inflight) {
        double wait = fmax(bucket_wait(&ep->req), bucket_wait(&ep->tok));
        if (wait > 0) {
            if (!evtimer_pending(ep->pump_ev, NULL)) {
                struct timeval tv = {(long)wait, (long)((wait - floor(wait)) * 1e6) + 1};
                evtimer_add(ep->pump_ev, &tv);
            }
            break;
        }
        ef_http_call *c = TAILQ_FIRST(&ep->queue);
        TAILQ_REMOVE(&ep->queue, c, link);
        ep->st.queued--;
        if (ep->req.rate > 0)
            ep->req.level -= 1;
        if (ep->tok.rate > 0)
            ep->tok.level -= c->est_tokens;
        start_attempt(c);
    }
}

static void on_pump(evutil_socket_t fd, short what, void *arg) { pump(arg); }

static void on_retry(evutil_socket_t fd, short what, void *arg) {
    ef_http_call *c = arg;
    ef_http_endpoint *ep = c->ep;
    TAILQ_REMOVE(&ep->active, c, link);
    c->state = CALL_QUEUED;
    TAILQ_INSERT_HEAD(&ep->queue, c, link); /* retries go first */
    ep->st.queued++;
    pump(ep);
}

static double backoff_s(const ef_http_limits *lim, unsigned retry) {
    double d = (double)lim->backoff_base_ms / 1000.0;
    for (unsigned i = 1; i < retry && d < 1e6; i++)
        d *= 2;
    d = fmin(d, (double)lim->backoff_cap_ms / 1000.0);
    /* equal jitter: half fixed, half random */
    return d / 2 + d / 2 * ((double)rand() / ((double)RAND_MAX + 1.0));
}

/* The outcome of c's latest attempt, as the caller's callback sees it. */
static ef_http_response response_of(const ef_http_call *c, long status, ef_err err,
                                    bool last_attempt, const char *msg) {
    ef_http_response r = {0};
    r.status = status;
    r.body = c->resp ? c->resp : "";
    r.len = c->resp_len;
    r.err = err;
    r.attempts = c->attempts;
    r.elapsed_s = now_s() - c->t0;
    r.last_attempt = last_attempt;
    if (msg)
        snprintf(r.errmsg, sizeof(r.errmsg), "%s", msg);
    return r;
}

static void finish(ef_http_call *c, long status, ef_err err, const char *msg) {
    ef_http_endpoint *ep = c->ep;
    ef_http_response r = response_of(c, status, err, true, msg);
    if (err)
        ep->st.failures++;
    TAILQ_REMOVE(&ep->active, c, link);
    ep->h->pending--;
    c->cb(&r, c->arg);
    call_free(c);
}

static void schedule_retry(ef_http_call *c, double delay) {
    ef_http_endpoint *ep = c->ep;
    ep->st.retries++;
    c->state = CALL_WAITING;
    if (!c->retry_ev)
        c->retry_ev = evtimer_new(ep->h->base, on_retry, c);
    struct timeval tv = {(long)delay, (long)((delay - floor(delay)) * 1e6)};
    if (!c->retry_ev || evtimer_add(c->retry_ev, &tv)) {
        finish(c, 0, EF_ERR_NOMEM, "cannot schedule a retry");
        return;
    }
    ef_log_debug(EF_DBG_HTTP, "%s: retry %u in %.3fs", ep->name, c->attempts, delay);
}

static void attempt_done(ef_http_call *c, CURLcode cc) {
    ef_http_endpoint *ep = c->ep;
    const ef_http_limits *lim = &ep->lim;
    long status = 0;
    curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &status);
    ep->inflight--;
    ep->st.by_status[status >= 100 && status < 600 ? status / 100 : 0]++;
    const char *where = ep->where;
    char msg[256];

    ef_err err = EF_ERR_OK;
    int retry = 0;
    double retry_after = -1;
    if (cc == CURLE_OK) {
        if (status >= 200 && status < 300) {
            snprintf(msg, sizeof(msg), "%s: HTTP %ld", where, status);
        } else if (status == 429 && c->resp && strstr(c->resp, "insufficient_quota")) {
            err = EF_ERR_QUOTA;
            snprintf(msg, sizeof(msg), "%s: HTTP 429 insufficient_quota", where);
        } else if (status == 429 || status == 408 || status >= 500) {
            err = status == 429   ? EF_ERR_RATE_LIMIT
                  : status == 408 ? EF_ERR_TIMEOUT
                                  : EF_ERR_SERVER;
            retry = 1;
            struct curl_header *hd;
            if (curl_easy_header(c->easy, "Retry-After", 0, CURLH_HEADER, -1, &hd) == CURLHE_OK)
                retry_after = ef_http_retry_after(hd->value, (long)time(NULL));
            snprintf(msg, sizeof(msg), "%s: HTTP %ld", where, status);
        } else {
            err = (status == 401 || status == 403) ? EF_ERR_AUTH : EF_ERR_REQUEST;
            snprintf(msg, sizeof(msg), "%s: HTTP %ld", where, status);
        }
    } else {
        status = 0;
        switch (cc) {
        case CURLE_OPERATION_TIMEDOUT:
            err = EF_ERR_TIMEOUT;
            retry = 1;
            break;
        case CURLE_COULDNT_CONNECT:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
        case CURLE_BAD_CONTENT_ENCODING:
            err = EF_ERR_HTTP;
            retry = 1;
            break;
        case CURLE_WRITE_ERROR:
            err = c->overflow ? EF_ERR_LIMIT : EF_ERR_NOMEM;
            break;
        default:
            err = EF_ERR_HTTP;
            break;
        }
        if (c->overflow)
            snprintf(msg, sizeof(msg), "%s: reply larger than %zu bytes", where, lim->max_response);
        else
            snprintf(msg, sizeof(msg), "%s: %s", where, curl_easy_strerror(cc));
    }
    ef_log_debug(EF_DBG_HTTP, "%s: attempt %u: %s", ep->name, c->attempts, msg);
    curl_multi_remove_handle(ep->h->multi, c->easy);
    easy_put(ep, c->easy);
    c->easy = NULL;

    int can_retry = lim->max_retries < 0 || c->attempts <= (unsigned)lim->max_retries;
    if (err == EF_ERR_OK) {
        /* Let the caller judge the body; it may ask for another attempt. */
        ef_http_response r = response_of(c, status, EF_ERR_OK, !can_retry, NULL);
        TAILQ_REMOVE(&ep->active, c, link);
        int want = c->cb(&r, c->arg);
        if (want == EF_HTTP_RETRY && can_retry) {
            TAILQ_INSERT_TAIL(&ep->active, c, link);
            schedule_retry(c, backoff_s(lim, c->attempts));
        } else {
            ep->h->pending--;
            call_free(c);
        }
    } else if (retry && can_retry) {
        double d = retry_after >= 0 ? fmin(retry_after, (double)lim->backoff_cap_ms / 1000.0)
                                    : backoff_s(lim, c->attempts);
        schedule_retry(c, d);
    } else {
        if (retry) {
            size_t l = strlen(msg);
            snprintf(msg + l, sizeof(msg) - l, " (after %u attempts)", c->attempts);
        }
        finish(c, status, err, msg);
    }
    pump(ep);
}

static void check_done(ef_http *h) {
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(h->multi, &left))) {
        if (m->msg != CURLMSG_DONE)
            continue;
        ef_http_call *c = NULL;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&c);
        CURLcode cc = m->data.result;
        if (c)
            attempt_done(c, cc);
    }
}

/* ---- public ------------------------------------------------------------- */

ef_http *ef_http_new(struct event_base *base, char *errstr, size_t errsize) {
    static int global_done;
    if (!global_done) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
            ef_seterr(errstr, errsize, "curl_global_init failed");
            return NULL;
        }
        global_done = 1;
    }
    ef_http *h = calloc(1, sizeof(*h));
    if (!h)
        goto oom;
    h->base = base;
    TAILQ_INIT(&h->endpoints);
    h->multi = curl_multi_init();
    h->timer_ev = evtimer_new(base, on_timer, h);
    if (!h->multi || !h->timer_ev)
        goto oom;
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
    curl_multi_setopt(h->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
    return h;
oom:
    ef_seterr(errstr, errsize, "out of memory");
    ef_http_destroy(h);
    return NULL;
}

/* Tell the owner its request is over, so it can release what it holds. */
static void cancel(ef_http_call *c) {
    char msg[160];
    snprintf(msg, sizeof(msg), "%s: cancelled at shutdown", c->ep->name);
    ef_http_response r = response_of(c, 0, EF_ERR_CANCELLED, true, msg);
    c->cb(&r, c->arg);
    call_free(c);
}

static void endpoint_free(ef_http_endpoint *ep) {
    ef_http_call *c;
    while ((c = TAILQ_FIRST(&ep->queue))) {
        TAILQ_REMOVE(&ep->queue, c, link);
        cancel(c);
    }
    while ((c = TAILQ_FIRST(&ep->active))) {
        TAILQ_REMOVE(&ep->active, c, link);
        if (c->state == CALL_RUNNING)
            curl_multi_remove_handle(ep->h->multi, c->easy);
        cancel(c);
    }
    while (ep->npool)
        curl_easy_cleanup(ep->pool[--ep->npool]);
    free(ep->pool);
    if (ep->pump_ev)
        event_free(ep->pump_ev);
    for (struct curl_slist *hd = ep->headers; hd; hd = hd->next) {
        volatile char *p = hd->data; /* header values may hold the API key */
        while (*p)
            *p++ = '\0';
    }
    curl_slist_free_all(ep->headers);
    free(ep->url);
    free(ep->name);
    free(ep);
}

void ef_http_destroy(ef_http *h) {
    if (!h)
        return;
    ef_http_endpoint *ep;
    while ((ep = TAILQ_FIRST(&h->endpoints))) {
        TAILQ_REMOVE(&h->endpoints, ep, link);
        endpoint_free(ep);
    }
    if (h->multi)
        curl_multi_cleanup(h->multi); /* removes the remaining sockets via socket_cb */
    if (h->timer_ev)
        event_free(h->timer_ev);
    free(h);
}

ef_http_endpoint *ef_http_endpoint_new(ef_http *h, const char *name, const char *url,
                                       const char *const *headers, const ef_http_limits *lim,
                                       char *errstr, size_t errsize) {
    ef_http_endpoint *ep = calloc(1, sizeof(*ep));
    if (!ep)
        goto oom;
    ep->h = h;
    TAILQ_INIT(&ep->queue);
    TAILQ_INIT(&ep->active);
    if (!(ep->name = strdup(name ? name : "http")) || !(ep->url = strdup(url)) ||
        !(ep->pump_ev = evtimer_new(h->base, on_pump, ep)))
        goto oom;
    for (const char *const *hd = headers; hd && *hd; hd++) {
        struct curl_slist *n = curl_slist_append(ep->headers, *hd);
        if (!n)
            goto oom;
        ep->headers = n;
    }
    ef_http_redact_url(url, ep->where, sizeof(ep->where));
    ep->lim = *lim;
    if (!ep->lim.max_inflight)
        ep->lim.max_inflight = 64;
    if (!ep->lim.timeout_ms)
        ep->lim.timeout_ms = 120000;
    if (!ep->lim.connect_timeout_ms)
        ep->lim.connect_timeout_ms = 10000;
    if (ep->lim.max_retries < 0)
        ep->lim.max_retries = 10;
    if (!ep->lim.backoff_base_ms)
        ep->lim.backoff_base_ms = 1000;
    if (!ep->lim.backoff_cap_ms)
        ep->lim.backoff_cap_ms = 60000;
    if (!ep->lim.max_response)
        ep->lim.max_response = 16u << 20;
    bucket_init(&ep->req, ep->lim.rpm);
    bucket_init(&ep->tok, ep->lim.tpm);
    TAILQ_INSERT_TAIL(&h->endpoints, ep, link);
    return ep;
oom:
    ef_seterr(errstr, errsize, "out of memory");
    if (ep)
        endpoint_free(ep);
    return NULL;
}

int ef_http_post(ef_http_endpoint *ep, char *body, size_t len, double est_tokens, ef_http_cb cb,
                 void *arg) {
    ef_http_call *c = calloc(1, sizeof(*c));
    if (!c) {
        free(body);
        return -1;
    }
    c->ep = ep;
    c->cb = cb;
    c->arg = arg;
    c->est_tokens = est_tokens;
    c->t0 = now_s();
    c->body = body;
    c->len = len;
    c->state = CALL_QUEUED;
    TAILQ_INSERT_TAIL(&ep->queue, c, link);
    ep->st.queued++;
    ep->st.requests++;
    ep->h->pending++;
    /* Start from the loop, so that callbacks never run inside the caller. */
    if (!evtimer_pending(ep->pump_ev, NULL)) {
        struct timeval tv = {0, 0};
        evtimer_add(ep->pump_ev, &tv);
    }
    return 0;
}

void ef_http_endpoint_charge(ef_http_endpoint *ep, double tokens) {
    if (ep->tok.rate > 0)
        ep->tok.level -= tokens;
}

void ef_http_endpoint_stats(const ef_http_endpoint *ep, ef_http_stats *st) {
    *st = ep->st;
    st->inflight = ep->inflight;
}

size_t ef_http_pending(const ef_http *h) { return h->pending; }

double ef_http_retry_after(const char *value, long now) {
    if (!value)
        return -1;
    while (isspace((unsigned char)*value))
        value++;
    if (isdigit((unsigned char)*value)) {
        char *end;
        double s = strtod(value, &end);
        while (isspace((unsigned char)*end))
            end++;
        return *end || !isfinite(s) || s < 0 ? -1 : s;
    }
    time_t t = curl_getdate(value, NULL);
    if (t == -1)
        return -1;
    double d = (double)t - (double)now;
    return d < 0 ? 0 : d;
}

void ef_http_redact_url(const char *url, char *out, size_t size) {
    if (!size)
        return;
    const char *scheme = strstr(url, "://");
    const char *host = scheme ? scheme + 3 : url;
    const char *at = strchr(host, '@');
    const char *slash = strchr(host, '/');
    if (at && (!slash || at < slash))
        host = at + 1;
    size_t plen = scheme ? (size_t)(scheme + 3 - url) : 0;
    size_t hlen = strcspn(host, "?#");
    snprintf(out, size, "%.*s%.*s", (int)plen, url, (int)hlen, host);
}
