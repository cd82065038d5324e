/* gleu.c - see gleu.h. */
#include "gleu.h"

static uint64_t everygram_count(size_t n) {
    uint64_t c = 0;
    for (size_t order = 1; order <= 4; order++)
        if (n >= order)
            c += n - order + 1;
    return c;
}

int ef_gleu_sentence(ef_ngram_scratch *s, const ef_tokens *ref, const ef_tokens *hyp,
                     double *gleu) {
    *gleu = 0.0;
    uint64_t tpfp = everygram_count(hyp->n), tpfn = everygram_count(ref->n);
    uint64_t n_all = tpfp > tpfn ? tpfp : tpfn;
    if (n_all == 0)
        return 0;
    if (ef_ngram_intern_tokens(s, ref, hyp))
        return -1;
    uint64_t m[4];
    if (ef_ngram_match(s, ref->n, hyp->n, 4, m))
        return -1;
    uint64_t tp = m[0] + m[1] + m[2] + m[3];
    *gleu = (double)tp / (double)n_all;
    return 0;
}
