/*
 * test_http.c - pure parts of the HTTP engine and the endpoint configuration:
 * Retry-After parsing, URL redaction, endpoint keys and environment defaults,
 * and the chat request bodies written without cJSON (against cJSON's print).
 * (Requests, retries and limits are exercised end to end by
 * tests/cli/test_judges.sh against the mock server.)
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <event2/event.h>

#include "endpoint.h"
#include "http.h"
#include "llm.h"

static void test_retry_after(void **st) {
    (void)st;
    assert_true(ef_http_retry_after("5", 0) == 5);
    assert_true(ef_http_retry_after(" 0.5 ", 0) == 0.5);
    assert_true(ef_http_retry_after("soon", 0) == -1);
    assert_true(ef_http_retry_after("-3", 0) == -1);
    assert_true(ef_http_retry_after("5x", 0) == -1);
    assert_true(ef_http_retry_after(NULL, 0) == -1);
    /* Wed, 21 Oct 2015 07:28:00 GMT = 1445412480 */
    assert_true(ef_http_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412470L) == 10);
    assert_true(ef_http_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412490L) == 0);
}

static void test_redact(void **st) {
    (void)st;
    char out[128];
    ef_http_redact_url("https://user:pw@host.example/v1/chat?key=SECRET#x", out, sizeof(out));
    assert_string_equal(out, "https://host.example/v1/chat");
    ef_http_redact_url("http://127.0.0.1:8080/score", out, sizeof(out));
    assert_string_equal(out, "http://127.0.0.1:8080/score");
}

static void test_endpoint_set(void **st) {
    (void)st;
    ef_endpoint_conf c;
    char err[256];
    ef_endpoint_conf_init(&c);
    assert_int_equal(ef_endpoint_conf_set(&c, "api", "azureml", err, sizeof(err)), 0);
    assert_int_equal(c.api, EF_API_AZUREML);
    assert_int_equal(ef_endpoint_conf_set(&c, "api", "grpc", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "grpc"));
    assert_int_equal(ef_endpoint_conf_set(&c, "timeout", "0.5", err, sizeof(err)), 0);
    assert_int_equal(c.limits.timeout_ms, 500);
    assert_int_equal(ef_endpoint_conf_set(&c, "rpm", "-1", err, sizeof(err)), -1);
    assert_int_equal(ef_endpoint_conf_set(&c, "param", "temperature=0.7", err, sizeof(err)), 0);
    assert_int_equal(ef_endpoint_conf_set(&c, "param", "stop=[\"x\"]", err, sizeof(err)), 0);
    assert_true(cJSON_IsArray(cJSON_GetObjectItem(c.params, "stop")));
    assert_true(cJSON_GetObjectItem(c.params, "temperature")->valuedouble == 0.7);
    assert_int_equal(ef_endpoint_conf_set(&c, "request-template", "not json", err, sizeof(err)),
                     -1);
    assert_int_equal(ef_endpoint_conf_set(&c, "nope", "1", err, sizeof(err)), -1);
    ef_endpoint_conf_free(&c);
}

static void test_resolve_env(void **st) {
    (void)st;
    ef_endpoint_conf c;
    char err[400], *key = NULL;
    unsetenv("AZURE_OPENAI_ENDPOINT");
    unsetenv("OPENAI_BASE_URL");
    unsetenv("OPENAI_MODEL");
    unsetenv("OPENAI_API_KEY");
    ef_endpoint_conf_init(&c);
    assert_int_equal(ef_endpoint_resolve(&c, "judge", &key, err, sizeof(err)), 0);
    assert_int_equal(c.api, EF_API_NONE); /* nothing configured: no judge */
    setenv("OPENAI_API_KEY", "sk-abc", 1);
    assert_int_equal(ef_endpoint_resolve(&c, "judge", &key, err, sizeof(err)), 0);
    assert_int_equal(c.api, EF_API_OPENAI);
    assert_string_equal(c.url, "https://api.openai.com/v1");
    assert_string_equal(c.model, "gpt-4o-mini");
    assert_string_equal(key, "sk-abc");
    free(key);
    ef_endpoint_conf_free(&c);
    /* Azure needs a deployment. */
    setenv("AZURE_OPENAI_ENDPOINT", "http://127.0.0.1:1", 1);
    unsetenv("AZURE_OPENAI_DEPLOYMENT");
    ef_endpoint_conf_init(&c);
    assert_int_equal(ef_endpoint_resolve(&c, "judge", &key, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "AZURE_OPENAI_DEPLOYMENT"));
    ef_endpoint_conf_free(&c);
    unsetenv("AZURE_OPENAI_ENDPOINT");
    /* A target needs its input; a named key variable must exist. */
    ef_endpoint_conf_init(&c);
    ef_endpoint_conf_set(&c, "api", "azureml", err, sizeof(err));
    ef_endpoint_conf_set(&c, "url", "http://127.0.0.1:1/score", err, sizeof(err));
    assert_int_equal(ef_endpoint_resolve(&c, "target", &key, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "input"));
    ef_endpoint_conf_set(&c, "input", "${data.prompt}", err, sizeof(err));
    ef_endpoint_conf_set(&c, "key-env", "EF_TEST_NO_SUCH_VAR", err, sizeof(err));
    assert_int_equal(ef_endpoint_resolve(&c, "target", &key, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "EF_TEST_NO_SUCH_VAR"));
    ef_endpoint_conf_free(&c);
    unsetenv("OPENAI_API_KEY");
}

/* The body as cJSON prints it: model (OpenAI), messages, then the endpoint's
 * params and the call's, a later key replacing an earlier one at the end. */
static void merge(cJSON *dst, const cJSON *src) {
    const cJSON *kv;
    cJSON_ArrayForEach(kv, src) {
        cJSON_DeleteItemFromObjectCaseSensitive(dst, kv->string);
        cJSON_AddItemToObject(dst, kv->string, cJSON_Duplicate(kv, 1));
    }
}

static char *reference_body(const char *model, const cJSON *messages, const cJSON *conf_params,
                            const cJSON *params) {
    cJSON *b = cJSON_CreateObject();
    if (model)
        cJSON_AddStringToObject(b, "model", model);
    cJSON_AddItemToObject(b, "messages", cJSON_Duplicate(messages, 1));
    merge(b, conf_params);
    merge(b, params);
    char *s = cJSON_PrintUnformatted(b);
    cJSON_Delete(b);
    return s;
}

static cJSON *msg(const char *role, const char *content) {
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "role", role);
    cJSON_AddStringToObject(m, "content", content);
    return m;
}

static void check_body(ef_llm *l, const char *model, const cJSON *messages,
                       const cJSON *conf_params, const cJSON *params) {
    size_t len = 0;
    double mt = -1;
    char *got = ef_llm_chat_body(l, messages, params, &len, &mt);
    char *want = reference_body(model, messages, conf_params, params);
    assert_non_null(got);
    assert_string_equal(got, want);
    assert_int_equal(len, strlen(want));
    cJSON *w = cJSON_Parse(want);
    const cJSON *wmt = cJSON_GetObjectItemCaseSensitive(w, "max_tokens");
    assert_true(mt == (cJSON_IsNumber(wmt) ? wmt->valuedouble : 0));
    cJSON_Delete(w);
    free(got);
    free(want);
}

static void test_chat_body(void **st) {
    (void)st;
    struct event_base *base = event_base_new();
    char err[256];
    ef_http *h = ef_http_new(base, err, sizeof(err));
    assert_non_null(h);
    for (int api = 0; api < 2; api++) {
        ef_endpoint_conf c;
        ef_endpoint_conf_init(&c);
        assert_int_equal(
            ef_endpoint_conf_set(&c, "api", api ? "azure_openai" : "openai", err, sizeof(err)), 0);
        assert_int_equal(ef_endpoint_conf_set(&c, "url", "http://127.0.0.1:9/v1", err, sizeof(err)),
                         0);
        assert_int_equal(ef_endpoint_conf_set(&c, "model", "gpt-x", err, sizeof(err)), 0);
        assert_int_equal(ef_endpoint_conf_set(&c, "deployment", "dep", err, sizeof(err)), 0);
        assert_int_equal(ef_endpoint_conf_set(&c, "param", "temperature=0.25", err, sizeof(err)),
                         0);
        assert_int_equal(
            ef_endpoint_conf_set(&c, "param", "stop=[\"\\n\",\"END\"]", err, sizeof(err)), 0);
        ef_llm *l = ef_llm_new(h, &c, "sk-test", "judge", err, sizeof(err));
        assert_non_null(l);
        const char *model = api ? NULL : "gpt-x";

        /* Every byte value 1-255 in contents, and plain texts. */
        char all[256];
        for (int i = 1; i < 256; i++)
            all[i - 1] = (char)i;
        all[255] = '\0';
        const char *texts[] = {"", "plain", "quote \" back \\ slash / tab\t nl\n cr\r",
                               "\x01\x1f\x7f é ✓ \xff\xfe", all};
        cJSON *params[] = {NULL, cJSON_Parse("{\"max_tokens\":800,\"top_p\":1.0}"),
                           cJSON_Parse("{\"temperature\":0,\"max_tokens\":3}"),
                           cJSON_Parse("{\"top_p\":0.1,\"response_format\":{\"type\":\"json\"}}"),
                           cJSON_Parse("{\"n\":1e300,\"x\":-0.000001,\"y\":[1,\"a\",null,true]}")};
        size_t np = sizeof(params) / sizeof(*params);
        for (int round = 0; round < 2; round++) /* the second round reuses the frames */
            for (size_t p = 0; p < np; p++)
                for (size_t t = 0; t < sizeof(texts) / sizeof(*texts); t++) {
                    cJSON *m = cJSON_CreateArray();
                    cJSON_AddItemToArray(m, msg("system", texts[t]));
                    cJSON_AddItemToArray(m, msg("user", texts[(t + 1) % 5]));
                    check_body(l, model, m, c.params, params[p]);
                    cJSON_Delete(m);
                }
        /* Random strings, specials at every alignment of the 8-byte scan. */
        srand(7);
        for (int i = 0; i < 300; i++) {
            char a[80], b[80];
            const char pick[] = "\"\\\x01\x1f\x20\x7f\x80\xdf\xff\n\tab ";
            for (char *x = a, *y = b; x < a + 79; x++, y++) {
                *x = rand() % 3 ? (char)(1 + rand() % 255) : pick[rand() % (sizeof(pick) - 1)];
                *y = pick[rand() % (sizeof(pick) - 1)];
            }
            a[rand() % 80] = '\0';
            b[79] = '\0';
            cJSON *m = cJSON_CreateArray();
            cJSON_AddItemToArray(m, msg("user", a));
            cJSON_AddItemToArray(m, msg("assistant", b));
            check_body(l, model, m, c.params, params[1]);
            cJSON_Delete(m);
        }
        /* More parameter sets than frames: older frames are replaced. */
        for (int i = 0; i < 20; i++) {
            char js[64];
            snprintf(js, sizeof(js), "{\"max_tokens\":%d}", i);
            cJSON *pp = cJSON_Parse(js), *m = cJSON_CreateArray();
            cJSON_AddItemToArray(m, msg("user", "q"));
            check_body(l, model, m, c.params, pp);
            check_body(l, model, m, c.params, i % 2 ? params[1] : NULL);
            cJSON_Delete(pp);
            cJSON_Delete(m);
        }
        /* Same keys in another order print differently: not the same frame. */
        cJSON *ab = cJSON_Parse("{\"a\":1,\"b\":2}"), *ba = cJSON_Parse("{\"b\":2,\"a\":1}");
        cJSON *m = cJSON_CreateArray();
        cJSON_AddItemToArray(m, msg("user", "q"));
        check_body(l, model, m, c.params, ab);
        check_body(l, model, m, c.params, ba);
        /* Printed whole: a message with more keys, no messages, params naming messages. */
        cJSON *named = msg("user", "hi");
        cJSON_AddStringToObject(named, "name", "bob");
        cJSON_AddItemToArray(m, named);
        check_body(l, model, m, c.params, params[1]);
        cJSON *empty = cJSON_CreateArray();
        check_body(l, model, empty, c.params, NULL);
        cJSON *pm = cJSON_Parse("{\"messages\":[]}");
        check_body(l, model, m, c.params, pm);
        cJSON_Delete(pm);
        cJSON_Delete(empty);
        cJSON_Delete(m);
        cJSON_Delete(ab);
        cJSON_Delete(ba);
        for (size_t p = 0; p < np; p++)
            cJSON_Delete(params[p]);
        ef_llm_destroy(l);
        ef_endpoint_conf_free(&c);
    }
    ef_http_destroy(h);
    event_base_free(base);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retry_after),  cmocka_unit_test(test_redact),
        cmocka_unit_test(test_endpoint_set), cmocka_unit_test(test_resolve_env),
        cmocka_unit_test(test_chat_body),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
