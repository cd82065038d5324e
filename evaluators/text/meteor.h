/*
 * meteor.h - METEOR exactly as NLTK 3.10.4 computes it:
 *
 *     nltk.translate.meteor_score.meteor_score([reference], hypothesis,
 *                                              alpha=, beta=, gamma=)
 *
 * with preprocess=str.lower (Python semantics), PorterStemmer() and WordNet
 * 3.0.  Words are aligned in three stages, each on what the previous one
 * left unmatched: exact matches of the lowercased words, then exact matches
 * of their Porter stems, then WordNet synonyms of the stems; each stage walks
 * the hypothesis from its last word to its first and takes the rightmost
 * still-unmatched reference position (NLTK's "pop from the position list").
 * Then P = m/len(hyp), R = m/len(ref), fmean = P*R / (alpha*P + (1-alpha)*R),
 * penalty = gamma * (chunks/m)**beta and score = (1 - penalty) * fmean, in
 * NLTK's floating-point operation order; 0.0 where NLTK's ZeroDivisionError
 * gives 0 (no match, an empty side, a zero denominator).
 *
 * Memory and threads: WordNet (wordnet_syn.h) is loaded once per process and
 * is read-only afterwards.  An ef_meteor_scratch is per-thread working memory
 * owned by its creator: it keeps its buffers between calls (no allocation per
 * token once warm) and caches the stems and synonym sets of the words it has
 * seen (bounded: the cache is dropped and rebuilt past ~128k words).  The
 * tokens passed in stay owned by the caller and are only read.
 */
#ifndef EF_METEOR_H
#define EF_METEOR_H

#include <stddef.h>

#include "tokens.h"

/* Loads WordNet lazily (thread-safe, once per process); returns 0, or -1 with
 * errstr set (naming the missing file and the Debian package wordnet-base)
 * if WordNet cannot be loaded. */
int ef_meteor_init(char *errstr, size_t errstr_size);

/* Per-thread scratch memory and word caches. */
typedef struct ef_meteor_scratch ef_meteor_scratch;

/* NULL on out of memory. */
ef_meteor_scratch *ef_meteor_scratch_new(void);
/* NULL is fine. */
void ef_meteor_scratch_destroy(ef_meteor_scratch *s);

/* meteor_score([ref], hyp, alpha=alpha, beta=beta, gamma=gamma).  ref/hyp
 * are token arrays (tokens.h).  Returns 0 with *score set, or -1 on out of
 * memory or if WordNet could not be loaded (ef_meteor_init() says why). */
int ef_meteor_score(ef_meteor_scratch *s, const ef_tokens *ref, const ef_tokens *hyp, double alpha,
                    double beta, double gamma, double *score);

/* Number of matched words of the last successful ef_meteor_score() call
 * (exact, stem, synonym) - for tests and diagnostics. */
void ef_meteor_last_matches(const ef_meteor_scratch *s, size_t *exact, size_t *stem,
                            size_t *synonym);

#endif
