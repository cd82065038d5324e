/* engine.c - see engine.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ef_log.h"
#include "engine.h"
#include "utf8.h"

typedef struct ef_engine_eval {
    char *name;
    const ef_evaluator_def *def;
    void *state;
    size_t ninputs;
    const ef_ref **refs;  /* per input: the mapping reference, or NULL = ${data.<input>} */
    ef_ref *default_refs; /* owned refs for unmapped inputs */
} ef_engine_eval;

struct ef_engine {
    ef_engine_eval *evals;
    size_t nevals;
    uint64_t max_line;
};

struct ef_engine_ctx {
    ef_engine *e;
    void **scratch; /* per evaluator */
    ef_eval_input inputs[16];
};

static void eval_free(ef_engine_eval *ev) {
    if (ev->def && ev->state && ev->def->destroy)
        ev->def->destroy(ev->state);
    if (ev->default_refs)
        for (size_t i = 0; i < ev->ninputs; i++)
            ef_ref_free(&ev->default_refs[i]);
    free(ev->default_refs);
    free(ev->refs);
    free(ev->name);
}

void ef_engine_destroy(ef_engine *e) {
    if (!e)
        return;
    for (size_t i = 0; i < e->nevals; i++)
        eval_free(&e->evals[i]);
    free(e->evals);
    free(e);
}

ef_engine *ef_engine_new(const ef_run_spec *spec, char *errstr, size_t errsize) {
    ef_engine *e = calloc(1, sizeof(*e));
    if (!e)
        goto oom;
    e->max_line = spec->max_line_bytes;
    e->evals = calloc(spec->nevals ? spec->nevals : 1, sizeof(*e->evals));
    if (!e->evals)
        goto oom;
    for (size_t i = 0; i < spec->nevals; i++) {
        const ef_eval_spec *es = &spec->evals[i];
        ef_engine_eval *ev = &e->evals[i];
        e->nevals = i + 1;
        ev->name = strdup(es->name);
        if (!ev->name)
            goto oom;
        const char *type = es->type ? es->type : es->name;
        ev->def = ef_evaluator_find(type);
        if (!ev->def) {
            char known[512] = "";
            for (const ef_evaluator_def *const *d = ef_evaluator_all(); *d; d++) {
                strncat(known, known[0] ? ", " : "", sizeof(known) - strlen(known) - 1);
                strncat(known, (*d)->type, sizeof(known) - strlen(known) - 1);
            }
            ef_seterr(errstr, errsize, "unknown evaluator '%s' (known: %s)", type, known);
            goto fail;
        }
        cJSON *params = ef_evaluator_params(ev->def, es->name, es->params, errstr, errsize);
        if (!params)
            goto fail;
        ev->state = ev->def->create(params, errstr, errsize);
        cJSON_Delete(params);
        if (!ev->state)
            goto fail;
        while (ev->def->inputs[ev->ninputs].name)
            ev->ninputs++;
        if (ev->ninputs > sizeof(((ef_engine_ctx *)0)->inputs) / sizeof(ef_eval_input)) {
            ef_seterr(errstr, errsize, "evaluator '%s' has too many inputs", es->name);
            goto fail;
        }
        ev->refs = calloc(ev->ninputs + 1, sizeof(*ev->refs));
        ev->default_refs = calloc(ev->ninputs + 1, sizeof(*ev->default_refs));
        if (!ev->refs || !ev->default_refs)
            goto oom;
        /* Per-evaluator mapping wins over the default mapping; an input
         * mapped nowhere reads the column of its own name. */
        for (size_t k = 0; k < ev->ninputs; k++) {
            const char *in = ev->def->inputs[k].name;
            const ef_ref *r = ef_mapping_get(es->mapping, in);
            if (!r && !es->mapping)
                r = ef_mapping_get(spec->mapping, in);
            if (!r) {
                char expr[300];
                snprintf(expr, sizeof(expr), "${data.%s}", in);
                if (ef_ref_parse(expr, &ev->default_refs[k], errstr, errsize))
                    goto fail;
                r = &ev->default_refs[k];
            }
            ev->refs[k] = r;
        }
    }
    return e;
oom:
    ef_seterr(errstr, errsize, "out of memory");
fail:
    ef_engine_destroy(e);
    return NULL;
}

size_t ef_engine_nevals(const ef_engine *e) { return e->nevals; }
const char *ef_engine_eval_name(const ef_engine *e, size_t i) { return e->evals[i].name; }
const ef_evaluator_def *ef_engine_eval_def(const ef_engine *e, size_t i) { return e->evals[i].def; }

void ef_engine_ctx_destroy(ef_engine_ctx *c) {
    if (!c)
        return;
    if (c->scratch)
        for (size_t i = 0; i < c->e->nevals; i++)
            if (c->scratch[i] && c->e->evals[i].def->scratch_destroy)
                c->e->evals[i].def->scratch_destroy(c->scratch[i]);
    free(c->scratch);
    free(c);
}

ef_engine_ctx *ef_engine_ctx_new(ef_engine *e, char *errstr, size_t errsize) {
    ef_engine_ctx *c = calloc(1, sizeof(*c));
    if (!c || !(c->scratch = calloc(e->nevals + 1, sizeof(void *)))) {
        free(c);
        ef_seterr(errstr, errsize, "out of memory");
        return NULL;
    }
    c->e = e;
    for (size_t i = 0; i < e->nevals; i++) {
        const ef_evaluator_def *d = e->evals[i].def;
        if (d->scratch_new && !(c->scratch[i] = d->scratch_new(e->evals[i].state))) {
            ef_seterr(errstr, errsize, "evaluator '%s': cannot set up its working memory",
                      e->evals[i].name);
            ef_engine_ctx_destroy(c);
            return NULL;
        }
    }
    return c;
}

int ef_row_result_init(ef_row_result *r, const ef_engine *e) {
    memset(r, 0, sizeof(*r));
    r->nevals = e->nevals;
    r->outs = calloc(e->nevals + 1, sizeof(*r->outs));
    if (!r->outs)
        return -1;
    for (size_t i = 0; i < e->nevals; i++)
        ef_eval_out_init(&r->outs[i]);
    return 0;
}

void ef_row_result_reset(ef_row_result *r) {
    cJSON_Delete(r->data);
    cJSON_Delete(r->target);
    r->data = r->target = NULL;
    r->row_err = EF_ERR_OK;
    r->row_errmsg[0] = '\0';
    for (size_t i = 0; i < r->nevals; i++)
        ef_eval_out_reset(&r->outs[i]);
}

void ef_row_result_free(ef_row_result *r) {
    if (!r || !r->outs)
        return;
    ef_row_result_reset(r);
    free(r->outs);
    r->outs = NULL;
}

__attribute__((format(printf, 5, 0))) static void set_bad_v(ef_row_result *r, uint64_t index,
                                                            uint64_t lineno, ef_err err,
                                                            const char *fmt, va_list ap) {
    ef_row_result_reset(r);
    r->index = index;
    r->lineno = lineno;
    r->row_err = err;
    vsnprintf(r->row_errmsg, sizeof(r->row_errmsg), fmt, ap);
    for (size_t i = 0; i < r->nevals; i++)
        ef_eval_out_fail(&r->outs[i], err, "%s", r->row_errmsg);
}

void ef_row_result_set_bad(ef_row_result *r, uint64_t index, uint64_t lineno, ef_err err,
                           const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    set_bad_v(r, index, lineno, err, fmt, ap);
    va_end(ap);
}

static const char *json_type_name(const cJSON *v) {
    if (cJSON_IsNull(v))
        return "null";
    if (cJSON_IsBool(v))
        return "boolean";
    if (cJSON_IsNumber(v))
        return "number";
    if (cJSON_IsArray(v))
        return "array";
    if (cJSON_IsObject(v))
        return "object";
    return "string";
}

int ef_engine_eval_line(ef_engine_ctx *c, const char *source, uint64_t index, uint64_t lineno,
                        const char *line, size_t len, ef_row_result *r) {
    ef_engine *e = c->e;
    ef_row_result_reset(r);
    r->index = index;
    r->lineno = lineno;
    size_t bad;
    if (len > e->max_line) {
        ef_row_result_set_bad(r, index, lineno, EF_ERR_LINE_TOO_LONG,
                              "%s:%llu: line of %zu bytes exceeds the cap of %llu bytes", source,
                              (unsigned long long)lineno, len, (unsigned long long)e->max_line);
        return 0;
    }
    if (!ef_utf8_valid(line, len, &bad)) {
        ef_row_result_set_bad(r, index, lineno, EF_ERR_UTF8,
                              "%s:%llu: invalid UTF-8 at byte %zu of the line", source,
                              (unsigned long long)lineno, bad + 1);
        return 0;
    }
    const char *end = NULL;
    r->data = cJSON_ParseWithLengthOpts(line, len, &end, 0);
    if (!r->data) {
        size_t at = end && end >= line ? (size_t)(end - line) : 0;
        if (!end) {
            const char *ep = cJSON_GetErrorPtr();
            at = ep && ep >= line && ep <= line + len ? (size_t)(ep - line) : 0;
        }
        ef_row_result_set_bad(r, index, lineno, EF_ERR_JSON,
                              "%s:%llu: malformed JSON near byte %zu", source,
                              (unsigned long long)lineno, at + 1);
        return 0;
    }
    if (!cJSON_IsObject(r->data)) {
        ef_row_result_set_bad(r, index, lineno, EF_ERR_NOT_OBJECT,
                              "%s:%llu: a row must be a JSON object, not %s", source,
                              (unsigned long long)lineno, json_type_name(r->data));
        return 0;
    }
    for (size_t i = 0; i < e->nevals; i++) {
        ef_engine_eval *ev = &e->evals[i];
        ef_eval_out *out = &r->outs[i];
        int ok = 1;
        for (size_t k = 0; k < ev->ninputs && ok; k++) {
            const ef_input_def *in = &ev->def->inputs[k];
            const cJSON *v = ef_ref_resolve(ev->refs[k], r->data, r->target);
            ef_eval_input *ei = &c->inputs[k];
            ei->value = v;
            ei->str = NULL;
            ei->len = 0;
            if (!v || cJSON_IsNull(v)) {
                if (!in->required)
                    continue;
                ef_eval_out_fail(out, EF_ERR_MISSING_COLUMN,
                                 "%s:%llu: field '%s' (input '%s' of evaluator '%s'): %s", source,
                                 (unsigned long long)lineno, ev->refs[k]->path, in->name, ev->name,
                                 v ? "is null" : "missing");
                ok = 0;
            } else if (in->type == EF_INPUT_STRING) {
                if (!cJSON_IsString(v)) {
                    ef_eval_out_fail(out, EF_ERR_TYPE,
                                     "%s:%llu: field '%s' (input '%s' of evaluator '%s'): "
                                     "expected a string, found %s",
                                     source, (unsigned long long)lineno, ev->refs[k]->path,
                                     in->name, ev->name, json_type_name(v));
                    ok = 0;
                } else {
                    ei->str = v->valuestring;
                    ei->len = strlen(v->valuestring);
                }
            }
        }
        if (!ok)
            continue;
        if (ev->def->eval(ev->state, c->scratch[i], c->inputs, out))
            return -1;
        if (out->err != EF_ERR_OK && !out->errmsg[0])
            snprintf(out->errmsg, sizeof(out->errmsg), "%s:%llu: evaluator '%s': %s", source,
                     (unsigned long long)lineno, ev->name, ef_strerror(out->err));
        ef_log_debug(EF_DBG_ENGINE, "row %llu evaluator %s: %s", (unsigned long long)index,
                     ev->name, out->err ? out->errmsg : "ok");
    }
    return 0;
}
