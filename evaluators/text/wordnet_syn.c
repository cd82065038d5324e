/* wordnet_syn.c - see wordnet_syn.h. */
#include "wordnet_syn.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "porter_nltk.h"

#define NPOS 4 /* NLTK's POS_LIST order: n, v, a, r */
static const char *const pos_file[NPOS] = {"noun", "verb", "adj", "adv"};

/* ---- a string -> index hash map (open addressing, fixed capacity) ------- */

typedef struct smap_ent {
    const char *k;
    uint32_t klen;
    uint32_t val;
    uint64_t h;
} smap_ent;

typedef struct smap {
    smap_ent *e;
    size_t n, cap;
    uint32_t *slot; /* entry index + 1; 0 = empty */
    size_t mask;
} smap;

static int smap_init(smap *m, size_t cap) {
    size_t slots = 16;
    while (slots < cap * 2)
        slots *= 2;
    m->e = malloc((cap ? cap : 1) * sizeof(*m->e));
    m->slot = calloc(slots, sizeof(*m->slot));
    m->n = 0;
    m->cap = cap;
    m->mask = slots - 1;
    return (m->e && m->slot) ? 0 : -1;
}

static void smap_free(smap *m) {
    free(m->e);
    free(m->slot);
    memset(m, 0, sizeof(*m));
}

static long smap_find(const smap *m, const char *k, size_t kl, uint64_t h) {
    if (!m->slot)
        return -1;
    for (size_t i = (size_t)h & m->mask;; i = (i + 1) & m->mask) {
        uint32_t s = m->slot[i];
        if (!s)
            return -1;
        const smap_ent *e = &m->e[s - 1];
        if (e->h == h && e->klen == kl && memcmp(e->k, k, kl) == 0)
            return (long)(s - 1);
    }
}

/* Entry for k, created (val 0) if new; -1 if the map is full. */
static long smap_put(smap *m, const char *k, size_t kl, uint64_t h, int *created) {
    size_t i = (size_t)h & m->mask;
    for (;; i = (i + 1) & m->mask) {
        uint32_t s = m->slot[i];
        if (!s)
            break;
        const smap_ent *e = &m->e[s - 1];
        if (e->h == h && e->klen == kl && memcmp(e->k, k, kl) == 0) {
            *created = 0;
            return (long)(s - 1);
        }
    }
    if (m->n >= m->cap)
        return -1;
    m->e[m->n] = (smap_ent){k, (uint32_t)kl, 0, h};
    m->slot[i] = (uint32_t)(++m->n);
    *created = 1;
    return (long)(m->n - 1);
}

/* ---- the database --------------------------------------------------------- */

typedef struct lemma_pos {
    uint32_t off[NPOS]; /* first synset offset in ef_wordnet.offsets */
    uint16_t cnt[NPOS]; /* number of synsets (0: not in index.<pos>) */
} lemma_pos;

typedef struct exc_val {
    const char *p; /* the base forms: rest of the .exc line */
    uint32_t len;
} exc_val;

struct ef_wordnet {
    char dir[1024];
    char *idx_buf[NPOS], *exc_buf[NPOS];
    size_t idx_len[NPOS], exc_len[NPOS];
    const char *data[NPOS]; /* mmap of data.<pos> */
    size_t data_len[NPOS];
    smap lemmas; /* lemma -> lemma_pos index */
    lemma_pos *lpos;
    uint32_t *offsets;
    size_t noffsets, offcap;
    smap exc[NPOS]; /* inflected form -> exc_val index */
    exc_val *excv[NPOS];
};

__attribute__((format(printf, 3, 4))) static void seterr(char *err, size_t size, const char *fmt,
                                                         ...) {
    if (!err || !size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, size, fmt, ap);
    va_end(ap);
}

#define PKG_HINT                                                                                   \
    "WordNet 3.0 is needed for METEOR: install the Debian package wordnet-base "                   \
    "(apt-get install wordnet-base), or set WNSEARCHDIR to a WordNet 3.0 dict directory"

const char *ef_wordnet_default_dir(char *buf, size_t size) {
    const char *s = getenv("WNSEARCHDIR");
    const char *h = getenv("WNHOME");
    if (s && *s)
        snprintf(buf, size, "%s", s);
    else if (h && *h)
        snprintf(buf, size, "%s/dict", h);
    else
        snprintf(buf, size, "%s", "/usr/share/wordnet");
    return buf;
}

static int read_whole(const char *dir, const char *name, char **buf, size_t *len, char *err,
                      size_t errsz) {
    char path[1200];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        seterr(err, errsz, "cannot open WordNet file %s: %s. " PKG_HINT, path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    while (b) {
        if (n + 1 >= cap) {
            char *nb = realloc(b, cap * 2);
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
        size_t k = fread(b + n, 1, cap - n - 1, f);
        n += k;
        if (k == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (!b) {
        seterr(err, errsz, "out of memory reading %s", path);
        return -1;
    }
    if (bad) {
        free(b);
        seterr(err, errsz, "error reading WordNet file %s. " PKG_HINT, path);
        return -1;
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return 0;
}

static int map_file(const char *dir, const char *name, const char **data, size_t *len, char *err,
                    size_t errsz) {
    char path[1200];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        seterr(err, errsz, "cannot open WordNet file %s: %s. " PKG_HINT, path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size <= 0) {
        close(fd);
        seterr(err, errsz, "WordNet file %s is empty or unreadable. " PKG_HINT, path);
        return -1;
    }
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED) {
        seterr(err, errsz, "cannot map WordNet file %s: %s", path, strerror(errno));
        return -1;
    }
    *data = p;
    *len = (size_t)st.st_size;
    return 0;
}

static inline int is_ws(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Next whitespace-separated token of the line [*p, end); 0 at line end. */
static int next_tok(const char **p, const char *end, const char **tok, size_t *len) {
    const char *s = *p;
    while (s < end && is_ws(*s))
        s++;
    if (s >= end || *s == '\n') {
        *p = s;
        return 0;
    }
    const char *t = s;
    while (s < end && !is_ws(*s) && *s != '\n')
        s++;
    *tok = t;
    *len = (size_t)(s - t);
    *p = s;
    return 1;
}

/* Decimal (base 10) or hex (base 16) number token; -1 if malformed. */
static long parse_num(const char *t, size_t n, int base) {
    if (n == 0 || n > 9)
        return -1;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        int d;
        char c = t[i];
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (base == 16 && c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        v = v * base + d;
    }
    return v;
}

static size_t count_lines(const char *b, size_t n) {
    size_t k = 1;
    for (const char *p = b; (p = memchr(p, '\n', (size_t)(b + n - p))) != NULL; p++)
        k++;
    return k;
}

static int pos_index(const char *t, size_t n) {
    if (n != 1)
        return -1;
    switch (t[0]) {
    case 'n':
        return 0;
    case 'v':
        return 1;
    case 'a':
        return 2;
    case 'r':
        return 3;
    default:
        return -1;
    }
}

static int push_offset(ef_wordnet *wn, uint32_t off) {
    if (wn->noffsets == wn->offcap) {
        size_t nc = wn->offcap ? wn->offcap * 2 : 1 << 18;
        uint32_t *o = realloc(wn->offsets, nc * sizeof(*o));
        if (!o)
            return -1;
        wn->offsets = o;
        wn->offcap = nc;
    }
    wn->offsets[wn->noffsets++] = off;
    return 0;
}

/* index.<pos>: lemma pos synset_cnt p_cnt [ptr_symbol...] sense_cnt
 * tagsense_cnt synset_offset... (lines starting with a space are the
 * license). */
static int load_index(ef_wordnet *wn, int fp, char *err, size_t errsz) {
    const char *b = wn->idx_buf[fp], *end = b + wn->idx_len[fp];
    size_t lineno = 0;
    for (const char *p = b; p < end;) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        lineno++;
        const char *q = p;
        const char *line = p;
        p = eol + 1;
        if (*line == ' ' || line == eol)
            continue;
        const char *lem, *t;
        size_t ll, tl;
        long nsyn, nptr, nsense;
        int pos;
        if (!next_tok(&q, eol, &lem, &ll) || !next_tok(&q, eol, &t, &tl) ||
            (pos = pos_index(t, tl), !next_tok(&q, eol, &t, &tl)) ||
            (nsyn = parse_num(t, tl, 10)) <= 0 || nsyn > 65535 || !next_tok(&q, eol, &t, &tl) ||
            (nptr = parse_num(t, tl, 10)) < 0)
            goto bad;
        for (long i = 0; i < nptr; i++)
            if (!next_tok(&q, eol, &t, &tl))
                goto bad;
        if (!next_tok(&q, eol, &t, &tl) || (nsense = parse_num(t, tl, 10)) != nsyn ||
            !next_tok(&q, eol, &t, &tl))
            goto bad;
        size_t first = wn->noffsets;
        for (long i = 0; i < nsyn; i++) {
            long off;
            if (!next_tok(&q, eol, &t, &tl) || (off = parse_num(t, tl, 10)) < 0)
                goto bad;
            if (push_offset(wn, (uint32_t)off))
                goto oom;
        }
        if (pos < 0) /* a part of speech NLTK never asks for */
            continue;
        int created;
        long e = smap_put(&wn->lemmas, lem, ll, XXH3_64bits(lem, ll), &created);
        if (e < 0)
            goto oom;
        if (created) {
            wn->lemmas.e[e].val = (uint32_t)e;
            memset(&wn->lpos[e], 0, sizeof(wn->lpos[e]));
        }
        wn->lpos[e].off[pos] = (uint32_t)first;
        wn->lpos[e].cnt[pos] = (uint16_t)nsyn;
    }
    return 0;
bad:
    seterr(err, errsz, "WordNet file %s/index.%s, line %zu: malformed index line", wn->dir,
           pos_file[fp], lineno);
    return -1;
oom:
    seterr(err, errsz, "out of memory loading WordNet");
    return -1;
}

/* <pos>.exc: inflected-form base-form... ; a later line for the same form
 * replaces an earlier one (NLTK builds a dict). */
static int load_exc(ef_wordnet *wn, int fp, char *err, size_t errsz) {
    const char *b = wn->exc_buf[fp], *end = b + wn->exc_len[fp];
    size_t lines = count_lines(b, wn->exc_len[fp]);
    if (smap_init(&wn->exc[fp], lines))
        goto oom;
    wn->excv[fp] = malloc(lines * sizeof(exc_val));
    if (!wn->excv[fp])
        goto oom;
    for (const char *p = b; p < end;) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        const char *q = p, *k;
        size_t kl;
        p = eol + 1;
        if (!next_tok(&q, eol, &k, &kl))
            continue; /* blank line (NLTK would fail on it) */
        int created;
        long e = smap_put(&wn->exc[fp], k, kl, XXH3_64bits(k, kl), &created);
        if (e < 0)
            goto oom;
        wn->excv[fp][e] = (exc_val){q, (uint32_t)(eol - q)};
    }
    return 0;
oom:
    seterr(err, errsz, "out of memory loading WordNet");
    return -1;
}

void ef_wordnet_close(ef_wordnet *wn) {
    if (!wn)
        return;
    for (int i = 0; i < NPOS; i++) {
        free(wn->idx_buf[i]);
        free(wn->exc_buf[i]);
        if (wn->data[i])
            munmap((void *)wn->data[i], wn->data_len[i]);
        smap_free(&wn->exc[i]);
        free(wn->excv[i]);
    }
    smap_free(&wn->lemmas);
    free(wn->lpos);
    free(wn->offsets);
    free(wn);
}

ef_wordnet *ef_wordnet_open(const char *dir, char *err, size_t errsz) {
    ef_wordnet *wn = calloc(1, sizeof(*wn));
    if (!wn) {
        seterr(err, errsz, "out of memory loading WordNet");
        return NULL;
    }
    if (dir)
        snprintf(wn->dir, sizeof(wn->dir), "%s", dir);
    else
        ef_wordnet_default_dir(wn->dir, sizeof(wn->dir));
    char name[32];
    size_t lines = 0;
    for (int i = 0; i < NPOS; i++) {
        snprintf(name, sizeof(name), "index.%s", pos_file[i]);
        if (read_whole(wn->dir, name, &wn->idx_buf[i], &wn->idx_len[i], err, errsz))
            goto fail;
        lines += count_lines(wn->idx_buf[i], wn->idx_len[i]);
        snprintf(name, sizeof(name), "%s.exc", pos_file[i]);
        if (read_whole(wn->dir, name, &wn->exc_buf[i], &wn->exc_len[i], err, errsz))
            goto fail;
        snprintf(name, sizeof(name), "data.%s", pos_file[i]);
        if (map_file(wn->dir, name, &wn->data[i], &wn->data_len[i], err, errsz))
            goto fail;
    }
    if (smap_init(&wn->lemmas, lines) || !(wn->lpos = malloc(lines * sizeof(*wn->lpos)))) {
        seterr(err, errsz, "out of memory loading WordNet");
        goto fail;
    }
    for (int i = 0; i < NPOS; i++)
        if (load_index(wn, i, err, errsz) || load_exc(wn, i, err, errsz))
            goto fail;
    if (wn->lemmas.n == 0) {
        seterr(err, errsz, "WordNet index files in %s hold no lemmas. " PKG_HINT, wn->dir);
        goto fail;
    }
    return wn;
fail:
    ef_wordnet_close(wn);
    return NULL;
}

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static ef_wordnet *g_wn;
static char g_err[1536];

static void global_open(void) { g_wn = ef_wordnet_open(NULL, g_err, sizeof(g_err)); }

const ef_wordnet *ef_wordnet_get(char *err, size_t errsz) {
    pthread_once(&g_once, global_open);
    if (!g_wn)
        seterr(err, errsz, "%s", g_err);
    return g_wn;
}

size_t ef_wordnet_lemma_count(const ef_wordnet *wn) { return wn->lemmas.n; }

/* ---- queries -------------------------------------------------------------- */

static int names_push(ef_wn_names *o, const char *s, size_t len) {
    if (o->n == o->cap) {
        size_t nc = o->cap ? o->cap * 2 : 64;
        ef_wn_name *v = realloc(o->v, nc * sizeof(*v));
        if (!v)
            return -1;
        o->v = v;
        o->cap = nc;
    }
    o->v[o->n++] = (ef_wn_name){s, (uint32_t)len, XXH3_64bits(s, len)};
    return 0;
}

static int name_cmp(const void *a, const void *b) {
    const ef_wn_name *x = a, *y = b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return memcmp(x->s, y->s, x->len);
}

void ef_wn_names_free(ef_wn_names *names) {
    if (!names)
        return;
    free(names->v);
    memset(names, 0, sizeof(*names));
}

int ef_wn_names_contains(const ef_wn_names *names, const char *s, size_t n, uint64_t h) {
    size_t lo = 0, hi = names->n;
    while (lo < hi) { /* first entry with hash >= h */
        size_t mid = (lo + hi) / 2;
        if (names->v[mid].hash < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < names->n && names->v[lo].hash == h; lo++)
        if (names->v[lo].len == n && memcmp(names->v[lo].s, s, n) == 0)
            return 1;
    return 0;
}

/* Lemma names (without '_') of the synset at offset of data.<pos>.  NLTK
 * requires the line to start with the zero-padded offset; a line that does
 * not (a corrupt database) contributes nothing. */
static int add_synset_names(const ef_wordnet *wn, int fp, uint32_t off, ef_wn_names *out) {
    const char *d = wn->data[fp];
    size_t dl = wn->data_len[fp];
    if ((size_t)off + 8 > dl)
        return 0;
    const char *line = d + off;
    uint32_t v = off;
    for (int i = 7; i >= 0; i--, v /= 10)
        if (line[i] != (char)('0' + v % 10))
            return 0;
    const char *eol = memchr(line, '\n', dl - off);
    if (!eol)
        eol = d + dl;
    const char *q = line + 8, *t;
    size_t tl;
    long nw;
    if (!next_tok(&q, eol, &t, &tl) || !next_tok(&q, eol, &t, &tl) || !next_tok(&q, eol, &t, &tl) ||
        (nw = parse_num(t, tl, 16)) < 0)
        return 0;
    for (long i = 0; i < nw; i++) {
        if (!next_tok(&q, eol, &t, &tl))
            return 0;
        /* NLTK: re.match(r"(.*?)(\([^()]*\))?$", name) keeps group 1: drop a
         * final "(...)" without inner parentheses. */
        size_t nl = tl;
        if (nl >= 2 && t[nl - 1] == ')') {
            size_t j = nl - 1;
            while (j > 0 && t[j - 1] != '(' && t[j - 1] != ')')
                j--;
            if (j > 0 && t[j - 1] == '(')
                nl = j - 1;
        }
        if (!memchr(t, '_', nl) && names_push(out, t, nl))
            return -1;
        if (!next_tok(&q, eol, &t, &tl)) /* lex_id */
            return 0;
    }
    return 0;
}

/* NLTK's MORPHOLOGICAL_SUBSTITUTIONS, in order. */
typedef struct subst {
    const char *old, *rep;
} subst;
static const subst subs_noun[] = {{"s", ""},      {"ses", "s"},   {"ves", "f"},
                                  {"xes", "x"},   {"zes", "z"},   {"ches", "ch"},
                                  {"shes", "sh"}, {"men", "man"}, {"ies", "y"}};
static const subst subs_verb[] = {{"s", ""},   {"ies", "y"}, {"es", "e"},  {"es", ""},
                                  {"ed", "e"}, {"ed", ""},   {"ing", "e"}, {"ing", ""}};
static const subst subs_adj[] = {{"er", ""}, {"est", ""}, {"er", "e"}, {"est", "e"}};
static const subst *const subs[NPOS] = {subs_noun, subs_verb, subs_adj, NULL};
static const size_t nsubs[NPOS] = {9, 8, 4, 0};

/* Adds the synsets' names of form if index.<pos> has it. */
static int add_form(const ef_wordnet *wn, int fp, const char *f, size_t fl, ef_wn_names *out) {
    long e = smap_find(&wn->lemmas, f, fl, XXH3_64bits(f, fl));
    if (e < 0)
        return 0;
    const lemma_pos *lp = &wn->lpos[e];
    for (uint32_t i = 0; i < lp->cnt[fp]; i++)
        if (add_synset_names(wn, fp, wn->offsets[lp->off[fp] + i], out))
            return -1;
    return 0;
}

int ef_wordnet_synonyms_lowered(const ef_wordnet *wn, const char *w, size_t n, ef_wn_names *out) {
    out->n = 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)w[i] >= 0x80)
            return 0; /* WordNet 3.0 is ASCII and every rule keeps w's prefix */
    char stackbuf[256];
    char *buf = stackbuf;
    if (n + 8 > sizeof(stackbuf)) {
        buf = malloc(n + 8);
        if (!buf)
            return -1;
    }
    int rc = 0;
    for (int fp = 0; fp < NPOS && rc == 0; fp++) {
        /* morphy: [w] + (exceptions[w] if w is an exception else rules(w)); a form
         * that is a lemma of this pos is taken once (the set union makes
         * repeats harmless, so they are not filtered here). */
        rc = add_form(wn, fp, w, n, out);
        long x = smap_find(&wn->exc[fp], w, n, XXH3_64bits(w, n));
        if (x >= 0) {
            const exc_val *ev = &wn->excv[fp][x];
            const char *q = ev->p, *end = ev->p + ev->len, *t;
            size_t tl;
            while (rc == 0 && next_tok(&q, end, &t, &tl))
                rc = add_form(wn, fp, t, tl, out);
            continue;
        }
        for (size_t i = 0; i < nsubs[fp] && rc == 0; i++) {
            const subst *s = &subs[fp][i];
            size_t ol = strlen(s->old), rl = strlen(s->rep);
            if (ol > n || memcmp(w + n - ol, s->old, ol) != 0)
                continue;
            memcpy(buf, w, n - ol);
            memcpy(buf + n - ol, s->rep, rl);
            rc = add_form(wn, fp, buf, n - ol + rl, out);
        }
    }
    if (buf != stackbuf)
        free(buf);
    if (rc)
        return -1;
    if (out->n > 1) {
        qsort(out->v, out->n, sizeof(out->v[0]), name_cmp);
        size_t k = 1;
        for (size_t i = 1; i < out->n; i++)
            if (name_cmp(&out->v[i], &out->v[k - 1]) != 0)
                out->v[k++] = out->v[i];
        out->n = k;
    }
    return 0;
}

int ef_wordnet_synonyms(const ef_wordnet *wn, const char *w, size_t n, ef_wn_names *out) {
    if (ef_pylower_is_identity(w, n))
        return ef_wordnet_synonyms_lowered(wn, w, n, out);
    char stackbuf[256];
    char *buf = stackbuf;
    if (EF_PYLOWER_MAX(n) > sizeof(stackbuf)) {
        buf = malloc(EF_PYLOWER_MAX(n));
        if (!buf)
            return -1;
    }
    size_t ln = ef_pylower(w, n, buf);
    int rc = ef_wordnet_synonyms_lowered(wn, buf, ln, out);
    if (buf != stackbuf)
        free(buf);
    return rc;
}
