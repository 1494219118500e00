#!/usr/bin/env bash
# Installs what building and testing Talaia needs on Debian 12, and nothing when all is there
# (safe to run again). Runs as root, or through sudo when available.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libhyperscan-dev librocksdb-dev librdkafka-dev libsimdjson-dev
  libboost1.81-dev libboost-json1.81-dev libyaml-cpp-dev libssl-dev libcli11-dev
  libgtest-dev
  bsdutils          # logger, the real syslog sender of the tests
  curl python3 kcat
  maven default-jre-headless   # the Kafka broker of the integration tests (Java 17+)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
echo "setup: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
