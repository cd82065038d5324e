/* punkt.c - see punkt.h.
 *
 * The reference decides each candidate boundary from a short "context"
 * string: the word before the sentence-end character, the character, and
 * what follows it up to the end of the next token.  That context is split
 * into Punkt words, annotated (first pass per word, second pass per pair of
 * neighbours) and the candidate is a break when any word but the last ends
 * up marked as a sentence break.  Everything below works on byte offsets of
 * the original text; the regular expressions of the reference are replaced
 * by equivalent hand-written scans (documented at each one).
 */
#include "punkt.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"
#include "uchar.h"

typedef struct pk_tok {
    size_t off, len; /* token bytes in the text */
    size_t tlen;     /* type (lowercased, numbers folded) in p->types[slot] */
    int slot;
    bool period_final, sentbreak, abbr, ellipsis;
} pk_tok;

/* Words of a context are annotated as they are produced: the second pass
 * of a word needs only its right neighbour, so two words (and their types)
 * are all the state there is. */
struct ef_punkt {
    const ef_punkt_model *model;
    pk_tok prev; /* the previous word of the context, if have_prev */
    bool have_prev;
    ef_sbuf types[2]; /* type strings, one per word slot */
    ef_sbuf key;      /* scratch for abbreviation keys */
    ef_span *slices, *spans;
    size_t nslices, cslices, nspans, cspans;
};

ef_punkt *ef_punkt_new(const ef_punkt_model *model) {
    ef_punkt *p = calloc(1, sizeof(*p));
    if (p)
        p->model = model;
    return p;
}

void ef_punkt_free(ef_punkt *p) {
    if (!p)
        return;
    ef_sbuf_free(&p->types[0]);
    ef_sbuf_free(&p->types[1]);
    ef_sbuf_free(&p->key);
    free(p->slices);
    free(p->spans);
    free(p);
}

static int push_span(ef_span **arr, size_t *n, size_t *cap, size_t s, size_t e) {
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 16;
        ef_span *a = realloc(*arr, c * sizeof(**arr));
        if (!a)
            return -1;
        *arr = a;
        *cap = c;
    }
    (*arr)[*n].start = s;
    (*arr)[*n].end = e;
    (*n)++;
    return 0;
}

/* ---------------------------------------------------------------------
 * Character sets of the Punkt language variables.
 * ------------------------------------------------------------------- */

/* Byte length of a curly quote or guillemet at s[i] (U+2018 U+2019 U+201C
 * U+201D U+00AB U+00BB), else 0. */
static size_t curly_len(const char *str, size_t n, size_t i) {
    const unsigned char *s = (const unsigned char *)str;
    if (s[i] == 0xC2 && i + 1 < n && (s[i + 1] == 0xAB || s[i + 1] == 0xBB))
        return 2;
    if (s[i] == 0xE2 && i + 2 < n && s[i + 1] == 0x80 &&
        (s[i + 2] == 0x98 || s[i + 2] == 0x99 || s[i + 2] == 0x9C || s[i + 2] == 0x9D))
        return 3;
    return 0;
}

/* "Non-word" characters: ) " ; } ] * : @ ' ( { [ ? ! and the curly quotes
 * and guillemets.  Returns the byte length, or 0. */
static size_t nonword_len(const char *s, size_t n, size_t i) {
    if (i >= n)
        return 0;
    switch (s[i]) {
    case ')':
    case '"':
    case ';':
    case '}':
    case ']':
    case '*':
    case ':':
    case '@':
    case '\'':
    case '(':
    case '{':
    case '[':
    case '?':
    case '!':
        return 1;
    default:
        return curly_len(s, n, i);
    }
}

/* Characters that may not start a multi-character word token. */
static bool bad_word_start(char c) {
    switch (c) {
    case '(':
    case '"':
    case '`':
    case '{':
    case '[':
    case ':':
    case ';':
    case '&':
    case '#':
    case '*':
    case '@':
    case ')':
    case '}':
    case ']':
    case '-':
    case ',':
        return true;
    default:
        return false;
    }
}

/* Closing punctuation moved back onto the sentence it ends. */
static size_t realign_char_len(const char *s, size_t n, size_t i) {
    switch (s[i]) {
    case '"':
    case '\'':
    case ')':
    case ']':
    case '}':
        return 1;
    default:
        return curly_len(s, n, i);
    }
}

static inline size_t rx_space_len(const char *s, size_t n, size_t i) {
    return ef_uc_match(s, n, i, EF_UC_RX_SPACE);
}

/* Length of the multi-character punctuation at s[i] (a run of two or more
 * '-', a run of two or more '.', or '.' WS '.' WS ... '.' with at least two
 * '.'+WS pairs), or 0.  The alternatives are tried in that order, as the
 * regular expression alternation does. */
static size_t multichar_len(const char *s, size_t n, size_t i) {
    if (i + 1 >= n)
        return 0;
    char c = s[i];
    if ((c == '-' || c == '.') && s[i + 1] == c) {
        size_t j = i + 2;
        while (j < n && s[j] == c)
            j++;
        return j - i;
    }
    if (c != '.')
        return 0;
    /* Greedy (\.\s){2,} then \. : k pairs, then a '.'; if no '.' follows the
     * last pair, give one pair back (its '.' ends the match). */
    size_t j = i, k = 0, last_pair = i;
    for (;;) {
        if (j >= n || s[j] != '.')
            break;
        size_t w = rx_space_len(s, n, j + 1);
        if (!w)
            break;
        last_pair = j;
        j += 1 + w;
        k++;
    }
    if (k >= 2 && j < n && s[j] == '.')
        return j + 1 - i;
    if (k >= 3)
        return last_pair + 1 - i;
    return 0;
}

/* ---------------------------------------------------------------------
 * Punkt word tokenization of one line (no '\n' inside) and token typing.
 * ------------------------------------------------------------------- */

static int lower_into(ef_sbuf *b, const char *s, size_t n) {
    /* Lowercasing at most doubles the bytes (U+0130 -> 3 bytes from 2). */
    if (n > SIZE_MAX / 4 || ef_sbuf_reserve(b, n * 2 + 8) < 0)
        return -1;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            ef_sbuf_put(b, (char)((c >= 'A' && c <= 'Z') ? c + 32 : c));
            i++;
            continue;
        }
        uint32_t cp;
        size_t l = ef_u8_decode(s, n, i, &cp);
        if (cp == 0x130) { /* Python: 'i' + COMBINING DOT ABOVE */
            ef_sbuf_putn(b, "i\xCC\x87", 3);
        } else if (cp == 0xFFFD && l == 1) {
            ef_sbuf_put(b, (char)c); /* invalid byte: keep it */
        } else {
            char enc[4];
            ef_sbuf_putn(b, enc, ef_u8_encode(ef_uc_tolower(cp), enc));
        }
        i += l;
    }
    return 0;
}

/* ^-?[.,]?\d[\d,.-]*\.?$ on a lowercased token. */
static bool is_numeric_type(const char *s, size_t n) {
    size_t i = 0, l;
    if (i < n && s[i] == '-')
        i++;
    if (i < n && (s[i] == '.' || s[i] == ','))
        i++;
    if (!(l = ef_uc_match(s, n, i, EF_UC_DIGIT)))
        return false;
    for (i += l; i < n; i += l) {
        if (s[i] == ',' || s[i] == '.' || s[i] == '-')
            l = 1;
        else if (!(l = ef_uc_match(s, n, i, EF_UC_DIGIT)))
            return false;
    }
    return true;
}

static int add_token(ef_punkt *p, const char *text, size_t off, size_t len);

/* Tokenize the line s[ls..le): findall of
 *   multi-char punctuation
 *   | (?=word-start) \S+? (?= \s | $ | non-word | multi-char | ,(?=$|\s|non-word|multi-char) )
 *   | \S
 */
static int tokenize_line(ef_punkt *p, const char *s, size_t ls, size_t le) {
    size_t i = ls;
    while (i < le) {
        size_t cl;
        unsigned cls = ef_uc_at(s, le, i, &cl);
        if (cls & EF_UC_RX_SPACE) {
            i += cl;
            continue;
        }
        size_t tl = multichar_len(s, le, i);
        if (!tl && !bad_word_start(s[i])) {
            size_t j = i + cl;
            while (j < le) {
                size_t l;
                unsigned c = ef_uc_at(s, le, j, &l);
                if ((c & EF_UC_RX_SPACE) || nonword_len(s, le, j) || multichar_len(s, le, j))
                    break;
                if (s[j] == ',') {
                    size_t k = j + 1;
                    if (k == le || rx_space_len(s, le, k) || nonword_len(s, le, k) ||
                        multichar_len(s, le, k))
                        break;
                }
                j += l;
            }
            tl = j - i;
        }
        if (!tl)
            tl = cl;
        int r = add_token(p, s, i, tl);
        if (r)
            return r;
        i += tl;
    }
    return 0;
}

/* Words of text[cs..ce), line by line; lines that are all whitespace
 * (str.strip() sense) contribute nothing.  Stops early (returning 1) when
 * add_token() finds a break. */
static int tokenize_words(ef_punkt *p, const char *text, size_t cs, size_t ce) {
    p->have_prev = false;
    size_t ls = cs;
    while (ls <= ce) {
        const char *nl = memchr(text + ls, '\n', ce - ls);
        size_t le = nl ? (size_t)(nl - text) : ce;
        bool blank = true;
        for (size_t i = ls; i < le;) {
            size_t l;
            if (!(ef_uc_at(text, le, i, &l) & EF_UC_PY_SPACE)) {
                blank = false;
                break;
            }
            i += l;
        }
        int r = blank ? 0 : tokenize_line(p, text, ls, le);
        if (r)
            return r;
        if (!nl)
            break;
        ls = le + 1;
    }
    return 0;
}

/* ---------------------------------------------------------------------
 * Annotation.
 * ------------------------------------------------------------------- */

typedef enum { ORTHO_FALSE, ORTHO_TRUE, ORTHO_UNKNOWN } ortho_t;

static const char *tok_type(const ef_punkt *p, const pk_tok *t) { return p->types[t->slot].p; }

/* Type without its final period (when longer than one character). */
static size_t type_no_period_len(const ef_punkt *p, const pk_tok *t) {
    if (t->tlen > 1 && tok_type(p, t)[t->tlen - 1] == '.')
        return t->tlen - 1;
    return t->tlen;
}

static size_t type_no_sentperiod_len(const ef_punkt *p, const pk_tok *t) {
    return t->sentbreak ? type_no_period_len(p, t) : t->tlen;
}

static unsigned first_char_class(const char *text, const pk_tok *t) {
    size_t l;
    return ef_uc_at(text, t->off + t->len, t->off, &l);
}

static bool is_single(const char *text, const pk_tok *t, const char *set) {
    return t->len == 1 && strchr(set, text[t->off]) != NULL && text[t->off] != '\0';
}

/* One word character (not a digit) followed by '.', nothing else. */
static bool is_initial(const char *text, const pk_tok *t) {
    size_t l;
    unsigned c = ef_uc_at(text, t->off + t->len, t->off, &l);
    return (c & EF_UC_RX_WORD) && !(c & EF_UC_DIGIT) && t->len == l + 1 && text[t->off + l] == '.';
}

static bool is_ellipsis(const char *text, const pk_tok *t) {
    if (t->len < 2)
        return false;
    for (size_t i = 0; i < t->len; i++)
        if (text[t->off + i] != '.')
            return false;
    return true;
}

static int first_pass(ef_punkt *p, const char *text, pk_tok *t) {
    const char *s = text + t->off;
    if (is_single(text, t, ".?!")) {
        t->sentbreak = true;
    } else if (is_ellipsis(text, t)) {
        t->ellipsis = true;
    } else if (t->period_final && !(t->len >= 2 && s[t->len - 2] == '.')) {
        p->key.len = 0;
        if (lower_into(&p->key, s, t->len - 1) < 0)
            return -1;
        const char *k = p->key.p ? p->key.p : "";
        size_t kn = p->key.len, h = kn;
        while (h > 0 && k[h - 1] != '-')
            h--;
        if (ef_punkt_model_is_abbrev(p->model, k, kn) ||
            ef_punkt_model_is_abbrev(p->model, k + h, kn - h))
            t->abbr = true;
        else
            t->sentbreak = true;
    }
    return 0;
}

static ortho_t ortho_heuristic(const ef_punkt *p, const char *text, const pk_tok *t) {
    if (is_single(text, t, ";:,.!?"))
        return ORTHO_FALSE;
    int ctx = ef_punkt_model_ortho(p->model, tok_type(p, t), type_no_sentperiod_len(p, t));
    unsigned fc = first_char_class(text, t);
    if ((fc & EF_UC_UPPER) && (ctx & EF_ORTHO_LC) && !(ctx & EF_ORTHO_MID_UC))
        return ORTHO_TRUE;
    if ((fc & EF_UC_LOWER) && ((ctx & EF_ORTHO_UC) || !(ctx & EF_ORTHO_BEG_LC)))
        return ORTHO_FALSE;
    return ORTHO_UNKNOWN;
}

/* Reclassify t1 using its right neighbour t2 (as annotated by the first
 * pass only). */
static void second_pass(const ef_punkt *p, const char *text, pk_tok *t1, const pk_tok *t2) {
    if (!t1->period_final)
        return;
    const char *typ = tok_type(p, t1);
    size_t typ_n = type_no_period_len(p, t1);
    const char *next = tok_type(p, t2);
    size_t next_n = type_no_sentperiod_len(p, t2);
    bool initial = is_initial(text, t1);

    if (ef_punkt_model_is_collocation(p->model, typ, typ_n, next, next_n)) {
        t1->sentbreak = false;
        t1->abbr = true;
        return;
    }
    if ((t1->abbr || t1->ellipsis) && !initial) {
        if (ortho_heuristic(p, text, t2) == ORTHO_TRUE) {
            t1->sentbreak = true;
            return;
        }
        if ((first_char_class(text, t2) & EF_UC_UPPER) &&
            ef_punkt_model_is_sent_starter(p->model, next, next_n)) {
            t1->sentbreak = true;
            return;
        }
    }
    if (initial || (typ_n == 10 && memcmp(typ, "##number##", 10) == 0)) {
        ortho_t o = ortho_heuristic(p, text, t2);
        if (o == ORTHO_FALSE) {
            t1->sentbreak = false;
            t1->abbr = true;
            return;
        }
        if (o == ORTHO_UNKNOWN && initial && (first_char_class(text, t2) & EF_UC_UPPER) &&
            !(ef_punkt_model_ortho(p->model, next, next_n) & EF_ORTHO_LC)) {
            t1->sentbreak = false;
            t1->abbr = true;
        }
    }
}

/* A new word of the context: type it, run the first pass on it and the
 * second pass on the word before it.  Returns 1 when that earlier word is a
 * sentence break (so the context holds a break before its last word), 0 to
 * go on, -1 on out of memory. */
static int add_token(ef_punkt *p, const char *text, size_t off, size_t len) {
    pk_tok t;
    memset(&t, 0, sizeof(t));
    t.off = off;
    t.len = len;
    t.slot = p->have_prev ? !p->prev.slot : 0;
    ef_sbuf *tb = &p->types[t.slot];
    tb->len = 0;
    if (lower_into(tb, text + off, len) < 0)
        return -1;
    if (is_numeric_type(tb->p, tb->len)) {
        tb->len = 0;
        ef_sbuf_putn(tb, "##number##", 10); /* lower_into reserved >= 10 bytes */
    }
    t.tlen = tb->len;
    t.period_final = text[off + len - 1] == '.';
    if (first_pass(p, text, &t) < 0)
        return -1;
    if (p->have_prev) {
        second_pass(p, text, &p->prev, &t);
        if (p->prev.sentbreak)
            return 1;
    }
    p->prev = t;
    p->have_prev = true;
    return 0;
}

/* Does text[cs..ce) hold a sentence break before its last word?
 * Returns 1/0, or -1 on out of memory. */
static int contains_sentbreak(ef_punkt *p, const char *text, size_t cs, size_t ce) {
    return tokenize_words(p, text, cs, ce);
}

/* ---------------------------------------------------------------------
 * Candidate boundaries and slicing.
 * ------------------------------------------------------------------- */

typedef struct cand {
    size_t pos;        /* the sentence-end character */
    size_t after_end;  /* end of the lookahead (punctuation or next token) */
    size_t next_start; /* start of the next token, or SIZE_MAX */
} cand;

/* Period-context rule at s[i] in ".?!": followed either by a non-word
 * character, or by whitespace and then a token. */
static bool candidate_at(const char *s, size_t n, size_t i, cand *c) {
    size_t l = nonword_len(s, n, i + 1);
    if (l) {
        c->pos = i;
        c->after_end = i + 1 + l;
        c->next_start = SIZE_MAX;
        return true;
    }
    size_t j = i + 1;
    while ((l = rx_space_len(s, n, j)))
        j += l;
    if (j == i + 1 || j >= n)
        return false;
    size_t k = j;
    while (k < n) {
        unsigned cls = ef_uc_at(s, n, k, &l);
        if (cls & EF_UC_RX_SPACE)
            break;
        k += l;
    }
    c->pos = i;
    c->after_end = k;
    c->next_start = j;
    return true;
}

static bool is_ascii_ws(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\x0b' || c == '\x0c';
}

/* Handle one yielded candidate: break there if its context says so. */
static int decide(ef_punkt *p, const char *text, const cand *c, size_t ctx_start,
                  size_t *last_break) {
    int r = contains_sentbreak(p, text, ctx_start, c->after_end);
    if (r < 0)
        return -1;
    if (r) {
        if (push_span(&p->slices, &p->nslices, &p->cslices, *last_break, c->pos + 1) < 0)
            return -1;
        *last_break = c->next_start != SIZE_MAX ? c->next_start : c->pos + 1;
    }
    return 0;
}

/* Length of text without trailing whitespace (str.rstrip()). */
static size_t rstrip_len(const char *text, size_t n) {
    while (n > 0) {
        size_t i = ef_u8_prev(text, n), l;
        if (!(ef_uc_at(text, n, i, &l) & EF_UC_PY_SPACE) || i + l != n)
            break;
        n = i;
    }
    return n;
}

/* Closing-punctuation realignment, matched at the start of text[s..e):
 * the shortest run of closing characters followed by whitespace (taken
 * whole), by "--", or by the end.  On a match returns true with *qend the
 * end of the run and *mend the end of the match. */
static bool realign_match(const char *text, size_t s, size_t e, size_t *qend, size_t *mend) {
    size_t i = s;
    while (i < e) {
        size_t l = realign_char_len(text, e, i);
        if (!l)
            return false;
        i += l;
        size_t w = rx_space_len(text, e, i);
        if (w) {
            size_t j = i + w;
            while ((w = rx_space_len(text, e, j)))
                j += w;
            *qend = i;
            *mend = j;
            return true;
        }
        if (i == e || (i + 1 < e && text[i] == '-' && text[i + 1] == '-')) {
            *qend = *mend = i;
            return true;
        }
    }
    return false;
}

int ef_punkt_split(ef_punkt *p, const char *text, size_t n, const ef_span **spans, size_t *nspans) {
    p->nslices = p->nspans = 0;
    *spans = NULL;
    *nspans = 0;

    /* Candidates, with the reference's choice of the word before each one
     * and its rule for dropping candidates whose words overlap. */
    size_t last_break = 0;
    size_t prev_start = 0, prev_stop = 0;
    bool have_prev = false;
    cand prev = {0, 0, 0}, c;
    for (size_t i = 0; i < n; i++) {
        char ch = text[i];
        if ((ch != '.' && ch != '?' && ch != '!') || !candidate_at(text, n, i, &c))
            continue;
        /* last ASCII whitespace in text[prev_stop..i); one at offset 0 counts
         * as none */
        size_t idx = 0;
        for (size_t j = i; j > prev_stop; j--) {
            if (is_ascii_ws(text[j - 1])) {
                idx = j - 1 - prev_stop;
                break;
            }
        }
        size_t start = idx ? prev_stop + idx + 1 : prev_start;
        if (have_prev && prev_stop <= start) {
            if (decide(p, text, &prev, prev_start, &last_break) < 0)
                return -1;
        }
        prev = c;
        have_prev = true;
        prev_start = start;
        prev_stop = i;
    }
    if (have_prev && decide(p, text, &prev, prev_start, &last_break) < 0)
        return -1;
    if (push_span(&p->slices, &p->nslices, &p->cslices, last_break, rstrip_len(text, n)) < 0)
        return -1;

    /* Realign closing punctuation onto the preceding sentence. */
    size_t realign = 0;
    for (size_t k = 0; k < p->nslices; k++) {
        size_t s1 = p->slices[k].start + realign, e1 = p->slices[k].end;
        if (k + 1 == p->nslices) {
            if (s1 < e1 && push_span(&p->spans, &p->nspans, &p->cspans, s1, e1) < 0)
                return -1;
            continue;
        }
        const ef_span *s2 = &p->slices[k + 1];
        size_t qend, mend;
        if (s2->start < s2->end && realign_match(text, s2->start, s2->end, &qend, &mend)) {
            if (s1 < qend && push_span(&p->spans, &p->nspans, &p->cspans, s1, qend) < 0)
                return -1;
            realign = mend - s2->start;
        } else {
            realign = 0;
            if (s1 < e1 && push_span(&p->spans, &p->nspans, &p->cspans, s1, e1) < 0)
                return -1;
        }
    }
    *spans = p->spans;
    *nspans = p->nspans;
    return 0;
}
