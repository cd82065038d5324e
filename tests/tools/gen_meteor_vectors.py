#!/usr/bin/env python3
"""Generate the reference vectors of evalfleet's METEOR evaluator from NLTK.

Run with the reference environment (tests/tools/make_reference_env.sh):

    NLTK_DATA=/tmp/evalfleet-ref/nltk_data /tmp/evalfleet-ref/venv/bin/python \\
        tests/tools/gen_meteor_vectors.py all [OUTDIR]          (default: tests/data)

Sub-commands:
  porter   OUTDIR/porter_vectors.jsonl   [word, stem] or [word, stem, word.lower()]
           (the third item only when lowercasing changes the word):
           NLTK PorterStemmer() (NLTK_EXTENSIONS) on every WordNet index lemma,
           the exception-list forms, regular inflections and derivations, and
           hand-picked edge cases (irregular pool, short words, Unicode).
  wordnet  OUTDIR/wordnet_vectors.jsonl  {"w": word, "syn": [...]}: the sorted set of
           lemma names without '_' over wordnet.synsets(word) (what METEOR uses,
           without the union with the word itself).
  meteor   OUTDIR/meteor_vectors.jsonl   {"id", "ref", "hyp", "alpha", "beta", "gamma",
           "score"}: meteor_score([ref], hyp, alpha=, beta=, gamma=); score is
           repr() of the Python float, so it round-trips bit-exactly.
  all      the three files above.
  tables   print the C range tables of Python's Cased and Case_Ignorable
           properties (str.lower()'s final-sigma rule) for porter_nltk.c.
  bench    time NLTK meteor_score over OUTDIR/meteor_vectors.jsonl (pairs/s).

Every random choice comes from random.Random with a fixed seed, so a rerun
with the same NLTK/WordNet/Python reproduces the files byte for byte.
"""
import json
import os
import random
import sys
import time
import unicodedata

from nltk.corpus import wordnet as wn
from nltk.stem.porter import PorterStemmer
from nltk.translate.meteor_score import meteor_score

WNDIR = os.path.join(os.environ.get("NLTK_DATA", "/tmp/evalfleet-ref/nltk_data"), "corpora", "wordnet")


def index_lemmas():
    """Every lemma of index.{noun,verb,adj,adv}, with its total sense count."""
    out = {}
    for pos in ("noun", "verb", "adj", "adv"):
        with open(os.path.join(WNDIR, "index." + pos), encoding="utf8") as f:
            for line in f:
                if line.startswith(" "):
                    continue
                t = line.split()
                out[t[0]] = out.get(t[0], 0) + int(t[2])
    return out


def exc_pairs():
    """(inflected, base) pairs of the *.exc files."""
    out = []
    for pos in ("noun", "verb", "adj", "adv"):
        with open(os.path.join(WNDIR, pos + ".exc"), encoding="utf8") as f:
            for line in f:
                t = line.split()
                for b in t[1:]:
                    out.append((t[0], b))
    return out


UNICODE_WORDS = [
    "café", "CAFÉ", "naïve", "NAÏVE", "Straße", "STRASSE", "İstanbul", "İ", "İİ", "Iİ",
    "ΟΔΟΣ", "ΟΔΟΣ.", "Σ", "ΑΣ", "ΑΣΑ", "Α'Σ", "ΑΣ'", "ΑΣ'Α", "Α\u0301Σ", "ΑΣ\u0301",
    "ΑΣ\u0301Β", "1Σ", "ΣΑ", "ὈΔΥΣΣΕΎΣ", "ΣΊΣΥΦΟΣ", "東京", "東京タワー", "😀", "😀s",
    "Ωmega", "ǅungla", "ǄUNGLA", "ǆ", "\u212a", "\u212aing", "\u2126", "Ⱥ", "ȾING",
    "Ԁ", "Ꭰ", "ꭰ", "𐐀", "𐐨", "𞤀", "ΐ", "ﬀ", "ﬁne", "ŉ", "ẞ", "ß", "ĲSSELMEER",
    "élève", "ÉLÈVES", "niño", "NIÑOS", "über", "ÜBERS", "résumés", "façades",
    "coöperation", "rôle", "Ελλάδα", "ΕΛΛΆΔΑ", "москва", "МОСКВА", "ĳ", "Ǳ", "ǲ",
    "aé", "éé", "aéé", "aééing", "éies", "éied", "éy", "aéy", "\u00a0", "a\u200bb",
    "\u0130stanbuls", "runnİng", "Σσς", "ΑΣ\u00ad", "ΑΣ\u00adΒ",
]

EDGE_WORDS = [
    "", "a", "s", "y", "I", "A", "is", "as", "us", "ys", "yy", "yyy", "yyyy", "yyyyy",
    "sky", "skies", "Skies", "SKY", "dying", "lying", "tying", "news", "innings", "inning",
    "outings", "outing", "cannings", "canning", "howe", "proceed", "exceed", "succeed",
    "proceeding", "exceeded", "succeeds", "ies", "dies", "ties", "lies", "pies", "flies",
    "ied", "died", "tied", "lied", "cried", "spied", "eed", "feed", "agreed", "bleed",
    "ed", "ing", "sing", "bring", "string", "a*d", "a*ding", "oa*ded", "x*d", "*d", "**d",
    "a*ded", "hopping", "hoping", "filing", "failing", "falling", "fizzed", "hissing",
    "controlling", "rolling", "generalli", "generally", "digitalli", "analogi", "apologi",
    "logi", "ologi", "fulli", "hopefulli", "syzygy", "yearly", "yay", "ayy", "boy", "boys",
    "toy", "by", "say", "happy", "happiness", "relational", "conditional", "rational",
    "valenci", "hesitanci", "digitizer", "conformabli", "radicalli", "differentli", "vileli",
    "analogousli", "vietnamization", "predication", "operator", "feudalism", "decisiveness",
    "hopefulness", "callousness", "formaliti", "sensitiviti", "sensibiliti", "triplicate",
    "formative", "formalize", "electriciti", "electrical", "hopeful", "goodness", "revival",
    "allowance", "inference", "airliner", "gyroscopic", "adjustable", "defensible",
    "irritant", "replacement", "adjustment", "dependent", "adoption", "homologou",
    "communism", "activate", "angulariti", "homologous", "effective", "bowdlerize",
    "probate", "rate", "cease", "controll", "roll", "caresses", "ponies", "ties", "caress",
    "cats", "feed", "agreed", "plastered", "bled", "motoring", "conflated", "troubled",
    "sized", "hopping", "tanned", "falling", "hissing", "fizzed", "failing", "filing",
    "happy", "sky", "ASDFGHJKL", "Running", "RUNNING", "MiXeD", "1990s", "3.14", "1,000",
    "24/7", "e-mail", "o'clock", "don't", "n't", "'s", "--", "...", ".", ",", "!", "?", "'",
    "\"", "(", ")", "U.S.", "u.s.", "a.m.", "mr.", "Mr.", "ice_cream", "hot_dogs",
    "running_back", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "antidisestablishmentarianism", "pneumonoultramicroscopicsilicovolcanoconiosis",
    "supercalifragilisticexpialidocious" * 5 + "ational", "ee", "eee", "eeed", "aeed", "ueed",
    "ying", "yed", "yies", "yied", "bying", "eying", "ai", "ay", "aye", "ays", "ow", "ox",
    "oxed", "axing", "bowed", "boxing", "playing", "tre", "are", "ore", "ire", "ele",
    "abate", "abele", "tall", "tell", "till", "toll", "fall", "install", "enroll", "squall",
    "zz", "zzz", "fizz", "buzzing", "jazzed", "lll", "sss", "ss", "sses", "ssses",
]

SUFFIXES = ["s", "es", "ed", "ing", "er", "est", "ly", "ness", "ful", "ation", "ational",
            "ization", "izer", "ism", "ist", "ity", "iti", "ive", "ous", "ousli", "alli",
            "able", "ible", "ance", "ence", "ement", "ment", "ent", "ion", "al", "ic",
            "ical", "icate", "ative", "alize", "iciti", "fulness", "iveness", "ousness",
            "aliti", "iviti", "biliti", "bli", "logi", "fulli", "entli", "eli", "enci",
            "anci", "ator", "alism", "ies", "ied", "eed", "y", "e", "ll"]


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"{path}: {len(rows)} rows", file=sys.stderr)


def single_code_point_words():
    """Every code point whose lowercase differs, alone and in a word."""
    out = []
    for c in range(0x110000):
        if 0xD800 <= c < 0xE000:
            continue
        ch = chr(c)
        if ch.lower() != ch:
            out.append(ch)
            out.append(ch + "ings")
            out.append("x" + ch + ch)
    return out


def random_unicode_words(rng, count):
    """Short random strings around str.lower()'s special cases (final sigma
    between cased and case-ignorable characters, U+0130, Kelvin sign) and
    Porter suffixes."""
    pool = list("\u03a3\u03c3\u03c2\u0391\u03b1aAIiKk\u03a9'.:^`\u0301\u0345\u00ad\u200b"
                "\u2019 -_1\u01c5\u01c4\u01c6\u1e9e\u00df\ufb01\u212a\u2126\u0130"
                "\u02b0\u00aa\u3000\u00e9\u00c9yYsSed")
    pool += ["\U00010400", "ing", "ies", "ational", "\u03a3\u0301"]
    cps = [c for c in range(0x20, 0x30000) if not 0xD800 <= c < 0xE000]
    out = []
    for _ in range(count):
        n = rng.randint(1, 8)
        out.append("".join(rng.choice(pool) if rng.random() < 0.8 else chr(rng.choice(cps))
                           for _ in range(n)))
    return out


def gen_porter(outdir):
    rng = random.Random(20240601)
    st = PorterStemmer()
    lem = sorted(index_lemmas())
    words = list(EDGE_WORDS) + list(UNICODE_WORDS)
    words += ["ba" * 200 + "ational", "Ba" * 300 + "ING", "\u03a3" * 150 + "ies", "x" * 1000]
    # every single-word lemma, a sample of the multi-word ones ("ice_cream")
    words += [w for w in lem if "_" not in w]
    words += rng.sample([w for w in lem if "_" in w], 6000)
    words += sorted({a for a, _ in exc_pairs()})
    simple = [w for w in lem if w.isalpha() and w.isascii()]
    for w in rng.sample(simple, 12000):
        words.append(w + rng.choice(SUFFIXES))
    for w in rng.sample(simple, 3000):
        words.append(w + rng.choice(SUFFIXES) + rng.choice(SUFFIXES))
    for w in rng.sample(simple, 3000):
        r = rng.random()
        words.append(w.upper() if r < 0.4 else w.capitalize() if r < 0.8 else w.title().swapcase())
    words += single_code_point_words()
    words += random_unicode_words(random.Random(20240604), 3000)
    seen = set()
    rows = []
    for w in words:
        if w in seen:
            continue
        seen.add(w)
        s = st.stem(w)
        rows.append([w, s] if w.lower() == w else [w, s, w.lower()])
    write_jsonl(os.path.join(outdir, "porter_vectors.jsonl"), rows)


def syn_names(w):
    return sorted({l.name() for s in wn.synsets(w) for l in s.lemmas() if l.name().find("_") < 0})


INFLECTED = ["running", "geese", "better", "was", "were", "is", "are", "been", "best", "worse",
             "worst", "ran", "went", "gone", "mice", "children", "feet", "teeth", "men", "women",
             "oxen", "data", "criteria", "cacti", "fungi", "indices", "matrices", "leaves",
             "wolves", "knives", "wives", "lives", "churches", "boxes", "buses", "quizzes",
             "dishes", "ladies", "cities", "studies", "studied", "studying", "tried", "tries",
             "hoping", "hopped", "hopping", "making", "made", "taken", "took", "sung", "sang",
             "swam", "swum", "bigger", "biggest", "happier", "happiest", "fastest", "further",
             "farther", "more", "most", "less", "least", "axes", "bases", "saw", "seen", "flies",
             "lying", "lay", "lain", "dying", "died", "ties", "tying", "sky", "skies", "news",
             "innings", "cannings", "hardrock", "aardwolves", "abaci", "churches", "dogs",
             "book", "books", "booked", "booking", "Dogs", "RUNNING", "Geese", "U.S.", "us",
             "USA", "ice_cream", "hot_dogs", "running_backs", "i", "I", "a", "an", "the", "of",
             "'s", "n't", "", " ", "1", "1st", "24/7", "café", "ΟΔΟΣ", "İ", "\u212aing",
             "offer", "offers", "aurar", "diastemata", "involucra", "sudatoria", "ss", "s",
             "es", "ed", "ing", "er", "est", "men", "ies", "ches", "shes", "ves", "xes", "zes",
             "gener", "gener", "happi", "studi", "abl", "cat", "dog", "car", "automobil",
             "comput", "organ", "bui", "buy", "bought", "good", "well", "fine", "quick",
             "quickly", "fast", "big", "large", "huge", "small", "little", "say", "said",
             "tell", "told", "speak", "spoke", "talk", "walk", "walks", "walked", "house",
             "home", "begin", "began", "start", "started", "end", "finish", "military",
             "army", "guide", "command", "commands", "party", "heed", "obey", "obeys",
             "ensure", "ensures", "guarantee", "always", "forever", "activity", "action"]


def gen_wordnet(outdir):
    rng = random.Random(20240602)
    lem = index_lemmas()
    st = PorterStemmer()
    words = list(INFLECTED)
    single = sorted(w for w in lem if "_" not in w)
    multi = sorted(w for w in lem if "_" in w)
    words += rng.sample(single, 1800)
    words += rng.sample(multi, 150)
    words += [a for a, _ in rng.sample(exc_pairs(), 600)]
    # meteor looks up synonyms of *stems*: include stems of common lemmas
    common = sorted(w for w, n in lem.items() if n >= 4 and w.isalpha())
    words += [st.stem(w) for w in rng.sample(common, 900)]
    sample = rng.sample(single, 600)
    for w in sample:
        words.append(w + rng.choice(["s", "es", "ed", "ing", "er", "est", "ies", "men"]))
    words += [w.upper() for w in rng.sample(single, 100)]
    words += ["ba" * 200 + "s", "A" * 300, "running" * 40]
    seen = set()
    rows = []
    for w in words:
        if w in seen:
            continue
        seen.add(w)
        rows.append({"w": w, "syn": syn_names(w)})
    write_jsonl(os.path.join(outdir, "wordnet_vectors.jsonl"), rows)


FUNCTION_WORDS = ("the a an of to in is was were be been being and or but that this these those "
                  "it its he she they we you I me him her them my your our their not no with for "
                  "on at by from as into over under than then so if because while about after "
                  "before there here what which who whom whose when where why how all any some "
                  "each every both few more most other such only own same too very can will just "
                  "should now do does did done has have had having").split()
PUNCT = [".", ",", "!", "?", ";", ":", "\"", "'", "(", ")", "-", "--", "...", "''", "``", "'s",
         "n't", "%", "$", "&", "/"]
NUMBERS = ["1", "2", "10", "2023", "3.14", "1,000", "50%", "1st", "2nd", "IV", "xii", "0"]
NONASCII = ["café", "Café", "CAFÉ", "naïve", "Straße", "İstanbul", "istanbul", "i̇stanbul",
            "ΟΔΟΣ", "οδος", "οδοσ", "東京", "😀", "über", "Über", "résumé", "resume", "Ελλάδα",
            "москва", "Москва", "\u212a", "k", "ǅ", "ǆ", "Ǆ", "ß", "ẞ", "ﬁ"]


class Lexicon:
    def __init__(self, rng):
        self.rng = rng
        lem = index_lemmas()
        self.common = sorted(w for w, n in lem.items() if n >= 3 and w.isalpha() and len(w) <= 12)
        self.rare = sorted(w for w, n in lem.items() if w.isalpha() and len(w) <= 14)
        self.exc_fwd = {}
        self.exc_rev = {}
        for a, b in exc_pairs():
            self.exc_fwd.setdefault(a, []).append(b)
            self.exc_rev.setdefault(b, []).append(a)
        self.exc_rev = {k: sorted(set(v)) for k, v in self.exc_rev.items()}
        self.syn_cache = {}

    def word(self):
        r = self.rng.random()
        if r < 0.30:
            return self.rng.choice(FUNCTION_WORDS)
        if r < 0.85:
            return self.rng.choice(self.common)
        if r < 0.93:
            return self.rng.choice(self.rare)
        if r < 0.97:
            return self.rng.choice(PUNCT)
        if r < 0.99:
            return self.rng.choice(NUMBERS)
        return self.rng.choice(NONASCII)

    def synonym(self, w):
        if w not in self.syn_cache:
            self.syn_cache[w] = sorted({l.name() for s in wn.synsets(w) for l in s.lemmas()
                                        if "_" not in l.name() and l.name() != w})
        c = self.syn_cache[w]
        return self.rng.choice(c) if c else w

    def inflect(self, w):
        rng = self.rng
        if w in self.exc_rev and rng.random() < 0.5:
            return rng.choice(self.exc_rev[w])
        if w in self.exc_fwd and rng.random() < 0.5:
            return rng.choice(self.exc_fwd[w])
        suf = rng.choice(["s", "es", "ed", "ing", "er", "est", "ly", "ness", "ation", "ies",
                          "ied", "ful", "ment", "ity", "al", "ize", "ized", "izing"])
        if suf in ("ies", "ied") and w.endswith("y"):
            return w[:-1] + suf
        if suf in ("ed", "ing", "er", "est") and w.endswith("e"):
            return w[:-1] + suf
        return w + suf

    def recase(self, w):
        r = self.rng.random()
        return w.upper() if r < 0.3 else w.capitalize() if r < 0.8 else w.swapcase()


def mutate(lx, ref):
    rng = lx.rng
    hyp = []
    p_syn = rng.uniform(0.0, 0.35)
    p_inf = rng.uniform(0.0, 0.3)
    for w in ref:
        r = rng.random()
        if r < p_syn:
            hyp.append(lx.synonym(w.lower()))
        elif r < p_syn + p_inf:
            hyp.append(lx.inflect(w.lower()))
        elif r < p_syn + p_inf + 0.06:
            hyp.append(lx.recase(w))
        elif r < p_syn + p_inf + 0.12:
            hyp.append(lx.word())
        elif r < p_syn + p_inf + 0.16:
            pass
        elif r < p_syn + p_inf + 0.20:
            hyp.append(w)
            hyp.append(lx.word())
        else:
            hyp.append(w)
    if hyp and rng.random() < 0.4:
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(hyp))
            j = min(len(hyp) - 1, i + rng.randint(1, 4))
            hyp[i], hyp[j] = hyp[j], hyp[i]
    if hyp and rng.random() < 0.1:
        i = rng.randrange(len(hyp))
        hyp.insert(rng.randrange(len(hyp) + 1), hyp[i])
    return hyp


HAND = [
    (["It", "is", "a", "guide", "to", "action", "that", "ensures", "that", "the", "military",
      "will", "forever", "heed", "Party", "commands"],
     ["It", "is", "a", "guide", "to", "action", "which", "ensures", "that", "the", "military",
      "always", "obeys", "the", "commands", "of", "the", "party"]),
    (["It", "is", "the", "guiding", "principle", "which", "guarantees", "the", "military",
      "forces", "always", "being", "under", "the", "command", "of", "the", "Party"],
     ["It", "is", "to", "insure", "the", "troops", "forever", "hearing", "the", "activity",
      "guidebook", "that", "party", "direct"]),
    (["this", "is", "a", "cat"], ["non", "matching", "hypothesis"]),
    (["the", "cat", "sat", "on", "the", "mat"], ["the", "cat", "sat", "on", "the", "mat"]),
    (["the", "cat", "sat", "on", "the", "mat"], []),
    ([], ["the", "cat", "sat", "on", "the", "mat"]),
    ([], []),
    (["a"], ["a"]), (["a"], ["b"]), (["A"], ["a"]), (["cat"], ["cats"]), (["cats"], ["cat"]),
    (["car"], ["automobile"]), (["automobile"], ["car"]), (["running"], ["run"]),
    (["run"], ["running"]), (["geese"], ["goose"]), (["goose"], ["geese"]),
    (["good"], ["better"]), (["better"], ["good"]), (["be"], ["was"]), (["was"], ["be"]),
    (["the", "the", "the"], ["the"]), (["the"], ["the", "the", "the"]),
    (["the", "the", "the"], ["the", "the", "the"]), (["a", "b", "a", "b"], ["b", "a", "b", "a"]),
    (["a", "b", "c", "d"], ["d", "c", "b", "a"]), (["x", "y", "z"], ["z", "x", "y"]),
    (["The", "THE", "the"], ["tHe", "the", "ThE"]),
    ([".", ",", "!", "?"], ["?", "!", ",", "."]), (["1", "2", "3"], ["3", "2", "1"]),
    (["café", "au", "lait"], ["CAFÉ", "au", "LAIT"]), (["İstanbul"], ["i̇stanbul"]),
    (["İstanbul"], ["istanbul"]), (["ΟΔΟΣ"], ["οδος"]), (["ΟΔΟΣ"], ["οδοσ"]),
    (["Σ"], ["σ"]), (["ΑΣ"], ["ας"]), (["\u212a"], ["k"]), (["Straße"], ["strasse"]),
    (["東京", "タワー"], ["東京", "タワー"]), (["😀"], ["😀", "😀"]),
    (["quick", "brown", "fox"], ["fast", "brown", "fox"]),
    (["he", "ran", "quickly"], ["he", "runs", "fast"]),
    (["big", "large", "huge"], ["large", "big", "huge"]),
    (["dog", "dogs", "dog"], ["dogs", "dog", "dogs"]),
    (["begin", "start", "commence"], ["start", "commence", "begin"]),
    (["ice_cream"], ["ice", "cream"]), (["hot_dogs"], ["hot_dog"]),
    (["U.S.", "army"], ["u.s.", "military"]), (["children", "play"], ["child", "plays"]),
    (["generalization"], ["general"]), (["relational"], ["relate"]), (["happiness"], ["happy"]),
    (["skies"], ["sky"]), (["dying"], ["die"]), (["news"], ["new"]), (["innings"], ["inning"]),
    (["a*ding"], ["ad"]), (["a*ding"], ["a*d"]), (["yyying"], ["yy"]),
    (["the", "cat"], ["the", "feline"]), (["cat", "cat"], ["true_cat", "cat"]),
    (["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"],
     ["ten", "nine", "eight", "seven", "six", "five", "four", "three", "two", "one"]),
    (["word"] * 60, ["word"] * 40), (["word"] * 40, ["word"] * 60),
    (["a", ""], ["", "a"]), ([""], [""]), ([" "], [" "]),
]


def gen_meteor(outdir):
    rng = random.Random(20240603)
    lx = Lexicon(rng)
    pairs = []  # (ref, hyp, alpha, beta, gamma)
    for ref, hyp in HAND:
        pairs.append((ref, hyp, 0.9, 3.0, 0.5))
    for ref, hyp in HAND[:12]:
        for a, b, g in ((0.0, 3.0, 0.5), (1.0, 3.0, 0.5), (0.5, 0.0, 0.5), (0.9, 1e9, 0.5),
                        (0.9, 3.0, 0.0), (0.9, 3.0, 1.0), (0.3, 1.7, 0.25)):
            pairs.append((ref, hyp, a, b, g))
    # synonym / stem / exact interplay on small vocabularies (many repeats)
    for _ in range(400):
        vocab = [lx.word() for _ in range(rng.randint(1, 5))]
        vocab += [lx.synonym(v.lower()) for v in vocab] + [lx.inflect(v.lower()) for v in vocab]
        ref = [rng.choice(vocab) for _ in range(rng.randint(0, 12))]
        hyp = [rng.choice(vocab) for _ in range(rng.randint(0, 12))]
        pairs.append((ref, hyp, 0.9, 3.0, 0.5))
    # sentence-like pairs
    for k in range(2600):
        n = rng.choice([rng.randint(1, 8), rng.randint(5, 30), rng.randint(20, 60)])
        if k % 200 == 0:
            n = rng.randint(150, 400)
        ref = [lx.word() for _ in range(n)]
        if rng.random() < 0.1:
            ref = [lx.recase(w) if rng.random() < 0.3 else w for w in ref]
        hyp = mutate(lx, ref)
        if rng.random() < 0.5:
            ref, hyp = hyp, ref
        if rng.random() < 0.1:
            a, b, g = rng.random(), rng.uniform(0, 6), rng.random()
        else:
            a, b, g = 0.9, 3.0, 0.5
        pairs.append((ref, hyp, a, b, g))
    # very long texts (the synonym stage switches its lookup strategy on size)
    for n in (800, 1500, 2500):
        ref = [lx.word() for _ in range(n)]
        pairs.append((ref, mutate(lx, ref), 0.9, 3.0, 0.5))
    rows = []
    for i, (ref, hyp, a, b, g) in enumerate(pairs):
        s = meteor_score([ref], hyp, alpha=a, beta=b, gamma=g)
        rows.append({"id": i, "ref": ref, "hyp": hyp, "alpha": a, "beta": b, "gamma": g,
                     "score": s})
    write_jsonl(os.path.join(outdir, "meteor_vectors.jsonl"), rows)


def gen_tables():
    def cased(ch):
        return ch.islower() or ch.isupper() or ch.istitle()

    def ignorable(ch):
        # Probe str.lower()'s final-sigma rule (CPython handle_capital_sigma()).
        if ch == "\u03a3":
            return False
        if cased(ch):
            return not (ch + "\u03a3").lower().endswith("\u03c2")
        return ("A\u03a3" + ch + "A").lower()[1] == "\u03c3"

    def ranges(pred):
        out = []
        for c in range(0x110000):
            if 0xD800 <= c < 0xE000 or not pred(chr(c)):
                continue
            if out and out[-1][1] == c - 1:
                out[-1][1] = c
            else:
                out.append([c, c])
        return out

    print(f"/* Generated by tests/tools/gen_meteor_vectors.py tables from Python "
          f"{sys.version.split()[0]} (Unicode {unicodedata.unidata_version}). */")
    for name, pred in (("cased", cased), ("case_ignorable", ignorable)):
        r = ranges(pred)
        print(f"static const uint32_t {name}_ranges[][2] = {{")
        line = "   "
        for a, b in r:
            item = f" {{0x{a:X}, 0x{b:X}}},"
            if len(line) + len(item) > 99:
                print(line)
                line = "   "
            line += item
        print(line)
        print("};")


def bench(outdir):
    rows = [json.loads(l) for l in open(os.path.join(outdir, "meteor_vectors.jsonl"), encoding="utf8")]
    t = time.perf_counter()
    wn.ensure_loaded()
    print(f"NLTK WordNet load: {time.perf_counter() - t:.3f} s (not counted below)")
    for rep in range(2):
        t = time.perf_counter()
        for r in rows:
            meteor_score([r["ref"]], r["hyp"], alpha=r["alpha"], beta=r["beta"], gamma=r["gamma"])
        dt = time.perf_counter() - t
        what = "cold synset cache" if rep == 0 else "warm"
        print(f"NLTK pass {rep + 1} ({what}): {len(rows)} pairs in {dt:.3f} s = "
              f"{len(rows) / dt:.0f} pairs/s")


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else "all"
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "..", "data")
    if cmd == "tables":
        gen_tables()
        return
    os.makedirs(outdir, exist_ok=True)
    if cmd in ("porter", "all"):
        gen_porter(outdir)
    if cmd in ("wordnet", "all"):
        gen_wordnet(outdir)
    if cmd in ("meteor", "all"):
        gen_meteor(outdir)
    if cmd == "bench":
        bench(outdir)


if __name__ == "__main__":
    main()
