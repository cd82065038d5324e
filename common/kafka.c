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

int ef_kafka_conf_default(rd_kafka_conf_t *conf, char *const *settings, size_t n, const char *key,
                          const char *value, char *errstr, size_t errsize) {
    size_t kl = strlen(key);
    for (size_t i = 0; i < n; i++)
        if (!strncmp(settings[i], key, kl) && settings[i][kl] == '=')
            return 0;
    return conf_set(conf, key, value, errstr, errsize);
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
