#!/usr/bin/env bash
# The measuring tools the bench scripts use, from Debian's packages, installed when missing
# by scripts/install-deps.sh: /usr/bin/time (peak RSS), wrk (the mock's ceiling, bench 2),
# perf and valgrind (the hot-path profile, bench 2), heaptrack (bench/fleet_heap.sh),
# gnuplot (bench/plot.sh).
set -euo pipefail
exec bash "$(dirname "$0")/../scripts/install-deps.sh" time wrk linux-perf valgrind heaptrack gnuplot-nox
