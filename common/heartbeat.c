/* heartbeat.c - a file whose modification time says "alive" (see heartbeat.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "ef_error.h"
#include "ef_log.h"
#include "heartbeat.h"

struct ef_heartbeat {
    char *path;
    struct event *timer;
    time_t last;
};

static int touch(ef_heartbeat *hb) {
    int fd = open(hb->path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0 || futimens(fd, NULL)) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        errno = e;
        return -1;
    }
    close(fd);
    hb->last = time(NULL);
    return 0;
}

void ef_heartbeat_beat(ef_heartbeat *hb) {
    if (!hb || time(NULL) == hb->last)
        return;
    if (touch(hb))
        ef_log_warn("heartbeat %s: %s", hb->path, strerror(errno));
}

static void on_timer(evutil_socket_t fd, short what, void *arg) { ef_heartbeat_beat(arg); }

ef_heartbeat *ef_heartbeat_new(struct event_base *base, const char *path, char *errstr,
                               size_t errsize) {
    ef_heartbeat *hb = calloc(1, sizeof(*hb));
    if (!hb || !(hb->path = strdup(path))) {
        free(hb);
        ef_seterr(errstr, errsize, "out of memory");
        return NULL;
    }
    if (touch(hb)) {
        ef_seterr(errstr, errsize, "heartbeat %s: %s", path, strerror(errno));
        ef_heartbeat_destroy(hb);
        return NULL;
    }
    struct timeval tv = {5, 0};
    if (base && (!(hb->timer = event_new(base, -1, EV_PERSIST, on_timer, hb)) ||
                 event_add(hb->timer, &tv))) {
        ef_seterr(errstr, errsize, "out of memory");
        ef_heartbeat_destroy(hb);
        return NULL;
    }
    return hb;
}

void ef_heartbeat_destroy(ef_heartbeat *hb) {
    if (!hb)
        return;
    if (hb->timer)
        event_free(hb->timer);
    if (hb->last)
        unlink(hb->path);
    free(hb->path);
    free(hb);
}
