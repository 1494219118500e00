#!/usr/bin/env bash
# `talaia replay` of a syslog file of several million lines with the shipped pack and the shipped
# config (its logsource routes confine each rule to its events, as in a deployment): lines per
# CPU-second for the whole process (reading, syslog parsing, detection, correlation, output).
# Beside it, in the same run: rsigma 0.23 evaluating the same rules on the same events (as the
# NDJSON `talaia decode` prints; rsigma cannot parse syslog, so it is spared that part, and it runs
# without the routes, which would only add conditions to its work), and the
# ceiling, one raw single-pass Hyperscan scan of the lines with every pattern of the pack.
#   bench/replay/run.sh [BUILD_DIR] [LINES] [PEER_LINES]     # defaults: build 3000000 300000
# Needs a built `talaia` and the core, collectors and rules libraries (for the ceiling).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
lines=${2:-3000000}
peer_lines=${3:-300000}
work=$(mktemp -d /tmp/talaia-replay-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
rate() { awk -v n="$1" -v c="$2" 'BEGIN { split(c, t, " "); s = t[1] + t[2]; if (s > 0) printf "%.0f", n / s; else print "n/a" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

python3 "$root/bench/replay/gen_syslog.py" "$work/syslog.log" "$lines"
mkdir -p "$work/rules"
cp -r "$root/deploy/rules/." "$work/rules/"
find "$work/rules" -name '*.tests.yml' -delete
echo "== talaia replay: $lines lines ($(du -m "$work/syslog.log" | cut -f1) MB), shipped pack"
/usr/bin/time -o "$work/time" -f "%U %S %M" "$build/talaia" replay --config "$root/deploy/talaia.yaml" \
  --rules "$work/rules" "$work/syslog.log" \
  >"$work/incidents.jsonl" 2>"$work/replay.err"
read -r user sys rss <"$work/time"
ours=$(rate "$lines" "$user $sys")
echo "talaia: $(wc -l <"$work/incidents.jsonl") incidents, CPU-s (user sys) $user $sys, ${rss} KB RSS -> $ours lines/CPU-s"

g++ -std=c++20 -O2 -DNDEBUG -I"$root" $(pkg-config --cflags libhs libpcre2-8) "$root/bench/detect/detect_bench.cpp" \
  "$build/rules/libtalaia_rules.a" "$build/collectors/libtalaia_collectors.a" "$build/core/libtalaia_core.a" \
  $(pkg-config --libs libhs libpcre2-8) -lsimdjson -lboost_json -lrdkafka -lyaml-cpp -pthread -o "$work/detect_bench"
ceiling=$("$work/detect_bench" ceiling "$work/syslog.log" "$peer_lines" "$work/rules" | sed 's/.*ceiling_lines_per_cpu_s=//')
echo "ceiling (raw single-pass Hyperscan over the lines, first $peer_lines): $ceiling lines/CPU-s;" \
  "talaia / ceiling: $(ratio "$ours" "$ceiling")"

rsigma=${RSIGMA:-$HOME/.cache/talaia/rsigma/bin/rsigma}
if [[ -x $rsigma ]]; then
  head -n "$peer_lines" "$work/syslog.log" >"$work/peer.log"
  "$build/talaia" decode "$work/peer.log" >"$work/peer.ndjson"
  /usr/bin/time -o "$work/time" -f "%U %S" "$rsigma" engine eval -r "$work/rules" -e @"$work/peer.ndjson" >/dev/null 2>&1 || true
  theirs=$(rate "$peer_lines" "$(tail -1 "$work/time")")
  echo "rsigma on the same events as NDJSON (first $peer_lines): CPU-s $(tail -1 "$work/time") -> $theirs events/CPU-s;" \
    "talaia / rsigma: $(ratio "$ours" "$theirs")"
else
  echo "rsigma: not installed at $rsigma (cargo install rsigma --version 0.23.0 --root ~/.cache/talaia/rsigma)"
fi
