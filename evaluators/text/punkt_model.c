/* punkt_model.c - see punkt_model.h.
 *
 * All four parameter sets live in one open-addressing hash table; an entry
 * is tagged with its kind and points into the caller's data.  A collocation
 * entry holds both of its types.
 */
#include "punkt_model.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { K_ABBREV = 1, K_STARTER, K_COLLOC, K_ORTHO };

typedef struct entry {
    const char *a, *b; /* key (b: second type of a collocation, else NULL) */
    uint32_t an, bn;
    uint32_t hash;
    int32_t value; /* orthographic flags */
    uint8_t kind;  /* 0: empty slot */
} entry;

struct ef_punkt_model {
    entry *slots;
    size_t mask; /* slot count - 1 (a power of two) */
    size_t used;
};

static uint32_t hash_bytes(uint32_t h, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

static uint32_t key_hash(int kind, const char *a, size_t an, const char *b, size_t bn) {
    uint32_t h = 2166136261u ^ (uint32_t)kind;
    h *= 16777619u;
    h = hash_bytes(h, a, an);
    if (b) {
        h ^= 0xFFu; /* separator: no key byte is 0xFF in valid UTF-8 */
        h *= 16777619u;
        h = hash_bytes(h, b, bn);
    }
    return h;
}

static entry *find_slot(const ef_punkt_model *m, int kind, const char *a, size_t an, const char *b,
                        size_t bn, uint32_t h) {
    size_t i = h & m->mask;
    for (;;) {
        entry *e = &m->slots[i];
        if (!e->kind)
            return e;
        if (e->hash == h && e->kind == kind && e->an == an && memcmp(e->a, a, an) == 0 &&
            (!b || (e->bn == bn && memcmp(e->b, b, bn) == 0)))
            return e;
        i = (i + 1) & m->mask;
    }
}

static const entry *lookup(const ef_punkt_model *m, int kind, const char *a, size_t an,
                           const char *b, size_t bn) {
    if (!m || an > UINT32_MAX || bn > UINT32_MAX)
        return NULL;
    entry *e = find_slot(m, kind, a, an, b, bn, key_hash(kind, a, an, b, bn));
    return e->kind ? e : NULL;
}

static void insert(ef_punkt_model *m, int kind, const char *a, size_t an, const char *b, size_t bn,
                   int32_t value) {
    uint32_t h = key_hash(kind, a, an, b, bn);
    entry *e = find_slot(m, kind, a, an, b, bn, h);
    if (!e->kind) {
        e->kind = (uint8_t)kind;
        e->a = a;
        e->an = (uint32_t)an;
        e->b = b;
        e->bn = (uint32_t)bn;
        e->hash = h;
        m->used++;
    }
    e->value = value;
}

static void set_err(char *err, size_t errsz, const char *msg, size_t line) {
    if (err && errsz)
        snprintf(err, errsz, "punkt model: %s (line %zu)", msg, line);
}

ef_punkt_model *ef_punkt_model_load(const char *data, size_t len, char *err, size_t errsz) {
    /* Count records to size the table (load factor <= 2/3). */
    size_t records = 1;
    for (size_t i = 0; i < len; i++)
        if (data[i] == '\n')
            records++;
    size_t nslots = 64;
    while (nslots < records + records / 2)
        nslots *= 2;
    ef_punkt_model *m = calloc(1, sizeof(*m));
    if (!m || !(m->slots = calloc(nslots, sizeof(entry)))) {
        free(m);
        set_err(err, errsz, "out of memory", 0);
        return NULL;
    }
    m->mask = nslots - 1;

    size_t lineno = 0;
    for (size_t pos = 0; pos < len;) {
        const char *line = data + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos;
        pos += n + (nl ? 1 : 0);
        lineno++;
        if (n == 0 || line[0] == '#')
            continue;
        if (n < 2 || line[1] != '\t') {
            set_err(err, errsz, "malformed record", lineno);
            goto fail;
        }
        const char *f1 = line + 2, *end = line + n;
        const char *tab = memchr(f1, '\t', (size_t)(end - f1));
        switch (line[0]) {
        case 'A':
        case 'S':
            if (tab)
                goto bad;
            insert(m, line[0] == 'A' ? K_ABBREV : K_STARTER, f1, (size_t)(end - f1), NULL, 0, 1);
            break;
        case 'C':
            if (!tab || memchr(tab + 1, '\t', (size_t)(end - tab - 1)))
                goto bad;
            insert(m, K_COLLOC, f1, (size_t)(tab - f1), tab + 1, (size_t)(end - tab - 1), 1);
            break;
        case 'O': {
            if (!tab || tab + 1 == end)
                goto bad;
            long v = 0;
            for (const char *p = tab + 1; p < end; p++) {
                if (*p < '0' || *p > '9' || v > 1000000)
                    goto bad;
                v = v * 10 + (*p - '0');
            }
            insert(m, K_ORTHO, f1, (size_t)(tab - f1), NULL, 0, (int32_t)v);
            break;
        }
        default:
            goto bad;
        }
        continue;
    bad:
        set_err(err, errsz, "malformed record", lineno);
        goto fail;
    }
    if (m->used == 0) {
        set_err(err, errsz, "no records", lineno);
        goto fail;
    }
    return m;
fail:
    ef_punkt_model_free(m);
    return NULL;
}

void ef_punkt_model_free(ef_punkt_model *m) {
    if (!m)
        return;
    free(m->slots);
    free(m);
}

bool ef_punkt_model_is_abbrev(const ef_punkt_model *m, const char *s, size_t n) {
    return lookup(m, K_ABBREV, s, n, NULL, 0) != NULL;
}

bool ef_punkt_model_is_sent_starter(const ef_punkt_model *m, const char *s, size_t n) {
    return lookup(m, K_STARTER, s, n, NULL, 0) != NULL;
}

bool ef_punkt_model_is_collocation(const ef_punkt_model *m, const char *a, size_t an, const char *b,
                                   size_t bn) {
    return lookup(m, K_COLLOC, a, an, b ? b : "", bn) != NULL;
}

int ef_punkt_model_ortho(const ef_punkt_model *m, const char *s, size_t n) {
    const entry *e = lookup(m, K_ORTHO, s, n, NULL, 0);
    return e ? e->value : 0;
}
