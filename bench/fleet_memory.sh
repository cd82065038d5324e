#!/usr/bin/env bash
# Bench 4 (memory), the fleet's half: peak RSS (/usr/bin/time -v "Maximum resident set
# size", each process alone) of
#  a) `evalfleet produce`, one `evalfleet worker` and `evalfleet aggregate` over SIZES rows of
#     text metrics only (`--evaluators f1_score`), the dataset generated on the fly and piped
#     in (`produce --data -` < bench/gen_rows.py N --distinct 100000, as bench/memory.sh does
#     for local mode).  The worker (--max-inflight-rows SIZE_WORKER_INFLIGHT, 5000) consumes
#     while produce publishes; once it has evaluated every row, the aggregator starts on the
#     whole results backlog (its worst case: it reads as fast as librdkafka prefetches) and
#     writes the result file (rows.jsonl above 100,000 rows).  Local mode (`evalfleet run
#     --data - --output`) at the same sizes for reference.  Also rows/s of each stage, Redis
#     bytes per stored row, Kafka bytes per row.  Plus one run of BOUND_CHECK_ROWS (100,000;
#     empty: none) with the worker's default bound, 1000: a cheap row's throughput is then
#     set by the pause/resume cycle (see the report), hence 5000 for the sweep.
#  b) ONE worker at --max-inflight-rows K for K in INFLIGHT, against a mock judge answering
#     after LATENCY_MS (2000) so that the bound is reached (the mock's max_inflight and the
#     worker's "paused" are recorded), over 3K rows produced beforehand; variants: relevance
#     (one judge call per row), text5+relevance (f1_score,bleu,gleu,meteor,rouge,relevance:
#     METEOR loads WordNet) as bench/memory.sh, and qa (the QA composite: five judge calls
#     per row).  --judge-max-inflight = K x calls per row (capped at JCAP_MAX, 8000: the
#     machine's open-file limit), a run option given to produce.  qa+backlog: K = 1000 with
#     20,000 rows waiting in the topic (what a worker of a large run sees; librdkafka
#     prefetches).  Local mode (`evalfleet run`) with the same flags for reference.
#
#   bench/fleet_memory.sh [SIZES] [INFLIGHT]   (default "10000 100000 1000000 10000000" "100 1000 5000")
#
# One Kafka, one Redis and one mock judge for the whole script; FLUSHALL and fresh topics
# (PARTS, 8 partitions) per measurement.  Repeats: BENCH_REPS (3) interleaved for sizes up to
# 100,000 rows and for b); larger sizes BIG_REPS (1) times.  A size is skipped when /tmp
# lacks 2 KB per row (Kafka logs, the Redis AOF and the result files).
# FLEET_MEM_PARTS: "rows inflight" (default; the parts run in the order given), one of them,
# or "librdkafka": an RDK_ROWS (1,000,000) size run and the qa+backlog worker with
# librdkafka's own queue bounds on every role instead of evalfleet's defaults (-X
# queue.buffering.max.messages=100000 -X queue.buffering.max.kbytes=1048576 -X
# queued.max.messages.kbytes=65536 -X fetch.max.bytes=52428800), RDK_REPS (1) times; alone
# it writes bench/results/fleet_memory_librdkafka.json.  FLEET_MEM_VARIANTS: subset
# of "relevance text5+relevance qa qa+backlog".
# FLEET_BENCH_SMOKE=1: 200 rows, K = 20, relevance only, one repeat.
# Writes bench/results/fleet_memory.json and bench/fleet_report.md.  Not a test.
. "$(dirname "$0")/fleet_lib.sh"
fleet_init fleet_memory
SIZES=(${1:-10000 100000 1000000 10000000})
INFLIGHT=(${2:-100 1000 5000})
LATENCY_MS=${LATENCY_MS:-2000}
PARTS=${PARTS:-8}
BIG_REPS=${BIG_REPS:-1}
JCAP_MAX=${JCAP_MAX:-8000}
BACKLOG_ROWS=${BACKLOG_ROWS:-20000}
VARIANTS=(${FLEET_MEM_VARIANTS:-relevance text5+relevance qa qa+backlog})
FLEET_MEM_PARTS=${FLEET_MEM_PARTS:-rows inflight}
SIZE_WORKER_INFLIGHT=${SIZE_WORKER_INFLIGHT:-5000}
RDK_ROWS=${RDK_ROWS:-1000000}
RDK_REPS=${RDK_REPS:-1}
KX=(); VSUF=
BOUND_CHECK_ROWS=${BOUND_CHECK_ROWS-100000}
if [ "$BENCH_SMOKE" = 1 ]; then
  SIZES=(200); INFLIGHT=(20); VARIANTS=(relevance); LATENCY_MS=${LATENCY_MS_SMOKE:-200}
  BOUND_CHECK_ROWS=; RDK_ROWS=200; BACKLOG_ROWS=200
fi
OUT=fleet_memory
[ "$FLEET_MEM_PARTS" = librdkafka ] && OUT=fleet_memory_librdkafka

free_bytes() { df -P --block-size=1 "${TMPDIR:-/tmp}" | awk 'NR==2 {print $4}'; }
mock_start judge --latency-ms "$LATENCY_MS"
fleet_servers_start
export OPENAI_API_KEY=sk-bench OPENAI_BASE_URL=$MOCK_URL/v1
FLEET=(-b "$BROKERS" --redis "$REDIS_URL")
NRUN=0

# write_summary [--meta k=v]...: the result file from the measurements so far (called after
# each measurement with partial=true, so that an interrupted run keeps what it measured).
write_summary() {
  summarize "$OUT" --group part,system,variant,rows,inflight \
    --command "bench/fleet_memory.sh" \
    --meta sizes="$(printf '%s,' "${SIZES[@]}" | sed 's/,$//')" \
    --meta inflight="$(printf '%s,' "${INFLIGHT[@]}" | sed 's/,$//')" --meta latency_ms="$LATENCY_MS" \
    --meta partitions="$PARTS" --meta build="$FLEET_BUILD_CMD" \
    --meta script_seconds="$((SECONDS - FLEET_T0))" --meta backlog_rows="$BACKLOG_ROWS" \
    --meta jcap_max="$JCAP_MAX" --meta size_worker_inflight="$SIZE_WORKER_INFLIGHT" \
    --meta parts="$FLEET_MEM_PARTS" "$@"
}
partial() { write_summary --meta partial=true 2>/dev/null; }

# ---- a) dataset size -------------------------------------------------------------------
# worker_done LOG N SECONDS: bounded wait until the worker's 5-second stats line (debug
# kafka) shows N rows done and none in flight.
worker_done() {
  local i
  for i in $(seq $(($3 * 2))); do
    grep -q "rows done $2 ([0-9]* failed), in flight 0" "$1" 2>/dev/null && return 0
    sleep 0.5
  done
  return 1
}

# run_size N WORKER_INFLIGHT: produce (the worker consuming meanwhile), wait for the worker to
# have evaluated every row, then the aggregator over the whole results backlog.
run_size() {
  local n=$1 wk=$2
  if [ "$(free_bytes)" -lt $((n * 2048)) ]; then echo "bench: skip $n rows: disk" >&2; return 0; fi
  NRUN=$((NRUN + 1))
  local run=fm$NRUN-n$n-k$wk-r$REP-$$ rt st
  rt=rows.$run; st=results.$run
  rcli FLUSHALL >/dev/null
  topic_create "$rt" "$PARTS"; topic_create "$st" "$PARTS"
  role_start w1 env EVALFLEET_DEBUG=kafka "$EF" worker "${FLEET[@]}" "${KX[@]+"${KX[@]}"}" \
    --rows-topic "$rt" --results-topic "$st" --group "wk.$run" --max-inflight-rows "$wk" \
    --drain-timeout 30
  local wpid=$ROLE_PID
  wait_assigned "$W/w1.log" || true
  local t0 load0; t0=$(now_ms); load0=$(load1)
  measure produce "$EF" produce "${FLEET[@]}" "${KX[@]+"${KX[@]}"}" --rows-topic "$rt" --data - \
    --evaluators f1_score --run-id "$run" --quiet < <(python3 bench/gen_rows.py "$n" --distinct 100000)
  local p_rc=$M_RC p_wall=$M_WALL p_rss=$M_RSS_KB p_cpu
  p_cpu=$(calc "$M_USER + $M_SYS")
  local w_ok=1
  worker_done "$W/w1.log" "$n" $((300 + n / 500)) || w_ok=0
  local tw; tw=$(now_ms)
  role_start agg "$EF" aggregate "${FLEET[@]}" "${KX[@]+"${KX[@]}"}" --results-topic "$st" \
    --group "ag.$run" -o "$W/out" --run "$run" --exit-when-done
  local apid=$ROLE_PID a_rc=0
  role_wait "$apid" $((600 + n / 500)) || a_rc=$?
  local t1; t1=$(now_ms)
  local first last fin done_ rows_mem
  first=$(meta_get "$run" first_ts); last=$(meta_get "$run" last_ts)
  fin=$(meta_get "$run" finished_ts); done_=$(meta_get "$run" done)
  rows_mem=$(rcli MEMORY USAGE "ef:{$run}:rows" SAMPLES 0 | tr -d '\r')
  local kb_rows kb_res out_bytes
  kb_rows=$(topic_bytes "$rt"); kb_res=$(topic_bytes "$st")
  out_bytes=$(du -sb "$W/out" 2>/dev/null | cut -f1)
  role_stop "$wpid" 60
  role_stats w1
  local w_rss=$M_RSS_KB w_cpu pauses
  w_cpu=$(calc "$M_USER + $M_SYS")
  pauses=$(grep -c "paused at" "$W/w1.log" || true)
  role_stats agg
  local a_rss=$M_RSS_KB a_cpu a_wall=$M_WALL
  a_cpu=$(calc "$M_USER + $M_SYS")
  local ok=1
  { [ "$p_rc" = 0 ] && [ "$a_rc" = 0 ] && [ "$w_ok" = 1 ] && [ "${done_:-0}" = "$n" ]; } || ok=0
  [ "$ok" = 1 ] || echo "bench: $run incomplete: produce rc $p_rc, worker done $w_ok, aggregator rc $a_rc, done ${done_:-?}/$n" >&2
  local window_s=null export_s=null worker_s
  [ -n "$first" ] && [ -n "$last" ] && window_s=$(calc "round(($last - $first) / 1000, 3)")
  [ -n "$fin" ] && [ -n "$last" ] && export_s=$(calc "round(($fin - $last) / 1000, 3)")
  worker_s=$(calc "round(($tw - $t0) / 1000, 3)")
  record part=rows system=evalfleet_fleet variant="worker_inflight_$wk$VSUF" rows="$n" rep="$REP" \
    kafka_settings="${KX[*]:-}" \
    ok="$ok" workers=1 worker_max_inflight_rows="$wk" \
    producer_rss_kb="$p_rss" producer_rss_mb="$(mb "$p_rss")" producer_cpu_s="$p_cpu" \
    producer_wall_s="$p_wall" producer_rows_per_s="$(rate "$n" "$p_wall")" \
    worker_rss_kb="$w_rss" worker_rss_mb="$(mb "$w_rss")" worker_cpu_s="$w_cpu" \
    worker_s="$worker_s" worker_rows_per_s="$(rate "$n" "$worker_s")" worker_pauses="$pauses" \
    aggregator_rss_kb="$a_rss" aggregator_rss_mb="$(mb "$a_rss")" aggregator_cpu_s="$a_cpu" \
    aggregator_wall_s="$a_wall" window_s="$window_s" export_s="$export_s" \
    aggregator_rows_per_s="$( [ "$window_s" != null ] && rate "$n" "$window_s" || echo null)" \
    worker_cpu_us_per_row="$(calc "round($w_cpu * 1e6 / $n, 1)")" \
    aggregator_cpu_us_per_row="$(calc "round($a_cpu * 1e6 / $n, 1)")" \
    producer_cpu_us_per_row="$(calc "round($p_cpu * 1e6 / $n, 1)")" \
    redis_rows_bytes_per_row="$(calc "round(${rows_mem:-0} / $n, 1)")" \
    kafka_rows_bytes_per_row="$(calc "round($kb_rows / $n, 1)")" \
    kafka_results_bytes_per_row="$(calc "round($kb_res / $n, 1)")" \
    output_bytes="${out_bytes:-0}" load1_start="$load0" wall_s="$(calc "round(($t1 - $t0) / 1000, 3)")"
  echo "bench: fleet $n rows (worker bound $wk): producer $(mb "$p_rss") MB $(rate "$n" "$p_wall") rows/s," \
       "worker $(mb "$w_rss") MB $(rate "$n" "$worker_s") rows/s, aggregator $(mb "$a_rss") MB" \
       "$( [ "$window_s" != null ] && rate "$n" "$window_s") rows/s, load $(load1)" >&2
  rcli FLUSHALL >/dev/null
  topic_delete "$rt" "$st"
  rm -rf "$W/out"
  partial
  { [ "$wk" = "$SIZE_WORKER_INFLIGHT" ] && [ -z "$VSUF" ]; } || return 0
  # Local mode, same rows, same evaluator, with its result file.
  measure local "$EF" run --data - --evaluators f1_score --quiet --output "$W/lout" \
    < <(python3 bench/gen_rows.py "$n" --distinct 100000)
  record part=rows system=evalfleet_local variant=output rows="$n" rep="$REP" \
    ok="$([ "$M_RC" = 0 ] && echo 1 || echo 0)" \
    rss_kb="$M_RSS_KB" rss_mb="$(mb "$M_RSS_KB")" cpu_s="$(calc "$M_USER + $M_SYS")" \
    wall_s="$M_WALL" rows_per_s="$(rate "$n" "$M_WALL")"
  echo "bench: local $n rows: $(mb "$M_RSS_KB") MB, $(rate "$n" "$M_WALL") rows/s" >&2
  rm -rf "$W/lout"
  partial
}

part_rows() {
  local REP n
  for REP in $(seq "$BENCH_REPS"); do
    for n in "${SIZES[@]}"; do
      [ "$n" -gt 100000 ] && [ "$REP" -gt "$BIG_REPS" ] && continue
      run_size "$n" "$SIZE_WORKER_INFLIGHT"
    done
    # The worker's default bound on cheap rows: its throughput (see the report).
    [ -n "$BOUND_CHECK_ROWS" ] && run_size "$BOUND_CHECK_ROWS" 1000
  done
}

# ---- b) rows in flight -----------------------------------------------------------------
maxk=0; for k in "${INFLIGHT[@]}"; do [ "$k" -gt "$maxk" ] && maxk=$k; done
nqa=$((maxk * 3)); [ "$BACKLOG_ROWS" -gt "$nqa" ] && nqa=$BACKLOG_ROWS
python3 bench/gen_rows.py "$nqa" --kind qa > "$W/qa.jsonl"

# run_inflight VARIANT K
run_inflight() {
  local v=$1 k=$2 evs cpr rows
  case $v in
    relevance) evs=relevance; cpr=1 ;;
    text5+relevance) evs=f1_score,bleu,gleu,meteor,rouge,relevance; cpr=1 ;;
    qa | qa+backlog) evs=qa; cpr=5 ;;
  esac
  rows=$((k * 3))
  [ "$v" = qa+backlog ] && rows=$BACKLOG_ROWS
  local jcap=$((k * cpr)); [ "$jcap" -gt "$JCAP_MAX" ] && jcap=$JCAP_MAX
  head -n "$rows" "$W/qa.jsonl" > "$W/qa_k.jsonl"
  NRUN=$((NRUN + 1))
  local run=fi$NRUN-${v/+/_}-k$k-r$REP-$$ rt st
  rt=rows.$run; st=results.$run
  rcli FLUSHALL >/dev/null
  topic_create "$rt" "$PARTS"; topic_create "$st" "$PARTS"
  measure produce "$EF" produce "${FLEET[@]}" --rows-topic "$rt" --data "$W/qa_k.jsonl" \
    --evaluators "$evs" --run-id "$run" --judge-max-inflight "$jcap" --quiet
  mock_reset
  # EVALFLEET_DEBUG=kafka: the worker logs "paused at N rows in flight" at the bound.
  role_start wk env EVALFLEET_DEBUG=kafka "$EF" worker "${FLEET[@]}" "${KX[@]+"${KX[@]}"}" \
    --rows-topic "$rt" --results-topic "$st" --group "wk.$run" --max-inflight-rows "$k" \
    --drain-timeout 30
  local wpid=$ROLE_PID
  # Until 3K rows' judge calls are answered (bounded); for the backlog variant the same.
  local want=$((k * 3 * cpr)) i calls=0
  for i in $(seq $(((3 * LATENCY_MS / 1000 + 60) * 4))); do
    calls=$(mock_stat "x['ok']")
    [ "$calls" -ge "$want" ] && break
    kill -0 "$wpid" 2>/dev/null || break
    sleep 0.25
  done
  local maxin; maxin=$(mock_stat "x['max_inflight']")
  role_stop "$wpid" 60
  role_stats wk
  local paused; paused=$(grep -c "paused at" "$W/wk.log" || true)
  record part=inflight system=evalfleet_worker variant="$v$VSUF" inflight="$k" rows="$rows" rep="$REP" \
    kafka_settings="${KX[*]:-}" \
    evaluators="$evs" judge_max_inflight="$jcap" rc="$M_RC" rss_kb="$M_RSS_KB" \
    rss_mb="$(mb "$M_RSS_KB")" cpu_s="$(calc "$M_USER + $M_SYS")" judge_calls="$calls" \
    judge_calls_wanted="$want" mock_max_inflight="$maxin" pauses="$paused" latency_ms="$LATENCY_MS"
  echo "bench: worker $v, $k rows in flight (judge calls in flight seen $maxin, paused $paused x):" \
       "$(mb "$M_RSS_KB") MB, load $(load1)" >&2
  topic_delete "$rt" "$st"
  # Local mode, same rows and flags.
  if [ "$v" != qa+backlog ] && [ -z "$VSUF" ]; then
    mock_reset
    measure localk "$EF" run --data "$W/qa_k.jsonl" --evaluators "$evs" --quiet \
      --max-inflight-rows "$k" --judge-max-inflight "$jcap"
    record part=inflight system=evalfleet_local variant="$v" inflight="$k" rows="$rows" rep="$REP" \
      evaluators="$evs" judge_max_inflight="$jcap" rc="$M_RC" rss_kb="$M_RSS_KB" \
      rss_mb="$(mb "$M_RSS_KB")" cpu_s="$(calc "$M_USER + $M_SYS")" \
      judge_calls="$(mock_stat "x['ok']")" mock_max_inflight="$(mock_stat "x['max_inflight']")" \
      latency_ms="$LATENCY_MS"
    echo "bench: local $v, $k rows in flight: $(mb "$M_RSS_KB") MB" >&2
  fi
  partial
}

part_inflight() {
  local REP k v
  for REP in $(seq "$BENCH_REPS"); do
    for k in "${INFLIGHT[@]}"; do
      for v in "${VARIANTS[@]}"; do
        if [ "$v" = qa+backlog ]; then [ "$k" = 1000 ] || continue; fi
        run_inflight "$v" "$k"
      done
    done
  done
}

# ---- librdkafka: the same with librdkafka's own queue bounds (not in the default run) ----
# What evalfleet's defaults (common/kafka.c) save: a 1,000,000-row size run and the
# qa+backlog worker with every role given librdkafka's defaults back.
part_librdkafka() {
  local REP
  KX=(-X queue.buffering.max.messages=100000 -X queue.buffering.max.kbytes=1048576
      -X queued.max.messages.kbytes=65536 -X fetch.max.bytes=52428800); VSUF=+librdkafka
  for REP in $(seq "$RDK_REPS"); do
    run_size "$RDK_ROWS" "$SIZE_WORKER_INFLIGHT"
    run_inflight qa+backlog 1000
  done
  KX=(); VSUF=
}

for part in $FLEET_MEM_PARTS; do
  case $part in
    rows|inflight|librdkafka) "part_$part" ;;
    *) echo "bench: unknown part $part (rows, inflight, librdkafka)" >&2; exit 2 ;;
  esac
done

write_summary
python3 - "$BENCH_RESULTS/$OUT.json" <<'PY'
import json, sys
p = sys.argv[1]; d = json.load(open(p))
d["targets"] = {"worker_rss_mb_at_1000_inflight_max": 64, "producer_aggregator": "flat in dataset size"}
json.dump(d, open(p, "w"), indent=1)
PY
fleet_smoke_check "$BENCH_RESULTS/$OUT.json"
fleet_report
