"""Deterministic synthetic rows for the benches.

    gen_rows.py N [--kind text|qa] [--distinct K] [--seed S]

text (default): {"id", "query", "response", "ground_truth"}, 8-30 words per text; the
    rows of the text-metric bench (bench/text_metrics.sh).
qa: {"id", "query", "response", "context", "ground_truth"}, a question of 6-14 words, a
    response of 20-60, a context of 60-140 and a ground truth of 10-30, for the QA
    composite (bench/judge_bound.sh, bench/cpu_per_call.sh, bench/memory.sh).

The first K rows (default: all N) are drawn from a seeded generator; rows after the K-th
repeat row i mod K with their own id, so that 10M rows stream out at disk speed
(bench/memory.sh pipes them into `evalfleet run --data -`).  Output goes to stdout.
"""
import argparse
import json
import random
import sys

WORDS = ("the a cat dog sat on mat quick brown fox jumps over lazy capital city of France is "
         "Paris river Seine flows through it museum Louvre holds Mona Lisa painted by Leonardo "
         "in sixteenth century people visit every year running ran runs better good best").split()


def text_row(rng):
    truth = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30))) + "."
    words = truth.split()
    resp = " ".join(w if rng.random() > 0.3 else rng.choice(WORDS) for w in words)
    return {"query": "q", "response": resp.capitalize(), "ground_truth": truth}


def words(rng, lo, hi):
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(lo, hi)))


def qa_row(rng):
    truth = words(rng, 10, 30)
    resp = " ".join(w if rng.random() > 0.3 else rng.choice(WORDS)
                    for w in (truth + " " + words(rng, 10, 30)).split())
    return {"query": words(rng, 6, 14).capitalize() + "?",
            "response": resp.capitalize() + ".",
            "context": words(rng, 60, 140).capitalize() + ".",
            "ground_truth": truth.capitalize() + "."}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("--kind", choices=("text", "qa"), default="text")
    ap.add_argument("--distinct", type=int, default=0)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    make = text_row if a.kind == "text" else qa_row
    k = a.distinct if 0 < a.distinct < a.n else a.n
    out = sys.stdout
    # Each line is '{"id": i, ' + the rest of the object, so repeats cost one format.
    tails = []
    buf = []
    for i in range(k):
        tail = json.dumps(make(rng))[1:]
        if k < a.n:
            tails.append(tail)
        buf.append('{"id": %d, %s\n' % (i, tail))
        if len(buf) >= 4096:
            out.write("".join(buf))
            buf = []
    for i in range(k, a.n):
        buf.append('{"id": %d, %s\n' % (i, tails[i % k]))
        if len(buf) >= 4096:
            out.write("".join(buf))
            buf = []
    out.write("".join(buf))


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        sys.exit(0)
