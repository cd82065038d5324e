/* engine.c - see engine.h. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "ef_log.h"
#include "engine.h"
#include "http.h"
#include "llm.h"
#include "loop.h"
#include "utf8.h"

typedef struct ef_engine_eval {
    char *name;
    const ef_evaluator_def *def;
    void *state;
    const ef_input_def *inputs; /* per instance */
    size_t ninputs;
    int conv;             /* index of the "conversation" input, -1 none */
    const ef_ref **refs;  /* per input: the mapping reference, or NULL = ${data.<input>} */
    ef_ref *default_refs; /* owned refs for unmapped inputs */
} ef_engine_eval;

struct ef_engine {
    ef_engine_eval *evals;
    size_t nevals;
    uint64_t max_line;
    struct event_base *base;
    int own_base;
    int async;
    int closing; /* destroy in progress: rows still in flight get no callback */
    ef_http *http;
    ef_llm *judge, *target;
    char *spec_dir;
    char **keys; /* output keys interned by ef_engine_key() */
    size_t nkeys;
};

/* One evaluator of one row in flight. */
typedef struct eval_slot {
    ef_eval_call call; /* first: the evaluator's done() gets &call */
    struct ef_row_job *job;
    size_t i;
} eval_slot;

/* A row in flight (owned by its ef_row_result, reused across rows). */
struct ef_row_job {
    ef_engine *e;
    ef_engine_ctx *ctx;
    ef_row_result *r;
    const char *source;
    size_t pending;
    int active;
    ef_row_done_cb done;
    void *arg;
    eval_slot slots[];
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
    /* Cancelled calls flow back through the evaluators (which free their
     * per-call memory), so the HTTP client goes first, the evaluators after. */
    e->closing = 1;
    ef_http_destroy(e->http);
    for (size_t i = 0; i < e->nevals; i++)
        eval_free(&e->evals[i]);
    ef_llm_destroy(e->judge);
    ef_llm_destroy(e->target);
    free(e->evals);
    free(e->spec_dir);
    for (size_t k = 0; k < e->nkeys; k++)
        free(e->keys[k]);
    free(e->keys);
    if (e->own_base && e->base)
        event_base_free(e->base);
    free(e);
}

/* The judge and target endpoints from the spec and the environment. */
static int setup_endpoints(ef_engine *e, const ef_run_spec *spec, char *errstr, size_t errsize) {
    const ef_endpoint_conf *confs[2] = {&spec->judge, &spec->target};
    ef_llm **dst[2] = {&e->judge, &e->target};
    const char *roles[2] = {"judge", "target"};
    for (int k = 0; k < 2; k++) {
        ef_endpoint_conf c;
        char *key = NULL;
        if (ef_endpoint_conf_copy(&c, confs[k])) {
            ef_seterr(errstr, errsize, "out of memory");
            return -1;
        }
        int rc = ef_endpoint_resolve(&c, roles[k], &key, errstr, errsize);
        if (!rc && c.api != EF_API_NONE) {
            if (!e->http && !(e->http = ef_http_new(e->base, errstr, errsize)))
                rc = -1;
            else if (!(*dst[k] = ef_llm_new(e->http, &c, key, roles[k], errstr, errsize)))
                rc = -1;
            else
                ef_log_debug(EF_DBG_JUDGE, "%s: %s %s", roles[k], ef_api_name(c.api),
                             ef_llm_model(*dst[k]));
        }
        if (key) {
            memset(key, 0, strlen(key));
            free(key);
        }
        ef_endpoint_conf_free(&c);
        if (rc)
            return -1;
    }
    e->async |= e->target != NULL;
    return 0;
}

ef_engine *ef_engine_new(const ef_run_spec *spec, struct event_base *base, char *errstr,
                         size_t errsize) {
    ef_engine *e = calloc(1, sizeof(*e));
    if (!e)
        goto oom;
    e->max_line = spec->max_line_bytes;
    e->base = base;
    if (!e->base) {
        if (!(e->base = ef_loop_new()))
            goto oom;
        e->own_base = 1;
    }
    if (spec->spec_path) {
        const char *slash = strrchr(spec->spec_path, '/');
        e->spec_dir =
            slash ? strndup(spec->spec_path, (size_t)(slash - spec->spec_path)) : strdup(".");
    } else {
        e->spec_dir = strdup(".");
    }
    if (!e->spec_dir)
        goto oom;
    if (setup_endpoints(e, spec, errstr, errsize))
        goto fail;
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
        ef_eval_env env = {ev->name, e->base, e->judge, e->spec_dir};
        ev->state = ev->def->create(params, &env, errstr, errsize);
        cJSON_Delete(params);
        if (!ev->state)
            goto fail;
        e->async |= ev->def->start != NULL;
        ev->inputs = ef_evaluator_inputs(ev->def, ev->state);
        ev->conv = -1;
        for (; ev->inputs[ev->ninputs].name; ev->ninputs++)
            if (!strcmp(ev->inputs[ev->ninputs].name, "conversation"))
                ev->conv = (int)ev->ninputs;
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
            const char *in = ev->inputs[k].name;
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
const char *const *ef_engine_eval_outputs(const ef_engine *e, size_t i) {
    return ef_evaluator_outputs(e->evals[i].def, e->evals[i].state);
}
double ef_engine_eval_defect_threshold(const ef_engine *e, size_t i) {
    const ef_engine_eval *ev = &e->evals[i];
    return ev->def->defect_threshold ? ev->def->defect_threshold(ev->state) : NAN;
}
const char *ef_engine_key(ef_engine *e, size_t i, const char *key) {
    const char *const *outs = ef_engine_eval_outputs(e, i);
    for (size_t k = 0; outs && outs[k]; k++)
        if (!strcmp(outs[k], key))
            return outs[k];
    for (size_t k = 0; k < e->nkeys; k++)
        if (!strcmp(e->keys[k], key))
            return e->keys[k];
    if (e->nkeys == EF_ENGINE_MAX_KEYS)
        return NULL;
    char **grown = realloc(e->keys, (e->nkeys + 1) * sizeof(*grown));
    if (!grown)
        return NULL;
    e->keys = grown;
    if (!(e->keys[e->nkeys] = strdup(key)))
        return NULL;
    return e->keys[e->nkeys++];
}

struct event_base *ef_engine_base(const ef_engine *e) {
    return e->base;
}
int ef_engine_is_async(const ef_engine *e) { return e->async; }
struct ef_llm *ef_engine_judge(ef_engine *e) {
    return e->judge;
}

void ef_engine_http_summary(const ef_engine *e, char *buf, size_t size) {
    size_t len = 0;
    buf[0] = '\0';
    ef_llm *ls[2] = {e->judge, e->target};
    const char *names[2] = {"judge", "target"};
    for (int k = 0; k < 2 && len < size; k++) {
        if (!ls[k])
            continue;
        ef_http_stats st;
        ef_http_endpoint_stats(ef_llm_endpoint(ls[k]), &st);
        len += (size_t)snprintf(buf + len, size - len,
                                "%s%s: %llu requests, %llu attempts, %llu retries, %llu failed, "
                                "max %u in flight",
                                len ? "\n" : "", names[k], st.requests, st.attempts, st.retries,
                                st.failures, st.max_inflight_seen);
    }
}

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
    r->job = calloc(1, sizeof(*r->job) + (e->nevals + 1) * sizeof(eval_slot));
    if (!r->outs || !r->job) {
        free(r->outs);
        free(r->job);
        r->outs = NULL;
        r->job = NULL;
        return -1;
    }
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
    free(r->job);
    r->outs = NULL;
    r->job = NULL;
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

void ef_row_result_set_too_long(ef_row_result *r, const char *source, uint64_t index,
                                uint64_t lineno, uint64_t cap) {
    ef_row_result_set_bad(r, index, lineno, EF_ERR_LINE_TOO_LONG,
                          "%s:%llu: line longer than the cap of %llu bytes (--max-line-bytes)",
                          source, (unsigned long long)lineno, (unsigned long long)cap);
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

static void job_finish(struct ef_row_job *job) {
    job->active = 0;
    if (!job->e->closing)
        job->done(job->r, job->arg);
}

static void slot_done(ef_eval_call *call) {
    eval_slot *slot = (eval_slot *)call;
    struct ef_row_job *job = slot->job;
    ef_row_result *r = job->r;
    ef_engine_eval *ev = &job->e->evals[slot->i];
    ef_eval_out *out = &r->outs[slot->i];
    if (out->err != EF_ERR_OK && !out->errmsg[0])
        snprintf(out->errmsg, sizeof(out->errmsg), "%s:%llu: evaluator '%s': %s", job->source,
                 (unsigned long long)r->lineno, ev->name, ef_strerror(out->err));
    ef_log_debug(EF_DBG_ENGINE, "row %llu evaluator %s: %s", (unsigned long long)r->index, ev->name,
                 out->err ? out->errmsg : "ok");
    if (--job->pending == 0)
        job_finish(job);
}

/* Resolve evaluator i's inputs into ctx->inputs; 0, or -1 with out failed. */
static int resolve_inputs(struct ef_row_job *job, size_t i) {
    ef_engine_eval *ev = &job->e->evals[i];
    ef_row_result *r = job->r;
    ef_eval_out *out = &r->outs[i];
    /* A row with a conversation needs no other input (judged turn by turn). */
    int has_conv = 0;
    if (ev->conv >= 0) {
        const cJSON *v = ef_ref_resolve(ev->refs[ev->conv], r->data, r->target);
        has_conv = v && !cJSON_IsNull(v);
    }
    for (size_t k = 0; k < ev->ninputs; k++) {
        const ef_input_def *in = &ev->inputs[k];
        const cJSON *v = ef_ref_resolve(ev->refs[k], r->data, r->target);
        ef_eval_input *ei = &job->ctx->inputs[k];
        ei->value = v;
        ei->str = NULL;
        ei->len = 0;
        if (!v || cJSON_IsNull(v)) {
            ei->value = NULL;
            if (!in->required || has_conv)
                continue;
            ef_eval_out_fail(out, EF_ERR_MISSING_COLUMN,
                             "%s:%llu: field '%s' (input '%s' of evaluator '%s'): %s", job->source,
                             (unsigned long long)r->lineno, ev->refs[k]->path, in->name, ev->name,
                             v ? "is null" : "missing");
            return -1;
        }
        if (in->type == EF_INPUT_STRING) {
            if (!cJSON_IsString(v)) {
                ef_eval_out_fail(out, EF_ERR_TYPE,
                                 "%s:%llu: field '%s' (input '%s' of evaluator '%s'): "
                                 "expected a string, found %s",
                                 job->source, (unsigned long long)r->lineno, ev->refs[k]->path,
                                 in->name, ev->name, json_type_name(v));
                return -1;
            }
            ei->str = v->valuestring;
            ei->len = strlen(v->valuestring);
        }
    }
    return 0;
}

static void run_evaluators(struct ef_row_job *job) {
    ef_engine *e = job->e;
    ef_row_result *r = job->r;
    job->pending = 1; /* held until every evaluator has started */
    for (size_t i = 0; i < e->nevals; i++) {
        ef_engine_eval *ev = &e->evals[i];
        ef_eval_out *out = &r->outs[i];
        eval_slot *slot = &job->slots[i];
        slot->job = job;
        slot->i = i;
        slot->call.done = slot_done;
        job->pending++;
        if (resolve_inputs(job, i)) {
            slot_done(&slot->call);
            continue;
        }
        if (ev->def->start) {
            if (ev->def->start(ev->state, job->ctx->inputs, out, &slot->call)) {
                ef_eval_out_fail(out, EF_ERR_NOMEM, "%s:%llu: evaluator '%s': out of memory",
                                 job->source, (unsigned long long)r->lineno, ev->name);
                slot_done(&slot->call);
            }
            continue;
        }
        if (ev->def->eval(ev->state, job->ctx->scratch[i], job->ctx->inputs, out))
            ef_eval_out_fail(out, EF_ERR_NOMEM, "%s:%llu: evaluator '%s': out of memory",
                             job->source, (unsigned long long)r->lineno, ev->name);
        slot_done(&slot->call);
    }
    if (--job->pending == 0)
        job_finish(job);
}

static void fail_all(struct ef_row_job *job, ef_err err, const char *msg) {
    for (size_t i = 0; i < job->r->nevals; i++)
        ef_eval_out_fail(&job->r->outs[i], err, "%s", msg);
}

static void target_done(const ef_llm_result *res, void *arg) {
    struct ef_row_job *job = arg;
    ef_row_result *r = job->r;
    if (res->err == EF_ERR_OK && !(r->target = cJSON_Duplicate(res->outputs, 1))) {
        fail_all(job, EF_ERR_NOMEM, "out of memory");
        job_finish(job);
        return;
    }
    if (res->err != EF_ERR_OK) {
        char msg[512];
        snprintf(msg, sizeof(msg), "%s:%llu: %s", job->source, (unsigned long long)r->lineno,
                 res->errmsg);
        fail_all(job, res->err == EF_ERR_CANCELLED ? EF_ERR_CANCELLED : EF_ERR_TARGET, msg);
        job_finish(job);
        return;
    }
    run_evaluators(job);
}

int ef_engine_submit_line(ef_engine_ctx *c, const char *source, uint64_t index, uint64_t lineno,
                          const char *line, size_t len, ef_row_result *r, ef_row_done_cb done,
                          void *arg) {
    ef_engine *e = c->e;
    struct ef_row_job *job = r->job;
    ef_row_result_reset(r);
    r->index = index;
    r->lineno = lineno;
    job->e = e;
    job->ctx = c;
    job->r = r;
    job->source = source;
    job->done = done;
    job->arg = arg;
    job->active = 1;
    size_t bad;
    if (len > e->max_line) {
        ef_row_result_set_bad(r, index, lineno, EF_ERR_LINE_TOO_LONG,
                              "%s:%llu: line of %zu bytes exceeds the cap of %llu bytes", source,
                              (unsigned long long)lineno, len, (unsigned long long)e->max_line);
        job_finish(job);
        return 0;
    }
    if (!ef_utf8_valid(line, len, &bad)) {
        ef_row_result_set_bad(r, index, lineno, EF_ERR_UTF8,
                              "%s:%llu: invalid UTF-8 at byte %zu of the line", source,
                              (unsigned long long)lineno, bad + 1);
        job_finish(job);
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
        job_finish(job);
        return 0;
    }
    if (!cJSON_IsObject(r->data)) {
        ef_row_result_set_bad(r, index, lineno, EF_ERR_NOT_OBJECT,
                              "%s:%llu: a row must be a JSON object, not %s", source,
                              (unsigned long long)lineno, json_type_name(r->data));
        job_finish(job);
        return 0;
    }
    if (e->target) {
        int rc = ef_llm_target(e->target, r->data, target_done, job);
        if (rc == -1) {
            job->active = 0;
            return -1;
        }
        if (rc == -2) {
            char msg[512];
            snprintf(msg, sizeof(msg), "%s:%llu: the target's input field is missing or null",
                     source, (unsigned long long)lineno);
            fail_all(job, EF_ERR_MISSING_COLUMN, msg);
            job_finish(job);
        }
        return 0;
    }
    run_evaluators(job);
    return 0;
}

static void sync_done(ef_row_result *r, void *arg) { *(int *)arg = 1; }

int ef_engine_eval_line(ef_engine_ctx *c, const char *source, uint64_t index, uint64_t lineno,
                        const char *line, size_t len, ef_row_result *r) {
    int done = 0;
    if (ef_engine_submit_line(c, source, index, lineno, line, len, r, sync_done, &done))
        return -1;
    while (!done)
        if (event_base_loop(c->e->base, EVLOOP_ONCE) < 0)
            return -1;
    return 0;
}
