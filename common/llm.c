/* llm.c - OpenAI / Azure OpenAI / Azure ML / plain HTTP adapters (see llm.h). */
#include <math.h>
#include <stdint.h>
#define XXH_INLINE_ALL
#include <xxhash.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat_reply.h"
#include "ef_log.h"
#include "llm.h"
#include "mapping.h"

#define EF_PROMPT_MAX (8u << 20)
#define CHAT_FRAMES   8

/* Everything of an OpenAI chat body but the messages, printed once for one
 * set of per-call parameters: body = prefix + messages + suffix, byte for
 * byte what printing the whole body with cJSON gives. */
typedef struct chat_frame {
    cJSON *params; /* a copy of the per-call parameters it was made for */
    int used, has_params;
    char *prefix, *suffix;
    size_t prefix_len, suffix_len;
    double max_tokens;
} chat_frame;

struct ef_llm {
    ef_endpoint_conf conf;
    char *role;
    char *url;    /* full request URL */
    char *auth;   /* "Authorization: Bearer ..." or "api-key: ..." or NULL */
    cJSON *tmpl;  /* http: parsed request template */
    ef_ref input; /* target: the prompt reference */
    int has_input;
    ef_http_endpoint *ep;
    ef_llm_gate *gate;
    char endpoint_id[33]; /* hash of URL and model: names a fleet-wide budget */
    chat_frame frames[CHAT_FRAMES];
    unsigned next_frame;
};

typedef struct llm_call {
    ef_llm *l;
    int target;
    double est_tokens;
    ef_llm_cb cb;
    void *arg;
    char *text; /* request body while the gate decides */
    size_t len;
    char key[33]; /* gate: hash of URL and body */
    int cached;   /* the reply came from the gate's cache */
} llm_call;

static void hash_hex(char out[33], const char *a, size_t alen, const char *b, size_t blen) {
    XXH3_state_t st;
    XXH3_128bits_reset(&st);
    XXH3_128bits_update(&st, a, alen);
    XXH3_128bits_update(&st, "\n", 1);
    XXH3_128bits_update(&st, b, blen);
    XXH128_hash_t h = XXH3_128bits_digest(&st);
    snprintf(out, 33, "%016llx%016llx", (unsigned long long)h.high64, (unsigned long long)h.low64);
}

static void wipe_free(char *s) {
    if (s) {
        volatile char *p = s;
        while (*p)
            *p++ = '\0';
        free(s);
    }
}

void ef_llm_destroy(ef_llm *l) {
    if (!l)
        return;
    for (unsigned i = 0; i < CHAT_FRAMES; i++) {
        cJSON_Delete(l->frames[i].params);
        free(l->frames[i].prefix);
        free(l->frames[i].suffix);
    }
    wipe_free(l->auth);
    free(l->url);
    free(l->role);
    cJSON_Delete(l->tmpl);
    if (l->has_input)
        ef_ref_free(&l->input);
    ef_endpoint_conf_free(&l->conf);
    free(l);
}

static char *join_url(const char *base, const char *path) {
    size_t bl = strlen(base);
    while (bl && base[bl - 1] == '/')
        bl--;
    size_t n = bl + strlen(path) + 1;
    char *u = malloc(n);
    if (u)
        snprintf(u, n, "%.*s%s", (int)bl, base, path);
    return u;
}

ef_llm *ef_llm_new(ef_http *h, const ef_endpoint_conf *conf, const char *key, const char *role,
                   char *errstr, size_t errsize) {
    ef_llm *l = calloc(1, sizeof(*l));
    if (!l || ef_endpoint_conf_copy(&l->conf, conf) || !(l->role = strdup(role)))
        goto oom;
    const ef_endpoint_conf *c = &l->conf;
    char path[512];
    switch (c->api) {
    case EF_API_OPENAI:
        l->url = join_url(c->url, "/chat/completions");
        break;
    case EF_API_AZURE_OPENAI:
        snprintf(path, sizeof(path), "/openai/deployments/%s/chat/completions?api-version=%s",
                 c->deployment, c->api_version);
        l->url = join_url(c->url, path);
        break;
    case EF_API_AZUREML:
    case EF_API_HTTP:
        l->url = strdup(c->url);
        break;
    default:
        ef_seterr(errstr, errsize, "%s: no API configured", role);
        goto fail;
    }
    if (!l->url)
        goto oom;
    if (key) {
        size_t n = strlen(key) + 32;
        if (!(l->auth = malloc(n)))
            goto oom;
        snprintf(l->auth, n,
                 c->api == EF_API_AZURE_OPENAI ? "api-key: %s" : "Authorization: Bearer %s", key);
    }
    if (c->request_template && !(l->tmpl = cJSON_Parse(c->request_template))) {
        ef_seterr(errstr, errsize, "%s: request-template is not valid JSON", role);
        goto fail;
    }
    if (c->input) {
        if (ef_ref_parse(c->input, &l->input, errstr, errsize))
            goto fail;
        l->has_input = 1;
    }
    const char *headers[] = {"Content-Type: application/json", "Accept: application/json", l->auth,
                             NULL};
    if (!(l->ep = ef_http_endpoint_new(h, role, l->url, headers, &c->limits, errstr, errsize)))
        goto fail;
    const char *model = c->model ? c->model : c->deployment ? c->deployment : "";
    hash_hex(l->endpoint_id, l->url, strlen(l->url), model, strlen(model));
    return l;
oom:
    ef_seterr(errstr, errsize, "out of memory");
fail:
    ef_llm_destroy(l);
    return NULL;
}

const char *ef_llm_model(const ef_llm *l) {
    return l->conf.api == EF_API_AZURE_OPENAI ? l->conf.deployment
           : l->conf.model                    ? l->conf.model
                                              : ef_api_name(l->conf.api);
}
ef_api ef_llm_api(const ef_llm *l) { return l->conf.api; }
ef_http_endpoint *ef_llm_endpoint(ef_llm *l) { return l->ep; }

/* ---- replies ------------------------------------------------------------ */

static const cJSON *path_get(const cJSON *root, const char *path) {
    const cJSON *v = root;
    char seg[128];
    while (v && *path) {
        size_t n = strcspn(path, ".");
        snprintf(seg, sizeof(seg), "%.*s", (int)(n < sizeof(seg) ? n : sizeof(seg) - 1), path);
        if (cJSON_IsArray(v)) {
            char *end;
            long i = strtol(seg, &end, 10);
            v = *end ? NULL : cJSON_GetArrayItem(v, (int)i);
        } else {
            v = cJSON_GetObjectItemCaseSensitive(v, seg);
        }
        path += n;
        if (*path == '.')
            path++;
    }
    return v;
}

static double num_or_nan(const cJSON *v) { return cJSON_IsNumber(v) ? v->valuedouble : NAN; }

/* Azure ML replies: {"output": x}, [x], [{"0": x}], "x". */
static const cJSON *azureml_answer(const cJSON *reply, const char *answer_path) {
    if (answer_path)
        return path_get(reply, answer_path);
    const cJSON *v = reply;
    if (cJSON_IsObject(v) && cJSON_GetObjectItemCaseSensitive(v, "output"))
        v = cJSON_GetObjectItemCaseSensitive(v, "output");
    if (cJSON_IsArray(v))
        v = cJSON_GetArrayItem(v, 0);
    if (cJSON_IsObject(v) && cJSON_GetObjectItemCaseSensitive(v, "0"))
        v = cJSON_GetObjectItemCaseSensitive(v, "0");
    return v;
}

/* Reads an OpenAI envelope with the scanner (no tree); 1 when it did. */
static int scan_chat(const ef_http_response *resp, char *small, size_t smallsize, char **heap,
                     ef_llm_result *r) {
    char *buf = resp->len < smallsize ? small : (*heap = malloc(resp->len + 1));
    ef_chat_reply cr;
    if (!buf || ef_chat_reply_scan(resp->body, resp->len, buf, resp->len + 1, &cr) != 1)
        return 0;
    r->content = cr.content;
    r->finish_reason = cr.finish_reason;
    r->model = cr.model;
    r->prompt_tokens = cr.prompt_tokens;
    r->completion_tokens = cr.completion_tokens;
    r->total_tokens = cr.total_tokens;
    return 1;
}

static int on_reply(const ef_http_response *resp, void *arg) {
    llm_call *call = arg;
    ef_llm *l = call->l;
    ef_llm_result r = {0};
    r.prompt_tokens = r.completion_tokens = r.total_tokens = NAN;
    r.attempts = resp->attempts;
    r.elapsed_s = resp->elapsed_s;
    cJSON *reply = NULL, *outputs = NULL;
    char *printed = NULL, *scanned = NULL, small[2048];
    int chat = l->conf.api == EF_API_OPENAI || l->conf.api == EF_API_AZURE_OPENAI;
    if (resp->err != EF_ERR_OK) {
        r.err = resp->err;
        snprintf(r.errmsg, sizeof(r.errmsg), "%s: %s", l->role, resp->errmsg);
        goto done;
    }
    /* The answer: r.content (scanner) or answer (cJSON tree). */
    const cJSON *answer = NULL;
    if (!(chat && scan_chat(resp, small, sizeof(small), &scanned, &r)) &&
        (reply = cJSON_ParseWithLength(resp->body, resp->len))) {
        if (chat) {
            const cJSON *choice =
                cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(reply, "choices"), 0);
            answer = path_get(choice, "message.content");
            const cJSON *fr = cJSON_GetObjectItemCaseSensitive(choice, "finish_reason");
            r.finish_reason = cJSON_IsString(fr) ? fr->valuestring : NULL;
            const cJSON *model = cJSON_GetObjectItemCaseSensitive(reply, "model");
            r.model = cJSON_IsString(model) ? model->valuestring : NULL;
            const cJSON *usage = cJSON_GetObjectItemCaseSensitive(reply, "usage");
            r.prompt_tokens = num_or_nan(cJSON_GetObjectItemCaseSensitive(usage, "prompt_tokens"));
            r.completion_tokens =
                num_or_nan(cJSON_GetObjectItemCaseSensitive(usage, "completion_tokens"));
            r.total_tokens = num_or_nan(cJSON_GetObjectItemCaseSensitive(usage, "total_tokens"));
            if (!cJSON_IsString(answer))
                answer = NULL;
        } else if (l->conf.api == EF_API_AZUREML) {
            answer = azureml_answer(reply, l->conf.answer_path);
        } else {
            answer = l->conf.answer_path ? path_get(reply, l->conf.answer_path) : reply;
        }
    }
    if (!answer && !r.content) {
        if (!resp->last_attempt) {
            cJSON_Delete(reply);
            free(scanned);
            return EF_HTTP_RETRY;
        }
        r.err = EF_ERR_BAD_REPLY;
        snprintf(r.errmsg, sizeof(r.errmsg), "%s: %s (HTTP %ld, %zu bytes, after %u attempts)",
                 l->role, reply ? "no answer in the reply" : "reply is not JSON", resp->status,
                 resp->len, resp->attempts);
        goto done;
    }
    if (isfinite(r.total_tokens) && !call->cached)
        ef_http_endpoint_charge(l->ep, r.total_tokens - call->est_tokens);
    if (l->gate && !call->target && !call->cached)
        l->gate->after(l->gate, call->key, resp->body, resp->len);
    if (call->target) {
        if (cJSON_IsObject(answer) && answer == reply)
            outputs = cJSON_Duplicate(reply, 1);
        else {
            outputs = cJSON_CreateObject();
            const char *key = chat ? "response" : "output";
            cJSON *v = r.content ? cJSON_CreateString(r.content) : cJSON_Duplicate(answer, 1);
            if (outputs && (!v || !cJSON_AddItemToObject(outputs, key, v))) {
                cJSON_Delete(v);
                cJSON_Delete(outputs);
                outputs = NULL;
            }
        }
        r.content = NULL;
        if (!outputs) {
            r.err = EF_ERR_NOMEM;
            snprintf(r.errmsg, sizeof(r.errmsg), "%s: out of memory", l->role);
        }
        r.outputs = outputs;
    } else if (!r.content) { /* not from the scanner: from the tree */
        if (cJSON_IsString(answer))
            r.content = answer->valuestring;
        else {
            printed = cJSON_PrintUnformatted(answer);
            r.content = printed ? printed : "";
        }
    }
done:
    call->cb(&r, call->arg);
    cJSON_Delete(outputs);
    cJSON_Delete(reply);
    free(printed);
    free(scanned);
    free(call);
    return EF_HTTP_DONE;
}

/* ---- requests ----------------------------------------------------------- */

/* "system: ...\n\nuser: ..." for APIs that take one prompt string. */
static char *flatten(const cJSON *messages) {
    size_t cap = 1024, len = 0;
    char *s = malloc(cap);
    if (!s)
        return NULL;
    s[0] = '\0';
    const cJSON *m;
    cJSON_ArrayForEach(m, messages) {
        const cJSON *role = cJSON_GetObjectItemCaseSensitive(m, "role");
        const cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");
        const char *r = cJSON_IsString(role) ? role->valuestring : "user";
        const char *c = cJSON_IsString(content) ? content->valuestring : "";
        size_t need = len + strlen(r) + strlen(c) + 8;
        if (need > EF_PROMPT_MAX) {
            free(s);
            return NULL;
        }
        if (need > cap) {
            while (cap < need)
                cap *= 2;
            char *n = realloc(s, cap);
            if (!n) {
                free(s);
                return NULL;
            }
            s = n;
        }
        len += (size_t)snprintf(s + len, cap - len, "%s%s: %s", len ? "\n\n" : "", r, c);
    }
    return s;
}

/* Replace placeholder strings of the http template, recursively. */
static int fill_template(cJSON *node, const char *prompt, const cJSON *messages, const cJSON *data,
                         int depth) {
    if (depth > 32)
        return -1;
    cJSON *child = node->child;
    while (child) {
        cJSON *next = child->next;
        if (cJSON_IsString(child)) {
            const char *s = child->valuestring;
            cJSON *rep = NULL;
            if (!strcmp(s, "{{prompt}}"))
                rep = cJSON_CreateString(prompt ? prompt : "");
            else if (!strcmp(s, "{{messages}}"))
                rep = messages ? cJSON_Duplicate(messages, 1) : cJSON_CreateArray();
            else if (!strncmp(s, "${", 2) && data) {
                ef_ref ref;
                if (!ef_ref_parse(s, &ref, NULL, 0)) {
                    const cJSON *v = ef_ref_resolve(&ref, data, NULL);
                    rep = v ? cJSON_Duplicate(v, 1) : cJSON_CreateNull();
                    ef_ref_free(&ref);
                }
            }
            if (rep && cJSON_IsObject(node))
                cJSON_ReplaceItemInObjectCaseSensitive(node, child->string, rep);
            else if (rep) {
                /* array element: a duplicated row value may carry its key */
                free(rep->string);
                rep->string = NULL;
                cJSON_ReplaceItemViaPointer(node, child, rep);
            }
        } else if (cJSON_IsObject(child) || cJSON_IsArray(child)) {
            if (fill_template(child, prompt, messages, data, depth + 1))
                return -1;
        }
        child = next;
    }
    return 0;
}

static void merge_params(cJSON *body, const cJSON *params) {
    const cJSON *kv;
    cJSON_ArrayForEach(kv, params) {
        cJSON_DeleteItemFromObjectCaseSensitive(body, kv->string);
        cJSON_AddItemToObject(body, kv->string, cJSON_Duplicate(kv, 1));
    }
}

/* Hands the body over to the HTTP client. */
static int post(llm_call *call) {
    ef_llm *l = call->l;
    ef_log_debug(EF_DBG_HTTP, "%s: POST %zu bytes", l->role, call->len);
    char *text = call->text;
    call->text = NULL;
    return ef_http_post(l->ep, text, call->len, call->est_tokens, on_reply, call);
}

void ef_llm_gate_go(ef_llm_ticket *t, const char *cached, size_t len) {
    llm_call *call = (llm_call *)t;
    ef_http_response resp = {0};
    resp.last_attempt = true;
    if (!cached) {
        if (!post(call))
            return;
        /* The evaluator waits for its callback: report the failure. */
        resp.err = EF_ERR_NOMEM;
        snprintf(resp.errmsg, sizeof(resp.errmsg), "out of memory");
    } else {
        resp.status = 200;
        resp.body = cached;
        resp.len = len;
        call->cached = 1;
    }
    free(call->text);
    call->text = NULL;
    on_reply(&resp, call);
}

void ef_llm_gate_drop(ef_llm_ticket *t) {
    llm_call *call = (llm_call *)t;
    free(call->text);
    free(call);
}

void ef_llm_set_gate(ef_llm *l, ef_llm_gate *g) { l->gate = g; }
const char *ef_llm_endpoint_id(const ef_llm *l) { return l->endpoint_id; }

/* text (len bytes, malloc'd) is taken over; max_tokens is the body's. */
static int send_body(ef_llm *l, char *text, size_t len, double max_tokens, int target, ef_llm_cb cb,
                     void *arg) {
    llm_call *call = text ? calloc(1, sizeof(*call)) : NULL;
    if (!call) {
        free(text);
        return -1;
    }
    call->l = l;
    call->target = target;
    call->cb = cb;
    call->arg = arg;
    call->text = text;
    call->len = len;
    call->est_tokens = (double)len / 4.0 + max_tokens;
    if (l->gate && !target) {
        /* The body holds the model, the rendered prompt and the parameters. */
        hash_hex(call->key, l->url, strlen(l->url), text, len);
        l->gate->before(l->gate, l->endpoint_id, call->key, (ef_llm_ticket *)call);
        return 0;
    }
    if (post(call)) {
        free(call);
        return -1;
    }
    return 0;
}

static cJSON *build_body(ef_llm *l, const cJSON *messages, const char *prompt, const cJSON *data,
                         const cJSON *params) {
    cJSON *body = NULL;
    switch (l->conf.api) {
    case EF_API_OPENAI:
    case EF_API_AZURE_OPENAI:
        body = cJSON_CreateObject();
        if (body && l->conf.api == EF_API_OPENAI)
            cJSON_AddStringToObject(body, "model", l->conf.model);
        if (body) {
            cJSON *msgs = messages ? cJSON_Duplicate(messages, 1) : cJSON_CreateArray();
            if (!messages && msgs) {
                cJSON *m = cJSON_CreateObject();
                cJSON_AddStringToObject(m, "role", "user");
                cJSON_AddStringToObject(m, "content", prompt ? prompt : "");
                cJSON_AddItemToArray(msgs, m);
            }
            cJSON_AddItemToObject(body, "messages", msgs);
        }
        break;
    case EF_API_AZUREML: {
        body = cJSON_CreateObject();
        cJSON *in = cJSON_AddArrayToObject(body, "input_data");
        if (in)
            cJSON_AddItemToArray(in, cJSON_CreateString(prompt ? prompt : ""));
        cJSON_AddItemToObject(body, "params", cJSON_CreateObject());
        break;
    }
    case EF_API_HTTP:
        body = cJSON_Duplicate(l->tmpl, 1);
        if (body && fill_template(body, prompt, messages, data, 0)) {
            cJSON_Delete(body);
            body = NULL;
        }
        return body; /* params are not merged into a user template */
    default:
        return NULL;
    }
    if (!body)
        return NULL;
    cJSON *dst =
        l->conf.api == EF_API_AZUREML ? cJSON_GetObjectItemCaseSensitive(body, "params") : body;
    merge_params(dst, l->conf.params);
    merge_params(dst, params);
    return body;
}

/* The printed body, its length and its max_tokens (0 when absent). */
static char *print_body(cJSON *body, size_t *len, double *max_tokens) {
    char *text = body ? cJSON_PrintUnformatted(body) : NULL;
    const cJSON *mt = cJSON_GetObjectItemCaseSensitive(body, "max_tokens");
    *max_tokens = cJSON_IsNumber(mt) ? mt->valuedouble : 0;
    *len = text ? strlen(text) : 0;
    cJSON_Delete(body);
    return text;
}

/* Equal and printed alike by cJSON: same keys in the same order, same types,
 * same values (cJSON_Compare ignores key order and rounds numbers). */
static int same_json(const cJSON *a, const cJSON *b) {
    if (!a || !b)
        return a == b;
    if ((a->type & 0xFF) != (b->type & 0xFF))
        return 0;
    if ((a->string || b->string) && (!a->string || !b->string || strcmp(a->string, b->string)))
        return 0;
    if (cJSON_IsNumber(a))
        return a->valuedouble == b->valuedouble;
    if (cJSON_IsString(a) || cJSON_IsRaw(a))
        return !strcmp(a->valuestring, b->valuestring);
    if (cJSON_IsArray(a) || cJSON_IsObject(a)) {
        const cJSON *x = a->child, *y = b->child;
        for (; x && y; x = x->next, y = y->next)
            if (!same_json(x, y))
                return 0;
        return !x && !y;
    }
    return 1;
}

/* The frame for params, made on first use; NULL when the body must be
 * printed whole (parameters that name "messages", out of memory). */
static chat_frame *frame_for(ef_llm *l, const cJSON *params) {
    for (unsigned i = 0; i < CHAT_FRAMES; i++) {
        chat_frame *f = &l->frames[i];
        if (f->used && f->has_params == (params != NULL) &&
            (!params || same_json(f->params, params)))
            return f;
    }
    if (cJSON_GetObjectItemCaseSensitive(params, "messages") ||
        cJSON_GetObjectItemCaseSensitive(l->conf.params, "messages"))
        return NULL;
    cJSON *empty = cJSON_CreateArray();
    size_t len;
    double max_tokens;
    char *text =
        empty ? print_body(build_body(l, empty, NULL, NULL, params), &len, &max_tokens) : NULL;
    cJSON_Delete(empty);
    if (!text)
        return NULL;
    static const char mark[] = "\"messages\":[]";
    const char *at = strstr(text, mark);
    cJSON *copy = params ? cJSON_Duplicate(params, 1) : NULL;
    chat_frame *f = &l->frames[l->next_frame++ % CHAT_FRAMES];
    if (!at || strstr(at + 1, mark) || (params && !copy)) {
        free(text);
        cJSON_Delete(copy);
        return NULL;
    }
    cJSON_Delete(f->params);
    free(f->prefix);
    free(f->suffix);
    f->params = copy;
    f->has_params = params != NULL;
    f->prefix_len = (size_t)(at - text) + sizeof(mark) - 2; /* up to '[' */
    f->suffix_len = len - f->prefix_len;                    /* from ']' */
    f->prefix = text;
    f->suffix = strdup(text + f->prefix_len);
    f->max_tokens = max_tokens;
    f->used = f->suffix != NULL;
    if (!f->used) {
        cJSON_Delete(f->params);
        free(f->prefix);
        f->params = NULL;
        f->prefix = NULL;
        return NULL;
    }
    return f;
}

/* How many of the n bytes at p need no escape (none is < 0x20, '"' or '\\'),
 * eight at a time: a byte below 0x20 or equal to one of the two shows as a
 * set high bit in the classic "has less than" / "has zero" word tests. */
static size_t clean_prefix(const unsigned char *p, size_t n) {
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t v, q, b;
        memcpy(&v, p + i, 8);
        q = v ^ (ones * '"');
        b = v ^ (ones * '\\');
        if ((((v - ones * 0x20) & ~v) | ((q - ones) & ~q) | ((b - ones) & ~b)) & highs)
            break;
    }
    while (i < n && p[i] >= 0x20 && p[i] != '"' && p[i] != '\\')
        i++;
    return i;
}

/* Bytes of s (n bytes) as a JSON string body, escaped as
 * cJSON_PrintUnformatted does: quote, backslash, \b \f \n \r \t, other bytes
 * < 0x20 as \u00xx, the rest as they are.  With out, writes them. */
static size_t json_escape(const char *s, size_t n, char *out) {
    static const char short_esc[32] = {
        ['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't'};
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    size_t w = 0;
    for (;;) {
        size_t run = clean_prefix(p, (size_t)(end - p));
        if (out)
            memcpy(out + w, p, run);
        w += run;
        p += run;
        if (p == end)
            return w;
        unsigned char ch = *p++;
        if (ch >= 0x20 || short_esc[ch]) {
            if (out) {
                out[w] = '\\';
                out[w + 1] = ch >= 0x20 ? (char)ch : short_esc[ch];
            }
            w += 2;
        } else {
            if (out)
                snprintf(out + w, 7, "\\u%04x", ch);
            w += 6;
        }
    }
}

/* A message printed by hand: {"role": string, "content": string} in that order. */
static int plain_message(const cJSON *m) {
    const cJSON *r = m->child, *c = r ? r->next : NULL;
    return cJSON_IsObject(m) && c && !c->next && cJSON_IsString(r) && cJSON_IsString(c) &&
           !strcmp(r->string, "role") && !strcmp(c->string, "content");
}

char *ef_llm_chat_body(ef_llm *l, const cJSON *messages, const cJSON *params, size_t *len,
                       double *max_tokens) {
    chat_frame *f = NULL;
    if ((l->conf.api == EF_API_OPENAI || l->conf.api == EF_API_AZURE_OPENAI) &&
        cJSON_IsArray(messages)) {
        const cJSON *m;
        cJSON_ArrayForEach(m, messages) if (!plain_message(m)) break;
        if (!m)
            f = frame_for(l, params);
    }
    if (!f) {
        char *prompt = NULL;
        if (l->conf.api == EF_API_AZUREML || l->conf.api == EF_API_HTTP) {
            if (!(prompt = flatten(messages)))
                return NULL;
        }
        cJSON *body = build_body(l, messages, prompt, NULL, params);
        free(prompt);
        return print_body(body, len, max_tokens);
    }
    static const char role[] = "{\"role\":\"", content[] = "\",\"content\":\"", end[] = "\"}";
    size_t n = f->prefix_len + f->suffix_len, k = 0;
    const cJSON *m;
    cJSON_ArrayForEach(m, messages) {
        const char *r = m->child->valuestring, *c = m->child->next->valuestring;
        n += (k++ ? 1 : 0) + sizeof(role) - 1 + json_escape(r, strlen(r), NULL) + sizeof(content) -
             1 + json_escape(c, strlen(c), NULL) + sizeof(end) - 1;
    }
    char *text = malloc(n + 1), *w = text;
    if (!text)
        return NULL;
    memcpy(w, f->prefix, f->prefix_len);
    w += f->prefix_len;
    k = 0;
    cJSON_ArrayForEach(m, messages) {
        if (k++)
            *w++ = ',';
        memcpy(w, role, sizeof(role) - 1);
        w += sizeof(role) - 1;
        const char *r = m->child->valuestring, *c = m->child->next->valuestring;
        w += json_escape(r, strlen(r), w);
        memcpy(w, content, sizeof(content) - 1);
        w += sizeof(content) - 1;
        w += json_escape(c, strlen(c), w);
        memcpy(w, end, sizeof(end) - 1);
        w += sizeof(end) - 1;
    }
    memcpy(w, f->suffix, f->suffix_len + 1);
    *len = n;
    *max_tokens = f->max_tokens;
    return text;
}

int ef_llm_chat(ef_llm *l, const cJSON *messages, const cJSON *params, ef_llm_cb cb, void *arg) {
    size_t len = 0;
    double max_tokens = 0;
    char *text = ef_llm_chat_body(l, messages, params, &len, &max_tokens);
    return send_body(l, text, len, max_tokens, 0, cb, arg);
}

int ef_llm_target(ef_llm *l, const cJSON *data, ef_llm_cb cb, void *arg) {
    const cJSON *v = l->has_input ? ef_ref_resolve(&l->input, data, NULL) : NULL;
    char *printed = NULL;
    const char *prompt = "";
    if (!v || cJSON_IsNull(v))
        return -2;
    if (cJSON_IsString(v))
        prompt = v->valuestring;
    else if (!(prompt = printed = cJSON_PrintUnformatted(v)))
        return -1;
    size_t len = 0;
    double max_tokens = 0;
    char *text = print_body(build_body(l, NULL, prompt, data, NULL), &len, &max_tokens);
    free(printed);
    return send_body(l, text, len, max_tokens, 1, cb, arg);
}
