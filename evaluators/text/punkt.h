/*
 * punkt.h - Punkt sentence splitting with the English parameters, as done by
 * nltk.sent_tokenize() (PunktTokenizer("english").tokenize()) in NLTK 3.10.4:
 * candidate boundaries from the period-context rule, a first and second
 * annotation pass over the words around each candidate, and realignment of
 * closing quotes/brackets onto the sentence they end.
 *
 * An ef_punkt holds a borrowed model (which must outlive it) and scratch
 * buffers, so one ef_punkt serves one thread.  The spans returned by
 * ef_punkt_split() point into ef_punkt-owned memory that stays valid until
 * the next call or ef_punkt_free().
 */
#ifndef EF_PUNKT_H
#define EF_PUNKT_H

#include <stddef.h>

#include "punkt_model.h"

typedef struct ef_span {
    size_t start, end; /* byte offsets, start < end */
} ef_span;

typedef struct ef_punkt ef_punkt;

ef_punkt *ef_punkt_new(const ef_punkt_model *model); /* NULL on OOM */
void ef_punkt_free(ef_punkt *p);                     /* NULL is fine */

/* Split text[0..n) into sentences.  Empty sentences are left out.
 * Returns 0, or -1 on out of memory. */
int ef_punkt_split(ef_punkt *p, const char *text, size_t n, const ef_span **spans, size_t *nspans);

#endif
