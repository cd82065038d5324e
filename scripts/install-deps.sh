#!/usr/bin/env bash
# Install what evalfleet needs to build and test, from Debian's packages.
# Idempotent; runs apt-get only for packages that are missing.
#   install-deps.sh            the project's build and test packages
#   install-deps.sh PKG...     those packages instead (bench/install-tools.sh)
set -euo pipefail
PKGS=(build-essential cmake pkg-config clang clang-format
      libcjson-dev libyaml-dev libutf8proc-dev libpcre2-dev libxxhash-dev
      wordnet-dev wordnet-base libstemmer-dev libcmocka-dev
      librdkafka-dev libcurl4-openssl-dev libhiredis-dev libevent-dev
      libclang-rt-14-dev python3
      redis-server redis-tools default-jre-headless maven python3-yaml
      time gnuplot-nox)
[ $# -eq 0 ] || PKGS=("$@")
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing: ${missing[*]}" >&2
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
