#!/usr/bin/env bash
# Bench 5 (fleet scaling) and bench 1's "one fleet worker" row: the QA composite
# (`--evaluators qa`: five LLM judges + F1 per row) evaluated by the fleet against a real
# single-node KRaft Kafka and a real redis-server on this machine, every judge call answered
# by one mock judge after LATENCY_MS.
#
#   bench/fleet_scaling.sh [ROWS] [LATENCY_MS]        (default 30000 100)
#
# One Kafka, one Redis and one mock judge for the whole script.  Each run: FLUSHALL (no
# judge reply cached from an earlier run: every call is a cache miss, as on fresh data),
# fresh rows/results topics with PARTS (8) partitions each, W workers started and given
# their partitions, one aggregator (`--run ID --exit-when-done`), then `evalfleet produce`
# of the dataset (bench/gen_rows.py ROWS --kind qa, seed 7: bench/judge_bound.sh's rows).
# Runs:
#   scale  W = 1 2 4 workers (FLEET_WORKERS), ROWS rows, --judge-max-inflight 1000 (a run
#          option, given to produce) and worker --max-inflight-rows 1000, so that the judge
#          latency and the CPU, not the bounds, limit;
#   s1     one worker, 2,000 rows (bench 1's size), judge in-flight cap 64 (the default, as
#          judge_bound.sh's evalfleet_local "default"), 512 (local mode's best in
#          bench/results/judge_bound_100ms.json) and 1000 (S1_CAPS).
# Repeats: BENCH_REPS (3), interleaved (every configuration once per repeat).
# Figures per run: rows/s over the aggregator's window (ef:{RUN}:meta first_ts..last_ts,
# first to last committed result) and end to end (produce start to finished_ts: the file
# written); judge calls (mock /stats ok) per second and per row; CPU seconds (user+sys,
# /usr/bin/time -v) of every role, per row; CPU of Kafka, Redis and the mock (/proc, deltas);
# peak RSS of each role; Redis bytes per stored row (MEMORY USAGE of ef:{RUN}:rows) and per
# cached judge reply; Kafka bytes per row of each topic (log segments).
# FLEET_BENCH_SMOKE=1: one run of 200 rows with 2 workers (seconds, plus the broker's start).  Writes bench/results/fleet_scaling.json and bench/fleet_report.md.
# Not a test.
. "$(dirname "$0")/fleet_lib.sh"
fleet_init fleet_scaling
ROWS=${1:-30000}
LAT=${2:-100}
PARTS=${PARTS:-8}
WORKERS=(${FLEET_WORKERS:-1 2 4})
S1_ROWS=${S1_ROWS:-2000}
S1_CAPS=(${S1_CAPS:-64 512 1000})
INFLIGHT_ROWS=${INFLIGHT_ROWS:-1000}
JUDGE_INFLIGHT=${JUDGE_INFLIGHT:-1000}
if [ "$BENCH_SMOKE" = 1 ]; then
  ROWS=200; S1_ROWS=200; WORKERS=(${FLEET_WORKERS:-2}); S1_CAPS=()
fi
OUT=fleet_scaling

python3 bench/gen_rows.py "$ROWS" --kind qa > "$W/qa.jsonl"
head -n "$S1_ROWS" "$W/qa.jsonl" > "$W/qa_s1.jsonl"
[ "$(wc -l < "$W/qa_s1.jsonl")" -eq "$S1_ROWS" ] ||
  python3 bench/gen_rows.py "$S1_ROWS" --kind qa > "$W/qa_s1.jsonl"
mock_start judge --latency-ms "$LAT"
fleet_servers_start
export OPENAI_API_KEY=sk-bench OPENAI_BASE_URL=$MOCK_URL/v1
FLEET=(-b "$BROKERS" --redis "$REDIS_URL")
NRUN=0

# write_summary [--meta k=v]...: the result file from the runs so far (also after each run,
# with partial=true, so that an interrupted script keeps what it measured).
write_summary() {
  summarize "$OUT" --group phase,workers,rows,judge_max_inflight \
    --command "bench/fleet_scaling.sh $ROWS $LAT" --meta latency_ms="$LAT" --meta rows="$ROWS" \
    --meta partitions="$PARTS" --meta max_inflight_rows="$INFLIGHT_ROWS" \
    --meta judge_max_inflight="$JUDGE_INFLIGHT" --meta s1_rows="$S1_ROWS" \
    --meta build="$FLEET_BUILD_CMD" --meta script_seconds="$((SECONDS - FLEET_T0))" \
    --meta mock_flags="--latency-ms $LAT" --meta dataset="bench/gen_rows.py N --kind qa (seed 7)" "$@"
}

# run_fleet PHASE W ROWS DATA JUDGE_INFLIGHT: one fleet run, one measurement.
run_fleet() {
  local phase=$1 nw=$2 rows=$3 data=$4 jcap=$5
  NRUN=$((NRUN + 1))
  local run=fs$NRUN-$phase-w$nw-r${REP}-$$
  local rt=rows.$run st=results.$run
  rcli FLUSHALL >/dev/null
  local mem0; mem0=$(redis_field memory used_memory)
  topic_create "$rt" "$PARTS"; topic_create "$st" "$PARTS"
  local wpids=() wlogs=() i
  for i in $(seq "$nw"); do
    role_start "w$i" "$EF" worker "${FLEET[@]}" --rows-topic "$rt" --results-topic "$st" \
      --group "wk.$run" --max-inflight-rows "$INFLIGHT_ROWS" --drain-timeout 30
    wpids+=("$ROLE_PID"); wlogs+=("$W/w$i.log")
  done
  role_start agg "$EF" aggregate "${FLEET[@]}" --results-topic "$st" --group "ag.$run" \
    -o "$W/out" --run "$run" --exit-when-done
  local apid=$ROLE_PID
  wait_assigned "${wlogs[@]}" || true
  mock_reset
  local k0 r0 m0 t0 load0
  k0=$(proc_cpu "$KAFKA_PID"); r0=$(proc_cpu "$REDIS_PID"); m0=$(proc_cpu "$MOCK_PID")
  load0=$(load1)
  t0=$(now_ms)
  measure produce "$EF" produce "${FLEET[@]}" --rows-topic "$rt" --data "$data" --evaluators qa \
    --run-id "$run" --judge-max-inflight "$jcap" --quiet
  local p_rc=$M_RC p_wall=$M_WALL p_cpu p_rss=$M_RSS_KB
  p_cpu=$(calc "$M_USER + $M_SYS")
  local a_rc=0
  role_wait "$apid" $((120 + rows / 20)) || a_rc=$?
  local t1; t1=$(now_ms)
  local k1 r1 m1
  k1=$(proc_cpu "$KAFKA_PID"); r1=$(proc_cpu "$REDIS_PID"); m1=$(proc_cpu "$MOCK_PID")
  local calls maxin merr
  calls=$(mock_stat "x['ok']"); maxin=$(mock_stat "x['max_inflight']")
  merr=$(mock_stat "x['errors'] + sum(x['faults'].values())")
  local first last fin done_ failed
  first=$(meta_get "$run" first_ts); last=$(meta_get "$run" last_ts)
  fin=$(meta_get "$run" finished_ts); done_=$(meta_get "$run" done); failed=$(meta_get "$run" failed)
  local rows_mem mem1 nkeys cache_keys cache_b
  rows_mem=$(rcli MEMORY USAGE "ef:{$run}:rows" SAMPLES 0 | tr -d '\r')
  mem1=$(redis_field memory used_memory)
  nkeys=$(rcli DBSIZE | tr -d '\r')
  rcli --scan --pattern 'ef:cache:*' > "$W/cache_keys.txt"
  cache_keys=$(wc -l < "$W/cache_keys.txt")
  cache_b=$(sed -n 1,50p "$W/cache_keys.txt" |
    while read -r k; do rcli MEMORY USAGE "$k" SAMPLES 0; done | tr -d '\r' |
    awk '{s += $1; n++} END {print n ? s / n : 0}')
  local kb_rows kb_res
  kb_rows=$(topic_bytes "$rt"); kb_res=$(topic_bytes "$st")
  # Workers: drain and stop; their CPU and peak RSS.
  for i in "${!wpids[@]}"; do role_stop "${wpids[$i]}" 60; done
  local w_cpu=0 w_rss_max=0 w_rss_list="" w_cpu_list=""
  for i in $(seq "$nw"); do
    role_stats "w$i"
    w_cpu=$(calc "$w_cpu + $M_USER + $M_SYS")
    [ "$M_RSS_KB" -gt "$w_rss_max" ] && w_rss_max=$M_RSS_KB
    w_rss_list+="$M_RSS_KB,"; w_cpu_list+="$(calc "$M_USER + $M_SYS"),"
  done
  role_stats agg
  local a_cpu a_rss=$M_RSS_KB
  a_cpu=$(calc "$M_USER + $M_SYS")
  local window_s=null e2e_s=null
  [ -n "$first" ] && [ -n "$last" ] && window_s=$(calc "round(($last - $first) / 1000, 3)")
  [ -n "$fin" ] && e2e_s=$(calc "round(($fin - $t0) / 1000, 3)")
  local ok=1
  { [ "$a_rc" = 0 ] && [ "$p_rc" = 0 ] && [ "${done_:-0}" = "$rows" ] && [ "${failed:-1}" = 0 ]; } || ok=0
  [ "$ok" = 1 ] || echo "bench: run $run incomplete: produce rc $p_rc, aggregator rc $a_rc, done ${done_:-?}/$rows, failed ${failed:-?}" >&2
  local rps=null rps_e2e=null cps=null
  if [ "$window_s" != null ] && python3 -c "import sys; sys.exit(0 if $window_s > 0 else 1)"; then
    rps=$(rate "$rows" "$window_s"); cps=$(rate "$calls" "$window_s")
  fi
  [ "$e2e_s" != null ] && rps_e2e=$(rate "$rows" "$e2e_s")
  record scenario=fleet_scaling phase="$phase" workers="$nw" rows="$rows" rep="$REP" \
    latency_ms="$LAT" judge_max_inflight="$jcap" max_inflight_rows="$INFLIGHT_ROWS" partitions="$PARTS" \
    ok="$ok" produce_rc="$p_rc" aggregate_rc="$a_rc" rows_done="${done_:-0}" rows_failed="${failed:-0}" \
    window_s="$window_s" e2e_s="$e2e_s" rows_per_s="$rps" rows_per_s_e2e="$rps_e2e" \
    judge_calls="$calls" calls_per_s="$cps" calls_per_row="$(calc "round($calls / $rows, 3)")" \
    mock_errors="$merr" mock_max_inflight="$maxin" \
    limit_rows_per_s="$(calc "round($nw * min($INFLIGHT_ROWS, $jcap / 5) * 1000 / $LAT, 1)")" \
    producer_cpu_s="$p_cpu" producer_wall_s="$p_wall" producer_rss_kb="$p_rss" \
    worker_cpu_s="$w_cpu" worker_cpu_list="[${w_cpu_list%,}]" worker_rss_kb_max="$w_rss_max" \
    worker_rss_kb_list="[${w_rss_list%,}]" aggregator_cpu_s="$a_cpu" aggregator_rss_kb="$a_rss" \
    kafka_cpu_s="$(calc "round($k1 - $k0, 2)")" redis_cpu_s="$(calc "round($r1 - $r0, 2)")" \
    mock_cpu_s="$(calc "round($m1 - $m0, 2)")" \
    worker_cpu_us_per_row="$(calc "round($w_cpu * 1e6 / $rows, 1)")" \
    aggregator_cpu_us_per_row="$(calc "round($a_cpu * 1e6 / $rows, 1)")" \
    producer_cpu_us_per_row="$(calc "round($p_cpu * 1e6 / $rows, 1)")" \
    kafka_cpu_us_per_row="$(calc "round(($k1 - $k0) * 1e6 / $rows, 1)")" \
    redis_cpu_us_per_row="$(calc "round(($r1 - $r0) * 1e6 / $rows, 1)")" \
    worker_cpu_us_per_call="$(calc "round($w_cpu * 1e6 / max($calls, 1), 1)")" \
    redis_rows_bytes_per_row="$(calc "round(${rows_mem:-0} / $rows, 1)")" \
    redis_cache_keys="$cache_keys" redis_cache_bytes_per_key="$(calc "round($cache_b, 1)")" \
    redis_used_memory_delta="$(calc "$mem1 - $mem0")" redis_keys="$nkeys" \
    kafka_rows_bytes_per_row="$(calc "round($kb_rows / $rows, 1)")" \
    kafka_results_bytes_per_row="$(calc "round($kb_res / $rows, 1)")" \
    load1_start="$load0" wall_s="$(calc "round(($t1 - $t0) / 1000, 3)")"
  echo "bench: $phase W=$nw $rows rows (cap $jcap): $rps rows/s ($rps_e2e end to end), $cps calls/s," \
       "worker $(calc "round($w_cpu * 1e6 / $rows)") us/row, aggregator $(calc "round($a_cpu * 1e6 / $rows)") us/row," \
       "load $(load1)" >&2
  topic_delete "$rt" "$st"
  rm -rf "$W/out"
  write_summary --meta partial=true 2>/dev/null
}

for REP in $(seq "$BENCH_REPS"); do
  for nw in "${WORKERS[@]}"; do run_fleet scale "$nw" "$ROWS" "$W/qa.jsonl" "$JUDGE_INFLIGHT"; done
  for cap in "${S1_CAPS[@]+"${S1_CAPS[@]}"}"; do run_fleet s1 1 "$S1_ROWS" "$W/qa_s1.jsonl" "$cap"; done
done

write_summary
fleet_smoke_check "$BENCH_RESULTS/$OUT.json"
fleet_report
