"""Peer of bench 1: a promptfoo config doing the QA composite's work on a JSONL file.

    promptfoo_config.py DATA.jsonl MOCK_URL > promptfooconfig.json

Each row is one test.  The provider is promptfoo's `echo` (the response under test is the
row's own `response`, no call), and each test has the QA composite's six checks: five
`llm-rubric` assertions (groundedness, relevance, coherence, fluency, similarity, whose
rubrics carry the same row fields as evalfleet's judge prompts), graded by promptfoo's
OpenAI provider with apiBaseUrl at the mock judge, and an F1 of shared words against the
ground truth in a `javascript` assertion.  Concurrency is set on the command line
(-j, default 4; at most PROMPTFOO_ASSERTIONS_MAX_CONCURRENCY = 3 assertions of one test
at once), the cache is off (--no-cache, PROMPTFOO_CACHE_ENABLED=false).
"""
import json
import sys

data, mock = sys.argv[1], sys.argv[2]
grader = {"id": "openai:chat:gpt-4o-mini",
          "config": {"apiBaseUrl": mock.rstrip("/") + "/v1", "apiKey": "sk-bench",
                     "temperature": 0, "max_tokens": 800}}
rubrics = {
    "groundedness": "Groundedness: is the response entirely supported by the context? "
                    "Context: {{context}} Query: {{query}}",
    "relevance": "Relevance: does the response answer the query accurately and completely? "
                 "Query: {{query}}",
    "coherence": "Coherence: is the response logically organised and easy to follow as an "
                 "answer to the query? Query: {{query}}",
    "fluency": "Fluency: is the response grammatical, well worded and readable?",
    "similarity": "Similarity: how close is the response to the ground truth answer of the "
                  "query? Query: {{query}} Ground truth: {{ground_truth}}",
}
F1 = """
const norm = s => s.toLowerCase().replace(/[^a-z0-9 ]/g, ' ').replace(/\\b(a|an|the)\\b/g, ' ')
  .split(/\\s+/).filter(Boolean);
const p = norm(output), t = norm(context.vars.ground_truth);
const c = new Map(); for (const w of t) c.set(w, (c.get(w) || 0) + 1);
let same = 0; for (const w of p) { const n = c.get(w) || 0; if (n > 0) { same++; c.set(w, n - 1); } }
if (same === 0) return { pass: false, score: 0, reason: 'f1 0' };
const pr = same / p.length, rc = same / t.length, f1 = 2 * pr * rc / (pr + rc);
return { pass: f1 >= 0.5, score: f1, reason: 'f1 ' + f1 };
"""
tests = []
with open(data, encoding="utf-8") as f:
    for line in f:
        row = json.loads(line)
        tests.append({"vars": {k: row[k] for k in ("query", "response", "context", "ground_truth")}})
cfg = {
    "description": "evalfleet bench 1 peer: QA composite",
    "prompts": ["{{response}}"],
    "providers": ["echo"],
    "defaultTest": {
        "options": {"provider": grader},
        "assert": [{"type": "llm-rubric", "value": v, "metric": k} for k, v in rubrics.items()]
                  + [{"type": "javascript", "value": F1, "metric": "f1_score"}],
    },
    "tests": tests,
}
json.dump(cfg, sys.stdout)
