/* treebank.c - see treebank.h.
 *
 * Each pass below re-states one substitution (or a run of substitutions
 * that provably commute) of NLTKWordTokenizer.tokenize() as a left-to-right
 * scan with the same leftmost, non-overlapping match semantics: lookbehind
 * and lookahead conditions are evaluated on the pass's input, never on text
 * the pass has already rewritten.  A pass may grow its input at most 4x
 * (+16 bytes), which the driver reserves up front.
 *
 * The character classes are those of the engines the reference uses: the
 * `regex` module for every table except CONTRACTIONS2/3, which are compiled
 * with the stdlib `re` module (see uchar.h).
 */
#include "treebank.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"
#include "uchar.h"

struct ef_treebank {
    ef_sbuf buf[2];
};

ef_treebank *ef_treebank_new(void) { return calloc(1, sizeof(ef_treebank)); }

void ef_treebank_free(ef_treebank *tb) {
    if (!tb)
        return;
    ef_sbuf_free(&tb->buf[0]);
    ef_sbuf_free(&tb->buf[1]);
    free(tb);
}

typedef const unsigned char uchar_t;

static inline void pad(ef_sbuf *o, const char *s, size_t n) {
    ef_sbuf_put(o, ' ');
    ef_sbuf_putn(o, s, n);
    ef_sbuf_put(o, ' ');
}

static inline unsigned class_at(const char *s, size_t n, size_t i, size_t *len) {
    return ef_uc_at(s, n, i, len);
}

/* Case-insensitive match of the ASCII literal `lit` at s[i].  `re_flavour`
 * selects the stdlib `re` equivalences (which also fold U+0130/U+0131 to
 * 'i'); both engines fold U+017F to 's' and U+212A to 'k'.  On success
 * *end is the byte offset after the match. */
static bool ci_match(const char *s, size_t n, size_t i, const char *lit, bool re_flavour,
                     size_t *end) {
    for (; *lit; lit++) {
        if (i >= n)
            return false;
        char want = *lit;
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            char lc = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
            if (lc != want)
                return false;
            i++;
            continue;
        }
        uint32_t cp;
        size_t l = ef_u8_decode(s, n, i, &cp);
        bool ok = (want == 's' && cp == 0x17F) || (want == 'k' && cp == 0x212A) ||
                  (re_flavour && want == 'i' && (cp == 0x130 || cp == 0x131));
        if (!ok)
            return false;
        i += l;
    }
    *end = i;
    return true;
}

/* ---- STARTING_QUOTES ------------------------------------------------- */

/* ([«“‘„]|[`]+) -> " \1 " */
static void p_open_quotes(const char *s, size_t n, ef_sbuf *o) {
    uchar_t *u = (uchar_t *)s;
    for (size_t i = 0; i < n;) {
        if (s[i] == '`') {
            size_t j = i + 1;
            while (j < n && s[j] == '`')
                j++;
            pad(o, s + i, j - i);
            i = j;
            continue;
        }
        size_t l = 0;
        if (u[i] == 0xC2 && i + 1 < n && u[i + 1] == 0xAB)
            l = 2;
        else if (u[i] == 0xE2 && i + 2 < n && u[i + 1] == 0x80 &&
                 (u[i + 2] == 0x9C || u[i + 2] == 0x98 || u[i + 2] == 0x9E))
            l = 3;
        if (l) {
            pad(o, s + i, l);
            i += l;
        } else {
            ef_sbuf_put(o, s[i++]);
        }
    }
}

/* ^\" -> ``  then  (``) -> " \1 ".  The leading `` made by the first is
 * the leftmost match of the second, so both are one pass. */
static void p_backticks(const char *s, size_t n, ef_sbuf *o) {
    size_t i = 0;
    if (n && s[0] == '"') {
        ef_sbuf_putn(o, " `` ", 4);
        i = 1;
    }
    while (i < n) {
        if (s[i] == '`' && i + 1 < n && s[i + 1] == '`') {
            ef_sbuf_putn(o, " `` ", 4);
            i += 2;
        } else {
            ef_sbuf_put(o, s[i++]);
        }
    }
}

/* ([ \(\[{<])(\"|\'{2}) -> "\1 `` " */
static void p_open_dquote(const char *s, size_t n, ef_sbuf *o) {
    for (size_t i = 0; i < n;) {
        char c = s[i];
        if (c == ' ' || c == '(' || c == '[' || c == '{' || c == '<') {
            size_t q = 0;
            if (i + 1 < n && s[i + 1] == '"')
                q = 1;
            else if (i + 2 < n && s[i + 1] == '\'' && s[i + 2] == '\'')
                q = 2;
            if (q) {
                ef_sbuf_put(o, c);
                ef_sbuf_putn(o, " `` ", 4);
                i += 1 + q;
                continue;
            }
        }
        ef_sbuf_put(o, c);
        i++;
    }
}

/* (?i)(?<!\w)(\')(?!(?:re|ve|ll|m|t|s|d|n)\b)(?=\w) -> "\1 " */
static void p_open_squote(const char *s, size_t n, ef_sbuf *o) {
    static const char *const clitics[] = {"re", "ve", "ll", "m", "t", "s", "d", "n"};
    for (size_t i = 0; i < n; i++) {
        ef_sbuf_put(o, s[i]);
        if (s[i] != '\'')
            continue;
        size_t l;
        if (i > 0 && (class_at(s, n, ef_u8_prev(s, i), &l) & EF_UC_RX_WORD))
            continue;
        if (i + 1 >= n || !(class_at(s, n, i + 1, &l) & EF_UC_RX_WORD))
            continue;
        bool clitic = false;
        for (size_t k = 0; k < sizeof(clitics) / sizeof(clitics[0]) && !clitic; k++) {
            size_t e;
            if (ci_match(s, n, i + 1, clitics[k], false, &e) &&
                (e == n || !(class_at(s, n, e, &l) & EF_UC_RX_WORD)))
                clitic = true;
        }
        if (!clitic)
            ef_sbuf_put(o, ' ');
    }
}

/* ---- PUNCTUATION ----------------------------------------------------- */

/* Byte length of a closing curly quote/guillemet (U+00BB U+201D U+2019). */
static size_t curly_close_len(const char *s, size_t n, size_t i) {
    uchar_t *u = (uchar_t *)s;
    if (u[i] == 0xC2 && i + 1 < n && u[i + 1] == 0xBB)
        return 2;
    if (u[i] == 0xE2 && i + 2 < n && u[i + 1] == 0x80 && (u[i + 2] == 0x9D || u[i + 2] == 0x99))
        return 3;
    return 0;
}

/* The final-period rules: ([^\.])(\.)(CLOSERS*)\s*$.  Only the last '.' of
 * the string can match (nothing after it may be a '.').  Returns the period
 * offset and the end of the closer run in *run_end, or SIZE_MAX. */
static size_t final_period(const char *s, size_t n, bool wide, size_t *run_end) {
    const char *dot = NULL;
    for (size_t i = n; i > 0; i--)
        if (s[i - 1] == '.') {
            dot = s + i - 1;
            break;
        }
    if (!dot || dot == s || dot[-1] == '.')
        return SIZE_MAX;
    size_t p = (size_t)(dot - s), r = p + 1, l;
    while (r < n) {
        char c = s[r];
        if (c == ']' || c == ')' || c == '}' || c == '>' || c == '"' || c == '\'' ||
            (wide && c == ' '))
            r++;
        else if (wide && (l = curly_close_len(s, n, r)))
            r += l;
        else
            break;
    }
    for (size_t w = r; w < n; w += l)
        if (!(l = ef_uc_match(s, n, w, EF_UC_RX_SPACE)))
            return SIZE_MAX;
    *run_end = r;
    return p;
}

/* ([^\.])(\.)([\]\)}>"\'»”’ ]*+)\s*$ -> "\1 \2 \3 " */
static void p_final_period_wide(const char *s, size_t n, ef_sbuf *o) {
    size_t r, p = final_period(s, n, true, &r);
    if (p == SIZE_MAX) {
        ef_sbuf_putn(o, s, n);
        return;
    }
    ef_sbuf_putn(o, s, p);
    ef_sbuf_putn(o, " . ", 3);
    ef_sbuf_putn(o, s + p + 1, r - p - 1);
    ef_sbuf_put(o, ' ');
}

/* ([^\.])(\.)([\]\)}>"\']*)\s*$ -> "\1 \2\3 " */
static void p_final_period_narrow(const char *s, size_t n, ef_sbuf *o) {
    size_t r, p = final_period(s, n, false, &r);
    if (p == SIZE_MAX) {
        ef_sbuf_putn(o, s, n);
        return;
    }
    ef_sbuf_putn(o, s, p);
    ef_sbuf_putn(o, " .", 2);
    ef_sbuf_putn(o, s + p + 1, r - p - 1);
    ef_sbuf_put(o, ' ');
}

/* ([:,])([^\d]) -> " \1 \2"  then  ([:,])$ -> " \1 " */
static void p_colon_comma(const char *s, size_t n, ef_sbuf *o) {
    for (size_t i = 0; i < n;) {
        if ((s[i] == ':' || s[i] == ',') && i + 1 < n) {
            size_t l;
            if (!(class_at(s, n, i + 1, &l) & EF_UC_DIGIT)) {
                pad(o, s + i, 1);
                ef_sbuf_putn(o, s + i + 1, l);
                i += 1 + l;
                continue;
            }
        }
        ef_sbuf_put(o, s[i++]);
    }
}

static void p_colon_comma_end(const char *s, size_t n, ef_sbuf *o) {
    size_t k = SIZE_MAX; /* `$` also matches before a final '\n' */
    if (n >= 1 && (s[n - 1] == ':' || s[n - 1] == ','))
        k = n - 1;
    else if (n >= 2 && s[n - 1] == '\n' && (s[n - 2] == ':' || s[n - 2] == ','))
        k = n - 2;
    if (k == SIZE_MAX) {
        ef_sbuf_putn(o, s, n);
        return;
    }
    ef_sbuf_putn(o, s, k);
    pad(o, s + k, 1);
    ef_sbuf_putn(o, s + k + 1, n - k - 1);
}

/* \.{2,} -> " \g<0> ",  [;@#$%&] -> " \g<0> ",  [\u2012-\u2015] -> " \g<0> "
 * (disjoint character sets: one pass) */
static void p_dots_symbols_dashes(const char *s, size_t n, ef_sbuf *o) {
    uchar_t *u = (uchar_t *)s;
    for (size_t i = 0; i < n;) {
        char c = s[i];
        if (c == '.' && i + 1 < n && s[i + 1] == '.') {
            size_t j = i + 2;
            while (j < n && s[j] == '.')
                j++;
            pad(o, s + i, j - i);
            i = j;
        } else if (c == ';' || c == '@' || c == '#' || c == '$' || c == '%' || c == '&') {
            pad(o, s + i, 1);
            i++;
        } else if (u[i] == 0xE2 && i + 2 < n && u[i + 1] == 0x80 && u[i + 2] >= 0x92 &&
                   u[i + 2] <= 0x95) {
            pad(o, s + i, 3);
            i += 3;
        } else {
            ef_sbuf_put(o, s[i++]);
        }
    }
}

/* [?!] -> " \g<0> " */
static void p_qmark_bang(const char *s, size_t n, ef_sbuf *o) {
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '?' || s[i] == '!')
            pad(o, s + i, 1);
        else
            ef_sbuf_put(o, s[i]);
    }
}

/* ([^'])' -> "\1 ' " (matched bytewise: the character before the quote is
 * never a quote when its last byte is not one) */
static void p_close_squote(const char *s, size_t n, ef_sbuf *o) {
    for (size_t i = 0; i < n;) {
        if (s[i] != '\'' && i + 2 < n && s[i + 1] == '\'' && s[i + 2] == ' ') {
            ef_sbuf_put(o, s[i]);
            ef_sbuf_putn(o, " ' ", 3);
            i += 3;
        } else {
            ef_sbuf_put(o, s[i++]);
        }
    }
}

/* [*] -> " \g<0> ",  PARENS_BRACKETS [\]\[\(\)\{\}\<\>] -> " \g<0> ",
 * DOUBLE_DASHES -- -> " -- "  (disjoint sets: one pass) */
static void p_star_brackets_dashes(const char *s, size_t n, ef_sbuf *o) {
    for (size_t i = 0; i < n;) {
        switch (s[i]) {
        case '*':
        case '[':
        case ']':
        case '(':
        case ')':
        case '{':
        case '}':
        case '<':
        case '>':
            pad(o, s + i, 1);
            i++;
            break;
        case '-':
            if (i + 1 < n && s[i + 1] == '-') {
                ef_sbuf_putn(o, " -- ", 4);
                i += 2;
                break;
            }
            /* fall through */
        default:
            ef_sbuf_put(o, s[i++]);
        }
    }
}

/* ---- ENDING_QUOTES --------------------------------------------------- */

static inline void put_ws(ef_sbuf *o) {
    if (o->len == 0 || o->p[o->len - 1] != ' ')
        ef_sbuf_put(o, ' ');
}

/* " " + text + " ", then ([»”’]) -> " \1 ", '' -> " '' ", " -> " '' ",
 * and \s+ -> " ".  The quote rules touch disjoint characters and never
 * create input for an earlier one; the whitespace collapse is folded in by
 * writing every whitespace character as one space unless the output
 * already ends with the space of the current run. */
static void p_close_quotes_ws(const char *s, size_t n, ef_sbuf *o) {
    put_ws(o);
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\'' && i + 1 < n && s[i + 1] == '\'') {
            put_ws(o);
            ef_sbuf_putn(o, "''", 2);
            put_ws(o);
            i += 2;
        } else if (c == '"') {
            put_ws(o);
            ef_sbuf_putn(o, "''", 2);
            put_ws(o);
            i++;
        } else if (c < 0x80) {
            if (ef_uc_ascii[c] & EF_UC_RX_SPACE)
                put_ws(o);
            else
                ef_sbuf_put(o, (char)c);
            i++;
        } else {
            size_t l = curly_close_len(s, n, i);
            if (l) {
                put_ws(o);
                ef_sbuf_putn(o, s + i, l);
                put_ws(o);
            } else if (class_at(s, n, i, &l) & EF_UC_RX_SPACE) {
                put_ws(o);
            } else {
                ef_sbuf_putn(o, s + i, l);
            }
            i += l;
        }
    }
    put_ws(o);
}

/* ([^' ])('[sS]|'[mM]|'[dD]|') -> "\1 \2 " */
static void p_clitic_s_m_d(const char *s, size_t n, ef_sbuf *o) {
    for (size_t i = 0; i < n;) {
        char c = s[i];
        if (c != '\'' && c != ' ' && i + 2 < n && s[i + 1] == '\'') {
            char d = s[i + 2];
            if ((d == 's' || d == 'S' || d == 'm' || d == 'M' || d == 'd' || d == 'D') &&
                i + 3 < n && s[i + 3] == ' ') {
                ef_sbuf_put(o, c);
                ef_sbuf_put(o, ' ');
                ef_sbuf_putn(o, s + i + 1, 2);
                ef_sbuf_put(o, ' ');
                i += 4;
                continue;
            }
            if (d == ' ') {
                ef_sbuf_put(o, c);
                ef_sbuf_putn(o, " ' ", 3);
                i += 3;
                continue;
            }
        }
        ef_sbuf_put(o, s[i++]);
    }
}

/* ([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) -> "\1 \2 " */
static void p_clitic_ll_re_ve_nt(const char *s, size_t n, ef_sbuf *o) {
    static const char clitics[8][4] = {"'ll", "'LL", "'re", "'RE", "'ve", "'VE", "n't", "N'T"};
    for (size_t i = 0; i < n;) {
        char c = s[i];
        if (c != '\'' && c != ' ' && i + 4 < n && s[i + 4] == ' ') {
            bool hit = false;
            for (int k = 0; k < 8 && !hit; k++)
                hit = memcmp(s + i + 1, clitics[k], 3) == 0;
            if (hit) {
                ef_sbuf_put(o, c);
                ef_sbuf_put(o, ' ');
                ef_sbuf_putn(o, s + i + 1, 3);
                ef_sbuf_put(o, ' ');
                i += 5;
                continue;
            }
        }
        ef_sbuf_put(o, s[i++]);
    }
}

/* ---- CONTRACTIONS2 / CONTRACTIONS3 (stdlib `re`, case-insensitive) ---- */

/* \b(can)(not)\b, \b(d)('ye)\b, \b(gim)(me)\b, \b(gon)(na)\b, \b(got)(ta)\b,
 * \b(lem)(me)\b, \b(more)('n)\b, \b(wan)(na)(?=\s)  -> " \1 \2 ".
 * Every match starts with a word character after a non-word one and ends
 * with a word character before a non-word one, so matches of different
 * patterns can neither overlap nor touch, and applying the eight
 * substitutions one after another equals one pass trying them in order. */
static void p_contractions2(const char *s, size_t n, ef_sbuf *o) {
    static const char *const pats[8][2] = {{"can", "not"}, {"d", "'ye"},  {"gim", "me"},
                                           {"gon", "na"},  {"got", "ta"}, {"lem", "me"},
                                           {"more", "'n"}, {"wan", "na"}};
    bool prev_word = false;
    for (size_t i = 0; i < n;) {
        size_t l;
        unsigned cls = class_at(s, n, i, &l);
        char c = (char)(s[i] | 0x20);
        if (!prev_word && (c == 'c' || c == 'd' || c == 'g' || c == 'l' || c == 'm' || c == 'w')) {
            for (int k = 0; k < 8; k++) {
                size_t mid, end, tl;
                if (!ci_match(s, n, i, pats[k][0], true, &mid) ||
                    !ci_match(s, n, mid, pats[k][1], true, &end))
                    continue;
                unsigned next = end < n ? class_at(s, n, end, &tl) : 0;
                if (k == 7 ? !(next & EF_UC_PY_SPACE) : (next & EF_UC_RE_WORD) != 0)
                    continue;
                pad(o, s + i, mid - i);
                ef_sbuf_putn(o, s + mid, end - mid);
                ef_sbuf_put(o, ' ');
                i = end;
                prev_word = true;
                goto next_char;
            }
        }
        ef_sbuf_putn(o, s + i, l);
        prev_word = (cls & EF_UC_RE_WORD) != 0;
        i += l;
    next_char:;
    }
}

/* (?i) ('t)(is)\b  and  (?i) ('t)(was)\b  -> " \1 \2 " (one pass: a position
 * can match at most one of the two) */
static void p_contractions3(const char *s, size_t n, ef_sbuf *o) {
    for (size_t i = 0; i < n;) {
        if (s[i] == ' ' && i + 2 < n && s[i + 1] == '\'' && (s[i + 2] == 't' || s[i + 2] == 'T')) {
            size_t j = i + 3, e, l;
            if ((ci_match(s, n, j, "is", true, &e) || ci_match(s, n, j, "was", true, &e)) &&
                (e == n || !(class_at(s, n, e, &l) & EF_UC_RE_WORD))) {
                pad(o, s + i + 1, 2);
                ef_sbuf_putn(o, s + j, e - j);
                ef_sbuf_put(o, ' ');
                i = e;
                continue;
            }
        }
        ef_sbuf_put(o, s[i++]);
    }
}

/* ---- driver ---------------------------------------------------------- */

typedef void (*pass_fn)(const char *, size_t, ef_sbuf *);

/* A pass and the bytes without which it cannot change its input (NULL:
 * always run).  Skipping a pass that would copy its input unchanged is only
 * a speed-up. */
typedef struct pass_def {
    pass_fn fn;
    const char *needs;
} pass_def;

static const pass_def passes[] = {
    {p_open_quotes, "`\xC2\xE2"},
    {p_backticks, "`\""},
    {p_open_dquote, "\"'"},
    {p_open_squote, "'"},
    {p_final_period_wide, "."},
    {p_colon_comma, ":,"},
    {p_colon_comma_end, ":,"},
    {p_dots_symbols_dashes, ";@#$%&\xE2"}, /* or "..", checked below */
    {p_final_period_narrow, "."},
    {p_qmark_bang, "?!"},
    {p_close_squote, "'"},
    {p_star_brackets_dashes, "*[](){}<>-"},
    {p_close_quotes_ws, NULL},
    {p_clitic_s_m_d, "'"},
    {p_clitic_ll_re_ve_nt, "'"},
    {p_contractions2, NULL},
    {p_contractions3, "'"},
};

/* Run fn on (*s, *n) into the buffer not holding it; update (*s, *n). */
static int step(ef_treebank *tb, int *cur, const char **s, size_t *n, pass_fn fn) {
    ef_sbuf *o = &tb->buf[*cur ^ 1];
    o->len = 0;
    if (*n > (SIZE_MAX - 16) / 4 || ef_sbuf_reserve(o, *n * 4 + 16) < 0)
        return -1;
    fn(*s, *n, o);
    *cur ^= 1;
    *s = o->p;
    *n = o->len;
    return 0;
}

static bool has_byte(const uint64_t present[4], unsigned char c) {
    return (present[c >> 6] >> (c & 63)) & 1;
}

static void set_byte(uint64_t present[4], unsigned char c) {
    present[c >> 6] |= (uint64_t)1 << (c & 63);
}

static int split_push(const char *s, size_t n, ef_tokens *out) {
    size_t i = 0;
    while (i < n) {
        size_t l;
        while (i < n && (class_at(s, n, i, &l) & EF_UC_PY_SPACE))
            i += l;
        if (i >= n)
            break;
        size_t start = i;
        while (i < n && !(class_at(s, n, i, &l) & EF_UC_PY_SPACE))
            i += l;
        if (ef_tokens_push(out, s + start, i - start) < 0)
            return -1;
    }
    return 0;
}

int ef_treebank_tokenize(ef_treebank *tb, const char *text, size_t len, ef_tokens *out) {
    /* Bytes of the sentence, plus those a pass can introduce: quotes turn
     * into `` and '' . */
    uint64_t present[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < len; i++)
        set_byte(present, (unsigned char)text[i]);
    if (has_byte(present, '"') || has_byte(present, '\'')) {
        set_byte(present, '`');
        set_byte(present, '\'');
    }
    bool dot_run = false;
    if (has_byte(present, '.'))
        for (size_t i = 0; i + 1 < len && !dot_run; i++)
            dot_run = text[i] == '.' && text[i + 1] == '.';

    const char *s = text;
    size_t n = len;
    int cur = 1; /* the input is in neither buffer yet */
    for (size_t k = 0; k < sizeof(passes) / sizeof(passes[0]); k++) {
        const char *need = passes[k].needs;
        if (need) {
            bool run = passes[k].fn == p_dots_symbols_dashes && dot_run;
            for (; *need && !run; need++)
                run = has_byte(present, (unsigned char)*need);
            if (!run)
                continue;
        }
        if (step(tb, &cur, &s, &n, passes[k].fn) < 0)
            return -1;
    }
    return split_push(s, n, out);
}
