/*
 * ngram_count.h - shared machinery of the n-gram text metrics (F1, BLEU, GLEU, ROUGE).
 *
 * What it does
 *   - interns token byte strings into dense uint32 ids (open-addressing hash table with
 *     linear probing, xxHash XXH3-64 with a per-scratch random seed);
 *   - counts clipped n-gram matches between two id sequences for orders 1..N, the
 *     "sum over distinct n-grams of min(count_a, count_b)" used by every metric here.
 *     An n-gram of order n is interned as the pair (id of its (n-1)-gram prefix, id of
 *     its last token), so each order costs one 64-bit-key hash lookup per position
 *     (key mixed with XXH3's avalanche) and no n-gram is ever materialised.  Positions
 *     whose n-gram is absent from the other text are never extended;
 *   - hash tables start small and double while more than half full, within memory
 *     reserved per call, so they stay as small (and as cache-resident) as the number of
 *     distinct keys allows;
 *   - computes the longest-common-subsequence length of two id sequences
 *     (bit-parallel when the match masks fit EF_NGRAM_LCS_MASK_WORDS, else a
 *     one-row dynamic programme in O(min(na, nb)) memory).
 *
 * Memory ownership
 *   An ef_ngram_scratch owns every buffer used by the metrics.  Buffers grow on demand
 *   and are kept for reuse until ef_ngram_scratch_destroy(); nothing is allocated per
 *   token or per n-gram.  A scratch is plain data with one owner: use one per thread.
 *   Interned keys are *borrowed*: ef_ngram_intern() stores the caller's pointer, which
 *   must stay valid until the next ef_ngram_intern_reset() on the same scratch.
 *
 * Everything below the public section is shared by f1.c, bleu.c, gleu.c, rouge.c and
 * the unit test only; other code should use just the public API.
 */
#ifndef EF_NGRAM_COUNT_H
#define EF_NGRAM_COUNT_H

#include <stddef.h>
#include <stdint.h>

#include "tokens.h"

/* ------------------------------------------------------------------ public API */

typedef struct ef_ngram_scratch ef_ngram_scratch;

/* A new, empty scratch (the ~5 KiB struct; buffers come on first use). NULL on out of
 * memory. */
ef_ngram_scratch *ef_ngram_scratch_new(void);
/* Free the scratch and all its buffers. NULL is fine. */
void ef_ngram_scratch_destroy(ef_ngram_scratch *s);

/* ------------------------------------------- internal API of the ef_ngram modules */

/* Highest n-gram order any metric asks for (ROUGE-5). */
#define EF_NGRAM_MAX_ORDER 5
/* Hard cap on tokens per text; past it a metric returns -1 (ids are 32-bit and the
 * tables hold ~100 bytes per token). ef_tokens already caps at EF_TOKENS_MAX. */
#define EF_NGRAM_MAX_TOKENS ((size_t)64 * 1024 * 1024)
/* Hard cap on na * nb for the LCS (ROUGE-L); past it ef_ngram_lcs() returns -1.
 * 2^32 cells is e.g. 65536 x 65536 tokens: ~0.1 s bit-parallel, ~5 s with the DP. */
#define EF_NGRAM_LCS_MAX_CELLS ((uint64_t)1 << 32)
/* Budget (in 64-bit words, 8 MiB) for the per-symbol match masks of the bit-parallel
 * LCS; if distinct_symbols * ceil(min_len / 64) exceeds it the row DP is used. */
#define EF_NGRAM_LCS_MASK_WORDS ((size_t)1 << 20)

#define EF_NGRAM_UCACHE 512 /* entries of the code point cache (power of two) */

struct ef_ngram_scratch {
    uint64_t seed; /* XXH3 seed, random per scratch (results never depend on it) */

    /* token interning: slot = (hash high 32 bits << 32) | (id + 1); 0 = empty */
    uint64_t *islot;
    size_t islot_cap;           /* allocated slots */
    size_t islot_mask;          /* slots in use - 1 (power of two; grows within the round) */
    size_t islot_max;           /* slots reserved for this round */
    const unsigned char **kptr; /* per id: borrowed key, its length and hash */
    size_t *klen;
    uint64_t *khash;
    uint64_t *kword; /* keys of <= 8 bytes as a little-endian word (span interning) */
    size_t kptr_cap, klen_cap, khash_cap, kword_cap;
    size_t kmax;   /* keys reserved by ef_ngram_intern_reset() */
    uint32_t nids; /* distinct keys interned since the last reset */

    /* id sequences of the two texts (a = reference side, b = hypothesis side) */
    uint32_t *ida, *idb;
    size_t ida_cap, idb_cap;

    /* n-gram levels: gram ids per start position, pair table, counts by gram id */
    uint32_t *ga, *gb;
    size_t ga_cap, gb_cap;
    uint64_t *pkey;
    uint32_t *pval; /* id + 1; 0 = empty */
    size_t pkey_cap, pval_cap;
    uint64_t *gkey; /* key of each gram id of the current order, for rehashing */
    size_t gkey_cap;
    uint32_t *cnt;
    size_t cnt_cap;

    /* LCS: DP row / bit vector, symbol map, match masks */
    uint32_t *row;
    size_t row_cap;
    uint64_t *vbits;
    size_t vbits_cap;
    uint32_t *sym; /* id -> symbol index + 1 (0: not in the shorter text) */
    size_t sym_cap;
    uint64_t *masks;
    size_t masks_cap;

    /* F1: cache of Python character properties of recent non-ASCII code points */
    uint32_t ucache_key[EF_NGRAM_UCACHE], ucache_val[EF_NGRAM_UCACHE];

    /* normalised token bytes of the two texts (F1, ROUGE); token (start, end) pairs */
    unsigned char *tba, *tbb;
    size_t tba_cap, tbb_cap;
    size_t *spa, *spb;
    size_t *rsp;  /* F1 normaliser: raw token transitions ... */
    size_t *otok; /* ... and the tokens holding a non-\w character */
    size_t rsp_cap, otok_cap;
    size_t spa_cap, spb_cap;
};

/* Make *buf hold at least `need` elements of `elem` bytes (contents preserved).
 * Returns 0, or -1 on out of memory / size overflow (then *buf is unchanged). */
int ef_ngram_reserve(void **buf, size_t *cap, size_t need, size_t elem);

/* Start a new interning round for at most max_keys keys (all earlier ids forgotten).
 * Returns 0, or -1 on out of memory or max_keys > 2 * EF_NGRAM_MAX_TOKENS. */
int ef_ngram_intern_reset(ef_ngram_scratch *s, size_t max_keys);
/* Id of the key key[0..nbytes) (new ids are 0, 1, 2, ...). The pointer is borrowed.
 * At most max_keys calls per round (checked with assert only). */
uint32_t ef_ngram_intern(ef_ngram_scratch *s, const void *key, size_t nbytes);

/* Intern n tokens given as (start, end) offset pairs into base: ids[i] = id of token i.
 * Same contract as ef_ngram_intern(), plus: base must be readable (initialised) for 8
 * bytes from every token start (the F1 / ROUGE buffers are zero-padded), and a round
 * must not mix span interning with ef_ngram_intern() (short keys hash differently). */
void ef_ngram_intern_spans(ef_ngram_scratch *s, const unsigned char *base, const size_t *spans,
                           size_t n, uint32_t *ids);

/* Unigram overlap of two span-token lists (as for ef_ngram_intern_spans, both bases
 * padded): *common =
 * sum over distinct tokens of min(count in a, count in b).  Interns only side a (one
 * round) and looks side b up.  Returns 0, or -1 on out of memory / too many tokens. */
int ef_ngram_unigram_overlap(ef_ngram_scratch *s, const unsigned char *abase, const size_t *aspans,
                             size_t na, const unsigned char *bbase, const size_t *bspans, size_t nb,
                             uint64_t *common);

/* Intern both token arrays in one round (short tokens take the word path of
 * ef_ngram_intern_spans(), reading the arena's allocation past a token but using only
 * the token's bytes): s->ida[0..ref->n), s->idb[0..hyp->n).
 * Returns 0, or -1 on out of memory / more than EF_NGRAM_MAX_TOKENS tokens. */
int ef_ngram_intern_tokens(ef_ngram_scratch *s, const ef_tokens *ref, const ef_tokens *hyp);

/* Clipped matches of s->ida[0..na) against s->idb[0..nb) (ids from the current round):
 * matches[k] = sum over distinct (k+1)-grams g of min(count_a(g), count_b(g)) for
 * k = 0..maxn-1 (1 <= maxn <= EF_NGRAM_MAX_ORDER).  Returns 0, or -1 on out of memory. */
int ef_ngram_match(ef_ngram_scratch *s, size_t na, size_t nb, int maxn, uint64_t *matches);

/* Like ef_ngram_match() but for the single order n: *matches = sum over distinct n-grams
 * of min(count_a, count_b).  Starts a new interning round (the ids in s->ida / s->idb
 * are kept).  Returns 0, or -1 on out of memory. */
int ef_ngram_match_order(ef_ngram_scratch *s, size_t na, size_t nb, int n, uint64_t *matches);

/* Length of a longest common subsequence of a[0..na) and b[0..nb) (ids < s->nids).
 * force_dp != 0 selects the row DP (tests compare the two algorithms).
 * Returns 0, or -1 on out of memory or na * nb > EF_NGRAM_LCS_MAX_CELLS. */
int ef_ngram_lcs(ef_ngram_scratch *s, const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
                 int force_dp, size_t *lcs);

#endif
