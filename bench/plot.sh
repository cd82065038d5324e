#!/usr/bin/env bash
# Plots of the bench results (gnuplot, Debian package gnuplot-nox) as PNG:
#   judge_bound_<L>ms.png  rows/s per system and concurrency (log scale) beside the limit
#   cpu_per_call.png       CPU microseconds per judge call, target line
#   text_metrics.png       rows/s of evalfleet and the reference per metric (log scale)
#   memory_rows.png        peak RSS against dataset size
#   memory_inflight.png    peak RSS against rows in flight, 64 MB target line
#
#   bench/plot.sh [RESULTS_DIR]     (default bench/results; PNGs to $PLOT_OUT, default docs/bench)
# A result file that is missing is skipped.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RES=${1:-$ROOT/bench/results}
OUT=${PLOT_OUT:-$ROOT/docs/bench}
mkdir -p "$OUT"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
command -v gnuplot >/dev/null || { echo "plot: gnuplot missing (apt-get install gnuplot-nox)" >&2; exit 1; }

# Data files: one per plot, columns as the gnuplot scripts below read them.
python3 - "$RES" "$T" <<'PY'
import glob, json, os, sys
res, t = sys.argv[1], sys.argv[2]
def load(name):
    p = os.path.join(res, name)
    return json.load(open(p)) if os.path.exists(p) else None
NAMES = {"evalfleet_local": "evalfleet", "azure": "evaluate()", "promptfoo": "promptfoo"}
def label(g):
    s, v = NAMES.get(g["system"], g["system"]), str(g["variant"])
    if g["system"] == "evalfleet_local":
        v = "64 (default)" if v == "default" else v
        return f"{s}\\n{v} in flight"
    if g["system"] == "promptfoo":
        return f"{s}\\n-j {'4 (default)' if v == 'default' else v}"
    if g["system"] == "azure":
        mode, _, w = v.partition(":")
        what = "QAEvaluator" if mode == "composite" else "6 evaluators"
        return f"{s}\\n{what}\\n" + (f"{w} workers" if w else "default (10 workers)")
    return f"{s}\\n{v}"
for p in sorted(glob.glob(os.path.join(res, "judge_bound_*ms.json"))):
    d = json.load(open(p))
    name = os.path.basename(p)[:-5]
    with open(os.path.join(t, name + ".dat"), "w") as f:
        for g in d["groups"]:
            if g["phase"] == "main":
                f.write('"%s" %s %s\n' % (label(g), g["rows_per_s"], g["limit_rows_per_s"]))
    with open(os.path.join(t, name + ".title"), "w") as f:
        f.write("QA composite, mock judge latency %s ms: rows/s (median of %s), log scale"
                % (d["meta"]["latency_ms"], max(g["n"] for g in d["groups"])))
d = load("cpu_per_call.json")
if d:
    with open(os.path.join(t, "cpu_per_call.dat"), "w") as f:
        for g in d["groups"]:
            if g["system"] == "evalfleet_local":
                f.write('"%s in flight" %s %s %s\n' % (g["variant"], g["user_us_per_call"],
                                                       g["sys_us_per_call"], g["cpu_us_per_call"]))
d = load("text_metrics.json")
if d:
    by = {}
    for g in d["groups"]:
        by.setdefault(g["metric"], {})[g["system"]] = g["rows_per_s"]
    with open(os.path.join(t, "text_metrics.dat"), "w") as f:
        for m, v in by.items():
            f.write('"%s" %s %s\n' % (m, v.get("evalfleet_local", "NaN"), v.get("reference", "NaN")))
d = load("memory.json")
if d:
    for part, key in (("rows", "rows"), ("inflight", "inflight")):
        series = {}
        for g in d["groups"]:
            if g["part"] == part:
                series.setdefault(g["variant"], []).append((g[key], g["rss_mb"]))
        with open(os.path.join(t, "memory_%s.dat" % part), "w") as f:
            for v, pts in series.items():
                f.write('# "%s"\n' % v)
                for x, y in sorted(pts):
                    f.write("%s %s\n" % (x, y))
                f.write("\n\n")
        legend = {"metrics": "no result file", "output": "--output (rows.jsonl above 100k rows)",
                  "relevance": "relevance judge only",
                  "text5+relevance": "5 text metrics + relevance (METEOR loads WordNet)"}
        with open(os.path.join(t, "memory_%s.names" % part), "w") as f:
            f.write("".join(legend.get(s, s) + "\n" for s in series))
PY

COMMON='set terminal pngcairo size 1000,560 font "DejaVu Sans,10" noenhanced
set grid ytics
set key top right
set border 3
set bmargin 5
set xtics nomirror
set ytics nomirror'

for dat in "$T"/judge_bound_*ms.dat; do
  [ -e "$dat" ] || continue
  name=$(basename "$dat" .dat)
  gnuplot <<EOF
$COMMON
set output "$OUT/$name.png"
set title "$(cat "$T/$name.title")"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set yrange [0.1:*]
set ylabel "rows/s"
set xtics font ",9"
plot "$dat" using 2:xtic(1) title "measured rows/s" lc rgb "#1f77b4", \
     "" using 3 title "limit: in flight / latency / 5 calls per row" lc rgb "#cccccc", \
     "" using 0:2:(sprintf("%.3g", \$2)) with labels offset -2.2,0.7 font ",8" notitle
EOF
done

if [ -e "$T/cpu_per_call.dat" ]; then
  gnuplot <<EOF
$COMMON
set output "$OUT/cpu_per_call.png"
set title "evalfleet CPU per judge call (zero-latency mock), median"
set style data histograms
set style histogram rowstacked
set style fill solid 0.8 border -1
set boxwidth 0.5
set ylabel "microseconds of CPU per call"
set yrange [0:*]
plot "$T/cpu_per_call.dat" using 2:xtic(1) title "user" lc rgb "#1f77b4", \
     "" using 3 title "sys" lc rgb "#ff7f0e", \
     25 with lines dt 2 lw 2 lc rgb "#d62728" title "target 25 us"
EOF
fi

if [ -e "$T/text_metrics.dat" ]; then
  refcol=', "" using 3 title "reference (NLTK / rouge-score)" lc rgb "#ff7f0e"'
  awk '$NF != "NaN" {found=1} END {exit !found}' "$T/text_metrics.dat" || refcol=""
  gnuplot <<EOF
$COMMON
set output "$OUT/text_metrics.png"
set title "Text metrics: rows/s (median), log scale"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set ylabel "rows/s"
plot "$T/text_metrics.dat" using 2:xtic(1) title "evalfleet" lc rgb "#1f77b4"$refcol
EOF
fi

for part in rows inflight; do
  [ -e "$T/memory_$part.dat" ] || continue
  if [ $part = rows ]; then
    xl="rows in the dataset"; ttl="evalfleet run (f1_score, rows piped in): peak RSS against dataset size"; tgt=""
    extra=$'set logscale x\nset format x "%.0s%c"\nset key bottom right\nset offsets graph 0.02, graph 0.02, graph 0.5, 0'
  else
    xl="rows in flight (--max-inflight-rows = --judge-max-inflight)"
    ttl="evalfleet run, judge with latency: peak RSS against rows in flight"
    extra=$'set logscale x\nset key top left'; tgt=', 64 with lines dt 2 lw 2 lc rgb "#d62728" title "worker target 64 MB"'
  fi
  plots=""; i=0
  while IFS= read -r v; do
    plots="$plots${plots:+, }\"$T/memory_$part.dat\" index $i using 1:2 with linespoints lw 2 pt 7 title \"$v\""
    i=$((i + 1))
  done < "$T/memory_$part.names"
  gnuplot <<EOF
$COMMON
set output "$OUT/memory_$part.png"
set title "$ttl"
set xlabel "$xl"
set ylabel "peak RSS (MB)"
set yrange [0:*]
$extra
plot $plots$tgt
EOF
done
ls "$OUT"/*.png
