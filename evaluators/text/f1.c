/* f1.c - see f1.h. */
#include "f1.h"

#include <string.h>
#include <utf8proc.h>

/* ------------------------------------------------------------ character classes */

/* Ranges assigned in Unicode 15.0 (utf8proc 2.8) but unassigned in Unicode 14.0
 * (Python 3.11's unicodedata): Python sees them as Cn, i.e. no word, no case. */
static const uint32_t uni15_new[][2] = {
    {0xCF3, 0xCF3},     {0xECE, 0xECE},     {0x10EFD, 0x10EFF}, {0x1123F, 0x11241},
    {0x11B00, 0x11B09}, {0x11F00, 0x11F10}, {0x11F12, 0x11F3A}, {0x11F3E, 0x11F59},
    {0x1342F, 0x1342F}, {0x13439, 0x13455}, {0x1B132, 0x1B132}, {0x1B155, 0x1B155},
    {0x1D2C0, 0x1D2D3}, {0x1DF25, 0x1DF2A}, {0x1E030, 0x1E06D}, {0x1E08F, 0x1E08F},
    {0x1E4D0, 0x1E4F9}, {0x1F6DC, 0x1F6DC}, {0x1F774, 0x1F776}, {0x1F77B, 0x1F77F},
    {0x1F7D9, 0x1F7D9}, {0x1FA75, 0x1FA77}, {0x1FA87, 0x1FA88}, {0x1FAAD, 0x1FAAF},
    {0x1FABB, 0x1FABD}, {0x1FABF, 0x1FABF}, {0x1FACE, 0x1FACF}, {0x1FADA, 0x1FADB},
    {0x1FAE8, 0x1FAE8}, {0x1FAF7, 0x1FAF8}, {0x2B739, 0x2B739}, {0x31350, 0x323AF},
};

static int is_uni15_new(uint32_t cp) {
    if (cp < 0xCF3)
        return 0;
    size_t lo = 0, hi = sizeof(uni15_new) / sizeof(uni15_new[0]);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp < uni15_new[mid][0])
            hi = mid;
        else if (cp > uni15_new[mid][1])
            lo = mid + 1;
        else
            return 1;
    }
    return 0;
}

/* Python 3.11 category of cp as a utf8proc category, with Unicode 15.0 additions
 * mapped back to Cn. */
static int py_category(uint32_t cp) {
    int cat = (int)utf8proc_category((utf8proc_int32_t)cp);
    if (cat != UTF8PROC_CATEGORY_CN && is_uni15_new(cp))
        return UTF8PROC_CATEGORY_CN;
    return cat;
}

enum {
    A_PUNCT = 1,  /* in string.punctuation */
    A_SPACE = 2,  /* str.isspace() */
    A_WORD = 4,   /* re's \w */
    A_UPPER = 8,  /* A-Z */
    A_CASED = 16, /* Cased and not Case_Ignorable */
    A_IGN = 32,   /* Case_Ignorable */
};

#define S  A_SPACE
#define P  A_PUNCT
#define PI (A_PUNCT | A_IGN)
#define PW (A_PUNCT | A_WORD)
#define D  A_WORD
#define U  (A_WORD | A_UPPER | A_CASED)
#define L  (A_WORD | A_CASED)
static const uint8_t ascii_cls[128] = {
    0, 0, 0, 0, 0, 0, 0,  0, 0, S, S, S, S, S,  0, 0, 0,  0,  0,  0, 0,  0, 0, 0, 0, 0,
    0, 0, S, S, S, S, S,  P, P, P, P, P, P, PI, P, P, P,  P,  P,  P, PI, P, D, D, D, D,
    D, D, D, D, D, D, PI, P, P, P, P, P, P, U,  U, U, U,  U,  U,  U, U,  U, U, U, U, U,
    U, U, U, U, U, U, U,  U, U, U, U, U, U, P,  P, P, PI, PW, PI, L, L,  L, L, L, L, L,
    L, L, L, L, L, L, L,  L, L, L, L, L, L, L,  L, L, L,  L,  L,  P, P,  P, P, 0,
};
#undef S
#undef P
#undef PI
#undef PW
#undef D
#undef U
#undef L

int ef_py_isspace(uint32_t cp) {
    if (cp < 128) {
        return (ascii_cls[cp] & A_SPACE) != 0;
    }
    switch (cp) {
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
        return 1;
    default:
        return cp >= 0x2000 && cp <= 0x200A;
    }
}

int ef_py_isword(uint32_t cp) {
    if (cp < 128) {
        return (ascii_cls[cp] & A_WORD) != 0;
    }
    switch (py_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return 1;
    default:
        return 0;
    }
}

int ef_py_lower(uint32_t cp, uint32_t out[2]) {
    if (cp < 128) {
        out[0] = (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
        return 1;
    }
    if (cp == 0x130) { /* SpecialCasing: LATIN CAPITAL LETTER I WITH DOT ABOVE */
        out[0] = 'i';
        out[1] = 0x307;
        return 2;
    }
    out[0] = (uint32_t)utf8proc_tolower((utf8proc_int32_t)cp);
    return 1;
}

/* Other_Lowercase / Other_Uppercase characters outside the Case_Ignorable categories
 * (those inside them never matter: CPython skips ignorable characters first). */
static const uint32_t other_cased[][2] = {
    {0xAA, 0xAA},       {0xBA, 0xBA},       {0x2160, 0x217F},   {0x24B6, 0x24E9},
    {0x1F130, 0x1F149}, {0x1F150, 0x1F169}, {0x1F170, 0x1F189},
};

int ef_py_sigma_class(uint32_t cp) {
    if (cp < 128) {
        uint8_t k = ascii_cls[cp];
        return (k & A_IGN) ? 2 : (k & A_CASED) ? 1 : 0;
    }
    switch (cp) { /* Word_Break MidLetter, MidNumLet, Single_Quote */
    case 0xB7:
    case 0x387:
    case 0x55F:
    case 0x5F4:
    case 0x2018:
    case 0x2019:
    case 0x2024:
    case 0x2027:
    case 0xFE13:
    case 0xFE52:
    case 0xFE55:
    case 0xFF07:
    case 0xFF0E:
    case 0xFF1A:
        return 2;
    default:
        break;
    }
    switch (py_category(cp)) {
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_SK:
        return 2;
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
        return 1;
    default:
        break;
    }
    for (size_t i = 0; i < sizeof(other_cased) / sizeof(other_cased[0]); i++)
        if (cp >= other_cased[i][0] && cp <= other_cased[i][1])
            return 1;
    return 0;
}

/* ------------------------------------------------------------------- UTF-8 input */

/* Decode one code point at p[0..n), n >= 1, p[0] >= 0x80. Invalid or truncated
 * sequences (never produced by the caller's validator) read as U+FFFD, one byte. */
static uint32_t utf8_next(const unsigned char *p, size_t n, size_t *adv) {
    unsigned b0 = p[0];
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        if (n >= 2 && (p[1] & 0xC0) == 0x80) {
            *adv = 2;
            return ((b0 & 0x1Fu) << 6) | (p[1] & 0x3Fu);
        }
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        if (n >= 3 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80) {
            uint32_t cp = ((b0 & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
            if (cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF)) {
                *adv = 3;
                return cp;
            }
        }
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        if (n >= 4 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80 && (p[3] & 0xC0) == 0x80) {
            uint32_t cp = ((b0 & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) |
                          (p[3] & 0x3Fu);
            if (cp >= 0x10000 && cp <= 0x10FFFF) {
                *adv = 4;
                return cp;
            }
        }
    }
    *adv = 1;
    return 0xFFFD;
}

static uint32_t next_cp(const unsigned char *t, size_t len, size_t *i) {
    if (t[*i] < 0x80)
        return t[(*i)++];
    size_t adv;
    uint32_t cp = utf8_next(t + *i, len - *i, &adv);
    *i += adv;
    return cp;
}

/* Final_Sigma, forward half: true if no Cased character follows t[i..) once
 * Case_Ignorable characters are skipped. */
static int sigma_final_after(const unsigned char *t, size_t len, size_t i) {
    while (i < len) {
        int k = ef_py_sigma_class(next_cp(t, len, &i));
        if (k != 2)
            return k != 1;
    }
    return 1;
}

/* ------------------------------------------------------------------ normaliser */

/* does t contain U+03A3 (CE A3)? Only then is the Final_Sigma context tracked. */
static int has_capital_sigma(const unsigned char *t, size_t len) {
    const unsigned char *p = t, *end = t + len;
    while (p + 1 < end && (p = memchr(p, 0xCE, (size_t)(end - p - 1))) != NULL) {
        if (p[1] == 0xA3)
            return 1;
        p++;
    }
    return 0;
}

static int is_article(const uint32_t *w, size_t n) {
    switch (n) {
    case 1:
        return w[0] == 'a';
    case 2:
        return w[0] == 'a' && w[1] == 'n';
    case 3:
        return w[0] == 't' && w[1] == 'h' && w[2] == 'e';
    default:
        return 0;
    }
}

int ef_f1_normalize(ef_ngram_scratch *s, int side, const char *text, size_t len,
                    const uint32_t **cps_out, const size_t **spans_out, size_t *ntok_out) {
    uint32_t **bufp = side ? &s->cpb : &s->cpa;
    size_t *bufcap = side ? &s->cpb_cap : &s->cpa_cap;
    size_t **spp = side ? &s->spb : &s->spa;
    size_t *spcap = side ? &s->spb_cap : &s->spa_cap;
    *ntok_out = 0;
    /* every input byte yields at most one code point (U+0130: 2 bytes -> 2) */
    if (ef_ngram_reserve((void **)bufp, bufcap, len + 1, sizeof(**bufp)))
        return -1;
    const unsigned char *t = (const unsigned char *)text;
    uint32_t *buf = *bufp;
    size_t n = 0;

    /* 1. str.lower() and removal of string.punctuation */
    const int has_sigma = has_capital_sigma(t, len);
    int prev_cased = 0; /* Final_Sigma, backward half: last non-ignorable char is Cased */
    for (size_t i = 0; i < len;) {
        unsigned c = t[i];
        if (c < 0x80) {
            uint8_t k = ascii_cls[c];
            if (has_sigma && !(k & A_IGN))
                prev_cased = (k & A_CASED) != 0;
            if (!(k & A_PUNCT))
                buf[n++] = (k & A_UPPER) ? c + 32 : c;
            i++;
            continue;
        }
        size_t adv;
        uint32_t cp = utf8_next(t + i, len - i, &adv);
        i += adv;
        if (cp == 0x3A3) {
            buf[n++] = prev_cased && sigma_final_after(t, len, i) ? 0x3C2 : 0x3C3;
            prev_cased = 1;
            continue;
        }
        uint32_t lo[2];
        int nl = ef_py_lower(cp, lo);
        buf[n++] = lo[0];
        if (nl == 2)
            buf[n++] = lo[1];
        if (has_sigma) {
            int k = ef_py_sigma_class(cp);
            if (k != 2)
                prev_cased = k == 1;
        }
    }

    /* 2. articles -> " ", 3. split on whitespace.  An article match of \b(a|an|the)\b
     * is exactly a maximal run of \w characters equal to "a", "an" or "the". */
    if (ef_ngram_reserve((void **)spp, spcap, n + 2, sizeof(**spp)))
        return -1;
    size_t *sp = *spp;
    size_t ntok = 0;
    size_t start = 0;
    int open = 0;
    for (size_t i = 0; i < n;) {
        uint32_t c = buf[i];
        int word, space;
        if (c < 128) {
            word = (ascii_cls[c] & A_WORD) != 0;
            space = (ascii_cls[c] & A_SPACE) != 0;
        } else {
            space = ef_py_isspace(c);
            word = !space && ef_py_isword(c);
        }
        if (space) {
            if (open) {
                sp[2 * ntok] = start;
                sp[2 * ntok + 1] = i - start;
                ntok++;
                open = 0;
            }
            i++;
            continue;
        }
        size_t j = i + 1;
        if (word) {
            while (j < n &&
                   (buf[j] < 128 ? (ascii_cls[buf[j]] & A_WORD) != 0 : ef_py_isword(buf[j])))
                j++;
            if (is_article(buf + i, j - i)) {
                if (open) {
                    sp[2 * ntok] = start;
                    sp[2 * ntok + 1] = i - start;
                    ntok++;
                    open = 0;
                }
                i = j;
                continue;
            }
        }
        if (!open) {
            start = i;
            open = 1;
        }
        i = j;
    }
    if (open) {
        sp[2 * ntok] = start;
        sp[2 * ntok + 1] = n - start;
        ntok++;
    }
    *cps_out = buf;
    *spans_out = sp;
    *ntok_out = ntok;
    return 0;
}

/* ----------------------------------------------------------------------- score */

int ef_f1_score(ef_ngram_scratch *s, const char *response, size_t rlen, const char *truth,
                size_t tlen, double *f1) {
    *f1 = 0.0;
    const uint32_t *pc, *rc;
    const size_t *ps, *rs;
    size_t np, nr;
    if (ef_f1_normalize(s, 0, response, rlen, &pc, &ps, &np) ||
        ef_f1_normalize(s, 1, truth, tlen, &rc, &rs, &nr))
        return -1;
    if (np > EF_NGRAM_MAX_TOKENS || nr > EF_NGRAM_MAX_TOKENS)
        return -1;
    if (np == 0 || nr == 0)
        return 0; /* no common token */
    if (ef_ngram_reserve((void **)&s->ida, &s->ida_cap, np, sizeof(*s->ida)) ||
        ef_ngram_reserve((void **)&s->idb, &s->idb_cap, nr, sizeof(*s->idb)) ||
        ef_ngram_intern_reset(s, np + nr))
        return -1;
    for (size_t i = 0; i < np; i++)
        s->ida[i] = ef_ngram_intern(s, pc + ps[2 * i], ps[2 * i + 1] * sizeof(*pc));
    for (size_t i = 0; i < nr; i++)
        s->idb[i] = ef_ngram_intern(s, rc + rs[2 * i], rs[2 * i + 1] * sizeof(*rc));
    uint64_t common;
    if (ef_ngram_match(s, np, nr, 1, &common))
        return -1;
    if (common == 0)
        return 0;
    double precision = 1.0 * (double)common / (double)np;
    double recall = 1.0 * (double)common / (double)nr;
    *f1 = (2.0 * precision * recall) / (precision + recall);
    return 0;
}
