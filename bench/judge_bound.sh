#!/usr/bin/env bash
# Bench 1 (judge-bound): the QA composite (five LLM judges + F1 per row) over ROWS rows,
# every judge call answered by one mock judge after LATENCY_MS.  rows/s and judge calls/s
# of evalfleet local mode and of the peers, each at its default and at its best
# concurrency, beside the physical limit (calls in flight / latency).
#
#   bench/judge_bound.sh [ROWS] [LATENCY_MS]        (default 2000 100)
#
# Systems under test (one function each, sut_<system> VARIANT ROWS; add one to add a system):
#   evalfleet_local  `evalfleet run --evaluators qa`: default (--judge-max-inflight 64,
#                    --max-inflight-rows 1000) and best (the fastest in-flight cap of a sweep)
#   azure            azure-ai-evaluation evaluate() (PyPI, venv in $BENCH_PEERS):
#                    composite = evaluators={"qa": QAEvaluator(cfg)}, PF_WORKER_COUNT unset
#                    (default); best = the fastest of the sweep (composite or the six parts as
#                    separate evaluators, PF_WORKER_COUNT 10/50)
#   promptfoo        promptfoo eval (npm, in $BENCH_PEERS): echo provider, 5 llm-rubric + an F1
#                    javascript assertion per test, grader = openai provider at the mock,
#                    --no-cache; -j 4 (default) and best of a -j sweep
#   (evalfleet_fleet: the fleet's produce/worker/aggregate; see "Adding the fleet" below)
#
# The peers are slow, so they evaluate the first AZURE_ROWS / PF_ROWS / PF_DEFAULT_ROWS rows
# of the same dataset (rates are per row; the report says which count each figure used).
# All runs share one mock judge and one dataset and are interleaved: for each repeat, every
# system/variant once.  Judge calls are counted by the mock's /stats (ok replies).
# Environment: BENCH_REPS (3), BENCH_SMOKE=1 (evalfleet only, tiny), AZURE_ROWS, PF_ROWS,
# PF_DEFAULT_ROWS, EF_BEST=N / AZ_BEST=mode:workers / PF_BEST=J (skip that sweep),
# BENCH_SYSTEMS (space-separated subset of: evalfleet_local azure promptfoo).
# Writes bench/results/judge_bound_<LATENCY>ms.json.  Not a test.
#
# Adding the fleet: write sut_evalfleet_fleet VARIANT ROWS that starts the producer, N
# workers and the aggregator against the same mock ($MOCK_URL), measures the whole run with
# `measure` (or each role's /usr/bin/time -v) and calls `record_run` like the functions
# below, then add evalfleet_fleet:VARIANT to CONFIGS.
. "$(dirname "$0")/lib.sh"
bench_init judge_bound EF_BEST AZ_BEST PF_BEST AZURE_ROWS PF_ROWS PF_DEFAULT_ROWS EF_DEFAULT_ROWS BENCH_SYSTEMS
ROWS=${1:-2000}
LAT=${2:-100}
if [ "$BENCH_SMOKE" = 1 ]; then BENCH_SYSTEMS=${BENCH_SYSTEMS:-evalfleet_local}; EF_BEST=${EF_BEST:-256}; fi
BENCH_SYSTEMS=${BENCH_SYSTEMS:-evalfleet_local azure promptfoo}
if [ "$LAT" -ge 1000 ]; then
  AZURE_ROWS=${AZURE_ROWS:-100}; PF_ROWS=${PF_ROWS:-500}; PF_DEFAULT_ROWS=${PF_DEFAULT_ROWS:-100}
  EF_DEFAULT_ROWS=${EF_DEFAULT_ROWS:-1000}
else
  AZURE_ROWS=${AZURE_ROWS:-300}; PF_ROWS=${PF_ROWS:-$ROWS}; PF_DEFAULT_ROWS=${PF_DEFAULT_ROWS:-500}
  EF_DEFAULT_ROWS=${EF_DEFAULT_ROWS:-$ROWS}
fi
CALLS_PER_ROW=5
OUT=judge_bound_${LAT}ms
AZ_PY=$BENCH_PEERS/azure-venv/bin/python
PF_BIN=$BENCH_PEERS/promptfoo/node_modules/.bin/promptfoo

has() { case " $BENCH_SYSTEMS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

install_peers() {
  mkdir -p "$BENCH_PEERS"
  if has azure && [ ! -x "$AZ_PY" ]; then
    echo "bench: installing azure-ai-evaluation into $BENCH_PEERS/azure-venv" >&2
    python3 -m venv "$BENCH_PEERS/azure-venv"
    "$BENCH_PEERS/azure-venv/bin/pip" install -q azure-ai-evaluation
  fi
  if has promptfoo && [ ! -x "$PF_BIN" ]; then
    echo "bench: installing promptfoo into $BENCH_PEERS/promptfoo" >&2
    mkdir -p "$BENCH_PEERS/promptfoo"
    (cd "$BENCH_PEERS/promptfoo" && { [ -f package.json ] || npm init -y >/dev/null; } &&
       npm install --no-audit --no-fund promptfoo >/dev/null)
  fi
}
install_peers
has azure && AZ_VER=$("$AZ_PY" -c "import importlib.metadata as m; print(m.version('azure-ai-evaluation'))")
has promptfoo && PF_VER=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['version'])" \
  "$BENCH_PEERS/promptfoo/node_modules/promptfoo/package.json")

python3 bench/gen_rows.py "$ROWS" --kind qa > "$W/qa.jsonl"
head -n "$AZURE_ROWS" "$W/qa.jsonl" > "$W/qa_azure.jsonl"
mock_start judge --latency-ms "$LAT"

# record_run SYSTEM VARIANT PHASE ROWS CAP [k=v...]: after `measure`, one measurement.
# A run during which the mock died is not recorded (returns 1; run_config repeats it).
record_run() {
  local system=$1 variant=$2 phase=$3 rows=$4 cap=$5; shift 5
  if ! mock_alive; then
    echo "bench: $system/$variant: the mock died during the run; not recorded" >&2
    return 1
  fi
  local calls maxin errs
  calls=$(mock_stat "x['ok']"); maxin=$(mock_stat "x['max_inflight']")
  errs=$(mock_stat "x['errors'] + sum(x['faults'].values())")
  local lim_calls lim_rows
  lim_calls=$(python3 -c "print(round($cap * 1000 / max($LAT, 0.001), 1))")
  record scenario=judge_bound system="$system" variant="$variant" phase="$phase" rep="${REP:-0}" \
    rows="$rows" latency_ms="$LAT" rc="$M_RC" wall_s="$M_WALL" user_s="$M_USER" sys_s="$M_SYS" \
    rss_kb="$M_RSS_KB" judge_calls="$calls" mock_errors="$errs" mock_max_inflight="$maxin" \
    inflight_cap="$cap" rows_per_s="$(rate "$rows" "$M_WALL")" calls_per_s="$(rate "$calls" "$M_WALL")" \
    limit_calls_per_s="$lim_calls" \
    limit_rows_per_s="$(python3 -c "print(round($lim_calls / $CALLS_PER_ROW, 1))")" \
    cpu_us_per_call="$(python3 -c "print(round(($M_USER + $M_SYS) * 1e6 / max($calls, 1), 1))")" "$@"
  echo "bench: $system/$variant ($phase, $rows rows): $(rate "$rows" "$M_WALL") rows/s," \
       "$(rate "$calls" "$M_WALL") calls/s, cap $cap in flight (seen $maxin), load $(load1)" >&2
}

# --- systems under test -----------------------------------------------------------------
# sut_evalfleet_local VARIANT ROWS [PHASE]: VARIANT = default | N (judge calls in flight)
sut_evalfleet_local() {
  local v=$1 rows=$2 phase=${3:-main} flags=() cap=64 data=$W/qa.jsonl
  if [ "$v" != default ]; then
    local r=$(( (v + CALLS_PER_ROW - 1) / CALLS_PER_ROW )); [ $r -lt 1000 ] && r=1000
    flags=(--judge-max-inflight "$v" --max-inflight-rows "$r"); cap=$v
  fi
  [ "$rows" -lt "$ROWS" ] && { head -n "$rows" "$W/qa.jsonl" > "$W/qa_ef.jsonl"; data=$W/qa_ef.jsonl; }
  mock_reset
  rm -rf "$W/ef_out"
  OPENAI_BASE_URL=$MOCK_URL/v1 OPENAI_API_KEY=sk-bench \
    measure ef "$EF" run --data "$data" --evaluators qa --quiet --output "$W/ef_out" "${flags[@]}"
  local bad
  bad=$(jget "$W/ef.out" "x.get('qa.error_count', -1)" 2>/dev/null || echo -1)
  record_run evalfleet_local "$v" "$phase" "$rows" "$cap" row_errors="$bad" \
    flags="${flags[*]:-}"
}

# sut_azure VARIANT ROWS [PHASE]: VARIANT = composite | composite:W | split | split:W
sut_azure() {
  local v=$1 rows=$2 phase=${3:-main} mode=${1%%:*} workers=10
  [ "$v" != "$mode" ] && workers=${v#*:}
  local cap=5
  [ "$mode" = split ] && cap=$((5 * workers))
  local data=$W/qa_azure.jsonl
  [ "$rows" -lt "$AZURE_ROWS" ] && { head -n "$rows" "$W/qa.jsonl" > "$W/qa_az_small.jsonl"; data=$W/qa_az_small.jsonl; }
  mock_reset
  rm -rf "$W/az_out"
  # PF_WORKER_COUNT is what evaluate()'s RunSubmitterClient reads (default 10).
  if [ "$v" != "$mode" ]; then export PF_WORKER_COUNT=$workers; else unset PF_WORKER_COUNT; fi
  measure az "$AZ_PY" bench/peers/azure_qa.py "$data" "$MOCK_URL" "$W/az_out" "$mode"
  unset PF_WORKER_COUNT
  local last tool_s bad
  last=$(tail -n 1 "$W/az.out")
  tool_s=$(echo "$last" | jget - "x['seconds']" 2>/dev/null || echo null)
  bad=$(echo "$last" | jget - "x['rows_without_score']" 2>/dev/null || echo -1)
  record_run azure "$v" "$phase" "$rows" "$cap" tool_s="$tool_s" row_errors="$bad" \
    version="$AZ_VER"
}

# sut_promptfoo VARIANT ROWS [PHASE]: VARIANT = default | J (-j)
sut_promptfoo() {
  local v=$1 rows=$2 phase=${3:-main} j=4
  [ "$v" != default ] && j=$v
  head -n "$rows" "$W/qa.jsonl" > "$W/qa_pf.jsonl"
  python3 bench/peers/promptfoo_config.py "$W/qa_pf.jsonl" "$MOCK_URL" > "$W/pf.json"
  mkdir -p "$W/pfhome"
  mock_reset
  rm -f "$W/pf_out.json"
  local jflag=()
  [ "$v" != default ] && jflag=(-j "$j")
  PROMPTFOO_CONFIG_DIR=$W/pfhome PROMPTFOO_DISABLE_TELEMETRY=1 PROMPTFOO_DISABLE_UPDATE=1 \
  PROMPTFOO_CACHE_ENABLED=false PROMPTFOO_DISABLE_REMOTE_GENERATION=true OPENAI_API_KEY=sk-bench \
  NODE_NO_WARNINGS=1 \
    measure pf "$PF_BIN" eval -c "$W/pf.json" --no-cache --no-table --no-progress-bar --no-write \
      -o "$W/pf_out.json" "${jflag[@]}"
  local tool_s bad
  tool_s=$(jget "$W/pf_out.json" "x['results']['stats']['durationMs'] / 1000" 2>/dev/null || echo null)
  bad=$(jget "$W/pf_out.json" "x['results']['stats']['errors']" 2>/dev/null || echo -1)
  # Exit 100 = some assertion did not pass (the mock's verdicts fail some rows: expected).
  # promptfoo 0.121 may also exit 1 with "write after end" from its logger after a complete
  # eval at high -j.  Either run counts when its result file is complete with no error.
  if [ "$M_RC" -ne 0 ] && [ "$bad" = 0 ]; then M_RC=0; fi
  record_run promptfoo "$v" "$phase" "$rows" "$j" tool_s="$tool_s" row_errors="$bad" \
    version="$PF_VER"
}

# run_config SYSTEM VARIANT ROWS PHASE: one run, repeated once if the mock died under it.
run_config() {
  local i
  for i in 1 2; do
    mock_ensure
    "sut_$1" "$2" "$3" "$4" && return 0
  done
  return 0
}

# best_of SYSTEM ROWS CANDIDATES...: one run of each candidate; prints the fastest.
best_of() {
  local system=$1 rows=$2; shift 2
  local best="" bestr=0 c r
  for c in "$@"; do
    REP=0 run_config "$system" "$c" "$rows" sweep
    r=$(tail -n 1 "$RUNS" | jget - "x['rows_per_s'] if x['rc'] == 0 and x['row_errors'] == 0 else 0")
    if python3 -c "import sys; sys.exit(0 if float('$r') > float('$bestr') else 1)"; then best=$c; bestr=$r; fi
  done
  echo "$best"
}

# --- sweeps for the best concurrency, then the interleaved main runs --------------------
CONFIGS=()
if has evalfleet_local; then
  if [ "$BENCH_SMOKE" = 1 ]; then EFS=(64); else EFS=(256 512 1024 2048 4096); fi
  EF_BEST=${EF_BEST:-$(best_of evalfleet_local "$ROWS" "${EFS[@]}")}
  CONFIGS+=("evalfleet_local:default:$EF_DEFAULT_ROWS" "evalfleet_local:$EF_BEST:$ROWS")
fi
if has azure; then
  AZ_BEST=${AZ_BEST:-$(best_of azure $((AZURE_ROWS < 100 ? AZURE_ROWS : 100)) composite:50 split split:50)}
  CONFIGS+=("azure:composite:$AZURE_ROWS" "azure:$AZ_BEST:$AZURE_ROWS")
fi
if has promptfoo; then
  PF_BEST=${PF_BEST:-$(best_of promptfoo $((PF_ROWS < 200 ? PF_ROWS : 200)) 16 64 128 256)}
  CONFIGS+=("promptfoo:default:$PF_DEFAULT_ROWS" "promptfoo:$PF_BEST:$PF_ROWS")
fi
for REP in $(seq "$BENCH_REPS"); do
  for c in "${CONFIGS[@]}"; do
    sys_=${c%%:*}; rest=${c#*:}; rows_=${rest##*:}; var_=${rest%:*}
    # a variant name with a colon (azure split:50) keeps it
    run_config "$sys_" "$var_" "$rows_" main
  done
done
mock_stop

summarize "$OUT" --group system,variant,phase,rows \
  --command "${CMD_ENV}bench/judge_bound.sh $ROWS $LAT" --meta latency_ms="$LAT" --meta rows="$ROWS" \
  --meta calls_per_row=$CALLS_PER_ROW --meta azure_rows="$AZURE_ROWS" --meta promptfoo_rows="$PF_ROWS" \
  --meta promptfoo_default_rows="$PF_DEFAULT_ROWS" --meta evalfleet_default_rows="$EF_DEFAULT_ROWS" \
  --meta azure_version="${AZ_VER:-}" --meta promptfoo_version="${PF_VER:-}"
# Ratios of evalfleet's best main median to each peer's main medians (rows/s).
$BLIB judge-ratios "$BENCH_RESULTS/$OUT.json"
