"""Helpers of the bench scripts (called from bench/lib.sh; Python 3 standard library only).

    benchlib.py record RUNS.jsonl key=value ...        append one measurement
    benchlib.py timev TIME_V_FILE                      /usr/bin/time -v output -> shell vars
    benchlib.py measure TIME_V_FILE -- CMD ...         fallback for a missing /usr/bin/time
    benchlib.py summarize RUNS.jsonl OUT.json --group k1,k2 --command CMD [--meta k=v ...]
    benchlib.py median V ...                           median of numbers
    benchlib.py get JSON_FILE|- python-expression      print one value (x is the document)
    benchlib.py check OUT.json                         exit 1 unless a valid result file
    benchlib.py judge-ratios OUT.json                  bench 1: add evalfleet/peer ratios
    benchlib.py merge OUT.json RUNS.jsonl... -- SUMMARIZE-ARGS
                                                       summarize runs of several result files

A result file is
    {"scenario", "command", "generated", "machine": {...}, "meta": {...},
     "groups": [{<group keys>, "n": reps, "<field>": median, "<field>_min", "<field>_max"}],
     "runs": [every measurement, in the order it was taken]}
Values given as key=value are parsed as JSON when they are valid JSON, else kept as text.
"""
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time


def parse_value(v):
    try:
        return json.loads(v)
    except ValueError:
        return v


def kv(args):
    out = {}
    for a in args:
        k, _, v = a.partition("=")
        out[k] = parse_value(v)
    return out


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return [float(x) for x in f.read().split()[:3]]
    except OSError:
        return None


def cmd_record(argv):
    rec = kv(argv[1:])
    rec.setdefault("load1", (loadavg() or [None])[0])
    with open(argv[0], "a") as f:
        f.write(json.dumps(rec) + "\n")


def hms(s):
    # "1:02.03" or "1:02:03.4" -> seconds
    parts = [float(p) for p in s.split(":")]
    t = 0.0
    for p in parts:
        t = t * 60 + p
    return t


def cmd_timev(argv):
    fields = {}
    with open(argv[0]) as f:
        for line in f:
            line = line.strip()
            k, sep, v = line.rpartition(": ")
            if not sep:
                continue
            fields[k.strip()] = v.strip()
    wall = fields.get("Elapsed (wall clock) time (h:mm:ss or m:ss)", "0")
    out = {
        "M_WALL": hms(wall),
        "M_USER": float(fields.get("User time (seconds)", 0)),
        "M_SYS": float(fields.get("System time (seconds)", 0)),
        "M_RSS_KB": int(fields.get("Maximum resident set size (kbytes)", 0)),
        "M_RC": int(fields.get("Exit status", 0)),
    }
    for k, v in out.items():
        print("%s=%s" % (k, v))


def cmd_measure(argv):
    """Stand-in for /usr/bin/time -v: writes the same lines for the fields we read."""
    path = argv[0]
    cmd = argv[argv.index("--") + 1:]
    t0 = time.monotonic()
    rc = subprocess.call(cmd)
    wall = time.monotonic() - t0
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(path, "w") as f:
        f.write("\tUser time (seconds): %.2f\n" % ru.ru_utime)
        f.write("\tSystem time (seconds): %.2f\n" % ru.ru_stime)
        f.write("\tElapsed (wall clock) time (h:mm:ss or m:ss): 0:%.2f\n" % wall)
        f.write("\tMaximum resident set size (kbytes): %d\n" % ru.ru_maxrss)
        f.write("\tExit status: %d\n" % (rc if rc >= 0 else 128 - rc))
    sys.exit(rc if rc >= 0 else 128 - rc)


def machine():
    m = {"cores": os.cpu_count(), "platform": platform.platform(),
         "python": platform.python_version(), "loadavg_at_summary": loadavg()}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    m["cpu"] = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            m["mem_kb"] = int(f.readline().split()[1])
    except OSError:
        pass
    return m


def summarize(runs, group):
    groups = {}
    order = []
    for r in runs:
        key = tuple(json.dumps(r.get(g)) for g in group)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(r)
    out = []
    for key in order:
        rs = groups[key]
        g = {k: json.loads(v) for k, v in zip(group, key)}
        g["n"] = len(rs)
        fields = []
        for r in rs:
            for k, v in r.items():
                if k not in group and k not in fields and k != "rep":
                    fields.append(k)
        for k in fields:
            vals = [r[k] for r in rs if k in r]
            nums = [v for v in vals if isinstance(v, (int, float)) and not isinstance(v, bool)]
            if nums and len(nums) == len(vals):
                g[k] = statistics.median(nums)
                if len(nums) > 1:
                    g[k + "_min"] = min(nums)
                    g[k + "_max"] = max(nums)
            elif vals:
                g[k] = vals[-1]
        out.append(g)
    return out


def cmd_summarize(argv):
    runs_path, out_path = argv[0], argv[1]
    args = argv[2:]
    group, command, meta = [], "", {}
    i = 0
    while i < len(args):
        if args[i] == "--group":
            group = [g for g in args[i + 1].split(",") if g]
            i += 2
        elif args[i] == "--command":
            command = args[i + 1]
            i += 2
        elif args[i] == "--meta":
            meta.update(kv([args[i + 1]]))
            i += 2
        else:
            raise SystemExit("summarize: unknown argument " + args[i])
    runs = []
    if os.path.exists(runs_path):
        with open(runs_path) as f:
            runs = [json.loads(line) for line in f if line.strip()]
    doc = {"scenario": meta.pop("scenario", os.path.basename(out_path)[:-5]),
           "command": command,
           "generated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
           "machine": machine(), "meta": meta,
           "groups": summarize(runs, group), "runs": runs}
    tmp = out_path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    os.replace(tmp, out_path)


def cmd_median(argv):
    print(statistics.median(float(x) for x in argv))


def cmd_get(argv):
    src = sys.stdin if argv[0] == "-" else open(argv[0])
    x = json.load(src)
    v = eval(argv[1], {"x": x})  # noqa: S307 - a local helper for our own scripts
    print(json.dumps(v) if not isinstance(v, str) else v)


def cmd_check(argv):
    with open(argv[0]) as f:
        doc = json.load(f)
    for k in ("scenario", "command", "groups", "runs"):
        if k not in doc:
            raise SystemExit("%s: no %r" % (argv[0], k))
    if not doc["groups"]:
        raise SystemExit("%s: no measurement" % argv[0])


def cmd_judge_ratios(argv):
    p = argv[0]
    d = json.load(open(p))
    main = [g for g in d["groups"] if g["phase"] == "main"]

    def pick(system, how):
        gs = [g for g in main if g["system"] == system]
        if not gs:
            return None
        if how == "best":
            return max(gs, key=lambda g: g["rows_per_s"])
        return next((g for g in gs if g["variant"] in ("default", "composite")), gs[0])

    ef = pick("evalfleet_local", "best")
    ratios = {"evalfleet_local_best_variant": ef and ef["variant"],
              "evalfleet_local_rows_per_s": ef and ef["rows_per_s"]}
    for system in ("azure", "promptfoo"):
        for how in ("default", "best"):
            g = pick(system, how)
            if g and ef and g["rows_per_s"]:
                ratios["vs_%s_%s" % (system, how)] = round(ef["rows_per_s"] / g["rows_per_s"], 1)
                ratios["%s_%s_variant" % (system, how)] = g["variant"]
    d["ratios"] = ratios
    d["targets"] = {"vs_azure_best": 100, "vs_promptfoo_best": 20}
    with open(p, "w") as f:
        json.dump(d, f, indent=1)
        f.write("\n")
    print(json.dumps(ratios))


def cmd_merge(argv):
    """merge OUT.json IN.json|RUNS.jsonl ... -- summarize-args: one result from several runs."""
    out = argv[0]
    sep = argv.index("--")
    runs = []
    for p in argv[1:sep]:
        if p.endswith(".jsonl"):
            with open(p) as f:
                runs += [json.loads(line) for line in f if line.strip()]
        else:
            runs += json.load(open(p))["runs"]
    tmp = out + ".runs.jsonl"
    with open(tmp, "w") as f:
        for r in runs:
            f.write(json.dumps(r) + "\n")
    cmd_summarize([tmp, out] + argv[sep + 1:])
    os.unlink(tmp)


def main():
    cmds = {"judge-ratios": cmd_judge_ratios, "merge": cmd_merge,"record": cmd_record, "timev": cmd_timev, "measure": cmd_measure,
            "summarize": cmd_summarize, "median": cmd_median, "get": cmd_get,
            "check": cmd_check}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        raise SystemExit(__doc__)
    cmds[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
