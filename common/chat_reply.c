/*
 * chat_reply.c - the OpenAI chat-completions reply scanner (see chat_reply.h).
 *
 * One pass of recursive descent (depth capped at EF_CHAT_REPLY_MAX_DEPTH)
 * that validates the whole document against RFC 8259 and, at the four
 * objects it looks into (the top level, choices[0], its message and usage),
 * acts on the first occurrence of the keys it wants.  Every other value is
 * skipped with full validation.  Where cJSON is laxer (trailing bytes, any
 * byte <= 0x20 as whitespace, a BOM, raw control characters in strings, bad
 * hex in \u escapes read as U+0000, numbers like "01" or "1."), this scanner
 * returns 0 and lets the caller's cJSON path decide.  Where cJSON is stricter
 * (lone or broken surrogate escapes, numbers longer than the 63 bytes its
 * number buffer holds) it returns 0 as well.
 */
#include "chat_reply.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Where the object members the scanner acts on live. */
enum { L_SKIP, L_ROOT, L_CHOICES, L_CHOICE, L_MESSAGE, L_USAGE };

/* The keys it acts on; a bit each in scan.seen once met at their level. */
enum {
    K_OTHER,
    K_CHOICES,
    K_MODEL,
    K_USAGE,
    K_MESSAGE,
    K_FINISH,
    K_CONTENT,
    K_PROMPT,
    K_COMPLETION,
    K_TOTAL
};

static const unsigned char key_level[] = {
    [K_OTHER] = L_SKIP,       [K_CHOICES] = L_ROOT,  [K_MODEL] = L_ROOT,      [K_USAGE] = L_ROOT,
    [K_MESSAGE] = L_CHOICE,   [K_FINISH] = L_CHOICE, [K_CONTENT] = L_MESSAGE, [K_PROMPT] = L_USAGE,
    [K_COMPLETION] = L_USAGE, [K_TOTAL] = L_USAGE,
};

/* Bytes that end a plain run inside a string: controls, '"' and '\\'. */
// clang-format off
static const unsigned char special[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    ['"'] = 1, ['\\'] = 1,
};
// clang-format on

/* The first byte in [p, end) that ends a plain run of a string (see
 * special[]), or end: eight bytes at a time where the compiler allows. */
static inline const unsigned char *plain_run(const unsigned char *p, const unsigned char *end) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    while (end - p >= 8) {
        uint64_t x, q, b;
        memcpy(&x, p, 8);
        q = x ^ (ones * '"');
        b = x ^ (ones * '\\');
        /* The high bit of each byte that is < 0x20, '"' or '\\': exact up to
         * the first such byte, which is all that is used. */
        uint64_t hit = ((x - ones * 0x20) | (q - ones) | (b - ones)) & ~x & highs;
        if (hit)
            return p + (__builtin_ctzll(hit) >> 3);
        p += 8;
    }
#endif
    while (p < end && !special[*p])
        p++;
    return p;
}

typedef struct scan {
    const unsigned char *p, *end;
    char *out, *out_end; /* free part of the caller's buf */
    unsigned seen;       /* 1 << K_*: first occurrence already taken */
    ef_chat_reply r;
} scan;

static int is_digit(unsigned c) { return c - '0' < 10u; }

static void ws(scan *s) {
    const unsigned char *p = s->p, *end = s->end;
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    s->p = p;
}

static int hex4(const unsigned char *p, unsigned *v) {
    unsigned h = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = p[i], d;
        if (c - '0' < 10u)
            d = c - '0';
        else if ((c | 0x20) - 'a' < 6u)
            d = (c | 0x20) - 'a' + 10;
        else
            return 0;
        h = h << 4 | d;
    }
    *v = h;
    return 1;
}

/* The escape at p (a backslash): its code point in *cp and the byte after
 * it, or NULL if invalid (unknown escape, bad hex, lone or broken surrogate).
 * cJSON fails on the same surrogate cases; it reads bad hex as U+0000. */
static const unsigned char *escape(const unsigned char *p, const unsigned char *end, uint32_t *cp) {
    if (end - p < 2)
        return NULL;
    switch (p[1]) {
    case '"':
    case '\\':
    case '/':
        *cp = p[1];
        return p + 2;
    case 'b':
        *cp = '\b';
        return p + 2;
    case 'f':
        *cp = '\f';
        return p + 2;
    case 'n':
        *cp = '\n';
        return p + 2;
    case 'r':
        *cp = '\r';
        return p + 2;
    case 't':
        *cp = '\t';
        return p + 2;
    case 'u': {
        unsigned hi, lo;
        if (end - p < 6 || !hex4(p + 2, &hi) || (hi >= 0xDC00 && hi <= 0xDFFF))
            return NULL;
        if (hi < 0xD800 || hi > 0xDBFF) {
            *cp = hi;
            return p + 6;
        }
        if (end - p < 12 || p[6] != '\\' || p[7] != 'u' || !hex4(p + 8, &lo) || lo < 0xDC00 ||
            lo > 0xDFFF)
            return NULL;
        *cp = 0x10000 + (((hi & 0x3FF) << 10) | (lo & 0x3FF));
        return p + 12;
    }
    default:
        return NULL;
    }
}

/* UTF-8 of cp (<= 0x10FFFF) into u; its length. */
static size_t utf8(uint32_t cp, unsigned char u[4]) {
    if (cp < 0x80) {
        u[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        u[0] = (unsigned char)(0xC0 | cp >> 6);
        u[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        u[0] = (unsigned char)(0xE0 | cp >> 12);
        u[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        u[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    u[0] = (unsigned char)(0xF0 | cp >> 18);
    u[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
    u[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
    u[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* The string whose opening quote is just before s->p: validated and skipped. */
static int string_skip(scan *s) {
    const unsigned char *p = s->p, *end = s->end;
    for (;;) {
        p = plain_run(p, end);
        if (p >= end || *p < 0x20)
            return -1;
        if (*p == '"') {
            s->p = p + 1;
            return 0;
        }
        uint32_t cp;
        if (!(p = escape(p, end, &cp)))
            return -1;
    }
}

/* The string whose opening quote is just before s->p, unescaped into
 * dst[0..cap) (bytes past cap are counted, not stored): *len its unescaped
 * length, *nul whether it holds U+0000. */
static int string_decode(scan *s, char *dst, size_t cap, size_t *len, int *nul) {
    const unsigned char *p = s->p, *end = s->end;
    size_t n = 0;
    *nul = 0;
    for (;;) {
        const unsigned char *run = p;
        p = plain_run(p, end);
        size_t k = (size_t)(p - run);
        if (k) {
            size_t room = n < cap ? cap - n : 0;
            if (room)
                memcpy(dst + n, run, k < room ? k : room);
            n += k;
        }
        if (p >= end || *p < 0x20)
            return -1;
        if (*p == '"')
            break;
        uint32_t cp;
        unsigned char u[4];
        if (!(p = escape(p, end, &cp)))
            return -1;
        if (cp == 0)
            *nul = 1;
        size_t m = utf8(cp, u);
        for (size_t i = 0; i < m; i++, n++)
            if (n < cap)
                dst[n] = (char)u[i];
    }
    s->p = p + 1;
    *len = n;
    return 0;
}

/* Unescapes the string value at s->p (its opening quote) into the caller's
 * buf.  Every string taken comes from its own stretch of the body and
 * unescapes to fewer bytes than that stretch with its quotes, so len + 1
 * bytes of buf always suffice; the check below is a safety net. */
static int take_string(scan *s, const char **str, size_t *len) {
    size_t cap = (size_t)(s->out_end - s->out), n;
    int nul;
    s->p++;
    if (string_decode(s, s->out, cap, &n, &nul) || nul || n >= cap)
        return -1;
    s->out[n] = '\0';
    *str = s->out;
    s->out += n + 1;
    if (len)
        *len = n;
    return 0;
}

static int match(const char *k, size_t n) {
#define IS(name) (n == sizeof(name) - 1 && !memcmp(k, name, n))
    switch (n ? k[0] : 0) {
    case 'c':
        return IS("choices")             ? K_CHOICES
               : IS("content")           ? K_CONTENT
               : IS("completion_tokens") ? K_COMPLETION
                                         : K_OTHER;
    case 'm':
        return IS("model") ? K_MODEL : IS("message") ? K_MESSAGE : K_OTHER;
    case 'u':
        return IS("usage") ? K_USAGE : K_OTHER;
    case 'f':
        return IS("finish_reason") ? K_FINISH : K_OTHER;
    case 'p':
        return IS("prompt_tokens") ? K_PROMPT : K_OTHER;
    case 't':
        return IS("total_tokens") ? K_TOTAL : K_OTHER;
    default:
        return K_OTHER;
    }
#undef IS
}

/* The key whose opening quote is just before s->p, in an object the scanner
 * looks into: its K_* id, or -1 if invalid.  cJSON compares keys with
 * strcmp, so a \u0000 would cut the key short there: refuse it. */
static int key_id(scan *s) {
    const unsigned char *k = s->p, *end = s->end, *q = plain_run(k, end);
    if (q < end && *q == '"') {
        s->p = q + 1;
        return match((const char *)k, (size_t)(q - k));
    }
    char kb[24];
    size_t n;
    int nul;
    if (string_decode(s, kb, sizeof(kb), &n, &nul) || nul)
        return -1;
    return n <= sizeof(kb) ? match(kb, n) : K_OTHER;
}

/* A JSON number at s->p, validated; its value (strtod of exactly its text,
 * as cJSON computes it) in *v if v.  cJSON copies at most 63 characters of a
 * number before strtod and then fails on the rest: refuse longer ones. */
static int number(scan *s, double *v) {
    const unsigned char *p = s->p, *end = s->end, *start = p;
    if (*p == '-')
        p++;
    if (p >= end)
        return -1;
    if (*p == '0')
        p++;
    else if (*p >= '1' && *p <= '9')
        while (++p < end && is_digit(*p))
            ;
    else
        return -1;
    int frac_or_exp = 0;
    if (p < end && *p == '.') {
        frac_or_exp = 1;
        if (++p >= end || !is_digit(*p))
            return -1;
        while (++p < end && is_digit(*p))
            ;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        frac_or_exp = 1;
        if (++p < end && (*p == '+' || *p == '-'))
            p++;
        if (p >= end || !is_digit(*p))
            return -1;
        while (++p < end && is_digit(*p))
            ;
    }
    size_t n = (size_t)(p - start);
    if (n > 63)
        return -1;
    if (v && !frac_or_exp && n - (*start == '-') <= 19) {
        /* An integer of at most 19 digits is exact in a uint64_t, and its
         * conversion rounds correctly, as strtod does. */
        uint64_t u = 0;
        for (const unsigned char *d = start + (*start == '-'); d < p; d++)
            u = u * 10 + (unsigned)(*d - '0');
        *v = *start == '-' ? -(double)u : (double)u;
    } else if (v) {
        char text[64];
        memcpy(text, start, n);
        text[n] = '\0';
        *v = strtod(text, NULL);
    }
    s->p = p;
    return 0;
}

static int literal(scan *s, const char *word, size_t n) {
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n))
        return -1;
    s->p += n;
    return 0;
}

static int object(scan *s, int depth, int level);
static int array(scan *s, int depth, int level);

/* Any value at s->p (s->p < s->end), validated and skipped; depth is its
 * nesting depth if it is an object or array. */
static int value(scan *s, int depth) {
    switch (*s->p) {
    case '{':
        return object(s, depth, L_SKIP);
    case '[':
        return array(s, depth, L_SKIP);
    case '"':
        s->p++;
        return string_skip(s);
    case 't':
        return literal(s, "true", 4);
    case 'f':
        return literal(s, "false", 5);
    case 'n':
        return literal(s, "null", 4);
    default:
        return number(s, NULL);
    }
}

/* The value of the first `key` met in the object that holds it (not a token count). */
static int member(scan *s, int depth, int key) {
    unsigned char c = *s->p;
    ef_chat_reply *r = &s->r;
    switch (key) {
    case K_CHOICES: /* cJSON would take an object's first member as choices[0]: refuse */
        return c == '[' ? array(s, depth, L_CHOICES) : -1;
    case K_MESSAGE:
        return c == '{' ? object(s, depth, L_MESSAGE) : -1;
    case K_CONTENT:
        return c == '"' ? take_string(s, &r->content, &r->content_len) : -1;
    case K_MODEL:
        return c == '"' ? take_string(s, &r->model, NULL) : value(s, depth);
    case K_FINISH:
        return c == '"' ? take_string(s, &r->finish_reason, NULL) : value(s, depth);
    case K_USAGE:
        return c == '{' ? object(s, depth, L_USAGE) : value(s, depth);
    default:
        return value(s, depth);
    }
}

/* A number member of usage: its value, or NAN if it is not a number. */
static int token_count(scan *s, int depth, double *v) {
    unsigned char c = *s->p;
    if (c == '-' || is_digit(c))
        return number(s, v);
    return value(s, depth);
}

static int object(scan *s, int depth, int level) {
    if (depth > EF_CHAT_REPLY_MAX_DEPTH)
        return -1;
    s->p++;
    ws(s);
    if (s->p < s->end && *s->p == '}') {
        s->p++;
        return 0;
    }
    for (;;) {
        if (s->p >= s->end || *s->p != '"')
            return -1;
        s->p++;
        int key = K_OTHER;
        if (level == L_SKIP) {
            if (string_skip(s))
                return -1;
        } else if ((key = key_id(s)) < 0) {
            return -1;
        }
        ws(s);
        if (s->p >= s->end || *s->p != ':')
            return -1;
        s->p++;
        ws(s);
        if (s->p >= s->end)
            return -1;
        int rc;
        if (key == K_OTHER || key_level[key] != level || (s->seen & 1u << key)) {
            rc = value(s, depth + 1);
        } else {
            s->seen |= 1u << key;
            switch (key) {
            case K_PROMPT:
                rc = token_count(s, depth + 1, &s->r.prompt_tokens);
                break;
            case K_COMPLETION:
                rc = token_count(s, depth + 1, &s->r.completion_tokens);
                break;
            case K_TOTAL:
                rc = token_count(s, depth + 1, &s->r.total_tokens);
                break;
            default:
                rc = member(s, depth + 1, key);
            }
        }
        if (rc)
            return -1;
        ws(s);
        if (s->p >= s->end)
            return -1;
        if (*s->p == ',') {
            s->p++;
            ws(s);
        } else if (*s->p == '}') {
            s->p++;
            return 0;
        } else {
            return -1;
        }
    }
}

static int array(scan *s, int depth, int level) {
    if (depth > EF_CHAT_REPLY_MAX_DEPTH)
        return -1;
    s->p++;
    ws(s);
    if (s->p < s->end && *s->p == ']') {
        s->p++;
        return level == L_CHOICES ? -1 : 0; /* no choices[0] */
    }
    for (int first = 1;; first = 0) {
        if (s->p >= s->end)
            return -1;
        if (first && level == L_CHOICES) {
            /* choices[0] must be an object with a string message.content */
            if (*s->p != '{' || object(s, depth + 1, L_CHOICE) || !s->r.content)
                return -1;
        } else if (value(s, depth + 1)) {
            return -1;
        }
        ws(s);
        if (s->p >= s->end)
            return -1;
        if (*s->p == ',') {
            s->p++;
            ws(s);
        } else if (*s->p == ']') {
            s->p++;
            return 0;
        } else {
            return -1;
        }
    }
}

int ef_chat_reply_scan(const char *body, size_t len, char *buf, size_t bufsize,
                       ef_chat_reply *out) {
    if (!out)
        return 0;
    out->content = out->finish_reason = out->model = NULL;
    out->content_len = 0;
    out->prompt_tokens = out->completion_tokens = out->total_tokens = NAN;
    if (!body || !buf || len == 0 || bufsize <= len)
        return 0;
    scan s = {
        .p = (const unsigned char *)body,
        .end = (const unsigned char *)body + len,
        .out = buf,
        .out_end = buf + bufsize,
    };
    s.r = *out;
    ws(&s);
    if (s.p >= s.end || *s.p != '{' || object(&s, 1, L_ROOT))
        return 0;
    ws(&s);
    if (s.p != s.end || !s.r.content)
        return 0;
    *out = s.r;
    return 1;
}
