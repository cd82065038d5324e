/*
 * gleu.h - sentence GLEU as computed by nltk 3.10.4
 * nltk.translate.gleu_score.sentence_gleu([ref], hyp) (min_len=1, max_len=4).
 *
 * With every n-gram of orders 1..4 counted on both sides: tp = sum over distinct
 * n-grams of min(count_hyp, count_ref), n_all = max(#hyp n-grams, #ref n-grams);
 * score = tp / n_all, or 0.0 when n_all == 0 (both texts empty).
 *
 * Memory: the token arrays are borrowed for the call; all working memory lives in the
 * caller's ef_ngram_scratch (ngram_count.h).
 */
#ifndef EF_GLEU_H
#define EF_GLEU_H

#include "ngram_count.h"
#include "tokens.h"

/* GLEU of hyp against the single reference ref. Returns 0, or -1 on out of memory /
 * more than EF_NGRAM_MAX_TOKENS tokens (then *gleu = 0.0). */
int ef_gleu_sentence(ef_ngram_scratch *s, const ef_tokens *ref, const ef_tokens *hyp, double *gleu);

#endif
