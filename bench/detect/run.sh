#!/usr/bin/env bash
# Detect stage, one core: JSON events (3 syslog : 1 flow) decoded and matched, in events per
# CPU-second, with the shipped pack and with 1,000+ generated rules; beside each, the ceiling (one
# raw Hyperscan pass over the same bytes with every pattern) and the fraction of it reached.
#   bench/detect/run.sh [BUILD_DIR] [EVENTS]
# Needs a built tree (core, collectors, rules libraries) and python3-yaml for the generator.
# rsigma's figure (same events as NDJSON, `rsigma engine eval`, whole-process CPU time) when it is
# installed: RSIGMA=path, default ~/.cache/talaia/rsigma/bin/rsigma.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
events=${2:-100000}
work=$(mktemp -d /tmp/talaia-detect-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
bench=$work/detect_bench
# Linked with mimalloc, as build/talaia is (app/CMakeLists.txt).
g++ -std=c++20 -O2 -DNDEBUG -I"$root" $(pkg-config --cflags libhs libpcre2-8) "$root/bench/detect/detect_bench.cpp" \
  "$build/rules/libtalaia_rules.a" "$build/collectors/libtalaia_collectors.a" "$build/core/libtalaia_core.a" \
  $(pkg-config --libs libhs libpcre2-8) -lsimdjson -lboost_json -lrdkafka -lyaml-cpp -lmimalloc -pthread -o "$bench"
python3 "$root/bench/detect/gen_rules.py" "$work/generated" 1000 >/dev/null
# Rule folders both engines read: the shipped pack, and the pack plus the variants (test-case
# files left out: they are no rules).
mkdir -p "$work/shipped"
cp -r "$root/deploy/rules/." "$work/shipped/"
cp -r "$work/shipped" "$work/generated/shipped"
find "$work" -name '*.tests.yml' -delete
echo "== shipped pack"
"$bench" "$events" "$work/shipped"
echo "== shipped pack + 1,000 generated variants"
"$bench" "$events" "$work/generated"
# As `talaia detect --config deploy/talaia.yaml` runs them: with the config's logsource routes
# (each rule ANDed with its route's conditions) and field mappings.
echo "== shipped pack, with deploy/talaia.yaml's sigma routes"
TALAIA_CONFIG="$root/deploy/talaia.yaml" "$bench" "$events" "$work/shipped"
echo "== shipped pack + 1,000 generated variants, with the routes"
TALAIA_CONFIG="$root/deploy/talaia.yaml" "$bench" "$events" "$work/generated"
rsigma=${RSIGMA:-$HOME/.cache/talaia/rsigma/bin/rsigma}
if [[ -x $rsigma ]]; then
  "$bench" write "$work/events.ndjson" "$events"
  for set in shipped generated; do
    /usr/bin/time -o "$work/time" -f "%U %S" "$rsigma" engine eval -r "$work/$set" -e @"$work/events.ndjson" >/dev/null 2>&1 || true
    cpu=$(tail -1 "$work/time")
    echo "== rsigma on $set: $events events, CPU-s (user sys): $cpu ->" \
      "$(awk -v n="$events" -v c="$cpu" 'BEGIN { split(c, t, " "); s = t[1] + t[2]; if (s > 0) printf "%.0f", n / s; else print "n/a" }') events/CPU-s"
  done
else
  echo "== rsigma: not installed at $rsigma (cargo install rsigma --version 0.23.0 --root ~/.cache/talaia/rsigma)"
fi
