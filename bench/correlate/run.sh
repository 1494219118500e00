#!/usr/bin/env bash
# Correlate stage, one core, GROUPS groups all open at once (default 100,000) over ROUNDS rounds
# (default 5): detections per CPU-second and bytes of state per group, ours and rsigma's on the
# same stream in the same run.
#   bench/correlate/run.sh [BUILD_DIR] [GROUPS] [ROUNDS]
# rsigma (RSIGMA=path, default ~/.cache/talaia/rsigma/bin/rsigma) evaluates events, not
# detections: its correlation cost is its run with the correlation rule minus its run with the
# detection rule alone on the same events (CPU time and peak RSS, both from /usr/bin/time), once
# keeping no events per window (its default) and once keeping up to 10 (as Talaia keeps evidence).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
groups=${2:-100000}
rounds=${3:-5}
work=$(mktemp -d /tmp/talaia-correlate-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
bench=$work/correlate_bench
# Linked with mimalloc, as build/talaia is (app/CMakeLists.txt).
g++ -std=c++20 -O2 -DNDEBUG -I"$root" $(pkg-config --cflags libhs libpcre2-8) "$root/bench/correlate/correlate_bench.cpp" \
  "$build/correlator/libtalaia_correlator.a" "$build/storage/libtalaia_storage.a" "$build/rules/libtalaia_rules.a" \
  "$build/core/libtalaia_core.a" $(pkg-config --libs libhs libpcre2-8) -lrocksdb -lsimdjson -lboost_json -lrdkafka \
  -lyaml-cpp -lcrypto -lmimalloc -pthread -o "$bench"
rules=$root/bench/correlate/rules.yml
n=$((groups * rounds))
echo "== talaia: $groups groups, $n detections"
"$bench" run "$rules" "$groups" "$rounds"
rsigma=${RSIGMA:-$HOME/.cache/talaia/rsigma/bin/rsigma}
if [[ ! -x $rsigma ]]; then
  echo "== rsigma: not installed at $rsigma (cargo install rsigma --version 0.23.0 --root ~/.cache/talaia/rsigma)"
  exit 0
fi
"$bench" write "$work/events.ndjson" "$groups" "$rounds"
awk '/^---/ { exit } { print }' "$rules" > "$work/detect_only.yml"
measure() {  # rules, extra flags -> "cpu_seconds peak_kib"
  local rules=$1; shift
  /usr/bin/time -o "$work/time" -f "%U %S %M" "$rsigma" engine eval -r "$rules" -e @"$work/events.ndjson" \
    --suppress 10m --max-state-entries $((groups * 4)) "$@" >/dev/null 2>&1
  awk '{ printf "%.3f %d\n", $1 + $2, $3 }' "$work/time"
}
read -r base_cpu base_kib < <(measure "$work/detect_only.yml")
for mode in none full; do
  read -r cpu kib < <(measure "$rules" --correlation-event-mode "$mode" --max-correlation-events 10)
  awk -v n="$n" -v g="$groups" -v c="$cpu" -v b="$base_cpu" -v k="$kib" -v bk="$base_kib" -v m="$mode" 'BEGIN {
    d = c - b; printf "rsigma (events per window: %s): %.3f CPU-s with the correlation, %.3f without -> %s detections/CPU-s for the correlation; peak RSS +%.0f bytes/group\n",
      m, c, b, (d > 0 ? sprintf("%.0f", n / d) : "n/a"), (k - bk) * 1024 / g }'
done
