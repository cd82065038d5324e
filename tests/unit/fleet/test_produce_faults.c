/*
 * test_produce_faults.c - the producer under broker errors the real broker
 * cannot easily produce, on librdkafka's mock cluster (label: redis; Redis
 * is a real redis-server started by scripts/redis.sh).  The real-broker
 * behaviour is tested by tests/fleet/test_fleet.sh.
 *
 *  - transient Produce errors: every row still lands exactly once (the
 *    idempotent producer's retries add no copies) and the total is recorded;
 *  - a permanent Produce error: produce fails and records no total, so the
 *    run is never taken as complete.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "fleet.h"
#include "kafka.h"
#include "producer.h"
#include "redis.h"
#include "spec_doc.h"

#define API_PRODUCE 0 /* Kafka protocol ApiKey of Produce requests */
#define ROWS        200

typedef struct fixture {
    char dir[64], url[128], data[128];
    rd_kafka_t *host; /* the client the mock cluster lives in */
    rd_kafka_mock_cluster_t *mc;
    ef_redis *redis;
} fixture;

static int setup(void **state) {
    fixture *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/ef-mockprod.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "bash %s/scripts/redis.sh start %s >/dev/null 2>&1", EF_SOURCE_DIR,
             f->dir);
    assert_int_equal(system(cmd), 0);
    char path[128];
    snprintf(path, sizeof(path), "%s/redis.url", f->dir);
    FILE *u = fopen(path, "r");
    assert_non_null(u);
    assert_non_null(fgets(f->url, sizeof(f->url), u));
    fclose(u);
    f->url[strcspn(f->url, "\n")] = '\0';
    char err[512];
    assert_non_null(f->redis = ef_redis_new(f->url, 10, err, sizeof(err)));
    snprintf(f->data, sizeof(f->data), "%s/rows.jsonl", f->dir);
    FILE *d = fopen(f->data, "w");
    for (int i = 0; i < ROWS; i++)
        fprintf(d, i == 7 ? "{not json\n" : "{\"response\":\"r%d\",\"ground_truth\":\"g\"}\n", i);
    fclose(d);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", err, sizeof(err));
    assert_non_null(f->host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err)));
    assert_non_null(f->mc = rd_kafka_mock_cluster_new(f->host, 3));
    assert_int_equal(rd_kafka_mock_topic_create(f->mc, "rows.mock", 4, 3), 0);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    rd_kafka_mock_cluster_destroy(f->mc);
    rd_kafka_destroy(f->host);
    ef_redis_destroy(f->redis);
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "bash %s/scripts/redis.sh stop %s >/dev/null 2>&1; rm -rf %s",
             EF_SOURCE_DIR, f->dir, f->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cleanup of %s failed\n", f->dir);
    free(f);
    return 0;
}

/* Run `produce` for run id `run` against the mock cluster, with one more
 * -X setting when `extra` is not NULL. */
static int produce_x(fixture *f, const char *run, char *extra) {
    ef_run_spec spec;
    ef_run_spec_init(&spec);
    cJSON *rec = cJSON_CreateArray();
    const char *args[][2] = {{"data", f->data}, {"evaluators", "f1_score"}, {"run-id", run}};
    char err[600];
    for (size_t i = 0; i < 3; i++) {
        cJSON *p = cJSON_CreateArray();
        cJSON_AddItemToArray(p, cJSON_CreateString(args[i][0]));
        cJSON_AddItemToArray(p, cJSON_CreateString(args[i][1]));
        cJSON_AddItemToArray(rec, p);
    }
    char *doc = ef_spec_doc_build(rec, err, sizeof(err));
    assert_non_null(doc);
    assert_int_equal(ef_spec_doc_load(&spec, doc, strlen(doc), err, sizeof(err)), 0);
    char *kafka[] = {"message.timeout.ms=5000", "log_level=2", extra};
    ef_fleet_conf fc = {0};
    fc.brokers = (char *)rd_kafka_mock_cluster_bootstraps(f->mc);
    fc.redis = f->url;
    fc.kafka = kafka;
    fc.nkafka = extra ? 3 : 2;
    fc.rows_topic = "rows.mock";
    fc.nshards = 1;
    spec.quiet = true;
    int rc = ef_produce(&fc, &spec, doc);
    free(doc);
    cJSON_Delete(rec);
    ef_run_spec_free(&spec);
    return rc;
}

static int produce(fixture *f, const char *run) { return produce_x(f, run, NULL); }

/* Consume the topic from the start until quiet: messages per row key. */
static void count_rows(fixture *f, const char *run, int *total, int *distinct) {
    char err[512];
    rd_kafka_conf_t *conf =
        ef_kafka_conf_new(rd_kafka_mock_cluster_bootstraps(f->mc), NULL, 0, err, sizeof(err));
    rd_kafka_conf_set(conf, "group.id", run, err, sizeof(err));
    rd_kafka_conf_set(conf, "auto.offset.reset", "earliest", err, sizeof(err));
    rd_kafka_t *c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
    assert_non_null(c);
    rd_kafka_poll_set_consumer(c);
    rd_kafka_topic_partition_list_t *t = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(t, "rows.mock", RD_KAFKA_PARTITION_UA);
    assert_int_equal(rd_kafka_subscribe(c, t), 0);
    rd_kafka_topic_partition_list_destroy(t);
    unsigned char seen[ROWS] = {0};
    *total = *distinct = 0;
    time_t end = time(NULL) + 30, quiet_since = 0;
    while (time(NULL) < end) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 200);
        if (!m) {
            if (*distinct == ROWS && !quiet_since)
                quiet_since = time(NULL);
            if (quiet_since && time(NULL) - quiet_since >= 2)
                break; /* everything read, and no late copy in 2 s */
            continue;
        }
        char r[EF_RUN_ID_MAX + 1];
        uint64_t idx;
        if (!m->err && !ef_row_key_parse(m->key, m->key_len, r, sizeof(r), &idx) &&
            !strcmp(r, run) && idx < ROWS) {
            (*total)++;
            *distinct += !seen[idx]++;
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(c);
    rd_kafka_destroy(c);
}

static long long meta_total(fixture *f, const char *run) {
    char key[128];
    ef_run_key(key, sizeof(key), run, "meta");
    redisReply *r = ef_redis_cmd(f->redis, "HGET %s total", key);
    assert_non_null(r);
    long long v = r->type == REDIS_REPLY_STRING ? atoll(r->str) : -1;
    freeReplyObject(r);
    return v;
}

static void test_transient_errors_lose_and_copy_nothing(void **state) {
    fixture *f = *state;
    rd_kafka_mock_push_request_errors(
        f->mc, API_PRODUCE, 6, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
        RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,
        RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
        RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION);
    assert_int_equal(produce(f, "mock-ok"), 0);
    int total, distinct;
    count_rows(f, "mock-ok", &total, &distinct);
    assert_int_equal(distinct, ROWS); /* the bad line too: the worker rejects it */
    assert_int_equal(total, ROWS);
    assert_int_equal(meta_total(f, "mock-ok"), ROWS);
}

/* A full librdkafka queue (room for 2 messages, a slow broker) makes the
 * producer wait, never drop or copy a row. */
static void test_full_queue_waits(void **state) {
    fixture *f = *state;
    for (int b = 1; b <= 3; b++)
        rd_kafka_mock_broker_set_rtt(f->mc, b, 50);
    int rc = produce_x(f, "mock-full", "queue.buffering.max.messages=2");
    for (int b = 1; b <= 3; b++)
        rd_kafka_mock_broker_set_rtt(f->mc, b, 0);
    assert_int_equal(rc, 0);
    int total, distinct;
    count_rows(f, "mock-full", &total, &distinct);
    assert_int_equal(distinct, ROWS);
    assert_int_equal(total, ROWS);
    assert_int_equal(meta_total(f, "mock-full"), ROWS);
}

static void test_permanent_error_records_no_total(void **state) {
    fixture *f = *state;
    rd_kafka_mock_topic_set_error(f->mc, "rows.mock", RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
    assert_int_equal(produce(f, "mock-denied"), 1);
    rd_kafka_mock_topic_set_error(f->mc, "rows.mock", RD_KAFKA_RESP_ERR_NO_ERROR);
    assert_int_equal(meta_total(f, "mock-denied"), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transient_errors_lose_and_copy_nothing),
        cmocka_unit_test(test_full_queue_waits),
        cmocka_unit_test(test_permanent_error_records_no_total),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
