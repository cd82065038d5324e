#!/usr/bin/env bash
# Bench 4 (memory): peak RSS (/usr/bin/time -v, the evalfleet process alone) of
#  a) `evalfleet run --evaluators f1_score` over 10k .. 10M rows, generated on the fly and
#     piped in (`--data -`; bench/gen_rows.py, 100k distinct rows repeated with new ids),
#     without a result file and with one (--output: rows embedded in
#     evaluation_results.json up to 100,000 rows, streamed to rows.jsonl above);
#  b) one judge (relevance) alone, and the five text metrics + that judge (METEOR loads
#     WordNet, ~30 MB), with 100 / 1,000 / 5,000 rows in flight
#     (--max-inflight-rows N --judge-max-inflight N) against a mock judge answering after
#     LATENCY_MS (2000), over 3N rows, so that N rows really are in flight (the mock's
#     max_inflight is recorded).
#
#   bench/memory.sh [SIZES] [INFLIGHT]    (default "10000 100000 1000000 10000000" "100 1000 5000")
#
# Repeats: BENCH_REPS (default 3), interleaved over the sizes; sizes above 1M run once unless
# BIG_REPS is set.  --output runs are skipped when /tmp has less than 600 bytes/row free.
# Writes bench/results/memory.json.  Not a test.
#
# Adding the fleet: a function per role (producer over the same sizes, worker at the same
# in-flight counts, aggregator over the same sizes) recording system=evalfleet_<role> with
# the same fields plugs into the two loops below.
. "$(dirname "$0")/lib.sh"
bench_init memory LATENCY_MS BIG_REPS
SIZES=(${1:-10000 100000 1000000 10000000})
INFLIGHT=(${2:-100 1000 5000})
LATENCY_MS=${LATENCY_MS:-2000}
BIG_REPS=${BIG_REPS:-1}
[ "$BENCH_SMOKE" = 1 ] && LATENCY_MS=${LATENCY_MS_SMOKE:-200}

free_bytes() { df -P --block-size=1 "${TMPDIR:-/tmp}" | awk 'NR==2 {print $4}'; }

# a) dataset size
run_size() {
  local n=$1 out=$2 flags=()
  if [ "$out" = output ]; then
    if [ "$(free_bytes)" -lt $((n * 600)) ]; then echo "bench: skip --output at $n rows: disk" >&2; return 0; fi
    rm -rf "$W/out"; flags=(--output "$W/out")
  fi
  measure ef "$EF" run --data - --evaluators f1_score --quiet "${flags[@]}" \
    < <(python3 bench/gen_rows.py "$n" --distinct 100000)
  local got
  got=$(jget "$W/ef.out" "x.get('f1_score.f1_score') is not None and x.get('f1_score.error_count')" 2>/dev/null || echo -1)
  record part=rows system=evalfleet_local variant="$out" rows="$n" rep="$REP" rc="$M_RC" \
    rss_kb="$M_RSS_KB" rss_mb="$(python3 -c "print(round($M_RSS_KB / 1024, 1))")" wall_s="$M_WALL" \
    user_s="$M_USER" sys_s="$M_SYS" row_errors="$got" rows_per_s="$(rate "$n" "$M_WALL")"
  echo "bench: $n rows ($out): $((M_RSS_KB / 1024)) MB peak RSS, $(rate "$n" "$M_WALL") rows/s, load $(load1)" >&2
  rm -rf "$W/out"
}

for REP in $(seq "$BENCH_REPS"); do
  for n in "${SIZES[@]}"; do
    [ "$n" -gt 1000000 ] && [ "$REP" -gt "$BIG_REPS" ] && continue
    run_size "$n" metrics
    run_size "$n" output
  done
done

# b) rows in flight
mock_start judge --latency-ms "$LATENCY_MS"
python3 bench/gen_rows.py $(( ${INFLIGHT[-1]} * 3 )) --kind qa > "$W/qa.jsonl"
for REP in $(seq "$BENCH_REPS"); do
  for k in "${INFLIGHT[@]}"; do
    for evs in relevance f1_score,bleu,gleu,meteor,rouge,relevance; do
      head -n $((k * 3)) "$W/qa.jsonl" > "$W/qa_k.jsonl"
      mock_reset
      OPENAI_BASE_URL=$MOCK_URL/v1 OPENAI_API_KEY=sk-bench \
        measure efk "$EF" run --data "$W/qa_k.jsonl" --evaluators "$evs" \
          --quiet --max-inflight-rows "$k" --judge-max-inflight "$k"
      maxin=$(mock_stat "x['max_inflight']"); calls=$(mock_stat "x['ok']")
      v=$([ "$evs" = relevance ] && echo relevance || echo text5+relevance)
      record part=inflight system=evalfleet_local variant="$v" inflight="$k" rows=$((k * 3)) \
        rep="$REP" rc="$M_RC" rss_kb="$M_RSS_KB" rss_mb="$(python3 -c "print(round($M_RSS_KB / 1024, 1))")" \
        wall_s="$M_WALL" user_s="$M_USER" sys_s="$M_SYS" judge_calls="$calls" mock_max_inflight="$maxin" \
        latency_ms="$LATENCY_MS"
      echo "bench: $k rows in flight, $v (seen $maxin): $((M_RSS_KB / 1024)) MB peak RSS, load $(load1)" >&2
    done
  done
done
mock_stop

summarize memory --group part,system,variant,rows,inflight --command "${CMD_ENV}bench/memory.sh" \
  --meta sizes="$(printf '%s,' "${SIZES[@]}" | sed 's/,$//')" \
  --meta inflight="$(printf '%s,' "${INFLIGHT[@]}" | sed 's/,$//')" --meta latency_ms="$LATENCY_MS"
python3 - "$BENCH_RESULTS/memory.json" <<'PY'
import json, sys
p = sys.argv[1]; d = json.load(open(p))
d["targets"] = {"worker_rss_mb_at_1000_inflight_max": 64, "producer_aggregator": "flat in dataset size"}
json.dump(d, open(p, "w"), indent=1)
for g in d["groups"]:
    print(g["part"], g["variant"], g.get("rows"), g.get("inflight"), g["rss_mb"], "MB")
PY
