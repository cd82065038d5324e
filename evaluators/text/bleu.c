/* bleu.c - see bleu.h. */
#include "bleu.h"

#include <assert.h>
#include <math.h>

/* Shewchuk's exact partial sums, then a round-half-even fix-up of the top partials,
 * as CPython's math.fsum does for finite inputs. */
double ef_fsum(const double *x, size_t n) {
    double p[8];
    size_t np = 0;
    assert(n <= 8);
    for (size_t k = 0; k < n; k++) {
        double v = x[k];
        size_t i = 0;
        for (size_t j = 0; j < np; j++) {
            double y = p[j];
            if (fabs(v) < fabs(y)) {
                double t = v;
                v = y;
                y = t;
            }
            double hi = v + y;
            double lo = y - (hi - v);
            if (lo != 0.0)
                p[i++] = lo;
            v = hi;
        }
        np = i;
        p[np++] = v;
    }
    double hi = 0.0;
    if (np > 0) {
        double lo = 0.0;
        hi = p[--np];
        while (np > 0) {
            double a = hi;
            double y = p[--np];
            hi = a + y;
            lo = y - (hi - a);
            if (lo != 0.0)
                break;
        }
        if (np > 0 && ((lo < 0.0 && p[np - 1] < 0.0) || (lo > 0.0 && p[np - 1] > 0.0))) {
            double y = lo * 2.0;
            double a = hi + y;
            if (y == a - hi)
                hi = a;
        }
    }
    return hi;
}

int ef_bleu_sentence(ef_ngram_scratch *s, const ef_tokens *ref, const ef_tokens *hyp,
                     double *bleu) {
    *bleu = 0.0;
    if (ef_ngram_intern_tokens(s, ref, hyp))
        return -1;
    const size_t R = ref->n, H = hyp->n;
    uint64_t m[4];
    if (ef_ngram_match(s, R, H, 4, m))
        return -1;
    if (m[0] == 0)
        return 0; /* no unigram match: nltk returns 0 before smoothing */
    double terms[4];
    size_t nt = 0;
    unsigned incvnt = 1;
    for (size_t k = 0; k < 4; k++) {
        size_t order = k + 1;
        size_t denom = H >= order ? H - order + 1 : 0;
        if (denom < 1)
            denom = 1;
        double p;
        if (m[k] == 0) {
            if (H <= 1)
                continue; /* stays Fraction(0, d): skipped by "if p_i > 0" */
            double num = 1.0 / ((double)((1u << incvnt) * 5u) / log((double)H));
            p = num / (double)denom;
            incvnt++;
        } else {
            p = (double)m[k] / (double)denom;
        }
        if (p > 0.0)
            terms[nt++] = 0.25 * log(p);
    }
    /* H > 0 here (m[0] > 0) */
    double bp = H > R ? 1.0 : exp(1.0 - (double)R / (double)H);
    *bleu = bp * exp(ef_fsum(terms, nt));
    return 0;
}
