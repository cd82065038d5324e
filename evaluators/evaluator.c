/* evaluator.c - ef_eval_out helpers and parameter validation (see evaluator.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evaluator.h"

void ef_eval_out_init(ef_eval_out *o) {
    o->n = o->cap = 0;
    o->kv = NULL;
    o->err = EF_ERR_OK;
    o->errmsg[0] = '\0';
}

static void kv_clear(ef_eval_out *o, size_t i) {
    free(o->kv[i].str);
    cJSON_Delete(o->kv[i].json);
    o->kv[i].str = NULL;
    o->kv[i].json = NULL;
}

void ef_eval_out_reset(ef_eval_out *o) {
    for (size_t i = 0; i < o->n; i++)
        kv_clear(o, i);
    free(o->kv);
    ef_eval_out_init(o);
}

static int out_slot(ef_eval_out *o, const char *key) {
    for (size_t i = 0; i < o->n; i++)
        if (!strcmp(o->kv[i].key, key)) {
            kv_clear(o, i);
            return (int)i;
        }
    if (o->n == o->cap) {
        size_t ncap = o->cap ? o->cap * 2 : 8;
        if (ncap > EF_EVAL_OUT_MAX)
            ncap = EF_EVAL_OUT_MAX;
        ef_eval_kv *kv = ncap > o->cap ? realloc(o->kv, ncap * sizeof(*kv)) : NULL;
        if (!kv)
            return -1;
        o->kv = kv;
        o->cap = ncap;
    }
    o->kv[o->n].key = key;
    o->kv[o->n].str = NULL;
    o->kv[o->n].json = NULL;
    return (int)o->n++;
}

int ef_eval_out_set_num(ef_eval_out *o, const char *key, double v) {
    int i = out_slot(o, key);
    if (i < 0)
        return -1;
    o->kv[i].kind = isnan(v) ? EF_VAL_NULL : EF_VAL_NUMBER;
    o->kv[i].num = v;
    return 0;
}

int ef_eval_out_set_str(ef_eval_out *o, const char *key, const char *s) {
    int i = out_slot(o, key);
    if (i < 0)
        return -1;
    o->kv[i].kind = EF_VAL_STRING;
    o->kv[i].str = strdup(s);
    if (!o->kv[i].str) {
        o->kv[i].kind = EF_VAL_NULL;
        return -1;
    }
    return 0;
}

int ef_eval_out_set_json(ef_eval_out *o, const char *key, cJSON *v) {
    int i = v ? out_slot(o, key) : -1;
    if (i < 0) {
        cJSON_Delete(v);
        return -1;
    }
    o->kv[i].kind = EF_VAL_JSON;
    o->kv[i].json = v;
    return 0;
}

int ef_eval_out_merge(ef_eval_out *dst, const ef_eval_out *src) {
    for (size_t k = 0; k < src->n; k++) {
        int rc = 0;
        switch (src->kv[k].kind) {
        case EF_VAL_NUMBER:
        case EF_VAL_NULL:
            rc = ef_eval_out_set_num(dst, src->kv[k].key,
                                     src->kv[k].kind == EF_VAL_NULL ? NAN : src->kv[k].num);
            break;
        case EF_VAL_STRING:
            rc = ef_eval_out_set_str(dst, src->kv[k].key, src->kv[k].str);
            break;
        case EF_VAL_JSON:
            rc = ef_eval_out_set_json(dst, src->kv[k].key, cJSON_Duplicate(src->kv[k].json, 1));
            break;
        }
        if (rc)
            return -1;
    }
    return 0;
}

const ef_input_def *ef_evaluator_inputs(const ef_evaluator_def *def, const void *state) {
    const ef_input_def *in = def->inputs_of && state ? def->inputs_of(state) : NULL;
    return in ? in : def->inputs;
}

const char *const *ef_evaluator_outputs(const ef_evaluator_def *def, const void *state) {
    const char *const *out = def->outputs_of && state ? def->outputs_of(state) : NULL;
    return out ? out : def->outputs;
}

void ef_eval_out_fail(ef_eval_out *o, ef_err err, const char *fmt, ...) {
    for (size_t i = 0; i < o->n; i++)
        kv_clear(o, i);
    o->n = 0;
    o->err = err;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o->errmsg, sizeof(o->errmsg), fmt, ap);
    va_end(ap);
}

cJSON *ef_evaluator_params(const ef_evaluator_def *def, const char *name, const cJSON *user,
                           char *errstr, size_t errsize) {
    cJSON *out = cJSON_CreateObject();
    if (!out) {
        ef_seterr(errstr, errsize, "out of memory");
        return NULL;
    }
    /* Reject unknown parameter names first. */
    const cJSON *u;
    cJSON_ArrayForEach(u, user) {
        const ef_param_def *p = def->params;
        while (p && p->name && strcmp(p->name, u->string))
            p++;
        if (!p || !p->name) {
            char known[512] = "";
            for (p = def->params; p && p->name; p++) {
                strncat(known, known[0] ? ", " : "", sizeof(known) - strlen(known) - 1);
                strncat(known, p->name, sizeof(known) - strlen(known) - 1);
            }
            ef_seterr(errstr, errsize, "evaluator '%s': unknown parameter '%s' (known: %s)", name,
                      u->string, known[0] ? known : "none");
            goto fail;
        }
    }
    for (const ef_param_def *p = def->params; p && p->name; p++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(user, p->name);
        const char *text = p->def;
        double num = 0;
        if (v && cJSON_IsString(v))
            text = v->valuestring;
        if (p->type == EF_PARAM_NUMBER) {
            if (v && cJSON_IsNumber(v)) {
                num = v->valuedouble;
            } else if (v && !cJSON_IsString(v)) {
                ef_seterr(errstr, errsize, "evaluator '%s': parameter '%s' must be a number", name,
                          p->name);
                goto fail;
            } else {
                char *end;
                num = strtod(text, &end);
                if (end == text || *end || !isfinite(num)) {
                    ef_seterr(errstr, errsize,
                              "evaluator '%s': parameter '%s': '%s' is not a number", name, p->name,
                              text);
                    goto fail;
                }
            }
            if (p->min <= p->max && (num < p->min || num > p->max)) {
                ef_seterr(errstr, errsize,
                          "evaluator '%s': parameter '%s' = %g is outside [%g, %g]", name, p->name,
                          num, p->min, p->max);
                goto fail;
            }
            if (!cJSON_AddNumberToObject(out, p->name, num))
                goto oom;
        } else {
            if (v && !cJSON_IsString(v)) {
                ef_seterr(errstr, errsize, "evaluator '%s': parameter '%s' must be a string", name,
                          p->name);
                goto fail;
            }
            if (p->choices) {
                const char *const *c = p->choices;
                while (*c && strcmp(*c, text))
                    c++;
                if (!*c) {
                    char known[256] = "";
                    for (c = p->choices; *c; c++) {
                        strncat(known, known[0] ? ", " : "", sizeof(known) - strlen(known) - 1);
                        strncat(known, *c, sizeof(known) - strlen(known) - 1);
                    }
                    ef_seterr(errstr, errsize,
                              "evaluator '%s': parameter '%s': '%s' is not one of %s", name,
                              p->name, text, known);
                    goto fail;
                }
            }
            if (!cJSON_AddStringToObject(out, p->name, text))
                goto oom;
        }
    }
    return out;
oom:
    ef_seterr(errstr, errsize, "out of memory");
fail:
    cJSON_Delete(out);
    return NULL;
}
