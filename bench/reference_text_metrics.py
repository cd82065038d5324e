"""The reference computation of one text metric over a JSONL file, as
azure-ai-evaluation's evaluators do it (see tests/tools/gen_text_vectors.py)."""
import json
import sys

sys.path.insert(0, __file__.rsplit("/", 2)[0] + "/tests/tools")
from gen_text_vectors import f1, nltk_tokenize  # noqa: E402
from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu  # noqa: E402
from nltk.translate.gleu_score import sentence_gleu  # noqa: E402
from nltk.translate.meteor_score import meteor_score  # noqa: E402
from rouge_score import rouge_scorer  # noqa: E402

metric, path = sys.argv[1], sys.argv[2]
smooth = SmoothingFunction().method4
scorer = rouge_scorer.RougeScorer(rouge_types=["rougeL"])
total = 0.0
for line in open(path, encoding="utf-8"):
    row = json.loads(line)
    r, t = row["response"], row["ground_truth"]
    if metric == "f1_score":
        total += f1(r, t)
    elif metric == "rouge":
        total += scorer.score(t, r)["rougeL"].fmeasure
    else:
        rt, ht = nltk_tokenize(t), nltk_tokenize(r)
        if metric == "bleu":
            total += sentence_bleu([rt], ht, smoothing_function=smooth)
        elif metric == "gleu":
            total += sentence_gleu([rt], ht)
        else:
            total += meteor_score([rt], ht, alpha=0.9, beta=3.0, gamma=0.5)
print(total)
