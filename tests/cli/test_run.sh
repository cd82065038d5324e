#!/usr/bin/env bash
# End-to-end checks of `evalfleet run` (label: unit, cli; needs no server).
#   test_run.sh EVALFLEET_BINARY SOURCE_DIR
set -uo pipefail
EF=$1; SRC=$2
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
pass=0; fail=0
ok()   { pass=$((pass+1)); echo "ok   - $1"; }
bad()  { fail=$((fail+1)); echo "FAIL - $1"; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

# 1. The bundled example, every text evaluator, into a directory.
"$EF" run --data "$SRC/examples/qa.jsonl" --evaluators f1_score,bleu,gleu,meteor,rouge \
  --set rouge.rouge_type=rougeL --output "$T/out/nested" --quiet >"$T/metrics.json" 2>"$T/err"
check "example run exits 0" "[ $? -eq 0 ]"
check "result file written" "[ -s '$T/out/nested/evaluation_results.json' ]"
check "no temporary files left" "[ -z \"\$(ls '$T/out/nested' | grep tmp)\" ]"
check "metrics printed as JSON on stdout" "python3 -c 'import json,sys; m=json.load(open(\"$T/metrics.json\")); assert \"f1_score.f1_score\" in m and \"rouge.binary_aggregate\" in m'"
check "result file has rows and reference keys" "python3 - <<PY
import json
d = json.load(open('$T/out/nested/evaluation_results.json'))
assert len(d['rows']) == 8, len(d['rows'])
r = d['rows'][0]
for k in ['inputs.query', 'inputs.response', 'outputs.f1_score.f1_score', 'outputs.f1_score.f1_result',
          'outputs.f1_score.f1_threshold', 'outputs.bleu.bleu_score', 'outputs.gleu.gleu_score',
          'outputs.meteor.meteor_score', 'outputs.rouge.rouge_f1_score', 'outputs.rouge.rouge_precision_result']:
    assert k in r, k
m = d['metrics']
for k in ['f1_score.f1_score', 'f1_score.binary_aggregate', 'bleu.bleu_score', 'meteor.meteor_score',
          'rouge.rouge_recall', 'rouge.binary_aggregate']:
    assert k in m, k
assert 'f1_score.f1_threshold' not in m
PY"

# 2. The same run from the YAML spec gives the same metrics.
(cd "$SRC" && "$EF" run --spec examples/run.yaml --output "$T/spec_out" --quiet >"$T/spec_metrics.json" 2>"$T/err2")
check "spec run exits 0" "[ $? -eq 0 ]"

# 3. Bad input: every kind of bad line, the run goes on and names file, line, field.
printf '%s\n' '{"response":"the cat","ground_truth":"the cat"}' \
  '{"response": broken' \
  '{"response":"x"}' \
  '{"response":7,"ground_truth":"x"}' \
  '[1,2]' > "$T/bad.jsonl"
printf '{"response":"caf\xc3","ground_truth":"x"}\n' >> "$T/bad.jsonl"
python3 -c "print('{\"response\":\"' + 'a'*2000 + '\",\"ground_truth\":\"a\"}')" >> "$T/bad.jsonl"
echo '{"response":"last good","ground_truth":"last good"}' >> "$T/bad.jsonl"
"$EF" run --data "$T/bad.jsonl" --evaluators f1_score --max-line-bytes 1K --output "$T/bad_out" >"$T/bm.json" 2>"$T/berr"
check "bad rows do not stop the run" "[ $? -eq 0 ]"
check "malformed JSON named with file and line" "grep -q 'bad.jsonl:2: malformed JSON' '$T/berr'"
check "missing field named" "grep -q \"bad.jsonl:3: field 'ground_truth'\" '$T/berr'"
check "wrong type named" "grep -q \"bad.jsonl:4: field 'response'.*expected a string, found number\" '$T/berr'"
check "non-object line named" "grep -q 'bad.jsonl:5: a row must be a JSON object' '$T/berr'"
check "invalid UTF-8 named" "grep -q 'bad.jsonl:6: invalid UTF-8' '$T/berr'"
check "over-long line named" "grep -q 'bad.jsonl:7: line longer than the cap' '$T/berr'"
check "errors counted, good rows scored" "python3 -c 'import json; m=json.load(open(\"$T/bm.json\")); assert m[\"f1_score.error_count\"]==6, m; assert m[\"f1_score.f1_score\"]==1.0, m; assert m[\"f1_score.binary_aggregate\"]==0.25, m'"

# 4. --fail-on-bad-row stops with status 3 and writes nothing.
"$EF" run --data "$T/bad.jsonl" --evaluators f1_score --fail-on-bad-row --output "$T/ff" >/dev/null 2>&1
check "--fail-on-bad-row exits 3" "[ $? -eq 3 ]"
check "--fail-on-bad-row leaves no result file" "[ ! -e '$T/ff/evaluation_results.json' ] && [ -z \"\$(ls '$T/ff' 2>/dev/null | grep tmp)\" ]"

# 5. Usage errors are clear.
"$EF" run --data "$SRC/examples/qa.jsonl" --evaluators f1_score,nope >/dev/null 2>"$T/e3"
check "unknown evaluator is an error naming it" "[ $? -eq 1 ] && grep -q \"unknown evaluator 'nope'\" '$T/e3'"
"$EF" run --data /nonexistent.jsonl --evaluators f1_score >/dev/null 2>"$T/e4"
check "missing file named" "[ $? -eq 1 ] && grep -q '/nonexistent.jsonl' '$T/e4'"
: > "$T/empty.jsonl"
"$EF" run --data "$T/empty.jsonl" --evaluators f1_score >/dev/null 2>"$T/e5"
check "empty file warns and exits 0" "[ $? -eq 0 ] && grep -q 'no rows' '$T/e5'"
"$EF" run --evaluators f1_score >/dev/null 2>"$T/e6"
check "missing --data is a usage error" "[ $? -eq 2 ] && grep -q 'no dataset' '$T/e6'"
"$EF" run --data "$SRC/examples/qa.jsonl" --evaluators f1_score --map 'response=${env.X}' >/dev/null 2>"$T/e7"
check "bad mapping is a usage error" "[ $? -eq 2 ] && grep -q 'not a column reference' '$T/e7'"

# 6. Column mapping and rows.jsonl streaming.
echo '{"q":{"a":"the cat sat"},"gt":"the cat sat"}' > "$T/map.jsonl"
mkdir -p "$T/mo"
"$EF" run --data "$T/map.jsonl" --evaluators f1_score --map 'response=${data.q.a}' \
  --map 'ground_truth=${data.gt}' --rows-jsonl --output "$T/mo/res.json" --quiet >"$T/mm.json"
check "dotted mapping resolves" "python3 -c 'import json; m=json.load(open(\"$T/mm.json\")); assert m[\"f1_score.f1_score\"]==1.0'"
check "rows streamed to FILE.rows.jsonl" "[ \$(wc -l < '$T/mo/res.rows.jsonl') -eq 1 ] && grep -q rows_file '$T/mo/res.json'"

# 7. Docs cannot drift from the option table.
"$EF" help --markdown > "$T/config.md"
check "docs/configuration.md matches the option table" "diff -u '$SRC/docs/configuration.md' '$T/config.md'"
"$EF" run --help > "$T/help.txt"
check "run --help lists every option" "grep -q -- '--rows-jsonl-threshold' '$T/help.txt' && grep -q -- '--fail-on-bad-row' '$T/help.txt'"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
