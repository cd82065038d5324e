"""Write the perluniprops character lists NLTK's NIST tokenizer loads
(Number, Punctuation, Symbol), rebuilt from this Python's unicodedata:
general categories N*, P*, S* over all code points."""
import os
import sys
import unicodedata

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
cats = {"Number": "N", "Punctuation": "P", "Symbol": "S"}
for name, prefix in cats.items():
    chars = []
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        if unicodedata.category(chr(cp)).startswith(prefix):
            chars.append(chr(cp))
    with open(os.path.join(out, name + ".txt"), "w", encoding="utf-8") as f:
        f.write("".join(chars))
