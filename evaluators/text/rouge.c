/* rouge.c - see rouge.h. */
#include "rouge.h"

#include <string.h>

static const char *const type_names[] = {NULL,     "rouge1", "rouge2", "rouge3",
                                         "rouge4", "rouge5", "rougeL"};

int ef_rouge_type_parse(const char *name, ef_rouge_type *out) {
    if (!name)
        return -1;
    for (int t = EF_ROUGE_1; t <= EF_ROUGE_L; t++) {
        if (strcmp(name, type_names[t]) == 0) {
            *out = (ef_rouge_type)t;
            return 0;
        }
    }
    return -1;
}

const char *ef_rouge_type_name(ef_rouge_type t) {
    if ((int)t < EF_ROUGE_1 || (int)t > EF_ROUGE_L)
        return NULL;
    return type_names[t];
}

/* byte -> token character (ASCII letters lowered, digits), 0 = separator, 1 = lead byte
 * of a possible U+0130 (C4 B0) or U+212A (E2 84 AA) */
static const unsigned char tok_tab[256] = {
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   '0', '1', '2', '3', '4', '5', '6', '7', '8',
    '9', 0,   0,   0,   0,   0,   0,   0,   'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k',
    'l', 'm', 'n', 'o', 'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 0,   0,   0,   0,
    0,   0,   'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q',
    'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
    0,   0,   0,   0,   0,   0,   1,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   1,   0,
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
    0,   0,   0,   0,   0,   0,   0,   0,   0,
};

/* Branch-free except for the two special lead bytes: sp[] receives alternating token
 * start / end offsets at every in/out-of-token transition. */
int ef_rouge_tokenize(ef_ngram_scratch *s, int side, const char *text, size_t len,
                      const unsigned char **buf_out, const size_t **spans_out, size_t *ntok_out) {
    unsigned char **bufp = side ? &s->tbb : &s->tba;
    size_t *bufcap = side ? &s->tbb_cap : &s->tba_cap;
    size_t **spp = side ? &s->spb : &s->spa;
    size_t *spcap = side ? &s->spb_cap : &s->spa_cap;
    *ntok_out = 0;
    /* each output byte consumes >= 1 input byte (+8 bytes of zero padding); at most
     * one transition per byte */
    if (ef_ngram_reserve((void **)bufp, bufcap, len + 8, 1) ||
        ef_ngram_reserve((void **)spp, spcap, len + 2, sizeof(**spp)))
        return -1;
    const unsigned char *t = (const unsigned char *)text;
    unsigned char *buf = *bufp;
    size_t *sp = *spp;
    size_t n = 0, k = 0;
    unsigned prev = 0;
#define STEP(ch)                                                                                   \
    do {                                                                                           \
        unsigned char c_ = (ch);                                                                   \
        unsigned in_ = c_ != 0;                                                                    \
        buf[n] = c_;                                                                               \
        sp[k] = n;                                                                                 \
        k += in_ ^ prev;                                                                           \
        n += in_;                                                                                  \
        prev = in_;                                                                                \
    } while (0)
    for (size_t i = 0; i < len;) {
        unsigned char c = tok_tab[t[i]];
        if (c != 1) {
            STEP(c);
            i++;
        } else if (t[i] == 0xC4 && i + 1 < len && t[i + 1] == 0xB0) {
            STEP('i'); /* U+0130 lowers to "i\u0307"; U+0307 separates */
            STEP(0);
            i += 2;
        } else if (t[i] == 0xE2 && i + 2 < len && t[i + 1] == 0x84 && t[i + 2] == 0xAA) {
            STEP('k'); /* U+212A KELVIN SIGN lowers to "k" */
            i += 3;
        } else {
            STEP(0); /* any other non-ASCII character separates */
            i++;
        }
    }
#undef STEP
    if (prev)
        sp[k++] = n;
    memset(buf + n, 0, 8); /* span interning reads 8 bytes from a token start */
    *buf_out = buf;
    *spans_out = sp;
    *ntok_out = k / 2;
    return 0;
}

static double fmeasure(double p, double r) {
    if (p + r > 0.0)
        return 2.0 * p * r / (p + r);
    return 0.0;
}

int ef_rouge(ef_ngram_scratch *s, ef_rouge_type type, const char *truth, size_t tlen,
             const char *response, size_t rlen, double *precision, double *recall, double *f1) {
    *precision = *recall = *f1 = 0.0;
    if ((int)type < EF_ROUGE_1 || (int)type > EF_ROUGE_L)
        return -1;
    const unsigned char *tb, *pb;
    const size_t *ts, *ps;
    size_t T, P;
    if (ef_rouge_tokenize(s, 0, truth, tlen, &tb, &ts, &T) ||
        ef_rouge_tokenize(s, 1, response, rlen, &pb, &ps, &P))
        return -1;
    if (T > EF_NGRAM_MAX_TOKENS || P > EF_NGRAM_MAX_TOKENS)
        return -1;
    size_t n = type == EF_ROUGE_L ? 1 : (size_t)type;
    uint64_t overlap = 0;
    if (type == EF_ROUGE_1) {
        if (ef_ngram_unigram_overlap(s, tb, ts, T, pb, ps, P, &overlap))
            return -1;
        *precision = (double)overlap / (double)(P > 1 ? P : 1);
        *recall = (double)overlap / (double)(T > 1 ? T : 1);
        *f1 = fmeasure(*precision, *recall);
        return 0;
    }
    /* ROUGE-L with an empty side, or no n-gram on one side: overlap is 0 */
    if (T >= n && P >= n) {
        if (ef_ngram_reserve((void **)&s->ida, &s->ida_cap, T, sizeof(*s->ida)) ||
            ef_ngram_reserve((void **)&s->idb, &s->idb_cap, P, sizeof(*s->idb)) ||
            ef_ngram_intern_reset(s, T + P))
            return -1;
        ef_ngram_intern_spans(s, tb, ts, T, s->ida);
        ef_ngram_intern_spans(s, pb, ps, P, s->idb);
    }
    if (type == EF_ROUGE_L) {
        if (T == 0 || P == 0)
            return 0;
        size_t lcs;
        if (ef_ngram_lcs(s, s->ida, T, s->idb, P, 0, &lcs))
            return -1;
        *precision = (double)lcs / (double)P;
        *recall = (double)lcs / (double)T;
        *f1 = fmeasure(*precision, *recall);
        return 0;
    }
    if (T >= n && P >= n && ef_ngram_match_order(s, T, P, (int)n, &overlap))
        return -1;
    size_t tc = T >= n ? T - n + 1 : 0, pc = P >= n ? P - n + 1 : 0;
    *precision = (double)overlap / (double)(pc > 1 ? pc : 1);
    *recall = (double)overlap / (double)(tc > 1 ? tc : 1);
    *f1 = fmeasure(*precision, *recall);
    return 0;
}
