/*
 * tokens.h - a growable array of UTF-8 tokens, the currency of the text metrics.
 *
 * Tokens are copied into one byte arena owned by the ef_tokens; each token is
 * NUL-terminated and also has an explicit length.  ef_tokens_reset() keeps
 * the memory for reuse (one ef_tokens per thread per row loop); ef_tokens_free()
 * releases it.  An ef_tokens is plain data: no locking, one owner.
 */
#ifndef EF_TOKENS_H
#define EF_TOKENS_H

#include <stddef.h>

typedef struct ef_tokens {
    char *arena;      /* token bytes, each followed by a NUL */
    size_t used, cap; /* bytes used / allocated in arena */
    size_t *off;      /* off[i]: start of token i in arena */
    size_t *len;      /* len[i]: byte length of token i (NUL excluded) */
    size_t n, ncap;   /* token count / slots allocated */
} ef_tokens;

#define EF_TOKENS_INIT                                                                             \
    { 0 }

/* Hard cap on tokens per text, so a hostile row cannot exhaust memory. */
#define EF_TOKENS_MAX ((size_t)4 * 1024 * 1024)

void ef_tokens_init(ef_tokens *t);
/* Forget the tokens, keep the memory. */
void ef_tokens_reset(ef_tokens *t);
/* Free the memory; the struct may be reused after ef_tokens_init(). NULL is fine. */
void ef_tokens_free(ef_tokens *t);
/* Append a copy of s[0..len). Returns 0, or -1 on out of memory / EF_TOKENS_MAX. */
int ef_tokens_push(ef_tokens *t, const char *s, size_t len);

static inline const char *ef_tokens_at(const ef_tokens *t, size_t i) {
    return t->arena + t->off[i];
}
static inline size_t ef_tokens_len(const ef_tokens *t, size_t i) { return t->len[i]; }

#endif
