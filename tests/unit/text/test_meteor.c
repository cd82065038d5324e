/*
 * test_meteor.c - ef_meteor_score() against NLTK 3.10.4's meteor_score()
 * (tests/data/meteor_vectors.jsonl, made by tests/tools/gen_meteor_vectors.py):
 * each line is {"id", "ref": [tokens], "hyp": [tokens], "alpha", "beta",
 * "gamma", "score"}.  Scores must agree to 1e-9; the test also counts how
 * many are bit-for-bit equal.  Needs Debian's wordnet-base (or WNSEARCHDIR).
 *
 * EF_METEOR_BENCH_REPS=N (environment) times N passes over the vectors and
 * prints pairs/s.
 * $EF_METEOR_VECTORS=FILE checks another file of the same format instead.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <pthread.h>
#include <time.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "meteor.h"

typedef struct vec {
    long id;
    ef_tokens ref, hyp;
    double alpha, beta, gamma, score;
} vec;

static vec *vecs;
static size_t nvecs;

static void fill(ef_tokens *t, const cJSON *arr) {
    ef_tokens_init(t);
    const cJSON *it;
    cJSON_ArrayForEach(it, arr) {
        assert_int_equal(ef_tokens_push(t, it->valuestring, strlen(it->valuestring)), 0);
    }
}

static int setup(void **state) {
    (void)state;
    char err[2048];
    if (ef_meteor_init(err, sizeof(err))) {
        printf("%s\n", err);
        return -1;
    }
    const char *path = getenv("EF_METEOR_VECTORS"); /* another vector file */
    if (!path)
        path = EF_TEST_DATA "/meteor_vectors.jsonl";
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("cannot open %s\n", path);
        return -1;
    }
    char *line = NULL;
    size_t cap = 0, vcap = 0;
    while (getline(&line, &cap, f) > 0) {
        cJSON *j = cJSON_Parse(line);
        if (!j)
            return -1;
        if (nvecs == vcap) {
            vcap = vcap ? vcap * 2 : 1024;
            vecs = realloc(vecs, vcap * sizeof(*vecs));
        }
        vec *v = &vecs[nvecs++];
        v->id = (long)cJSON_GetObjectItem(j, "id")->valuedouble;
        fill(&v->ref, cJSON_GetObjectItem(j, "ref"));
        fill(&v->hyp, cJSON_GetObjectItem(j, "hyp"));
        v->alpha = cJSON_GetObjectItem(j, "alpha")->valuedouble;
        v->beta = cJSON_GetObjectItem(j, "beta")->valuedouble;
        v->gamma = cJSON_GetObjectItem(j, "gamma")->valuedouble;
        v->score = cJSON_GetObjectItem(j, "score")->valuedouble;
        cJSON_Delete(j);
    }
    free(line);
    fclose(f);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    for (size_t i = 0; i < nvecs; i++) {
        ef_tokens_free(&vecs[i].ref);
        ef_tokens_free(&vecs[i].hyp);
    }
    free(vecs);
    return 0;
}

static void print_tokens(const char *name, const ef_tokens *t) {
    printf("   %s:", name);
    for (size_t i = 0; i < t->n && i < 40; i++)
        printf(" \"%s\"", ef_tokens_at(t, i));
    printf("%s\n", t->n > 40 ? " ..." : "");
}

/* Runs every vector through s; returns the number within 1e-9. */
static size_t tot_exact, tot_stem, tot_syn, pairs_stem, pairs_syn;

static size_t run_vectors(ef_meteor_scratch *s, size_t *bitwise, int verbose) {
    size_t ok = 0, same = 0, shown = 0;
    tot_exact = tot_stem = tot_syn = pairs_stem = pairs_syn = 0;
    for (size_t k = 0; k < nvecs; k++) {
        const vec *v = &vecs[k];
        double got = -1;
        assert_int_equal(ef_meteor_score(s, &v->ref, &v->hyp, v->alpha, v->beta, v->gamma, &got),
                         0);
        if (memcmp(&got, &v->score, sizeof(got)) == 0)
            same++;
        size_t me, ms, my;
        ef_meteor_last_matches(s, &me, &ms, &my);
        tot_exact += me;
        tot_stem += ms;
        tot_syn += my;
        pairs_stem += ms > 0;
        pairs_syn += my > 0;
        if (fabs(got - v->score) <= 1e-9) {
            ok++;
        } else if (verbose && shown++ < 10) {
            size_t e, st, sy;
            ef_meteor_last_matches(s, &e, &st, &sy);
            printf("MISMATCH id %ld: C %.17g, NLTK %.17g (C matches: exact %zu stem %zu syn %zu; "
                   "alpha %g beta %g gamma %g)\n",
                   v->id, got, v->score, e, st, sy, v->alpha, v->beta, v->gamma);
            print_tokens("ref", &v->ref);
            print_tokens("hyp", &v->hyp);
        }
    }
    if (bitwise)
        *bitwise = same;
    return ok;
}

static void test_vectors(void **state) {
    (void)state;
    ef_meteor_scratch *s = ef_meteor_scratch_new();
    assert_non_null(s);
    size_t same = 0;
    size_t ok = run_vectors(s, &same, 1);
    printf("meteor_vectors: %zu/%zu passed (|C - NLTK| <= 1e-9), %zu bit-for-bit equal\n", ok,
           nvecs, same);
    printf("  matched words: %zu exact, %zu stem, %zu synonym; pairs with stem matches %zu, "
           "with synonym matches %zu\n",
           tot_exact, tot_stem, tot_syn, pairs_stem, pairs_syn);
    /* second pass: warm caches must not change anything */
    size_t ok2 = run_vectors(s, NULL, 1);
    ef_meteor_scratch_destroy(s);
    assert_true(getenv("EF_METEOR_VECTORS") || nvecs > 2000);
    assert_int_equal(ok, nvecs);
    assert_int_equal(ok2, nvecs);
}

static void test_known(void **state) {
    (void)state;
    ef_meteor_scratch *s = ef_meteor_scratch_new();
    ef_tokens r, h;
    ef_tokens_init(&r);
    ef_tokens_init(&h);
    const char *rw[] = {"this", "is", "a", "cat"};
    const char *hw[] = {"non", "matching", "hypothesis"};
    for (int i = 0; i < 4; i++)
        ef_tokens_push(&r, rw[i], strlen(rw[i]));
    for (int i = 0; i < 3; i++)
        ef_tokens_push(&h, hw[i], strlen(hw[i]));
    double v = -1;
    assert_int_equal(ef_meteor_score(s, &r, &h, 0.9, 3.0, 0.5, &v), 0);
    assert_true(v == 0.0);
    /* empty hypothesis / reference */
    ef_tokens e;
    ef_tokens_init(&e);
    assert_int_equal(ef_meteor_score(s, &r, &e, 0.9, 3.0, 0.5, &v), 0);
    assert_true(v == 0.0);
    assert_int_equal(ef_meteor_score(s, &e, &r, 0.9, 3.0, 0.5, &v), 0);
    assert_true(v == 0.0);
    /* identical: 1 chunk, penalty 0.5 / 4^3 */
    assert_int_equal(ef_meteor_score(s, &r, &r, 0.9, 3.0, 0.5, &v), 0);
    assert_true(fabs(v - (1 - 0.5 / 64.0)) < 1e-15);
    ef_tokens_free(&r);
    ef_tokens_free(&h);
    ef_meteor_scratch_destroy(s);
}

/* More distinct words than the cache keeps: the cache is dropped and rebuilt
 * and the results stay the same. */
static void test_cache_flush(void **state) {
    (void)state;
    ef_meteor_scratch *s = ef_meteor_scratch_new();
    ef_tokens r, h;
    ef_tokens_init(&r);
    ef_tokens_init(&h);
    char w[32];
    double v;
    for (int k = 0; k < 70000; k++) {
        ef_tokens_reset(&r);
        ef_tokens_reset(&h);
        for (int i = 0; i < 4; i++) {
            int n = snprintf(w, sizeof(w), "wa%dx%ding", k, i);
            ef_tokens_push(&r, w, (size_t)n);
            n = snprintf(w, sizeof(w), "WA%dX%dED", k, i);
            ef_tokens_push(&h, w, (size_t)n);
        }
        assert_int_equal(ef_meteor_score(s, &r, &h, 0.9, 3.0, 0.5, &v), 0);
        assert_true(v > 0.9);
    }
    ef_tokens_free(&r);
    ef_tokens_free(&h);
    assert_int_equal(run_vectors(s, NULL, 1), nvecs);
    ef_meteor_scratch_destroy(s);
}

static void *thread_main(void *arg) {
    size_t *ok = arg;
    ef_meteor_scratch *s = ef_meteor_scratch_new();
    *ok = s ? run_vectors(s, NULL, 0) : 0;
    ef_meteor_scratch_destroy(s);
    return NULL;
}

static void test_threads(void **state) {
    (void)state;
    pthread_t t[3];
    size_t ok[3] = {0};
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_create(&t[i], NULL, thread_main, &ok[i]), 0);
    for (int i = 0; i < 3; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(ok[i], nvecs);
    }
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void test_bench(void **state) {
    (void)state;
    const char *e = getenv("EF_METEOR_BENCH_REPS");
    int reps = e ? atoi(e) : 0;
    if (reps <= 0)
        reps = 1;
    ef_meteor_scratch *s = ef_meteor_scratch_new();
    double t0 = now();
    run_vectors(s, NULL, 0); /* cold caches */
    double t1 = now();
    for (int r = 0; r < reps; r++)
        run_vectors(s, NULL, 0);
    double t2 = now();
    printf("C ef_meteor_score: cold pass %zu pairs in %.4f s = %.0f pairs/s; warm %d x %zu pairs "
           "in %.4f s = %.0f pairs/s\n",
           nvecs, t1 - t0, nvecs / (t1 - t0), reps, nvecs, t2 - t1, reps * nvecs / (t2 - t1));
    ef_meteor_scratch_destroy(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known),
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_cache_flush),
        cmocka_unit_test(test_threads),
    };
    /* Timing is a benchmark, not a test: it runs only when asked for. */
    if (getenv("EF_METEOR_BENCH_REPS")) {
        const struct CMUnitTest bench[] = {cmocka_unit_test(test_bench)};
        return cmocka_run_group_tests(bench, setup, teardown);
    }
    return cmocka_run_group_tests(tests, setup, teardown);
}
