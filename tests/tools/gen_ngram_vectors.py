#!/usr/bin/env python3
"""Generate tests/data/ngram_vectors.jsonl: reference values for the ef_ngram metrics.

Run with the reference environment (nltk 3.10.4, rouge-score 0.1.2, Python 3.11):

    NLTK_DATA=/tmp/evalfleet-ref/nltk_data /tmp/evalfleet-ref/venv/bin/python \
        tests/tools/gen_ngram_vectors.py > tests/data/ngram_vectors.jsonl

    # time the Python reference on the pairs of the vector file (rows/s per metric, in
    # process CPU time; --only METRIC, --subset ascii|unicode)
    ... gen_ngram_vectors.py --bench tests/data/ngram_vectors.jsonl

Every expected value comes from the reference libraries (or, for F1, from the
azure-ai-evaluation formula restated below); never edit the output by hand.

Records (one JSON object per line, strings raw UTF-8; a field "x_hex" replaces "x"
when the string holds a NUL, lists of tokens likewise):
  {"m": "meta", ...}                                      versions
  {"m": "f1", "resp", "truth", "f1", ["pt", "rt"]}        F1 (+ normalised tokens)
  {"m": "tok", "ref": [...], "hyp": [...], "bleu", "gleu"} BLEU method4 and GLEU
  {"m": "rouge", "truth", "resp", "s": {type: [p, r, f]}, ["tt", "pt"]}
  {"m": "uprops", ...}                                    Python's Unicode tables
"""
import argparse
import json
import random
import re
import string
import sys
import time
import unicodedata
from collections import Counter

import nltk
from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu
from nltk.translate.gleu_score import sentence_gleu
from rouge_score import rouge_scorer

ROUGE_TYPES = ["rouge1", "rouge2", "rouge3", "rouge4", "rouge5", "rougeL"]
SCORERS = {t: rouge_scorer.RougeScorer(rouge_types=[t], use_stemmer=False) for t in ROUGE_TYPES}
SMOOTH = SmoothingFunction().method4


# ----------------------------------------------------------------- reference F1
# azure-ai-evaluation F1ScoreEvaluator._compute_f1_score, restated.
def normalize_text(text):
    def remove_articles(t):
        return re.sub(r"\b(a|an|the)\b", " ", t)

    def white_space_fix(t):
        return " ".join(t.split())

    def remove_punctuation(t):
        exclude = set(string.punctuation)
        return "".join(ch for ch in t if ch not in exclude)

    def lower(t):
        return t.lower()

    return white_space_fix(remove_articles(remove_punctuation(lower(text))))


def f1_score(response, ground_truth):
    pred = normalize_text(response).split()
    ref = normalize_text(ground_truth).split()
    common = Counter(pred) & Counter(ref)
    n = sum(common.values())
    if n == 0:
        return 0.0
    precision = 1.0 * n / len(pred)
    recall = 1.0 * n / len(ref)
    return (2.0 * precision * recall) / (precision + recall)


def bleu(ref, hyp):
    return float(sentence_bleu([ref], hyp, smoothing_function=SMOOTH))


def gleu(ref, hyp):
    return float(sentence_gleu([ref], hyp))


def rouge_all(truth, resp):
    out = {}
    for t in ROUGE_TYPES:
        sc = SCORERS[t].score(target=truth, prediction=resp)[t]
        out[t] = [float(sc.precision), float(sc.recall), float(sc.fmeasure)]
    return out


# ----------------------------------------------------------------------- output
def enc(rec, key, value):
    """Store value under key, or hex-encoded under key_hex if it holds a NUL."""
    if isinstance(value, str):
        if "\0" in value:
            rec[key + "_hex"] = value.encode("utf-8").hex()
        else:
            rec[key] = value
    else:
        if any("\0" in v for v in value):
            rec[key + "_hex"] = [v.encode("utf-8").hex() for v in value]
        else:
            rec[key] = list(value)


def emit(rec):
    sys.stdout.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")


# --------------------------------------------------------------------- inputs
HAND_PAIRS = [
    ("", ""),
    ("", "the cat"),
    ("the cat", ""),
    ("   ", "\t\n"),
    ("   ", "cat"),
    ("a", "a"),
    ("a an the", "the an a"),
    ("The", "the"),
    ("cat", "cat"),
    ("cat", "dog"),
    ("cat cat cat", "cat"),
    ("the the the the the the the", "the cat is on the mat"),
    ("the cat sat on the mat", "the cat sat on the mat"),
    ("The cat sat on the mat.", "A cat was sitting on a mat!"),
    ("Paris is the capital of France.", "The capital of France is Paris."),
    ("Lyon is the capital of France.", "Paris is the capital of France."),
    ("The capital of Japan is Tokyo.",
     "Tokyo is Japan's capital, known for its blend of traditional culture and "
     "technological advancements."),
    ("It is a guide to action which ensures that the military always obeys the commands of the party",
     "It is a guide to action that ensures that the military will forever heed Party commands"),
    ("It is to insure the troops forever hearing the activity guidebook that party direct",
     "It is a guide to action that ensures that the military will forever heed Party commands"),
    ("he read the book because he was interested in world history",
     "he was interested in world history because he read the book"),
    # punctuation
    ("Hello, world!", "hello world"),
    ("hello...world", "helloworld"),
    ("e-mail", "email"),
    ("e-mail", "e mail"),
    ("don't", "dont"),
    ("don't", "do n't"),
    ("It's 3.14 o'clock; isn't it?", "its 314 oclock isnt it"),
    ("$100 (USD) & 50% off -- [now]!", "100 usd 50 off now"),
    ("under_score snake_case", "underscore snakecase"),
    ("~tilde `back` ^caret| {brace} <angle> \\slash/", "tilde back caret brace angle slashslash"),
    ("!!!", "???"),
    ("...", ""),
    ("a.b.c", "abc"),
    ("U.S.A. vs the U.K.", "usa vs uk"),
    # articles inside words and with neighbours
    ("another thesis: the theatre", "other sis theatre"),
    ("anthem than then", "anthem than then"),
    ("a-the an_ the_a", "the"),
    ("a1 an2 the3 1a", "a1 an2 the3 1a"),
    ("the_end", "theend"),
    ("a's the's an's", "s s s"),
    ("Ana Thea Athena", "ana thea athena"),
    ("THE AN A", ""),
    ("thé the", "thé"),
    ("éthe the", "éthe"),
    ("theé the", "theé"),
    ("a\u0301 the\u0301", "\u0301 \u0301"),
    ("\u0301a \u0301the", "a the"),
    ("²a the²", "a the"),
    ("a\u00b2 \u00bdthe", "a the"),
    ("a€ €the€", "€ € €"),
    ("a—the—an", "—"),
    ("a\u200bthe", "a the"),
    ("ａ the ｔｈｅ", "ａ ｔｈｅ"),
    ("the\u00a0cat", "cat"),
    ("the\u3000cat", "the cat"),
    ("aΣ theΣ", "ς"),
    # numbers
    ("1 2 3 4 5", "1 2 3 4 5"),
    ("3.14159", "314159"),
    ("1,000,000", "1000000"),
    ("version 2.0.1 released 2024-01-02", "version 201 released 20240102"),
    ("٣ ٤ ٥", "٣ ٤ ٥"),
    ("Ⅻ ⅻ ½ ²", "ⅻ ⅻ ½ ²"),
    # repeated words
    ("to be or not to be", "to be or not to be that is the question"),
    ("la la la la", "la la"),
    ("one one two two three three", "one two three"),
    ("x " * 50, "x " * 7),
    # one token
    ("hello", "hello"),
    ("hello", "Hello!"),
    ("hello", "world"),
    # whitespace varieties
    ("a\tb\nc\rd", "a b c d"),
    ("cat\u00a0dog", "cat dog"),
    ("cat\u2003dog\u2009bird", "cat dog bird"),
    ("cat\u200bdog", "cat dog"),
    ("cat\u2028dog\u2029bird\u0085fish", "cat dog bird fish"),
    ("cat\x1cdog\x1fbird\x0bfish\x0cowl", "cat dog bird fish owl"),
    ("cat\u180edog", "cat dog"),
    ("cat\ufeffdog", "cat dog"),
    ("\t\t  leading and trailing  \n", "leading and trailing"),
    # NUL and control characters
    ("cat\0dog", "cat dog"),
    ("\0", "\0"),
    ("bell\x07 esc\x1b del\x7f", "bell esc del"),
    # accents and case
    ("Café crème brûlée", "cafe creme brulee"),
    ("CAFÉ", "café"),
    ("Cafe\u0301", "café"),
    ("naïve résumé", "naive resume"),
    ("ÀÉÎÕÜ", "àéîõü"),
    # German, Turkish, Greek, Cyrillic
    ("Straße STRASSE", "strasse straße"),
    ("ß ẞ", "ss ß"),
    ("İstanbul", "istanbul"),
    ("İSTANBUL ıi Iİ", "i̇stanbul ıi ii̇"),
    ("DİYARBAKIR", "diyarbakır"),
    ("ΟΔΟΣ ΟΔΟΣ.", "οδος οδοσ"),
    ("ΣΑΣ Σ ΑΣ'Α ΑΣ. Α΄Σ", "σας σ ας"),
    ("ὈΔΥΣΣΕΎΣ", "ὀδυσσεύς"),
    ("Σ", "σ"),
    ("AΣ", "aς"),
    ("AΣb", "aσb"),
    ("AΣ\u0301", "aς\u0301"),
    ("A\u0301Σ", "a\u0301ς"),
    ("AΣ'", "aς"),
    ("AΣ'B", "aσb"),
    ("1Σ", "1σ"),
    ("ⅠΣ ⒶΣ ªΣ", "ⅰς ⓐς ªς"),
    ("ΣⅠ ΑΣⅰ ΑΣ_", "σⅰ ασⅰ ας"),
    ("ΑΣ\u2019Β ΑΣ\u00b7 ΑΣ\u200d", "ασβ ας ας"),
    ("Москва ПРИВЕТ мир", "москва привет мир"),
    ("Ǆ ǅ ǆ", "ǆ ǆ ǆ"),
    ("Ω K Å", "ω k å"),
    ("\u212aelvin \u212bngstrom", "kelvin ångstrom"),
    ("ＡＢＣ ａｂｃ", "ａｂｃ"),
    # CJK, Thai, Arabic, Hebrew, Indic, emoji
    ("東京は日本の首都です", "東京は日本の首都です"),
    ("東京 は 日本 の 首都 です", "東京 は 日本 首都"),
    ("北京。上海、广州！", "北京 上海 广州"),
    ("한국어 텍스트", "한국어 텍스트"),
    ("ภาษาไทย", "ภาษาไทย"),
    ("مرحبا بالعالم", "مرحبا العالم"),
    ("שלום עולם", "שלום"),
    ("हिन्दी भाषा", "हिन्दी"),
    ("I ❤ NY 😀", "i ❤ ny 😀"),
    ("👍👍 👍", "👍 👍👍"),
    ("👨‍👩‍👧 family", "family 👨‍👩‍👧"),
    ("🇫🇷 flag", "flag 🇫🇷"),
    ("the😀 a😀 😀an", "😀 😀 😀"),
    ("\U0001d400\U0001d401 math bold", "𝐀𝐁 math bold"),
    ("\U00011f04 kawi", "kawi \U00011f04"),
    ("a\U00011f04the", "a the"),
    ("\U00031350the a\U0001e4d0", "the a"),
    ("\ue000 private \U000f0000", "private"),
    ("\ufffd replacement", "replacement \ufffd"),
    # mixed
    ("The quick brown fox jumps over the lazy dog", "The quick brown dog jumps on the log."),
    ("The answer is 42.", "42"),
    ("Yes.", "yes"),
    ("No, it is not.", "Yes, it is."),
    ("Shakespeare wrote 'Hamlet' in 1600.", "Hamlet was written by Shakespeare around 1600."),
    ("C++ and C# are languages", "C and C are languages"),
    ("http://example.com/a?b=c&d=e", "httpexamplecomabcde"),
    ("user@example.com", "userexamplecom"),
]


def rand_unicode_word(rng):
    pools = [
        "abcdefghijklmnopqrstuvwxyz",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿ",
        "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝ",
        "ßẞİıŞşĞğ",
        "ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩαβγδεζηθικλμνξοπρσςτυφχψω",
        "АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЩЭЮЯабвгдежзиклмнопрстуфхцчшщэюя",
        "東京日本首都北京上海中文字",
        "0123456789",
        "٠١٢٣٤٥٦٧٨٩½²³",
        "😀👍❤🇫🇷👨‍👩‍👧",
        "\u0301\u0308\u0327",
        "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
        "\u00b7\u2019\u2018\u00ad\u200b\u200d",
    ]
    w = rng.choice([1, 1, 1, 2, 2, 3])
    chars = []
    for _ in range(rng.randint(1, 8)):
        chars.append(rng.choice(pools[rng.randrange(len(pools)) if w > 1 else rng.randrange(3)]))
    return "".join(chars)


WORDS = ("the a an of and to in is was it that for on with as by at from this be are or "
         "not but have had has they you he she we cat dog mat sat house capital france paris "
         "tokyo japan river model answer question data test value score system 42 3.14 2024 "
         "don't it's isn't can't o'clock e-mail U.S. Mr. Dr. etc. the. The, A; an! THE "
         "Another thesis anthem then than theory apple Apple APPLE").split()
SEPS = [" ", " ", " ", " ", "  ", "\t", "\n", ", ", ". ", "! ", "? ", "; ", " - ", "\u00a0",
        "\u3000", "...", "'", "\""]


def rand_text(rng, nmin=0, nmax=40, uni=0.1):
    n = rng.randint(nmin, nmax)
    parts = []
    for i in range(n):
        if rng.random() < uni:
            parts.append(rand_unicode_word(rng))
        else:
            parts.append(rng.choice(WORDS))
        if i + 1 < n:
            parts.append(rng.choice(SEPS))
    return "".join(parts)


def perturb(rng, text):
    toks = re.split(r"(\s+)", text)
    words = [t for t in toks if t and not t.isspace()]
    op = rng.randrange(6)
    if op == 0 or not words:
        return text
    if op == 1:
        for _ in range(rng.randint(1, 3)):
            if words:
                del words[rng.randrange(len(words))]
    elif op == 2:
        for _ in range(rng.randint(1, 3)):
            words.insert(rng.randrange(len(words) + 1), rng.choice(WORDS))
    elif op == 3:
        for _ in range(rng.randint(1, 3)):
            words[rng.randrange(len(words))] = rng.choice(WORDS)
    elif op == 4:
        i = rng.randrange(len(words))
        j = rng.randrange(len(words))
        words[i], words[j] = words[j], words[i]
    else:
        words = [w.upper() if rng.random() < 0.3 else w for w in words]
    return rng.choice([" ", "  ", "\n"]).join(words)


def long_text(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def text_pairs():
    rng = random.Random(20240601)
    pairs = list(HAND_PAIRS)
    pairs += [(b, a) for a, b in HAND_PAIRS if a != b]
    # very long texts
    for n, m in [(2000, 1800), (3000, 3000), (500, 5000), (1, 4000)]:
        a = long_text(rng, n)
        b = perturb(rng, a) if n == m else long_text(rng, m)
        pairs.append((a, b))
    base = long_text(rng, 2500)
    pairs.append((base, base))
    pairs.append((base, perturb(rng, base)))
    # seeded random pairs: related (perturbed) and unrelated
    for i in range(2200):
        uni = rng.choice([0.0, 0.05, 0.2, 0.6])
        a = rand_text(rng, 0, rng.choice([5, 20, 60]), uni)
        if rng.random() < 0.7:
            b = perturb(rng, a)
            if rng.random() < 0.3:
                b = perturb(rng, b)
        else:
            b = rand_text(rng, 0, 30, uni)
        pairs.append((a, b) if rng.random() < 0.5 else (b, a))
    return pairs


HAND_TOKENS = [
    ([], []),
    ([], ["a"]),
    (["a"], []),
    (["a"], ["a"]),
    (["a"], ["b"]),
    (["a", "b"], ["a"]),
    (["a"], ["a", "b"]),
    (["a", "b"], ["a", "b"]),
    (["a", "b"], ["b", "a"]),
    (["a", "b", "c"], ["a", "b", "c"]),
    (["a", "b", "c", "d"], ["a", "b", "c", "d"]),
    (["a", "b", "c", "d"], ["a", "b", "c", "e"]),
    (["a", "b", "c", "d", "e"], ["a", "x", "c", "y", "e"]),
    (["the"] * 7, "the cat is on the mat".split()),
    ("the cat is on the mat".split(), ["the"] * 7),
    (["x"] * 30, ["x"] * 3),
    (["x"] * 3, ["x"] * 30),
    (["", ""], ["", ""]),
    ([""], ["", "a"]),
    (["A"], ["a"]),
    (["ß"], ["ss"]),
    (["é"], ["e\u0301"]),
    (["😀", "👍"], ["😀", "👍"]),
    (["a\0b"], ["a\0b", "a"]),
    (["a", "b", "a", "b", "a"], ["b", "a", "b", "a", "b"]),
    (["a b"], ["a", "b"]),
    (list("abcdefgh"), list("abcdefgh")[::-1]),
    (list("abcabcabc"), list("abcabc")),
    (["1", "2", "3", "4", "5", "6"], ["1", "2", "3", "x", "5", "6"]),
]


def token_pairs(text_pairs_list):
    rng = random.Random(7)
    pairs = list(HAND_TOKENS)
    for a, b in text_pairs_list:
        # truth -> reference, response -> hypothesis, as the evaluators do
        pairs.append((b.split(), a.split()))
    for a, b in text_pairs_list[: len(HAND_PAIRS)]:
        pairs.append((nltk.word_tokenize(b), nltk.word_tokenize(a)))
    for _ in range(300):
        a = rand_text(rng, 0, 40, 0.1)
        b = perturb(rng, a) if rng.random() < 0.7 else rand_text(rng, 0, 40, 0.1)
        pairs.append((nltk.word_tokenize(b), nltk.word_tokenize(a)))
    # small vocabularies: many repeated n-grams of every order
    for _ in range(200):
        v = rng.choice(["ab", "abc", "abcd"])
        r = [rng.choice(v) for _ in range(rng.randint(0, 12))]
        h = [rng.choice(v) for _ in range(rng.randint(0, 12))]
        pairs.append((r, h))
    return pairs


# ---------------------------------------------------------------- unicode tables
def uprops():
    word, lower, multi, sigma, space = [], [], {}, [], []

    def add_range(lst, cp, *val):
        if lst and lst[-1][1] == cp - 1 and tuple(lst[-1][2:]) == val:
            lst[-1][1] = cp
        else:
            lst.append([cp, cp, *val])

    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        if c.isalnum() or c == "_":
            add_range(word, cp)
        if c.isspace():
            space.append(cp)
        lo = c.lower()
        if len(lo) > 1:
            multi[str(cp)] = [ord(x) for x in lo]
        elif lo != c:
            add_range(lower, cp, ord(lo) - cp)
        # CPython's Final_Sigma: probe the class of c as seen before/after U+03A3
        if (c + "\u03a3").lower()[-1] == "\u03c2":
            add_range(sigma, cp, 1)  # cased, not case-ignorable
        elif ("A" + c + "\u03a3").lower()[-1] == "\u03c2":
            add_range(sigma, cp, 2)  # case-ignorable
    return {"m": "uprops", "unicode": unicodedata.unidata_version, "word": word,
            "space": space, "lower": lower, "lower_multi": multi, "sigma": sigma}


def generate():
    emit({"m": "meta", "python": sys.version.split()[0], "unicode": unicodedata.unidata_version,
          "nltk": nltk.__version__, "rouge_score": "0.1.2"})
    emit(uprops())
    tp = text_pairs()
    nhand = 2 * len(HAND_PAIRS)
    for i, (resp, truth) in enumerate(tp):
        rec = {"m": "f1"}
        enc(rec, "resp", resp)
        enc(rec, "truth", truth)
        rec["f1"] = f1_score(resp, truth)
        if i < nhand:
            enc(rec, "pt", normalize_text(resp).split())
            enc(rec, "rt", normalize_text(truth).split())
        emit(rec)
    for i, (resp, truth) in enumerate(tp):
        rec = {"m": "rouge"}
        enc(rec, "truth", truth)
        enc(rec, "resp", resp)
        rec["s"] = rouge_all(truth, resp)
        if i < nhand:
            tok = SCORERS["rouge1"]._tokenizer
            rec["tt"] = tok.tokenize(truth)
            rec["pt"] = tok.tokenize(resp)
        emit(rec)
    for ref, hyp in token_pairs(tp):
        rec = {"m": "tok"}
        enc(rec, "ref", ref)
        enc(rec, "hyp", hyp)
        rec["bleu"] = bleu(ref, hyp)
        rec["gleu"] = gleu(ref, hyp)
        emit(rec)


# ------------------------------------------------------------------------ bench
def dec(rec, key):
    if key in rec:
        return rec[key]
    v = rec[key + "_hex"]
    if isinstance(v, str):
        return bytes.fromhex(v).decode("utf-8")
    return [bytes.fromhex(x).decode("utf-8") for x in v]


def bench(path, min_seconds, only=None, subset="all"):
    def keep(*texts):
        ascii = all(t.isascii() for t in texts)
        return subset == "all" or (ascii if subset == "ascii" else not ascii)

    f1s, rouges, toks = [], [], []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if rec["m"] == "f1":
                row = (dec(rec, "resp"), dec(rec, "truth"))
                if keep(*row):
                    f1s.append(row)
            elif rec["m"] == "rouge":
                row = (dec(rec, "truth"), dec(rec, "resp"))
                if keep(*row):
                    rouges.append(row)
            elif rec["m"] == "tok":
                row = (dec(rec, "ref"), dec(rec, "hyp"))
                if keep(*row[0], *row[1]):
                    toks.append(row)

    def run(name, rows, fn):
        if only and name != only:
            return
        n = 0
        t0 = time.process_time()  # CPU time, like the C bench: robust to machine load
        while True:
            for row in rows:
                fn(*row)
            n += len(rows)
            dt = time.process_time() - t0
            if dt >= min_seconds:
                break
        print("%-8s %8d rows %8.3f s %12.1f rows/s" % (name, n, dt, n / dt))

    run("f1", f1s, f1_score)
    run("bleu", toks, bleu)
    run("gleu", toks, gleu)
    for t in ROUGE_TYPES:
        sc = SCORERS[t]
        run(t, rouges, lambda a, b, sc=sc: sc.score(target=a, prediction=b))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bench", metavar="JSONL", help="time the reference on the file's pairs")
    ap.add_argument("--min-seconds", type=float, default=3.0)
    ap.add_argument("--only", help="bench one metric (f1, bleu, gleu, rouge1..rougeL)")
    ap.add_argument("--subset", choices=["all", "ascii", "unicode"], default="all",
                    help="rows whose texts are all ASCII / hold non-ASCII characters")
    args = ap.parse_args()
    if args.bench:
        bench(args.bench, args.min_seconds, args.only, args.subset)
    else:
        generate()


if __name__ == "__main__":
    main()
