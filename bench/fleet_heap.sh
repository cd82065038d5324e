#!/usr/bin/env bash
# Where a worker's memory at K rows in flight goes: heaptrack (Debian package `heaptrack`) over
# `evalfleet run --evaluators EVALS --max-inflight-rows K --judge-max-inflight J` against a
# mock judge answering after LATENCY_MS (2000), 3K rows, so K rows really are in flight.
# Local mode runs the same engine, judge client and evaluators as `evalfleet worker` (the
# worker adds librdkafka and hiredis: bench/fleet_memory.sh measures its RSS), without a
# broker, so the profile is not blurred by librdkafka's prefetch.
#
#   bench/fleet_heap.sh [K] [EVALS]       (default 1000 qa; J = K x judge calls per row)
#
# Writes bench/results/fleet_heap.json: peak heap, and the top peak consumers (their
# allocation site, first frames of the stack, bytes at the peak).  Not a test.
# FLEET_BENCH_SMOKE=1: K = 20.
. "$(dirname "$0")/fleet_lib.sh"
fleet_init fleet_heap
K=${1:-1000}
EVALS=${2:-qa}
LATENCY_MS=${LATENCY_MS:-2000}
[ "$BENCH_SMOKE" = 1 ] && { K=20; LATENCY_MS=200; }
command -v heaptrack >/dev/null && command -v heaptrack_print >/dev/null ||
  { echo "bench: heaptrack missing (apt-get install heaptrack)" >&2; exit 1; }
case $EVALS in qa) CPR=5 ;; content_safety) CPR=4 ;; *) CPR=1 ;; esac
J=$((K * CPR))
python3 bench/gen_rows.py $((K * 3)) --kind qa > "$W/qa.jsonl"
mock_start judge --latency-ms "$LATENCY_MS"
OPENAI_BASE_URL=$MOCK_URL/v1 OPENAI_API_KEY=sk-bench timeout -k 5 600 heaptrack -o "$W/heap" \
  "$EF" run --data "$W/qa.jsonl" --evaluators "$EVALS" --quiet --max-inflight-rows "$K" \
  --judge-max-inflight "$J" > "$W/run.out" 2> "$W/heaptrack.err"
MAXIN=$(mock_stat "x['max_inflight']")
mock_stop
F=$({ ls "$W"/heap*.zst "$W"/heap*.gz 2>/dev/null || true; } | head -n 1)
heaptrack_print -f "$F" --print-peaks 1 --print-allocators 0 --print-temporary 0 \
  --print-leaks 0 --peak-limit 15 > "$W/peaks.txt" 2>/dev/null
heaptrack_print -f "$F" --print-peaks 0 --print-allocators 0 --print-temporary 0 \
  --print-leaks 0 > "$W/summary.txt" 2>/dev/null
python3 - "$W/peaks.txt" "$W/summary.txt" "$BENCH_RESULTS/fleet_heap.json" "$K" "$EVALS" "$J" \
  "$LATENCY_MS" "$MAXIN" <<'PY'
import json, re, sys, time
peaks, summary, out, k, evals, j, lat, maxin = sys.argv[1:]
UNIT = {"": 1, "K": 1e3, "M": 1e6, "G": 1e9}
def num(s):
    m = re.match(r"([0-9.]+)([KMG]?)", s)
    return float(m.group(1)) * UNIT[m.group(2)]
# Frames are function names; an unnamed address becomes its library "(libcurl.so.4)".
top, cur, site, want_site, last = [], None, None, False, None
def lib(line):
    return "(" + line.strip()[3:].rsplit("/", 1)[-1] + ")"
for line in open(peaks):
    line = line.rstrip("\n")
    if re.match(r"^[0-9.]+[KMG]? peak memory consumed", line):
        cur, want_site = None, True
        continue
    if want_site:
        site, want_site = line.strip(), False
        continue
    if site and site.startswith("0x") and line.startswith("  in ") and cur is None:
        site = lib(line)
        continue
    m = re.match(r"^([0-9.]+[KMG]?) consumed over (\d+) calls from:", line)
    if m:
        cur = {"bytes": num(m.group(1)), "calls": int(m.group(2)), "site": site, "stack": []}
        top.append(cur)
    elif cur is not None and line.startswith("    ") and not line.startswith("      "):
        cur["stack"].append(line.strip())
    elif cur is not None and line.startswith("      in ") and cur["stack"] and cur["stack"][-1].startswith("0x"):
        cur["stack"][-1] = lib(line[4:])
for t in top:
    t["stack"] = t["stack"][:6]
peak = None
for line in open(summary):
    m = re.match(r"peak heap memory consumption: ([0-9.]+[KMG]?)", line)
    if m:
        peak = num(m.group(1))
top.sort(key=lambda t: -t["bytes"])
doc = {"scenario": "fleet_heap",
       "command": f"bench/fleet_heap.sh {k} {evals}",
       "generated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
       "meta": {"inflight_rows": int(k), "evaluators": evals, "judge_max_inflight": int(j),
                "latency_ms": int(lat), "mock_max_inflight": int(maxin)},
       "groups": [{"peak_heap_bytes": peak, "peak_heap_mb": round((peak or 0) / 1e6, 1)}],
       "runs": top[:12]}
json.dump(doc, open(out, "w"), indent=1)
print(f"peak heap {doc['groups'][0]['peak_heap_mb']} MB")
for t in top[:8]:
    print(f"{t['bytes'] / 1e6:7.1f} MB  {t['calls']:>7} calls  {t['site']} <- {' <- '.join(t['stack'][:4])}")
PY
echo "bench: wrote $BENCH_RESULTS/fleet_heap.json" >&2
fleet_smoke_check "$BENCH_RESULTS/fleet_heap.json"
fleet_report
