#!/usr/bin/env bash
# Bench 3 (text metrics): rows/s of each text evaluator in evalfleet local mode
# against the reference Python implementations, on the same generated rows.
#   bench/text_metrics.sh [ROWS]          (default 100000)
# Needs the reference env: tests/tools/make_reference_env.sh (python venv with
# nltk + rouge-score and the NLTK data).  Writes bench/results/text_metrics.json.
# Not a test: figures go to docs/benchmarks.md with this command line.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-100000}
REF=${REF:-/tmp/evalfleet-ref}
[ -x "$REF/venv/bin/python" ] || bash tests/tools/make_reference_env.sh "$REF"
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DEF_TESTS=OFF >/dev/null
cmake --build build-bench -j"$(nproc)" >/dev/null
EF=build-bench/cli/evalfleet
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
python3 bench/gen_rows.py "$ROWS" > "$W/rows.jsonl"
out=bench/results/text_metrics.json
echo "{\"rows\": $ROWS, \"results\": [" > "$out.tmp"
first=1
for m in f1_score bleu gleu meteor rouge; do
  t0=$(date +%s.%N)
  "$EF" run --data "$W/rows.jsonl" --evaluators "$m" --quiet --progress=false > /dev/null
  t1=$(date +%s.%N)
  NLTK_DATA="$REF/nltk_data" "$REF/venv/bin/python" bench/reference_text_metrics.py "$m" "$W/rows.jsonl" > /dev/null
  t2=$(date +%s.%N)
  c=$(python3 -c "print(round($ROWS/($t1-$t0),1))"); p=$(python3 -c "print(round($ROWS/($t2-$t1),1))")
  r=$(python3 -c "print(round(($t2-$t1)/($t1-$t0),1))")
  echo "$m: evalfleet $c rows/s, reference $p rows/s, ratio ${r}x"
  [ $first -eq 1 ] || echo "," >> "$out.tmp"; first=0
  echo "{\"metric\": \"$m\", \"evalfleet_rows_per_s\": $c, \"reference_rows_per_s\": $p, \"ratio\": $r}" >> "$out.tmp"
done
echo "], \"command\": \"bench/text_metrics.sh $ROWS\"}" >> "$out.tmp"
mv "$out.tmp" "$out"
