/* spec.c - run spec: YAML loading and flag helpers (see spec.h, options.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ef_error.h"
#include "options.h"
#include "spec.h"
#include "yaml_json.h"

#define EF_SPEC_MAX_BYTES (1024 * 1024)
#define EF_SPEC_MAX_DEPTH 32
#define EF_SPEC_MAX_EVALS 256

void ef_run_spec_init(ef_run_spec *s) {
    memset(s, 0, sizeof(*s));
    ef_endpoint_conf_init(&s->judge);
    ef_endpoint_conf_init(&s->target);
    ef_options_defaults(s);
}

static void eval_spec_free(ef_eval_spec *e) {
    free(e->name);
    free(e->type);
    cJSON_Delete(e->params);
    ef_mapping_destroy(e->mapping);
}

void ef_run_spec_free(ef_run_spec *s) {
    if (!s)
        return;
    for (size_t i = 0; i < s->nevals; i++)
        eval_spec_free(&s->evals[i]);
    free(s->evals);
    ef_mapping_destroy(s->mapping);
    free(s->spec_path);
    free(s->run_id);
    free(s->data);
    free(s->output);
    free(s->debug);
    ef_endpoint_conf_free(&s->judge);
    ef_endpoint_conf_free(&s->target);
    memset(s, 0, sizeof(*s));
}

/* ---- spec helpers ------------------------------------------------------ */

static ef_eval_spec *add_eval(ef_run_spec *s, const char *name, char *errstr, size_t errsize) {
    for (size_t i = 0; i < s->nevals; i++)
        if (!strcmp(s->evals[i].name, name)) {
            ef_seterr(errstr, errsize, "evaluator '%s' listed twice (give one a different name)",
                      name);
            return NULL;
        }
    if (s->nevals >= EF_SPEC_MAX_EVALS) {
        ef_seterr(errstr, errsize, "more than %d evaluators", EF_SPEC_MAX_EVALS);
        return NULL;
    }
    ef_eval_spec *n = realloc(s->evals, (s->nevals + 1) * sizeof(*n));
    if (!n)
        goto oom;
    s->evals = n;
    ef_eval_spec *e = &s->evals[s->nevals];
    memset(e, 0, sizeof(*e));
    e->name = strdup(name);
    e->params = cJSON_CreateObject();
    if (!e->name || !e->params) {
        eval_spec_free(e);
        goto oom;
    }
    s->nevals++;
    return e;
oom:
    ef_seterr(errstr, errsize, "out of memory");
    return NULL;
}

static void clear_evals(ef_run_spec *s) {
    for (size_t i = 0; i < s->nevals; i++)
        eval_spec_free(&s->evals[i]);
    free(s->evals);
    s->evals = NULL;
    s->nevals = 0;
}

static int valid_name(const char *n) {
    if (!*n || strlen(n) > 128)
        return 0;
    for (const char *p = n; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-'))
            return 0;
    return 1;
}

int ef_run_spec_set_evaluators(ef_run_spec *s, const char *csv, char *errstr, size_t errsize) {
    clear_evals(s);
    const char *p = csv;
    while (*p) {
        size_t n = strcspn(p, ",");
        char name[160];
        if (n == 0 || n >= sizeof(name)) {
            ef_seterr(errstr, errsize, "--evaluators: empty or over-long name in '%s'", csv);
            return -1;
        }
        memcpy(name, p, n);
        name[n] = '\0';
        if (!valid_name(name)) {
            ef_seterr(errstr, errsize, "--evaluators: invalid name '%s'", name);
            return -1;
        }
        if (!add_eval(s, name, errstr, errsize))
            return -1;
        p += n;
        if (*p == ',')
            p++;
    }
    return 0;
}

static ef_eval_spec *find_eval(ef_run_spec *s, const char *name, size_t n) {
    for (size_t i = 0; i < s->nevals; i++)
        if (strlen(s->evals[i].name) == n && !strncmp(s->evals[i].name, name, n))
            return &s->evals[i];
    return NULL;
}

int ef_run_spec_set_param(ef_run_spec *s, const char *assign, char *errstr, size_t errsize) {
    const char *dot = strchr(assign, '.');
    const char *eq = strchr(assign, '=');
    if (!dot || !eq || dot > eq || dot == assign || eq == dot + 1) {
        ef_seterr(errstr, errsize, "--set '%s': expected EVALUATOR.PARAM=VALUE", assign);
        return -1;
    }
    ef_eval_spec *e = find_eval(s, assign, (size_t)(dot - assign));
    if (!e) {
        ef_seterr(errstr, errsize, "--set '%s': no evaluator named '%.*s' in this run", assign,
                  (int)(dot - assign), assign);
        return -1;
    }
    char key[128];
    snprintf(key, sizeof(key), "%.*s", (int)(eq - dot - 1), dot + 1);
    cJSON_DeleteItemFromObjectCaseSensitive(e->params, key);
    if (!cJSON_AddStringToObject(e->params, key, eq + 1)) {
        ef_seterr(errstr, errsize, "out of memory");
        return -1;
    }
    return 0;
}

int ef_run_spec_set_map(ef_run_spec *s, const char *assign, char *errstr, size_t errsize) {
    const char *eq = strchr(assign, '=');
    if (!eq || eq == assign) {
        ef_seterr(errstr, errsize, "--map '%s': expected [EVALUATOR:]INPUT=${data.column}", assign);
        return -1;
    }
    const char *colon = memchr(assign, ':', (size_t)(eq - assign));
    ef_mapping **m = &s->mapping;
    const char *key = assign;
    if (colon) {
        ef_eval_spec *e = find_eval(s, assign, (size_t)(colon - assign));
        if (!e) {
            ef_seterr(errstr, errsize, "--map '%s': no evaluator named '%.*s' in this run", assign,
                      (int)(colon - assign), assign);
            return -1;
        }
        m = &e->mapping;
        key = colon + 1;
    }
    if (!*m && !(*m = ef_mapping_new())) {
        ef_seterr(errstr, errsize, "out of memory");
        return -1;
    }
    char k[260], err[300];
    snprintf(k, sizeof(k), "%.*s", (int)(eq - key), key);
    if (ef_mapping_set(*m, k, eq + 1, err, sizeof(err))) {
        ef_seterr(errstr, errsize, "--map '%s': %s", assign, err);
        return -1;
    }
    return 0;
}

int ef_run_spec_validate(const ef_run_spec *s, char *errstr, size_t errsize) {
    if (!s->data) {
        ef_seterr(errstr, errsize, "no dataset: give --data FILE.jsonl or 'data:' in the spec");
        return -1;
    }
    if (!s->nevals) {
        ef_seterr(errstr, errsize,
                  "no evaluators: give --evaluators f1_score,... or 'evaluators:' in the spec");
        return -1;
    }
    return 0;
}

/* ---- YAML spec ---------------------------------------------------------- */

static int load_mapping(ef_mapping **dst, const cJSON *obj, const ef_yaml_lines *lines,
                        const char *path, const char *what, char *errstr, size_t errsize) {
    if (!cJSON_IsObject(obj)) {
        ef_seterr(errstr, errsize, "%s:%d: %s must be a mapping of input: ${data.column}", path,
                  ef_yaml_line(lines, obj), what);
        return -1;
    }
    if (!*dst && !(*dst = ef_mapping_new())) {
        ef_seterr(errstr, errsize, "out of memory");
        return -1;
    }
    const cJSON *kv;
    cJSON_ArrayForEach(kv, obj) {
        char err[300];
        if (!cJSON_IsString(kv) ||
            ef_mapping_set(*dst, kv->string, kv->valuestring, err, sizeof(err))) {
            ef_seterr(errstr, errsize, "%s:%d: %s.%s: %s", path, ef_yaml_line(lines, kv), what,
                      kv->string, cJSON_IsString(kv) ? err : "must be a string");
            return -1;
        }
    }
    return 0;
}

static int load_evaluators(ef_run_spec *s, const cJSON *list, const ef_yaml_lines *lines,
                           const char *path, char *errstr, size_t errsize) {
    if (!cJSON_IsArray(list) && !cJSON_IsObject(list)) {
        ef_seterr(errstr, errsize, "%s:%d: evaluators must be a list", path,
                  ef_yaml_line(lines, list));
        return -1;
    }
    clear_evals(s);
    const cJSON *item;
    char err[400];
    cJSON_ArrayForEach(item, list) {
        int line = ef_yaml_line(lines, item);
        /* Accept "- f1_score", "- name: x\n  type: y ..." and "name: {type: y, ...}". */
        const char *name = NULL;
        const cJSON *body = NULL;
        if (cJSON_IsString(item)) {
            name = item->valuestring;
        } else if (cJSON_IsObject(item)) {
            body = item;
            const cJSON *n = cJSON_GetObjectItemCaseSensitive(item, "name");
            name = item->string ? item->string : (cJSON_IsString(n) ? n->valuestring : NULL);
        } else if (item->string && cJSON_IsNull(item)) {
            name = item->string;
        }
        if (!name || !valid_name(name)) {
            ef_seterr(errstr, errsize, "%s:%d: evaluators: each entry needs a valid name", path,
                      line);
            return -1;
        }
        ef_eval_spec *e = add_eval(s, name, err, sizeof(err));
        if (!e) {
            ef_seterr(errstr, errsize, "%s:%d: %s", path, line, err);
            return -1;
        }
        const cJSON *kv;
        cJSON_ArrayForEach(kv, body) {
            if (!strcmp(kv->string, "name"))
                continue;
            if (!strcmp(kv->string, "type")) {
                if (!cJSON_IsString(kv) || !(e->type = strdup(kv->valuestring))) {
                    ef_seterr(errstr, errsize, "%s:%d: evaluators.%s.type must be a string", path,
                              ef_yaml_line(lines, kv), name);
                    return -1;
                }
            } else if (!strcmp(kv->string, "column_mapping")) {
                char what[200];
                snprintf(what, sizeof(what), "evaluators.%s.column_mapping", name);
                if (load_mapping(&e->mapping, kv, lines, path, what, errstr, errsize))
                    return -1;
            } else if (cJSON_IsNumber(kv) || cJSON_IsString(kv)) {
                cJSON *dup = cJSON_Duplicate(kv, 0);
                if (!dup)
                    return -1;
                cJSON_AddItemToObject(e->params, kv->string, dup);
            } else {
                ef_seterr(errstr, errsize, "%s:%d: evaluators.%s.%s must be a number or a string",
                          path, ef_yaml_line(lines, kv), name, kv->string);
                return -1;
            }
        }
    }
    return 0;
}

/* scalar -> text for option values; NULL for non-scalars. */
static const char *scalar_text(const cJSON *v, char *buf, size_t size) {
    if (cJSON_IsString(v))
        return v->valuestring;
    if (cJSON_IsBool(v))
        return cJSON_IsTrue(v) ? "true" : "false";
    if (cJSON_IsNumber(v)) {
        snprintf(buf, size, "%.17g", v->valuedouble);
        return buf;
    }
    return NULL;
}

/* judge: / target: mappings of endpoint keys (endpoint.h). */
static int load_endpoint(ef_run_spec *s, const cJSON *obj, const ef_yaml_lines *lines,
                         const char *path, char *errstr, size_t errsize) {
    ef_endpoint_conf *c = !strcmp(obj->string, "judge") ? &s->judge : &s->target;
    const cJSON *kv;
    char err[400], key[64], buf[64];
    cJSON_ArrayForEach(kv, obj) {
        int line = ef_yaml_line(lines, kv);
        snprintf(key, sizeof(key), "%s", kv->string);
        for (char *p = key; *p; p++)
            if (*p == '_')
                *p = '-';
        if (!strcmp(key, "params")) {
            if (ef_endpoint_conf_set_params(c, kv, err, sizeof(err))) {
                ef_seterr(errstr, errsize, "%s:%d: %s.params: %s", path, line, obj->string, err);
                return -1;
            }
            continue;
        }
        char *tmpl = NULL;
        const char *v = scalar_text(kv, buf, sizeof(buf));
        if (!v && !strcmp(key, "request-template") && (cJSON_IsObject(kv) || cJSON_IsArray(kv)))
            v = tmpl = cJSON_PrintUnformatted(kv);
        if (!v || !strcmp(key, "param")) {
            ef_seterr(errstr, errsize, "%s:%d: %s.%s needs a scalar value", path, line, obj->string,
                      kv->string);
            free(tmpl);
            return -1;
        }
        int rc = ef_endpoint_conf_set(c, key, v, err, sizeof(err));
        free(tmpl);
        if (rc) {
            ef_seterr(errstr, errsize, "%s:%d: %s.%s", path, line, obj->string, err);
            return -1;
        }
    }
    return 0;
}

int ef_run_spec_load_yaml(ef_run_spec *s, const char *path, char *errstr, size_t errsize) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        ef_seterr(errstr, errsize, "%s: %s", path, strerror(errno));
        return -1;
    }
    char *text = malloc(EF_SPEC_MAX_BYTES + 1);
    size_t len = text ? fread(text, 1, EF_SPEC_MAX_BYTES + 1, f) : 0;
    fclose(f);
    if (!text) {
        ef_seterr(errstr, errsize, "out of memory");
        return -1;
    }
    int rc = ef_run_spec_load_text(s, path, text, len, errstr, errsize);
    free(text);
    return rc;
}

int ef_run_spec_load_text(ef_run_spec *s, const char *path, const char *text, size_t len,
                          char *errstr, size_t errsize) {
    ef_yaml_lines lines = {0};
    char err[400];
    int rc = -1;
    cJSON *root =
        ef_yaml_parse(text, len, EF_SPEC_MAX_BYTES, EF_SPEC_MAX_DEPTH, &lines, err, sizeof(err));
    if (!root) {
        ef_seterr(errstr, errsize, "%s: %s", path, err);
        goto out;
    }
    if (!cJSON_IsObject(root)) {
        ef_seterr(errstr, errsize, "%s: a run spec is a YAML mapping of keys", path);
        goto out;
    }
    free(s->spec_path);
    s->spec_path = strdup(path);
    const cJSON *evs = cJSON_GetObjectItemCaseSensitive(root, "evaluators");
    if (evs && load_evaluators(s, evs, &lines, path, errstr, errsize))
        goto out;
    const cJSON *kv;
    cJSON_ArrayForEach(kv, root) {
        int line = ef_yaml_line(&lines, kv);
        if (!strcmp(kv->string, "evaluators"))
            continue;
        if (!strcmp(kv->string, "column_mapping")) {
            if (load_mapping(&s->mapping, kv, &lines, path, "column_mapping", errstr, errsize))
                goto out;
            continue;
        }
        if ((!strcmp(kv->string, "judge") || !strcmp(kv->string, "target")) && cJSON_IsObject(kv)) {
            if (load_endpoint(s, kv, &lines, path, errstr, errsize))
                goto out;
            continue;
        }
        const ef_option *o = ef_option_find(kv->string);
        if (!o || (o->flags & EF_OPTF_CLI_ONLY) || o->type == EF_OPT_MAP) {
            ef_seterr(errstr, errsize, "%s:%d: unknown key '%s' (see docs/configuration.md)", path,
                      line, kv->string);
            goto out;
        }
        char buf[64];
        const char *v = scalar_text(kv, buf, sizeof(buf));
        if (!v) {
            ef_seterr(errstr, errsize, "%s:%d: '%s' needs a scalar value", path, line, kv->string);
            goto out;
        }
        if (ef_option_apply(s, o, v, err, sizeof(err))) {
            ef_seterr(errstr, errsize, "%s:%d: %s", path, line, err);
            goto out;
        }
    }
    rc = 0;
out:
    ef_yaml_lines_free(&lines);
    cJSON_Delete(root);
    return rc;
}
