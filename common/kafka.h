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
#include <stdio.h>

#include <librdkafka/rdkafka.h>

struct event_base;

/* bootstrap.servers = brokers, then each "key=value" of settings (n of them),
 * then librdkafka logging through ef_log.  NULL with errstr naming the bad
 * setting. */
rd_kafka_conf_t *ef_kafka_conf_new(const char *brokers, char *const *settings, size_t n,
                                   char *errstr, size_t errsize);

/* The clients the fleet roles make.  Each has its defaults in one table
 * (kafka.c): group and offset handling for the consumers, idempotence and
 * linger for the producers, and bounded librdkafka queues, so that a role's
 * memory is set by its settings, not by the size of the dataset or the
 * backlog.  Every default yields to the user's -X. */
typedef enum {
    EF_KAFKA_PRODUCER,   /* `produce`: rows out */
    EF_KAFKA_WORKER_IN,  /* worker: rows in */
    EF_KAFKA_WORKER_OUT, /* worker: results out */
    EF_KAFKA_AGGREGATOR, /* `aggregate`: results in */
} ef_kafka_client;

struct ef_fleet_conf;

/* ef_kafka_conf_new(fc's brokers and -X settings) plus the defaults of
 * `client` that -X leaves unset; group.id is fc->group.  The caller owns
 * the result (rd_kafka_new takes it); NULL with errstr on a bad setting. */
rd_kafka_conf_t *ef_kafka_client_conf(ef_kafka_client client, const struct ef_fleet_conf *fc,
                                      char *errstr, size_t errsize);

/* The defaults table as markdown rows: | setting | clients | default | why | */
void ef_kafka_defaults_markdown(FILE *f);

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

/* Whether a group consumer may be closed now.  librdkafka 2.0.2 (Debian 12)
 * aborts in rd_kafka_destroy (an assertion on the sticky assignor's state,
 * its issue 4312, fixed in 2.3.0) when a cooperative-sticky member has
 * joined its group but not yet received its first assignment.  So a member
 * that has a member id and has had no rebalance callback (`synced` 0) should
 * keep serving its queue until the assignment arrives, within its own bound. */
int ef_kafka_close_safe(rd_kafka_t *consumer, int synced);

typedef struct ef_kafka_watch ef_kafka_watch;
ef_kafka_watch *ef_kafka_watch_new(struct event_base *base, rd_kafka_queue_t *q,
                                   void (*cb)(void *arg), void *arg, char *errstr, size_t errsize);
void ef_kafka_watch_destroy(ef_kafka_watch *w); /* NULL is fine */

#endif
