/* ngram_count.c - see ngram_count.h. */
#include "ngram_count.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#define DEAD UINT32_MAX /* gram id of a position that cannot match the other side */

/* First size of a hash table; tables double (rehashing) while their load exceeds 1/2,
 * up to the capacity reserved for the call, so their size (and cache footprint) follows
 * the number of distinct keys rather than the number of tokens. */
#define FIRST_SLOTS 256

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
    memset(s->ucache_key, 0xff, sizeof(s->ucache_key)); /* no code point is 0xFFFFFFFF */
    return s;
}

void ef_ngram_scratch_destroy(ef_ngram_scratch *s) {
    if (!s)
        return;
    free(s->islot);
    free(s->kptr);
    free(s->klen);
    free(s->khash);
    free(s->kword);
    free(s->ida);
    free(s->idb);
    free(s->ga);
    free(s->gb);
    free(s->pkey);
    free(s->pval);
    free(s->gkey);
    free(s->cnt);
    free(s->row);
    free(s->vbits);
    free(s->sym);
    free(s->masks);
    free(s->tba);
    free(s->tbb);
    free(s->spa);
    free(s->spb);
    free(s->rsp);
    free(s->otok);
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
    size_t maxslots = pow2_at_least(2 * want); /* load factor <= 1/2 at max_keys */
    if (RESERVE(s, kptr, want) || RESERVE(s, klen, want) || RESERVE(s, khash, want) ||
        RESERVE(s, kword, want) || RESERVE(s, islot, maxslots))
        return -1;
    size_t slots = maxslots < FIRST_SLOTS ? maxslots : FIRST_SLOTS;
    memset(s->islot, 0, slots * sizeof(*s->islot));
    s->islot_mask = slots - 1;
    s->islot_max = maxslots;
    s->kmax = max_keys;
    s->nids = 0;
    return 0;
}

/* double the interning table (memory was reserved by ef_ngram_intern_reset) */
static void intern_grow(ef_ngram_scratch *s) {
    size_t slots = (s->islot_mask + 1) * 2;
    memset(s->islot, 0, slots * sizeof(*s->islot));
    s->islot_mask = slots - 1;
    for (uint32_t id = 0; id < s->nids; id++) {
        uint64_t h = s->khash[id];
        size_t i = (size_t)h & s->islot_mask;
        while (s->islot[i])
            i = (i + 1) & s->islot_mask;
        s->islot[i] = ((h >> 32) << 32) | ((uint64_t)id + 1);
    }
}

/* XXH3-64 of a token.  Tokens are short: for <= 16 bytes call XXH3's short-input kernel
 * (what XXH3_64bits_withSeed() dispatches to) inline, saving a call and the length
 * dispatch per token; the result is the same XXH3_64bits_withSeed() value. */
static inline __attribute__((always_inline)) uint64_t
key_hash(const ef_ngram_scratch *s, const unsigned char *key, size_t nbytes) {
#if XXH_VERSION_NUMBER >= 800 && XXH_VERSION_NUMBER < 900
    if (nbytes <= 16)
        return XXH3_len_0to16_64b(key, nbytes, XXH3_kSecret, s->seed);
#endif
    return XXH3_64bits_withSeed(key, nbytes, s->seed);
}

static inline __attribute__((always_inline)) int key_equal(const unsigned char *a,
                                                           const unsigned char *b, size_t n) {
    if (n > 16)
        return memcmp(a, b, n) == 0;
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}

static inline __attribute__((always_inline)) uint32_t
intern_one(ef_ngram_scratch *s, const unsigned char *key, size_t nbytes) {
    uint64_t h = key_hash(s, key, nbytes);
    uint64_t tag = h >> 32;
    size_t i = (size_t)h & s->islot_mask;
    for (;;) {
        uint64_t e = s->islot[i];
        if (e == 0)
            break;
        if ((e >> 32) == tag) {
            uint32_t id = (uint32_t)e - 1;
            if (s->klen[id] == nbytes && key_equal(s->kptr[id], key, nbytes))
                return id;
        }
        i = (i + 1) & s->islot_mask;
    }
    assert(s->nids < s->kmax);
    uint32_t id = s->nids++;
    s->kptr[id] = key;
    s->klen[id] = nbytes;
    s->khash[id] = h;
    if (2 * (size_t)s->nids > s->islot_mask + 1 && s->islot_mask + 1 < s->islot_max) {
        intern_grow(s); /* reinserts every id, this one included */
        return id;
    }
    s->islot[i] = (tag << 32) | ((uint64_t)id + 1);
    return id;
}

uint32_t ef_ngram_intern(ef_ngram_scratch *s, const void *key, size_t nbytes) {
    return intern_one(s, key, nbytes);
}

/*
 * Tokens of at most 8 bytes in a padded buffer (F1, ROUGE) skip byte hashing: an 8-byte
 * load masked to the token is the key itself, mixed with XXH3's avalanche; equality is
 * one compare of (length, word).  Longer tokens take the XXH3 byte path.  Within one
 * interning round a token always takes the same path, so ids stay consistent.
 */
static inline __attribute__((always_inline)) uint64_t small_word(const unsigned char *p,
                                                                 size_t len) {
    uint64_t w;
    memcpy(&w, p, sizeof(w)); /* the buffer is readable 8 bytes past any token start */
    return len == 8 ? w : w & (((uint64_t)1 << (8 * len)) - 1); /* little-endian */
}

static inline __attribute__((always_inline)) uint64_t small_hash(const ef_ngram_scratch *s,
                                                                 uint64_t w, size_t len) {
    return XXH3_avalanche((w ^ s->seed) + (uint64_t)len * 0x9E3779B97F4A7C15ull);
}

/* intern a key of len <= 8 bytes whose little-endian word is w */
static inline __attribute__((always_inline)) uint32_t
intern_small(ef_ngram_scratch *s, const unsigned char *key, size_t len, uint64_t w) {
    uint64_t h = small_hash(s, w, len);
    uint64_t tag = h >> 32;
    size_t i = (size_t)h & s->islot_mask;
    for (;;) {
        uint64_t e = s->islot[i];
        if (e == 0)
            break;
        if ((e >> 32) == tag) {
            uint32_t id = (uint32_t)e - 1;
            if (s->klen[id] == len && s->kword[id] == w)
                return id;
        }
        i = (i + 1) & s->islot_mask;
    }
    assert(s->nids < s->kmax);
    uint32_t id = s->nids++;
    s->kptr[id] = key;
    s->klen[id] = len;
    s->khash[id] = h;
    s->kword[id] = w;
    if (2 * (size_t)s->nids > s->islot_mask + 1 && s->islot_mask + 1 < s->islot_max) {
        intern_grow(s);
        return id;
    }
    s->islot[i] = (tag << 32) | ((uint64_t)id + 1);
    return id;
}

static inline __attribute__((always_inline)) uint32_t
intern_span(ef_ngram_scratch *s, const unsigned char *key, size_t len) {
    if (len > 8)
        return intern_one(s, key, len);
    return intern_small(s, key, len, small_word(key, len));
}

static inline __attribute__((always_inline)) uint32_t
lookup_one(const ef_ngram_scratch *s, const unsigned char *key, size_t nbytes);

static inline __attribute__((always_inline)) uint32_t
lookup_span(const ef_ngram_scratch *s, const unsigned char *key, size_t len) {
    if (len > 8)
        return lookup_one(s, key, len);
    uint64_t w = small_word(key, len);
    uint64_t h = small_hash(s, w, len);
    uint64_t tag = h >> 32;
    size_t i = (size_t)h & s->islot_mask;
    for (;;) {
        uint64_t e = s->islot[i];
        if (e == 0)
            return UINT32_MAX;
        if ((e >> 32) == tag) {
            uint32_t id = (uint32_t)e - 1;
            if (s->klen[id] == len && s->kword[id] == w)
                return id;
        }
        i = (i + 1) & s->islot_mask;
    }
}

void ef_ngram_intern_spans(ef_ngram_scratch *s, const unsigned char *base, const size_t *spans,
                           size_t n, uint32_t *ids) {
    for (size_t i = 0; i < n; i++)
        ids[i] = intern_span(s, base + spans[2 * i], spans[2 * i + 1] - spans[2 * i]);
}

/* id of key if interned this round, else UINT32_MAX */
static inline __attribute__((always_inline)) uint32_t
lookup_one(const ef_ngram_scratch *s, const unsigned char *key, size_t nbytes) {
    uint64_t h = key_hash(s, key, nbytes);
    uint64_t tag = h >> 32;
    size_t i = (size_t)h & s->islot_mask;
    for (;;) {
        uint64_t e = s->islot[i];
        if (e == 0)
            return UINT32_MAX;
        if ((e >> 32) == tag) {
            uint32_t id = (uint32_t)e - 1;
            if (s->klen[id] == nbytes && key_equal(s->kptr[id], key, nbytes))
                return id;
        }
        i = (i + 1) & s->islot_mask;
    }
}

int ef_ngram_unigram_overlap(ef_ngram_scratch *s, const unsigned char *abase, const size_t *aspans,
                             size_t na, const unsigned char *bbase, const size_t *bspans, size_t nb,
                             uint64_t *common) {
    *common = 0;
    if (na == 0 || nb == 0)
        return 0;
    if (na > EF_NGRAM_MAX_TOKENS || nb > EF_NGRAM_MAX_TOKENS || RESERVE(s, ida, na) ||
        ef_ngram_intern_reset(s, na))
        return -1;
    ef_ngram_intern_spans(s, abase, aspans, na, s->ida);
    if (RESERVE(s, cnt, s->nids))
        return -1;
    uint32_t *cnt = s->cnt;
    memset(cnt, 0, s->nids * sizeof(*cnt));
    for (size_t i = 0; i < na; i++)
        cnt[s->ida[i]]++;
    uint64_t m = 0;
    for (size_t j = 0; j < nb; j++) {
        uint32_t id = lookup_span(s, bbase + bspans[2 * j], bspans[2 * j + 1] - bspans[2 * j]);
        if (id != UINT32_MAX && cnt[id]) {
            cnt[id]--;
            m++;
        }
    }
    *common = m;
    return 0;
}

int ef_ngram_intern_tokens(ef_ngram_scratch *s, const ef_tokens *ref, const ef_tokens *hyp) {
    size_t na = ref->n, nb = hyp->n;
    if (na > EF_NGRAM_MAX_TOKENS || nb > EF_NGRAM_MAX_TOKENS)
        return -1;
    if (RESERVE(s, ida, na ? na : 1) || RESERVE(s, idb, nb ? nb : 1))
        return -1;
    if (ef_ngram_intern_reset(s, na + nb))
        return -1;
    const ef_tokens *side[2] = {ref, hyp};
    uint32_t *out[2] = {s->ida, s->idb};
    for (int k = 0; k < 2; k++) {
        const ef_tokens *t = side[k];
        const unsigned char *arena = (const unsigned char *)t->arena;
        for (size_t i = 0; i < t->n; i++) {
            size_t off = t->off[i], len = t->len[i];
            const unsigned char *p = arena + off;
            if (len > 8) {
                out[k][i] = intern_one(s, p, len);
                continue;
            }
            /* a short token: its word from one load if the arena allocation reaches 8
             * bytes past it (bytes past the token are masked off), else byte by byte */
            uint64_t w = 0;
            if (off + 8 <= t->cap) {
                w = small_word(p, len);
            } else {
                for (size_t j = 0; j < len; j++)
                    w |= (uint64_t)p[j] << (8 * j);
            }
            out[k][i] = intern_small(s, p, len, w);
        }
    }
    return 0;
}

/* An n-gram key is two 32-bit ids: xxHash's XXH3 avalanche (one multiply) over the
 * seeded key mixes it fully, at a fraction of the cost of hashing it as 8 bytes. */
static inline uint64_t pair_hash(const ef_ngram_scratch *s, uint64_t key) {
    return XXH3_avalanche(key ^ s->seed);
}

/*
 * Order by order.  ca / cb count occurrences per gram id on each side; ids of order 1
 * are the token ids, ids of order n >= 2 are allocated here from s->nids upwards, so
 * orders never share ids.  Only side a inserts n-grams; side b only looks them up and
 * adds min(ca, cb) online.  A position whose gram does not occur on the other side is
 * marked DEAD: none of its extensions can match, so it is never hashed again.
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

    /* pair table: memory for 2 * na slots, used from FIRST_SLOTS up (see pair_grow) */
    size_t pmax = pow2_at_least(2 * na);
    if (RESERVE(s, ga, na) || RESERVE(s, gb, nb) || RESERVE(s, pkey, pmax) ||
        RESERVE(s, pval, pmax) || RESERVE(s, gkey, na))
        return -1;
    uint32_t *ga = s->ga, *gb = s->gb;
    uint64_t *pkey = s->pkey, *gkey = s->gkey;
    uint32_t *pval = s->pval;
    memcpy(ga, ida, na * sizeof(*ga));
    memcpy(gb, idb, nb * sizeof(*gb));

    uint32_t next = V;
    for (int n = 2; n <= maxn; n++) {
        if (na < (size_t)n || nb < (size_t)n)
            break;
        size_t la = na - (size_t)n + 1, lb = nb - (size_t)n + 1;
        uint32_t first = next;
        size_t pslots = pmax < FIRST_SLOTS ? pmax : FIRST_SLOTS;
        size_t pmask = pslots - 1;
        memset(pval, 0, pslots * sizeof(*pval));
        /* side a: extend each live (n-1)-gram by its next token, inserting */
        for (size_t i = 0; i < la; i++) {
            uint32_t g = ga[i];
            uint32_t t = ida[i + (size_t)n - 1];
            if (g == DEAD || cb[g] == 0 || cb[t] == 0) { /* prefix or last token unmatched */
                ga[i] = DEAD;
                continue;
            }
            uint64_t key = ((uint64_t)g << 32) | t;
            size_t h = (size_t)pair_hash(s, key) & pmask;
            for (;;) {
                uint32_t v = pval[h];
                if (v == 0) {
                    g = next++;
                    pkey[h] = key;
                    pval[h] = g + 1;
                    gkey[g - first] = key;
                    ca[g] = 0;
                    cb[g] = 0;
                    if (2 * (size_t)(next - first) > pslots && pslots < pmax) {
                        /* double and reinsert this order's grams (ids first..next-1) */
                        pslots *= 2;
                        pmask = pslots - 1;
                        memset(pval, 0, pslots * sizeof(*pval));
                        for (uint32_t id = first; id < next; id++) {
                            uint64_t k2 = gkey[id - first];
                            size_t h2 = (size_t)pair_hash(s, k2) & pmask;
                            while (pval[h2])
                                h2 = (h2 + 1) & pmask;
                            pkey[h2] = k2;
                            pval[h2] = id + 1;
                        }
                    }
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
        m = 0;
        for (size_t j = 0; j < lb; j++) {
            uint32_t g = gb[j];
            uint32_t t = idb[j + (size_t)n - 1];
            if (g == DEAD || ca[g] == 0 || ca[t] == 0) {
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
            if (g != DEAD) {
                m += cb[g] < ca[g]; /* sum of min(ca, cb), counted online */
                cb[g]++;
            }
        }
        matches[n - 1] = m;
        if (m == 0)
            break;
    }
    return 0;
}

/*
 * One order only (ROUGE-N): every window ida[i .. i+n) is interned as a byte string of
 * 4n bytes (a second interning round; the token ids stay in ida / idb), side b is looked
 * up, and min(ca, cb) is summed online.  One probe per window instead of one per order.
 */
int ef_ngram_match_order(ef_ngram_scratch *s, size_t na, size_t nb, int n, uint64_t *matches) {
    assert(n >= 1 && n <= EF_NGRAM_MAX_ORDER);
    *matches = 0;
    if (na < (size_t)n || nb < (size_t)n)
        return 0;
    size_t la = na - (size_t)n + 1, lb = nb - (size_t)n + 1;
    const size_t klen = (size_t)n * sizeof(uint32_t);
    if (RESERVE(s, ga, la) || ef_ngram_intern_reset(s, la))
        return -1;
    const unsigned char *a = (const unsigned char *)s->ida, *b = (const unsigned char *)s->idb;
    uint32_t *ga = s->ga;
    for (size_t i = 0; i < la; i++)
        ga[i] = intern_one(s, a + i * sizeof(uint32_t), klen);
    if (RESERVE(s, cnt, 2 * (size_t)s->nids))
        return -1;
    uint32_t *ca = s->cnt, *cb = s->cnt + s->nids;
    memset(s->cnt, 0, 2 * (size_t)s->nids * sizeof(*s->cnt));
    for (size_t i = 0; i < la; i++)
        ca[ga[i]]++;
    uint64_t m = 0;
    for (size_t j = 0; j < lb; j++) {
        uint32_t g = lookup_one(s, b + j * sizeof(uint32_t), klen);
        if (g != UINT32_MAX) {
            m += cb[g] < ca[g];
            cb[g]++;
        }
    }
    *matches = m;
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
