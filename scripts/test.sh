#!/usr/bin/env bash
# The whole test suite, as CI runs it:
#   1. release build with -Wall -Wextra -Werror, every test (ctest)
#   2. ASan+UBSan build, unit tests again, and the fleet tests (real Kafka + Redis)
#   3. clang-format check of the sources
#   4. libFuzzer targets, each for a bounded time (FUZZ_SECONDS, default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
JOBS=$(nproc)

echo "== build (-Werror) and test"
cmake -S . -B build-ci -DEF_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-ci -j"$JOBS"
ctest --test-dir build-ci --output-on-failure -j"$JOBS"

echo "== ASan+UBSan build and unit tests"
cmake -S . -B build-asan -DEF_WERROR=ON -DEF_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_C_COMPILER=clang >/dev/null
cmake --build build-asan -j"$JOBS"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$JOBS" -L unit
echo "== ASan+UBSan fleet: producer, workers and aggregator against real Kafka and Redis"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -L fleet

echo "== clang-format"
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]' -not -path './build*')
clang-format --dry-run -Werror $files

echo "== fuzz (bounded)"
bash tests/fuzz/run.sh "${FUZZ_SECONDS:-20}"

echo "== all tests passed"
