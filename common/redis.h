/*
 * redis.h - Redis clients for the fleet (hiredis).
 *
 * ef_redis: a blocking client for the producer, the aggregator and the
 * status/results commands.  Every command is retried across reconnects
 * (backoff 50 ms doubling to 2 s) for up to `patience` seconds, so a Redis
 * restart stalls a role instead of failing it.  Only commands that are safe
 * to repeat go through it (SET, HSET, scripts that check a version): a reply
 * lost in a disconnect can then be retried without double effect.
 *
 * ef_redis_async: the worker's client on its libevent loop (hiredis' libevent
 * adapter).  It reconnects by itself; a command issued while disconnected, or
 * not answered within its deadline, completes with reply == NULL, so callers
 * fall back (cache miss, local rate limits) instead of waiting.
 *
 * URLs: redis://[:PASSWORD@]HOST:PORT[/DB].  The password is never logged.
 * Both clients own their hiredis contexts; replies passed to callbacks are
 * valid during the callback only; ef_redis_cmd's reply belongs to the caller
 * (freeReplyObject).
 */
#ifndef EF_REDIS_H
#define EF_REDIS_H

#include <stddef.h>

#include <hiredis/hiredis.h>

struct event_base;

typedef struct ef_redis ef_redis;

ef_redis *ef_redis_new(const char *url, double patience_s, char *errstr, size_t errsize);
void ef_redis_destroy(ef_redis *r); /* NULL is fine */
/* A reply (never a REDIS_REPLY_ERROR: that is returned as NULL with the
 * message in ef_redis_error()), or NULL. */
redisReply *ef_redis_cmd(ef_redis *r, const char *fmt, ...);
redisReply *ef_redis_cmdargv(ef_redis *r, int argc, const char **argv, const size_t *lens);
const char *ef_redis_error(const ef_redis *r);

typedef struct ef_redis_async ef_redis_async;
typedef void (*ef_redis_cb)(redisReply *reply, void *arg);

ef_redis_async *ef_redis_async_new(struct event_base *base, const char *url, char *errstr,
                                   size_t errsize);
/* Pending callbacks run with NULL before this returns. */
void ef_redis_async_destroy(ef_redis_async *a);
/* cb runs exactly once, later, with the reply or NULL (disconnected, error
 * reply, or no answer within timeout_ms).  0, or -1 on out of memory. */
int ef_redis_async_cmdargv(ef_redis_async *a, unsigned timeout_ms, ef_redis_cb cb, void *arg,
                           int argc, const char **argv, const size_t *lens);
int ef_redis_async_connected(const ef_redis_async *a);

/* Parse a URL; host must hold 256 bytes, pass 256. */
int ef_redis_url_parse(const char *url, char *host, int *port, int *db, char *pass, char *errstr,
                       size_t errsize);

#endif
