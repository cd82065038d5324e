/*
 * progress.h - a one-line progress bar on stderr (rows, rows/s, ETA from
 * bytes read), redrawn at most 10 times a second.  Owns nothing external.
 */
#ifndef EF_PROGRESS_H
#define EF_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct ef_progress {
    bool enabled;
    double start, last_draw;
    uint64_t total_bytes;
} ef_progress;

void ef_progress_start(ef_progress *p, bool enabled, uint64_t total_bytes);
void ef_progress_update(ef_progress *p, uint64_t rows, uint64_t failed, uint64_t bytes_done);
void ef_progress_finish(ef_progress *p, uint64_t rows, uint64_t failed);
double ef_now(void);

#endif
