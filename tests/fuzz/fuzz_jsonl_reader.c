/*
 * fuzz_jsonl_reader.c - the streaming JSONL reader over arbitrary bytes with
 * a small line cap (so the grow, skip and over-long paths are all hit).
 * Invariants: every returned line is within the cap, has no newline, line
 * numbers strictly increase, and the reader ends.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "jsonl_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    int fd = memfd_create("fuzz_jsonl", 0);
    if (fd < 0)
        return 0;
    if (size && write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    char path[64], err[256];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    size_t cap = size ? (size_t)data[0] % 97 + 1 : 8;
    ef_jsonl_reader *r = ef_jsonl_reader_new(path, cap, err, sizeof(err));
    if (!r) {
        close(fd);
        return 0;
    }
    ef_jsonl_line l;
    uint64_t last = 0, n = 0;
    while (ef_jsonl_reader_next(r, &l) == 1) {
        if (l.lineno <= last || l.len > cap || memchr(l.data, '\n', l.len))
            abort();
        last = l.lineno;
        if (++n > size + 1)
            abort(); /* more lines than bytes: the reader looped */
    }
    ef_jsonl_reader_destroy(r);
    close(fd);
    return 0;
}
