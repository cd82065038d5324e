"""Deterministic synthetic QA rows for the text-metric bench: gen_rows.py N."""
import json
import random
import sys

WORDS = ("the a cat dog sat on mat quick brown fox jumps over lazy capital city of France is "
         "Paris river Seine flows through it museum Louvre holds Mona Lisa painted by Leonardo "
         "in sixteenth century people visit every year running ran runs better good best").split()
rng = random.Random(7)
for i in range(int(sys.argv[1])):
    truth = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30))) + "."
    words = truth.split()
    resp = " ".join(w if rng.random() > 0.3 else rng.choice(WORDS) for w in words)
    print(json.dumps({"id": i, "query": "q", "response": resp.capitalize(), "ground_truth": truth}))
