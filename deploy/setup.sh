#!/usr/bin/env bash
# Installs what building and testing Talaia needs on Debian 12, and nothing when all is there
# (safe to run again). Runs as root, or through sudo when available.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libhyperscan-dev librocksdb-dev librdkafka-dev libsimdjson-dev
  libboost1.81-dev libboost-json1.81-dev libyaml-cpp-dev libssl-dev libcli11-dev
  libgtest-dev
  libmimalloc-dev   # the talaia process's allocator (app/CMakeLists.txt)
  libpcre2-dev      # fallback engine for Sigma `re` values Hyperscan cannot compile
  python3-yaml      # bench/detect/gen_rules.py, tests/rules/differential/run.py
  bsdutils          # logger, the real syslog sender of the tests
  syslog-ng-core    # loggen, the syslog load generator of the listener tests; syslog-ng for bench/syslog
  libestr0 libfastjson4   # what the rsyslogd unpacked by bench/syslog/run.sh links against
  curl python3 kcat
  tshark softflowd nfdump pmacct python3-scapy   # NetFlow/IPFIX peers: decoder oracle, exporters, collectors
  clang-14 libfuzzer-14-dev libclang-rt-14-dev   # libFuzzer targets (cmake --build build --target netflow_fuzzers)
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
