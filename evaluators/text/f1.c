/* f1.c - see f1.h. */
#include "f1.h"

#include <string.h>
#include <utf8proc.h>

#include "unicode_space.h"

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
    if (cp < 128)
        return (ascii_cls[cp] & A_SPACE) != 0;
    return ef_unicode_space_above_ascii(cp);
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
static inline uint32_t utf8_next(const unsigned char *p, size_t n, size_t *adv) {
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

static int is_article(const unsigned char *w, size_t n) {
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

static size_t utf8_put(unsigned char *o, uint32_t cp) {
    /* utf8proc writes 1-4 bytes for any code point up to U+10FFFF. */
    return (size_t)utf8proc_encode_char((utf8proc_int32_t)cp, (utf8proc_uint8_t *)o);
}

/*
 * Per-scratch cache of non-ASCII code points (direct-mapped on the low bits): texts use
 * few distinct characters, and one hit replaces three utf8proc lookups.  Value: lowered
 * code point (bits 0-20), \w and whitespace of the lowered character (bits 21, 22),
 * Final_Sigma class of the original (bits 23-24).  Not used for U+0130 and U+03A3.
 */
#define UC_WORD      (1u << 21)
#define UC_SPACE     (1u << 22)
#define UC_SIG_SHIFT 23

static uint32_t ucache_fill(ef_ngram_scratch *s, uint32_t cp) {
    uint32_t lo[2];
    ef_py_lower(cp, lo);
    uint32_t v = lo[0];
    if (ef_py_isspace(lo[0]))
        v |= UC_SPACE;
    else if (ef_py_isword(lo[0]))
        v |= UC_WORD;
    v |= (uint32_t)ef_py_sigma_class(cp) << UC_SIG_SHIFT;
    unsigned slot = cp & (EF_NGRAM_UCACHE - 1);
    s->ucache_key[slot] = cp;
    s->ucache_val[slot] = v;
    return v;
}

static inline uint32_t ucache_lookup(ef_ngram_scratch *s, uint32_t cp) {
    unsigned slot = cp & (EF_NGRAM_UCACHE - 1);
    if (s->ucache_key[slot] == cp)
        return s->ucache_val[slot];
    return ucache_fill(s, cp);
}

/*
 * Stage 1 reads the text once: str.lower(), punctuation removal and str.split() at
 * the same time.  Every character of the lowered text is whitespace (a separator),
 * punctuation (dropped, so it neither separates nor joins anything: "e-mail" -> "email")
 * or kept: written out as UTF-8, either a \w character or an "other" one.  The ASCII
 * step is branch-free: rsp[] receives alternating token start / end offsets at every
 * in/out-of-token transition.  Tokens holding an "other" character (non-ASCII symbols,
 * marks, controls...) are listed in otok[].
 *
 * Stage 2 applies re.sub(r"\b(a|an|the)\b", " ") per token.  A match is exactly a
 * maximal \w run equal to "a", "an" or "the"; a token without "other" characters is a
 * single \w run, the others are scanned and split around such runs.
 */
enum { T_KEEP = 1, T_PUNCT = 2, T_SLOW = 4 }; /* low bits; bits 8-15: the output byte */

/* byte -> lowered [a-z0-9] << 8 | T_KEEP, T_PUNCT, 0 (whitespace), or T_SLOW (non-ASCII
 * lead or continuation byte, ASCII control character) */
#define SL   T_SLOW
#define PU   T_PUNCT
#define K(c) (T_KEEP | (c) << 8)
static const uint16_t norm_tab[256] = {
    SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     0,      0,      0,
    0,      0,      SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,
    SL,     SL,     SL,     SL,     0,      0,      0,      0,      0,      PU,     PU,     PU,
    PU,     PU,     PU,     PU,     PU,     PU,     PU,     PU,     PU,     PU,     PU,     PU,
    K(48),  K(49),  K(50),  K(51),  K(52),  K(53),  K(54),  K(55),  K(56),  K(57),  PU,     PU,
    PU,     PU,     PU,     PU,     PU,     K(97),  K(98),  K(99),  K(100), K(101), K(102), K(103),
    K(104), K(105), K(106), K(107), K(108), K(109), K(110), K(111), K(112), K(113), K(114), K(115),
    K(116), K(117), K(118), K(119), K(120), K(121), K(122), PU,     PU,     PU,     PU,     PU,
    PU,     K(97),  K(98),  K(99),  K(100), K(101), K(102), K(103), K(104), K(105), K(106), K(107),
    K(108), K(109), K(110), K(111), K(112), K(113), K(114), K(115), K(116), K(117), K(118), K(119),
    K(120), K(121), K(122), PU,     PU,     PU,     PU,     SL,     SL,     SL,     SL,     SL,
    SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,
    SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,
    SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,
    SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,
    SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,
    SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,
    SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,
    SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,
    SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,
    SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,     SL,
    SL,     SL,     SL,     SL,
};
#undef SL
#undef PU
#undef K

typedef struct {
    unsigned char *buf;
    size_t *rsp;
    size_t *otok;
    size_t n, k, no; /* bytes written, transitions recorded, tokens in otok */
    unsigned prev;   /* inside a token */
} norm_state;

/* one ASCII character that is not T_SLOW */
static inline void step_byte(norm_state *st, unsigned e) {
    unsigned keep = e & T_KEEP;
    unsigned in = keep | ((e >> 1) & st->prev);
    st->buf[st->n] = (unsigned char)(e >> 8);
    st->rsp[st->k] = st->n;
    st->k += in ^ st->prev;
    st->n += keep;
    st->prev = in;
}

/* one code point of the lowered text that is not punctuation */
static void step_cp(norm_state *st, uint32_t c, int word, int space) {
    unsigned in = !space;
    st->rsp[st->k] = st->n;
    st->k += in ^ st->prev;
    st->prev = in;
    if (!in)
        return;
    st->n += utf8_put(st->buf + st->n, c);
    if (!word) {
        size_t tok = st->k / 2; /* k is odd inside a token */
        if (st->no == 0 || st->otok[st->no - 1] != tok)
            st->otok[st->no++] = tok;
    }
}

/* the T_SLOW character at t[i]: ASCII control, or non-ASCII (lowered with Python's
 * rules; *prev_cased is the Final_Sigma state, see below); returns the next index */
static size_t step_slow(ef_ngram_scratch *s, norm_state *st, const unsigned char *t, size_t len,
                        size_t i, int *prev_cased) {
    if (t[i] < 0x80) {
        step_cp(st, t[i], 0, 0); /* a control character: kept, not \w */
        *prev_cased = 0;
        return i + 1;
    }
    size_t adv;
    uint32_t cp = utf8_next(t + i, len - i, &adv);
    i += adv;
    if (cp == 0x3A3) {
        step_cp(st, *prev_cased && sigma_final_after(t, len, i) ? 0x3C2 : 0x3C3, 1, 0);
        *prev_cased = 1;
    } else if (cp == 0x130) { /* lowers to "i\u0307" (U+0307 is Mn: not \w) */
        step_cp(st, 'i', 1, 0);
        step_cp(st, 0x307, 0, 0);
        *prev_cased = 1;
    } else {
        uint32_t v = ucache_lookup(s, cp);
        step_cp(st, v & 0x1FFFFF, (v & UC_WORD) != 0, (v & UC_SPACE) != 0);
        unsigned sc = (v >> UC_SIG_SHIFT) & 3;
        if (sc != 2)
            *prev_cased = sc == 1;
    }
    return i;
}

/* Stage 1 with Final_Sigma tracking (texts holding U+03A3), one character at a time. */
static void stage1_sigma(ef_ngram_scratch *s, const unsigned char *t, size_t len, norm_state *st) {
    /* Final_Sigma, backward half: is the last non-Case_Ignorable character Cased? */
    int prev_cased = 0;
    size_t i = 0;
    while (i < len) {
        unsigned c = t[i];
        unsigned e = norm_tab[c];
        if (e & T_SLOW) {
            i = step_slow(s, st, t, len, i, &prev_cased);
            continue;
        }
        uint8_t a = ascii_cls[c];
        if (!(a & A_IGN))
            prev_cased = (a & A_CASED) != 0;
        step_byte(st, e);
        i++;
    }
}

/* Stage 1 for texts without U+03A3, on plain locals (state in a struct whose address
 * escapes would live in memory).  Returns -1, early, on meeting a U+03A3. */
static int stage1_fast(ef_ngram_scratch *s, const unsigned char *t, size_t len, norm_state *st) {
    unsigned char *buf = st->buf;
    size_t *rsp = st->rsp, *otok = st->otok;
    size_t n = 0, k = 0, no = 0;
    unsigned prev = 0;
    size_t i = 0;
/* a kept-or-space code point c of the lowered text, outside the branch-free ASCII step */
#define STEP_CP(c, word, space)                                                                    \
    do {                                                                                           \
        unsigned in_ = !(space);                                                                   \
        rsp[k] = n;                                                                                \
        k += in_ ^ prev;                                                                           \
        prev = in_;                                                                                \
        if (in_) {                                                                                 \
            n += utf8_put(buf + n, (c));                                                           \
            if (!(word) && (no == 0 || otok[no - 1] != k / 2))                                     \
                otok[no++] = k / 2;                                                                \
        }                                                                                          \
    } while (0)
    while (i < len) {
        unsigned e = norm_tab[t[i]];
        if (!(e & T_SLOW)) {
            unsigned keep = e & T_KEEP;
            unsigned in = keep | ((e >> 1) & prev); /* punctuation keeps the state */
            buf[n] = (unsigned char)(e >> 8);
            rsp[k] = n;
            k += in ^ prev;
            n += keep;
            prev = in;
            i++;
            continue;
        }
        if (t[i] < 0x80) { /* a control character: kept, not \w */
            STEP_CP(t[i], 0, 0);
            i++;
            continue;
        }
        size_t adv;
        uint32_t cp = utf8_next(t + i, len - i, &adv);
        i += adv;
        if (cp == 0x3A3)
            return -1;
        if (cp == 0x130) { /* lowers to "i\u0307" (U+0307 is Mn: not \w) */
            STEP_CP('i', 1, 0);
            STEP_CP(0x307, 0, 0);
            continue;
        }
        uint32_t v = ucache_lookup(s, cp);
        STEP_CP(v & 0x1FFFFF, v & UC_WORD, v & UC_SPACE);
    }
#undef STEP_CP
    st->n = n;
    st->k = k;
    st->no = no;
    st->prev = prev;
    return 0;
}

static void stage1(ef_ngram_scratch *s, const unsigned char *t, size_t len, norm_state *st) {
    if (stage1_fast(s, t, len, st) != 0) {
        st->n = st->k = st->no = 0; /* start over, tracking the Final_Sigma context */
        st->prev = 0;
        stage1_sigma(s, t, len, st);
    }
    if (st->prev) {
        st->rsp[st->k++] = st->n;
        st->prev = 0;
    }
}

/* split buf[a..b) around \w runs equal to an article; append the pieces to sp */
static size_t split_other(const unsigned char *buf, size_t a, size_t b, size_t *sp, size_t out) {
    size_t tok = a, run = 0;
    int in_run = 0;
    for (size_t i = a; i <= b;) {
        int word = 0;
        size_t adv = 1;
        if (i < b) {
            if (buf[i] < 0x80)
                word = (ascii_cls[buf[i]] & A_WORD) != 0;
            else
                word = ef_py_isword(utf8_next(buf + i, b - i, &adv));
        }
        if (word && !in_run) {
            in_run = 1;
            run = i;
        } else if (!word && in_run) {
            in_run = 0;
            if (is_article(buf + run, i - run)) {
                if (run > tok) {
                    sp[out++] = tok;
                    sp[out++] = run;
                }
                tok = i;
            }
        }
        i += adv;
    }
    if (b > tok) {
        sp[out++] = tok;
        sp[out++] = b;
    }
    return out;
}

int ef_f1_normalize(ef_ngram_scratch *s, int side, const char *text, size_t len,
                    const unsigned char **buf_out, const size_t **spans_out, size_t *ntok_out) {
    unsigned char **bufp = side ? &s->tbb : &s->tba;
    size_t *bufcap = side ? &s->tbb_cap : &s->tba_cap;
    size_t **spp = side ? &s->spb : &s->spa;
    size_t *spcap = side ? &s->spb_cap : &s->spa_cap;
    *ntok_out = 0;
    /* Output per input byte: at most 3 bytes (an invalid byte reads as U+FFFD; valid
     * UTF-8 grows by at most 3/2), +8 bytes of zero padding.  There is at most one
     * transition per input character (+1 at the end), and tokens are separated by at
     * least one input character, so 2 * ntok <= len + 1. */
    if (len > SIZE_MAX / 4 || ef_ngram_reserve((void **)bufp, bufcap, 3 * len + 8, 1) ||
        ef_ngram_reserve((void **)spp, spcap, len + 2, sizeof(**spp)) ||
        ef_ngram_reserve((void **)&s->rsp, &s->rsp_cap, len + 2, sizeof(*s->rsp)) ||
        ef_ngram_reserve((void **)&s->otok, &s->otok_cap, len + 2, sizeof(*s->otok)))
        return -1;
    unsigned char *buf = *bufp;
    size_t *sp = *spp;
    norm_state st = {buf, s->rsp, s->otok, 0, 0, 0, 0};
    stage1(s, (const unsigned char *)text, len, &st);
    memset(buf + st.n, 0, 8); /* stage 2 and span interning read up to 8 bytes ahead */

    const size_t *rsp = s->rsp;
    size_t out = 0, o = 0;
    for (size_t j = 0; j < st.k; j += 2) {
        size_t a = rsp[j], b = rsp[j + 1];
        if (o < st.no && s->otok[o] == j / 2) {
            o++;
            out = split_other(buf, a, b, sp, out);
            continue;
        }
        /* a single \w run: drop it if it is an article (branch-free) */
        static const uint32_t amask[4] = {0, 0xFF, 0xFFFF, 0xFFFFFF};
        static const uint32_t aword[4] = {1, 'a', 'a' | 'n' << 8, 't' | 'h' << 8 | 'e' << 16};
        size_t l = b - a;
        size_t lc = l < 4 ? l : 0;
        uint32_t v = (uint32_t)buf[a] | (uint32_t)buf[a + 1] << 8 | (uint32_t)buf[a + 2] << 16;
        sp[out] = a;
        sp[out + 1] = b;
        out += (size_t)((v & amask[lc]) != aword[lc]) * 2;
    }
    *buf_out = buf;
    *spans_out = sp;
    *ntok_out = out / 2;
    return 0;
}

/* ----------------------------------------------------------------------- score */

int ef_f1_score(ef_ngram_scratch *s, const char *response, size_t rlen, const char *truth,
                size_t tlen, double *f1) {
    *f1 = 0.0;
    const unsigned char *pb, *rb;
    const size_t *ps, *rs;
    size_t np, nr;
    if (ef_f1_normalize(s, 0, response, rlen, &pb, &ps, &np) ||
        ef_f1_normalize(s, 1, truth, tlen, &rb, &rs, &nr))
        return -1;
    if (np > EF_NGRAM_MAX_TOKENS || nr > EF_NGRAM_MAX_TOKENS)
        return -1;
    uint64_t common;
    if (ef_ngram_unigram_overlap(s, pb, ps, np, rb, rs, nr, &common))
        return -1;
    if (common == 0)
        return 0;
    double precision = 1.0 * (double)common / (double)np;
    double recall = 1.0 * (double)common / (double)nr;
    *f1 = (2.0 * precision * recall) / (precision + recall);
    return 0;
}
