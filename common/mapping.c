/* mapping.c - see mapping.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ef_error.h"
#include "mapping.h"

static int seg_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

int ef_ref_parse(const char *expr, ef_ref *out, char *errstr, size_t errsize) {
    static const struct {
        const char *prefix;
        ef_ref_src src;
    } prefixes[] = {
        {"${data.", EF_REF_DATA},
        {"${target.", EF_REF_TARGET},
        {"${outputs.", EF_REF_TARGET},
        {"${run.outputs.", EF_REF_TARGET},
    };
    memset(out, 0, sizeof(*out));
    size_t len = strlen(expr);
    if (len > EF_MAPPING_EXPR_MAX) {
        ef_seterr(errstr, errsize, "mapping expression longer than %d bytes", EF_MAPPING_EXPR_MAX);
        return -1;
    }
    const char *body = NULL;
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        size_t pl = strlen(prefixes[i].prefix);
        if (len > pl && !strncmp(expr, prefixes[i].prefix, pl)) {
            body = expr + pl;
            out->src = prefixes[i].src;
            break;
        }
    }
    if (!body || expr[len - 1] != '}') {
        ef_seterr(errstr, errsize,
                  "'%s' is not a column reference: use ${data.<column>} or ${target.<column>}",
                  expr);
        return -1;
    }
    size_t blen = (size_t)(expr + len - 1 - body);
    if (blen == 0) {
        ef_seterr(errstr, errsize, "'%s': empty column name", expr);
        return -1;
    }
    size_t nseg = 1;
    for (size_t i = 0; i < blen; i++) {
        char c = body[i];
        if (c == '.') {
            if (i == 0 || i + 1 == blen || body[i - 1] == '.') {
                ef_seterr(errstr, errsize, "'%s': empty path segment", expr);
                return -1;
            }
            nseg++;
        } else if (!seg_char(c)) {
            ef_seterr(errstr, errsize,
                      "'%s': character '%c' not allowed in a column path (use [A-Za-z0-9_.])", expr,
                      c);
            return -1;
        }
    }
    if (nseg > EF_MAPPING_MAX_SEGMENTS) {
        ef_seterr(errstr, errsize, "'%s': more than %d path segments", expr,
                  EF_MAPPING_MAX_SEGMENTS);
        return -1;
    }
    out->path = strndup(body, blen);
    out->segbuf = strndup(body, blen);
    out->seg = calloc(nseg, sizeof(char *));
    if (!out->path || !out->segbuf || !out->seg) {
        ef_ref_free(out);
        ef_seterr(errstr, errsize, "out of memory");
        return -1;
    }
    char *p = out->segbuf;
    for (size_t i = 0; i < nseg; i++) {
        out->seg[i] = p;
        char *dot = strchr(p, '.');
        if (dot) {
            *dot = '\0';
            p = dot + 1;
        }
    }
    out->nseg = nseg;
    return 0;
}

void ef_ref_free(ef_ref *ref) {
    if (!ref)
        return;
    free(ref->path);
    free(ref->segbuf);
    free(ref->seg);
    memset(ref, 0, sizeof(*ref));
}

const cJSON *ef_ref_resolve(const ef_ref *ref, const cJSON *data, const cJSON *target) {
    const cJSON *root = ref->src == EF_REF_DATA ? data : target;
    if (!root || !cJSON_IsObject(root))
        return NULL;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, ref->path);
    if (v || ref->nseg == 1)
        return v;
    v = root;
    for (size_t i = 0; i < ref->nseg && v; i++) {
        if (!cJSON_IsObject(v))
            return NULL;
        v = cJSON_GetObjectItemCaseSensitive(v, ref->seg[i]);
    }
    return v;
}

const char *ef_ref_format(const ef_ref *ref, char *buf, size_t size) {
    snprintf(buf, size, "${%s.%s}", ref->src == EF_REF_DATA ? "data" : "target", ref->path);
    return buf;
}

struct ef_mapping {
    size_t n, cap;
    char **keys;
    ef_ref *refs;
};

ef_mapping *ef_mapping_new(void) { return calloc(1, sizeof(ef_mapping)); }

void ef_mapping_destroy(ef_mapping *m) {
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++) {
        free(m->keys[i]);
        ef_ref_free(&m->refs[i]);
    }
    free(m->keys);
    free(m->refs);
    free(m);
}

int ef_mapping_set(ef_mapping *m, const char *key, const char *expr, char *errstr, size_t errsize) {
    if (!*key || strlen(key) > 256) {
        ef_seterr(errstr, errsize, "invalid mapping key '%.64s'", key);
        return -1;
    }
    ef_ref ref;
    if (ef_ref_parse(expr, &ref, errstr, errsize))
        return -1;
    for (size_t i = 0; i < m->n; i++) {
        if (!strcmp(m->keys[i], key)) {
            ef_ref_free(&m->refs[i]);
            m->refs[i] = ref;
            return 0;
        }
    }
    if (m->n == m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 8;
        char **k = realloc(m->keys, ncap * sizeof(*k));
        if (k)
            m->keys = k;
        ef_ref *r = k ? realloc(m->refs, ncap * sizeof(*r)) : NULL;
        if (!r) {
            ef_ref_free(&ref);
            ef_seterr(errstr, errsize, "out of memory");
            return -1;
        }
        m->refs = r;
        m->cap = ncap;
    }
    m->keys[m->n] = strdup(key);
    if (!m->keys[m->n]) {
        ef_ref_free(&ref);
        ef_seterr(errstr, errsize, "out of memory");
        return -1;
    }
    m->refs[m->n++] = ref;
    return 0;
}

const ef_ref *ef_mapping_get(const ef_mapping *m, const char *key) {
    if (!m)
        return NULL;
    for (size_t i = 0; i < m->n; i++)
        if (!strcmp(m->keys[i], key))
            return &m->refs[i];
    return NULL;
}
