/*
 * offsets.h - in-order completion tracking for one partition.
 *
 * Rows of a partition finish out of order; an offset may be committed only
 * when every message before it is done.  ef_offsets records offsets in the
 * order they were consumed (increasing) and tells, as rows finish, the next
 * offset that is safe to store: one past the longest finished prefix.
 * Owns its ring; grows by doubling.
 */
#ifndef EF_OFFSETS_H
#define EF_OFFSETS_H

#include <stddef.h>
#include <stdint.h>

typedef struct ef_offsets {
    int64_t *off;
    unsigned char *done;
    size_t cap;
    uint64_t head, tail; /* sequence numbers: [head, tail) are pending */
} ef_offsets;

void ef_offsets_init(ef_offsets *t);
void ef_offsets_free(ef_offsets *t);
/* Record a consumed offset; *seq receives its handle.  0 or -1 (memory). */
int ef_offsets_add(ef_offsets *t, int64_t offset, uint64_t *seq);
/* Mark seq done.  Returns the offset to store (last of the finished
 * prefix + 1) when the prefix advanced, else -1. */
int64_t ef_offsets_done(ef_offsets *t, uint64_t seq);
size_t ef_offsets_pending(const ef_offsets *t);

#endif
