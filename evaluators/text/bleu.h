/*
 * bleu.h - sentence BLEU with Chen & Cherry smoothing method 4, as computed by
 * nltk 3.10.4 nltk.translate.bleu_score.sentence_bleu([ref], hyp,
 * smoothing_function=SmoothingFunction().method4) with the default weights (0.25,)*4.
 *
 * Rules reproduced (same floating-point operations, same order): clipped n-gram
 * precisions p_n = matches_n / max(1, len(hyp) - n + 1) for n = 1..4; score 0.0 when
 * there is no unigram match (this also covers an empty hypothesis or reference);
 * every order with 0 matches gets, while len(hyp) > 1, the smoothed value
 * (1 / (2^k * 5 / ln(len(hyp)))) / denominator_n with k = 1, 2, ... counting only the
 * smoothed orders; orders still at 0 (len(hyp) == 1) are left out of the sum; brevity
 * penalty 1 if len(hyp) > len(ref) else exp(1 - len(ref) / len(hyp)); score =
 * bp * exp(fsum(0.25 * ln(p_n))), fsum being correctly rounded like Python's math.fsum.
 *
 * Memory: the token arrays are borrowed for the call; all working memory lives in the
 * caller's ef_ngram_scratch (ngram_count.h).
 */
#ifndef EF_BLEU_H
#define EF_BLEU_H

#include <stddef.h>

#include "ngram_count.h"
#include "tokens.h"

/* BLEU of hyp against the single reference ref. Returns 0, or -1 on out of memory /
 * more than EF_NGRAM_MAX_TOKENS tokens (then *bleu = 0.0). */
int ef_bleu_sentence(ef_ngram_scratch *s, const ef_tokens *ref, const ef_tokens *hyp, double *bleu);

/* Correctly rounded sum of the finite values x[0..n), n <= 8, like Python's math.fsum
 * (exposed for the tests). */
double ef_fsum(const double *x, size_t n);

#endif
