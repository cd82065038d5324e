/*
 * test_chat_reply.c - the OpenAI chat reply scanner (common/chat_reply.h):
 * typical, real-looking and Azure replies, escapes, wrong types, duplicate
 * keys, truncation, whitespace, nesting, numbers, and on every body (plus
 * byte-level mutations of the valid ones) a differential check against the
 * cJSON path that llm.c falls back to: whenever the scanner says 1, cJSON
 * must agree on every field.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "chat_reply.h"

/* ---- the cJSON path of the contract ---- */

typedef struct ref {
    int ok;
    const char *content, *finish_reason, *model;
    double prompt_tokens, completion_tokens, total_tokens;
} ref;

static double num_or_nan(const cJSON *v) { return cJSON_IsNumber(v) ? v->valuedouble : NAN; }

/* Fills *r from the parsed *root (the caller deletes it). */
static void ref_parse(const char *body, size_t len, cJSON **root, ref *r) {
    memset(r, 0, sizeof(*r));
    r->prompt_tokens = r->completion_tokens = r->total_tokens = NAN;
    cJSON *reply = *root = cJSON_ParseWithLength(body, len);
    if (!reply)
        return;
    const cJSON *choice = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(reply, "choices"), 0);
    const cJSON *message = cJSON_GetObjectItemCaseSensitive(choice, "message");
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(message, "content");
    if (!cJSON_IsString(content))
        return;
    r->ok = 1;
    r->content = content->valuestring;
    const cJSON *fr = cJSON_GetObjectItemCaseSensitive(choice, "finish_reason");
    r->finish_reason = cJSON_IsString(fr) ? fr->valuestring : NULL;
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(reply, "model");
    r->model = cJSON_IsString(model) ? model->valuestring : NULL;
    const cJSON *usage = cJSON_GetObjectItemCaseSensitive(reply, "usage");
    r->prompt_tokens = num_or_nan(cJSON_GetObjectItemCaseSensitive(usage, "prompt_tokens"));
    r->completion_tokens = num_or_nan(cJSON_GetObjectItemCaseSensitive(usage, "completion_tokens"));
    r->total_tokens = num_or_nan(cJSON_GetObjectItemCaseSensitive(usage, "total_tokens"));
}

static int same_num(double a, double b) { return isnan(a) ? isnan(b) : a == b; }

static int same_str(const char *a, const char *b) {
    return (a == NULL) == (b == NULL) && (!a || strcmp(a, b) == 0);
}

static int in_buf(const char *s, const char *buf, size_t bufsize) {
    return !s || (s >= buf && s + strlen(s) < buf + bufsize);
}

/* ---- running the scanner ---- */

static ef_chat_reply R; /* the last scan */
static char *B;         /* its buf */
static unsigned n_diff, n_diff_ok;

/* Scans body[0..len) copied into an exactly sized heap block, with a buf of
 * exactly len + 1 bytes (both under ASan in the sanitizer build), checks the
 * result against the cJSON path and returns the scanner's answer. */
static int scan_n(const char *body, size_t len) {
    free(B);
    char *copy = malloc(len ? len : 1);
    B = malloc(len + 1);
    assert_non_null(copy);
    assert_non_null(B);
    memcpy(copy, body, len);
    int rc = ef_chat_reply_scan(copy, len, B, len + 1, &R);
    assert_true(rc == 0 || rc == 1);
    cJSON *root;
    ref r;
    ref_parse(copy, len, &root, &r);
    n_diff++;
    if (rc == 1) {
        n_diff_ok++;
        if (!r.ok || !same_str(R.content, r.content) || R.content_len != strlen(r.content) ||
            !same_str(R.finish_reason, r.finish_reason) || !same_str(R.model, r.model) ||
            !same_num(R.prompt_tokens, r.prompt_tokens) ||
            !same_num(R.completion_tokens, r.completion_tokens) ||
            !same_num(R.total_tokens, r.total_tokens) || !in_buf(R.content, B, len + 1) ||
            !in_buf(R.finish_reason, B, len + 1) || !in_buf(R.model, B, len + 1) ||
            memchr(R.content, '\0', R.content_len)) {
            print_error("scanner and cJSON disagree on: %.*s\n", (int)len, body);
            fail();
        }
    } else {
        assert_null(R.content);
        assert_null(R.finish_reason);
        assert_null(R.model);
        assert_true(isnan(R.prompt_tokens) && isnan(R.completion_tokens) && isnan(R.total_tokens));
    }
    cJSON_Delete(root);
    free(copy);
    return rc;
}

static int scan(const char *body) { return scan_n(body, strlen(body)); }

static int teardown(void **st) {
    (void)st;
    free(B);
    B = NULL;
    return 0;
}

/* ---- the bodies ---- */

/* What tests/mock/mock_reply.c sends (cJSON_PrintUnformatted). */
static const char MOCK[] =
    "{\"id\":\"mock-5f1c2a9d3e4b6a70\",\"object\":\"chat.completion\",\"created\":1700000000,"
    "\"model\":\"mock-model\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
    "\"content\":\"{\\\"score\\\": 4, \\\"reason\\\": \\\"mock reason 5f1c2a9d3e4b6a70\\\"}\"},"
    "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":97,\"completion_tokens\":13,"
    "\"total_tokens\":110}}";

/* A real-looking api.openai.com reply, pretty-printed as the API sends it. */
static const char OPENAI[] =
    "{\n"
    "  \"id\": \"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT\",\n"
    "  \"object\": \"chat.completion\",\n"
    "  \"created\": 1741569952,\n"
    "  \"model\": \"gpt-4o-mini-2024-07-18\",\n"
    "  \"choices\": [\n"
    "    {\n"
    "      \"index\": 0,\n"
    "      \"message\": {\n"
    "        \"role\": \"assistant\",\n"
    "        \"content\": \"<S0>The answer restates the context.</S0>\\n<S1>Grounded: every claim "
    "is supported.</S1>\\n<S2>5</S2>\",\n"
    "        \"refusal\": null,\n"
    "        \"annotations\": []\n"
    "      },\n"
    "      \"logprobs\": null,\n"
    "      \"finish_reason\": \"stop\"\n"
    "    }\n"
    "  ],\n"
    "  \"usage\": {\n"
    "    \"prompt_tokens\": 1117,\n"
    "    \"completion_tokens\": 42,\n"
    "    \"total_tokens\": 1159,\n"
    "    \"prompt_tokens_details\": {\n"
    "      \"cached_tokens\": 1024,\n"
    "      \"audio_tokens\": 0\n"
    "    },\n"
    "    \"completion_tokens_details\": {\n"
    "      \"reasoning_tokens\": 0,\n"
    "      \"audio_tokens\": 0,\n"
    "      \"accepted_prediction_tokens\": 0,\n"
    "      \"rejected_prediction_tokens\": 0\n"
    "    }\n"
    "  },\n"
    "  \"service_tier\": \"default\",\n"
    "  \"system_fingerprint\": \"fp_06737a9306\"\n"
    "}\n";

/* Azure OpenAI: content filter results at the top and in the choice. */
static const char AZURE[] =
    "{\"choices\":[{\"content_filter_results\":{\"hate\":{\"filtered\":false,\"severity\":"
    "\"safe\"},\"protected_material_code\":{\"filtered\":false,\"detected\":false},"
    "\"self_harm\":{\"filtered\":false,\"severity\":\"safe\"},\"sexual\":{\"filtered\":false,"
    "\"severity\":\"safe\"},\"violence\":{\"filtered\":false,\"severity\":\"safe\"}},"
    "\"finish_reason\":\"stop\",\"index\":0,\"logprobs\":null,\"message\":{\"content\":"
    "\"3\",\"refusal\":null,\"role\":\"assistant\"}}],\"created\":1741570000,\"id\":"
    "\"chatcmpl-AzUrE\",\"model\":\"gpt-4o-2024-11-20\",\"object\":\"chat.completion\","
    "\"prompt_filter_results\":[{\"prompt_index\":0,\"content_filter_results\":{\"hate\":"
    "{\"filtered\":false,\"severity\":\"safe\"},\"jailbreak\":{\"filtered\":false,"
    "\"detected\":false},\"self_harm\":{\"filtered\":false,\"severity\":\"safe\"}}}],"
    "\"system_fingerprint\":\"fp_ee1d74bde0\",\"usage\":{\"completion_tokens\":1,"
    "\"completion_tokens_details\":{\"reasoning_tokens\":0},\"prompt_tokens\":250,"
    "\"prompt_tokens_details\":{\"cached_tokens\":0},\"total_tokens\":251}}";

/* Many more bodies for the differential test, valid and not. */
static const char *const BODIES[] = {
    MOCK,
    OPENAI,
    AZURE,
    "{\"choices\":[{\"message\":{\"content\":\"\"}}]}",
    "{\"choices\":[{\"message\":{\"content\":null}}]}",
    "{\"choices\":[{\"message\":{\"content\":7}}]}",
    "{\"choices\":[{\"message\":{\"content\":[\"a\"]}}]}",
    "{\"choices\":[{\"message\":{\"role\":\"assistant\"}}]}",
    "{\"choices\":[{\"message\":\"hi\"}]}",
    "{\"choices\":[{}]}",
    "{\"choices\":[]}",
    "{\"choices\":{\"0\":{\"message\":{\"content\":\"x\"}}}}",
    "{\"choices\":[[{\"message\":{\"content\":\"x\"}}]]}",
    "{\"choices\":[\"x\"]}",
    "{\"choices\":null}",
    "[{\"choices\":[{\"message\":{\"content\":\"x\"}}]}]",
    "\"x\"",
    "{}",
    "",
    " ",
    "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"param\":null,"
    "\"code\":\"rate_limit_exceeded\"}}",
    "{\"choices\":[{\"message\":{\"content\":\"a\\u0000b\"}}]}",
    "{\"choices\":[{\"message\":{\"content\":\"\\ud83d\"}}]}",
    "{\"choices\":[{\"message\":{\"content\":\"\\ude00\"}}]}",
    "{\"choices\":[{\"message\":{\"content\":\"\\ud83d\\u0041\"}}]}",
    "{\"choices\":[{\"message\":{\"content\":\"\\ud83dx\"}}]}",
    "{\"choices\":[{\"message\":{\"content\":\"\\ud83d\\ud83d\"}}]}",
    "{\"choices\":[{\"message\":{\"content\":\"\\u12G4\"}}]}",
    "{\"choices\":[{\"message\":{\"content\":\"\\u12\"}}]}",
    "{\"choices\":[{\"message\":{\"content\":\"\\x\"}}]}",
    "{\"choices\":[{\"message\":{\"content\":\"tab\there\"}}]}",
    "{\"choices\":[{\"message\":{\"content\":\"\\uDBFF\\uDFFF \\u0080\\u07ff\\u0800\\uffff\"}}]}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"model\":\"a\\u0000b\"}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"},\"finish_reason\":\"\\u0000\"}]}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"other\":\"\\u0000\"}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"other\":\"\\ud800\"}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"other\":\"\\uzzzz\"}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}]}garbage",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}]}{}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}]},",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}]} \r\n\t",
    "\xEF\xBB\xBF{\"choices\":[{\"message\":{\"content\":\"x\"}}]}",
    "\f{\"choices\":[{\"message\":{\"content\":\"x\"}}]}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}],}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}},]}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}]\"model\":\"m\"}",
    "{\"choices\" [{\"message\":{\"content\":\"x\"}}]}",
    "{choices:[{\"message\":{\"content\":\"x\"}}]}",
    "{'choices':[{\"message\":{\"content\":\"x\"}}]}",
    "{\"choices\":[{\"message\":{\"content\":'x'}}]}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"a\":tru}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"a\":True}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"a\":nulll}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"a\":[true,false,null,{},[],\"\",0]}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"usage\":{\"total_tokens\":01}}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"usage\":{\"total_tokens\":1.}}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"usage\":{\"total_tokens\":.5}}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"usage\":{\"total_tokens\":+1}}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"usage\":{\"total_tokens\":-}}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"usage\":{\"total_tokens\":1e}}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"usage\":{\"total_tokens\":1e+}}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"usage\":{\"total_tokens\":0x10}}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"usage\":{\"total_tokens\":Infinity}}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"usage\":{\"total_tokens\":NaN}}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"usage\":{\"total_tokens\":-0}}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"usage\":{\"total_tokens\":1E400}}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"usage\":{\"total_tokens\":-1e-400}}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"usage\":{\"total_tokens\":2.5E+3}}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"usage\":{\"total_tokens\":"
    "0.1000000000000000055511151231257827021181583404541015625}}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"usage\":{\"total_tokens\":"
    "123456789012345678901234567890123456789012345678901234567890123}}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"usage\":{\"total_tokens\":"
    "1234567890123456789012345678901234567890123456789012345678901234}}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"n\":"
    "1234567890123456789012345678901234567890123456789012345678901234}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"usage\":{\"total_tokens\":\"5\"}}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"usage\":[1,2,3]}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"usage\":null}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"model\":{\"name\":\"m\"}}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"},\"finish_reason\":null}]}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"},\"finish_reason\":[\"stop\"]}]}",
    "{\"choices\":[{\"message\":{\"content\":\"1\"}},{\"message\":{\"content\":\"2\"}}]}",
    "{\"choices\":[{\"message\":{\"content\":\"1\"}}],\"choices\":[{\"message\":{\"content\":"
    "\"2\"}}]}",
    "{\"choices\":null,\"choices\":[{\"message\":{\"content\":\"2\"}}]}",
    "{\"choices\":[{\"message\":{\"content\":\"1\"},\"message\":{\"content\":\"2\"}}]}",
    "{\"choices\":[{\"message\":{\"content\":\"1\",\"content\":\"2\"}}]}",
    "{\"choices\":[{\"message\":{\"content\":null,\"content\":\"2\"}}]}",
    "{\"model\":null,\"model\":\"m\",\"choices\":[{\"message\":{\"content\":\"x\"}}]}",
    "{\"model\":\"m1\",\"model\":\"m2\",\"choices\":[{\"message\":{\"content\":\"x\"}}]}",
    "{\"choices\":[{\"finish_reason\":\"a\",\"message\":{\"content\":\"x\"},\"finish_reason\":"
    "\"b\"}]}",
    "{\"choices\":[{\"finish_reason\":1,\"message\":{\"content\":\"x\"},\"finish_reason\":"
    "\"b\"}]}",
    "{\"usage\":{\"total_tokens\":1},\"usage\":{\"total_tokens\":2},\"choices\":[{\"message\":"
    "{\"content\":\"x\"}}]}",
    "{\"usage\":7,\"usage\":{\"total_tokens\":2},\"choices\":[{\"message\":{\"content\":\"x\"}}]}",
    "{\"usage\":{\"total_tokens\":1,\"total_tokens\":2},\"choices\":[{\"message\":{\"content\":"
    "\"x\"}}]}",
    "{\"usage\":{\"total_tokens\":\"1\",\"total_tokens\":2},\"choices\":[{\"message\":"
    "{\"content\":\"x\"}}]}",
    "{\"Choices\":[{\"message\":{\"content\":\"x\"}}]}",
    "{\"choices\":[{\"Message\":{\"content\":\"x\"}}]}",
    "{\"cho\\u0069ces\":[{\"m\\u0065ssage\":{\"con\\u0074ent\":\"x\"}}],\"m\\/odel\":\"m\","
    "\"mod\\u0065l\":\"m2\"}",
    "{\"choices\\u0000\":[{\"message\":{\"content\":\"x\"}}]}",
    "{\"choices\":[{\"message\":{\"content\\u0000junk\":\"1\",\"content\":\"2\"}}]}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"a\\u0000\":1}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"a\":{\"b\\u0000\":1}}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"a\\ud800\":1}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"ke\ny\":1}",
    "{\"choices\":[{\"message\":{\"content\":\"\xff\xfe raw \xc3\xa9 \xed\xa0\x80\"}}]}",
    "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"a\":\"\\",
    "{\"choices\":[{\"message\":{\"content\":\"\\\"}}]}",
    "{\"choices\":[{\"message\":{\"content\":\"\\\\\"}}]}",
};

/* ---- the tests ---- */

static void test_mock_reply(void **st) {
    (void)st;
    assert_int_equal(scan(MOCK), 1);
    assert_string_equal(R.content, "{\"score\": 4, \"reason\": \"mock reason 5f1c2a9d3e4b6a70\"}");
    assert_int_equal(R.content_len, strlen(R.content));
    assert_string_equal(R.finish_reason, "stop");
    assert_string_equal(R.model, "mock-model");
    assert_true(R.prompt_tokens == 97 && R.completion_tokens == 13 && R.total_tokens == 110);
}

static void test_openai_reply(void **st) {
    (void)st;
    assert_int_equal(scan(OPENAI), 1);
    assert_string_equal(R.content, "<S0>The answer restates the context.</S0>\n<S1>Grounded: "
                                   "every claim is supported.</S1>\n<S2>5</S2>");
    assert_string_equal(R.finish_reason, "stop");
    assert_string_equal(R.model, "gpt-4o-mini-2024-07-18");
    assert_true(R.prompt_tokens == 1117 && R.completion_tokens == 42 && R.total_tokens == 1159);
}

static void test_azure_reply(void **st) {
    (void)st;
    assert_int_equal(scan(AZURE), 1);
    assert_string_equal(R.content, "3");
    assert_string_equal(R.finish_reason, "stop");
    assert_string_equal(R.model, "gpt-4o-2024-11-20");
    assert_true(R.prompt_tokens == 250 && R.completion_tokens == 1 && R.total_tokens == 251);
    /* Azure's filtered prompt: no choices at all. */
    assert_int_equal(scan("{\"choices\":[],\"created\":0,\"id\":\"\",\"model\":\"\",\"object\":"
                          "\"\",\"prompt_filter_results\":[{\"prompt_index\":0,"
                          "\"content_filter_results\":{\"hate\":{\"filtered\":true,\"severity\":"
                          "\"high\"}}}]}"),
                     0);
    /* A filtered completion: content null, finish_reason content_filter. */
    assert_int_equal(scan("{\"choices\":[{\"content_filter_results\":{\"violence\":{"
                          "\"filtered\":true,\"severity\":\"medium\"}},\"finish_reason\":"
                          "\"content_filter\",\"index\":0,\"message\":{\"content\":null,"
                          "\"role\":\"assistant\"}}]}"),
                     0);
}

static void test_escapes(void **st) {
    (void)st;
    assert_int_equal(
        scan("{\"choices\":[{\"message\":{\"content\":"
             "\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u00e9\\u00E9 \\u20ac \\ud83d\\ude00 "
             "\\uD834\\uDD1E \\u0041\\u007f \xc3\xa9\"}}]}"),
        1);
    assert_string_equal(R.content, "q\" b\\ s/ \b\f\n\r\t \xc3\xa9\xc3\xa9 \xe2\x82\xac "
                                   "\xf0\x9f\x98\x80 \xf0\x9d\x84\x9e A\x7f \xc3\xa9");
    assert_int_equal(R.content_len, strlen(R.content));
    /* Raw bytes >= 0x80 are copied as they are, valid UTF-8 or not (as cJSON does). */
    assert_int_equal(scan("{\"choices\":[{\"message\":{\"content\":\"\xff\xfe\xed\xa0\x80\"}}]}"),
                     1);
    assert_string_equal(R.content, "\xff\xfe\xed\xa0\x80");
    /* Escaped keys match after unescaping, as cJSON's strcmp sees them. */
    assert_int_equal(scan("{\"cho\\u0069ces\":[{\"m\\u0065ssage\":{\"con\\u0074ent\":\"x\"}}],"
                          "\"m\\/odel\":\"m\",\"mod\\u0065l\":\"m2\"}"),
                     1);
    assert_string_equal(R.content, "x");
    assert_string_equal(R.model, "m2");
    /* Refused: U+0000, lone or broken surrogates, bad hex, unknown escapes, raw controls. */
    static const char *bad[] = {
        "a\\u0000b", "\\ud83d", "\\ude00", "\\ud83d\\u0041", "\\ud83dx", "\\ud83d\\ud83d",
        "\\u12G4",   "\\u12",   "\\x",     "tab\there",      "nl\nx",    "\\",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char body[128];
        snprintf(body, sizeof(body), "{\"choices\":[{\"message\":{\"content\":\"%s\"}}]}", bad[i]);
        assert_int_equal(scan(body), 0);
    }
    /* Also in a string the scanner only skips when cJSON fails on it too. */
    assert_int_equal(scan("{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"o\":\"\\ud800\"}"),
                     0);
    /* Raw controls are refused in skipped strings and keys too (cJSON takes them). */
    assert_int_equal(scan("{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"o\":\"a\x01n\"}"), 0);
    assert_int_equal(scan("{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"o\":\"\x1f\"}"), 0);
    assert_int_equal(scan("{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"o\":[\"\x7f\n\"]}"),
                     0);
    assert_int_equal(scan("{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"o\x01\":1}"), 0);
    assert_int_equal(scan("{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"o\":{\"\x01\":1}}"),
                     0);
    assert_int_equal(scan("{\"choices\":[{\"message\":{\"content\":\"x\",\"\x01\":1}}]}"), 0);
    /* Every byte at every offset of longer strings (the scanner reads eight at a time). */
    for (unsigned c = 1; c < 256; c++) {
        for (size_t at = 0; at < 24; at++) {
            char text[25], body[160];
            memset(text, 'a', 24);
            text[24] = '\0';
            text[at] = (char)c;
            int plain = c >= 0x20 && c != '"' && c != '\\';
            snprintf(body, sizeof(body),
                     "{\"choices\":[{\"message\":{\"content\":\"%s\"}}],\"model\":\"m\"}", text);
            assert_int_equal(scan(body), plain);
            if (plain)
                assert_string_equal(R.content, text);
            snprintf(body, sizeof(body),
                     "{\"o\":\"%s\",\"choices\":[{\"message\":{\"content\":\"x\"}}],\"model\":"
                     "\"m\"}",
                     text);
            assert_int_equal(scan(body), plain);
            snprintf(body, sizeof(body),
                     "{\"%s\":1,\"choices\":[{\"message\":{\"content\":\"x\"}}],\"model\":"
                     "\"m\"}",
                     text);
            assert_int_equal(scan(body), plain);
        }
    }
    /* U+0000 in an extracted string or a key looked into: refused. */
    assert_int_equal(
        scan("{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"model\":\"\\u0000\"}"), 0);
    assert_int_equal(scan("{\"choices\":[{\"message\":{\"content\\u0000junk\":\"1\",\"content\":"
                          "\"2\"}}]}"),
                     0);
    /* ... but not in a string it skips. */
    assert_int_equal(scan("{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"o\":\"\\u0000\"}"),
                     1);
}

static void test_content_types(void **st) {
    (void)st;
    static const char *vals[] = {"null", "7", "true", "[\"x\"]", "{\"text\":\"x\"}"};
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        char body[128];
        snprintf(body, sizeof(body), "{\"choices\":[{\"message\":{\"content\":%s}}]}", vals[i]);
        assert_int_equal(scan(body), 0);
    }
    assert_int_equal(scan("{\"choices\":[{\"message\":{\"role\":\"assistant\"}}]}"), 0);
    assert_int_equal(scan("{\"choices\":[{\"message\":\"hi\"}]}"), 0);
    assert_int_equal(scan("{\"choices\":[{\"index\":0}]}"), 0);
    assert_int_equal(scan("{\"choices\":[]}"), 0);
    assert_int_equal(scan("{\"choices\":null}"), 0);
    assert_int_equal(scan("{\"choices\":[\"x\"]}"), 0);
    assert_int_equal(scan("{\"choices\":{\"0\":{\"message\":{\"content\":\"x\"}}}}"), 0);
    assert_int_equal(scan("[{\"choices\":[{\"message\":{\"content\":\"x\"}}]}]"), 0);
    assert_int_equal(scan("{}"), 0);
    assert_int_equal(scan("{\"Choices\":[{\"message\":{\"content\":\"x\"}}]}"), 0);
    /* Only choices[0] counts. */
    assert_int_equal(scan("{\"choices\":[{\"message\":{}},{\"message\":{\"content\":\"2\"}}]}"), 0);
    assert_int_equal(
        scan("{\"choices\":[{\"message\":{\"content\":\"1\"}},{\"message\":{\"content\":2}}]}"), 1);
    assert_string_equal(R.content, "1");
    assert_int_equal(scan("{\"choices\":[{\"message\":{\"content\":\"1\"}},\"x\",null,[]]}"), 1);
    assert_string_equal(R.content, "1");
    assert_int_equal(scan("{\"choices\":[{\"message\":{\"content\":\"\"}}]}"), 1);
    assert_string_equal(R.content, "");
    assert_int_equal(R.content_len, 0);
}

static void test_optional_fields(void **st) {
    (void)st;
    assert_int_equal(scan("{\"choices\":[{\"message\":{\"content\":\"x\"}}]}"), 1);
    assert_null(R.finish_reason);
    assert_null(R.model);
    assert_true(isnan(R.prompt_tokens) && isnan(R.completion_tokens) && isnan(R.total_tokens));
    assert_int_equal(scan("{\"model\":{\"name\":\"m\"},\"choices\":[{\"message\":{\"content\":"
                          "\"x\"},\"finish_reason\":null}],\"usage\":null}"),
                     1);
    assert_null(R.finish_reason);
    assert_null(R.model);
    assert_true(isnan(R.total_tokens));
    assert_int_equal(scan("{\"model\":7,\"choices\":[{\"message\":{\"content\":\"x\"},"
                          "\"finish_reason\":[\"stop\"]}],\"usage\":[1,2,3]}"),
                     1);
    assert_null(R.finish_reason);
    assert_null(R.model);
    assert_int_equal(scan("{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"usage\":{"
                          "\"prompt_tokens\":\"5\",\"completion_tokens\":null,\"total_tokens\":"
                          "2.5E+3}}"),
                     1);
    assert_true(isnan(R.prompt_tokens) && isnan(R.completion_tokens));
    assert_true(R.total_tokens == 2500);
    assert_int_equal(scan("{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"usage\":{"
                          "\"prompt_tokens\":-0,\"completion_tokens\":1E400,\"total_tokens\":"
                          "-1e-400}}"),
                     1);
    assert_true(R.prompt_tokens == 0 && signbit(R.prompt_tokens));
    assert_true(isinf(R.completion_tokens) && R.total_tokens == 0);
    /* The model and finish reason are unescaped like content. */
    assert_int_equal(scan("{\"choices\":[{\"message\":{\"content\":\"x\"},\"finish_reason\":"
                          "\"s\\u0074op\"}],\"model\":\"gpt\\/4\"}"),
                     1);
    assert_string_equal(R.finish_reason, "stop");
    assert_string_equal(R.model, "gpt/4");
}

static void test_duplicates(void **st) {
    (void)st;
    assert_int_equal(scan("{\"choices\":[{\"message\":{\"content\":\"1\"}}],\"choices\":[{"
                          "\"message\":{\"content\":\"2\"}}]}"),
                     1);
    assert_string_equal(R.content, "1");
    assert_int_equal(scan("{\"choices\":null,\"choices\":[{\"message\":{\"content\":\"2\"}}]}"), 0);
    assert_int_equal(scan("{\"choices\":[{\"message\":{\"content\":\"1\"},\"message\":{"
                          "\"content\":\"2\"}}]}"),
                     1);
    assert_string_equal(R.content, "1");
    assert_int_equal(scan("{\"choices\":[{\"message\":{\"role\":\"a\"},\"message\":{"
                          "\"content\":\"2\"}}]}"),
                     0);
    assert_int_equal(scan("{\"choices\":[{\"message\":{\"content\":\"1\",\"content\":\"2\"}}]}"),
                     1);
    assert_string_equal(R.content, "1");
    assert_int_equal(scan("{\"choices\":[{\"message\":{\"content\":null,\"content\":\"2\"}}]}"), 0);
    assert_int_equal(scan("{\"model\":\"m1\",\"model\":\"m2\",\"choices\":[{\"message\":{"
                          "\"content\":\"x\"}}]}"),
                     1);
    assert_string_equal(R.model, "m1");
    assert_int_equal(scan("{\"model\":null,\"model\":\"m\",\"choices\":[{\"message\":{"
                          "\"content\":\"x\"}}]}"),
                     1);
    assert_null(R.model);
    assert_int_equal(scan("{\"choices\":[{\"finish_reason\":1,\"message\":{\"content\":\"x\"},"
                          "\"finish_reason\":\"b\"}]}"),
                     1);
    assert_null(R.finish_reason);
    assert_int_equal(scan("{\"choices\":[{\"finish_reason\":\"a\",\"message\":{\"content\":"
                          "\"x\"},\"finish_reason\":\"b\"}]}"),
                     1);
    assert_string_equal(R.finish_reason, "a");
    assert_int_equal(scan("{\"usage\":{\"total_tokens\":1},\"usage\":{\"total_tokens\":2},"
                          "\"choices\":[{\"message\":{\"content\":\"x\"}}]}"),
                     1);
    assert_true(R.total_tokens == 1);
    assert_int_equal(scan("{\"usage\":7,\"usage\":{\"total_tokens\":2},\"choices\":[{"
                          "\"message\":{\"content\":\"x\"}}]}"),
                     1);
    assert_true(isnan(R.total_tokens));
    assert_int_equal(scan("{\"usage\":{\"total_tokens\":\"1\",\"total_tokens\":2,"
                          "\"prompt_tokens\":3,\"prompt_tokens\":4},\"choices\":[{\"message\":{"
                          "\"content\":\"x\"}}]}"),
                     1);
    assert_true(isnan(R.total_tokens) && R.prompt_tokens == 3);
    /* A duplicate spelled with an escape is still a duplicate. */
    assert_int_equal(scan("{\"model\":\"m1\",\"mod\\u0065l\":\"m2\",\"choices\":[{\"message\":{"
                          "\"content\":\"x\"}}]}"),
                     1);
    assert_string_equal(R.model, "m1");
}

static void test_trailing_and_framing(void **st) {
    (void)st;
    const char *ok = "{\"choices\":[{\"message\":{\"content\":\"x\"}}]}";
    static const char *tails[] = {"garbage", "{}", ",", "]", "}", "\"", "0", "\f", "\v", "\x00"};
    for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
        char body[128];
        size_t n = (size_t)snprintf(body, sizeof(body), "%s %s", ok, tails[i]);
        if (!tails[i][0])
            n++; /* the NUL byte */
        assert_int_equal(scan_n(body, n), 0);
    }
    char body[128];
    snprintf(body, sizeof(body), " \r\n\t%s \r\n\t", ok);
    assert_int_equal(scan(body), 1);
    snprintf(body, sizeof(body), "\xEF\xBB\xBF%s", ok); /* cJSON skips a BOM; we do not */
    assert_int_equal(scan(body), 0);
    snprintf(body, sizeof(body), "\f%s", ok); /* cJSON takes any byte <= 0x20 as space */
    assert_int_equal(scan(body), 0);
    /* Trailing commas, missing separators, unquoted or single-quoted keys. */
    assert_int_equal(scan("{\"choices\":[{\"message\":{\"content\":\"x\"}}],}"), 0);
    assert_int_equal(scan("{\"choices\":[{\"message\":{\"content\":\"x\"}},]}"), 0);
    assert_int_equal(scan("{\"choices\":[{\"message\":{\"content\":\"x\",}}]}"), 0);
    assert_int_equal(scan("{\"choices\" [{\"message\":{\"content\":\"x\"}}]}"), 0);
    assert_int_equal(scan("{\"choices\":[{\"message\":{\"content\":\"x\"}}]\"model\":\"m\"}"), 0);
    assert_int_equal(scan("{choices:[{\"message\":{\"content\":\"x\"}}]}"), 0);
    assert_int_equal(scan("{'choices':[{\"message\":{\"content\":\"x\"}}]}"), 0);
    assert_int_equal(scan("{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"a\":tru}"), 0);
    assert_int_equal(scan("{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"a\":True}"), 0);
    assert_int_equal(scan("{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"a\":nulll}"), 0);
    assert_int_equal(scan("{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"a\":[true,false,"
                          "null,{},[],\"\",0,-1.5e-3]}"),
                     1);
    assert_int_equal(scan(""), 0);
    assert_int_equal(scan("   "), 0);
    assert_int_equal(scan("\"x\""), 0);
}

static void test_numbers(void **st) {
    (void)st;
    static const char *bad[] = {"01",       "1.",  ".5",  "+1",    "-",     "1e",  "1e+", "0x10",
                                "Infinity", "NaN", "--1", "1.2.3", "1e5e5", "- 1", "00"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char body[160];
        snprintf(body, sizeof(body),
                 "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"usage\":{"
                 "\"total_tokens\":%s}}",
                 bad[i]);
        assert_int_equal(scan(body), 0);
        snprintf(body, sizeof(body), "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"o\":[%s]}",
                 bad[i]);
        assert_int_equal(scan(body), 0);
    }
    /* cJSON copies at most 63 characters of a number, so 64 fail there. */
    const char *d63 = "123456789012345678901234567890123456789012345678901234567890123";
    char body[256];
    snprintf(body, sizeof(body),
             "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"usage\":{\"total_tokens\":%s}}",
             d63);
    assert_int_equal(scan(body), 1);
    assert_true(R.total_tokens == strtod(d63, NULL));
    snprintf(body, sizeof(body),
             "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"usage\":{\"total_tokens\":%s4}}",
             d63);
    assert_int_equal(scan(body), 0);
    snprintf(body, sizeof(body), "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"n\":%s4}",
             d63);
    assert_int_equal(scan(body), 0);
    /* strtod of the exact text, with correct rounding. */
    assert_int_equal(scan("{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"usage\":{"
                          "\"prompt_tokens\":0.1000000000000000055511151231257827021181583404541,"
                          "\"completion_tokens\":9007199254740993,\"total_tokens\":1e-320}}"),
                     1);
    assert_true(R.prompt_tokens == 0.1);
    assert_true(R.completion_tokens == 9007199254740992.0);
    assert_true(R.total_tokens > 0 && R.total_tokens < 1e-300);
    /* Long integers round as strtod rounds them. */
    assert_int_equal(scan("{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"usage\":{"
                          "\"prompt_tokens\":9999999999999999999,\"completion_tokens\":"
                          "18446744073709551615,\"total_tokens\":-9007199254740995}}"),
                     1);
    assert_true(R.prompt_tokens == strtod("9999999999999999999", NULL));
    assert_true(R.completion_tokens == 18446744073709551616.0);
    assert_true(R.total_tokens == -9007199254740996.0);
    assert_int_equal(scan("{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"usage\":{"
                          "\"prompt_tokens\":99999999999999999999,\"completion_tokens\":"
                          "-123456789012345678901234567890}}"),
                     1);
    assert_true(R.prompt_tokens == 1e20);
    assert_true(R.completion_tokens == strtod("-123456789012345678901234567890", NULL));
}

/* Every prefix of a valid reply is not recognised. */
static void test_truncated(void **st) {
    (void)st;
    const char *full[] = {MOCK, OPENAI, AZURE};
    for (size_t f = 0; f < 3; f++) {
        size_t n = strlen(full[f]);
        /* OPENAI ends in "}\n": its prefix without the newline is complete. */
        while (full[f][n - 1] == '\n')
            n--;
        for (size_t i = 0; i < n; i++)
            assert_int_equal(scan_n(full[f], i), 0);
        assert_int_equal(scan_n(full[f], n), 1);
    }
}

/* Whitespace around every structural character and the document. */
static void test_whitespace(void **st) {
    (void)st;
    const char *ws = " \t\r\n";
    size_t n = strlen(MOCK);
    char *body = malloc(n * 9 + 8), *o = body;
    assert_non_null(body);
    int in_str = 0;
    for (size_t i = 0; i < n; i++) {
        char c = MOCK[i];
        int structural = !in_str && strchr("{}[],:", c);
        if (structural) {
            memcpy(o, ws, 4);
            o += 4;
        }
        *o++ = c;
        if (structural) {
            memcpy(o, ws, 4);
            o += 4;
        }
        if (in_str && c == '\\') {
            *o++ = MOCK[++i];
            continue;
        }
        if (c == '"')
            in_str = !in_str;
    }
    memcpy(o, ws, 4);
    o += 4;
    assert_int_equal(scan_n(body, (size_t)(o - body)), 1);
    assert_string_equal(R.content, "{\"score\": 4, \"reason\": \"mock reason 5f1c2a9d3e4b6a70\"}");
    assert_string_equal(R.model, "mock-model");
    assert_true(R.total_tokens == 110);
    free(body);
}

static void test_nesting(void **st) {
    (void)st;
    char body[1024];
    for (int depth = 60; depth <= 70; depth++) {
        /* arrays: {"x":[[...]]} holds depth containers in all */
        char *o = body;
        o += sprintf(o, "{\"x\":");
        for (int i = 1; i < depth; i++)
            *o++ = '[';
        for (int i = 1; i < depth; i++)
            *o++ = ']';
        o += sprintf(o, ",\"choices\":[{\"message\":{\"content\":\"x\"}}]}");
        assert_int_equal(scan_n(body, (size_t)(o - body)), depth <= EF_CHAT_REPLY_MAX_DEPTH);
        /* objects: {"x":{"k":{"k":...null}}} */
        o = body;
        o += sprintf(o, "{\"x\":");
        for (int i = 1; i < depth; i++)
            o += sprintf(o, "{\"k\":");
        o += sprintf(o, "null");
        for (int i = 1; i < depth; i++)
            *o++ = '}';
        o += sprintf(o, ",\"choices\":[{\"message\":{\"content\":\"x\"}}]}");
        assert_int_equal(scan_n(body, (size_t)(o - body)), depth <= EF_CHAT_REPLY_MAX_DEPTH);
    }
    /* The path itself is 4 deep; nesting inside the message counts from there. */
    char *o = body;
    o += sprintf(o, "{\"choices\":[{\"message\":{\"content\":\"x\",\"extra\":");
    for (int i = 4; i < EF_CHAT_REPLY_MAX_DEPTH; i++)
        *o++ = '[';
    for (int i = 4; i < EF_CHAT_REPLY_MAX_DEPTH; i++)
        *o++ = ']';
    o += sprintf(o, "}}]}");
    assert_int_equal(scan_n(body, (size_t)(o - body)), 1);
    o = body;
    o += sprintf(o, "{\"choices\":[{\"message\":{\"content\":\"x\",\"extra\":");
    for (int i = 4; i <= EF_CHAT_REPLY_MAX_DEPTH; i++)
        *o++ = '[';
    for (int i = 4; i <= EF_CHAT_REPLY_MAX_DEPTH; i++)
        *o++ = ']';
    o += sprintf(o, "}}]}");
    assert_int_equal(scan_n(body, (size_t)(o - body)), 0);
    /* Very deep garbage does not blow the stack. */
    size_t n = 100000;
    char *deep = malloc(n);
    assert_non_null(deep);
    deep[0] = '{';
    memcpy(deep + 1, "\"x\":", 4);
    memset(deep + 5, '[', n - 5);
    assert_int_equal(scan_n(deep, n), 0);
    free(deep);
}

static void test_error_envelope(void **st) {
    (void)st;
    assert_int_equal(
        scan("{\"error\":{\"message\":\"Rate limit reached for gpt-4o-mini\","
             "\"type\":\"requests\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}"),
        0);
    assert_int_equal(scan("{\"error\":{\"code\":\"content_filter\",\"message\":\"The response "
                          "was filtered\",\"status\":400,\"innererror\":{\"code\":"
                          "\"ResponsibleAIPolicyViolation\"}}}"),
                     0);
    assert_int_equal(scan("<html><body>502 Bad Gateway</body></html>"), 0);
}

static void test_buffer_size(void **st) {
    (void)st;
    const char *body = "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"model\":\"m\"}";
    size_t len = strlen(body);
    char buf[128];
    ef_chat_reply r;
    assert_int_equal(ef_chat_reply_scan(body, len, buf, len, &r), 0);
    assert_null(r.content);
    assert_int_equal(ef_chat_reply_scan(body, len, buf, len + 1, &r), 1);
    assert_string_equal(r.content, "x");
    assert_string_equal(r.model, "m");
    assert_int_equal(ef_chat_reply_scan(NULL, len, buf, sizeof(buf), &r), 0);
    assert_int_equal(ef_chat_reply_scan(body, len, NULL, sizeof(buf), &r), 0);
    assert_int_equal(ef_chat_reply_scan(body, len, buf, sizeof(buf), NULL), 0);
    assert_int_equal(ef_chat_reply_scan(body, 0, buf, sizeof(buf), &r), 0);
    /* Strings that unescape to almost their raw length still fit len + 1. */
    const char *tight = "{\"model\":\"\",\"choices\":[{\"finish_reason\":\"\",\"message\":{"
                        "\"content\":\"\"}}]}";
    len = strlen(tight);
    assert_int_equal(ef_chat_reply_scan(tight, len, buf, len + 1, &r), 1);
}

/* The scanner against cJSON on every body above, and on single-byte
 * mutations (deletion, replacement, insertion) of the valid replies. */
static void test_differential(void **st) {
    (void)st;
    for (size_t i = 0; i < sizeof(BODIES) / sizeof(BODIES[0]); i++)
        scan(BODIES[i]);
    static const char subst[] = "\"\\{}[],:0-1.eEu tfn\x01\x7f\xc3\xff";
    const char *full[] = {MOCK, AZURE,
                          "{\"model\":\"m\",\"choices\":[{\"message\":{\"content\":\"a\\\"\\u00e9"
                          "\\ud83d\\ude00\"},\"finish_reason\":\"stop\"}],\"usage\":{"
                          "\"prompt_tokens\":1.5e1,\"completion_tokens\":-2,\"total_tokens\":0}}"};
    for (size_t f = 0; f < sizeof(full) / sizeof(full[0]); f++) {
        size_t n = strlen(full[f]);
        char *m = malloc(n + 2);
        assert_non_null(m);
        for (size_t i = 0; i < n; i++) {
            memcpy(m, full[f], i); /* delete byte i */
            memcpy(m + i, full[f] + i + 1, n - i - 1);
            scan_n(m, n - 1);
            for (size_t k = 0; k < sizeof(subst) - 1; k++) {
                memcpy(m, full[f], n); /* replace byte i */
                m[i] = subst[k];
                scan_n(m, n);
                memcpy(m, full[f], i); /* insert before byte i */
                m[i] = subst[k];
                memcpy(m + i + 1, full[f] + i, n - i);
                scan_n(m, n + 1);
            }
        }
        free(m);
    }
    print_message("differential: %u bodies, %u recognised, all agreeing with cJSON\n", n_diff,
                  n_diff_ok);
    assert_true(n_diff_ok > 100);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mock_reply),     cmocka_unit_test(test_openai_reply),
        cmocka_unit_test(test_azure_reply),    cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_content_types),  cmocka_unit_test(test_optional_fields),
        cmocka_unit_test(test_duplicates),     cmocka_unit_test(test_trailing_and_framing),
        cmocka_unit_test(test_numbers),        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_whitespace),     cmocka_unit_test(test_nesting),
        cmocka_unit_test(test_error_envelope), cmocka_unit_test(test_buffer_size),
        cmocka_unit_test(test_differential),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
