/* progress.c - see progress.h. */
#include <stdio.h>
#include <time.h>

#include "progress.h"

double ef_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void ef_progress_start(ef_progress *p, bool enabled, uint64_t total_bytes) {
    p->enabled = enabled;
    p->start = p->last_draw = ef_now();
    p->total_bytes = total_bytes;
}

static void draw(ef_progress *p, uint64_t rows, uint64_t failed, uint64_t done, double now) {
    double el = now - p->start;
    double rate = el > 0 ? (double)rows / el : 0;
    char bar[33] = "";
    char eta[32] = "";
    if (p->total_bytes) {
        double frac = (double)done / (double)p->total_bytes;
        if (frac > 1)
            frac = 1;
        int fill = (int)(frac * 30);
        for (int i = 0; i < 30; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[30] = '\0';
        if (frac > 0 && frac < 1)
            snprintf(eta, sizeof(eta), " ETA %.0fs", el / frac - el);
        fprintf(stderr, "\r[%s] %3.0f%% ", bar, frac * 100);
    } else {
        fputs("\r", stderr);
    }
    fprintf(stderr, "%llu rows (%llu failed) %.0f rows/s%s   ", (unsigned long long)rows,
            (unsigned long long)failed, rate, eta);
    fflush(stderr);
}

void ef_progress_update(ef_progress *p, uint64_t rows, uint64_t failed, uint64_t done) {
    if (!p->enabled || (rows & 255))
        return;
    double now = ef_now();
    if (now - p->last_draw < 0.1)
        return;
    p->last_draw = now;
    draw(p, rows, failed, done, now);
}

void ef_progress_finish(ef_progress *p, uint64_t rows, uint64_t failed) {
    if (!p->enabled)
        return;
    draw(p, rows, failed, p->total_bytes, ef_now());
    fputc('\n', stderr);
}
