/*
 * uchar.h - the character classes the NLTK tokenizers are defined over,
 * plus UTF-8 stepping helpers.  Internal to ef_tokenize.
 *
 * NLTK mixes three notions of "space" and two of "word character":
 *   rx_space   \s of the third-party `regex` module (NLTK's redos patterns):
 *              Unicode White_Space, so not U+001C..U+001F
 *   py_space   Python str.isspace()/str.split()/str.strip(): White_Space plus
 *              U+001C..U+001F
 *   rx_word    \w of `regex` (alphabetic, marks, decimal digits, connector
 *              punctuation, join controls)
 *   re_word    \w of the stdlib `re` module (str.isalnum() or '_'), used by
 *              the CONTRACTIONS2/3 patterns
 * ASCII answers come from a table generated with the reference interpreter.
 * Above ASCII the general category comes from utf8proc, corrected by the
 * generated tables in uchar_tables.inc: characters unassigned in Unicode 14.0
 * (the reference Python's tables) are in none of the Python-computed classes,
 * and characters newer than utf8proc's tables that `regex` knows as \w / \d
 * are added.  Against the reference environment (Python 3.11.7, regex
 * 2026.11.15) with utf8proc 2.8.0 every class equals the reference for
 * every code point (verified exhaustively during development).
 * The NIST classes (Number/Punctuation/Symbol) are the perluniprops lists
 * the reference rebuilt from Unicode 14.0 general categories N*, P*, S*.
 *
 * All functions are pure; no memory is allocated.  Decoding never reads
 * outside [0, n) even on invalid UTF-8 (it then yields U+FFFD per byte).
 */
#ifndef EF_UCHAR_H
#define EF_UCHAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    EF_UC_RX_SPACE = 1 << 0,
    EF_UC_PY_SPACE = 1 << 1,
    EF_UC_RX_WORD = 1 << 2,
    EF_UC_RE_WORD = 1 << 3,
    EF_UC_DIGIT = 1 << 4, /* \d: decimal digit (Nd) */
    EF_UC_UPPER = 1 << 5, /* str.isupper() of one character */
    EF_UC_LOWER = 1 << 6, /* str.islower() of one character */
    EF_UC_NIST_N = 1 << 7,
    EF_UC_NIST_P = 1 << 8,
    EF_UC_NIST_S = 1 << 9,
};

/* Class bits of the 128 ASCII characters. */
extern const uint16_t ef_uc_ascii[128];

/* Class bits of any code point (slow path for cp >= 0x80). */
unsigned ef_uc_class_slow(uint32_t cp);

static inline unsigned ef_uc_class(uint32_t cp) {
    return cp < 128 ? ef_uc_ascii[cp] : ef_uc_class_slow(cp);
}

/* Length of the UTF-8 sequence starting with byte b (1 for stray bytes). */
static inline size_t ef_u8_seqlen(unsigned char b) {
    if (b < 0xC0)
        return 1;
    if (b < 0xE0)
        return 2;
    if (b < 0xF0)
        return 3;
    return 4;
}

/* Decode the character at s[i] (i < n); returns its byte length. */
static inline size_t ef_u8_decode(const char *str, size_t n, size_t i, uint32_t *cp) {
    const unsigned char *s = (const unsigned char *)str;
    unsigned char b = s[i];
    if (b < 0x80) {
        *cp = b;
        return 1;
    }
    size_t l = ef_u8_seqlen(b);
    if (l == 1 || l > n - i) {
        *cp = 0xFFFD;
        return 1;
    }
    uint32_t c;
    if (l == 2)
        c = (uint32_t)(b & 0x1F) << 6 | (s[i + 1] & 0x3Fu);
    else if (l == 3)
        c = (uint32_t)(b & 0x0F) << 12 | (uint32_t)(s[i + 1] & 0x3F) << 6 | (s[i + 2] & 0x3Fu);
    else
        c = (uint32_t)(b & 0x07) << 18 | (uint32_t)(s[i + 1] & 0x3F) << 12 |
            (uint32_t)(s[i + 2] & 0x3F) << 6 | (s[i + 3] & 0x3Fu);
    *cp = c;
    return l;
}

/* Start of the character that ends just before s[i] (0 < i). */
static inline size_t ef_u8_prev(const char *str, size_t i) {
    const unsigned char *s = (const unsigned char *)str;
    size_t j = i - 1;
    while (j > 0 && i - j < 4 && (s[j] & 0xC0) == 0x80)
        j--;
    return j;
}

/* Class bits of the character at s[i]; *len receives its byte length. */
static inline unsigned ef_uc_at(const char *s, size_t n, size_t i, size_t *len) {
    unsigned char b = (unsigned char)s[i];
    if (b < 0x80) {
        *len = 1;
        return ef_uc_ascii[b];
    }
    uint32_t cp;
    *len = ef_u8_decode(s, n, i, &cp);
    return ef_uc_class_slow(cp);
}

/* Byte length of the character at s[i] if it has any of the class bits
 * `mask`, else 0.  i == n gives 0. */
static inline size_t ef_uc_match(const char *s, size_t n, size_t i, unsigned mask) {
    if (i >= n)
        return 0;
    size_t l;
    return (ef_uc_at(s, n, i, &l) & mask) ? l : 0;
}

/* Simple lowercase mapping (U+0130 is handled by the caller, see punkt.c). */
uint32_t ef_uc_tolower(uint32_t cp);

/* Encode cp as UTF-8 into out (room for 4 bytes); returns the length. */
size_t ef_u8_encode(uint32_t cp, char *out);

#endif
