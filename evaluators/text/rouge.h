/*
 * rouge.h - ROUGE-N (N = 1..5) and ROUGE-L as computed by rouge-score 0.1.2
 * RougeScorer([type], use_stemmer=False).score(target=truth, prediction=response).
 *
 * Tokenizer (rouge_score.tokenize without stemmer): Python str.lower(), every run of
 * characters outside [a-z0-9] becomes a separator, empty tokens dropped.  Only ASCII
 * letters and digits survive; the two non-ASCII characters whose Python lower() yields
 * ASCII letters are honoured: U+0130 -> "i" (followed by U+0307, a separator) and
 * KELVIN SIGN U+212A -> "k".  (The stemmer is off, so its "len > 3" rule never applies.)
 *
 * Scores: ROUGE-N: overlap = sum over distinct n-grams of min(count_target,
 * count_prediction); precision = overlap / max(#prediction n-grams, 1), recall =
 * overlap / max(#target n-grams, 1).  ROUGE-L: all zero if either side has no token,
 * else LCS length / #prediction tokens and / #target tokens.  F-measure =
 * 2*p*r/(p+r) if p+r > 0 else 0.0.
 *
 * Limit: ROUGE-L returns -1 when #target tokens * #prediction tokens exceeds
 * EF_NGRAM_LCS_MAX_CELLS (2^32, e.g. 65536 x 65536 tokens); the Python reference would
 * need hours and ~100 GB for such a table.
 *
 * Memory: inputs are borrowed for the call only (UTF-8; any bytes are read safely).
 * All working memory lives in the caller's ef_ngram_scratch (ngram_count.h).
 */
#ifndef EF_ROUGE_H
#define EF_ROUGE_H

#include <stddef.h>

#include "ngram_count.h"

typedef enum {
    EF_ROUGE_1 = 1,
    EF_ROUGE_2,
    EF_ROUGE_3,
    EF_ROUGE_4,
    EF_ROUGE_5,
    EF_ROUGE_L
} ef_rouge_type;

/* "rouge1".."rouge5", "rougeL" -> *out and 0; -1 (and *out untouched) if unknown. */
int ef_rouge_type_parse(const char *name, ef_rouge_type *out);
/* The name of a type ("rouge1".."rougeL"), or NULL if t is not a valid type. */
const char *ef_rouge_type_name(ef_rouge_type t);

/* Scores of response against truth. Returns 0, or -1 on out of memory, unknown type,
 * more than EF_NGRAM_MAX_TOKENS tokens or the ROUGE-L cell cap (outputs then 0.0). */
int ef_rouge(ef_ngram_scratch *s, ef_rouge_type t, const char *truth, size_t tlen,
             const char *response, size_t rlen, double *precision, double *recall, double *f1);

/* ------------------------------------------------ internals, exposed for the tests */

/* Tokenize like rouge_score; token i is (*buf)[spans[2i] .. spans[2i+1]) (lowercase
 * ASCII). side 0/1 selects the scratch buffers (shared with ef_f1_normalize()); valid
 * until the next call with the same side. Returns 0 or -1. */
int ef_rouge_tokenize(ef_ngram_scratch *s, int side, const char *text, size_t len,
                      const unsigned char **buf, const size_t **spans, size_t *ntok);

#endif
