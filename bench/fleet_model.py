#!/usr/bin/env python3
"""Sizing model of a large fleet run, from the fleet benches' measurements; and the report.

    bench/fleet_model.py [--results DIR] [--rows N] [--quota-rpm Q,...] [--latency-s L,...]
                         [--max-inflight-rows R] [--judge-max-inflight J] [--cache-ttl S]
                         [--retention-days D] [--json OUT.json] [--report OUT.md]

Reads DIR/fleet_scaling.json (bench/fleet_scaling.sh) and DIR/fleet_memory.json
(bench/fleet_memory.sh) (default DIR: bench/results) and prints, for every judge quota Q
(requests/minute, default 10000, 100000 and 1000000) and judge latency L (seconds, default the
measured 0.1 and 2.0), what a run of N rows (default 100,000,000) of the QA composite needs:

  calls per row c          judge calls per row, counted by the mock (QA composite: 5)
  rows/s                   r = Q / 60 / c: the quota, not the fleet, sets the pace
  duration                 N / r
  per worker, rows/s       min(concurrency bound, CPU bound):
                             concurrency: min(R, J / c) / L  (a row's c calls run at once)
                             CPU: T / worker CPU per row (one libevent loop per worker, planned
                               at T = 70 % of a core, --cpu-target)
  workers                  ceil(r / per-worker rows/s); partitions >= workers (the model
                           suggests 2x workers, at least 8, so workers can be added mid-run;
                           the results topic's count must not change during a run)
  aggregators              ceil(r x aggregator CPU per row / T) (they split the results
                           topic's partitions)
  cores                    r x (worker + aggregator + Redis + Kafka) CPU per row
  Redis memory             N x bytes per stored row (ef:{RUN}:rows, MEMORY USAGE) +
                           judge reply cache: min(duration, TTL) x r x c x bytes per entry
  Kafka volume             N x (rows topic + results topic bytes per row) x replication
                           (default 3, as k8s/10-kafka.yaml; measured at 1); the rows topic
                           must retain every row for the whole run (default retention 7 days)
  worker RSS               measured peak at R rows in flight (qa variant), interpolated

Also writes --json (default DIR/fleet_model.json) and, with --report, the markdown fragment
(bench/fleet_report.md) with every fleet table, each figure naming the command behind it.
Python 3 standard library only.
"""
import argparse
import json
import math
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def load(d, name):
    p = os.path.join(d, name)
    if not os.path.exists(p):
        return None
    with open(p) as f:
        return json.load(f)


def groups(doc, **kw):
    if not doc:
        return []
    return [g for g in doc["groups"] if all(g.get(k) == v for k, v in kw.items())]


def sweep(mem):
    """Part a's size sweep: the fleet groups at the sweep's worker bound."""
    if not mem:
        return []
    k = mem["meta"].get("size_worker_inflight", 5000)
    return [g for g in groups(mem, part="rows", system="evalfleet_fleet")
            if g.get("variant") == f"worker_inflight_{k}"]


def runs(doc, **kw):
    if not doc:
        return []
    return [r for r in doc["runs"] if all(r.get(k) == v for k, v in kw.items())]


def med(vals):
    vals = [v for v in vals if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return statistics.median(vals) if vals else None


def fmt(x, nd=0):
    if x is None:
        return "n/a"
    if isinstance(x, str):
        return x
    if nd == 0:
        return f"{round(x):,}"
    return f"{x:,.{nd}f}"


def dur(s):
    if s is None:
        return "n/a"
    if s < 3600:
        return f"{s / 60:.0f} min"
    if s < 86400 * 2:
        return f"{s / 3600:.1f} h"
    return f"{s / 86400:.1f} days"


def gb(b):
    return None if b is None else b / 1e9


def interp(points, x):
    """Linear interpolation (extrapolation at the ends) through sorted (x, y) points."""
    pts = sorted(p for p in points if p[1] is not None)
    if not pts:
        return None
    if len(pts) == 1:
        return pts[0][1]
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        if x <= x1 or (x1, y1) == pts[-1]:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return pts[-1][1]


# ---- measured inputs ------------------------------------------------------------------------
def measured(scal, mem):
    m = {}
    ok = [r for r in runs(scal, phase="scale") if r.get("ok") == 1]
    w1 = [r for r in ok if r["workers"] == 1]
    base = w1 or ok
    m["calls_per_row"] = med([r["calls_per_row"] for r in ok]) or 5.0
    for k in ("worker_cpu_us_per_row", "aggregator_cpu_us_per_row", "producer_cpu_us_per_row",
              "kafka_cpu_us_per_row", "redis_cpu_us_per_row", "redis_rows_bytes_per_row",
              "redis_cache_bytes_per_key", "kafka_rows_bytes_per_row",
              "kafka_results_bytes_per_row", "worker_cpu_us_per_call"):
        m[k] = med([r.get(k) for r in base])
    m["worker_cpu_us_per_row_all_w"] = med([r.get("worker_cpu_us_per_row") for r in ok])
    if w1:
        m["latency_s"] = w1[0]["latency_ms"] / 1000
        m["w1_rows_per_s"] = med([r.get("rows_per_s") for r in w1])
        lim = med([r.get("limit_rows_per_s") for r in w1])
        m["w1_limit_rows_per_s"] = lim
        m["w1_efficiency"] = (min(1.0, m["w1_rows_per_s"] / lim) if lim and m["w1_rows_per_s"]
                              else None)
        m["w1_max_inflight_rows"] = w1[0]["max_inflight_rows"]
        m["w1_judge_max_inflight"] = w1[0]["judge_max_inflight"]
    # Worker RSS against rows in flight (QA composite), and text-row Redis bytes.
    qa = groups(mem, part="inflight", system="evalfleet_worker", variant="qa")
    m["worker_rss_mb_qa"] = {g["inflight"]: g.get("rss_mb") for g in qa}
    rel = groups(mem, part="inflight", system="evalfleet_worker", variant="relevance")
    m["worker_rss_mb_relevance"] = {g["inflight"]: g.get("rss_mb") for g in rel}
    big = [g for g in sweep(mem) if g.get("ok") == 1]
    if big:
        b = max(big, key=lambda g: g["rows"])
        m["text_redis_rows_bytes_per_row"] = b.get("redis_rows_bytes_per_row")
        m["text_kafka_bytes_per_row"] = ((b.get("kafka_rows_bytes_per_row") or 0) +
                                         (b.get("kafka_results_bytes_per_row") or 0))
        m["text_aggregator_rows_per_s"] = b.get("aggregator_rows_per_s")
        m["text_worker_rows_per_s"] = b.get("worker_rows_per_s")
        m["text_producer_rows_per_s"] = b.get("producer_rows_per_s")
        m["text_aggregator_cpu_us_per_row"] = b.get("aggregator_cpu_us_per_row")
        m["text_rows"] = b["rows"]
    return m


def model(m, a, quota_rpm, latency_s):
    c = m["calls_per_row"]
    r = quota_rpm / 60.0 / c
    n = a.rows
    conc = min(a.max_inflight_rows, a.judge_max_inflight / c) / latency_s
    wcpu = m.get("worker_cpu_us_per_row")
    cpu = a.cpu_target * 1e6 / wcpu if wcpu else None
    per_worker = min(conc, cpu) if cpu else conc
    workers = max(1, math.ceil(r / per_worker))
    parts = max(8, 2 * workers)
    duration = n / r
    per_row_cpu = sum((m.get(k) or 0) for k in ("worker_cpu_us_per_row",
                                                "aggregator_cpu_us_per_row",
                                                "redis_cpu_us_per_row", "kafka_cpu_us_per_row"))
    agg_cores = r * (m.get("aggregator_cpu_us_per_row") or 0) / 1e6
    rows_b = n * (m.get("redis_rows_bytes_per_row") or 0)
    cache_b = (min(duration, a.cache_ttl) * r * c * (m.get("redis_cache_bytes_per_key") or 0)
               if a.cache_ttl > 0 else 0)
    kafka_b = n * ((m.get("kafka_rows_bytes_per_row") or 0) +
                   (m.get("kafka_results_bytes_per_row") or 0)) * a.replication
    rss = interp(list(m.get("worker_rss_mb_qa", {}).items()), a.max_inflight_rows)
    return {
        "quota_rpm": quota_rpm, "latency_s": latency_s, "rows": n, "calls_per_row": c,
        "rows_per_s": r, "duration_s": duration,
        "per_worker_rows_per_s": per_worker, "per_worker_bound": "cpu" if cpu and cpu < conc
        else "concurrency", "per_worker_concurrency_rows_per_s": conc,
        "per_worker_cpu_rows_per_s": cpu, "workers": workers, "partitions": parts,
        "worker_cores": r * (wcpu or 0) / 1e6,
        "aggregators": max(1, math.ceil(agg_cores / a.cpu_target)),
        "aggregator_cores": agg_cores, "fleet_cores": r * per_row_cpu / 1e6,
        "redis_rows_gb": gb(rows_b), "redis_cache_gb": gb(cache_b),
        "redis_gb": gb(rows_b + cache_b), "kafka_gb": gb(kafka_b),
        "worker_rss_mb": rss,
        "retention_ok": duration <= a.retention_days * 86400,
    }


# ---- report -----------------------------------------------------------------------------------
def load_note(rs):
    ls = [r.get("load1") for r in rs if r.get("load1") is not None]
    if not ls:
        return "n/a"
    return f"{min(ls):.1f}-{max(ls):.1f}" if len(ls) > 1 else f"{ls[0]:.1f}"


def rng(g, k, nd=0):
    v = g.get(k)
    lo, hi = g.get(k + "_min"), g.get(k + "_max")
    if lo is not None and hi is not None and lo != hi:
        return f"{fmt(v, nd)} ({fmt(lo, nd)}-{fmt(hi, nd)})"
    return fmt(v, nd)


def report(a, scal, mem, m, models, heap=None, rdk=None):
    out = []
    p = out.append
    p("## The fleet (benches 1, 4 and 5)")
    p("")
    p("Generated by `bench/fleet_model.py --report` from `bench/results/fleet_*.json`; the "
      "scripts regenerate it at their end. Real servers on this 2-core machine: a single-node "
      "KRaft Kafka 3.9 (`scripts/kafka.sh`) and redis-server (`scripts/redis.sh`, "
      "`appendfsync always`), on loopback, beside the mock judge (`ef_mock_llm`) and every "
      "fleet process. Medians of interleaved repeats, (min-max) when they differ; `load` is "
      "the 1-minute load average when each figure was recorded (the machine is shared).")
    p("")
    if scal:
        cmd = scal["command"]
        meta = scal["meta"]
        s1 = [g for g in scal["groups"] if g["phase"] == "s1"]
        if s1:
            p("### Bench 1: one fleet worker, judge-bound QA composite")
            p("")
            p(f"`{cmd}` (its `s1` runs): `--evaluators qa` (five judges + F1 per row) over "
              f"{fmt(meta.get('s1_rows'))} rows of `bench/gen_rows.py N --kind qa` (the rows of "
              f"`bench/judge_bound.sh`), mock judge `--latency-ms {meta.get('latency_ms')}`, one "
              "worker (`--max-inflight-rows 1000`), one aggregator, 8 partitions, the judge "
              "in-flight cap given to `produce`. End to end = from `produce` starting to the "
              "aggregator's file written (ef:{RUN}:meta finished_ts), workers already in their "
              "group: comparable to `evalfleet run`'s wall time in bench 1. Window = first to "
              "last committed result.")
            p("")
            p("Local mode's rows come from `bench/judge_bound.sh 2000 "
              f"{meta.get('latency_ms')}` (`bench/results/judge_bound_{meta.get('latency_ms')}ms.json`"
              ", another script, other moments: compare with care), its wall time including "
              "start-up.")
            p("")
            p("| system, judge in flight | rows/s end to end | rows/s window | judge calls/s (window) "
              "| calls/row | CPU us/row | n | load |")
            p("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
            jb = load(a.results, f"judge_bound_{meta.get('latency_ms')}ms.json")
            for g in [x for x in (jb or {}).get("groups", [])
                      if x.get("system") == "evalfleet_local" and x.get("phase") == "main"]:
                v = g["variant"]
                name = "64 (default)" if v == "default" else str(v)
                p(f"| local mode `evalfleet run`, {name} | {rng(g, 'rows_per_s')} | - | "
                  f"{rng(g, 'calls_per_s')} (wall) | {fmt(g.get('judge_calls', 0) / g['rows'], 2)} | "
                  f"{fmt(g.get('cpu_us_per_call', 0) * 5)} | {g['n']} | "
                  f"{fmt(g.get('load1'), 1)} |")
            for g in s1:
                rs = runs(scal, phase="s1", judge_max_inflight=g["judge_max_inflight"])
                name = "one fleet worker, " + f"{g['judge_max_inflight']}" + (
                    " (default)" if g["judge_max_inflight"] == 64 else "")
                p(f"| {name} | {rng(g, 'rows_per_s_e2e')} | {rng(g, 'rows_per_s')} | "
                  f"{rng(g, 'calls_per_s')} | {fmt(g.get('calls_per_row'), 2)} | "
                  f"{fmt(g.get('worker_cpu_us_per_row'))} | {g['n']} | {load_note(rs)} |")
            p("")
        sc = [g for g in scal["groups"] if g["phase"] == "scale"]
        if sc:
            p("### Bench 5: fleet scaling, 1 / 2 / 4 workers")
            p("")
            p(f"`{cmd}`: {fmt(meta.get('rows'))} rows, QA composite, mock latency "
              f"{meta.get('latency_ms')} ms, {meta.get('partitions')} partitions, each worker "
              f"`--max-inflight-rows {meta.get('max_inflight_rows')}`, run option "
              f"`--judge-max-inflight {meta.get('judge_max_inflight')}` (per worker), one "
              "aggregator, Redis FLUSHALLed before each run (every judge call a cache miss, "
              "the reply then cached, as on fresh data). rows/s over the window first to last "
              "committed result (ef:{RUN}:meta first_ts/last_ts); judge calls from the mock's "
              "/stats; CPU = user+sys of each process (`/usr/bin/time -v`; Kafka, Redis, mock "
              "from /proc) over the run, per row.")
            p("")
            p("| workers | rows/s | rows/s end to end | judge calls/s | calls/row "
              "| bound (in flight / latency) | worker CPU us/row | aggregator us/row "
              "| producer us/row | Kafka us/row | Redis us/row | mock us/row | cores used "
              "| n | load |")
            p("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
              "| ---: | ---: | ---: | ---: |")
            used = {}
            for g in sc:
                rs = runs(scal, phase="scale", workers=g["workers"])
                ok_rs = [r for r in rs if r.get("ok") == 1]
                mock_us = med([r["mock_cpu_s"] * 1e6 / r["rows"] for r in ok_rs])
                # CPU seconds of every process of the bench / window seconds.
                cores = med([(r["worker_cpu_s"] + r["aggregator_cpu_s"] + r["producer_cpu_s"] +
                              r["kafka_cpu_s"] + r["redis_cpu_s"] + r["mock_cpu_s"]) / r["e2e_s"]
                             for r in ok_rs if r.get("e2e_s")])
                used[g["workers"]] = cores
                p(f"| {g['workers']} | {rng(g, 'rows_per_s')} | {rng(g, 'rows_per_s_e2e')} | "
                  f"{rng(g, 'calls_per_s')} | {fmt(g.get('calls_per_row'), 2)} | "
                  f"{fmt(g.get('limit_rows_per_s'))} | {rng(g, 'worker_cpu_us_per_row')} | "
                  f"{fmt(g.get('aggregator_cpu_us_per_row'))} | "
                  f"{fmt(g.get('producer_cpu_us_per_row'), 1)} | "
                  f"{fmt(g.get('kafka_cpu_us_per_row'))} | {fmt(g.get('redis_cpu_us_per_row'))} | "
                  f"{fmt(mock_us)} | {fmt(cores, 2)} | {g['n']} | {load_note(rs)} |")
            p("")
            p("Cores used = CPU seconds of every process of the bench (workers, aggregator, "
              "producer, Kafka, Redis, mock) over the end-to-end time. Kafka's and Redis' CPU "
              "includes their idle background work during the run.")
            p("")
            if m.get("w1_rows_per_s") and used:
                tot = sum((m.get(k) or 0) for k in ("worker_cpu_us_per_row",
                                                    "aggregator_cpu_us_per_row",
                                                    "kafka_cpu_us_per_row",
                                                    "redis_cpu_us_per_row"))
                mock_us = med([r["mock_cpu_s"] * 1e6 / r["rows"]
                               for r in runs(scal, phase="scale", workers=1) if r.get("ok") == 1])
                best = max(sc, key=lambda g: g.get("rows_per_s") or 0)
                p(f"Reading: every configuration is CPU-bound, far below its concurrency bound "
                  f"(one worker: {fmt(m['w1_rows_per_s'])} rows/s of "
                  f"{fmt(m.get('w1_limit_rows_per_s'))}). A row costs about {fmt(tot)} us of CPU "
                  f"in the fleet (worker, aggregator, Kafka, Redis) plus {fmt(mock_us)} us in the "
                  f"mock judge, and the bench got only "
                  f"{', '.join(f'{fmt(v, 2)} ({w} worker{chr(115) if w > 1 else chr(32)})'.replace(' )', ')') for w, v in used.items())} "
                  f"of the machine's 2 cores, the rest going to other tenants (see load). "
                  f"The rows/s follow that share: {best['workers']} workers were fastest "
                  f"({fmt(best['rows_per_s'])} rows/s) because more runnable processes get a "
                  f"larger share of contended cores, not because of the fleet's design. On one "
                  f"2-core machine the fleet cannot scale; across machines, rows/s grow with the "
                  f"cores given to workers until the judge quota binds: the model below uses "
                  f"the per-row CPU and the concurrency bound, not these rows/s. CPU per row is "
                  f"itself inflated by contention (fewer events per wake-up), so the model errs "
                  f"on the safe side.")
                p("")
            g1 = [g for g in sc if g["workers"] == 1]
            if g1:
                g1 = g1[0]
                p(f"Storage per row (QA composite rows, about 1 KB of input each), from the "
                  f"same runs: Redis {fmt(g1.get('redis_rows_bytes_per_row'))} B per stored row "
                  f"result (`MEMORY USAGE ef:{{RUN}}:rows SAMPLES 0` / rows: the encoded result "
                  f"repeats the row's inputs and five judge reasons) and "
                  f"{fmt(g1.get('redis_cache_bytes_per_key'))} B per cached judge reply "
                  f"(`ef:cache:*`, kept `--judge-cache-ttl`, one day by default); Kafka "
                  f"{fmt(g1.get('kafka_rows_bytes_per_row'))} B per row in the rows topic and "
                  f"{fmt(g1.get('kafka_results_bytes_per_row'))} B in the results topic (log "
                  f"segment bytes, no compression). Peak RSS: worker "
                  f"{fmt((g1.get('worker_rss_kb_max') or 0) / 1024, 1)} MB, aggregator "
                  f"{fmt((g1.get('aggregator_rss_kb') or 0) / 1024, 1)} MB, producer "
                  f"{fmt((g1.get('producer_rss_kb') or 0) / 1024, 1)} MB.")
                p("")
            if meta.get("script_seconds"):
                p(f"(`{cmd}` took {dur(meta['script_seconds'])} in all.)")
                p("")
    if mem:
        meta = mem["meta"]
        sz = sweep(mem)
        loc = {g["rows"]: g for g in groups(mem, part="rows", system="evalfleet_local")}
        if sz:
            k = meta.get("size_worker_inflight", 5000)
            p("### Bench 4: memory of each fleet role against dataset size")
            p("")
            p("`bench/fleet_memory.sh` (part a): `--evaluators f1_score`, the dataset generated "
              "on the fly (`bench/gen_rows.py N --distinct 100000`) and piped into `evalfleet "
              f"produce --data -`; one worker (`--max-inflight-rows {k}`) consuming while "
              "produce publishes; once every row is evaluated, one aggregator on the whole "
              "results backlog (its worst case), writing the result file (rows.jsonl above "
              "100,000 rows); local mode `evalfleet run --data - --output` on the same rows for "
              "reference. Peak RSS (`/usr/bin/time -v`, each process alone) in MB; rows/s of "
              "each stage alone (worker: produce start to its 5-second stats line showing every "
              "row done, so coarse below 100,000 rows; aggregator: first to last commit).")
            p("")
            p("| rows | producer MB | worker MB | aggregator MB | local mode MB | producer rows/s "
              "| worker rows/s | aggregator rows/s | file export s | Redis B/row "
              "| Kafka B/row (rows + results) | n | load |")
            p("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
              "| ---: |")
            for g in sz:
                lg = loc.get(g["rows"], {})
                rs = runs(mem, part="rows", system="evalfleet_fleet", rows=g["rows"],
                          variant=g["variant"])
                p(f"| {fmt(g['rows'])} | {rng(g, 'producer_rss_mb', 1)} | "
                  f"{rng(g, 'worker_rss_mb', 1)} | {rng(g, 'aggregator_rss_mb', 1)} | "
                  f"{rng(lg, 'rss_mb', 1) if lg else 'n/a'} | "
                  f"{fmt(g.get('producer_rows_per_s'))} | {fmt(g.get('worker_rows_per_s'))} | "
                  f"{fmt(g.get('aggregator_rows_per_s'))} | {fmt(g.get('export_s'), 1)} | "
                  f"{fmt(g.get('redis_rows_bytes_per_row'))} | "
                  f"{fmt((g.get('kafka_rows_bytes_per_row') or 0) + (g.get('kafka_results_bytes_per_row') or 0))} "
                  f"| {g['n']} | {load_note(rs)} |")
            p("")
            big = [g for g in sz if g.get("ok") == 1]
            if len(big) >= 2:
                lo, hi = min(big, key=lambda g: g["rows"]), max(big, key=lambda g: g["rows"])
                for role in ("producer", "worker", "aggregator"):
                    a0, a1 = lo.get(f"{role}_rss_mb"), hi.get(f"{role}_rss_mb")
                    if a0 and a1:
                        mid = [g.get(f"{role}_rss_mb") for g in big
                               if g["rows"] not in (lo["rows"], hi["rows"])]
                        flat = a1 <= a0 * 1.25 + 2
                        verdict = "flat"
                        if not flat:
                            # Bounded: the librdkafka queues fill by the second size, and
                            # from there to the largest (>= 10x the rows) the peak stays.
                            srt = sorted(big, key=lambda g: g["rows"])
                            b0 = srt[1].get(f"{role}_rss_mb")
                            bounded = (len(srt) >= 3 and b0 and hi["rows"] >= 10 * srt[1]["rows"]
                                       and a1 <= b0 * 1.25 + 2)
                            verdict = (f"bounded: its queues fill by {fmt(srt[1]['rows'])} rows, "
                                       f"then {a1 - b0:+.1f} MB over "
                                       f"{hi['rows'] // srt[1]['rows']}x the rows"
                                       if bounded else "grows")
                        p(f"- {role}: {fmt(a0, 1)} MB at {fmt(lo['rows'])} rows, "
                          + "".join(f"{fmt(x, 1)} MB, " for x in mid) +
                          f"{fmt(a1, 1)} MB at {fmt(hi['rows'])} rows: {verdict}.")
                p("")
            bc = [g for g in groups(mem, part="rows", system="evalfleet_fleet")
                  if g.get("variant") == "worker_inflight_1000"]
            for g in bc:
                same = [x for x in sz if x["rows"] == g["rows"]]
                p(f"The worker's default bound on these cheap rows (`--max-inflight-rows 1000`, "
                  f"{fmt(g['rows'])} rows, same script): {fmt(g.get('worker_rows_per_s'))} rows/s, "
                  f"{fmt(g.get('worker_pauses'))} pauses, {fmt(g.get('worker_rss_mb'), 1)} MB"
                  + (f", against {fmt(same[0].get('worker_rows_per_s'))} rows/s at {k}"
                     if same else "") + ".")
                p("")
        inf = groups(mem, part="inflight")
        if inf:
            p("### Bench 4: memory of one worker against rows in flight")
            p("")
            p(f"`bench/fleet_memory.sh` (part b): one worker, `--max-inflight-rows K`, 3K rows "
              f"waiting in the topic, mock judge `--latency-ms {meta.get('latency_ms')}` so the "
              f"bound is reached (the worker logged `paused at K rows in flight`; judge calls in "
              f"flight seen by the mock in the table), `--judge-max-inflight` = K x judge calls "
              f"per row, capped at {meta.get('jcap_max')} (the open-file limit). qa+backlog: "
              f"{fmt(meta.get('backlog_rows'))} rows waiting. Local mode: `evalfleet run` with "
              f"the same rows and flags. Peak RSS in MB.")
            p("")
            p("| variant | rows in flight | worker | local mode | judge calls in flight (worker) "
              "| worker paused | n | load |")
            p("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
            for g in groups(mem, part="inflight", system="evalfleet_worker"):
                lg = groups(mem, part="inflight", system="evalfleet_local", variant=g["variant"],
                            inflight=g["inflight"])
                rs = runs(mem, part="inflight", system="evalfleet_worker", variant=g["variant"],
                          inflight=g["inflight"])
                p(f"| {g['variant']} | {fmt(g['inflight'])} | {rng(g, 'rss_mb', 1)} | "
                  f"{rng(lg[0], 'rss_mb', 1) if lg else 'n/a'} | {fmt(g.get('mock_max_inflight'))} "
                  f"| {'yes' if (g.get('pauses') or 0) > 0 else 'no'} | {g['n']} | "
                  f"{load_note(rs)} |")
            p("")
            at1k = {g["variant"]: g.get("rss_mb")
                    for g in groups(mem, part="inflight", system="evalfleet_worker", inflight=1000)}
            if at1k:
                p("Target: a worker under 64 MB at 1,000 rows in flight: " + "; ".join(
                    f"{v} {fmt(x, 1)} MB ({'met' if x is not None and x < 64 else 'MISSED'})"
                    for v, x in at1k.items()) + ".")
                p("")
        if meta.get("script_seconds"):
            p(f"(`bench/fleet_memory.sh` took {dur(meta['script_seconds'])} in all.)")
            p("")
    if not rdk and mem and any(str(g.get("variant", "")).endswith("+librdkafka")
                               for g in mem["groups"]):
        rdk = mem
    if rdk:
        p("### Bench 4: what evalfleet's queue bounds save")
        p("")
        p("`FLEET_MEM_PARTS=librdkafka bench/fleet_memory.sh` "
          "(`bench/results/fleet_memory_librdkafka.json`): every role given librdkafka's own "
          "queue bounds back (`-X queue.buffering.max.messages=100000 -X "
          "queue.buffering.max.kbytes=1048576 -X queued.max.messages.kbytes=65536 -X "
          "fetch.max.bytes=52428800`), against the default runs above, which use evalfleet's "
          "bounds ([configuration.md](configuration.md#kafka-client-defaults)). Peak RSS in MB.")
        p("")
        p("| run | queue bounds | producer | worker | aggregator | producer rows/s | worker rows/s "
          "| aggregator rows/s | n | load |")
        p("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for g in [x for x in groups(rdk, part="rows", system="evalfleet_fleet")
                  if str(x.get("variant")).endswith("+librdkafka")]:
            base = [x for x in sweep(mem) if x["rows"] == g["rows"]] if mem else []
            for label, x, doc in (([("evalfleet", base[0], mem)] if base else [])
                                  + [("librdkafka", g, rdk)]):
                rs = runs(doc, part="rows", system="evalfleet_fleet", rows=x["rows"],
                          variant=x["variant"])
                p(f"| {fmt(x['rows'])} rows, f1_score | {label} | {rng(x, 'producer_rss_mb', 1)} | "
                  f"{rng(x, 'worker_rss_mb', 1)} | {rng(x, 'aggregator_rss_mb', 1)} | "
                  f"{fmt(x.get('producer_rows_per_s'))} | {fmt(x.get('worker_rows_per_s'))} | "
                  f"{fmt(x.get('aggregator_rows_per_s'))} | {x['n']} | {load_note(rs)} |")
        for g in [x for x in groups(rdk, part="inflight", system="evalfleet_worker")
                  if str(x.get("variant")).endswith("+librdkafka")]:
            base = groups(mem, part="inflight", system="evalfleet_worker", variant="qa+backlog",
                          inflight=g["inflight"]) if mem else []
            for label, x, doc in (([("evalfleet", base[0], mem)] if base else [])
                                  + [("librdkafka", g, rdk)]):
                rs = runs(doc, part="inflight", system="evalfleet_worker", variant=x["variant"],
                          inflight=x["inflight"])
                p(f"| worker, qa, {fmt(x['inflight'])} rows in flight, {fmt(x['rows'])} waiting | "
                  f"{label} | - | {rng(x, 'rss_mb', 1)} | - | - | - | - | {x['n']} | "
                  f"{load_note(rs)} |")
        p("")
    if heap:
        hm = heap["meta"]
        p("### Where a worker's memory goes at 1,000 QA rows in flight")
        p("")
        p(f"`{heap['command']}`: heaptrack over `evalfleet run --evaluators {hm['evaluators']} "
          f"--max-inflight-rows {hm['inflight_rows']} --judge-max-inflight "
          f"{hm['judge_max_inflight']}` against the mock at {hm['latency_ms']} ms "
          f"({hm['mock_max_inflight']} judge calls in flight seen). Local mode runs the worker's "
          f"engine, judge client and evaluators, without librdkafka. Peak heap "
          f"{fmt(heap['groups'][0].get('peak_heap_mb'), 1)} MB; the largest consumers at the "
          f"peak:")
        p("")
        p("| MB at peak | allocations | allocated in <- called from |")
        p("| ---: | ---: | --- |")
        for t in heap["runs"][:8]:
            chain = " <- ".join([t.get("site") or "?"] + t["stack"][:4])
            p(f"| {t['bytes'] / 1e6:.1f} | {t['calls']:,} | `{chain}` |")
        p("")
    if models:
        p("### Bench 5: sizing model for a 100 M-row run")
        p("")
        p(f"`bench/fleet_model.py` (defaults: {fmt(a.rows)} rows of the QA composite, "
          f"`--max-inflight-rows {a.max_inflight_rows}`, `--judge-max-inflight "
          f"{a.judge_max_inflight}` per worker, judge cache TTL {a.cache_ttl} s), from the "
          f"measured per-row costs above ({fmt(m.get('calls_per_row'), 2)} judge calls per row "
          f"counted by the mock; worker {fmt(m.get('worker_cpu_us_per_row'))} us, aggregator "
          f"{fmt(m.get('aggregator_cpu_us_per_row'))} us, Kafka "
          f"{fmt(m.get('kafka_cpu_us_per_row'))} us, Redis {fmt(m.get('redis_cpu_us_per_row'))} us "
          f"of CPU per row). A worker's rows/s = min(min(R, J / c) / latency, {a.cpu_target:g} core / "
          f"its CPU per row), R rows in flight, J judge calls in flight, c calls per row; "
          f"aggregators = aggregator cores / {a.cpu_target:g}. Fleet cores exclude the judge.")
        p("")
        p("| quota (req/min) | judge latency | rows/s | duration | workers (bound) "
          f"| partitions | fleet cores | of which aggregator | Redis: rows + cache "
          f"| Kafka (rows + results, x{a.replication}) | worker RSS |")
        p("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for x in models:
            p(f"| {fmt(x['quota_rpm'])} | {x['latency_s']:g} s | {fmt(x['rows_per_s'])} | "
              f"{dur(x['duration_s'])}{'' if x['retention_ok'] else f' (> {a.retention_days:g}-day retention)'} | "
              f"{x['workers']} ({x['per_worker_bound']}: "
              f"{fmt(x['per_worker_rows_per_s'])} rows/s each) | {x['partitions']} | "
              f"{fmt(x['fleet_cores'], 2)} | {fmt(x['aggregator_cores'], 2)} "
              f"({x['aggregators']} aggregator{'s' if x['aggregators'] > 1 else ''}) | "
              f"{fmt(x['redis_rows_gb'])} + {fmt(x['redis_cache_gb'])} GB "
              f"| {fmt(x['kafka_gb'])} GB | {fmt(x['worker_rss_mb'])} MB |")
        p("")
        p("Reading the model:")
        p("")
        p("- The judge quota, not the fleet, sets the pace: at 100,000 requests/min a 100 M-row "
          "QA run takes days, and a handful of workers keep up. Workers are needed for "
          "concurrency when the judge is slow (rows in flight / latency), not for CPU. One "
          "worker's in-flight bound `min(R, J / c) / latency` is the lever: raise "
          "`--judge-max-inflight` (a run option) before adding workers.")
        slow = max(models, key=lambda x: (x["quota_rpm"], x["latency_s"]))
        if slow["per_worker_bound"] == "concurrency":
            b = argparse.Namespace(**vars(a))
            b.judge_max_inflight = int(a.max_inflight_rows * m["calls_per_row"])
            y = model(m, b, slow["quota_rpm"], slow["latency_s"])
            p(f"  For example at {fmt(slow['quota_rpm'])} requests/min and {slow['latency_s']:g} s, "
              f"`--judge-max-inflight {b.judge_max_inflight}` (every one of the "
              f"{a.max_inflight_rows} rows' calls at once) gives {fmt(y['per_worker_rows_per_s'])} "
              f"rows/s per worker ({y['per_worker_bound']}-bound) and {y['workers']} workers "
              f"instead of {slow['workers']}.")
        p("- Partitions: at least the number of workers (a partition feeds one worker); twice "
          "that, and at least 8, lets workers be added mid-run. The results topic's count "
          "must not change while a run is in flight.")
        p("- Redis: every row result stays in `ef:{RUN}:rows` until the file is written, so "
          "Redis must hold N x bytes per row (hundreds of GB for 100 M QA rows; text-metric "
          "rows are smaller, see bench 4). The judge reply cache adds TTL x calls/s x bytes "
          "per reply: lower `--judge-cache-ttl` (or 0) for one-off large runs.")
        p("- Kafka: the producer publishes the whole dataset at once, so the rows topic must "
          "retain it for the whole run (`retention.ms` >= the duration; the broker default is "
          "7 days, shorter than some runs above) and hold N x bytes per row on disk.")
        p("")
    if not (scal or mem or heap or rdk):
        p("No fleet results yet: run `bench/fleet_scaling.sh` and `bench/fleet_memory.sh`.")
        p("")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--results", default=os.path.join(HERE, "results"))
    ap.add_argument("--rows", type=float, default=100e6)
    ap.add_argument("--quota-rpm", default="10000,100000,1000000")
    ap.add_argument("--latency-s", default=None,
                    help="judge latencies in seconds (default: the measured one and 2.0)")
    ap.add_argument("--max-inflight-rows", type=int, default=1000)
    ap.add_argument("--judge-max-inflight", type=int, default=1000)
    ap.add_argument("--cache-ttl", type=float, default=86400)
    ap.add_argument("--retention-days", type=float, default=7)
    ap.add_argument("--cpu-target", type=float, default=0.7,
                    help="share of a core a worker or aggregator is planned to use (0.7)")
    ap.add_argument("--replication", type=int, default=3,
                    help="Kafka replication factor (k8s/10-kafka.yaml: 3; measured at 1)")
    ap.add_argument("--json", default=None)
    ap.add_argument("--report", default=None)
    a = ap.parse_args()
    scal = load(a.results, "fleet_scaling.json")
    mem = load(a.results, "fleet_memory.json")
    m = measured(scal, mem)
    models = []
    if m.get("worker_cpu_us_per_row"):
        lats = ([float(x) for x in a.latency_s.split(",")] if a.latency_s
                else sorted({m.get("latency_s", 0.1), 2.0}))
        for q in (float(x) for x in a.quota_rpm.split(",")):
            for lat in lats:
                models.append(model(m, a, q, lat))
        for x in models:
            print(f"quota {x['quota_rpm']:>9,.0f}/min latency {x['latency_s']:g}s: "
                  f"{x['rows_per_s']:,.0f} rows/s, {dur(x['duration_s'])}, {x['workers']} workers "
                  f"({x['per_worker_bound']}-bound, {x['per_worker_rows_per_s']:,.0f} rows/s each), "
                  f"{x['partitions']} partitions, {x['fleet_cores']:.2f} cores, Redis "
                  f"{x['redis_gb']:,.0f} GB, Kafka {x['kafka_gb']:,.0f} GB"
                  + ("" if x["retention_ok"] else ", LONGER than the rows topic's retention"))
    else:
        print("fleet_model: no fleet_scaling.json with a complete run in " + a.results,
              file=sys.stderr)
    out = a.json or os.path.join(a.results, "fleet_model.json")
    if scal:
        doc = {"scenario": "fleet_model", "command": "bench/fleet_model.py " + " ".join(sys.argv[1:]),
               "inputs": m, "params": vars(a), "models": models}
        with open(out + ".tmp", "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        os.replace(out + ".tmp", out)
    if a.report:
        text = report(a, scal, mem, m, models, load(a.results, "fleet_heap.json"),
                      load(a.results, "fleet_memory_librdkafka.json"))
        with open(a.report + ".tmp", "w") as f:
            f.write(text + "\n")
        os.replace(a.report + ".tmp", a.report)


if __name__ == "__main__":
    main()
