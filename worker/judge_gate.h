/*
 * judge_gate.h - the worker's gate in front of every judge request
 * (llm.h): a judge reply cache and a request budget, both shared by the
 * whole fleet through Redis.
 *
 * Cache: ef:cache:<key> holds the reply body of a request whose key hashes
 * the URL, model, rendered prompt and parameters; a hit skips the request,
 * so a re-run or a redelivered row never pays twice.  TTL cache_ttl_s.
 * Budget: ef:budget:<endpoint> is a token bucket (refill budget_rpm / 60
 * per second, one second of burst) kept by a Lua script on Redis' clock;
 * a request waits until the bucket grants it.  Each worker's own
 * --judge-rpm / --judge-max-inflight limits still apply after the gate.
 *
 * Redis trouble never stops evaluation: a lookup that fails or takes over
 * 200 ms is a miss, and a budget that cannot be asked grants (a warning says
 * so).  The gate owns its pending lookups; destroy it before the engines
 * whose calls it holds, and before the Redis client.
 */
#ifndef EF_JUDGE_GATE_H
#define EF_JUDGE_GATE_H

#include "llm.h"
#include "redis.h"

typedef struct ef_judge_gate ef_judge_gate;

/* NULL when both are off (cache_ttl_s == 0 and budget_rpm == 0). */
ef_judge_gate *ef_judge_gate_new(struct event_base *base, ef_redis_async *redis, double cache_ttl_s,
                                 double budget_rpm);
void ef_judge_gate_destroy(ef_judge_gate *g); /* NULL is fine; drops pending calls */
ef_llm_gate *ef_judge_gate_llm(ef_judge_gate *g);

typedef struct ef_judge_gate_stats {
    unsigned long long hits, misses, stores, waits, redis_errors;
} ef_judge_gate_stats;
ef_judge_gate_stats ef_judge_gate_get_stats(const ef_judge_gate *g);

#endif
