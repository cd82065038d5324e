/*
 * llm.h - API adapters over the async HTTP client: one ef_llm per configured
 * endpoint (the judge, the target), speaking OpenAI chat completions, Azure
 * OpenAI, Azure ML online endpoints or plain HTTP with a JSON template.
 *
 *   ef_llm_chat()   judge use: messages in, the answer text and token usage
 *                   out.  azureml and http endpoints receive the messages
 *                   flattened into one prompt ("system: ...\n\nuser: ...").
 *   ef_llm_target() target use: the row in, a JSON object of outputs out:
 *                   chat APIs give {"response": text}; azureml gives the reply
 *                   object ({"output": ...}) or {"output": reply}; http gives
 *                   {"output": value at answer_path} or the reply object.
 *
 * A 2xx reply the adapter cannot read is retried like a 5xx (EF_ERR_BAD_REPLY
 * once retries are exhausted).  The ef_llm owns the API key (wiped on
 * destroy); it is sent only in headers and never logged or returned.  Results
 * are valid during the callback only.  Destroy after every call completed or
 * together with the ef_http (calls are then cancelled silently).
 */
#ifndef EF_LLM_H
#define EF_LLM_H

#include <cjson/cJSON.h>

#include "endpoint.h"
#include "http.h"

typedef struct ef_llm ef_llm;

typedef struct ef_llm_result {
    ef_err err;
    char errmsg[320];
    const char *content;  /* chat: the answer text (NUL-terminated) */
    const cJSON *outputs; /* target: the outputs object */
    double prompt_tokens, completion_tokens, total_tokens; /* NAN when not reported */
    const char *finish_reason, *model;                     /* NULL when not reported */
    unsigned attempts;
    double elapsed_s;
} ef_llm_result;

typedef void (*ef_llm_cb)(const ef_llm_result *r, void *arg);

/* conf is copied; key (may be NULL) is copied.  role names the endpoint in
 * messages ("judge", "target"). */
ef_llm *ef_llm_new(ef_http *h, const ef_endpoint_conf *conf, const char *key, const char *role,
                   char *errstr, size_t errsize);
void ef_llm_destroy(ef_llm *l); /* NULL is fine */

/* messages: [{"role":..,"content":..}]; params override the endpoint's.
 * 0, or -1 on out of memory (cb not called). */
int ef_llm_chat(ef_llm *l, const cJSON *messages, const cJSON *params, ef_llm_cb cb, void *arg);
/* The request body ef_llm_chat sends (malloc'd, *len bytes) and its
 * max_tokens (0 when absent); NULL on out of memory.  OpenAI and Azure OpenAI
 * bodies are written directly from a per-parameters frame printed once,
 * byte for byte what printing the whole body with cJSON gives. */
char *ef_llm_chat_body(ef_llm *l, const cJSON *messages, const cJSON *params, size_t *len,
                       double *max_tokens);
/* data: the row; the prompt is the endpoint's `input` reference resolved in
 * it.  0; -1 on out of memory; -2 when the input is missing or null in data
 * (cb not called in either case). */
int ef_llm_target(ef_llm *l, const cJSON *data, ef_llm_cb cb, void *arg);

/* The model (or deployment) name, for <metric>_model when the reply has none. */
const char *ef_llm_model(const ef_llm *l);
ef_api ef_llm_api(const ef_llm *l);
ef_http_endpoint *ef_llm_endpoint(ef_llm *l);

/* A gate decides, before each judge request (ef_llm_chat), whether to send
 * it: the fleet worker's gate answers from a shared reply cache and waits
 * for a fleet-wide request budget (worker/judge_gate.h).  before() must end
 * in exactly one ef_llm_gate_go() (cached reply body, or NULL to send), or in
 * ef_llm_gate_drop() when the gate is torn down with the loop.  after() sees
 * every reply the adapter accepted (not those from the cache).  key: a
 * hash of the URL and the request body (model, rendered prompt,
 * parameters); endpoint: a hash of the URL and model.  Target calls never
 * pass the gate: the application under test is not cached. */
typedef struct ef_llm_ticket ef_llm_ticket;
typedef struct ef_llm_gate ef_llm_gate;
struct ef_llm_gate {
    void (*before)(ef_llm_gate *g, const char *endpoint, const char *key, ef_llm_ticket *t);
    void (*after)(ef_llm_gate *g, const char *key, const char *body, size_t len);
};
void ef_llm_set_gate(ef_llm *l, ef_llm_gate *g); /* NULL: none; g outlives l's calls */
void ef_llm_gate_go(ef_llm_ticket *t, const char *cached, size_t len);
void ef_llm_gate_drop(ef_llm_ticket *t); /* frees the call; its callback never runs */
const char *ef_llm_endpoint_id(const ef_llm *l);

#endif
