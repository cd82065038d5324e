/* export.c - read a fleet run back from Redis and write its files (see export.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ef_error.h"
#include "export.h"
#include "results_writer.h"
#include "row_codec.h"
#include "spec_doc.h"

#define EXPORT_BATCH 1000

/* This engine only describes the run (evaluators, outputs, thresholds) and
 * never calls an endpoint, so it must not need the workers' judge settings
 * or keys: without a judge configured, it gets an unreachable stand-in. */
static int describe_only(ef_run_spec *s, char *errstr, size_t errsize) {
    if (s->judge.api != EF_API_NONE)
        return 0;
    return ef_endpoint_conf_set(&s->judge, "api", "openai", errstr, errsize) ||
           ef_endpoint_conf_set(&s->judge, "url", "http://127.0.0.1:9/unused", errstr, errsize) ||
           ef_endpoint_conf_set(&s->judge, "model", "unused", errstr, errsize);
}

int ef_fleet_run_load(ef_redis *r, const char *run, ef_fleet_run *fr, char *errstr,
                      size_t errsize) {
    memset(fr, 0, sizeof(*fr));
    ef_run_spec_init(&fr->spec);
    snprintf(fr->id, sizeof(fr->id), "%s", run);
    char key[256], err[1024];
    ef_run_key(key, sizeof(key), run, "spec");
    redisReply *rep = ef_redis_cmd(r, "GET %s", key);
    if (!rep) {
        ef_seterr(errstr, errsize, "%s", ef_redis_error(r));
        return -1;
    }
    int rc = -1;
    if (rep->type != REDIS_REPLY_STRING)
        ef_seterr(errstr, errsize, "no run '%s' in Redis", run);
    else if (ef_spec_doc_load(&fr->spec, rep->str, rep->len, err, sizeof(err)) ||
             describe_only(&fr->spec, err, sizeof(err)) ||
             !(fr->engine = ef_engine_new(&fr->spec, NULL, err, sizeof(err))))
        ef_seterr(errstr, errsize, "run %s: %s", run, err);
    else
        rc = 0;
    freeReplyObject(rep);
    return rc;
}

void ef_fleet_run_free(ef_fleet_run *fr) {
    ef_engine_destroy(fr->engine);
    fr->engine = NULL;
    ef_run_spec_free(&fr->spec);
}

ef_reducer *ef_fleet_agg_parse(const ef_fleet_run *fr, const char *blob, size_t len,
                               uint64_t *version, char *errstr, size_t errsize) {
    *version = 0;
    if (!blob)
        return ef_reducer_new(fr->engine);
    const char *nl = memchr(blob, '\n', len);
    char *end;
    unsigned long long v = strtoull(blob, &end, 10);
    cJSON *j =
        nl && end == nl ? cJSON_ParseWithLength(nl + 1, len - (size_t)(nl + 1 - blob)) : NULL;
    ef_reducer *red = j ? ef_reducer_from_json(fr->engine, j, errstr, errsize) : NULL;
    if (!j)
        ef_seterr(errstr, errsize, "run %s: malformed partition aggregate", fr->id);
    cJSON_Delete(j);
    *version = v;
    return red;
}

ef_reducer *ef_fleet_merged(ef_redis *r, const ef_fleet_run *fr, char *errstr, size_t errsize) {
    char key[256];
    ef_run_key(key, sizeof(key), fr->id, "parts");
    redisReply *parts = ef_redis_cmd(r, "SMEMBERS %s", key);
    ef_reducer *all = parts ? ef_reducer_new(fr->engine) : NULL;
    if (!parts || !all) {
        ef_seterr(errstr, errsize, "%s", parts ? "out of memory" : ef_redis_error(r));
        goto fail;
    }
    for (size_t i = 0; i < parts->elements; i++) {
        char what[64];
        snprintf(what, sizeof(what), "agg:%s", parts->element[i]->str);
        ef_run_key(key, sizeof(key), fr->id, what);
        redisReply *b = ef_redis_cmd(r, "GET %s", key);
        if (!b) {
            ef_seterr(errstr, errsize, "%s", ef_redis_error(r));
            goto fail;
        }
        uint64_t v;
        ef_reducer *part = b->type == REDIS_REPLY_STRING
                               ? ef_fleet_agg_parse(fr, b->str, b->len, &v, errstr, errsize)
                               : ef_reducer_new(fr->engine);
        freeReplyObject(b);
        int bad = !part || ef_reducer_merge(all, part);
        ef_reducer_destroy(part);
        if (bad)
            goto fail;
    }
    freeReplyObject(parts);
    return all;
fail:
    if (parts)
        freeReplyObject(parts);
    ef_reducer_destroy(all);
    return NULL;
}

long long ef_fleet_meta_int(ef_redis *r, const char *run, const char *field) {
    char key[256];
    ef_run_key(key, sizeof(key), run, "meta");
    redisReply *rep = ef_redis_cmd(r, "HGET %s %s", key, field);
    long long v = rep && rep->type == REDIS_REPLY_STRING ? strtoll(rep->str, NULL, 10) : -1;
    if (rep)
        freeReplyObject(rep);
    return v;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The stored row indexes, sorted (partial exports). */
static uint64_t *stored_indexes(ef_redis *r, const char *rows, size_t *n, char *errstr,
                                size_t errsize) {
    uint64_t *idx = NULL;
    size_t cap = 0;
    *n = 0;
    char cursor[32] = "0";
    do {
        redisReply *rep = ef_redis_cmd(r, "HSCAN %s %s COUNT 1000", rows, cursor);
        if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements != 2) {
            ef_seterr(errstr, errsize, "%s", rep ? "bad HSCAN reply" : ef_redis_error(r));
            if (rep)
                freeReplyObject(rep);
            free(idx);
            return NULL;
        }
        snprintf(cursor, sizeof(cursor), "%s", rep->element[0]->str);
        redisReply *kv = rep->element[1];
        for (size_t i = 0; i + 1 < kv->elements; i += 2) {
            if (*n == cap) {
                cap = cap ? cap * 2 : 1024;
                uint64_t *g = realloc(idx, cap * sizeof(*g));
                if (!g) {
                    freeReplyObject(rep);
                    free(idx);
                    ef_seterr(errstr, errsize, "out of memory");
                    return NULL;
                }
                idx = g;
            }
            idx[(*n)++] = strtoull(kv->element[i]->str, NULL, 10);
        }
        freeReplyObject(rep);
    } while (strcmp(cursor, "0"));
    qsort(idx, *n, sizeof(*idx), cmp_u64);
    /* HSCAN may return a field twice. */
    size_t k = 0;
    for (size_t i = 0; i < *n; i++)
        if (!k || idx[k - 1] != idx[i])
            idx[k++] = idx[i];
    *n = k;
    return idx;
}

int ef_fleet_export(ef_redis *r, ef_fleet_run *fr, const ef_export_opts *o, uint64_t *nrows,
                    char *errstr, size_t errsize) {
    char rows[256];
    ef_run_key(rows, sizeof(rows), fr->id, "rows");
    uint64_t *idx = NULL;
    size_t n = o->total;
    if (o->partial && !(idx = stored_indexes(r, rows, &n, errstr, errsize)))
        return -1;
    int rc = -1;
    ef_row_result row;
    int row_ok = !ef_row_result_init(&row, fr->engine);
    ef_reducer *red = ef_reducer_new(fr->engine);
    ef_results_writer *w =
        row_ok && red ? ef_results_writer_new(fr->engine, o->dir, fr->spec.rows_jsonl,
                                              fr->spec.rows_jsonl_threshold, errstr, errsize)
                      : NULL;
    cJSON *metrics = NULL;
    const char *argv[EXPORT_BATCH + 2];
    char names[EXPORT_BATCH][24];
    if (!w) {
        if (!row_ok || !red)
            ef_seterr(errstr, errsize, "out of memory");
        goto out;
    }
    argv[0] = "HMGET";
    argv[1] = rows;
    for (size_t at = 0; at < n; at += EXPORT_BATCH) {
        size_t m = n - at < EXPORT_BATCH ? n - at : EXPORT_BATCH;
        for (size_t i = 0; i < m; i++) {
            snprintf(names[i], sizeof(names[i]), "%" PRIu64,
                     idx ? idx[at + i] : (uint64_t)(at + i));
            argv[i + 2] = names[i];
        }
        redisReply *rep = ef_redis_cmdargv(r, (int)m + 2, argv, NULL);
        if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements != m) {
            ef_seterr(errstr, errsize, "%s", rep ? "bad HMGET reply" : ef_redis_error(r));
            if (rep)
                freeReplyObject(rep);
            goto out;
        }
        for (size_t i = 0; i < m; i++) {
            redisReply *e = rep->element[i];
            char err[300];
            if (e->type != REDIS_REPLY_STRING) {
                ef_seterr(errstr, errsize, "run %s: row %s is missing", fr->id, names[i]);
                freeReplyObject(rep);
                goto out;
            }
            if (ef_row_decode(fr->engine, e->str, e->len, &row, err, sizeof(err))) {
                ef_seterr(errstr, errsize, "run %s: row %s: %s", fr->id, names[i], err);
                freeReplyObject(rep);
                goto out;
            }
            if (ef_reducer_add(red, &row) || ef_results_writer_row(w, &row)) {
                ef_seterr(errstr, errsize, "run %s: cannot write rows (disk full?)", fr->id);
                freeReplyObject(rep);
                goto out;
            }
        }
        freeReplyObject(rep);
        if (o->tick)
            o->tick(o->tick_arg);
    }
    if (!(metrics = ef_reducer_metrics(red))) {
        ef_seterr(errstr, errsize, "out of memory");
        goto out;
    }
    if (ef_results_writer_finish(w, metrics, NULL, errstr, errsize))
        goto out;
    *nrows = n;
    rc = 0;
out:
    cJSON_Delete(metrics);
    ef_results_writer_destroy(w);
    ef_reducer_destroy(red);
    if (row_ok)
        ef_row_result_free(&row);
    free(idx);
    return rc;
}
