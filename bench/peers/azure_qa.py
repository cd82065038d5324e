"""Peer of bench 1: azure-ai-evaluation's evaluate() with QAEvaluator over a JSONL file,
the judge being the mock (an AzureOpenAIModelConfiguration whose endpoint is the mock).

    azure_qa.py DATA.jsonl MOCK_URL OUT_DIR [composite|split]

composite (default): evaluators={"qa": QAEvaluator(cfg)}, as a user of the SDK writes it.
split: the same six parts (groundedness, relevance, coherence, fluency, similarity,
    f1_score) as six evaluators of one evaluate() call: the same judge calls, but the
    batch engine can overlap rows (see below).

Concurrency: evaluate() runs rows on RunSubmitterClient, max_concurrency 10 unless
PF_WORKER_COUNT is set (azure/ai/evaluation/_evaluate/_batch_run/_run_submitter_client.py);
QAEvaluator runs its six parts on a thread pool per row (_base_multi_eval.py), so at most
5 x workers judge calls could be in flight.  It does so with a blocking
ThreadPoolExecutor inside the async _do_eval, which blocks the batch engine's event loop:
measured, one row at a time whatever PF_WORKER_COUNT (mock /stats max_inflight = 5).  Prints one JSON line: rows, seconds of evaluate().
"""
import json
import logging
import os
import sys
import time

from azure.ai.evaluation import (AzureOpenAIModelConfiguration, CoherenceEvaluator,
                                 F1ScoreEvaluator, FluencyEvaluator, GroundednessEvaluator,
                                 QAEvaluator, RelevanceEvaluator, SimilarityEvaluator, evaluate)

data, mock, out = sys.argv[1], sys.argv[2], sys.argv[3]
mode = sys.argv[4] if len(sys.argv) > 4 else "composite"
logging.disable(logging.WARNING)
cfg = AzureOpenAIModelConfiguration(azure_endpoint=mock, azure_deployment="gpt-4o-mini",
                                    api_key="sk-bench", api_version="2024-10-21")
os.makedirs(out, exist_ok=True)
t0 = time.monotonic()
if mode == "split":
    evaluators = {"groundedness": GroundednessEvaluator(cfg), "relevance": RelevanceEvaluator(cfg),
                  "coherence": CoherenceEvaluator(cfg), "fluency": FluencyEvaluator(cfg),
                  "similarity": SimilarityEvaluator(cfg), "f1_score": F1ScoreEvaluator()}
    key = "outputs.relevance.relevance"
else:
    evaluators = {"qa": QAEvaluator(cfg)}
    key = "outputs.qa.relevance"
res = evaluate(data=data, evaluators=evaluators,
               output_path=os.path.join(out, "evaluation_results.json"))
dt = time.monotonic() - t0
rows = res["rows"]
errs = sum(1 for r in rows if r.get(key) is None or r.get(key) != r.get(key))
print(json.dumps({"rows": len(rows), "seconds": dt, "rows_without_score": errs,
                  "metrics": {k: v for k, v in res["metrics"].items() if "relevance" in k}}))
