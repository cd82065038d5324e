#!/usr/bin/env bash
# The measuring tools the bench scripts use, from Debian's packages (idempotent; apt-get runs
# only for what is missing): /usr/bin/time (peak RSS), wrk (the mock's ceiling, bench 2),
# perf and valgrind (the hot-path profile, bench 2), heaptrack (bench/fleet_heap.sh), gnuplot
# (bench/plot.sh).  The project's own build and test dependencies are scripts/install-deps.sh.
set -euo pipefail
PKGS=(time wrk linux-perf valgrind heaptrack gnuplot-nox)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "bench: installing ${missing[*]}" >&2
$SUDO apt-get update -q >/dev/null
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
