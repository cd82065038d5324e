/* offsets.c - in-order completion tracking for one partition (see offsets.h). */
#include <stdlib.h>
#include <string.h>

#include "offsets.h"

void ef_offsets_init(ef_offsets *t) { memset(t, 0, sizeof(*t)); }

void ef_offsets_free(ef_offsets *t) {
    free(t->off);
    free(t->done);
    memset(t, 0, sizeof(*t));
}

static int grow(ef_offsets *t) {
    size_t cap = t->cap ? t->cap * 2 : 64;
    int64_t *off = malloc(cap * sizeof(*off));
    unsigned char *done = malloc(cap);
    if (!off || !done) {
        free(off);
        free(done);
        return -1;
    }
    for (uint64_t s = t->head; s < t->tail; s++) {
        off[s % cap] = t->off[s % t->cap];
        done[s % cap] = t->done[s % t->cap];
    }
    free(t->off);
    free(t->done);
    t->off = off;
    t->done = done;
    t->cap = cap;
    return 0;
}

int ef_offsets_add(ef_offsets *t, int64_t offset, uint64_t *seq) {
    if (t->tail - t->head == t->cap && grow(t))
        return -1;
    t->off[t->tail % t->cap] = offset;
    t->done[t->tail % t->cap] = 0;
    *seq = t->tail++;
    return 0;
}

int64_t ef_offsets_done(ef_offsets *t, uint64_t seq) {
    if (seq < t->head || seq >= t->tail)
        return -1;
    t->done[seq % t->cap] = 1;
    int64_t next = -1;
    while (t->head < t->tail && t->done[t->head % t->cap]) {
        next = t->off[t->head % t->cap] + 1;
        t->head++;
    }
    return next;
}

size_t ef_offsets_pending(const ef_offsets *t) { return (size_t)(t->tail - t->head); }
