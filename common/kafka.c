/* kafka.c - librdkafka glue for the fleet roles (see kafka.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "ef_error.h"
#include "ef_log.h"
#include "fleet.h"
#include "kafka.h"

static void log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf) {
    if (level <= 3)
        ef_log_error("kafka %s: %s: %s", rd_kafka_name(rk), fac, buf);
    else if (level <= 5)
        ef_log_warn("kafka %s: %s: %s", rd_kafka_name(rk), fac, buf);
    else
        ef_log_debug(EF_DBG_KAFKA, "%s: %s: %s", rd_kafka_name(rk), fac, buf);
}

static int conf_set(rd_kafka_conf_t *conf, const char *k, const char *v, char *errstr,
                    size_t errsize) {
    char err[512];
    if (rd_kafka_conf_set(conf, k, v, err, sizeof(err)) != RD_KAFKA_CONF_OK) {
        ef_seterr(errstr, errsize, "-X %s: %s", k, err);
        return -1;
    }
    return 0;
}

rd_kafka_conf_t *ef_kafka_conf_new(const char *brokers, char *const *settings, size_t n,
                                   char *errstr, size_t errsize) {
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (!conf) {
        ef_seterr(errstr, errsize, "out of memory");
        return NULL;
    }
    if (brokers && conf_set(conf, "bootstrap.servers", brokers, errstr, errsize))
        goto fail;
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(settings[i], '=');
        char key[256];
        if (!eq || eq == settings[i] || (size_t)(eq - settings[i]) >= sizeof(key)) {
            ef_seterr(errstr, errsize, "-X %s: expected key=value", settings[i]);
            goto fail;
        }
        snprintf(key, sizeof(key), "%.*s", (int)(eq - settings[i]), settings[i]);
        if (conf_set(conf, key, eq + 1, errstr, errsize))
            goto fail;
    }
    rd_kafka_conf_set_log_cb(conf, log_cb);
    return conf;
fail:
    rd_kafka_conf_destroy(conf);
    return NULL;
}

static int user_set(char *const *settings, size_t n, const char *key) {
    size_t kl = strlen(key);
    for (size_t i = 0; i < n; i++)
        if (!strncmp(settings[i], key, kl) && settings[i][kl] == '=')
            return 1;
    return 0;
}

#define P  (1u << EF_KAFKA_PRODUCER)
#define WI (1u << EF_KAFKA_WORKER_IN)
#define WO (1u << EF_KAFKA_WORKER_OUT)
#define A  (1u << EF_KAFKA_AGGREGATOR)

/* Every default a role sets, once.  value NULL: the consumer group. */
static const struct {
    unsigned clients;
    const char *key, *value, *why;
} defaults[] = {
    {WI | A, "group.id", NULL, NULL},
    {WI | A, "partition.assignment.strategy", "cooperative-sticky",
     "a joining or leaving member moves only the partitions it must"},
    {WI | A, "enable.auto.offset.store", "false",
     "an offset is stored only once every row before it is done (exact after a crash)"},
    {WI | A, "enable.auto.commit", "true", "stored offsets are committed in the background"},
    {WI | A, "auto.commit.interval.ms", "1000", "at most a second of work redone after a crash"},
    {WI | A, "auto.offset.reset", "earliest", "a new group reads from the start"},
    {WI, "queued.max.messages.kbytes", "8192",
     "prefetched rows per worker; librdkafka's 64 MB would outweigh the rows in flight"},
    {WI, "fetch.max.bytes", "1048576", "one fetch at most 1 MB (raised to message.max.bytes)"},
    {A, "queued.max.messages.kbytes", "24576",
     "prefetched results; bounds the aggregator's memory whatever the backlog"},
    {A, "fetch.max.bytes", "4194304", "one fetch at most 4 MB (raised to message.max.bytes)"},
    {P | WO, "enable.idempotence", "true", "no duplicates or reordering from retries"},
    {P, "linger.ms", "20", "batches of rows"},
    {WO, "linger.ms", "5", "results leave soon after their row is done"},
    {P | WO, "queue.buffering.max.messages", "10000",
     "the producer waits on the broker, not on memory (librdkafka's default is 100000)"},
    {P | WO, "queue.buffering.max.kbytes", "16384",
     "at most 16 MB unsent (raised to message.max.bytes); librdkafka's is 1 GB"},
    {P, "client.id", "evalfleet-producer", NULL},
    {WI | WO, "client.id", "evalfleet-worker", NULL},
    {A, "client.id", "evalfleet-aggregator", NULL},
};

/* A byte-size default is raised to message.max.bytes, so that one largest
 * message always fits (else a producer would wait for room forever). */
static void raise_to_message_max(rd_kafka_conf_t *conf, const char *key, const char *value,
                                 char *buf, size_t size) {
    char mm[32];
    size_t mml = sizeof(mm);
    long long unit = strstr(key, "kbytes") ? 1024 : 1;
    if (rd_kafka_conf_get(conf, "message.max.bytes", mm, &mml) != RD_KAFKA_CONF_OK)
        return;
    long long need = (atoll(mm) + unit - 1) / unit;
    if (need > atoll(value))
        snprintf(buf, size, "%lld", need);
}

rd_kafka_conf_t *ef_kafka_client_conf(ef_kafka_client client, const ef_fleet_conf *fc, char *errstr,
                                      size_t errsize) {
    rd_kafka_conf_t *conf = ef_kafka_conf_new(fc->brokers, fc->kafka, fc->nkafka, errstr, errsize);
    for (size_t i = 0; conf && i < sizeof(defaults) / sizeof(*defaults); i++) {
        if (!(defaults[i].clients & (1u << client)) ||
            user_set(fc->kafka, fc->nkafka, defaults[i].key))
            continue;
        char v[32];
        const char *value = defaults[i].value ? defaults[i].value : fc->group;
        if (strstr(defaults[i].key, "bytes")) {
            snprintf(v, sizeof(v), "%s", value);
            raise_to_message_max(conf, defaults[i].key, value, v, sizeof(v));
            value = v;
        }
        if (conf_set(conf, defaults[i].key, value, errstr, errsize)) {
            rd_kafka_conf_destroy(conf);
            conf = NULL;
        }
    }
    return conf;
}

void ef_kafka_defaults_markdown(FILE *f) {
    static const char *const names[] = {"produce", "worker (rows in)", "worker (results out)",
                                        "aggregate"};
    for (size_t i = 0; i < sizeof(defaults) / sizeof(*defaults); i++) {
        fprintf(f, "| `%s` | ", defaults[i].key);
        const char *sep = "";
        for (unsigned c = 0; c < sizeof(names) / sizeof(*names); c++)
            if (defaults[i].clients & (1u << c)) {
                fprintf(f, "%s%s", sep, names[c]);
                sep = ", ";
            }
        fprintf(f, " | %s | %s |\n", defaults[i].value ? defaults[i].value : "`--group`",
                defaults[i].why ? defaults[i].why : "");
    }
}

int ef_kafka_close_safe(rd_kafka_t *consumer, int synced) {
    if (synced)
        return 1;
    char *id = rd_kafka_memberid(consumer);
    int joined = id && *id;
    rd_kafka_mem_free(consumer, id);
    return !joined;
}

int ef_kafka_header(const rd_kafka_message_t *m, const char *name, char *buf, size_t size) {
    rd_kafka_headers_t *h = NULL;
    const void *v;
    size_t len;
    if (rd_kafka_message_headers(m, &h) || rd_kafka_header_get_last(h, name, &v, &len) ||
        len >= size)
        return -1;
    memcpy(buf, v, len);
    buf[len] = '\0';
    return 0;
}

int ef_parse_u64(const char *s, uint64_t *v) {
    if (!s || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long long n = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *v = n;
    return 0;
}

struct ef_kafka_watch {
    rd_kafka_queue_t *q;
    int fds[2];
    struct event *ev_pipe, *ev_tick;
    void (*cb)(void *arg);
    void *arg;
};

static void on_pipe(evutil_socket_t fd, short what, void *arg) {
    ef_kafka_watch *w = arg;
    char buf[256];
    if (what & EV_READ)
        while (read(fd, buf, sizeof(buf)) > 0) {
        }
    w->cb(w->arg);
}

ef_kafka_watch *ef_kafka_watch_new(struct event_base *base, rd_kafka_queue_t *q,
                                   void (*cb)(void *arg), void *arg, char *errstr, size_t errsize) {
    ef_kafka_watch *w = calloc(1, sizeof(*w));
    if (!w) {
        ef_seterr(errstr, errsize, "out of memory");
        return NULL;
    }
    w->fds[0] = w->fds[1] = -1;
    w->q = q;
    w->cb = cb;
    w->arg = arg;
    if (pipe(w->fds) || fcntl(w->fds[0], F_SETFL, O_NONBLOCK) ||
        fcntl(w->fds[1], F_SETFL, O_NONBLOCK) || fcntl(w->fds[0], F_SETFD, FD_CLOEXEC) ||
        fcntl(w->fds[1], F_SETFD, FD_CLOEXEC)) {
        ef_seterr(errstr, errsize, "pipe: %s", strerror(errno));
        goto fail;
    }
    struct timeval tick = {0, 200000};
    w->ev_pipe = event_new(base, w->fds[0], EV_READ | EV_PERSIST, on_pipe, w);
    w->ev_tick = event_new(base, -1, EV_PERSIST, on_pipe, w);
    if (!w->ev_pipe || !w->ev_tick || event_add(w->ev_pipe, NULL) || event_add(w->ev_tick, &tick)) {
        ef_seterr(errstr, errsize, "out of memory");
        goto fail;
    }
    rd_kafka_queue_io_event_enable(q, w->fds[1], "1", 1);
    return w;
fail:
    ef_kafka_watch_destroy(w);
    return NULL;
}

void ef_kafka_watch_destroy(ef_kafka_watch *w) {
    if (!w)
        return;
    if (w->fds[1] >= 0)
        rd_kafka_queue_io_event_enable(w->q, -1, NULL, 0);
    if (w->ev_pipe)
        event_free(w->ev_pipe);
    if (w->ev_tick)
        event_free(w->ev_tick);
    for (int i = 0; i < 2; i++)
        if (w->fds[i] >= 0)
            close(w->fds[i]);
    free(w);
}

void ef_kafka_rebalance_apply(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                              rd_kafka_topic_partition_list_t *parts) {
    int coop = !strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE");
    int assign = err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS;
    rd_kafka_error_t *e = NULL;
    rd_kafka_resp_err_t re = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (coop)
        e = assign ? rd_kafka_incremental_assign(rk, parts)
                   : rd_kafka_incremental_unassign(rk, parts);
    else
        re = rd_kafka_assign(rk, assign ? parts : NULL);
    if (e || re)
        ef_log_warn("kafka %s: %s: %s", rd_kafka_name(rk), assign ? "assign" : "unassign",
                    e ? rd_kafka_error_string(e) : rd_kafka_err2str(re));
    if (e)
        rd_kafka_error_destroy(e);
}
