/*
 * test_ngram.c - ef_ngram (F1, BLEU method4, GLEU, ROUGE-N/L) against reference vectors.
 *
 * tests/data/ngram_vectors.jsonl is produced by tests/tools/gen_ngram_vectors.py from
 * nltk 3.10.4 / rouge-score 0.1.2 / Python 3.11.  Every value is compared with an
 * absolute tolerance of 1e-9; the number of bit-identical results is printed too.
 *
 * Benchmark: EF_NGRAM_BENCH=<seconds> ./test_ngram times every metric over the vector
 * pairs in process CPU time (EF_NGRAM_BENCH_ONLY=<metric> restricts it to one metric,
 * EF_NGRAM_BENCH_SUBSET=ascii|unicode to the rows whose texts are all ASCII / hold
 * non-ASCII); compare with `gen_ngram_vectors.py --bench tests/data/ngram_vectors.jsonl
 * [--only M] [--subset S]`.
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

#include "bleu.h"
#include "f1.h"
#include "gleu.h"
#include "ngram_count.h"
#include "rouge.h"
#include "tokens.h"

#define TOL        1e-9
#define MAX_REPORT 10

/* ------------------------------------------------------------------ vector file */

typedef struct {
    char *p;
    size_t n;
} str;

typedef struct {
    str resp, truth;
    double f1;
    cJSON *pt, *rt; /* normalised tokens (hand-written cases) or NULL */
} f1_case;

typedef struct {
    str truth, resp;
    double v[6][3];
    cJSON *tt, *pt;
} rouge_case;

typedef struct {
    ef_tokens ref, hyp;
    double bleu, gleu;
} tok_case;

static struct {
    cJSON *uprops;
    f1_case *f1;
    size_t nf1;
    rouge_case *rouge;
    size_t nrouge;
    tok_case *tok;
    size_t ntok;
    cJSON **docs;
    size_t ndocs;
} V;

static int hexval(int c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static str hex_decode(const char *h) {
    size_t n = strlen(h) / 2;
    str s = {malloc(n + 1), n};
    assert_non_null(s.p);
    for (size_t i = 0; i < n; i++)
        s.p[i] = (char)(hexval(h[2 * i]) * 16 + hexval(h[2 * i + 1]));
    s.p[n] = 0;
    return s;
}

static str dup_str(const char *p) {
    size_t n = strlen(p);
    str s = {malloc(n + 1), n};
    assert_non_null(s.p);
    memcpy(s.p, p, n + 1);
    return s;
}

/* field `key` as a string, or `key_hex` hex-decoded */
static str get_str(const cJSON *o, const char *key) {
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
    if (cJSON_IsString(it))
        return dup_str(it->valuestring);
    char hk[64];
    snprintf(hk, sizeof(hk), "%s_hex", key);
    it = cJSON_GetObjectItemCaseSensitive(o, hk);
    assert_true(cJSON_IsString(it));
    return hex_decode(it->valuestring);
}

static void get_tokens(const cJSON *o, const char *key, ef_tokens *t) {
    ef_tokens_init(t);
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, key);
    int hex = 0;
    if (!arr) {
        char hk[64];
        snprintf(hk, sizeof(hk), "%s_hex", key);
        arr = cJSON_GetObjectItemCaseSensitive(o, hk);
        hex = 1;
    }
    assert_true(cJSON_IsArray(arr));
    const cJSON *it;
    cJSON_ArrayForEach(it, arr) {
        str s = hex ? hex_decode(it->valuestring) : dup_str(it->valuestring);
        assert_int_equal(ef_tokens_push(t, s.p, s.n), 0);
        free(s.p);
    }
}

static double get_num(const cJSON *o, const char *key) {
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
    assert_true(cJSON_IsNumber(it));
    return it->valuedouble;
}

static const char *const rouge_names[6] = {"rouge1", "rouge2", "rouge3",
                                           "rouge4", "rouge5", "rougeL"};

static int load_vectors(void **state) {
    (void)state;
    const char *path = EF_TEST_DATA "/ngram_vectors.jsonl";
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    size_t docs_cap = 0;
    while ((len = getline(&line, &cap, f)) > 0) {
        cJSON *o = cJSON_Parse(line);
        if (!o) {
            fprintf(stderr, "bad JSON line in %s\n", path);
            return -1;
        }
        if (V.ndocs == docs_cap) {
            docs_cap = docs_cap ? 2 * docs_cap : 1024;
            V.docs = realloc(V.docs, docs_cap * sizeof(*V.docs));
            V.f1 = realloc(V.f1, docs_cap * sizeof(*V.f1));
            V.rouge = realloc(V.rouge, docs_cap * sizeof(*V.rouge));
            V.tok = realloc(V.tok, docs_cap * sizeof(*V.tok));
            if (!V.docs || !V.f1 || !V.rouge || !V.tok)
                return -1;
        }
        V.docs[V.ndocs++] = o;
        const char *m = cJSON_GetObjectItemCaseSensitive(o, "m")->valuestring;
        if (strcmp(m, "uprops") == 0) {
            V.uprops = o;
        } else if (strcmp(m, "f1") == 0) {
            f1_case *c = &V.f1[V.nf1++];
            c->resp = get_str(o, "resp");
            c->truth = get_str(o, "truth");
            c->f1 = get_num(o, "f1");
            c->pt = cJSON_GetObjectItemCaseSensitive(o, "pt");
            c->rt = cJSON_GetObjectItemCaseSensitive(o, "rt");
        } else if (strcmp(m, "rouge") == 0) {
            rouge_case *c = &V.rouge[V.nrouge++];
            c->truth = get_str(o, "truth");
            c->resp = get_str(o, "resp");
            const cJSON *sc = cJSON_GetObjectItemCaseSensitive(o, "s");
            for (int t = 0; t < 6; t++) {
                const cJSON *a = cJSON_GetObjectItemCaseSensitive(sc, rouge_names[t]);
                for (int k = 0; k < 3; k++)
                    c->v[t][k] = cJSON_GetArrayItem(a, k)->valuedouble;
            }
            c->tt = cJSON_GetObjectItemCaseSensitive(o, "tt");
            c->pt = cJSON_GetObjectItemCaseSensitive(o, "pt");
        } else if (strcmp(m, "tok") == 0) {
            tok_case *c = &V.tok[V.ntok++];
            get_tokens(o, "ref", &c->ref);
            get_tokens(o, "hyp", &c->hyp);
            c->bleu = get_num(o, "bleu");
            c->gleu = get_num(o, "gleu");
        }
    }
    free(line);
    fclose(f);
    printf("[ vectors ] %zu f1, %zu rouge pairs (x6 types), %zu token pairs (bleu+gleu)\n", V.nf1,
           V.nrouge, V.ntok);
    return V.nf1 && V.nrouge && V.ntok && V.uprops ? 0 : -1;
}

static int free_vectors(void **state) {
    (void)state;
    for (size_t i = 0; i < V.nf1; i++) {
        free(V.f1[i].resp.p);
        free(V.f1[i].truth.p);
    }
    for (size_t i = 0; i < V.nrouge; i++) {
        free(V.rouge[i].truth.p);
        free(V.rouge[i].resp.p);
    }
    for (size_t i = 0; i < V.ntok; i++) {
        ef_tokens_free(&V.tok[i].ref);
        ef_tokens_free(&V.tok[i].hyp);
    }
    for (size_t i = 0; i < V.ndocs; i++)
        cJSON_Delete(V.docs[i]);
    free(V.docs);
    free(V.f1);
    free(V.rouge);
    free(V.tok);
    return 0;
}

/* ------------------------------------------------------------------- reporting */

typedef struct {
    const char *name;
    size_t total, pass, bitwise;
    double maxerr;
} tally;

static void check_value(tally *t, double got, double want, const char *what, size_t idx) {
    t->total++;
    double err = got > want ? got - want : want - got;
    if (err > t->maxerr)
        t->maxerr = err;
    if (memcmp(&got, &want, sizeof(got)) == 0)
        t->bitwise++;
    if (err <= TOL) {
        t->pass++;
        return;
    }
    if (t->total - t->pass <= MAX_REPORT)
        printf("MISMATCH %s case %zu: %s got %.17g want %.17g\n", t->name, idx, what, got, want);
}

static void report(const tally *t) {
    printf("[ %-8s] %zu/%zu passed (|err| <= 1e-9), %zu bit-identical, max |err| %.3g\n", t->name,
           t->pass, t->total, t->bitwise, t->maxerr);
}

static void print_escaped(const char *label, const char *p, size_t n) {
    printf("    %s: \"", label);
    for (size_t i = 0; i < n && i < 300; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x20 || c == '"' || c == '\\')
            printf("\\x%02x", c);
        else
            putchar(c);
    }
    printf("%s\"\n", n > 300 ? "..." : "");
}

/* compare tokens (start, end) pairs into b with the JSON list; 0 if equal */
static int cmp_tokens(const cJSON *want, const unsigned char *b, const size_t *sp, size_t n) {
    if ((size_t)cJSON_GetArraySize(want) != n)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const char *w = cJSON_GetArrayItem(want, (int)i)->valuestring;
        size_t len = sp[2 * i + 1] - sp[2 * i];
        if (strlen(w) != len || memcmp(w, b + sp[2 * i], len) != 0)
            return -1;
    }
    return 0;
}
/* ----------------------------------------------------------------------- tests */

/* Every code point: the C predicates against Python 3.11's tables. */
static void test_unicode_tables(void **state) {
    (void)state;
    static uint8_t word[0x110000], space[0x110000], sig[0x110000];
    static int32_t delta[0x110000];
    memset(word, 0, sizeof(word));
    memset(space, 0, sizeof(space));
    memset(sig, 0, sizeof(sig));
    memset(delta, 0, sizeof(delta));
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(V.uprops, "word")) {
        for (int cp = cJSON_GetArrayItem(it, 0)->valueint;
             cp <= cJSON_GetArrayItem(it, 1)->valueint; cp++)
            word[cp] = 1;
    }
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(V.uprops, "space"))
        space[it->valueint] = 1;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(V.uprops, "lower")) {
        for (int cp = cJSON_GetArrayItem(it, 0)->valueint;
             cp <= cJSON_GetArrayItem(it, 1)->valueint; cp++)
            delta[cp] = cJSON_GetArrayItem(it, 2)->valueint;
    }
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(V.uprops, "sigma")) {
        for (int cp = cJSON_GetArrayItem(it, 0)->valueint;
             cp <= cJSON_GetArrayItem(it, 1)->valueint; cp++)
            sig[cp] = (uint8_t)cJSON_GetArrayItem(it, 2)->valueint;
    }
    const cJSON *multi = cJSON_GetObjectItemCaseSensitive(V.uprops, "lower_multi");
    size_t bad = 0;
    for (uint32_t cp = 0; cp < 0x110000; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        uint32_t lo[2];
        int nl = ef_py_lower(cp, lo);
        char key[16];
        snprintf(key, sizeof(key), "%u", cp);
        const cJSON *mm = cJSON_GetObjectItemCaseSensitive(multi, key);
        int lower_ok;
        if (mm) {
            lower_ok = nl == cJSON_GetArraySize(mm);
            for (int k = 0; lower_ok && k < nl; k++)
                lower_ok = lo[k] == (uint32_t)cJSON_GetArrayItem(mm, k)->valueint;
        } else {
            lower_ok = nl == 1 && lo[0] == (uint32_t)((int32_t)cp + delta[cp]);
        }
        int w = ef_py_isword(cp), sp = ef_py_isspace(cp), sg = ef_py_sigma_class(cp);
        if (!lower_ok || w != word[cp] || sp != space[cp] || sg != sig[cp]) {
            if (++bad <= 20)
                printf("UNICODE U+%04X: lower %s, word %d/%d, space %d/%d, sigma %d/%d (C/Py)\n",
                       cp, lower_ok ? "ok" : "DIFFERS", w, word[cp], sp, space[cp], sg, sig[cp]);
        }
    }
    printf("[ unicode ] %zu of 1112064 code points differ from Python %s\n", bad,
           cJSON_GetObjectItemCaseSensitive(V.uprops, "unicode")->valuestring);
    assert_int_equal(bad, 0);
}

static void test_f1_vectors(void **state) {
    (void)state;
    ef_ngram_scratch *s = ef_ngram_scratch_new();
    assert_non_null(s);
    tally t = {"f1", 0, 0, 0, 0};
    size_t normbad = 0, normtotal = 0;
    for (size_t i = 0; i < V.nf1; i++) {
        const f1_case *c = &V.f1[i];
        double got = -1;
        assert_int_equal(ef_f1_score(s, c->resp.p, c->resp.n, c->truth.p, c->truth.n, &got), 0);
        size_t before = t.total - t.pass;
        check_value(&t, got, c->f1, "f1", i);
        if (t.total - t.pass > before && t.total - t.pass <= MAX_REPORT) {
            print_escaped("resp", c->resp.p, c->resp.n);
            print_escaped("truth", c->truth.p, c->truth.n);
        }
        for (int side = 0; side < 2; side++) {
            const cJSON *want = side ? c->rt : c->pt;
            const str *txt = side ? &c->truth : &c->resp;
            if (!want)
                continue;
            const unsigned char *b;
            const size_t *sp;
            size_t n;
            normtotal++;
            assert_int_equal(ef_f1_normalize(s, 0, txt->p, txt->n, &b, &sp, &n), 0);
            if (cmp_tokens(want, b, sp, n) != 0 && ++normbad <= MAX_REPORT) {
                printf("NORMALISE mismatch case %zu:\n", i);
                print_escaped("text", txt->p, txt->n);
            }
        }
    }
    report(&t);
    printf("[ f1 norm ] %zu/%zu normalised token lists equal\n", normtotal - normbad, normtotal);
    ef_ngram_scratch_destroy(s);
    assert_int_equal(t.pass, t.total);
    assert_int_equal(normbad, 0);
}

static void test_rouge_vectors(void **state) {
    (void)state;
    ef_ngram_scratch *s = ef_ngram_scratch_new();
    assert_non_null(s);
    tally t[6];
    for (int k = 0; k < 6; k++)
        t[k] = (tally){rouge_names[k], 0, 0, 0, 0};
    size_t tokbad = 0, toktotal = 0;
    for (size_t i = 0; i < V.nrouge; i++) {
        const rouge_case *c = &V.rouge[i];
        for (int k = 0; k < 6; k++) {
            double p = -1, r = -1, f = -1;
            assert_int_equal(ef_rouge(s, (ef_rouge_type)(k + 1), c->truth.p, c->truth.n, c->resp.p,
                                      c->resp.n, &p, &r, &f),
                             0);
            size_t before = t[k].total - t[k].pass;
            check_value(&t[k], p, c->v[k][0], "precision", i);
            check_value(&t[k], r, c->v[k][1], "recall", i);
            check_value(&t[k], f, c->v[k][2], "fmeasure", i);
            if (t[k].total - t[k].pass > before && t[k].total - t[k].pass <= MAX_REPORT) {
                print_escaped("truth", c->truth.p, c->truth.n);
                print_escaped("resp", c->resp.p, c->resp.n);
            }
        }
        for (int side = 0; side < 2; side++) {
            const cJSON *want = side ? c->pt : c->tt;
            const str *txt = side ? &c->resp : &c->truth;
            if (!want)
                continue;
            const unsigned char *b;
            const size_t *sp;
            size_t n;
            toktotal++;
            assert_int_equal(ef_rouge_tokenize(s, 0, txt->p, txt->n, &b, &sp, &n), 0);
            if (cmp_tokens(want, b, sp, n) != 0 && ++tokbad <= MAX_REPORT) {
                printf("ROUGE TOKENIZE mismatch case %zu:\n", i);
                print_escaped("text", txt->p, txt->n);
            }
        }
    }
    size_t fails = 0;
    for (int k = 0; k < 6; k++) {
        /* counted per case: a case passes if its 3 values pass */
        report(&t[k]);
        fails += t[k].total - t[k].pass;
    }
    printf("[ rouge tk] %zu/%zu token lists equal\n", toktotal - tokbad, toktotal);
    ef_ngram_scratch_destroy(s);
    assert_int_equal(fails, 0);
    assert_int_equal(tokbad, 0);
}

static void test_bleu_gleu_vectors(void **state) {
    (void)state;
    ef_ngram_scratch *s = ef_ngram_scratch_new();
    assert_non_null(s);
    tally tb = {"bleu", 0, 0, 0, 0}, tg = {"gleu", 0, 0, 0, 0};
    for (size_t i = 0; i < V.ntok; i++) {
        const tok_case *c = &V.tok[i];
        double b = -1, g = -1;
        assert_int_equal(ef_bleu_sentence(s, &c->ref, &c->hyp, &b), 0);
        assert_int_equal(ef_gleu_sentence(s, &c->ref, &c->hyp, &g), 0);
        check_value(&tb, b, c->bleu, "bleu", i);
        check_value(&tg, g, c->gleu, "gleu", i);
    }
    report(&tb);
    report(&tg);
    ef_ngram_scratch_destroy(s);
    assert_int_equal(tb.pass, tb.total);
    assert_int_equal(tg.pass, tg.total);
}

static void test_fsum(void **state) {
    (void)state;
    /* values from Python's math.fsum */
    const double a[] = {0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1};
    assert_true(ef_fsum(a, 8) == 0.8); /* math.fsum([0.1]*8) == 0.8 */
    const double b[] = {1e100, 1.0, -1e100, 1e-100, 1e50, -1.0, -1e50};
    assert_true(ef_fsum(b, 7) == 1e-100);
    const double c[] = {1.0, 1e-16, 1e-16};
    assert_true(ef_fsum(c, 3) == 1.0000000000000002);
    const double d[] = {-0.5, -0.25, -0.125, -0.0625};
    assert_true(ef_fsum(d, 4) == -0.9375);
    assert_true(ef_fsum(d, 0) == 0.0);
    /* round-half-even correction: 2^53 + 1 + tiny */
    const double e[] = {9007199254740992.0, 1.0, 1e-10};
    assert_true(ef_fsum(e, 3) == 9007199254740994.0);
    const double f[] = {9007199254740992.0, 1.0, -1e-10};
    assert_true(ef_fsum(f, 3) == 9007199254740992.0);
}

static uint64_t rng_state = 88172645463325252ull;
static uint32_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)rng_state;
}

/* bit-parallel LCS == row DP on random sequences of many shapes */
static void test_lcs_algorithms(void **state) {
    (void)state;
    ef_ngram_scratch *s = ef_ngram_scratch_new();
    assert_non_null(s);
    static uint32_t a[700], b[700];
    for (int iter = 0; iter < 3000; iter++) {
        size_t na = rnd() % (iter < 2000 ? 70 : 700), nb = rnd() % (iter < 2000 ? 70 : 700);
        uint32_t alpha = 1 + rnd() % (iter % 3 == 0 ? 3 : 40);
        for (size_t i = 0; i < na; i++)
            a[i] = rnd() % alpha;
        for (size_t i = 0; i < nb; i++)
            b[i] = rnd() % alpha;
        s->nids = alpha; /* ids must be < nids */
        size_t l1 = 0, l2 = 0;
        assert_int_equal(ef_ngram_lcs(s, a, na, b, nb, 0, &l1), 0);
        assert_int_equal(ef_ngram_lcs(s, a, na, b, nb, 1, &l2), 0);
        if (l1 != l2)
            printf("LCS differs: na %zu nb %zu alpha %u: bits %zu dp %zu\n", na, nb, alpha, l1, l2);
        assert_int_equal(l1, l2);
    }
    ef_ngram_scratch_destroy(s);
}

static void test_rouge_type_parse(void **state) {
    (void)state;
    ef_rouge_type t = EF_ROUGE_1;
    assert_int_equal(ef_rouge_type_parse("rouge1", &t), 0);
    assert_int_equal(t, EF_ROUGE_1);
    assert_int_equal(ef_rouge_type_parse("rouge5", &t), 0);
    assert_int_equal(t, EF_ROUGE_5);
    assert_int_equal(ef_rouge_type_parse("rougeL", &t), 0);
    assert_int_equal(t, EF_ROUGE_L);
    assert_int_equal(ef_rouge_type_parse("rouge6", &t), -1);
    assert_int_equal(ef_rouge_type_parse("rougeLsum", &t), -1);
    assert_int_equal(ef_rouge_type_parse("ROUGE1", &t), -1);
    assert_int_equal(ef_rouge_type_parse("", &t), -1);
    assert_int_equal(ef_rouge_type_parse(NULL, &t), -1);
    assert_int_equal(t, EF_ROUGE_L);
    assert_string_equal(ef_rouge_type_name(EF_ROUGE_3), "rouge3");
    assert_null(ef_rouge_type_name((ef_rouge_type)0));
    double p, r, f;
    ef_ngram_scratch *s = ef_ngram_scratch_new();
    assert_int_equal(ef_rouge(s, (ef_rouge_type)9, "a", 1, "a", 1, &p, &r, &f), -1);
    ef_ngram_scratch_destroy(s);
    ef_ngram_scratch_destroy(NULL);
}

/* one scratch, alternating huge and tiny inputs: buffers are reused, results stable */
static void test_scratch_reuse(void **state) {
    (void)state;
    ef_ngram_scratch *s = ef_ngram_scratch_new();
    assert_non_null(s);
    size_t big = 200000;
    char *t = malloc(big * 4);
    assert_non_null(t);
    size_t n = 0;
    for (size_t i = 0; i < big / 2; i++)
        n += (size_t)sprintf(t + n, "w%zu ", i % 1000);
    double f1 = 0, p, r, f;
    for (int round = 0; round < 3; round++) {
        assert_int_equal(ef_f1_score(s, t, n, t, n, &f1), 0);
        assert_true(f1 == 1.0);
        assert_int_equal(ef_f1_score(s, "the cat", 7, "a cat", 5, &f1), 0);
        assert_true(f1 == 1.0);
        assert_int_equal(ef_rouge(s, EF_ROUGE_4, t, n, t, n, &p, &r, &f), 0);
        assert_true(p == 1.0 && r == 1.0 && f == 1.0);
        assert_int_equal(ef_rouge(s, EF_ROUGE_L, "a b c", 5, "a c", 3, &p, &r, &f), 0);
        assert_true(p == 1.0 && r == 2.0 / 3.0);
    }
    /* ROUGE-L refuses more than EF_NGRAM_LCS_MAX_CELLS cells */
    size_t words = 70000;
    char *u = malloc(words * 2);
    assert_non_null(u);
    for (size_t i = 0; i < words; i++) {
        u[2 * i] = 'x';
        u[2 * i + 1] = ' ';
    }
    assert_int_equal(ef_rouge(s, EF_ROUGE_L, u, words * 2, u, words * 2, &p, &r, &f), -1);
    assert_true(p == 0.0 && r == 0.0 && f == 0.0);
    assert_int_equal(ef_rouge(s, EF_ROUGE_2, u, words * 2, u, words * 2, &p, &r, &f), 0);
    assert_true(p == 1.0);
    free(u);
    free(t);
    ef_ngram_scratch_destroy(s);
}

/* ------------------------------------------------------------------------ bench */

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: robust to load */
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static volatile double sink;

static int bench_on(const char *name) {
    const char *only = getenv("EF_NGRAM_BENCH_ONLY");
    return !only || strcmp(only, name) == 0;
}

/* The inputs, packed into fresh contiguous memory in row order (as a pipeline's
 * freshly produced rows would be), instead of scattered between the parsed JSON. */
typedef struct {
    char *text;      /* all strings back to back */
    size_t *off;     /* 2 strings per row: off[2i], off[2i+1]; off[2n] = end */
    ef_tokens *toks; /* 2 per row */
    size_t n;
} packed;

static int is_ascii(const char *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)p[i] >= 0x80)
            return 0;
    return 1;
}

/* EF_NGRAM_BENCH_SUBSET=ascii|unicode: rows whose texts are all ASCII / hold non-ASCII */
static int subset_keeps(int ascii) {
    const char *sub = getenv("EF_NGRAM_BENCH_SUBSET");
    if (!sub || strcmp(sub, "all") == 0)
        return 1;
    return strcmp(sub, "ascii") == 0 ? ascii : !ascii;
}

static void pack_strings(packed *pk, const str *a, const str *b, size_t stride, size_t n) {
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        const str *x = (const str *)((const char *)a + i * stride);
        const str *y = (const str *)((const char *)b + i * stride);
        total += x->n + y->n;
    }
    pk->text = malloc(total + 1);
    pk->off = malloc((2 * n + 1) * sizeof(*pk->off));
    assert_non_null(pk->text);
    assert_non_null(pk->off);
    size_t o = 0, m = 0;
    for (size_t i = 0; i < n; i++) {
        const str *x = (const str *)((const char *)a + i * stride);
        const str *y = (const str *)((const char *)b + i * stride);
        if (!subset_keeps(is_ascii(x->p, x->n) && is_ascii(y->p, y->n)))
            continue;
        pk->off[2 * m] = o;
        memcpy(pk->text + o, x->p, x->n);
        o += x->n;
        pk->off[2 * m + 1] = o;
        memcpy(pk->text + o, y->p, y->n);
        o += y->n;
        m++;
    }
    pk->off[2 * m] = o;
    pk->n = m;
}

static void pack_tokens(packed *pk) {
    pk->toks = calloc(2 * V.ntok, sizeof(*pk->toks));
    assert_non_null(pk->toks);
    size_t m = 0;
    for (size_t i = 0; i < V.ntok; i++) {
        const ef_tokens *src[2] = {&V.tok[i].ref, &V.tok[i].hyp};
        int ascii = is_ascii(src[0]->arena, src[0]->used) && is_ascii(src[1]->arena, src[1]->used);
        if (!subset_keeps(ascii))
            continue;
        for (int k = 0; k < 2; k++)
            for (size_t j = 0; j < src[k]->n; j++)
                assert_int_equal(ef_tokens_push(&pk->toks[2 * m + k], ef_tokens_at(src[k], j),
                                                ef_tokens_len(src[k], j)),
                                 0);
        m++;
    }
    pk->n = m;
}

enum { B_F1, B_BLEU, B_GLEU, B_ROUGE };

static void bench_metric(ef_ngram_scratch *s, const packed *pk, int kind, int rtype,
                         const char *name, double secs) {
    if (!bench_on(name))
        return;
    double x = 0, p, r;
    size_t rows = 0;
    double dt, t0 = now();
    do {
        for (size_t i = 0; i < pk->n; i++) {
            const char *a = pk->text ? pk->text + pk->off[2 * i] : NULL;
            const char *b = pk->text ? pk->text + pk->off[2 * i + 1] : NULL;
            size_t la = pk->text ? pk->off[2 * i + 1] - pk->off[2 * i] : 0;
            size_t lb = pk->text ? pk->off[2 * i + 2] - pk->off[2 * i + 1] : 0;
            switch (kind) {
            case B_F1:
                ef_f1_score(s, a, la, b, lb, &x);
                break;
            case B_BLEU:
                ef_bleu_sentence(s, &pk->toks[2 * i], &pk->toks[2 * i + 1], &x);
                break;
            case B_GLEU:
                ef_gleu_sentence(s, &pk->toks[2 * i], &pk->toks[2 * i + 1], &x);
                break;
            default:
                ef_rouge(s, (ef_rouge_type)rtype, a, la, b, lb, &p, &r, &x);
                break;
            }
            sink = x;
        }
        rows += pk->n;
    } while ((dt = now() - t0) < secs);
    printf("%-8s %8zu rows %8.3f s %12.1f rows/s\n", name, rows, dt, (double)rows / dt);
}

static void test_bench(void **state) {
    (void)state;
    const char *env = getenv("EF_NGRAM_BENCH");
    double secs = atof(env);
    if (secs <= 0)
        secs = 3;
    ef_ngram_scratch *s = ef_ngram_scratch_new();
    assert_non_null(s);
    packed f1 = {0}, rg = {0}, tk = {0};
    pack_strings(&f1, &V.f1[0].resp, &V.f1[0].truth, sizeof(f1_case), V.nf1);
    pack_strings(&rg, &V.rouge[0].truth, &V.rouge[0].resp, sizeof(rouge_case), V.nrouge);
    pack_tokens(&tk);
    bench_metric(s, &f1, B_F1, 0, "f1", secs);
    bench_metric(s, &tk, B_BLEU, 0, "bleu", secs);
    bench_metric(s, &tk, B_GLEU, 0, "gleu", secs);
    for (int k = 0; k < 6; k++)
        bench_metric(s, &rg, B_ROUGE, k + 1, rouge_names[k], secs);
    free(f1.text);
    free(f1.off);
    free(rg.text);
    free(rg.off);
    for (size_t i = 0; i < 2 * tk.n; i++)
        ef_tokens_free(&tk.toks[i]);
    free(tk.toks);
    ef_ngram_scratch_destroy(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unicode_tables),
        cmocka_unit_test(test_f1_vectors),
        cmocka_unit_test(test_rouge_vectors),
        cmocka_unit_test(test_bleu_gleu_vectors),
        cmocka_unit_test(test_fsum),
        cmocka_unit_test(test_lcs_algorithms),
        cmocka_unit_test(test_rouge_type_parse),
        cmocka_unit_test(test_scratch_reuse),
    };
    /* Timing is a benchmark, not a test: it runs only when asked for. */
    if (getenv("EF_NGRAM_BENCH")) {
        const struct CMUnitTest bench[] = {cmocka_unit_test(test_bench)};
        return cmocka_run_group_tests(bench, load_vectors, free_vectors);
    }
    return cmocka_run_group_tests(tests, load_vectors, free_vectors);
}
