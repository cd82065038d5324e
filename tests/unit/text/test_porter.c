/*
 * test_porter.c - ef_porter_stem() and ef_pylower() against NLTK 3.10.4
 * (tests/data/porter_vectors.jsonl, made by tests/tools/gen_meteor_vectors.py):
 * each line is [word, stem] or [word, stem, word.lower()].
 * $EF_PORTER_VECTORS=FILE checks another file of the same format instead.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "porter_nltk.h"

static void check_stem(const char *w, const char *want) {
    char out[256];
    long n = ef_porter_stem(w, strlen(w), out, sizeof(out));
    assert_true(n >= 0);
    assert_string_equal(out, want);
}

static void test_known(void **state) {
    (void)state;
    check_stem("caresses", "caress");
    check_stem("ponies", "poni");
    check_stem("ties", "tie");
    check_stem("dying", "die");
    check_stem("Skies", "sky");
    check_stem("generalli", "gener");
    check_stem("a*ding", "ad");
    check_stem("yyying", "yy");
    check_stem("is", "is");
    check_stem("IS", "is");
    check_stem("", "");
    check_stem("\xc4\xb0", "i\xcc\x87");           /* U+0130 -> i + U+0307 */
    check_stem("\xce\x9f\xce\x94\xce\x9f\xce\xa3", /* ΟΔΟΣ -> οδος (final sigma) */
               "\xce\xbf\xce\xb4\xce\xbf\xcf\x82");
}

static void test_small_buffer(void **state) {
    (void)state;
    char out[4];
    assert_int_equal(ef_porter_stem("runner", 6, out, sizeof(out)), -1);
    assert_int_equal(ef_porter_stem("run", 3, out, sizeof(out)), 3);
    assert_string_equal(out, "run");
}

static void test_invalid_utf8(void **state) {
    (void)state;
    char out[64];
    const char w[] = "\xff\xfe"
                     "ABC\xc3";
    long n = ef_porter_stem(w, sizeof(w) - 1, out, sizeof(out));
    assert_int_equal(n, 6);
    assert_memory_equal(out,
                        "\xff\xfe"
                        "abc\xc3",
                        6);
    /* long word: heap path */
    char big[1999]; /* "ba" * 996 + "ational" -> NLTK gives "ba" * 996 */
    for (size_t i = 0; i < 1992; i += 2)
        memcpy(big + i, "ba", 2);
    memcpy(big + 1992, "ational", 7);
    char *o = malloc(EF_PORTER_MAX(sizeof(big)));
    assert_non_null(o);
    n = ef_porter_stem(big, sizeof(big), o, EF_PORTER_MAX(sizeof(big)));
    assert_int_equal(n, 1992);
    assert_memory_equal(o, big, 1992);
    free(o);
}

static void test_vectors(void **state) {
    (void)state;
    const char *path = getenv("EF_PORTER_VECTORS"); /* another vector file */
    if (!path)
        path = EF_TEST_DATA "/porter_vectors.jsonl";
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s", path);
    char *line = NULL;
    size_t cap = 0, total = 0, ok = 0, lower_total = 0, lower_ok = 0, shown = 0;
    ssize_t len;
    char *out = NULL;
    size_t outcap = 0;
    while ((len = getline(&line, &cap, f)) > 0) {
        cJSON *j = cJSON_Parse(line);
        assert_non_null(j);
        const char *w = cJSON_GetArrayItem(j, 0)->valuestring;
        const char *want = cJSON_GetArrayItem(j, 1)->valuestring;
        const cJSON *lw = cJSON_GetArrayItem(j, 2);
        size_t wl = strlen(w);
        if (EF_PORTER_MAX(wl) + 16 > outcap) {
            outcap = EF_PORTER_MAX(wl) + 16;
            out = realloc(out, outcap);
            assert_non_null(out);
        }
        total++;
        long n = ef_porter_stem(w, wl, out, outcap);
        if (n >= 0 && strcmp(out, want) == 0) {
            ok++;
        } else if (shown++ < 20) {
            printf("MISMATCH stem(\"%s\"): got \"%s\", NLTK \"%s\"\n", w, n >= 0 ? out : "<err>",
                   want);
        }
        if (lw) {
            lower_total++;
            size_t ln = ef_pylower(w, wl, out);
            if (ln == strlen(lw->valuestring) && memcmp(out, lw->valuestring, ln) == 0)
                lower_ok++;
            else if (shown++ < 20)
                printf("MISMATCH lower(\"%s\"): got \"%.*s\", Python \"%s\"\n", w, (int)ln, out,
                       lw->valuestring);
        }
        cJSON_Delete(j);
    }
    free(line);
    free(out);
    fclose(f);
    printf("porter_vectors: stems %zu/%zu passed, lower %zu/%zu passed\n", ok, total, lower_ok,
           lower_total);
    assert_true(getenv("EF_PORTER_VECTORS") || total > 100000);
    assert_int_equal(ok, total);
    assert_int_equal(lower_ok, lower_total);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known),
        cmocka_unit_test(test_small_buffer),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_vectors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
