/*
 * fuzz_tokenize.c - libFuzzer target for ef_tokenize (nltk_tokenize and its
 * two halves).
 *
 * Input: any bytes; inputs that are not valid UTF-8 are skipped, as the API
 * requires callers to validate.  Checks, for every function: return 0
 * (inputs stay far below the token cap), no empty token, tokens are valid
 * UTF-8 and hold no ASCII whitespace (str.isspace() sense); nltk_tokenize equals
 * word_tokenize on ASCII input and the NIST tokenizer otherwise; a second
 * call on the same tokenizer gives the same tokens (no state leaks between
 * calls).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nltk_tokenize.h"
#include "tokens.h"

/* Strict UTF-8 (no overlongs, surrogates or code points above U+10FFFF). */
static bool valid_utf8(const uint8_t *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        uint8_t b = s[i];
        if (b < 0x80) {
            i++;
            continue;
        }
        size_t len;
        uint32_t cp, min;
        if (b >= 0xC2 && b <= 0xDF) {
            len = 2;
            cp = b & 0x1F;
            min = 0x80;
        } else if (b >= 0xE0 && b <= 0xEF) {
            len = 3;
            cp = b & 0x0F;
            min = 0x800;
        } else if (b >= 0xF0 && b <= 0xF4) {
            len = 4;
            cp = b & 0x07;
            min = 0x10000;
        } else {
            return false;
        }
        if (n - i < len)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

static void check_tokens(const ef_tokens *t) {
    for (size_t i = 0; i < t->n; i++) {
        const char *s = ef_tokens_at(t, i);
        size_t n = ef_tokens_len(t, i);
        if (n == 0 || s[n] != '\0' || !valid_utf8((const uint8_t *)s, n))
            abort();
        for (size_t k = 0; k < n; k++)
            if (s[k] == ' ' || s[k] == '\t' || s[k] == '\n' || s[k] == '\r' || s[k] == '\v' ||
                s[k] == '\f' || (s[k] >= 0x1C && s[k] <= 0x1F))
                abort();
    }
}

static bool same(const ef_tokens *a, const ef_tokens *b) {
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (a->len[i] != b->len[i] || memcmp(ef_tokens_at(a, i), ef_tokens_at(b, i), a->len[i]))
            return false;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static ef_tokenizer *tk;
    static ef_tokens a, b, c;
    if (!tk) {
        char err[256];
        if (!(tk = ef_tokenizer_new(err, sizeof(err))))
            abort();
    }
    if (!valid_utf8(data, size))
        return 0;
    const char *text = (const char *)data;
    bool ascii = true;
    for (size_t i = 0; i < size; i++)
        if (data[i] >= 0x80)
            ascii = false;

    ef_tokens_reset(&a);
    ef_tokens_reset(&b);
    ef_tokens_reset(&c);
    if (ef_tokenize_nltk(tk, text, size, &a) != 0)
        abort();
    check_tokens(&a);
    if (ef_tokenize_word(tk, text, size, &b) != 0)
        abort();
    check_tokens(&b);
    if (ef_tokenize_nist_intl(tk, text, size, &c) != 0)
        abort();
    check_tokens(&c);
    if (!same(&a, ascii ? &b : &c))
        abort();
    ef_tokens_reset(&b);
    if (ef_tokenize_nltk(tk, text, size, &b) != 0 || !same(&a, &b))
        abort();
    return 0;
}
