/* row_codec.c - one row result as a fleet message, and back (see row_codec.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ef_error.h"
#include "row_codec.h"

/* cJSON prints 15 significant digits when they read back "close enough";
 * scores must read back exactly, so print all 17 as raw JSON. */
static cJSON *num_json(double v) {
    if (isfinite(v)) {
        char buf[40];
        snprintf(buf, sizeof(buf), "%.17g", v);
        return cJSON_CreateRaw(buf);
    }
    return cJSON_CreateString(isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
}

static int add_opt(cJSON *o, const char *k, const cJSON *v) {
    cJSON *d = v ? cJSON_Duplicate(v, 1) : cJSON_CreateNull();
    return d && cJSON_AddItemToObject(o, k, d) ? 0 : -1;
}

char *ef_row_encode(const ef_row_result *r) {
    cJSON *o = cJSON_CreateObject(), *outs = NULL;
    char *text = NULL;
    if (!o || !cJSON_AddNumberToObject(o, "i", (double)r->index) ||
        !cJSON_AddNumberToObject(o, "l", (double)r->lineno) || add_opt(o, "d", r->data) ||
        add_opt(o, "t", r->target) || !cJSON_AddNumberToObject(o, "e", r->row_err) ||
        !cJSON_AddStringToObject(o, "m", r->row_errmsg) || !(outs = cJSON_AddArrayToObject(o, "o")))
        goto out;
    for (size_t i = 0; i < r->nevals; i++) {
        const ef_eval_out *eo = &r->outs[i];
        cJSON *x = cJSON_CreateObject(), *kv;
        if (!x || !cJSON_AddItemToArray(outs, x) || !cJSON_AddNumberToObject(x, "e", eo->err) ||
            !cJSON_AddStringToObject(x, "m", eo->errmsg) || !(kv = cJSON_AddArrayToObject(x, "k")))
            goto out;
        for (size_t k = 0; k < eo->n; k++) {
            cJSON *t = cJSON_CreateArray(), *val = NULL;
            if (!t || !cJSON_AddItemToArray(kv, t))
                goto out;
            switch (eo->kv[k].kind) {
            case EF_VAL_NULL:
                val = cJSON_CreateNull();
                break;
            case EF_VAL_NUMBER:
                val = num_json(eo->kv[k].num);
                break;
            case EF_VAL_STRING:
                val = cJSON_CreateString(eo->kv[k].str);
                break;
            case EF_VAL_JSON:
                val = cJSON_Duplicate(eo->kv[k].json, 1);
                break;
            }
            if (!cJSON_AddItemToArray(t, cJSON_CreateString(eo->kv[k].key)) ||
                !cJSON_AddItemToArray(t, cJSON_CreateNumber(eo->kv[k].kind)) ||
                !cJSON_AddItemToArray(t, val))
                goto out;
        }
    }
    text = cJSON_PrintUnformatted(o);
out:
    cJSON_Delete(o);
    return text;
}

static int get_u64(const cJSON *o, const char *k, uint64_t *v) {
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!cJSON_IsNumber(n) || n->valuedouble < 0 || n->valuedouble > 9007199254740992.0)
        return -1;
    *v = (uint64_t)n->valuedouble;
    return 0;
}

static int get_err(const cJSON *o, ef_err *err, char *msg, size_t msgsize) {
    uint64_t code;
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "m");
    if (get_u64(o, "e", &code) || code >= EF_ERR__COUNT || !cJSON_IsString(m))
        return -1;
    *err = (ef_err)code;
    snprintf(msg, msgsize, "%s", m->valuestring);
    return 0;
}

static cJSON *take_opt(cJSON *o, const char *k) {
    cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(o, k);
    if (cJSON_IsNull(v)) {
        cJSON_Delete(v);
        return NULL;
    }
    return v;
}

static int decode_value(ef_eval_out *eo, const char *key, const cJSON *t) {
    const cJSON *kind = cJSON_GetArrayItem(t, 1), *v = cJSON_GetArrayItem(t, 2);
    if (!cJSON_IsNumber(kind) || !v)
        return -1;
    switch ((int)kind->valuedouble) {
    case EF_VAL_NULL:
        return ef_eval_out_set_num(eo, key, NAN);
    case EF_VAL_NUMBER:
        if (cJSON_IsNumber(v))
            return ef_eval_out_set_num(eo, key, v->valuedouble);
        if (!cJSON_IsString(v))
            return -1;
        return ef_eval_out_set_num(eo, key,
                                   !strcmp(v->valuestring, "inf")    ? INFINITY
                                   : !strcmp(v->valuestring, "-inf") ? -INFINITY
                                                                     : NAN);
    case EF_VAL_STRING:
        return cJSON_IsString(v) ? ef_eval_out_set_str(eo, key, v->valuestring) : -1;
    case EF_VAL_JSON:
        return ef_eval_out_set_json(eo, key, cJSON_Duplicate(v, 1));
    default:
        return -1;
    }
}

int ef_row_decode(ef_engine *e, const char *msg, size_t len, ef_row_result *r, char *errstr,
                  size_t errsize) {
    ef_row_result_reset(r);
    if (len > EF_ROW_MSG_MAX) {
        ef_seterr(errstr, errsize, "row message of %zu bytes exceeds the cap", len);
        return -1;
    }
    cJSON *o = cJSON_ParseWithLength(msg, len);
    const char *what = "not a JSON object";
    if (!cJSON_IsObject(o))
        goto bad;
    what = "bad index, line or row error";
    if (get_u64(o, "i", &r->index) || get_u64(o, "l", &r->lineno) ||
        get_err(o, &r->row_err, r->row_errmsg, sizeof(r->row_errmsg)))
        goto bad;
    r->data = take_opt(o, "d");
    r->target = take_opt(o, "t");
    const cJSON *outs = cJSON_GetObjectItemCaseSensitive(o, "o");
    what = "evaluator count differs from the run's";
    if (!cJSON_IsArray(outs) || (size_t)cJSON_GetArraySize(outs) != r->nevals)
        goto bad;
    size_t i = 0;
    const cJSON *x;
    cJSON_ArrayForEach(x, outs) {
        ef_eval_out *eo = &r->outs[i];
        what = "bad evaluator output";
        if (get_err(x, &eo->err, eo->errmsg, sizeof(eo->errmsg)))
            goto bad;
        const cJSON *t;
        cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(x, "k")) {
            const cJSON *k = cJSON_GetArrayItem(t, 0);
            const char *key = cJSON_IsString(k) ? ef_engine_key(e, i, k->valuestring) : NULL;
            if (!key || decode_value(eo, key, t))
                goto bad;
        }
        i++;
    }
    cJSON_Delete(o);
    return 0;
bad:
    ef_seterr(errstr, errsize, "row message: %s", what);
    cJSON_Delete(o);
    ef_row_result_reset(r);
    return -1;
}
