/* tokens.c - see tokens.h. */
#include "tokens.h"

#include <stdlib.h>
#include <string.h>

void ef_tokens_init(ef_tokens *t) { memset(t, 0, sizeof(*t)); }

void ef_tokens_reset(ef_tokens *t) {
    t->used = 0;
    t->n = 0;
}

void ef_tokens_free(ef_tokens *t) {
    if (!t)
        return;
    free(t->arena);
    free(t->off);
    free(t->len);
    memset(t, 0, sizeof(*t));
}

int ef_tokens_push(ef_tokens *t, const char *s, size_t len) {
    if (t->n >= EF_TOKENS_MAX)
        return -1;
    if (t->n == t->ncap) {
        size_t ncap = t->ncap ? t->ncap * 2 : 64;
        size_t *off = realloc(t->off, ncap * sizeof(*off));
        if (!off)
            return -1;
        t->off = off;
        size_t *ln = realloc(t->len, ncap * sizeof(*ln));
        if (!ln)
            return -1;
        t->len = ln;
        t->ncap = ncap;
    }
    if (len + 1 > t->cap - t->used) {
        size_t cap = t->cap ? t->cap : 512;
        while (len + 1 > cap - t->used) {
            if (cap > ((size_t)-1) / 2)
                return -1;
            cap *= 2;
        }
        char *a = realloc(t->arena, cap);
        if (!a)
            return -1;
        t->arena = a;
        t->cap = cap;
    }
    if (len)
        memcpy(t->arena + t->used, s, len);
    t->arena[t->used + len] = '\0';
    t->off[t->n] = t->used;
    t->len[t->n] = len;
    t->used += len + 1;
    t->n++;
    return 0;
}
