"""Generate tests/data/text_vectors.jsonl: end-to-end expected scores of the
five text evaluators, computed once with the reference implementations exactly
as azure-ai-evaluation calls them (nltk_tokenize = word_tokenize for ASCII text,
NISTTokenizer.international_tokenize otherwise; sentence_bleu with method4;
sentence_gleu; meteor_score(alpha=0.9, beta=3, gamma=0.5); RougeScorer per
type; the SQuAD-style F1).  Never edit the output by hand.

    tests/tools/make_reference_env.sh
    NLTK_DATA=/tmp/evalfleet-ref/nltk_data /tmp/evalfleet-ref/venv/bin/python \
        tests/tools/gen_text_vectors.py > tests/data/text_vectors.jsonl
"""
import json
import random
import re
import string
import sys
from collections import Counter

import nltk
from nltk.tokenize.nist import NISTTokenizer
from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu
from nltk.translate.gleu_score import sentence_gleu
from nltk.translate.meteor_score import meteor_score
from rouge_score import rouge_scorer


def nltk_tokenize(text):
    if not text.isascii():
        return list(NISTTokenizer().international_tokenize(text))
    return list(nltk.word_tokenize(text))


def f1(response, truth):
    def norm(t):
        t = t.lower()
        t = "".join(ch for ch in t if ch not in set(string.punctuation))
        t = re.sub(r"\b(a|an|the)\b", " ", t)
        return " ".join(t.split())

    p, r = norm(response).split(), norm(truth).split()
    common = Counter(p) & Counter(r)
    n = sum(common.values())
    if n == 0:
        return 0.0
    prec, rec = 1.0 * n / len(p), 1.0 * n / len(r)
    return (2.0 * prec * rec) / (prec + rec)


CASES = [
    ("The capital of France is Paris.", "Paris is the capital of France."),
    ("According to wikipedia, Marie Curie was not born in Paris but in Warsaw.",
     "Marie Curie was born in Warsaw."),
    ("", "Something."),
    ("Something.", ""),
    ("", ""),
    ("Identical sentence here.", "Identical sentence here."),
    ("Mr. Smith paid $5.50 for the U.S. edition, e.g. the hardcover.",
     "Mr. Smith bought the U.S. hardcover edition for $5.50."),
    ("I can't believe it's not butter! Isn't it?", "I cannot believe it is not butter."),
    ("the the the cat cat", "the cat sat on the mat"),
    ("An apple a day keeps the doctor away.", "A day with an apple keeps doctors away"),
    ("He said \"hello\" -- then left...", "\"Hello,\" he said, and left."),
    ("Numbers: 1, 2, 3.5 and 1,000,000.", "The numbers are 1 2 3.5 and one million"),
    ("Café au lait, s'il vous plaît.", "Un café au lait s'il vous plaît"),
    ("東京は日本の首都です。", "日本の首都は東京です。"),
    ("Straße und Größe – naïve résumé 😀", "strasse und grösse naive resume"),
    ("The quick brown fox jumps over the lazy dog", "A fast brown fox leaps over a lazy dog"),
    ("running runners ran quickly", "the runner runs fast"),
    ("Dr. Who arrived at 5 p.m. on Jan. 3rd.", "Doctor Who came at five in the afternoon."),
    ("Line one.\nLine two?\tTab! End", "line one line two tab end"),
    ("(brackets) [square] {curly} <angle>", "brackets square curly angle"),
]

WORDS = ("the a an cat dog sat mat ran running runs quick quickly brown fox jump jumped "
         "over lazy Paris France capital city is was were be been good better best "
         "large big small tiny house home car automobile buy bought purchase Mr. Dr. "
         "U.S. e.g. 3.5 42 1,000 can't won't it's don't , . ? ! ; : ' \" ( ) -- ...").split()


def random_text(rng):
    n = rng.randint(0, 25)
    out = []
    for _ in range(n):
        w = rng.choice(WORDS)
        if rng.random() < 0.1:
            w = w.capitalize()
        out.append(w)
    s = " ".join(out)
    if rng.random() < 0.3:
        s += rng.choice([".", "?", "!", ""])
    return s


def main():
    rng = random.Random(20261123)
    pairs = list(CASES)
    for _ in range(400):
        a = random_text(rng)
        b = random_text(rng) if rng.random() < 0.7 else a
        pairs.append((a, b))
    scorers = {t: rouge_scorer.RougeScorer(rouge_types=[t])
               for t in ("rouge1", "rouge2", "rouge3", "rouge4", "rouge5", "rougeL")}
    smooth = SmoothingFunction().method4
    for i, (response, truth) in enumerate(pairs):
        rt, ht = nltk_tokenize(truth), nltk_tokenize(response)
        rec = {"id": i, "response": response, "ground_truth": truth,
               "f1_score": f1(response, truth),
               "bleu_score": sentence_bleu([rt], ht, smoothing_function=smooth),
               "gleu_score": sentence_gleu([rt], ht),
               "meteor_score": meteor_score([rt], ht, alpha=0.9, beta=3.0, gamma=0.5)}
        for t, sc in scorers.items():
            m = sc.score(truth, response)[t]
            rec[t] = [m.precision, m.recall, m.fmeasure]
        sys.stdout.write(json.dumps(rec, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
