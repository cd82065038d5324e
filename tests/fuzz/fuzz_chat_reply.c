/*
 * fuzz_chat_reply.c - libFuzzer target for ef_chat_reply_scan
 * (common/chat_reply.h), differential against the cJSON path llm.c falls
 * back to.
 *
 * Input: the reply bytes, copied into an exactly sized heap block (any read
 * past it is an ASan report), scanned with a buf of exactly size + 1 bytes.
 * Checks: when the scanner says 1, cJSON_ParseWithLength succeeds and
 * choices[0].message.content is a string, and content, finish_reason, model
 * (byte-equal, NULL alike) and the three usage counts (equal or both NaN) are
 * the scanner's; its strings lie in buf and content_len is the content's
 * length.  When it says 0, *out is cleared.  A buf one byte short is refused.
 * Besides the raw input, the same checks run on the input wrapped in a
 * recognised envelope (as content text, as a skipped value, as the members
 * of usage and of choices[0]) so that most executions reach the comparison.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "chat_reply.h"

static double num_or_nan(const cJSON *v) { return cJSON_IsNumber(v) ? v->valuedouble : NAN; }

static int same_num(double a, double b) { return isnan(a) ? isnan(b) : a == b; }

static int same_str(const char *a, const char *b) {
    return (a == NULL) == (b == NULL) && (!a || strcmp(a, b) == 0);
}

static int in_buf(const char *s, const char *buf, size_t bufsize) {
    return !s || (s >= buf && s + strlen(s) < buf + bufsize);
}

/* Scans body[0..size) from an exactly sized copy and checks it; 1 if recognised. */
static int check(const uint8_t *data, size_t size) {
    char *body = malloc(size ? size : 1), *buf = malloc(size + 1);
    if (!body || !buf)
        abort();
    memcpy(body, data, size);
    ef_chat_reply r;
    int rc = ef_chat_reply_scan(body, size, buf, size + 1, &r);
    if (rc == 0) {
        if (r.content || r.finish_reason || r.model || r.content_len || !isnan(r.prompt_tokens) ||
            !isnan(r.completion_tokens) || !isnan(r.total_tokens))
            abort();
    } else if (rc == 1) {
        cJSON *reply = cJSON_ParseWithLength(body, size);
        if (!reply)
            abort();
        const cJSON *choice =
            cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(reply, "choices"), 0);
        const cJSON *content = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(choice, "message"), "content");
        if (!cJSON_IsString(content))
            abort();
        const cJSON *fr = cJSON_GetObjectItemCaseSensitive(choice, "finish_reason");
        const cJSON *model = cJSON_GetObjectItemCaseSensitive(reply, "model");
        const cJSON *usage = cJSON_GetObjectItemCaseSensitive(reply, "usage");
        if (!same_str(r.content, content->valuestring) ||
            r.content_len != strlen(content->valuestring) ||
            !same_str(r.finish_reason, cJSON_IsString(fr) ? fr->valuestring : NULL) ||
            !same_str(r.model, cJSON_IsString(model) ? model->valuestring : NULL) ||
            !same_num(r.prompt_tokens,
                      num_or_nan(cJSON_GetObjectItemCaseSensitive(usage, "prompt_tokens"))) ||
            !same_num(r.completion_tokens,
                      num_or_nan(cJSON_GetObjectItemCaseSensitive(usage, "completion_tokens"))) ||
            !same_num(r.total_tokens,
                      num_or_nan(cJSON_GetObjectItemCaseSensitive(usage, "total_tokens"))) ||
            !in_buf(r.content, buf, size + 1) || !in_buf(r.finish_reason, buf, size + 1) ||
            !in_buf(r.model, buf, size + 1))
            abort();
        cJSON_Delete(reply);
        if (ef_chat_reply_scan(body, size, buf, size, &r) != 0)
            abort();
    } else {
        abort();
    }
    free(buf);
    free(body);
    return rc;
}

/* Wraps the input in a recognised envelope, as a string's text or as a
 * value, so that most inputs reach the field-by-field comparison. */
static void wrapped(const char *pre, const uint8_t *data, size_t size, const char *post) {
    size_t a = strlen(pre), b = strlen(post);
    uint8_t *w = malloc(a + size + b);
    if (!w)
        abort();
    memcpy(w, pre, a);
    memcpy(w + a, data, size);
    memcpy(w + a + size, post, b);
    check(w, a + size + b);
    free(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    check(data, size);
    if (size <= 4096) {
        wrapped("{\"choices\":[{\"message\":{\"content\":\"", data, size,
                "\"},\"finish_reason\":\"stop\"}],\"model\":\"m\"}");
        wrapped("{\"model\":\"m\",\"choices\":[{\"message\":{\"content\":\"x\"}}],\"o\":", data,
                size, ",\"usage\":{\"prompt_tokens\":1}}");
        wrapped("{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"usage\":{", data, size, "}}");
        wrapped("{\"choices\":[{", data, size, "}]}");
    }
    return 0;
}
