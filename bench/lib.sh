# bench/lib.sh - shared pieces of the bench scripts.  Source it; do not run it.
#
#   . "$(dirname "$0")/lib.sh"; bench_init SCENARIO [ENV_VAR...]
#   (the ENV_VARs given, and BENCH_REPS, prefix the command recorded in the result: $CMD_ENV)
#
# Environment (all optional):
#   EF, MOCK          evalfleet and ef_mock_llm binaries (default: build-bench/..., built
#                     by bench_build with the command the report names)
#   BENCH_RESULTS     where result JSON goes (default bench/results; smoke.sh uses a temp dir)
#   BENCH_REPS        interleaved repeats per configuration (default 3)
#   BENCH_SMOKE=1     tiny sizes, no peers, no network (bench/smoke.sh)
#   BENCH_PEERS       where peer environments are installed
#                     (default $HOME/.cache/evalfleet-bench; never inside the project)
#   BENCH_NO_INSTALL=1  do not run bench/install-tools.sh (time, wrk, perf, valgrind,
#                     heaptrack, gnuplot from Debian; it runs by default outside smoke)
#   BENCH_MOCK_MAX_SECONDS  life bound of every mock judge started (default 3600)
#
# Functions:
#   bench_build                 configure + build evalfleet and ef_mock_llm in build-bench
#   mock_start NAME [flags]     start the mock on a free 127.0.0.1 port; sets MOCK_PORT,
#                               MOCK_PID, MOCK_URL (http://127.0.0.1:PORT)
#   mock_stop                   stop the mock started last (by its pid)
#   mock_alive, mock_ensure     is it running; restart it (same flags, new port) if not
#   mock_stat EXPR              a value of GET /stats, e.g. mock_stat "x['ok']"
#   mock_reset                  POST /reset-stats
#   measure LABEL CMD...        run CMD under /usr/bin/time -v (stdin inherited, stdout to
#                               $W/LABEL.out, stderr to $W/LABEL.err); sets M_WALL M_USER
#                               M_SYS M_RSS_KB M_RC; CMD is killed after BENCH_RUN_TIMEOUT s
#                               (default 3600; M_RC 124)
#   record k=v ...              append one measurement to $RUNS (load1 added)
#   summarize OUT --group a,b --command CMD [--meta k=v]...
#                               medians per group -> $BENCH_RESULTS/OUT.json
#   median V...                 median of numbers
#   jget FILE EXPR              one value of a JSON file (x is the document)
#   load1                       the 1-minute load average now
set -euo pipefail

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BLIB="python3 $BENCH_ROOT/bench/benchlib.py"

bench_init() {
  SCENARIO=$1; shift
  # CMD_ENV: the settings given in the environment, to prefix the command a result names.
  CMD_ENV=""
  local v
  for v in BENCH_REPS "$@"; do [ -n "${!v:-}" ] && CMD_ENV+="$v=${!v} "; done
  cd "$BENCH_ROOT"
  BENCH_RESULTS=${BENCH_RESULTS:-$BENCH_ROOT/bench/results}
  BENCH_REPS=${BENCH_REPS:-3}
  BENCH_SMOKE=${BENCH_SMOKE:-0}
  BENCH_PEERS=${BENCH_PEERS:-$HOME/.cache/evalfleet-bench}
  BENCH_MOCK_MAX_SECONDS=${BENCH_MOCK_MAX_SECONDS:-3600}
  BENCH_RUN_TIMEOUT=${BENCH_RUN_TIMEOUT:-3600}
  mkdir -p "$BENCH_RESULTS"
  # The smoke pass (CI) needs none of the measuring tools; a real run installs what is missing.
  [ "$BENCH_SMOKE" = 1 ] || [ "${BENCH_NO_INSTALL:-0}" = 1 ] || bash "$BENCH_ROOT/bench/install-tools.sh"
  W=$(mktemp -d "${TMPDIR:-/tmp}/evalfleet-bench-$SCENARIO.XXXXXX")
  RUNS=$W/runs.jsonl
  : > "$RUNS"
  MOCK_PIDS=()
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
  # The judge configuration comes only from what each scenario sets.
  unset OPENAI_API_KEY OPENAI_BASE_URL OPENAI_MODEL AZURE_OPENAI_ENDPOINT AZURE_OPENAI_API_KEY \
        AZURE_OPENAI_DEPLOYMENT AZURE_OPENAI_API_VERSION AZUREML_API_KEY
  if [ -z "${EF:-}" ] || [ -z "${MOCK:-}" ]; then
    bench_build
    EF=${EF:-$BENCH_ROOT/build-bench/cli/evalfleet}
    MOCK=${MOCK:-$BENCH_ROOT/build-bench/tests/mock/ef_mock_llm}
  fi
  [ -x "$EF" ] && [ -x "$MOCK" ] || { echo "bench: no $EF or $MOCK" >&2; exit 1; }
  # BENCH_TIME=python forces the stand-in used where /usr/bin/time is missing.  The stand-in
  # reads RUSAGE_CHILDREN, whose peak RSS includes the forked Python before exec (~15 MB):
  # fine for the smoke pass, not for memory figures.
  if [ -x /usr/bin/time ] && [ "${BENCH_TIME:-}" != python ]; then TIMEV=(/usr/bin/time -v -o); else TIMEV=(); fi
}

bench_cleanup() {
  local p
  for p in "${MOCK_PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  [ "${BENCH_KEEP:-0}" = 1 ] && echo "bench: kept $W" >&2 || rm -rf "$W"
}

bench_build() {
  cmake -S "$BENCH_ROOT" -B "$BENCH_ROOT/build-bench" -DCMAKE_BUILD_TYPE=Release -DEF_TESTS=ON >/dev/null
  cmake --build "$BENCH_ROOT/build-bench" -j2 --target evalfleet ef_mock_llm >/dev/null
}

load1() { cut -d' ' -f1 /proc/loadavg; }
median() { $BLIB median "$@"; }
jget() { $BLIB get "$@"; }
record() { $BLIB record "$RUNS" "$@"; }

mock_start() {
  local name=$1; shift
  MOCK_NAME=$name; MOCK_ARGS=("$@")
  rm -f "$W/$name.port"
  "$MOCK" --port 0 --port-file "$W/$name.port" --max-seconds "$BENCH_MOCK_MAX_SECONDS" "$@" \
    >"$W/$name.mock.log" 2>&1 &
  MOCK_PID=$!
  MOCK_PIDS+=("$MOCK_PID")
  local i
  for i in $(seq 200); do [ -s "$W/$name.port" ] && break; sleep 0.05; done
  [ -s "$W/$name.port" ] || { echo "bench: mock $name did not start" >&2; cat "$W/$name.mock.log" >&2; exit 1; }
  MOCK_PORT=$(cat "$W/$name.port")
  MOCK_URL=http://127.0.0.1:$MOCK_PORT
}

# mock_alive: is the mock started last still running?  (A mock killed from outside, e.g. by
# another user's cleanup on a shared machine, must not be mistaken for a slow system.)
mock_alive() { kill -0 "$MOCK_PID" 2>/dev/null; }

# mock_ensure: restart the mock (same flags, new port) when it is gone.
mock_ensure() {
  mock_alive && return 0
  echo "bench: the mock judge (pid $MOCK_PID) is gone; restarting it" >&2
  mock_start "$MOCK_NAME" "${MOCK_ARGS[@]}"
}

mock_stop() {
  kill "$MOCK_PID" 2>/dev/null || true
  wait "$MOCK_PID" 2>/dev/null || true
}

mock_stat() {
  python3 -c "import json,urllib.request; x=json.load(urllib.request.urlopen('$MOCK_URL/stats', timeout=10)); print($1)"
}

mock_reset() {
  python3 -c "import urllib.request; urllib.request.urlopen(urllib.request.Request('$MOCK_URL/reset-stats', data=b'', method='POST'), timeout=10).read()"
}

# measure LABEL CMD...: the figures of CMD alone (not of a producer piped into it).
measure() {
  local label=$1; shift
  local tv=$W/$label.timev rc=0
  if [ ${#TIMEV[@]} -gt 0 ]; then
    "${TIMEV[@]}" "$tv" timeout -k 10 "$BENCH_RUN_TIMEOUT" "$@" >"$W/$label.out" 2>"$W/$label.err" || rc=$?
  else
    $BLIB measure "$tv" -- timeout -k 10 "$BENCH_RUN_TIMEOUT" "$@" >"$W/$label.out" 2>"$W/$label.err" || rc=$?
  fi
  eval "$($BLIB timev "$tv")"
  M_RC=$rc
  if [ "$rc" -ne 0 ]; then
    echo "bench: $label exited $rc; last lines of its stderr:" >&2
    tail -n 5 "$W/$label.err" >&2
  fi
  return 0
}

summarize() {
  local out=$1; shift
  $BLIB summarize "$RUNS" "$BENCH_RESULTS/$out.json" "$@"
  echo "bench: wrote $BENCH_RESULTS/$out.json" >&2
}

# rate N SECONDS: N/SECONDS rounded to 0.1 (0 when SECONDS is 0)
rate() { python3 -c "import sys; n,s=float(sys.argv[1]),float(sys.argv[2]); print(round(n/s,1) if s>0 else 0)" "$1" "$2"; }
