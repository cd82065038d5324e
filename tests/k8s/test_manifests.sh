#!/usr/bin/env bash
# Offline checks of k8s/*.yaml and the Dockerfile (no cluster, no Docker engine).
#   tests/k8s/test_manifests.sh [SOURCE_DIR] [EVALFLEET_BINARY]
# 1. validate_manifests.py accepts the real manifests and Dockerfile;
# 2. it rejects every broken case in tests/k8s/bad/, each for the reason the case names
#    ("# expect: REGEX" lines), so it cannot pass vacuously:
#      bad/*.yaml        "# replaces: FILE" or "# adds: FILE" in a copy of k8s/
#      bad/*.Dockerfile  instead of the Dockerfile
# 3. with EVALFLEET_BINARY: the run spec of the ConfigMap loads in `evalfleet run`
#    (evaluator names, parameters and spec keys), on an empty dataset, no network; and
#    every flag the manifests pass appears in `evalfleet SUBCOMMAND --help` (subcommands
#    whose --help fails, e.g. not built yet, are noted and skipped).
# Needs /usr/bin/python3 with PyYAML (Debian package python3-yaml); EF_PYTHON overrides.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "${1:-$here/../..}" && pwd)
evalfleet=${2:-}
py=${EF_PYTHON:-/usr/bin/python3}
validator=$root/tests/k8s/validate_manifests.py
bad=$root/tests/k8s/bad

if ! "$py" -c 'import yaml' 2>/dev/null; then
  echo "FAIL: $py has no PyYAML (apt-get install python3-yaml)" >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

echo "== the real manifests and Dockerfile"
if "$py" "$validator" --k8s "$root/k8s" --dockerfile "$root/Dockerfile" \
    --install-deps "$root/scripts/install-deps.sh" >"$tmp/out" 2>&1; then
  tail -n 1 "$tmp/out"
else
  cat "$tmp/out"
  fail "validate_manifests.py rejects k8s/ or the Dockerfile"
fi

# expect_rejected CASE OUTPUT_FILE RC: rc 1 and every "# expect:" regex in the output.
expect_rejected() {
  local case=$1 out=$2 rc=$3 n=0 re
  if [ "$rc" -ne 1 ]; then
    cat "$out"
    fail "$(basename "$case"): validator exit status $rc, expected 1"
    return
  fi
  while IFS= read -r re; do
    n=$((n + 1))
    if ! grep -Eq -- "$re" "$out"; then
      cat "$out"
      fail "$(basename "$case"): no failure line matches /$re/"
      return
    fi
  done < <(sed -n 's/^# expect: //p' "$case")
  if [ "$n" -eq 0 ]; then
    fail "$(basename "$case"): has no '# expect:' line"
    return
  fi
  echo "ok   $(basename "$case") rejected: $(grep -m1 '^FAIL' "$out")"
}

echo "== broken manifests must be rejected"
cases=0
for case in "$bad"/*.yaml; do
  cases=$((cases + 1))
  dir=$tmp/case/k8s
  rm -rf "$tmp/case"
  mkdir -p "$dir"
  cp "$root"/k8s/*.yaml "$dir"/
  target=$(sed -n 's/^# replaces: //p' "$case")
  added=$(sed -n 's/^# adds: //p' "$case")
  if [ -n "$target" ]; then
    if [ ! -f "$dir/$target" ]; then
      fail "$(basename "$case"): replaces $target, which is not in k8s/"
      continue
    fi
    if cmp -s "$case" "$dir/$target"; then
      fail "$(basename "$case"): identical to k8s/$target"
      continue
    fi
    cp "$case" "$dir/$target"
  elif [ -n "$added" ]; then
    cp "$case" "$dir/$added"
  else
    fail "$(basename "$case"): needs a '# replaces: FILE' or '# adds: FILE' line"
    continue
  fi
  rc=0
  "$py" "$validator" --k8s "$dir" --no-dockerfile >"$tmp/out" 2>&1 || rc=$?
  expect_rejected "$case" "$tmp/out" "$rc"
done

echo "== broken Dockerfiles must be rejected"
for case in "$bad"/*.Dockerfile; do
  cases=$((cases + 1))
  rm -rf "$tmp/case"
  mkdir -p "$tmp/case"
  cp "$case" "$tmp/case/Dockerfile"
  cp "$root/.dockerignore" "$tmp/case/.dockerignore"
  rc=0
  "$py" "$validator" --k8s "$root/k8s" --dockerfile "$tmp/case/Dockerfile" \
    --install-deps "$root/scripts/install-deps.sh" --apt-cache no >"$tmp/out" 2>&1 || rc=$?
  expect_rejected "$case" "$tmp/out" "$rc"
done
[ "$cases" -ge 5 ] || fail "only $cases broken cases in $bad"

if [ -n "$evalfleet" ]; then
  echo "== the ConfigMap's run spec loads in $evalfleet"
  "$py" - "$root/k8s/30-config.yaml" "$tmp/run.yaml" <<'EOF'
import sys, yaml
for doc in yaml.safe_load_all(open(sys.argv[1])):
    if doc and doc.get("kind") == "ConfigMap" and "run.yaml" in (doc.get("data") or {}):
        open(sys.argv[2], "w").write(doc["data"]["run.yaml"])
        break
else:
    sys.exit("no ConfigMap with run.yaml in " + sys.argv[1])
EOF
  : >"$tmp/empty.jsonl"
  # Placeholders only: with no rows no request is sent.
  if (cd "$tmp" && env -i PATH="$PATH" HOME="$tmp" \
      OPENAI_API_KEY=placeholder AZURE_OPENAI_API_KEY=placeholder AZUREML_API_KEY=placeholder \
      AZURE_OPENAI_ENDPOINT=https://placeholder.invalid \
      "$evalfleet" run --spec "$tmp/run.yaml" --data "$tmp/empty.jsonl" --quiet) \
      >"$tmp/out" 2>&1; then
    echo "ok   run spec accepted by evalfleet run"
  else
    cat "$tmp/out"
    fail "evalfleet run rejects the run spec of k8s/30-config.yaml"
  fi

  echo "== every flag the manifests pass is in \`evalfleet SUBCOMMAND --help\`"
  "$py" "$validator" --k8s "$root/k8s" --list-flags >"$tmp/flags"
  for sub in $(cut -d' ' -f1 "$tmp/flags" | sort -u); do
    if ! "$evalfleet" "$sub" --help >"$tmp/help" 2>&1; then
      echo "note: \`evalfleet $sub --help\` fails; its flags are not cross-checked"
      continue
    fi
    while read -r s flag; do
      [ "$s" = "$sub" ] || continue
      if grep -Eq -- "(^|[ ,\[])${flag}([ =,]|$)" "$tmp/help"; then
        echo "ok   evalfleet $sub $flag"
      else
        fail "evalfleet $sub --help does not mention $flag, which k8s/ passes"
      fi
    done <"$tmp/flags"
  done
fi

if [ "$failures" -ne 0 ]; then
  echo "$failures failure(s)" >&2
  exit 1
fi
echo "all manifest checks passed ($cases broken cases rejected)"
