/*
 * sbuf.h - a growable byte buffer used as reusable scratch space by the
 * tokenizer passes.  Internal to ef_tokenize.
 *
 * The buffer owns its heap block; ef_sbuf_free() releases it.  Passes first
 * reserve the worst-case room for their output and then append with the
 * unchecked helpers, so the inner loops carry no capacity checks.
 */
#ifndef EF_SBUF_H
#define EF_SBUF_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef struct ef_sbuf {
    char *p;
    size_t len, cap;
} ef_sbuf;

/* Make room for `extra` more bytes after len.  0, or -1 on overflow / OOM. */
static inline int ef_sbuf_reserve(ef_sbuf *b, size_t extra) {
    if (extra <= b->cap - b->len)
        return 0;
    if (extra > ((size_t)-1) / 2 - b->len)
        return -1;
    size_t need = b->len + extra, cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p)
        return -1;
    b->p = p;
    b->cap = cap;
    return 0;
}

static inline void ef_sbuf_free(ef_sbuf *b) {
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* Unchecked appends: the caller reserved the room. */
static inline void ef_sbuf_put(ef_sbuf *b, char c) { b->p[b->len++] = c; }
static inline void ef_sbuf_putn(ef_sbuf *b, const char *s, size_t n) {
    if (n) {
        memcpy(b->p + b->len, s, n);
        b->len += n;
    }
}

#endif
