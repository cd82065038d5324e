#!/usr/bin/env bash
# Build every libFuzzer target (clang) and run each for SECONDS against its
# seed corpus (tests/fuzz/corpus/<name>, copied so the tree stays clean).
# A crash, leak or sanitizer report fails the run and leaves the reproducer.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_EACH=${1:-20}
cmake -S . -B build-fuzz -DEF_FUZZ=ON -DEF_TESTS=OFF -DCMAKE_C_COMPILER=clang \
  -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-fuzz -j"$(nproc)"
targets=$(find build-fuzz -maxdepth 4 -type f -name 'fuzz_*' -perm -u+x | sort)
[ -n "$targets" ] || { echo "no fuzz targets built" >&2; exit 1; }
fail=0
for t in $targets; do
  name=$(basename "$t"); short=${name#fuzz_}
  work=$(mktemp -d)
  [ -d "tests/fuzz/corpus/$short" ] && cp -r "tests/fuzz/corpus/$short/." "$work/"
  echo "fuzz $name for ${SECONDS_EACH}s"
  if ! "$t" -max_total_time="$SECONDS_EACH" -max_len=65536 -artifact_prefix="build-fuzz/$name-" \
       "$work" >"build-fuzz/$name.log" 2>&1; then
    echo "FAILED: $name (see build-fuzz/$name.log)"; tail -30 "build-fuzz/$name.log"; fail=1
  else
    grep -E "^(#[0-9]+|Done)" "build-fuzz/$name.log" | tail -1
  fi
  rm -rf "$work"
done
exit $fail
