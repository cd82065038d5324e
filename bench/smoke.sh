#!/usr/bin/env bash
# CI smoke pass of the bench harness (ctest label `bench`): every scenario at a tiny size,
# evalfleet and the mock judge only (no peer installed, no network but 127.0.0.1), results
# into a temporary directory (bench/results/ is left alone), each checked to be a valid
# result file; plot.sh too when gnuplot is installed.  Takes seconds.  Not a benchmark.
#
#   bench/smoke.sh [EVALFLEET_BINARY MOCK_BINARY]     (default: build-bench/...)
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
export EF=${1:-${EF:-$HERE/../build-bench/cli/evalfleet}}
export MOCK=${2:-${MOCK:-$HERE/../build-bench/tests/mock/ef_mock_llm}}
EF=$(realpath "$EF"); MOCK=$(realpath "$MOCK")
export BENCH_SMOKE=1 BENCH_REPS=1 BENCH_MOCK_MAX_SECONDS=120
export BENCH_RESULTS
BENCH_RESULTS=$(mktemp -d "${TMPDIR:-/tmp}/evalfleet-bench-smoke.XXXXXX")
trap 'rm -rf "$BENCH_RESULTS"' EXIT
pass=0; fail=0
step() {
  local name=$1 json=$2; shift 2
  if timeout 300 "$@" > "$BENCH_RESULTS/$name.log" 2>&1 &&
     python3 "$HERE/benchlib.py" check "$BENCH_RESULTS/$json"; then
    pass=$((pass + 1)); echo "ok   - $name"
  else
    fail=$((fail + 1)); echo "FAIL - $name"; tail -n 20 "$BENCH_RESULTS/$name.log"
  fi
}
step judge_bound judge_bound_10ms.json bash "$HERE/judge_bound.sh" 40 10
step cpu_per_call cpu_per_call.json bash "$HERE/cpu_per_call.sh" 300
step text_metrics text_metrics.json bash "$HERE/text_metrics.sh" 300
step memory memory.json bash "$HERE/memory.sh" "1000 3000" "10 40"
if command -v gnuplot >/dev/null; then
  if PLOT_OUT=$BENCH_RESULTS/png bash "$HERE/plot.sh" "$BENCH_RESULTS" > "$BENCH_RESULTS/plot.log" 2>&1 &&
     [ "$(find "$BENCH_RESULTS/png" -name '*.png' -size +1k | wc -l)" -ge 4 ]; then
    pass=$((pass + 1)); echo "ok   - plot"
  else
    fail=$((fail + 1)); echo "FAIL - plot"; tail -n 20 "$BENCH_RESULTS/plot.log"
  fi
else
  echo "skip - plot (no gnuplot)"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
