/*
 * kafka.h - librdkafka glue shared by the fleet roles: client configuration
 * from `-b BROKERS` and kcat-style `-X key=value` settings, message headers,
 * and a watcher that lets one libevent loop serve an rd_kafka queue.
 *
 * The watcher uses librdkafka's queue IO event: the queue writes a byte to a
 * pipe when it turns non-empty, the loop wakes on the pipe and calls back,
 * and the callback drains the queue with zero-timeout polls.  A slow timer
 * calls back too, so a missed wake-up delays work instead of stalling it.
 * The watcher owns the pipe, not the queue.
 */
#ifndef EF_KAFKA_H
#define EF_KAFKA_H

#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

struct event_base;

/* bootstrap.servers = brokers, then each "key=value" of settings (n of them),
 * then librdkafka logging through ef_log.  NULL with errstr naming the bad
 * setting. */
rd_kafka_conf_t *ef_kafka_conf_new(const char *brokers, char *const *settings, size_t n,
                                   char *errstr, size_t errsize);

/* Set one key, only if the user's settings did not (the roles' defaults). */
int ef_kafka_conf_default(rd_kafka_conf_t *conf, char *const *settings, size_t n, const char *key,
                          const char *value, char *errstr, size_t errsize);

/* The value of header `name` as a NUL-terminated copy in buf; -1 if absent
 * or longer than size - 1. */
int ef_kafka_header(const rd_kafka_message_t *m, const char *name, char *buf, size_t size);

/* Parse "RUN/INDEX" keys and ef-index headers. */
int ef_parse_u64(const char *s, uint64_t *v);

/* The assignment half of a rebalance callback, for both protocols
 * (cooperative: incremental; eager: whole).  Roles install a callback so
 * that a consumer leaves its group on close (librdkafka 2.0.2 under
 * cooperative-sticky does not without one). */
void ef_kafka_rebalance_apply(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                              rd_kafka_topic_partition_list_t *parts);

typedef struct ef_kafka_watch ef_kafka_watch;
ef_kafka_watch *ef_kafka_watch_new(struct event_base *base, rd_kafka_queue_t *q,
                                   void (*cb)(void *arg), void *arg, char *errstr, size_t errsize);
void ef_kafka_watch_destroy(ef_kafka_watch *w); /* NULL is fine */

#endif
