/*
 * f1.h - token-overlap F1 of azure-ai-evaluation's F1ScoreEvaluator.
 *
 * Both texts are normalised as the reference does in Python 3.11 (Unicode 14.0):
 * str.lower() (full case mapping incl. U+0130 -> "i\u0307" and the Final_Sigma rule),
 * removal of every character of string.punctuation (ASCII only), re.sub(r"\b(a|an|the)\b",
 * " ", ...) with Python's Unicode \w (str.isalnum() or "_"), then str.split() on Python's
 * Unicode whitespace.  With pred / ref the token lists and n = |Counter(pred) &
 * Counter(ref)|: f1 = 0.0 if n == 0, else p = 1.0*n/len(pred), r = 1.0*n/len(ref),
 * f1 = (2.0*p*r)/(p+r), in that floating-point order.
 *
 * Memory: inputs are borrowed for the call only (UTF-8, validated by the caller; invalid
 * bytes are read safely as U+FFFD).  All working memory lives in the caller's
 * ef_ngram_scratch (see ngram_count.h); nothing is allocated per token.
 */
#ifndef EF_F1_H
#define EF_F1_H

#include <stddef.h>
#include <stdint.h>

#include "ngram_count.h"

/* F1 of response against truth. Returns 0, or -1 on out of memory / more than
 * EF_NGRAM_MAX_TOKENS tokens (then *f1 = 0.0). */
int ef_f1_score(ef_ngram_scratch *s, const char *response, size_t rlen, const char *truth,
                size_t tlen, double *f1);

/* ------------------------------------------------ internals, exposed for the tests */

/* Normalise text; on success token i is the UTF-8 string buf[spans[2i] .. spans[2i+1]).
 * side (0 or 1) picks which scratch buffers are used, so two texts can be normalised at
 * once.  The arrays belong to the scratch and stay valid until the next call with the
 * same side (or ef_rouge_tokenize() with the same side). Returns 0 or -1. */
int ef_f1_normalize(ef_ngram_scratch *s, int side, const char *text, size_t len,
                    const unsigned char **buf, const size_t **spans, size_t *ntok);

/* Python 3.11 character predicates (Unicode 14.0; utf8proc 2.8 knows Unicode 15.0, the
 * characters added in 15.0 are treated as unassigned). */
int ef_py_isspace(uint32_t cp); /* str.isspace() */
int ef_py_isword(uint32_t cp);  /* re's Unicode \w: str.isalnum() or "_" */
/* str.lower() of one character without the Final_Sigma context: writes 1 or 2 code
 * points to out and returns how many. */
int ef_py_lower(uint32_t cp, uint32_t out[2]);
/* Final_Sigma classes as CPython applies them: 2 = Case_Ignorable, 1 = Cased (and not
 * Case_Ignorable), 0 = neither. */
int ef_py_sigma_class(uint32_t cp);

#endif
