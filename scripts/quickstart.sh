#!/usr/bin/env bash
# Fresh machine to first metrics: install dependencies, build, and evaluate the
# bundled example dataset in local mode (no servers).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DEF_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)"
./build/cli/evalfleet run --data examples/qa.jsonl \
  --evaluators f1_score,bleu,gleu,meteor,rouge --set rouge.rouge_type=rougeL \
  --output out/quickstart
