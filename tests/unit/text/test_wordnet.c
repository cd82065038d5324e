/*
 * test_wordnet.c - ef_wordnet_synonyms() against NLTK 3.10.4's
 * wordnet.synsets() (tests/data/wordnet_vectors.jsonl, made by
 * tests/tools/gen_meteor_vectors.py): each line is {"w": word, "syn": sorted
 * lemma names without '_'}.  Needs Debian's wordnet-base (or WNSEARCHDIR).
 * $EF_WORDNET_VECTORS=FILE checks another file of the same format instead.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>
#include <xxhash.h>

#include "wordnet_syn.h"

static const ef_wordnet *wn;

static int setup(void **state) {
    (void)state;
    char err[2048];
    wn = ef_wordnet_get(err, sizeof(err));
    if (!wn) {
        printf("%s\n", err);
        return -1;
    }
    return 0;
}

static int has(const ef_wn_names *n, const char *s) {
    return ef_wn_names_contains(n, s, strlen(s), XXH3_64bits(s, strlen(s)));
}

static void test_known(void **state) {
    (void)state;
    ef_wn_names n = EF_WN_NAMES_INIT;
    assert_int_equal(ef_wordnet_synonyms(wn, "geese", 5, &n), 0);
    assert_true(has(&n, "goose"));
    assert_int_equal(ef_wordnet_synonyms(wn, "Better", 6, &n), 0);
    assert_true(has(&n, "good") && has(&n, "well") && has(&n, "better"));
    assert_int_equal(ef_wordnet_synonyms(wn, "was", 3, &n), 0);
    assert_true(has(&n, "be") && has(&n, "comprise"));
    assert_int_equal(ef_wordnet_synonyms(wn, "car", 3, &n), 0);
    assert_true(has(&n, "automobile") && !has(&n, "motor_vehicle") && !has(&n, "car_"));
    assert_int_equal(ef_wordnet_synonyms(wn, "xyzzyq", 6, &n), 0);
    assert_int_equal(n.n, 0);
    assert_int_equal(ef_wordnet_synonyms(wn, "", 0, &n), 0);
    assert_int_equal(n.n, 0);
    assert_true(ef_wordnet_lemma_count(wn) > 140000);
    ef_wn_names_free(&n);
}

static void test_missing(void **state) {
    (void)state;
    char err[2048];
    ef_wordnet *w = ef_wordnet_open("/nonexistent/wordnet-dir", err, sizeof(err));
    assert_null(w);
    printf("expected error: %s\n", err);
    assert_non_null(strstr(err, "/nonexistent/wordnet-dir/index.noun"));
    assert_non_null(strstr(err, "wordnet-base"));
    char buf[256];
    setenv("WNSEARCHDIR", "/a/b", 1);
    assert_string_equal(ef_wordnet_default_dir(buf, sizeof(buf)), "/a/b");
    unsetenv("WNSEARCHDIR");
    setenv("WNHOME", "/c", 1);
    assert_string_equal(ef_wordnet_default_dir(buf, sizeof(buf)), "/c/dict");
    unsetenv("WNHOME");
    assert_string_equal(ef_wordnet_default_dir(buf, sizeof(buf)), "/usr/share/wordnet");
}

static void test_vectors(void **state) {
    (void)state;
    const char *path = getenv("EF_WORDNET_VECTORS"); /* another vector file */
    if (!path)
        path = EF_TEST_DATA "/wordnet_vectors.jsonl";
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s", path);
    char *line = NULL;
    size_t cap = 0, total = 0, ok = 0, shown = 0, names = 0;
    ef_wn_names n = EF_WN_NAMES_INIT;
    while (getline(&line, &cap, f) > 0) {
        cJSON *j = cJSON_Parse(line);
        assert_non_null(j);
        const char *w = cJSON_GetObjectItem(j, "w")->valuestring;
        const cJSON *syn = cJSON_GetObjectItem(j, "syn");
        total++;
        assert_int_equal(ef_wordnet_synonyms(wn, w, strlen(w), &n), 0);
        size_t want = (size_t)cJSON_GetArraySize(syn), found = 0;
        const cJSON *it;
        cJSON_ArrayForEach(it, syn) found += (size_t)has(&n, it->valuestring);
        names += want;
        if (found == want && n.n == want) {
            ok++;
        } else if (shown++ < 20) {
            printf("MISMATCH synonyms(\"%s\"): NLTK %zu names, C %zu, common %zu\n", w, want, n.n,
                   found);
            cJSON_ArrayForEach(it, syn) if (!has(&n, it->valuestring))
                printf("   missing \"%s\"\n", it->valuestring);
        }
        cJSON_Delete(j);
    }
    free(line);
    fclose(f);
    ef_wn_names_free(&n);
    printf("wordnet_vectors: %zu/%zu words passed (%zu names)\n", ok, total, names);
    assert_true(getenv("EF_WORDNET_VECTORS") || total > 3000);
    assert_int_equal(ok, total);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known),
        cmocka_unit_test(test_missing),
        cmocka_unit_test(test_vectors),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
