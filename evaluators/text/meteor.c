/* meteor.c - see meteor.h. */
#include "meteor.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "porter_nltk.h"
#include "wordnet_syn.h"

/* ---- per-thread word cache: lowercased word -> stem, synonyms(stem) ------- */

/* Strings live in fixed blocks, so pointers stay valid until the cache is
 * dropped. */
typedef struct ablock {
    struct ablock *next;
    size_t used, cap;
    char data[];
} ablock;

typedef struct centry {
    const char *key; /* lowercased word */
    const char *stem;
    uint64_t h, sh; /* hashes of key and stem */
    uint32_t klen, slen;
    int32_t syn_n;    /* -1: synonyms not computed yet */
    uint32_t syn_off; /* first name in ef_meteor_scratch.syn */
} centry;

/* Drop the cache when it grows past these (checked between calls). */
#define CACHE_MAX_WORDS (128u * 1024u)
#define CACHE_MAX_NAMES (512u * 1024u)
#define CACHE_MAX_BYTES ((size_t)16 * 1024 * 1024)

/* A word of the current call: points into the scratch arena or the cache. */
typedef struct mword {
    const char *s;
    uint32_t len;
    uint64_t h;
} mword;

struct ef_meteor_scratch {
    /* cache */
    ablock *blocks;
    size_t block_bytes;
    centry *ce;
    size_t nce, cecap;
    uint32_t *cslot; /* entry index + 1 */
    size_t cmask;
    ef_wn_name *syn;
    size_t nsyn, syncap;
    ef_wn_names tmp;

    /* per call */
    char *arena; /* lowercased tokens */
    size_t acap;
    size_t wcap; /* capacity of the per-word arrays below */
    mword *hw, *rw;
    int32_t *hce, *rce; /* cache entry of each word (-1: not looked up) */
    int32_t *hmatch, *rmatch;
    int32_t *prev;    /* per reference position: next lower position, same word */
    int32_t *hl, *rl; /* still unmatched positions, ascending */
    /* per-stage map: distinct reference word -> id */
    uint32_t *lslot;
    size_t lslotcap;
    mword *lword;
    int32_t *top; /* per id: highest unmatched position, -1 if none */
    size_t last_exact, last_stem, last_syn;
};

static void cache_clear(ef_meteor_scratch *s) {
    for (ablock *b = s->blocks, *n; b; b = n) {
        n = b->next;
        free(b);
    }
    s->blocks = NULL;
    s->block_bytes = 0;
    s->nce = 0;
    s->nsyn = 0;
    if (s->cslot)
        memset(s->cslot, 0, (s->cmask + 1) * sizeof(*s->cslot));
}

static char *cache_alloc(ef_meteor_scratch *s, size_t n) {
    ablock *b = s->blocks;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > 65536 - sizeof(ablock) ? n : 65536 - sizeof(ablock);
        b = malloc(sizeof(ablock) + cap);
        if (!b)
            return NULL;
        b->next = s->blocks;
        b->used = 0;
        b->cap = cap;
        s->blocks = b;
        s->block_bytes += sizeof(ablock) + cap;
    }
    char *p = b->data + b->used;
    b->used += n;
    return p;
}

static int cache_rehash(ef_meteor_scratch *s, size_t slots) {
    uint32_t *ns = calloc(slots, sizeof(*ns));
    if (!ns)
        return -1;
    size_t mask = slots - 1;
    for (size_t e = 0; e < s->nce; e++) {
        size_t i = (size_t)s->ce[e].h & mask;
        while (ns[i])
            i = (i + 1) & mask;
        ns[i] = (uint32_t)(e + 1);
    }
    free(s->cslot);
    s->cslot = ns;
    s->cmask = mask;
    return 0;
}

/* Cache entry of the lowercased word w (stemmed on first sight); -1 on OOM. */
static int32_t cache_get(ef_meteor_scratch *s, const mword *w) {
    size_t i = (size_t)w->h & s->cmask;
    for (;; i = (i + 1) & s->cmask) {
        uint32_t k = s->cslot[i];
        if (!k)
            break;
        const centry *e = &s->ce[k - 1];
        if (e->h == w->h && e->klen == w->len && memcmp(e->key, w->s, w->len) == 0)
            return (int32_t)(k - 1);
    }
    if (s->nce == s->cecap) {
        size_t nc = s->cecap ? s->cecap * 2 : 1024;
        centry *ne = realloc(s->ce, nc * sizeof(*ne));
        if (!ne)
            return -1;
        s->ce = ne;
        s->cecap = nc;
    }
    char *key = cache_alloc(s, w->len + 1);
    size_t scap = EF_PORTER_MAX((size_t)w->len);
    char *stem = cache_alloc(s, scap);
    if (!key || !stem)
        return -1;
    memcpy(key, w->s, w->len);
    key[w->len] = '\0';
    long sl = ef_porter_stem_nolower(key, w->len, stem, scap);
    if (sl < 0)
        return -1;
    centry *e = &s->ce[s->nce];
    *e = (centry){key, stem, w->h, XXH3_64bits(stem, (size_t)sl), w->len, (uint32_t)sl, -1, 0};
    s->cslot[i] = (uint32_t)(++s->nce);
    if (s->nce * 2 > s->cmask + 1 && cache_rehash(s, (s->cmask + 1) * 2))
        return -1;
    return (int32_t)(s->nce - 1);
}

/* Synonym set of entry e's stem (computed once). */
static int cache_syn(ef_meteor_scratch *s, const ef_wordnet *wn, centry *e, ef_wn_names *view) {
    if (e->syn_n < 0) {
        if (ef_wordnet_synonyms_lowered(wn, e->stem, e->slen, &s->tmp))
            return -1;
        if (s->nsyn + s->tmp.n > s->syncap) {
            size_t nc = s->syncap ? s->syncap : 4096;
            while (nc < s->nsyn + s->tmp.n)
                nc *= 2;
            ef_wn_name *ns = realloc(s->syn, nc * sizeof(*ns));
            if (!ns)
                return -1;
            s->syn = ns;
            s->syncap = nc;
        }
        if (s->tmp.n)
            memcpy(s->syn + s->nsyn, s->tmp.v, s->tmp.n * sizeof(*s->syn));
        e->syn_off = (uint32_t)s->nsyn;
        e->syn_n = (int32_t)s->tmp.n;
        s->nsyn += s->tmp.n;
    }
    view->v = s->syn ? s->syn + e->syn_off : NULL; /* no synonyms cached yet */
    view->n = view->cap = (size_t)e->syn_n;
    return 0;
}

/* ---- scratch --------------------------------------------------------------- */

ef_meteor_scratch *ef_meteor_scratch_new(void) {
    ef_meteor_scratch *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    if (cache_rehash(s, 4096)) {
        free(s);
        return NULL;
    }
    return s;
}

void ef_meteor_scratch_destroy(ef_meteor_scratch *s) {
    if (!s)
        return;
    cache_clear(s);
    free(s->ce);
    free(s->cslot);
    free(s->syn);
    ef_wn_names_free(&s->tmp);
    free(s->arena);
    free(s->hw);
    free(s->rw);
    free(s->hce);
    free(s->rce);
    free(s->hmatch);
    free(s->rmatch);
    free(s->prev);
    free(s->hl);
    free(s->rl);
    free(s->lslot);
    free(s->lword);
    free(s->top);
    free(s);
}

void ef_meteor_last_matches(const ef_meteor_scratch *s, size_t *exact, size_t *stem,
                            size_t *synonym) {
    *exact = s->last_exact;
    *stem = s->last_stem;
    *synonym = s->last_syn;
}

int ef_meteor_init(char *errstr, size_t errstr_size) {
    return ef_wordnet_get(errstr, errstr_size) ? 0 : -1;
}

#define GROW(p, n)                                                                                 \
    do {                                                                                           \
        void *np_ = realloc((p), (n) * sizeof(*(p)));                                              \
        if (!np_)                                                                                  \
            return -1;                                                                             \
        (p) = np_;                                                                                 \
    } while (0)

static int ensure_words(ef_meteor_scratch *s, size_t n) {
    if (n <= s->wcap)
        return 0;
    size_t c = s->wcap ? s->wcap : 64;
    while (c < n)
        c *= 2;
    GROW(s->hw, c);
    GROW(s->rw, c);
    GROW(s->hce, c);
    GROW(s->rce, c);
    GROW(s->hmatch, c);
    GROW(s->rmatch, c);
    GROW(s->prev, c);
    GROW(s->hl, c);
    GROW(s->rl, c);
    GROW(s->lword, c);
    GROW(s->top, c);
    size_t slots = 16;
    while (slots < c * 2)
        slots *= 2;
    GROW(s->lslot, slots);
    s->lslotcap = slots;
    s->wcap = c;
    return 0;
}

/* ---- the per-stage reference-word map ---------------------------------------- */

typedef struct lmap {
    uint32_t *slot;
    size_t mask;
    size_t n;
} lmap;

static void lmap_reset(ef_meteor_scratch *s, lmap *m, size_t nwords) {
    size_t slots = 16;
    while (slots < nwords * 2)
        slots *= 2; /* <= lslotcap: nwords <= wcap */
    memset(s->lslot, 0, slots * sizeof(*s->lslot));
    m->slot = s->lslot;
    m->mask = slots - 1;
    m->n = 0;
}

static int32_t lmap_find(const ef_meteor_scratch *s, const lmap *m, const mword *w) {
    for (size_t i = (size_t)w->h & m->mask;; i = (i + 1) & m->mask) {
        uint32_t k = m->slot[i];
        if (!k)
            return -1;
        const mword *x = &s->lword[k - 1];
        if (x->h == w->h && x->len == w->len && memcmp(x->s, w->s, w->len) == 0)
            return (int32_t)(k - 1);
    }
}

static int32_t lmap_put(ef_meteor_scratch *s, lmap *m, const mword *w) {
    size_t i = (size_t)w->h & m->mask;
    for (;; i = (i + 1) & m->mask) {
        uint32_t k = m->slot[i];
        if (!k)
            break;
        const mword *x = &s->lword[k - 1];
        if (x->h == w->h && x->len == w->len && memcmp(x->s, w->s, w->len) == 0)
            return (int32_t)(k - 1);
    }
    s->lword[m->n] = *w;
    s->top[m->n] = -1;
    m->slot[i] = (uint32_t)(++m->n);
    return (int32_t)(m->n - 1);
}

/* Positions of the reference words in rword[rl[k]] pushed on per-word stacks
 * (ascending, so the top is the rightmost, as NLTK's list.pop()). */
static void push_refs(ef_meteor_scratch *s, lmap *m, const mword *rword, size_t nrl) {
    lmap_reset(s, m, nrl);
    for (size_t k = 0; k < nrl; k++) {
        int32_t j = s->rl[k];
        int32_t id = lmap_put(s, m, &rword[j]);
        s->prev[j] = s->top[id];
        s->top[id] = j;
    }
}

/* NLTK _match_enums() on words hword/rword over the unmatched positions. */
static size_t match_exact(ef_meteor_scratch *s, const mword *hword, const mword *rword, size_t nhl,
                          size_t nrl) {
    lmap m;
    size_t got = 0;
    push_refs(s, &m, rword, nrl);
    for (size_t k = nhl; k-- > 0;) {
        int32_t i = s->hl[k];
        int32_t id = lmap_find(s, &m, &hword[i]);
        if (id < 0 || s->top[id] < 0)
            continue;
        int32_t j = s->top[id];
        s->top[id] = s->prev[j];
        s->hmatch[i] = j;
        s->rmatch[j] = i;
        got++;
    }
    return got;
}

/* Drop matched positions from hl / rl. */
static void compact(ef_meteor_scratch *s, size_t *nhl, size_t *nrl) {
    size_t a = 0;
    for (size_t k = 0; k < *nhl; k++)
        if (s->hmatch[s->hl[k]] < 0)
            s->hl[a++] = s->hl[k];
    *nhl = a;
    a = 0;
    for (size_t k = 0; k < *nrl; k++)
        if (s->rmatch[s->rl[k]] < 0)
            s->rl[a++] = s->rl[k];
    *nrl = a;
}

static int word_eq(const mword *a, const mword *b) {
    return a->h == b->h && a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
}

/* NLTK _enum_wordnetsyn_match() on the stems: for each unmatched hypothesis
 * word from the right, the rightmost unmatched reference position whose stem
 * is the hypothesis stem or one of its WordNet synonyms. */
static long match_synonyms(ef_meteor_scratch *s, const ef_wordnet *wn, size_t nhl, size_t nrl) {
    lmap m;
    size_t got = 0;
    push_refs(s, &m, s->rw, nrl);
    size_t nid = m.n;
    for (size_t k = nhl; k-- > 0;) {
        int32_t i = s->hl[k];
        centry *e = &s->ce[s->hce[i]];
        ef_wn_names syn;
        if (cache_syn(s, wn, e, &syn))
            return -1;
        const mword *hs = &s->hw[i];
        int32_t best = -1, bid = -1;
        if (syn.n + 1 < nid) { /* walk the synonyms (as NLTK does) */
            int32_t id = lmap_find(s, &m, hs);
            if (id >= 0 && s->top[id] > best) {
                best = s->top[id];
                bid = id;
            }
            for (size_t q = 0; q < syn.n; q++) {
                mword w = {syn.v[q].s, syn.v[q].len, syn.v[q].hash};
                id = lmap_find(s, &m, &w);
                if (id >= 0 && s->top[id] > best) {
                    best = s->top[id];
                    bid = id;
                }
            }
        } else { /* walk the distinct reference words */
            for (int32_t id = 0; id < (int32_t)nid; id++) {
                if (s->top[id] <= best)
                    continue;
                const mword *rwd = &s->lword[id];
                if (word_eq(rwd, hs) || ef_wn_names_contains(&syn, rwd->s, rwd->len, rwd->h)) {
                    best = s->top[id];
                    bid = id;
                }
            }
        }
        if (bid < 0)
            continue;
        s->top[bid] = s->prev[best];
        s->hmatch[i] = best;
        s->rmatch[best] = i;
        got++;
    }
    return (long)got;
}

static int lower_all(ef_meteor_scratch *s, const ef_tokens *t, mword *out, size_t *pos) {
    for (size_t i = 0; i < t->n; i++) {
        size_t len = ef_tokens_len(t, i);
        size_t ln = ef_pylower(ef_tokens_at(t, i), len, s->arena + *pos);
        if (ln > UINT32_MAX)
            return -1;
        out[i].s = s->arena + *pos; /* the arena was sized for all tokens up front */
        out[i].len = (uint32_t)ln;
        out[i].h = XXH3_64bits(s->arena + *pos, ln);
        *pos += ln;
    }
    return 0;
}

int ef_meteor_score(ef_meteor_scratch *s, const ef_tokens *ref, const ef_tokens *hyp, double alpha,
                    double beta, double gamma, double *score) {
    const ef_wordnet *wn = ef_wordnet_get(NULL, 0);
    if (!wn)
        return -1;
    size_t nh = hyp->n, nr = ref->n;
    s->last_exact = s->last_stem = s->last_syn = 0;
    *score = 0.0;
    if (nh == 0 || nr == 0) /* NLTK: ZeroDivisionError -> 0.0 */
        return 0;
    if (s->nce > CACHE_MAX_WORDS || s->nsyn > CACHE_MAX_NAMES || s->block_bytes > CACHE_MAX_BYTES)
        cache_clear(s);
    if (ensure_words(s, nh > nr ? nh : nr))
        return -1;

    /* 1. lowercase (Python str.lower()) */
    size_t need = 0;
    for (size_t i = 0; i < nh; i++)
        need += EF_PYLOWER_MAX(ef_tokens_len(hyp, i));
    for (size_t j = 0; j < nr; j++)
        need += EF_PYLOWER_MAX(ef_tokens_len(ref, j));
    if (need > s->acap) {
        size_t c = s->acap ? s->acap : 4096;
        while (c < need)
            c *= 2;
        char *a = realloc(s->arena, c);
        if (!a)
            return -1;
        s->arena = a;
        s->acap = c;
    }
    size_t pos = 0;
    if (lower_all(s, hyp, s->hw, &pos) || lower_all(s, ref, s->rw, &pos))
        return -1;
    for (size_t i = 0; i < nh; i++) {
        s->hmatch[i] = -1;
        s->hl[i] = (int32_t)i;
    }
    for (size_t j = 0; j < nr; j++) {
        s->rmatch[j] = -1;
        s->rl[j] = (int32_t)j;
    }
    size_t nhl = nh, nrl = nr;

    /* 2. exact matches */
    s->last_exact = match_exact(s, s->hw, s->rw, nhl, nrl);
    compact(s, &nhl, &nrl);

    /* 3. stem matches: from here on the words are the stems (NLTK passes the
     *    stemmed lists on to the synonym stage). */
    if (nhl && nrl) {
        for (size_t k = 0; k < nhl; k++) {
            int32_t i = s->hl[k];
            int32_t e = cache_get(s, &s->hw[i]);
            if (e < 0)
                return -1;
            s->hce[i] = e;
        }
        for (size_t k = 0; k < nrl; k++) {
            int32_t j = s->rl[k];
            int32_t e = cache_get(s, &s->rw[j]);
            if (e < 0)
                return -1;
            s->rce[j] = e;
        }
        /* entries are final now (s->ce may have moved while growing) */
        for (size_t k = 0; k < nhl; k++) {
            int32_t i = s->hl[k];
            const centry *e = &s->ce[s->hce[i]];
            s->hw[i] = (mword){e->stem, e->slen, e->sh};
        }
        for (size_t k = 0; k < nrl; k++) {
            int32_t j = s->rl[k];
            const centry *e = &s->ce[s->rce[j]];
            s->rw[j] = (mword){e->stem, e->slen, e->sh};
        }
        s->last_stem = match_exact(s, s->hw, s->rw, nhl, nrl);
        compact(s, &nhl, &nrl);
    }

    /* 4. WordNet synonym matches of the stems */
    if (nhl && nrl) {
        long got = match_synonyms(s, wn, nhl, nrl);
        if (got < 0)
            return -1;
        s->last_syn = (size_t)got;
    }

    /* 5. score, in NLTK's operation order */
    size_t matches = s->last_exact + s->last_stem + s->last_syn;
    if (matches == 0) /* fmean 0/0 or frag_frac x/0: ZeroDivisionError -> 0.0 */
        return 0;
    size_t chunks = 1;
    int32_t pi = -2, pj = -2;
    int first = 1;
    for (size_t i = 0; i < nh; i++) {
        int32_t j = s->hmatch[i];
        if (j < 0)
            continue;
        if (!first && !((int32_t)i == pi + 1 && j == pj + 1))
            chunks++;
        first = 0;
        pi = (int32_t)i;
        pj = j;
    }
    double precision = (double)matches / (double)nh;
    double recall = (double)matches / (double)nr;
    double den = alpha * precision + (1.0 - alpha) * recall;
    if (den == 0.0)
        return 0;
    double fmean = (precision * recall) / den;
    double frag_frac = (double)chunks / (double)matches;
    double penalty = gamma * pow(frag_frac, beta);
    *score = (1.0 - penalty) * fmean;
    return 0;
}
