/*
 * fuzz_meteor.c - libFuzzer target for ef_meteor (METEOR, NLTK Porter
 * stemmer, Python str.lower(), WordNet synonyms).
 *
 * Input: [1 byte parameter selector] reference '\n' hypothesis; tokens are
 * separated by spaces (empty tokens kept, as a caller may pass them).
 * Checks: no crash / sanitizer report; score in [0, 1] for parameters in the
 * evaluator's ranges; str.lower() is idempotent; stems fit EF_PORTER_MAX;
 * synonym sets are sorted and duplicate-free.  Needs WordNet (wordnet-base or
 * WNSEARCHDIR).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meteor.h"
#include "porter_nltk.h"
#include "wordnet_syn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ef_meteor_scratch *scratch;
static ef_wn_names names;

static void split(ef_tokens *t, const char *s, size_t n) {
    ef_tokens_reset(t);
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == ' ') {
            if (ef_tokens_push(t, s + start, i - start))
                abort();
            start = i + 1;
        }
    }
}

static void check_word(const char *w, size_t n) {
    char *a = malloc(EF_PYLOWER_MAX(n) + 1);
    char *b = malloc(EF_PYLOWER_MAX(EF_PYLOWER_MAX(n)) + 1);
    char *st = malloc(EF_PORTER_MAX(n));
    if (!a || !b || !st)
        abort();
    size_t la = ef_pylower(w, n, a);
    if (la > EF_PYLOWER_MAX(n))
        abort();
    size_t lb = ef_pylower(a, la, b);
    if (lb != la || memcmp(a, b, la) != 0)
        abort(); /* str.lower() is idempotent */
    long sl = ef_porter_stem(w, n, st, EF_PORTER_MAX(n));
    if (sl < 0 || (size_t)sl >= EF_PORTER_MAX(n) || st[sl] != '\0')
        abort();
    const ef_wordnet *wn = ef_wordnet_get(NULL, 0);
    if (ef_wordnet_synonyms(wn, w, n, &names))
        abort();
    for (size_t i = 1; i < names.n; i++)
        if (names.v[i - 1].hash > names.v[i].hash ||
            (names.v[i - 1].hash == names.v[i].hash && names.v[i - 1].len == names.v[i].len &&
             memcmp(names.v[i - 1].s, names.v[i].s, names.v[i].len) == 0))
            abort();
    free(a);
    free(b);
    free(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static ef_tokens ref, hyp;
    if (!scratch) {
        char err[2048];
        if (ef_meteor_init(err, sizeof(err))) {
            fprintf(stderr, "%s\n", err);
            abort();
        }
        scratch = ef_meteor_scratch_new();
        if (!scratch)
            abort();
    }
    if (size < 1 || size > 1 << 16)
        return 0;
    static const double params[4][3] = {
        {0.9, 3.0, 0.5}, {0.0, 3.0, 1.0}, {1.0, 0.0, 0.5}, {0.5, 1e9, 1.0}};
    const double *p = params[data[0] & 3];
    const char *s = (const char *)data + 1;
    size_t n = size - 1;
    const char *nl = memchr(s, '\n', n);
    size_t rn = nl ? (size_t)(nl - s) : n;
    split(&ref, s, rn);
    if (nl)
        split(&hyp, nl + 1, n - rn - 1);
    else
        split(&hyp, s, rn);
    double v;
    if (ef_meteor_score(scratch, &ref, &hyp, p[0], p[1], p[2], &v))
        abort();
    if (!(v >= 0.0 && v <= 1.0 + 1e-12))
        abort();
    if (data[0] & 4) {
        for (size_t i = 0; i < ref.n && i < 64; i++)
            check_word(ef_tokens_at(&ref, i), ef_tokens_len(&ref, i));
    }
    return 0;
}
