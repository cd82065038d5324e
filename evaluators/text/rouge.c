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

/* ASCII byte -> token character (lowercased), 0 = separator */
static unsigned char tok_char(unsigned c) {
    if (c >= 'A' && c <= 'Z')
        return (unsigned char)(c + 32);
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        return (unsigned char)c;
    return 0;
}

int ef_rouge_tokenize(ef_ngram_scratch *s, int side, const char *text, size_t len,
                      const unsigned char **buf_out, const size_t **spans_out, size_t *ntok_out) {
    unsigned char **bufp = side ? &s->tbb : &s->tba;
    size_t *bufcap = side ? &s->tbb_cap : &s->tba_cap;
    size_t **spp = side ? &s->spb : &s->spa;
    size_t *spcap = side ? &s->spb_cap : &s->spa_cap;
    *ntok_out = 0;
    /* each output byte consumes >= 1 input byte; tokens are separated, so 2 * ntok
     * <= len + 1 */
    if (ef_ngram_reserve((void **)bufp, bufcap, len + 1, 1) ||
        ef_ngram_reserve((void **)spp, spcap, len + 2, sizeof(**spp)))
        return -1;
    const unsigned char *t = (const unsigned char *)text;
    unsigned char *buf = *bufp;
    size_t *sp = *spp;
    size_t n = 0, ntok = 0, start = 0;
    int open = 0;
    for (size_t i = 0; i < len;) {
        unsigned c = t[i];
        unsigned char out = 0;
        int close_after = 0;
        if (c < 0x80) {
            out = tok_char(c);
            i++;
        } else if (c == 0xC4 && i + 1 < len && t[i + 1] == 0xB0) {
            out = 'i'; /* U+0130 lowers to "i\u0307"; U+0307 separates */
            close_after = 1;
            i += 2;
        } else if (c == 0xE2 && i + 2 < len && t[i + 1] == 0x84 && t[i + 2] == 0xAA) {
            out = 'k'; /* U+212A KELVIN SIGN lowers to "k" */
            i += 3;
        } else {
            i++; /* any other non-ASCII byte: part of a separator character */
        }
        if (out) {
            if (!open) {
                start = n;
                open = 1;
            }
            buf[n++] = out;
        }
        if ((!out || close_after) && open) {
            sp[2 * ntok] = start;
            sp[2 * ntok + 1] = n - start;
            ntok++;
            open = 0;
        }
    }
    if (open) {
        sp[2 * ntok] = start;
        sp[2 * ntok + 1] = n - start;
        ntok++;
    }
    *buf_out = buf;
    *spans_out = sp;
    *ntok_out = ntok;
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
    /* ROUGE-L with an empty side, or no n-gram on one side: overlap is 0 */
    if (T >= n && P >= n) {
        if (ef_ngram_reserve((void **)&s->ida, &s->ida_cap, T, sizeof(*s->ida)) ||
            ef_ngram_reserve((void **)&s->idb, &s->idb_cap, P, sizeof(*s->idb)) ||
            ef_ngram_intern_reset(s, T + P))
            return -1;
        for (size_t i = 0; i < T; i++)
            s->ida[i] = ef_ngram_intern(s, tb + ts[2 * i], ts[2 * i + 1]);
        for (size_t i = 0; i < P; i++)
            s->idb[i] = ef_ngram_intern(s, pb + ps[2 * i], ps[2 * i + 1]);
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
    uint64_t overlap = 0;
    if (T >= n && P >= n) {
        uint64_t m[EF_NGRAM_MAX_ORDER];
        if (ef_ngram_match(s, T, P, (int)n, m))
            return -1;
        overlap = m[n - 1];
    }
    size_t tc = T >= n ? T - n + 1 : 0, pc = P >= n ? P - n + 1 : 0;
    *precision = (double)overlap / (double)(pc > 1 ? pc : 1);
    *recall = (double)overlap / (double)(tc > 1 ? tc : 1);
    *f1 = fmeasure(*precision, *recall);
    return 0;
}
