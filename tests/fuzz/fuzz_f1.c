/*
 * fuzz_f1.c - libFuzzer target for ef_f1_score (and BLEU/GLEU on the same texts).
 *
 * Input: response 0xFF truth (0xFF never occurs in UTF-8; without it the input is cut in
 * half).  Any bytes are accepted: the metric must read invalid UTF-8 safely even though
 * callers validate.  The two normaliser loops (with / without Final_Sigma tracking) are
 * compared by appending " \u03a3".  Checks: return 0, scores finite in [0, 1], f1(x, x) == 1 when x
 * has a token, normalised tokens are non-empty, never bare articles and hold no ASCII whitespace or
 * capitals.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bleu.h"
#include "f1.h"
#include "gleu.h"
#include "tokens.h"

static void split(const uint8_t *d, size_t n, const char **a, size_t *na, const char **b,
                  size_t *nb) {
    const uint8_t *sep = memchr(d, 0xFF, n);
    size_t cut = sep ? (size_t)(sep - d) : n / 2;
    *a = (const char *)d;
    *na = cut;
    *b = (const char *)d + cut + (sep ? 1 : 0);
    *nb = n - cut - (sep ? 1 : 0);
}

static void check01(double v) {
    if (!(v >= 0.0 && v <= 1.0))
        abort();
}

/* whitespace-split tokens, as a simple tokenizer would hand them to BLEU/GLEU */
static void ws_tokens(ef_tokens *t, const char *p, size_t n) {
    ef_tokens_reset(t);
    size_t i = 0;
    while (i < n) {
        while (i < n && (p[i] == ' ' || p[i] == '\n' || p[i] == '\t'))
            i++;
        size_t j = i;
        while (j < n && !(p[j] == ' ' || p[j] == '\n' || p[j] == '\t'))
            j++;
        if (j > i && ef_tokens_push(t, p + i, j - i))
            abort();
        i = j;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static ef_ngram_scratch *s;
    static ef_tokens ta, tb;
    if (!s && !(s = ef_ngram_scratch_new()))
        abort();
    const char *a, *b;
    size_t na, nb;
    split(data, size, &a, &na, &b, &nb);

    double f1;
    if (ef_f1_score(s, a, na, b, nb, &f1))
        abort();
    check01(f1);

    const unsigned char *buf;
    const size_t *sp;
    size_t ntok;
    if (ef_f1_normalize(s, 0, a, na, &buf, &sp, &ntok))
        abort();
    for (size_t i = 0; i < ntok; i++) {
        const unsigned char *w = buf + sp[2 * i];
        size_t len = sp[2 * i + 1] - sp[2 * i];
        if (len == 0 || (len == 1 && w[0] == 'a') || (len == 2 && !memcmp(w, "an", 2)) ||
            (len == 3 && !memcmp(w, "the", 3)))
            abort();
        for (size_t j = 0; j < len; j++)
            if (w[j] == ' ' || (w[j] >= 9 && w[j] <= 13) || (w[j] >= 'A' && w[j] <= 'Z'))
                abort();
    }
    /* The normaliser has a second loop for texts holding U+03A3 (Final_Sigma context).
     * Appending " \u03a3" must select it and append exactly the token "\u03c3". */
    if (na < 1 << 16 && !memchr(a, 0xCE, na)) {
        static unsigned char *ext;
        static size_t extcap;
        if (extcap < na + 3) {
            extcap = na + 3;
            ext = realloc(ext, extcap);
            if (!ext)
                abort();
        }
        memcpy(ext, a, na);
        memcpy(ext + na, " \xCE\xA3", 3);
        size_t n0 = ntok;
        size_t *copy = malloc((2 * n0 + 1) * sizeof(*copy));
        size_t used = n0 ? sp[2 * n0 - 1] : 0;
        unsigned char *bcopy = malloc(used + 1);
        if (!copy || !bcopy)
            abort();
        memcpy(copy, sp, 2 * n0 * sizeof(*copy));
        memcpy(bcopy, buf, used);
        const unsigned char *b2;
        const size_t *sp2;
        size_t n2;
        if (ef_f1_normalize(s, 1, (const char *)ext, na + 3, &b2, &sp2, &n2))
            abort();
        if (n2 != n0 + 1)
            abort();
        for (size_t i = 0; i < n0; i++) {
            size_t l1 = copy[2 * i + 1] - copy[2 * i], l2 = sp2[2 * i + 1] - sp2[2 * i];
            if (l1 != l2 || memcmp(bcopy + copy[2 * i], b2 + sp2[2 * i], l1))
                abort();
        }
        if (sp2[2 * n0 + 1] - sp2[2 * n0] != 2 || memcmp(b2 + sp2[2 * n0], "\xCF\x83", 2))
            abort();
        free(copy);
        free(bcopy);
    }

    double self;
    if (ef_f1_score(s, a, na, a, na, &self))
        abort();
    if (ntok > 0 ? self != 1.0 : self != 0.0)
        abort();

    ws_tokens(&ta, a, na);
    ws_tokens(&tb, b, nb);
    double bl, gl;
    if (ef_bleu_sentence(s, &tb, &ta, &bl) || ef_gleu_sentence(s, &tb, &ta, &gl))
        abort();
    check01(bl);
    check01(gl);
    if (ef_gleu_sentence(s, &ta, &ta, &gl))
        abort();
    if (ta.n > 0 && gl != 1.0)
        abort();
    return 0;
}
