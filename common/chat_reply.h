/*
 * chat_reply.h - a validating, allocation-free scanner for the OpenAI
 * chat-completions reply envelope.  It reads the six fields the LLM client
 * needs without building a cJSON tree; when it does not recognise a body, the
 * caller parses it with cJSON as before.
 *
 * Ownership: nothing is allocated.  The strings of *out point into the
 * caller's buf (unescaped, NUL-terminated) and live as long as buf does; the
 * body is only read (it need not be NUL-terminated; no byte past len is read).
 *
 * Contract: the scanner never disagrees with
 *     reply   = cJSON_ParseWithLength(body, len)
 *     choice  = cJSON_GetArrayItem(GetObjectItemCaseSensitive(reply, "choices"), 0)
 *     content = choice -> "message" -> "content"      (must be a string)
 *     finish_reason = choice -> "finish_reason"       (if a string, else NULL)
 *     model   = reply -> "model"                      (if a string, else NULL)
 *     usage.prompt_tokens / completion_tokens / total_tokens  (valuedouble if
 *                                                     cJSON_IsNumber, else NAN)
 * When it returns 1, cJSON succeeds too and every field is identical (first
 * duplicate key wins at every level, escapes are unescaped exactly as cJSON
 * does, token counts are strtod of the number's text).  It is stricter than
 * cJSON: it returns 0 unless the body is one complete RFC 8259 JSON object
 * (only space, tab, CR, LF around it; no BOM, no trailing bytes) with
 * "choices" a non-empty array whose first element is an object holding a
 * "message" object with a string "content"; it also returns 0 for nesting
 * deeper than EF_CHAT_REPLY_MAX_DEPTH, raw control characters in strings,
 * invalid or lone-surrogate \u escapes, \u0000 in an extracted string or in a
 * key of an object it looks into, numbers longer than 63 characters (cJSON
 * cannot parse them) and bufsize < len + 1.  A 0 says nothing about what is
 * wrong: the caller's cJSON path decides that.
 */
#ifndef EF_CHAT_REPLY_H
#define EF_CHAT_REPLY_H

#include <stddef.h>

#define EF_CHAT_REPLY_MAX_DEPTH 64 /* open objects/arrays, the top-level object included */

typedef struct ef_chat_reply {
    const char *content;       /* choices[0].message.content, unescaped, NUL-terminated, in buf */
    size_t content_len;        /* its length in bytes (it holds no NUL) */
    const char *finish_reason; /* choices[0].finish_reason if a string, else NULL (in buf) */
    const char *model;         /* top-level "model" if a string, else NULL (in buf) */
    double prompt_tokens, completion_tokens, total_tokens; /* usage.* if numbers, else NAN */
} ef_chat_reply;

/* 1: recognised, *out filled (strings point into buf, which needs len + 1
 * bytes); 0: not recognised (*out cleared: NULL strings, NAN counts): the
 * caller must parse with cJSON instead. */
int ef_chat_reply_scan(const char *body, size_t len, char *buf, size_t bufsize, ef_chat_reply *out);

#endif
