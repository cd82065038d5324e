/*
 * fuzz_rouge.c - libFuzzer target for ef_rouge and the shared n-gram counter.
 *
 * Input: 1 byte choosing the type (byte % 6 + 1), then truth 0xFF response (without
 * 0xFF the rest is cut in half).  Checks: return 0, scores in [0, 1], ROUGE-L's
 * bit-parallel LCS equals the row DP, and for short texts the hashed n-gram match
 * counts (and the intern-one-side unigram overlap) equal a naive quadratic count.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ngram_count.h"
#include "rouge.h"

static void check01(double v) {
    if (!(v >= 0.0 && v <= 1.0))
        abort();
}

static size_t occurrences(const uint32_t *x, size_t nx, const uint32_t *g, size_t n) {
    size_t c = 0;
    for (size_t i = 0; i + n <= nx; i++)
        if (memcmp(x + i, g, n * sizeof(*g)) == 0)
            c++;
    return c;
}

/* sum over distinct n-grams of a of min(count in a, count in b) */
static uint64_t naive_match(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, size_t n) {
    uint64_t m = 0;
    for (size_t i = 0; i + n <= na; i++) {
        if (occurrences(a, i + n - 1, a + i, n)) /* counted at its first occurrence */
            continue;
        size_t ca = occurrences(a, na, a + i, n), cb = occurrences(b, nb, a + i, n);
        m += ca < cb ? ca : cb;
    }
    return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static ef_ngram_scratch *s;
    if (!s && !(s = ef_ngram_scratch_new()))
        abort();
    if (size < 1)
        return 0;
    ef_rouge_type t = (ef_rouge_type)(data[0] % 6 + 1);
    data++;
    size--;
    const uint8_t *sep = memchr(data, 0xFF, size);
    size_t cut = sep ? (size_t)(sep - data) : size / 2;
    const char *truth = (const char *)data, *resp = (const char *)data + cut + (sep ? 1 : 0);
    size_t tlen = cut, rlen = size - cut - (sep ? 1 : 0);

    double p, r, f;
    if (ef_rouge(s, t, truth, tlen, resp, rlen, &p, &r, &f))
        abort();
    check01(p);
    check01(r);
    check01(f);

    /* re-run the shared machinery on the interned ids left in the scratch */
    const unsigned char *tb, *pb;
    const size_t *ts, *ps;
    size_t T, P;
    if (ef_rouge_tokenize(s, 0, truth, tlen, &tb, &ts, &T) ||
        ef_rouge_tokenize(s, 1, resp, rlen, &pb, &ps, &P))
        abort();
    for (size_t i = 0; i < T; i++)
        for (size_t j = ts[2 * i]; j < ts[2 * i + 1]; j++) {
            unsigned char c = tb[j];
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
                abort();
        }
    if (T == 0 || P == 0 || T > 300 || P > 300)
        return 0;
    if (ef_ngram_reserve((void **)&s->ida, &s->ida_cap, T, sizeof(*s->ida)) ||
        ef_ngram_reserve((void **)&s->idb, &s->idb_cap, P, sizeof(*s->idb)) ||
        ef_ngram_intern_reset(s, T + P))
        abort();
    for (size_t i = 0; i < T; i++)
        s->ida[i] = ef_ngram_intern(s, tb + ts[2 * i], ts[2 * i + 1] - ts[2 * i]);
    for (size_t i = 0; i < P; i++)
        s->idb[i] = ef_ngram_intern(s, pb + ps[2 * i], ps[2 * i + 1] - ps[2 * i]);
    size_t l1, l2;
    if (ef_ngram_lcs(s, s->ida, T, s->idb, P, 0, &l1) ||
        ef_ngram_lcs(s, s->ida, T, s->idb, P, 1, &l2) || l1 != l2)
        abort();
    if (T > 80 || P > 80)
        return 0;
    uint64_t m[EF_NGRAM_MAX_ORDER];
    if (ef_ngram_match(s, T, P, EF_NGRAM_MAX_ORDER, m))
        abort();
    for (size_t n = 1; n <= EF_NGRAM_MAX_ORDER; n++) {
        uint64_t want = naive_match(s->ida, T, s->idb, P, n);
        /* ef_ngram_match stops at the first order without a match: all later are 0 */
        if (m[n - 1] != want)
            abort();
    }
    uint64_t uni;
    if (ef_ngram_unigram_overlap(s, tb, ts, T, pb, ps, P, &uni) || uni != m[0])
        abort();
    return 0;
}
