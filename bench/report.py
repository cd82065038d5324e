"""Markdown tables of the bench results, for docs/benchmarks.md.

    python3 bench/report.py [RESULTS_DIR]       (default bench/results)

Prints one section per result file found: the command, the machine load during the runs and
a table of medians (min-max over the repeats).  The report's prose is written by hand
around these tables; the numbers come only from here.
"""
import glob
import json
import os
import sys

RES = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "results")


def load(name):
    p = os.path.join(RES, name)
    d = json.load(open(p)) if os.path.exists(p) else None
    return d if d and "groups" in d and "generated" in d else None  # skip other formats


def fmt(v, nd=1):
    if v is None:
        return "n/a"
    if isinstance(v, str):
        return v
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        v = int(v)
    if isinstance(v, int):
        return f"{v:,}"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:,.1f}"
    return f"{v:.{max(nd, 2)}g}" if v < 1 else f"{v:.{nd + 1}g}"


def span(g, k):
    lo, hi = g.get(k + "_min"), g.get(k + "_max")
    if lo is None or hi is None or g["n"] < 2:
        return fmt(g.get(k))
    return f"{fmt(g.get(k))} ({fmt(lo)}-{fmt(hi)})"


def loads(d, pred=lambda r: True):
    ls = [r["load1"] for r in d["runs"] if pred(r) and r.get("load1") is not None]
    return f"{min(ls):.1f}-{max(ls):.1f}" if ls else "n/a"


def header(d):
    print(f"Command: `{d['command']}` ({d['generated']}, {d['machine'].get('cores')} cores, "
          f"load average {loads(d)} during the runs)\n")


NAMES = {"evalfleet_local": "evalfleet run", "azure": "azure-ai-evaluation evaluate()",
         "promptfoo": "promptfoo eval"}


def variant(g):
    s, v = g["system"], str(g["variant"])
    if s == "evalfleet_local":
        return ("default: --judge-max-inflight 64" if v == "default"
                else f"--judge-max-inflight {v} --max-inflight-rows {max(1000, -(-int(v) // 5))}")
    if s == "azure":
        mode, _, w = v.partition(":")
        what = "QAEvaluator" if mode == "composite" else "6 separate evaluators"
        return f"{what}, PF_WORKER_COUNT={w or 'unset (10)'}"
    if s == "promptfoo":
        return "-j 4 (default)" if v == "default" else f"-j {v}"
    return v


def judge_bound():
    paths = glob.glob(os.path.join(RES, "judge_bound_*ms.json"))
    for p in sorted(paths, key=lambda p: int(os.path.basename(p)[12:-7] or 0)
                    if os.path.basename(p)[12:-7].isdigit() else 0):
        d = json.load(open(p))
        lat = d["meta"]["latency_ms"]
        print(f"### Judge latency {lat} ms\n")
        header(d)
        print("| system | configuration | rows | rows/s | judge calls/s | calls in flight: cap (seen) "
              "| limit rows/s (cap / latency / 5) | CPU per call (us) | peak RSS (MB) | load |")
        print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for g in d["groups"]:
            if g["phase"] != "main":
                continue
            print(f"| {NAMES.get(g['system'], g['system'])} | {variant(g)} | {g['rows']:,} "
                  f"| {span(g, 'rows_per_s')} | {span(g, 'calls_per_s')} "
                  f"| {fmt(g['inflight_cap'])} ({fmt(g['mock_max_inflight'])}) | {fmt(g['limit_rows_per_s'])} "
                  f"| {fmt(g['cpu_us_per_call'])} | {fmt(g['rss_kb'] / 1024)} "
                  f"| {loads(d, lambda r, g=g: r['system'] == g['system'] and r['variant'] == g['variant'] and r['phase'] == 'main')} |")
        sweep = [g for g in d["groups"] if g["phase"] == "sweep"]
        if sweep:
            print("\nConcurrency sweep (one run each; the fastest became the \"best\" row):\n")
            print("| system | configuration | rows | rows/s | calls in flight seen |")
            print("| --- | --- | ---: | ---: | ---: |")
            for g in sweep:
                print(f"| {NAMES.get(g['system'], g['system'])} | {variant(g)} | {g['rows']:,} "
                      f"| {fmt(g['rows_per_s'])} | {fmt(g['mock_max_inflight'])} |")
        r = d.get("ratios", {})
        if r:
            print("\nRatios (evalfleet's best median rows/s over the peer's median rows/s): "
                  + ", ".join(f"{k} = {v}" for k, v in r.items() if k.startswith("vs_")) + "\n")


def cpu_per_call():
    d = load("cpu_per_call.json")
    if not d:
        return
    header(d)
    base = d["meta"].get("baseline_rev") or "baseline"
    print("| build | configuration | judge calls | user us/call | sys us/call | CPU us/call | calls/s "
          "| share of the wrk ceiling | load |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for g in d["groups"]:
        if g["system"] not in ("evalfleet_local", "evalfleet_baseline"):
            continue
        build = "this tree" if g["system"] == "evalfleet_local" else f"`{base}`"
        print(f"| {build} | --judge-max-inflight {g['variant']} | {g['judge_calls']:,} "
              f"| {span(g, 'user_us_per_call')} "
              f"| {span(g, 'sys_us_per_call')} | {span(g, 'cpu_us_per_call')} | {span(g, 'calls_per_s')} "
              f"| {fmt(g.get('share_of_ceiling'))} "
              f"| {loads(d, lambda r, g=g: r['system'] == g['system'] and r['variant'] == g['variant'])} |")
    print("\n| wrk (1 thread) | requests/s | CPU us/request | load |")
    print("| --- | ---: | ---: | ---: |")
    for g in d["groups"]:
        if g["system"] == "wrk":
            print(f"| -c{g['variant']}, {d['meta']['body_bytes']}-byte POST | {span(g, 'requests_per_s')} "
                  f"| {span(g, 'cpu_us_per_request')} "
                  f"| {loads(d, lambda r, g=g: r['system'] == 'wrk' and r['variant'] == g['variant'])} |")
    print(f"\nCeiling (best wrk median): {fmt(d.get('ceiling_requests_per_s'))} requests/s\n")


def text_metrics():
    d = load("text_metrics.json")
    if not d:
        return
    header(d)
    by = {}
    for g in d["groups"]:
        by.setdefault(g["metric"], {})[g["system"]] = g
    print("| metric | evalfleet rows/s | reference rows/s | ratio (median wall times) "
          "| evalfleet CPU s | reference CPU s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for m, s in by.items():
        e, r = s.get("evalfleet_local"), s.get("reference")
        cpu = lambda g: fmt(g["user_s"] + g["sys_s"]) if g else "n/a"
        print(f"| {m} | {span(e, 'rows_per_s')} | {span(r, 'rows_per_s') if r else 'n/a'} "
              f"| {fmt(d.get('ratios', {}).get(m))}x | {cpu(e)} | {cpu(r)} |")
    print()


def memory():
    d = load("memory.json")
    if not d:
        return
    header(d)
    print("| rows | result file | peak RSS (MB) | rows/s (bounded by the Python generator feeding the pipe) | load |")
    print("| ---: | --- | ---: | ---: | ---: |")
    for g in d["groups"]:
        if g["part"] == "rows":
            print(f"| {g['rows']:,} | {'none (metrics only)' if g['variant'] == 'metrics' else '--output'} "
                  f"| {span(g, 'rss_mb')} | {span(g, 'rows_per_s')} "
                  f"| {loads(d, lambda r, g=g: r['part'] == 'rows' and r['rows'] == g['rows'] and r['variant'] == g['variant'])} |")
    print(f"\n| evaluators | rows in flight | rows | judge calls in flight seen | peak RSS (MB) | load |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for g in d["groups"]:
        if g["part"] == "inflight":
            ev = "relevance" if g["variant"] == "relevance" else "f1_score,bleu,gleu,meteor,rouge,relevance"
            print(f"| {ev} | {g['inflight']:,} | {g['rows']:,} | {fmt(g['mock_max_inflight'])} | {span(g, 'rss_mb')} "
                  f"| {loads(d, lambda r, g=g: r['part'] == 'inflight' and r['inflight'] == g['inflight'] and r['variant'] == g['variant'])} |")
    print()


for title, fn in (("Judge-bound", judge_bound), ("CPU per judge call", cpu_per_call),
                  ("Text metrics", text_metrics), ("Memory", memory)):
    print(f"## {title}\n")
    fn()
