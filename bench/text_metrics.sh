#!/usr/bin/env bash
# Bench 3 (text metrics): rows/s of each text evaluator in evalfleet local mode against the
# reference Python implementations (bench/reference_text_metrics.py: nltk 3.10.4,
# rouge-score 0.1.2, computed as azure-ai-evaluation's evaluators do), on the same rows.
#
#   bench/text_metrics.sh [ROWS]          (default 100000)
#
# One evaluator per run; both sides are timed as whole commands (start-up, reading, scoring;
# evalfleet writes no result file, the reference prints one sum).  Repeats are interleaved
# (for each repeat: each metric, evalfleet then the reference) and the report gives medians.
# The reference env is tests/tools/make_reference_env.sh's ($REF, default /tmp/evalfleet-ref;
# made when missing, except with BENCH_SMOKE=1, which runs evalfleet only).
# Writes bench/results/text_metrics.json.  Not a test.
. "$(dirname "$0")/lib.sh"
bench_init text_metrics METRICS REF
ROWS=${1:-100000}
REF=${REF:-/tmp/evalfleet-ref}
METRICS=(${METRICS:-f1_score bleu gleu meteor rouge})
WITH_REF=1
if [ "$BENCH_SMOKE" = 1 ]; then
  WITH_REF=0
elif [ ! -x "$REF/venv/bin/python" ]; then
  bash tests/tools/make_reference_env.sh "$REF"
fi
python3 bench/gen_rows.py "$ROWS" > "$W/rows.jsonl"

for REP in $(seq "$BENCH_REPS"); do
  for m in "${METRICS[@]}"; do
    measure ef "$EF" run --data "$W/rows.jsonl" --evaluators "$m" --quiet --progress=false
    record system=evalfleet_local metric="$m" rep="$REP" rows="$ROWS" rc="$M_RC" wall_s="$M_WALL" \
      user_s="$M_USER" sys_s="$M_SYS" rss_kb="$M_RSS_KB" rows_per_s="$(rate "$ROWS" "$M_WALL")"
    echo "bench: evalfleet $m: $(rate "$ROWS" "$M_WALL") rows/s, load $(load1)" >&2
    if [ "$WITH_REF" = 1 ]; then
      NLTK_DATA=$REF/nltk_data measure ref "$REF/venv/bin/python" bench/reference_text_metrics.py "$m" "$W/rows.jsonl"
      record system=reference metric="$m" rep="$REP" rows="$ROWS" rc="$M_RC" wall_s="$M_WALL" \
        user_s="$M_USER" sys_s="$M_SYS" rss_kb="$M_RSS_KB" rows_per_s="$(rate "$ROWS" "$M_WALL")"
      echo "bench: reference $m: $(rate "$ROWS" "$M_WALL") rows/s, load $(load1)" >&2
    fi
  done
done

REF_VERS=null
[ "$WITH_REF" = 1 ] && REF_VERS=$("$REF/venv/bin/python" -c "import json, importlib.metadata as m; print(json.dumps({p: m.version(p) for p in ('nltk', 'rouge-score')}))")
summarize text_metrics --group metric,system --command "${CMD_ENV}bench/text_metrics.sh $ROWS" \
  --meta rows="$ROWS" --meta reference_versions="$REF_VERS"
python3 - "$BENCH_RESULTS/text_metrics.json" <<'PY'
import json, sys
p = sys.argv[1]; d = json.load(open(p))
by = {(g["metric"], g["system"]): g for g in d["groups"]}
ratios = {}
for (m, s), g in by.items():
    r = by.get((m, "reference"))
    if s == "evalfleet_local" and r:
        ratios[m] = round(r["wall_s"] / g["wall_s"], 1) if g["wall_s"] else None
d["ratios"] = ratios
d["targets"] = {"ratio_min": 50}
json.dump(d, open(p, "w"), indent=1)
print(json.dumps(ratios))
PY
