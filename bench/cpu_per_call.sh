#!/usr/bin/env bash
# Bench 2 (CPU per judge call): evalfleet `run --evaluators relevance` (one judge call per
# row) over ROWS rows against a zero-latency mock judge.  CPU time (user + sys) of the
# evalfleet process alone / judge calls = microseconds per call.  wrk, on the same mock with
# a POST of the same shape and size (the relevance prompt on a bench row), measures what the
# mock can serve: the ceiling.  Share of ceiling = evalfleet calls/s / wrk requests/s.
# wrk runs under /usr/bin/time too: its CPU per request is what a lean C client spends on
# the same loopback (mostly the kernel), the floor under evalfleet's figure.
#
#   bench/cpu_per_call.sh [ROWS]            (default 20000)
#
# Variants: judge in-flight cap 64 (default) and 256; repeats interleaved with the wrk runs.
# EF_BASELINE=BINARY (with BASELINE_REV=what it was built from) also runs an older evalfleet
# in the same interleaving (system evalfleet_baseline): a before/after on the same machine.
# PROFILE=1 (default when ROWS >= 10000 and not smoke) also profiles a build with symbols
# (build-bench-prof: Release + -g -fno-omit-frame-pointer): one run under `perf record -e
# cpu-clock -g` (kernel included) and PROFILE_ROWS (1000) rows under valgrind --tool=callgrind
# (user-space instructions, inclusive by function); top entries go to
# bench/results/cpu_per_call_profile.txt.
# wrk is the Debian package `wrk` (skipped, ceiling null, when missing).
# Writes bench/results/cpu_per_call.json.  Not a test.
. "$(dirname "$0")/lib.sh"
bench_init cpu_per_call EF_BASELINE BASELINE_REV
ROWS=${1:-20000}
WRK_SECONDS=${WRK_SECONDS:-5}
if [ "$BENCH_SMOKE" = 1 ]; then WRK_SECONDS=1; PROFILE=${PROFILE:-0}; fi
PROFILE=${PROFILE:-$([ "$ROWS" -ge 10000 ] && echo 1 || echo 0)}
VARIANTS=(64 256)

python3 bench/gen_rows.py "$ROWS" --kind qa > "$W/qa.jsonl"
mock_start judge --latency-ms 0

# The wrk request: the relevance prompt (evaluators/judge/prompts/relevance.prompty) on the
# first bench row, with the parameters evalfleet sends.
python3 - "$W/qa.jsonl" evaluators/judge/prompts/relevance.prompty "$W/body.json" <<'PY'
import json, re, sys
row = json.loads(open(sys.argv[1]).readline())
text = open(sys.argv[2]).read().split("\n---\n", 1)[1]
parts = re.split(r"^(system|user|assistant):\s*$", text, flags=re.M)[1:]
msgs = []
for role, body in zip(parts[0::2], parts[1::2]):
    body = re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: str(row.get(m.group(1), "")), body.strip())
    msgs.append({"role": role, "content": body})
json.dump({"model": "gpt-4o-mini", "messages": msgs, "temperature": 0, "max_tokens": 800,
           "top_p": 1}, open(sys.argv[3], "w"))
PY
cat > "$W/post.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer sk-bench"
local f = io.open("$W/body.json", "rb")
wrk.body = f:read("*a")
f:close()
EOF
BODY_BYTES=$(wc -c < "$W/body.json")

run_evalfleet() {
  local cap=$1 bin=${2:-$EF} label=${3:-ef}
  mock_reset
  OPENAI_BASE_URL=$MOCK_URL/v1 OPENAI_API_KEY=sk-bench \
    measure "$label" "$bin" run --data "$W/qa.jsonl" --evaluators relevance --quiet \
      --judge-max-inflight "$cap" --max-inflight-rows "$(( cap > 1000 ? cap : 1000 ))"
  CALLS=$(mock_stat "x['ok']")
}

# wrk_run CONNECTIONS: sets WRK_RPS (requests/s) and WRK_CPU_US (CPU of the wrk process per
# request: a lean client's cost on the same loopback, the floor for evalfleet's), null
# without wrk
wrk_run() {
  WRK_RPS=null; WRK_CPU_US=null
  command -v wrk >/dev/null || return 0
  mock_reset
  measure wrk wrk -t1 -c"$1" -d"${WRK_SECONDS}s" -s "$W/post.lua" "$MOCK_URL/v1/chat/completions"
  WRK_RPS=$(awk '/^Requests\/sec:/ {print $2}' "$W/wrk.out")
  local non2xx n
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$W/wrk.out")
  n=$(awk '/requests in/ {print $1}' "$W/wrk.out")
  [ -n "$WRK_RPS" ] || WRK_RPS=null
  [ -z "$n" ] || WRK_CPU_US=$(python3 -c "print(round(($M_USER + $M_SYS) * 1e6 / $n, 1))")
  [ -z "$non2xx" ] || { echo "bench: wrk got $non2xx non-2xx replies" >&2; WRK_RPS=null; WRK_CPU_US=null; }
}

# ef_measure SYSTEM CAP [BINARY]: one evalfleet run, recorded as SYSTEM
ef_measure() {
  local system=$1 cap=$2 us uus sus
  run_evalfleet "$cap" "${3:-$EF}" "$system"
  read -r us uus sus < <(python3 -c "u, s, n = $M_USER, $M_SYS, max($CALLS, 1)
print(*(round(x * 1e6 / n, 1) for x in (u + s, u, s)))")
  record system="$system" variant="$cap" rep="$REP" rows="$ROWS" rc="$M_RC" \
    judge_calls="$CALLS" wall_s="$M_WALL" user_s="$M_USER" sys_s="$M_SYS" rss_kb="$M_RSS_KB" \
    cpu_us_per_call="$us" user_us_per_call="$uus" sys_us_per_call="$sus" \
    calls_per_s="$(rate "$CALLS" "$M_WALL")"
  echo "bench: $system cap $cap: $(rate "$CALLS" "$M_WALL") calls/s, $us us CPU/call, load $(load1)" >&2
}

for REP in $(seq "$BENCH_REPS"); do
  for cap in "${VARIANTS[@]}"; do
    ef_measure evalfleet_local "$cap"
    [ -z "${EF_BASELINE:-}" ] || ef_measure evalfleet_baseline "$cap" "$EF_BASELINE"
  done
  for c in "${VARIANTS[@]}"; do
    wrk_run "$c"
    record system=wrk variant="$c" rep="$REP" requests_per_s="$WRK_RPS" body_bytes="$BODY_BYTES" \
      seconds="$WRK_SECONDS" cpu_us_per_request="$WRK_CPU_US"
    echo "bench: wrk -c$c: $WRK_RPS req/s, $WRK_CPU_US us CPU/request, load $(load1)" >&2
  done
done

# Profile: one run of a symbol build under perf (cpu-clock, kernel included) and one under
# callgrind (user space, instructions, inclusive costs by caller; PROFILE_ROWS rows).
PROF_TXT=$BENCH_RESULTS/cpu_per_call_profile.txt
PROF_TOOL=none
PROFILE_ROWS=${PROFILE_ROWS:-1000}
if [ "$PROFILE" = 1 ]; then
  set +o pipefail  # `| head` ends perf report / callgrind_annotate early (SIGPIPE): expected
  PB=$BENCH_ROOT/build-bench-prof
  cmake -S "$BENCH_ROOT" -B "$PB" -DCMAKE_BUILD_TYPE=Release -DEF_TESTS=OFF \
    "-DCMAKE_C_FLAGS=-g -fno-omit-frame-pointer" >/dev/null
  cmake --build "$PB" -j2 --target evalfleet >/dev/null
  head -n "$PROFILE_ROWS" "$W/qa.jsonl" > "$W/qa_prof.jsonl"
  : > "$PROF_TXT"
  if command -v perf >/dev/null && perf record -e cpu-clock -o "$W/perf.test" -- true >/dev/null 2>&1; then
    PROF_TOOL=perf
    mock_reset
    OPENAI_BASE_URL=$MOCK_URL/v1 OPENAI_API_KEY=sk-bench perf record -e cpu-clock -F 4999 -g \
      -o "$W/perf.data" -- "$PB/cli/evalfleet" run --data "$W/qa.jsonl" --evaluators relevance \
      --quiet --judge-max-inflight 64 > /dev/null 2> "$W/perf.err"
    {
      echo "# perf record -e cpu-clock -F 4999 -g: evalfleet run --evaluators relevance, $ROWS rows,"
      echo "# zero-latency mock, --judge-max-inflight 64 (build-bench-prof).  Self time by symbol:"
      perf report -i "$W/perf.data" --no-children --sort dso,symbol --stdio 2>/dev/null \
        | grep -E '^ +[0-9]' | head -n 40
      echo
      echo "# Inclusive time (self + callees) by symbol:"
      perf report -i "$W/perf.data" --children --sort symbol --stdio -g none 2>/dev/null \
        | grep -E '^ +[0-9]' | head -n 40
      echo
    } >> "$PROF_TXT"
  fi
  if command -v valgrind >/dev/null; then
    PROF_TOOL=$([ "$PROF_TOOL" = perf ] && echo perf+callgrind || echo callgrind)
    mock_reset
    OPENAI_BASE_URL=$MOCK_URL/v1 OPENAI_API_KEY=sk-bench valgrind --tool=callgrind \
      --callgrind-out-file="$W/cg.out" "$PB/cli/evalfleet" run --data "$W/qa_prof.jsonl" \
      --evaluators relevance --quiet --judge-max-inflight 64 > /dev/null 2> "$W/cg.err"
    {
      echo "# valgrind --tool=callgrind: the same run over $PROFILE_ROWS rows ($PROFILE_ROWS judge calls)."
      echo "# Inclusive instructions, evalfleet's own functions:"
      callgrind_annotate --inclusive=yes "$W/cg.out" 2>/dev/null | grep -E '^ *[0-9,]+ \(' \
        | grep "$BENCH_ROOT/" | sed "s|$BENCH_ROOT/||g; s|\[[^]]*\]||; s/ *$//" | awk '!seen[$0]++' | head -n 30
      echo
      echo "# Inclusive instructions, all functions (libraries: cJSON, libcurl, libc malloc):"
      callgrind_annotate --inclusive=yes "$W/cg.out" 2>/dev/null | grep -E '^ *[0-9,]+ \(' \
        | sed "s|$BENCH_ROOT/||g; s/ *$//" | awk '!seen[$0]++' | head -n 50
      echo
      echo "# Self instructions:"
      callgrind_annotate --inclusive=no "$W/cg.out" 2>/dev/null | grep -E '^ *[0-9,]+ \(' \
        | sed "s|$BENCH_ROOT/||g; s/ *$//" | awk '!seen[$0]++' | head -n 30
    } >> "$PROF_TXT"
  fi
  echo "bench: profile ($PROF_TOOL) in $PROF_TXT" >&2
  set -o pipefail
fi
mock_stop

summarize cpu_per_call --group system,variant --command "${CMD_ENV}bench/cpu_per_call.sh $ROWS" \
  --meta rows="$ROWS" --meta body_bytes="$BODY_BYTES" --meta wrk_seconds="$WRK_SECONDS" \
  --meta profile_tool="$PROF_TOOL" --meta baseline_rev="${BASELINE_REV:-}"
python3 - "$BENCH_RESULTS/cpu_per_call.json" <<'PY'
import json, sys
p = sys.argv[1]; d = json.load(open(p))
ef = [g for g in d["groups"] if g["system"] in ("evalfleet_local", "evalfleet_baseline")]
wrk = [g["requests_per_s"] for g in d["groups"] if g["system"] == "wrk"
       and isinstance(g.get("requests_per_s"), (int, float))]
ceiling = max(wrk) if wrk else None
d["ceiling_requests_per_s"] = ceiling
floor = [g["cpu_us_per_request"] for g in d["groups"] if g["system"] == "wrk"
         and isinstance(g.get("cpu_us_per_request"), (int, float))]
d["wrk_cpu_us_per_request_min"] = min(floor) if floor else None
for g in ef:
    g["share_of_ceiling"] = round(g["calls_per_s"] / ceiling, 3) if ceiling else None
d["targets"] = {"cpu_us_per_call_max": 25}
json.dump(d, open(p, "w"), indent=1)
print(json.dumps({"ceiling": ceiling, "wrk_cpu_us": d["wrk_cpu_us_per_request_min"], "evalfleet": [(g["system"], g["variant"], g["cpu_us_per_call"],
      g["calls_per_s"], g["share_of_ceiling"]) for g in ef]}))
PY
