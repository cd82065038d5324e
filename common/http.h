/*
 * http.h - asynchronous HTTP client: libcurl's multi-socket API driven by a
 * libevent loop (the pattern of curl's hiperfifo / multi-event examples).
 *
 * One ef_http per event loop holds the curl multi handle (shared connection
 * cache, HTTP/2 multiplexing where offered).  Requests go to an
 * ef_http_endpoint, which owns the limits of one API: a cap on requests in
 * flight, token buckets for requests/min and tokens/min, a per-attempt
 * timeout, and the retry policy of the reference SDK:
 *   - retried: 429 (unless the body says insufficient_quota), 408, 5xx,
 *     timeouts, connection refused/reset, empty or truncated replies;
 *   - never retried: 400, 401, 403, 404 and other 4xx, insufficient_quota;
 *   - wait: Retry-After (delta seconds or HTTP date) when the server sends it,
 *     else exponential backoff with jitter, capped at 60 s; at most
 *     max_retries retries (10 by default).
 * The caller's callback runs once per request, with the final outcome, from
 * the loop (never from inside ef_http_post).  It may return EF_HTTP_RETRY on
 * a 2xx whose body it cannot use; the request is then retried like a 5xx.
 *
 * An endpoint sends to one URL with one header list, both copied when it is
 * made (the header values are wiped when it is freed: they may hold a key).
 * Its easy handles are pooled: set up once, reused by later requests, at
 * most max_inflight of them kept.  A request holds one only while an attempt
 * runs, never while queued or waiting to retry.
 *
 * Ownership: ef_http_post takes the body (malloc'd), also when it fails.  The
 * response passed to the callback is valid only during the callback.  ef_http_destroy()
 * ends every unfinished request by calling its callback with
 * EF_ERR_CANCELLED (so owners release their state); destroy it only from
 * outside its own callbacks.  Messages never contain header values
 * or URL query strings (where keys may live).
 */
#ifndef EF_HTTP_H
#define EF_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "ef_error.h"

struct event_base;

typedef struct ef_http ef_http;
typedef struct ef_http_endpoint ef_http_endpoint;

typedef struct ef_http_limits {
    unsigned max_inflight;   /* requests in flight at once (0: 64) */
    double rpm;              /* requests per minute (0: unlimited) */
    double tpm;              /* tokens per minute (0: unlimited) */
    long timeout_ms;         /* per attempt (0: 120000) */
    long connect_timeout_ms; /* (0: 10000) */
    int max_retries;         /* retries after the first attempt (-1: 10) */
    long backoff_base_ms;    /* first backoff (0: 1000); doubles per retry */
    long backoff_cap_ms;     /* backoff and Retry-After cap (0: 60000) */
    size_t max_response;     /* reply body cap in bytes (0: 16 MiB) */
} ef_http_limits;

typedef struct ef_http_response {
    long status;      /* HTTP status of the last attempt, 0 without one */
    const char *body; /* NUL-terminated (len bytes) */
    size_t len;
    ef_err err;        /* EF_ERR_OK for a usable 2xx */
    char errmsg[256];  /* why, when err != OK */
    unsigned attempts; /* 1 + retries made */
    double elapsed_s;  /* from post to final outcome */
    bool last_attempt; /* EF_HTTP_RETRY is ignored when true */
} ef_http_response;

enum { EF_HTTP_DONE = 0, EF_HTTP_RETRY = 1 };
typedef int (*ef_http_cb)(const ef_http_response *resp, void *arg);

/* Statistics of one endpoint (for the summary and the bench). */
typedef struct ef_http_stats {
    unsigned long long requests, attempts, retries, failures;
    unsigned long long by_status[6]; /* attempts by status class: 0 none, 1xx..5xx */
    unsigned inflight, max_inflight_seen, queued;
} ef_http_stats;

ef_http *ef_http_new(struct event_base *base, char *errstr, size_t errsize);
void ef_http_destroy(ef_http *h); /* NULL is fine */

/* name labels messages ("judge", "target"); requests go to url with headers
 * ("Name: value", NULL-terminated).  Owned by h; freed with it. */
ef_http_endpoint *ef_http_endpoint_new(ef_http *h, const char *name, const char *url,
                                       const char *const *headers, const ef_http_limits *lim,
                                       char *errstr, size_t errsize);

/* POST body (len bytes, malloc'd, taken over) to the endpoint.  est_tokens is
 * charged to the tokens/min bucket.  0, or -1 on out of memory (the body is
 * freed and the callback will not run). */
int ef_http_post(ef_http_endpoint *ep, char *body, size_t len, double est_tokens, ef_http_cb cb,
                 void *arg);

/* Correct the tokens/min bucket once the real usage is known (real - estimate). */
void ef_http_endpoint_charge(ef_http_endpoint *ep, double tokens);

void ef_http_endpoint_stats(const ef_http_endpoint *ep, ef_http_stats *st);
/* Requests posted and not yet completed, over all endpoints. */
size_t ef_http_pending(const ef_http *h);

/* Parse a Retry-After value: delta seconds or an HTTP date; seconds from now,
 * or -1 when unusable.  now is time(NULL) (a parameter for tests). */
double ef_http_retry_after(const char *value, long now);
/* The URL with its query string and user info removed, for messages. */
void ef_http_redact_url(const char *url, char *out, size_t size);

#endif
