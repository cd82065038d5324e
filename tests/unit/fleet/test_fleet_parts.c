/*
 * test_fleet_parts.c - unit tests of the fleet's server-free parts: offset
 * tracking, the row codec, the stored spec document, key names, Redis URLs
 * and the heartbeat file.  (Kafka and Redis behaviour is tested against the
 * real servers: tests/fleet/test_fleet.sh.)
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine.h"
#include "fleet.h"
#include "heartbeat.h"
#include "kafka.h"
#include "offsets.h"
#include "redis.h"
#include "row_codec.h"
#include "spec_doc.h"

static void test_offsets_in_order_prefix(void **st) {
    (void)st;
    ef_offsets t;
    ef_offsets_init(&t);
    uint64_t seq[200];
    for (int i = 0; i < 200; i++) /* grows past its first ring */
        assert_int_equal(ef_offsets_add(&t, 1000 + 2 * i, &seq[i]), 0);
    assert_int_equal(ef_offsets_done(&t, seq[2]), -1); /* 0 and 1 still pending */
    assert_int_equal(ef_offsets_done(&t, seq[1]), -1);
    assert_int_equal(ef_offsets_done(&t, seq[0]), 1000 + 2 * 2 + 1);
    for (int i = 199; i >= 4; i--)
        assert_int_equal(ef_offsets_done(&t, seq[i]), -1);
    assert_int_equal(ef_offsets_pending(&t), 197);
    assert_int_equal(ef_offsets_done(&t, seq[3]), 1000 + 2 * 199 + 1);
    assert_int_equal(ef_offsets_pending(&t), 0);
    assert_int_equal(ef_offsets_done(&t, seq[3]), -1); /* unknown: no effect */
    ef_offsets_free(&t);
}

static ef_engine *text_engine(ef_run_spec *spec) {
    char err[600];
    ef_run_spec_init(spec);
    assert_int_equal(ef_run_spec_set_evaluators(spec, "f1_score,bleu", err, sizeof(err)), 0);
    ef_engine *e = ef_engine_new(spec, NULL, err, sizeof(err));
    assert_non_null(e);
    return e;
}

static void test_row_codec_exact_round_trip(void **st) {
    (void)st;
    ef_run_spec spec;
    ef_engine *e = text_engine(&spec);
    ef_row_result a, b;
    assert_int_equal(ef_row_result_init(&a, e), 0);
    assert_int_equal(ef_row_result_init(&b, e), 0);
    a.index = 41;
    a.lineno = 42;
    a.data = cJSON_Parse("{\"q\":\"h\\u00e9llo\",\"n\":[1,2.5]}");
    const char *k0 = ef_engine_eval_outputs(e, 0)[0];
    assert_int_equal(ef_eval_out_set_num(&a.outs[0], k0, 0.7999999999999999), 0);
    assert_int_equal(ef_eval_out_set_num(&a.outs[0], "custom_key", -INFINITY), 0);
    assert_int_equal(ef_eval_out_set_num(&a.outs[0], "nothing", NAN), 0);
    assert_int_equal(ef_eval_out_set_str(&a.outs[0], "why", "a \"quoted\" reason"), 0);
    assert_int_equal(ef_eval_out_set_json(&a.outs[0], "extra", cJSON_Parse("{\"x\":[true]}")), 0);
    ef_eval_out_fail(&a.outs[1], EF_ERR_BAD_REPLY, "data.jsonl:42: field 'response': missing");
    char *msg = ef_row_encode(&a);
    assert_non_null(msg);
    char err[300];
    assert_int_equal(ef_row_decode(e, msg, strlen(msg), &b, err, sizeof(err)), 0);
    assert_int_equal(b.index, 41);
    assert_int_equal(b.lineno, 42);
    assert_true(cJSON_Compare(a.data, b.data, 1));
    assert_null(b.target);
    assert_int_equal(b.outs[0].n, 5);
    assert_ptr_equal(b.outs[0].kv[0].key, k0); /* the declared key itself */
    assert_true(b.outs[0].kv[0].num == 0.7999999999999999);
    assert_string_equal(b.outs[0].kv[1].key, "custom_key");
    assert_true(isinf(b.outs[0].kv[1].num) && b.outs[0].kv[1].num < 0);
    assert_int_equal(b.outs[0].kv[2].kind, EF_VAL_NULL);
    assert_string_equal(b.outs[0].kv[3].str, "a \"quoted\" reason");
    assert_true(cJSON_IsTrue(
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(b.outs[0].kv[4].json, "x"), 0)));
    assert_int_equal(b.outs[1].err, EF_ERR_BAD_REPLY);
    assert_string_equal(b.outs[1].errmsg, "data.jsonl:42: field 'response': missing");
    /* Encoding the decoded row gives the same bytes. */
    char *again = ef_row_encode(&b);
    assert_string_equal(msg, again);
    free(again);
    /* Garbage and a row of another run's shape are refused, leaving b empty. */
    const char *bad[] = {"",
                         "[]",
                         "{\"i\":1}",
                         "{\"i\":1,\"l\":1,\"e\":0,\"m\":\"\",\"o\":[]}",
                         "{\"i\":-1,\"l\":1,\"e\":0,\"m\":\"\",\"o\":[{},{}]}",
                         "{\"i\":1,\"l\":1,\"e\":999,\"m\":\"\",\"o\":[]}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        assert_int_equal(ef_row_decode(e, bad[i], strlen(bad[i]), &b, err, sizeof(err)), -1);
        assert_null(b.data);
    }
    free(msg);
    ef_row_result_free(&a);
    ef_row_result_free(&b);
    ef_engine_destroy(e);
    ef_run_spec_free(&spec);
}

static void add_pair(cJSON *rec, const char *k, const char *v) {
    cJSON *p = cJSON_CreateArray();
    cJSON_AddItemToArray(p, cJSON_CreateString(k));
    cJSON_AddItemToArray(p, cJSON_CreateString(v));
    cJSON_AddItemToArray(rec, p);
}

static void test_spec_doc_round_trip(void **st) {
    (void)st;
    char path[] = "/tmp/ef_spec_XXXXXX";
    int fd = mkstemp(path);
    const char yaml[] = "run_id: r1\ndata: d.jsonl\nevaluators:\n  - f1_score\n"
                        "  - name: rouge\n    rouge_type: rougeL\n";
    assert_int_equal(write(fd, yaml, sizeof(yaml) - 1), (ssize_t)(sizeof(yaml) - 1));
    close(fd);
    cJSON *rec = cJSON_CreateArray();
    add_pair(rec, "spec", path);
    add_pair(rec, "map", "response=${data.answer}");
    add_pair(rec, "debug", "all"); /* per process: neither stored nor applied */
    add_pair(rec, "quiet", "true");
    add_pair(rec, "max-line-bytes", "1K");
    char err[600];
    char *doc = ef_spec_doc_build(rec, err, sizeof(err));
    assert_non_null(doc);
    assert_null(strstr(doc, "\"debug\""));
    assert_null(strstr(doc, "\"quiet\""));
    unlink(path); /* the document carries the file's text */
    ef_run_spec s;
    ef_run_spec_init(&s);
    assert_int_equal(ef_spec_doc_load(&s, doc, strlen(doc), err, sizeof(err)), 0);
    assert_string_equal(s.run_id, "r1");
    assert_string_equal(s.data, "d.jsonl");
    assert_int_equal(s.nevals, 2);
    assert_string_equal(s.evals[1].name, "rouge");
    assert_int_equal(s.max_line_bytes, 1024);
    assert_null(s.debug);
    assert_non_null(ef_mapping_get(s.mapping, "response"));
    ef_run_spec_free(&s);
    free(doc);
    /* A bad stored document is an error, not a crash. */
    const char *bad[] = {"nope", "{\"args\":[[\"no-such-option\",\"1\"]]}",
                         "{\"args\":[[\"evaluators\",\"f1_score\"]]}", /* no data */
                         "{\"spec_path\":\"x.yaml\",\"yaml\":\"evaluators: 3\"}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        ef_run_spec_init(&s);
        assert_int_equal(ef_spec_doc_load(&s, bad[i], strlen(bad[i]), err, sizeof(err)), -1);
        ef_run_spec_free(&s);
    }
    cJSON_Delete(rec);
}

static void test_fleet_names(void **st) {
    (void)st;
    assert_true(ef_run_id_valid("qa-2026.11_23"));
    assert_false(ef_run_id_valid(""));
    assert_false(ef_run_id_valid("a/b"));
    assert_false(ef_run_id_valid("a b"));
    char long_id[EF_RUN_ID_MAX + 2];
    memset(long_id, 'x', sizeof(long_id) - 1);
    long_id[sizeof(long_id) - 1] = '\0';
    assert_false(ef_run_id_valid(long_id));
    char key[64], run[EF_RUN_ID_MAX + 1];
    assert_int_equal(ef_run_key(key, sizeof(key), "r1", "meta"), 0);
    assert_string_equal(key, "ef:{r1}:meta");
    assert_int_equal(ef_run_key(key, 8, "r1", "meta"), -1);
    uint64_t idx;
    assert_int_equal(ef_row_key_parse("r1/123", 6, run, sizeof(run), &idx), 0);
    assert_string_equal(run, "r1");
    assert_int_equal(idx, 123);
    const char *bad[] = {"r1", "/1", "r1/", "r1/x", "r1/-1", "r 1/1", "r1/1/2"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
        assert_int_equal(ef_row_key_parse(bad[i], strlen(bad[i]), run, sizeof(run), &idx), -1);
}

static void test_redis_urls(void **st) {
    (void)st;
    char host[256], pass[256], err[200];
    int port, db;
    assert_int_equal(
        ef_redis_url_parse("redis://127.0.0.1:6380/2", host, &port, &db, pass, err, sizeof(err)),
        0);
    assert_string_equal(host, "127.0.0.1");
    assert_int_equal(port, 6380);
    assert_int_equal(db, 2);
    assert_string_equal(pass, "");
    assert_int_equal(
        ef_redis_url_parse("redis://:s3cret@redis.svc", host, &port, &db, pass, err, sizeof(err)),
        0);
    assert_string_equal(host, "redis.svc");
    assert_int_equal(port, 6379);
    assert_string_equal(pass, "s3cret");
    const char *bad[] = {"redis://", "redis://h:0", "redis://h:99999", "redis://h:1/x",
                         "redis://:pw@h:12/3/4"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        assert_int_equal(ef_redis_url_parse(bad[i], host, &port, &db, pass, err, sizeof(err)), -1);
        assert_null(strstr(err, "pw")); /* a URL with a password is never echoed */
    }
}

static void test_heartbeat_file(void **st) {
    (void)st;
    char path[] = "/tmp/ef_hb_XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
    char err[200];
    ef_heartbeat *hb = ef_heartbeat_new(NULL, path, err, sizeof(err));
    assert_non_null(hb);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    ef_heartbeat_beat(hb);
    ef_heartbeat_destroy(hb);
    assert_int_equal(stat(path, &sb), -1); /* removed: a stopped process is not alive */
    assert_null(ef_heartbeat_new(NULL, "/nonexistent-dir/hb", err, sizeof(err)));
}

static void conf_expect(rd_kafka_conf_t *c, const char *key, const char *want) {
    char v[256];
    size_t n = sizeof(v);
    assert_int_equal(rd_kafka_conf_get(c, key, v, &n), RD_KAFKA_CONF_OK);
    if (strcmp(v, want))
        fail_msg("%s = %s, want %s", key, v, want);
}

/* Each client gets its own defaults, -X wins over every one, and the byte
 * bounds are raised so that one message.max.bytes message always fits. */
static void test_kafka_client_defaults(void **st) {
    (void)st;
    char *none[] = {NULL}, err[300];
    ef_fleet_conf fc = {.brokers = "127.0.0.1:1", .kafka = none, .nkafka = 0, .group = "g1"};
    static const struct {
        ef_kafka_client client;
        const char *key, *want;
    } cases[] = {
        {EF_KAFKA_PRODUCER, "queue.buffering.max.messages", "10000"},
        {EF_KAFKA_PRODUCER, "queue.buffering.max.kbytes", "16384"},
        {EF_KAFKA_PRODUCER, "linger.ms", "20"},
        {EF_KAFKA_PRODUCER, "enable.idempotence", "true"},
        {EF_KAFKA_PRODUCER, "client.id", "evalfleet-producer"},
        {EF_KAFKA_WORKER_IN, "group.id", "g1"},
        {EF_KAFKA_WORKER_IN, "queued.max.messages.kbytes", "8192"},
        {EF_KAFKA_WORKER_IN, "fetch.max.bytes", "1048576"},
        {EF_KAFKA_WORKER_IN, "enable.auto.offset.store", "false"},
        {EF_KAFKA_WORKER_IN, "client.id", "evalfleet-worker"},
        {EF_KAFKA_WORKER_OUT, "linger.ms", "5"},
        {EF_KAFKA_WORKER_OUT, "queue.buffering.max.kbytes", "16384"},
        {EF_KAFKA_AGGREGATOR, "queued.max.messages.kbytes", "24576"},
        {EF_KAFKA_AGGREGATOR, "fetch.max.bytes", "4194304"},
        {EF_KAFKA_AGGREGATOR, "client.id", "evalfleet-aggregator"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        rd_kafka_conf_t *c = ef_kafka_client_conf(cases[i].client, &fc, err, sizeof(err));
        assert_non_null(c);
        conf_expect(c, cases[i].key, cases[i].want);
        rd_kafka_conf_destroy(c);
    }

    /* The user's -X wins; a large message.max.bytes raises the bounds not set. */
    char *x[] = {"queued.max.messages.kbytes=100", "message.max.bytes=20000000", "linger.ms=1"};
    fc.kafka = x;
    fc.nkafka = 3;
    rd_kafka_conf_t *c = ef_kafka_client_conf(EF_KAFKA_WORKER_IN, &fc, err, sizeof(err));
    assert_non_null(c);
    conf_expect(c, "queued.max.messages.kbytes", "100");
    conf_expect(c, "fetch.max.bytes", "20000000");
    rd_kafka_conf_destroy(c);
    c = ef_kafka_client_conf(EF_KAFKA_PRODUCER, &fc, err, sizeof(err));
    assert_non_null(c);
    conf_expect(c, "linger.ms", "1");
    conf_expect(c, "queue.buffering.max.kbytes", "19532");
    rd_kafka_conf_destroy(c);

    /* A bad setting is named. */
    char *bad[] = {"queue.buffering.max.kbytes=lots"};
    fc.kafka = bad;
    fc.nkafka = 1;
    assert_null(ef_kafka_client_conf(EF_KAFKA_PRODUCER, &fc, err, sizeof(err)));
    assert_non_null(strstr(err, "queue.buffering.max.kbytes"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offsets_in_order_prefix),
        cmocka_unit_test(test_row_codec_exact_round_trip),
        cmocka_unit_test(test_spec_doc_round_trip),
        cmocka_unit_test(test_fleet_names),
        cmocka_unit_test(test_redis_urls),
        cmocka_unit_test(test_heartbeat_file),
        cmocka_unit_test(test_kafka_client_defaults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
