/* producer.c - `evalfleet produce`: publish a run (see producer.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "ef_log.h"
#include "jsonl_reader.h"
#include "kafka.h"
#include "producer.h"
#include "redis.h"

/* Record one shard's counts; once every shard has, the run's totals. */
static const char shard_done_lua[] =
    "redis.call('HSET', KEYS[1], 'rows:' .. ARGV[1], ARGV[3], 'bad:' .. ARGV[1], ARGV[4])\n"
    "local n = tonumber(ARGV[2])\n"
    "local total, bad = 0, 0\n"
    "for i = 0, n - 1 do\n"
    "  local c = redis.call('HGET', KEYS[1], 'rows:' .. i)\n"
    "  if not c then return -1 end\n"
    "  total = total + tonumber(c)\n"
    "  bad = bad + tonumber(redis.call('HGET', KEYS[1], 'bad:' .. i))\n"
    "end\n"
    "redis.call('HSET', KEYS[1], 'total', total, 'bad_lines', bad)\n"
    "return total\n";

typedef struct prod {
    uint64_t acked, failed;
    char first_err[256];
} prod;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    prod *p = opaque;
    if (m->err) {
        if (!p->failed++)
            snprintf(p->first_err, sizeof(p->first_err), "%s", rd_kafka_err2str(m->err));
    } else {
        p->acked++;
    }
}

static int store_spec(ef_redis *r, const char *run, const char *doc, const ef_fleet_conf *fc) {
    char key[256], meta[256];
    ef_run_key(key, sizeof(key), run, "spec");
    ef_run_key(meta, sizeof(meta), run, "meta");
    redisReply *rep = ef_redis_cmd(r, "SET %s %s NX", key, doc);
    if (!rep)
        goto redis_fail;
    freeReplyObject(rep);
    if (!(rep = ef_redis_cmd(r, "GET %s", key)))
        goto redis_fail;
    int same = rep->type == REDIS_REPLY_STRING && !strcmp(rep->str, doc);
    freeReplyObject(rep);
    if (!same) {
        ef_log_error("run '%s' already exists with a different spec; choose another run_id", run);
        return -1;
    }
    char now[32], shards[32];
    snprintf(now, sizeof(now), "%lld", (long long)time(NULL));
    snprintf(shards, sizeof(shards), "%" PRIu64, fc->nshards);
    if (!(rep = ef_redis_cmd(r, "HSETNX %s created %s", meta, now)))
        goto redis_fail;
    freeReplyObject(rep);
    if (!(rep = ef_redis_cmd(r, "HSETNX %s shards %s", meta, shards)))
        goto redis_fail;
    freeReplyObject(rep);
    if (!(rep = ef_redis_cmd(r, "HGET %s shards", meta)))
        goto redis_fail;
    same = rep->type == REDIS_REPLY_STRING && !strcmp(rep->str, shards);
    freeReplyObject(rep);
    if (!same) {
        ef_log_error("run '%s' was started with another shard count than %s", run, shards);
        return -1;
    }
    if (!(rep = ef_redis_cmd(r, "ZADD ef:runs NX %s %s", now, run)))
        goto redis_fail;
    freeReplyObject(rep);
    return 0;
redis_fail:
    ef_log_error("%s", ef_redis_error(r));
    return -1;
}

static int publish(rd_kafka_t *rk, const char *topic, const char *run, uint64_t index,
                   uint64_t lineno, const char *value, size_t len, const char *hdr,
                   const char *hdrval) {
    char key[EF_RUN_ID_MAX + 32], idx[32], line[32];
    int klen = snprintf(key, sizeof(key), "%s/%" PRIu64, run, index);
    snprintf(idx, sizeof(idx), "%" PRIu64, index);
    snprintf(line, sizeof(line), "%" PRIu64, lineno);
    for (;;) {
        rd_kafka_resp_err_t err = rd_kafka_producev(
            rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, (size_t)klen),
            RD_KAFKA_V_VALUE((void *)value, len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_HEADER(EF_HDR_RUN, run, -1), RD_KAFKA_V_HEADER(EF_HDR_INDEX, idx, -1),
            RD_KAFKA_V_HEADER(EF_HDR_LINE, line, -1),
            RD_KAFKA_V_HEADER(hdr ? hdr : "ef-ok", hdrval ? hdrval : "", -1), RD_KAFKA_V_END);
        if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            rd_kafka_poll(rk, 100);
            continue;
        }
        return err;
    }
}

int ef_produce(const ef_fleet_conf *fc, const ef_run_spec *spec, const char *spec_doc) {
    char err[1024];
    const char *run = spec->run_id;
    int rc = 1;
    prod p = {0};
    ef_redis *r = NULL;
    rd_kafka_t *rk = NULL;
    ef_jsonl_reader *reader = NULL;
    uint64_t index = 0, published = 0, bad = 0, reported = 0;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);

    if (!(r = ef_redis_new(fc->redis, EF_REDIS_PATIENCE, err, sizeof(err))) ||
        !(reader = ef_jsonl_reader_new(spec->data, spec->max_line_bytes, err, sizeof(err)))) {
        ef_log_error("%s", err);
        goto out;
    }
    if (store_spec(r, run, spec_doc, fc))
        goto out;
    rd_kafka_conf_t *conf = ef_kafka_client_conf(EF_KAFKA_PRODUCER, fc, err, sizeof(err));
    if (!conf) {
        ef_log_error("%s", err);
        goto out;
    }
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, &p);
    if (!(rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err)))) {
        rd_kafka_conf_destroy(conf);
        ef_log_error("kafka: %s", err);
        goto out;
    }
    char too_long[32];
    snprintf(too_long, sizeof(too_long), "%" PRIu64, spec->max_line_bytes);
    ef_jsonl_line line;
    int n;
    while ((n = ef_jsonl_reader_next(reader, &line)) == 1) {
        uint64_t i = index++;
        if (i % fc->nshards != fc->shard)
            continue;
        const char *hdr = NULL, *hdrval = NULL;
        if (line.err == EF_ERR_LINE_TOO_LONG) {
            hdr = EF_HDR_TOO_LONG;
            hdrval = too_long;
        } else {
            cJSON *obj = cJSON_ParseWithLength(line.data, line.len);
            int ok = cJSON_IsObject(obj);
            cJSON_Delete(obj);
            if (!ok) {
                bad++;
                if (reported++ < 100)
                    ef_log_warn("%s:%" PRIu64 ": not a JSON object; published as a rejected row",
                                spec->data, line.lineno);
                if (spec->fail_on_bad_row) {
                    ef_log_error("stopping at the first bad line (fail_on_bad_row)");
                    rc = 3;
                    goto out;
                }
            }
        }
        if (line.err == EF_ERR_LINE_TOO_LONG)
            bad++;
        rd_kafka_resp_err_t e = publish(rk, fc->rows_topic, run, i, line.lineno, line.data,
                                        line.err == EF_ERR_OK ? line.len : 0, hdr, hdrval);
        if (e == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) {
            char msg[300];
            snprintf(msg, sizeof(msg),
                     "%s:%" PRIu64 ": line of %zu bytes exceeds the Kafka message size limit "
                     "(-X message.max.bytes and the topic's max.message.bytes)",
                     spec->data, line.lineno, line.len);
            ef_log_warn("%s", msg);
            bad++;
            e = publish(rk, fc->rows_topic, run, i, line.lineno, "", 0, EF_HDR_BAD, msg);
        }
        if (e) {
            ef_log_error("kafka: cannot publish %s:%" PRIu64 ": %s", spec->data, line.lineno,
                         rd_kafka_err2str(e));
            goto out;
        }
        published++;
        rd_kafka_poll(rk, 0);
    }
    if (n < 0) {
        ef_log_error("%s: %s", spec->data, ef_jsonl_reader_error(reader));
        goto out;
    }
    /* Every message acknowledged, or a clear failure: bounded by
     * message.timeout.ms, which fails what cannot be delivered. */
    while (rd_kafka_outq_len(rk) > 0)
        rd_kafka_flush(rk, 1000);
    if (p.failed) {
        ef_log_error("kafka: %" PRIu64 " of %" PRIu64 " rows were not delivered (%s); run produce "
                     "again: published rows are deduplicated",
                     p.failed, published, p.first_err);
        goto out;
    }
    char meta[256], sh[32], ns[32], cnt[32], bd[32];
    ef_run_key(meta, sizeof(meta), run, "meta");
    snprintf(sh, sizeof(sh), "%" PRIu64, fc->shard);
    snprintf(ns, sizeof(ns), "%" PRIu64, fc->nshards);
    snprintf(cnt, sizeof(cnt), "%" PRIu64, published);
    snprintf(bd, sizeof(bd), "%" PRIu64, bad);
    redisReply *rep =
        ef_redis_cmd(r, "EVAL %s 1 %s %s %s %s %s", shard_done_lua, meta, sh, ns, cnt, bd);
    if (!rep) {
        ef_log_error("%s", ef_redis_error(r));
        goto out;
    }
    long long total = rep->type == REDIS_REPLY_INTEGER ? rep->integer : -1;
    freeReplyObject(rep);
    struct timespec end;
    clock_gettime(CLOCK_MONOTONIC, &end);
    double secs = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
    if (!spec->quiet) {
        ef_log_info("run %s: published %" PRIu64 " rows (%" PRIu64 " bad lines) to %s in %.2fs",
                    run, published, bad, fc->rows_topic, secs);
        if (total >= 0)
            ef_log_info("run %s: all shards published, %lld rows in total", run, total);
    }
    printf("%s\n", run);
    rc = 0;
out:
    if (rk) {
        rd_kafka_flush(rk, 5000);
        rd_kafka_destroy(rk);
    }
    ef_jsonl_reader_destroy(reader);
    ef_redis_destroy(r);
    return rc;
}
