/* nist_tokenize.c - see nist_tokenize.h.
 *
 * Each pass re-states one substitution of international_tokenize() as a
 * left-to-right scan with the same non-overlapping match semantics.  A pass
 * grows its input at most 3x (+16 bytes), reserved up front by the driver.
 */
#include "nist_tokenize.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"
#include "uchar.h"

struct ef_nist {
    ef_sbuf buf[2];
};

ef_nist *ef_nist_new(void) { return calloc(1, sizeof(ef_nist)); }

void ef_nist_free(ef_nist *nt) {
    if (!nt)
        return;
    ef_sbuf_free(&nt->buf[0]);
    ef_sbuf_free(&nt->buf[1]);
    free(nt);
}

/* "<skipped>" -> "" (matches are not rescanned), then U+2028 -> " ".  The
 * two commute: neither pattern contains the other's characters. */
static void p_skipped_linesep(const char *s, size_t n, ef_sbuf *o) {
    for (size_t i = 0; i < n;) {
        if (s[i] == '<' && n - i >= 9 && memcmp(s + i, "<skipped>", 9) == 0) {
            i += 9;
        } else if ((unsigned char)s[i] == 0xE2 && n - i >= 3 && (unsigned char)s[i + 1] == 0x80 &&
                   (unsigned char)s[i + 2] == 0xA8) {
            ef_sbuf_put(o, ' ');
            i += 3;
        } else {
            ef_sbuf_put(o, s[i++]);
        }
    }
}

/* xml_unescape(): str.replace() of &lt; &gt; &apos; &quot; &#124; &#91;
 * &#93; and finally &amp;.  Occurrences of these entities cannot overlap
 * (each is '&' ... ';' with neither inside) and no replacement except the
 * last can form a new one, so one scan that replaces whichever entity
 * starts at each '&' and never rescans its output is the same. */
static void p_unescape(const char *s, size_t n, ef_sbuf *o) {
    static const struct {
        const char *ent;
        size_t len;
        char ch;
    } ents[] = {{"&lt;", 4, '<'},   {"&gt;", 4, '>'},  {"&apos;", 6, '\''}, {"&quot;", 6, '"'},
                {"&#124;", 6, '|'}, {"&#91;", 5, '['}, {"&#93;", 5, ']'},   {"&amp;", 5, '&'}};
    for (size_t i = 0; i < n;) {
        if (s[i] == '&') {
            size_t k;
            for (k = 0; k < sizeof(ents) / sizeof(ents[0]); k++)
                if (n - i >= ents[k].len && memcmp(s + i, ents[k].ent, ents[k].len) == 0)
                    break;
            if (k < sizeof(ents) / sizeof(ents[0])) {
                ef_sbuf_put(o, ents[k].ch);
                i += ents[k].len;
                continue;
            }
        }
        ef_sbuf_put(o, s[i++]);
    }
}

/* ([\x00-\x7f]+) -> " \1 " */
static void p_pad_ascii_runs(const char *s, size_t n, ef_sbuf *o) {
    for (size_t i = 0; i < n;) {
        if ((unsigned char)s[i] < 0x80) {
            size_t j = i + 1;
            while (j < n && (unsigned char)s[j] < 0x80)
                j++;
            ef_sbuf_put(o, ' ');
            ef_sbuf_putn(o, s + i, j - i);
            ef_sbuf_put(o, ' ');
            i = j;
        } else {
            ef_sbuf_put(o, s[i++]);
        }
    }
}

/* ([first])([second]) -> lead + \1 + " " + \2 + trail, for the two
 * number/punctuation rules. */
static void split_pairs(const char *s, size_t n, ef_sbuf *o, unsigned first, unsigned second,
                        bool lead_space) {
    for (size_t i = 0; i < n;) {
        size_t l1, l2;
        unsigned c1 = ef_uc_at(s, n, i, &l1);
        if ((c1 & first) && i + l1 < n && (ef_uc_at(s, n, i + l1, &l2) & second)) {
            if (lead_space)
                ef_sbuf_put(o, ' ');
            ef_sbuf_putn(o, s + i, l1);
            ef_sbuf_put(o, ' ');
            ef_sbuf_putn(o, s + i + l1, l2);
            if (!lead_space)
                ef_sbuf_put(o, ' ');
            i += l1 + l2;
        } else {
            ef_sbuf_putn(o, s + i, l1);
            i += l1;
        }
    }
}

/* ([N])([P]) -> "\1 \2 " */
static void p_number_punct(const char *s, size_t n, ef_sbuf *o) {
    split_pairs(s, n, o, EF_UC_NIST_N, EF_UC_NIST_P, false);
}

/* ([P])([N]) -> " \1 \2" */
static void p_punct_number(const char *s, size_t n, ef_sbuf *o) {
    split_pairs(s, n, o, EF_UC_NIST_P, EF_UC_NIST_N, true);
}

/* ([S]) -> " \1 " */
static void p_symbols(const char *s, size_t n, ef_sbuf *o) {
    for (size_t i = 0; i < n;) {
        size_t l;
        unsigned c = ef_uc_at(s, n, i, &l);
        if (c & EF_UC_NIST_S) {
            ef_sbuf_put(o, ' ');
            ef_sbuf_putn(o, s + i, l);
            ef_sbuf_put(o, ' ');
        } else {
            ef_sbuf_putn(o, s + i, l);
        }
        i += l;
    }
}

typedef void (*pass_fn)(const char *, size_t, ef_sbuf *);

int ef_nist_tokenize(ef_nist *nt, const char *text, size_t len, ef_tokens *out) {
    static const pass_fn passes[] = {p_skipped_linesep, p_unescape,     p_pad_ascii_runs,
                                     p_number_punct,    p_punct_number, p_symbols};
    const char *s = text;
    size_t n = len;
    int cur = 1;
    for (size_t k = 0; k < sizeof(passes) / sizeof(passes[0]); k++) {
        ef_sbuf *o = &nt->buf[cur ^ 1];
        o->len = 0;
        if (n > (SIZE_MAX - 16) / 3 || ef_sbuf_reserve(o, n * 3 + 16) < 0)
            return -1;
        passes[k](s, n, o);
        cur ^= 1;
        s = o->p;
        n = o->len;
    }
    /* " ".join(text.strip().split()).split() == text.split() */
    for (size_t i = 0; i < n;) {
        size_t l;
        while (i < n && (ef_uc_at(s, n, i, &l) & EF_UC_PY_SPACE))
            i += l;
        if (i >= n)
            break;
        size_t start = i;
        while (i < n && !(ef_uc_at(s, n, i, &l) & EF_UC_PY_SPACE))
            i += l;
        if (ef_tokens_push(out, s + start, i - start) < 0)
            return -1;
    }
    return 0;
}
