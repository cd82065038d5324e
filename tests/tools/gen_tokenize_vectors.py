#!/usr/bin/env python3
"""Generate tests/data/tokenize_vectors.jsonl with the reference tokenizer.

    NLTK_DATA=/tmp/evalfleet-ref/nltk_data /tmp/evalfleet-ref/venv/bin/python \\
        tests/tools/gen_tokenize_vectors.py > tests/data/tokenize_vectors.jsonl

(The reference environment comes from tests/tools/make_reference_env.sh.)

Each line is {"fn": F, "text": T, "tokens": [...]} where F names the function
that produced the tokens:
    nltk  azure-ai-evaluation's nltk_tokenize() (NIST international for
          non-ASCII text, nltk.word_tokenize otherwise) -- most cases
    word  nltk.word_tokenize() alone (ASCII texts, and a few non-ASCII ones
          that exercise its explicit Unicode quote/dash rules)
    nist  NISTTokenizer().international_tokenize() alone, also on ASCII text
The output is deterministic: a fixed seed, no timestamps.  Never edit the
expected tokens by hand; change this script and regenerate.
"""
import json
import random
import sys

import nltk
from nltk.tokenize.nist import NISTTokenizer

assert nltk.__version__ == "3.10.4", nltk.__version__

_NIST = NISTTokenizer()


def nltk_tokenize(text):
    # Verbatim logic of azure-ai-evaluation's _common/utils.py nltk_tokenize().
    if not text.isascii():
        tokens = NISTTokenizer().international_tokenize(text)
    else:
        tokens = nltk.word_tokenize(text)
    return list(tokens)


FUNCS = {
    "nltk": nltk_tokenize,
    "word": lambda t: list(nltk.word_tokenize(t)),
    "nist": lambda t: list(_NIST.international_tokenize(t)),
}

# --------------------------------------------------------------------------
# Hand-written cases (ASCII: the word_tokenize path).
# --------------------------------------------------------------------------
ASCII_CASES = [
    "",
    " ",
    "   \t\n  ",
    "\n",
    "Hello",
    "Hello world.",
    "Hello world",
    "Hello world. ",
    "Hello world.\n",
    ".",
    "..",
    "...",
    "....",
    "?",
    "!",
    "?!",
    "a.",
    "A.",
    " .",
    ". .",
    ". . .",
    "x . . . y. Z",
    "Good muffins cost $3.88\nin New York.  Please buy me\ntwo of them.\nThanks.",
    "They'll save and invest more.",
    "hi, my name can't hello,",
    "Mr. Smith went to Washington. He said hi.",
    "Dr. Jones and Mrs. Brown met Prof. White at St. Paul's.",
    "Mr. and Mrs. Smith arrived.",
    "The U.S. economy grew. The U.K. one did not.",
    "He lives in the U.S. He works in the U.S. Army.",
    "e.g. this. i.e. that",
    "Use tools, e.g. hammers, i.e. heavy ones.",
    "It costs approx. 5 dollars. Ok.",
    "See Fig. 3 and Eq. 4 for details.",
    "J. R. R. Tolkien wrote it. He was British.",
    "John F. Kennedy was president. So was G. W. Bush.",
    "The answer is A. B is wrong.",
    "He bought 3 apples. 2 were rotten.",
    "It happened in 1999. Then 2000 came.",
    "Pi is 3.14159. E is 2.71828.",
    "The price rose 5.5%. Analysts were surprised.",
    "Version 1.2.3 was released. Version 2.0 is next.",
    "On the 5th. of May we met.",
    "Call 555-1234. Or email us.",
    "It was 1,000,000.00 dollars.",
    "Numbers: -1, +2, 3.0, .5, 6e10, 1/2, 3:45.",
    "Wait... What happened?",
    "Wait...what happened?",
    "I don't know... maybe.",
    "And then . . . nothing.",
    "Really?! No way!",
    "What?? Why!!",
    "Very bad acting!!! I promise.",
    "Is it? Yes. No! Maybe.",
    "He said, \"Hello.\" Then he left.",
    "He said \"Hi.\" Then left.",
    "\"Quoted sentence.\" Another one.",
    "\"Hello,\" she said.",
    "She said 'hello' to me.",
    "'Single quoted.' Next sentence.",
    "``Double backticks'' are old style.",
    "```triple``` backticks",
    "`single` backtick",
    "He said ''yes'' and left.",
    "The \"best\" thing.",
    "\"Start of string",
    "end of string\"",
    "(\"quote in parens\")",
    "[\"quote in brackets\"]",
    "a \"\" b",
    "a '' b",
    "(Sent1.) Sent2.",
    "(This is a sentence.) And another.",
    "[Bracketed.] Then {braced.} And <angled.>",
    "f(x) = [a, b] {c: d} <e>",
    "a.) b",
    "Done.) Next",
    "Done.\" Next",
    "Done.' Next",
    "Done.] Next",
    "He left.\" \"She stayed.",
    "a. \" \" b",
    "x.\"--y",
    "This--that",
    "This -- that",
    "This---that",
    "A ---- B",
    "well-known state-of-the-art",
    "-5 and --5 and - 5",
    "can't won't shouldn't isn't aren't",
    "I'm you're he's she'd we've they'll I'd've",
    "CAN'T WON'T I'M YOU'RE HE'LL WE'VE",
    "Can't Won't",
    "gonna gotta wanna gimme lemme",
    "I'm gonna do it. You wanna come?",
    "wanna. wanna go",
    "cannot Cannot CANNOT",
    "'tis the season. 'Twas the night.",
    "d'ye know more'n me?",
    "whaddya whatcha",
    "the boys' toys and James' car",
    "'s 'm 'd 'll",
    "rock 'n' roll",
    "o'clock O'Neil Ma'am y'all",
    "it's its it'S IT'S",
    "'hello' 'world'",
    "''",
    "' '",
    "'",
    "\"",
    "\"\"",
    "don't!",
    "\"Don't,\" he said.",
    "Visit https://www.example.com/path?a=1&b=2. It is great.",
    "Email john.doe@example.com or jane_doe@mail.example.org.",
    "See http://example.com. Then www.foo.bar/baz.html.",
    "Go to example.com/index.html?x=1#frag now",
    "ftp://files.example.com/pub/file.tar.gz",
    "Tweet @user #hashtag $AAPL 50% off & more",
    "a;b;c a:b:c a,b,c",
    "Time 10:30, ratio 3:1, list a:b.",
    "1,000 and 1, 000 and a,b",
    "end with colon:",
    "end with comma,",
    "end with semicolon;",
    "x * y * z",
    "5*3=15",
    "<tag> </tag>",
    "50% of $100 is $50 & that's #1 @ home",
    "Line one.\nLine two.\n\nParagraph two.",
    "No period\nnew line\nlast",
    "Tabs\tbetween\twords.\tAnd sentences.",
    "Multiple   spaces    here.   Next.",
    "\r\nWindows\r\nlines.\r\n",
    "Vertical\x0btab and form\x0cfeed.",
    "File\x1cseparators\x1dare\x1eweird\x1fchars.",
    "don't\x1cstop",
    "End.\x1cNext",
    "Ctrl\x01chars\x7f here.",
    "a" * 300,
    "Supercalifragilisticexpialidocious" * 10 + ".",
    "word " * 200,
    "The quick brown fox jumps over the lazy dog. " * 20,
    "A.B.C.D.E.F.G. H.I.J.",
    "Inc. Ltd. Co. Corp. are abbreviations. Jan. Feb. Mar. too.",
    "No. 5 is here. Vol. 2 is there.",
    "vs. versus v. and etc. etc.",
    "He works at Apple Inc. The company is big.",
    "He works at Apple Inc. the company is big.",
    "She met Mr. T. He was tall.",
    "In Jan. 1999 it rained.",
    "Feb. 29 is rare. Mar. 1 is not.",
    "ca. 1900 a.m. p.m. A.M. P.M.",
    "Section 2.1. Results.",
    "Chapter 3. The End.",
    "I. Introduction. II. Methods.",
    "1. First item. 2. Second item.",
    "a) first b) second",
    "Hello.World",
    "Hello.world",
    "Hello . World",
    "end.Start",
    "3.14.",
    "Pay $5. Now!",
    "It's 5p.m. Come.",
    "the end...",
    "the end....",
    "...start",
    "mid...dle",
    "mid. . .dle",
    "a.. b",
    "?!?! hm",
    "Hi! ! !",
    "Why?\"",
    "He asked \"why?\" and left.",
    "He asked (why?) and left.",
    "Stop! \"Now!\" she said.",
    "Ok.)",
    "Ok.]]",
    "Ok. )",
    "x.)\"'",
    "x.)  \t",
    "wait. ' he said",
    "one'",
    "one' two",
    "one'' two",
    "x' ' y",
    "The 'quoted' words' end'",
    "it's' s'",
    "You're' re",
    "CAN'T'T",
    "d'ye'",
    "A'B'C'D",
    "#hash @at $dollar %pct &amp; *star",
    "1.5-2.5 ranges 3-4",
    "--5",
    "a--",
    "--a",
    "\"--\"",
    "x,\"y\"",
    "x:\"y\"",
    "x,,y",
    "x,:y",
    "x:,y",
    ",a",
    ":a",
    "a, 1 a,1 a ,1",
    "<<>>{{}}[[]](())",
    "A sentence without end",
    "lower case start. lower case next.",
    "Hello. hello. HELLO.",
    "Smith et al. found it. Others did not.",
    "See p. 5. Also pp. 6-7.",
    "He was born c. 1900.",
    "U.S.A. is big. U.S.S.R. was bigger.",
    "I met J.K. Rowling. She is nice.",
    "Gen. Patton and Lt. Col. Smith.",
    "The St. Louis Cardinals won. Yes.",
    "Mt. Everest. K2.",
    "It was Oct. 5. Or was it?",
    "The No. 1 team. The no. 2 team.",
    "T.V. is on. t.v. is off.",
    "Ph.D. students. M.D. doctors.",
    "x. Y",
    "X. y",
    "1. a",
    "1. A",
    "##number## is a token.",
    "Test. \"Quote.\"",
    "Test. 'Quote.'",
    "Test. (Paren.)",
    "Test.--Next",
    "Test. -- Next",
    "He said: \"Go.\" Then: \"Stop.\"",
    "((Nested.)) Next.",
    "A. B. C.",
    "a. b. c.",
    "I.e. this.",
    "Say \"hi\". Then go.",
    "Well . . . Okay.",
    "Hmm.... Ok.",
    "Wow!!!! Ok.",
    "What?!?! Ok.",
    "Dots.. two.",
    "Ellipsis... lowercase next.",
    "Ellipsis... Uppercase next.",
    "It's 5 o'clock. Where's Bob?",
    "Don't do that. Won't you?",
    "Hello, world! How are you? I'm fine.",
    "&<>@#$%^*()_+-=[]{}|;':\",./<>?",
    "~`!@#$%^&*()_+",
    "back\\slash and /slash/",
    "a\\.b",
    "x_y_z __init__",
    "CamelCaseWord and snake_case_word",
    "<html><body>Hi.</body></html>",
    "{\"json\": [1, 2.5, \"x\"]}",
    "key=value; other=1.0",
    "C++ and C# and F#.",
    "email@example.com.",
    "(a) (b) (c)",
    "''quote'' \"\"quote\"\"",
    "'' ``",
    "''a''",
    "a''b",
    "Hello''",
]

# Texts given to word_tokenize() and to the NIST tokenizer on their own.
WORD_ONLY = [
    "caf\u00e9 na\u00efve r\u00e9sum\u00e9.",
    "\u201cCurly quotes.\u201d Next sentence.",
    "He said \u201chi.\u201d Then left.",
    "\u2018Single curly.\u2019 Next.",
    "It\u2019s fine. Don\u2019t worry.",
    "\u00abGuillemets.\u00bb Next.",
    "\u201eLow quote\u201c here.",
    "em\u2014dash and en\u2013dash and \u2012 figure \u2015 bar",
    "Stra\u00dfe. Gr\u00fc\u00dfe.",
    "\u00bfQu\u00e9? \u00a1Hola!",
    "Turkish \u0130stanbul \u0131s\u0131k. \u0130'm g\u0130mme \u017fome 'T\u0131s.",
    "\u212aelvin \u017ft. D. \u00c9cole. \u00e9cole.",
    "Caf\u00e9 'tis \u00e9t\u00e9. \u00c0 bient\u00f4t... Na\u00efve!",
    "x\u00b2's y\u2019s \u4e2d\u6587's \u0661\u0662:\u0663, \u00e9,\u0663 \u00e9:x",
    "New letters \U00011f50cannot \U00011f04'twas \U000105dc'tis and d'ye\U00011f50.",
    "It\u2019s \u00abquoted\u00bb \u2014 \u201cyes.\u201d \u2018No.\u2019 \u201eJa\u201c",
    "\u00e9. \u00c9. \u01c5. \u02b0. \u2160. \u24b6. \u00aa.",
    "Mr.\u00a0Smith went.\u00a0He left.\u2003Then\u3000more.",
]
NIST_ONLY = [
    "",
    "Hello world.",
    "Good muffins cost $3.88 in New York.",
    "a,b a.b 1,2 1.2 a1.2b 3.a a.3",
    "&lt;tag&gt; &amp;lt; &quot;q&quot; &apos;a&apos; &#124; &#91;x&#93;",
    "<skipped>gone <ski<skipped>pped> kept",
    "1-2 a-b -3 4- x.-5",
    "$5 5$ 5% #1 @x ^y `z` ~w |v|",
    "He said, \"hi.\" (ok) [x] {y} <z>",
    "can't won't 'quoted' \"dq\"",
    "1.2.3.4 ,5 .6 7. 8,",
    "a\tb\nc\rd\x0be\x0cf\x1cg\x1dh\x1ei\x1fj",
    "Hello. World! What? 1+1=2",
]

# --------------------------------------------------------------------------
# Non-ASCII cases (the NIST international path of nltk_tokenize).
# --------------------------------------------------------------------------
NONASCII_CASES = [
    "caf\u00e9",
    "caf\u00e9 costs 3.50\u20ac, ok.",
    "na\u00efve r\u00e9sum\u00e9 fa\u00e7ade co\u00f6perate.",
    "\u00c0 bient\u00f4t, mon ami! \u00c7a va?",
    "Stra\u00dfe und Gr\u00fc\u00dfe aus M\u00fcnchen.",
    "El ni\u00f1o \u00bfqu\u00e9 pasa? \u00a1Hola!",
    "\u4f60\u597d\uff0c\u4e16\u754c\u3002",
    "\u6211\u7231\u5317\u4eac\u5929\u5b89\u95e8\u3002\u5929\u5b89\u95e8\u4e0a\u592a\u9633\u5347\u3002",
    "\u6771\u4eac\u306f\u65e5\u672c\u306e\u9996\u90fd\u3067\u3059\u3002",
    "\ud55c\uad6d\uc5b4 \ubb38\uc7a5\uc785\ub2c8\ub2e4.",
    "Alibaba Group Holding Limited (Chinese: \u963f\u91cc\u5df4\u5df4\u96c6\u56e2\u63a7\u80a1 \u6709\u9650\u516c\u53f8) is a Chinese e-commerce company...",
    "Amazon.com, Inc. (/\u02c8\u00e6m\u0259z\u0252n/) is an American electronic commerce...",
    "Rakuten, Inc. (\u697d\u5929\u682a\u5f0f\u4f1a\u793e Rakuten Kabushiki-gaisha) is a Japanese company.",
    "this is a foo\u2604sentence.",
    "I love \U0001f600 emoji \U0001f44d\U0001f3fd and \u2764\ufe0f.",
    "Family: \U0001f468\u200d\U0001f469\u200d\U0001f467 ok",
    "Flags \U0001f1fa\U0001f1f8 \U0001f1ec\U0001f1e7.",
    "\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440! \u041a\u0430\u043a \u0434\u0435\u043b\u0430?",
    "\u0417\u0434\u0440\u0430\u0432\u0441\u0442\u0432\u0443\u0439\u0442\u0435. \u042d\u0442\u043e \u0442\u0435\u0441\u0442 \u2116 5.",
    "\u0393\u03b5\u03b9\u03b1 \u03c3\u03bf\u03c5 \u03ba\u03cc\u03c3\u03bc\u03b5; \u039f\u039a.",
    "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645! \u0661\u0662\u0663.",
    "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd.",
    "\u0928\u092e\u0938\u094d\u0924\u0947 \u0926\u0941\u0928\u093f\u092f\u093e\u0964 \u0967\u0968\u0969",
    "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35\u0e04\u0e23\u0e31\u0e1a",
    "\u201cCurly double quotes.\u201d And \u2018single\u2019 ones.",
    "He said \u201chello\u201d and left\u2026",
    "It\u2019s John\u2019s book.",
    "\u00abGuillemets\u00bb and \u2039single\u203a and \u201eGerman\u201c.",
    "Price: \u20ac100, \u00a350, \u00a51000, \u20b9500, $20, \u00a230.",
    "\u00a9 2024 Company\u2122. All rights \u00ae reserved.",
    "Temperature: 20\u00b0C \u00b1 2\u00b0. Area 5 m\u00b2.",
    "Math: \u2200x \u2208 \u211d, x\u00b2 \u2265 0; \u221a4 = 2; \u03c0 \u2248 3.14",
    "Arrows \u2190 \u2192 \u2191 \u2193 \u21d2 and box \u2500\u2502\u250c",
    "em\u2014dash en\u2013dash figure\u2012dash bar\u2015 hyphen\u2010x minus\u2212y",
    "non\u00a0breaking\u00a0space and thin\u2009space and ideographic\u3000space.",
    "zero\u200bwidth\u200cnon\u200djoiner\ufeffbom",
    "line\u2028separator and para\u2029graph",
    "next\u0085line",
    "fractions \u00bd \u00bc \u00be \u2153 and superscripts x\u00b9 x\u00b3",
    "Roman \u2160 \u2161 \u2162 numerals \u216b.",
    "Circled \u2460 \u2461 \u2462 and \u24b6\u24b7.",
    "Full width \uff21\uff22\uff23 \uff11\uff12\uff13\uff0e",
    "\uff08\u62ec\u5f27\uff09\u300c\u5f15\u7528\u300d\u3010\u6ce8\u3011",
    "Mixed \u4e2d\u6587English\u65e5\u672c\u8a9emixed.",
    "1\u20132 3\u20144 5\u22126",
    "x\u00b7y a\u2022b \u00a7 1 \u00b6 2 \u2020 \u2021",
    "\u00bfD\u00f3nde est\u00e1? \u00a1Aqu\u00ed!",
    "Espa\u00f1a 1.000,50\u20ac y 2,5%.",
    "\u00e9t\u00e9 &amp; hiver &lt;b&gt; &quot;x&quot;",
    "caf\u00e9 <skipped> bar",
    "\u00fcber-cool 3\u20ac/kg 5\u00a2.",
    "Vietnamese: Ti\u1ebfng Vi\u1ec7t c\u00f3 d\u1ea5u.",
    "Combining: e\u0301 a\u0308 n\u0303.",
    "Turkish \u0130stanbul \u0131s\u0131k.",
    "Kelvin \u212a and Angstrom \u212b.",
    "Music \u266a\u266b and chess \u265e.",
    "Cards \u2660\u2663\u2665\u2666 dice \u2680.",
    "Hangul \u1100\u1161 jamo.",
    "Math bold \U0001d400\U0001d401 and digits \U0001d7ce\U0001d7cf.",
    "Old Italic \U00010300 Gothic \U00010330.",
    "New Unicode 15 digits \U00011f50\U00011f51 and \U0001e4f0 signs \U00011b00 \U0001f6dc.",
    "Unicode 15 punct \U00011f43 and symbol \U0001fa75 mixed a\U00011f50b.",
    "\u00a0leading and trailing nbsp\u00a0",
    "\u3000\u3000\u5168\u89d2\u3000\u7a7a\u683c\u3000",
    "tab\tand\nnewline \u00e9\r\n",
    "\u00e9",
    "\u20ac",
    "\u2026",
    "\u00e9.",
    "1.\u00e9",
    "\u00e9,1",
    "a.\u00e9.b",
    "3\u00e9,4",
    "\u0661.\u0662",
    "\u0967\u0964",
    "\u00bd.\u00bd",
    "x\u00b2,y\u00b3.",
    "\u00e9-\u00e9 \u00e9--\u00e9",
    "\u4e00,\u4e8c.\u4e09",
    "\u2460,\u2461",
    "(\u00e9)",
    "\u00e9''\u00e9\"\u00e9",
    "ASCII run then \u00e9 then ASCII run.",
    "don\u2019t can\u2019t I\u2019m",
    "Mr. M\u00fcller went to Z\u00fcrich. He arrived.",
    "\u2018quote\u2019 \u201cquote\u201d \u201equote\u201d \u00abquote\u00bb",
    "caf\u00e9\u2026 na\u00efve\u2026",
    "\U0001f600\U0001f600\U0001f600",
    "a\U0001f600b",
    "1\U0001f6002",
    "\u00ae1 1\u00ae \u00ae.",
]

# --------------------------------------------------------------------------
# Generated sentences: a seeded mix of the features above.
# --------------------------------------------------------------------------
WORDS = (
    "the a an of to and in is was for on that with as by at from it he she they we "
    "you I this his her their our market company year said people government "
    "report data model result analysis study system value price percent time "
    "week day city state country president minister team game school water".split()
)
CAPS = "The He She It They We John Mary London Paris Washington Apple Google Monday January However Meanwhile But And So".split()
ABBREVS = "Mr. Mrs. Dr. Prof. St. Inc. Co. Corp. Ltd. Jr. Sr. Jan. Feb. Oct. Dec. No. vs. etc. e.g. i.e. U.S. U.K. U.N. a.m. p.m. approx. Gen. Gov. Sen. Rep. Mt. Ave. Fig.".split()
INITIALS = [c + "." for c in "ABCDEFGHJKLMNPRSTW"]
NUMBERS = "1 2 3 10 42 99 100 1999 2024 3.14 0.5 .5 1,000 1,000,000 12.50 5. 7th 1st 2nd -3 +4 50% 10:30 1/2 3-4 2.0.1 #5".split()
PUNCT = ". , ; : ? ! ... .. -- - ( ) [ ] { } < > * & @ # $ % ' \" `` '' ?! !! ??".split()
CONTR = ("can't won't don't isn't I'm you're he's she'd we've they'll I'd've "
         "gonna gotta wanna gimme lemme cannot 'tis 'twas d'ye more'n "
         "o'clock James' boys' it's He'll THEY'RE Don't".split())
URLS = ["https://example.com", "http://www.test.org/a/b.html", "www.site.co.uk",
        "john.doe@example.com", "a_b@c.io", "example.com/path?x=1&y=2", "ftp://f.tld/x.tgz"]
SEPS = [" "] * 14 + ["", "  ", "\n", "\t", " \n ", "\n\n", "\r\n"]


def gen_token(rng):
    r = rng.random()
    if r < 0.34:
        return rng.choice(WORDS)
    if r < 0.44:
        return rng.choice(CAPS)
    if r < 0.54:
        return rng.choice(ABBREVS)
    if r < 0.58:
        return rng.choice(INITIALS)
    if r < 0.68:
        return rng.choice(NUMBERS)
    if r < 0.84:
        return rng.choice(PUNCT)
    if r < 0.94:
        return rng.choice(CONTR)
    if r < 0.97:
        return rng.choice(URLS)
    w = rng.choice(WORDS + CAPS)
    q = rng.choice(["\"", "'", "(", "[", "``"])
    close = {"\"": "\"", "'": "'", "(": ")", "[": "]", "``": "''"}[q]
    return q + w + rng.choice(["", ".", "!", "?", ","]) + close


def gen_sentence(rng):
    parts = []
    for _ in range(rng.randint(1, 18)):
        parts.append(gen_token(rng))
        parts.append(rng.choice(SEPS))
    if rng.random() < 0.6:
        parts.append(rng.choice([".", "?", "!", "...", ".\"", ".)", "!'", ""]))
    return "".join(parts)


def gen_text(rng):
    n = rng.choice([1, 1, 1, 2, 2, 3, 5])
    return rng.choice([" ", "  ", "\n", " \n", ""]).join(gen_sentence(rng) for _ in range(n))


NON_ASCII_BITS = ["caf\u00e9", "\u4e2d\u6587", "\u20ac5", "\u201cquoted\u201d", "it\u2019s",
                  "\u2014", "na\u00efve", "\U0001f600", "\u041c\u043e\u0441\u043a\u0432\u0430",
                  "\u00a0", "\u00bd", "\u2026", "\u00ab", "\u00bb", "x\u00b2", "\u0661\u0662",
                  "\u3002", "\uff0c", "\u00e9.", "3\u00e9"]


def gen_nonascii(rng):
    parts = []
    for _ in range(rng.randint(2, 14)):
        parts.append(rng.choice(NON_ASCII_BITS) if rng.random() < 0.35 else gen_token(rng))
        parts.append(rng.choice(SEPS))
    return "".join(parts)


def main():
    out = sys.stdout
    seen = set()

    def emit(fn, text):
        if (fn, text) in seen:
            return
        seen.add((fn, text))
        assert "\x00" not in text
        toks = FUNCS[fn](text)
        out.write(json.dumps({"fn": fn, "text": text, "tokens": toks}, ensure_ascii=False) + "\n")

    for t in ASCII_CASES:
        emit("nltk", t)
    for t in NONASCII_CASES:
        emit("nltk", t)
    for t in WORD_ONLY:
        emit("word", t)
    for t in NIST_ONLY:
        emit("nist", t)
    rng = random.Random(20240611)
    for _ in range(400):
        emit("nltk", gen_text(rng))
    for _ in range(100):
        emit("nltk", gen_nonascii(rng))
    for _ in range(40):
        emit("nist", gen_text(rng))
    for _ in range(60):
        emit("word", gen_nonascii(rng))


if __name__ == "__main__":
    main()
