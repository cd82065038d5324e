/* ngram_count.c - see ngram_count.h. */
#include "ngram_count.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#define DEAD UINT32_MAX /* gram id of a position that cannot match the other side */

ef_ngram_scratch *ef_ngram_scratch_new(void) {
    ef_ngram_scratch *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    /* A per-scratch seed makes colliding inputs hard to precompute; the metrics'
     * results do not depend on it, only the table layout does. */
    struct timespec ts = {0, 0};
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t mix[3] = {(uint64_t)ts.tv_sec, (uint64_t)ts.tv_nsec, (uint64_t)(uintptr_t)s};
    s->seed = XXH3_64bits(mix, sizeof(mix));
    return s;
}

void ef_ngram_scratch_destroy(ef_ngram_scratch *s) {
    if (!s)
        return;
    free(s->islot);
    free(s->kptr);
    free(s->klen);
    free(s->ida);
    free(s->idb);
    free(s->ga);
    free(s->gb);
    free(s->pkey);
    free(s->pval);
    free(s->cnt);
    free(s->row);
    free(s->vbits);
    free(s->sym);
    free(s->masks);
    free(s->cpa);
    free(s->cpb);
    free(s->tba);
    free(s->tbb);
    free(s->spa);
    free(s->spb);
    free(s);
}

int ef_ngram_reserve(void **buf, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap : 16;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return -1;
        ncap *= 2;
    }
    if (ncap > SIZE_MAX / elem)
        return -1;
    /* Old contents are never needed across a growth in this module's callers, but
     * realloc keeps the contract simple. */
    void *p = realloc(*buf, ncap * elem);
    if (!p)
        return -1;
    *buf = p;
    *cap = ncap;
    return 0;
}

#define RESERVE(s, field, need)                                                                    \
    ef_ngram_reserve((void **)&(s)->field, &(s)->field##_cap, (need), sizeof(*(s)->field))

static size_t pow2_at_least(size_t n) {
    size_t p = 16;
    while (p < n)
        p *= 2;
    return p;
}

int ef_ngram_intern_reset(ef_ngram_scratch *s, size_t max_keys) {
    if (max_keys > 2 * EF_NGRAM_MAX_TOKENS)
        return -1;
    size_t want = max_keys ? max_keys : 1;
    if (want > s->kcap) {
        size_t kc = s->kcap;
        if (ef_ngram_reserve((void **)&s->kptr, &kc, want, sizeof(*s->kptr)))
            return -1;
        kc = s->kcap;
        if (ef_ngram_reserve((void **)&s->klen, &kc, want, sizeof(*s->klen)))
            return -1;
        s->kcap = kc;
    }
    size_t slots = pow2_at_least(2 * want); /* load factor <= 1/2 */
    if (RESERVE(s, islot, slots))
        return -1;
    memset(s->islot, 0, slots * sizeof(*s->islot));
    s->islot_mask = slots - 1;
    s->kmax = max_keys;
    s->nids = 0;
    return 0;
}

uint32_t ef_ngram_intern(ef_ngram_scratch *s, const void *key, size_t nbytes) {
    uint64_t h = XXH3_64bits_withSeed(key, nbytes, s->seed);
    uint64_t tag = h >> 32;
    size_t i = (size_t)h & s->islot_mask;
    for (;;) {
        uint64_t e = s->islot[i];
        if (e == 0) {
            assert(s->nids < s->kmax);
            uint32_t id = s->nids++;
            s->kptr[id] = key;
            s->klen[id] = nbytes;
            s->islot[i] = (tag << 32) | ((uint64_t)id + 1);
            return id;
        }
        if ((e >> 32) == tag) {
            uint32_t id = (uint32_t)e - 1;
            if (s->klen[id] == nbytes && memcmp(s->kptr[id], key, nbytes) == 0)
                return id;
        }
        i = (i + 1) & s->islot_mask;
    }
}

int ef_ngram_intern_tokens(ef_ngram_scratch *s, const ef_tokens *ref, const ef_tokens *hyp) {
    size_t na = ref->n, nb = hyp->n;
    if (na > EF_NGRAM_MAX_TOKENS || nb > EF_NGRAM_MAX_TOKENS)
        return -1;
    if (RESERVE(s, ida, na ? na : 1) || RESERVE(s, idb, nb ? nb : 1))
        return -1;
    if (ef_ngram_intern_reset(s, na + nb))
        return -1;
    for (size_t i = 0; i < na; i++)
        s->ida[i] = ef_ngram_intern(s, ref->arena + ref->off[i], ref->len[i]);
    for (size_t i = 0; i < nb; i++)
        s->idb[i] = ef_ngram_intern(s, hyp->arena + hyp->off[i], hyp->len[i]);
    return 0;
}

static inline uint64_t pair_hash(const ef_ngram_scratch *s, uint64_t key) {
    return XXH3_64bits_withSeed(&key, sizeof(key), s->seed);
}

/*
 * Order by order.  ca / cb count occurrences per gram id on each side; ids of order 1
 * are the token ids, ids of order n >= 2 are allocated here from s->nids upwards, so
 * orders never share ids.  Only side a inserts n-grams; side b only looks them up, and
 * a position whose gram does not occur on the other side is marked DEAD: none of its
 * extensions can match, so it is never hashed again.
 */
int ef_ngram_match(ef_ngram_scratch *s, size_t na, size_t nb, int maxn, uint64_t *matches) {
    assert(maxn >= 1 && maxn <= EF_NGRAM_MAX_ORDER);
    for (int k = 0; k < maxn; k++)
        matches[k] = 0;
    if (na == 0 || nb == 0)
        return 0;
    const uint32_t V = s->nids;
    const uint32_t *ida = s->ida, *idb = s->idb;
    /* ids: V token ids + at most na new ids per order; ca and cb live in one array. */
    size_t idbound = (size_t)V + (size_t)(maxn - 1) * na;
    if (RESERVE(s, cnt, 2 * idbound))
        return -1;
    uint32_t *ca = s->cnt, *cb = s->cnt + idbound;
    memset(ca, 0, V * sizeof(*ca));
    memset(cb, 0, V * sizeof(*cb));
    for (size_t i = 0; i < na; i++)
        ca[ida[i]]++;
    for (size_t j = 0; j < nb; j++)
        cb[idb[j]]++;
    uint64_t m = 0;
    for (uint32_t id = 0; id < V; id++)
        m += ca[id] < cb[id] ? ca[id] : cb[id];
    matches[0] = m;
    if (maxn == 1 || m == 0 || na < 2 || nb < 2)
        return 0;

    if (RESERVE(s, ga, na) || RESERVE(s, gb, nb))
        return -1;
    size_t pslots = pow2_at_least(2 * na);
    if (RESERVE(s, pkey, pslots) || RESERVE(s, pval, pslots))
        return -1;
    const size_t pmask = pslots - 1;
    uint32_t *ga = s->ga, *gb = s->gb;
    uint64_t *pkey = s->pkey;
    uint32_t *pval = s->pval;
    for (size_t i = 0; i < na; i++)
        ga[i] = cb[ida[i]] ? ida[i] : DEAD;
    for (size_t j = 0; j < nb; j++)
        gb[j] = ca[idb[j]] ? idb[j] : DEAD;

    uint32_t next = V;
    for (int n = 2; n <= maxn; n++) {
        if (na < (size_t)n || nb < (size_t)n)
            break;
        size_t la = na - (size_t)n + 1, lb = nb - (size_t)n + 1;
        uint32_t first = next;
        memset(pval, 0, pslots * sizeof(*pval));
        /* side a: extend each live (n-1)-gram by its next token, inserting */
        for (size_t i = 0; i < la; i++) {
            uint32_t g = ga[i];
            uint32_t t = ida[i + (size_t)n - 1];
            if (g == DEAD || cb[t] == 0) {
                ga[i] = DEAD;
                continue;
            }
            uint64_t key = ((uint64_t)g << 32) | t;
            size_t h = (size_t)pair_hash(s, key) & pmask;
            for (;;) {
                uint32_t v = pval[h];
                if (v == 0) {
                    uint32_t id = next++;
                    pkey[h] = key;
                    pval[h] = id + 1;
                    ca[id] = 0;
                    cb[id] = 0;
                    g = id;
                    break;
                }
                if (pkey[h] == key) {
                    g = v - 1;
                    break;
                }
                h = (h + 1) & pmask;
            }
            ga[i] = g;
            ca[g]++;
        }
        /* side b: look up only; unknown grams are dead */
        for (size_t j = 0; j < lb; j++) {
            uint32_t g = gb[j];
            uint32_t t = idb[j + (size_t)n - 1];
            if (g == DEAD || ca[t] == 0) {
                gb[j] = DEAD;
                continue;
            }
            uint64_t key = ((uint64_t)g << 32) | t;
            size_t h = (size_t)pair_hash(s, key) & pmask;
            g = DEAD;
            for (;;) {
                uint32_t v = pval[h];
                if (v == 0)
                    break;
                if (pkey[h] == key) {
                    g = v - 1;
                    break;
                }
                h = (h + 1) & pmask;
            }
            gb[j] = g;
            if (g != DEAD)
                cb[g]++;
        }
        m = 0;
        for (uint32_t id = first; id < next; id++)
            m += ca[id] < cb[id] ? ca[id] : cb[id];
        matches[n - 1] = m;
        if (m == 0)
            break;
        for (size_t i = 0; i < la; i++)
            if (ga[i] != DEAD && cb[ga[i]] == 0)
                ga[i] = DEAD;
    }
    return 0;
}

static int lcs_dp(ef_ngram_scratch *s, const uint32_t *p, size_t m, const uint32_t *t, size_t n,
                  size_t *lcs) {
    if (RESERVE(s, row, m + 1))
        return -1;
    uint32_t *row = s->row;
    memset(row, 0, (m + 1) * sizeof(*row));
    for (size_t j = 0; j < n; j++) {
        uint32_t c = t[j];
        uint32_t diag = 0; /* row[i - 1] of the previous text position */
        uint32_t left = 0; /* row[i - 1] of this text position */
        for (size_t i = 1; i <= m; i++) {
            uint32_t up = row[i];
            uint32_t v;
            if (p[i - 1] == c)
                v = diag + 1;
            else
                v = up > left ? up : left;
            row[i] = v;
            diag = up;
            left = v;
        }
    }
    *lcs = row[m];
    return 0;
}

/* Hyyro's bit-vector LCS: bit i of V is 0 iff row i "steps up"; popcount of zeros
 * in the first m bits is the LCS length. */
static int lcs_bits(ef_ngram_scratch *s, const uint32_t *p, size_t m, const uint32_t *t, size_t n,
                    size_t nsym, size_t *lcs) {
    size_t words = (m + 63) / 64;
    if (RESERVE(s, masks, nsym * words) || RESERVE(s, vbits, words))
        return -1;
    uint64_t *masks = s->masks, *V = s->vbits;
    const uint32_t *sym = s->sym;
    memset(masks, 0, nsym * words * sizeof(*masks));
    for (size_t i = 0; i < m; i++)
        masks[(size_t)(sym[p[i]] - 1) * words + i / 64] |= (uint64_t)1 << (i % 64);
    memset(V, 0xff, words * sizeof(*V));
    for (size_t j = 0; j < n; j++) {
        uint32_t k = sym[t[j]];
        if (k == 0)
            continue;
        const uint64_t *M = masks + (size_t)(k - 1) * words;
        uint64_t carry = 0;
        for (size_t w = 0; w < words; w++) {
            uint64_t v = V[w];
            uint64_t u = v & M[w];
            uint64_t s1 = v + u;
            uint64_t c1 = s1 < v;
            uint64_t s2 = s1 + carry;
            uint64_t c2 = s2 < s1;
            carry = c1 | c2;
            V[w] = s2 | (v - u);
        }
    }
    size_t ones = 0;
    for (size_t w = 0; w < words; w++) {
        uint64_t v = V[w];
        if (w == words - 1 && m % 64)
            v &= ((uint64_t)1 << (m % 64)) - 1;
        ones += (size_t)__builtin_popcountll(v);
    }
    *lcs = m - ones;
    return 0;
}

int ef_ngram_lcs(ef_ngram_scratch *s, const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
                 int force_dp, size_t *lcs) {
    *lcs = 0;
    if (na == 0 || nb == 0)
        return 0;
    if (na > EF_NGRAM_MAX_TOKENS || nb > EF_NGRAM_MAX_TOKENS ||
        (uint64_t)na * (uint64_t)nb > EF_NGRAM_LCS_MAX_CELLS)
        return -1;
    /* the shorter sequence is the "pattern" held in memory */
    const uint32_t *p = a, *t = b;
    size_t m = na, n = nb;
    if (nb < na) {
        p = b;
        t = a;
        m = nb;
        n = na;
    }
    if (force_dp)
        return lcs_dp(s, p, m, t, n, lcs);
    if (RESERVE(s, sym, s->nids))
        return -1;
    memset(s->sym, 0, s->nids * sizeof(*s->sym));
    size_t nsym = 0;
    for (size_t i = 0; i < m; i++)
        if (s->sym[p[i]] == 0)
            s->sym[p[i]] = (uint32_t)++nsym;
    size_t words = (m + 63) / 64;
    if (nsym <= EF_NGRAM_LCS_MASK_WORDS / words)
        return lcs_bits(s, p, m, t, n, nsym, lcs);
    return lcs_dp(s, p, m, t, n, lcs);
}
