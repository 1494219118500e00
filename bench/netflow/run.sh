#!/usr/bin/env bash
# NetFlow v9 and IPFIX: records per CPU-second for Talaia, nfcapd (nfdump) and goflow2, fed the
# same packet stream over UDP on 127.0.0.1 in the same run; prints each figure and the ratios.
#   bench/netflow/run.sh [BUILD_DIR] [PACKETS] [PACKETS_PER_SECOND] [ROUNDS]
# Needs: a built tree (core and collectors libraries), nfdump; goflow2 on PATH or in ~/go/bin
# (go install github.com/netsampler/goflow2/v2/cmd/goflow2@latest) is optional.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
packets=${2:-40000}
pps=${3:-20000}
rounds=${4:-7}
work=$(mktemp -d /tmp/talaia-netflow-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; bash "$root/deploy/kafka/kafka.sh" stop "$work/kafka" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
bench=$work/netflow_bench
# Linked with mimalloc, as build/talaia is (app/CMakeLists.txt).
g++ -std=c++20 -O2 -DNDEBUG -I"$root" "$root/bench/netflow/netflow_bench.cpp" \
  "$build/collectors/libtalaia_collectors.a" "$build/core/libtalaia_core.a" \
  -lsimdjson -lboost_json -lrdkafka -lyaml-cpp -lmimalloc -pthread -o "$bench"
records_per_packet=24
want=$((packets * records_per_packet))
port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# cpu_run CPU_FILE COMMAND...: runs COMMAND until SIGTERM, then writes the CPU seconds it used
# from start to exit (its final flush included) into CPU_FILE.
cpu_run() {
  local out=$1; shift
  exec python3 -c 'import resource, signal, subprocess, sys
p = subprocess.Popen(sys.argv[2:])
signal.signal(signal.SIGTERM, lambda *_: p.terminate())
p.wait()
r = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write("%.3f\n" % (r.ru_utime + r.ru_stime))' "$out" "$@"
}
rate() { awk -v r="$1" -v c="$2" 'BEGIN { if (c > 0) printf "%.0f", r / c; else print "n/a" }'; }

# A real Kafka broker for the "into Kafka" figures (deploy/kafka/kafka.sh, cached jars).
kafka=""
if bash "$root/deploy/kafka/kafka.sh" fetch >/dev/null 2>&1 && bash "$root/deploy/kafka/kafka.sh" start "$work/kafka" >/dev/null 2>&1; then
  kafka=$(cat "$work/kafka/bootstrap")
  BENCH_KAFKA=$kafka "$bench" warm-up
fi
listen() {  # listen [BROKERS] -> "records cpu": Talaia's listener fed the stream
  local p; p=$(port)
  BENCH_KAFKA=$1 "$bench" listen $p $want 60 >"$work/listen.out" &
  local lp=$!
  sleep 0.5
  "$bench" send "$stream" $p $pps
  wait $lp
  sed 's/[a-z_]*=//g' "$work/listen.out"
}

# nfcapd_run -> "records cpu": nfcapd fed the stream, CPU from start to exit.
nfcapd_run() {
  local p np
  p=$(port)
  rm -rf "$work/nfcapd" && mkdir -p "$work/nfcapd"
  cpu_run "$work/nfcapd.cpu" nfcapd -b 127.0.0.1 -p $p -w "$work/nfcapd" -t 3600 -B 8388608 >"$work/nfcapd.log" 2>&1 &
  np=$!
  sleep 0.5
  "$bench" send "$stream" $p $pps
  sleep 1
  kill -TERM $np; wait $np 2>/dev/null || true
  echo "$(nfdump -R "$work/nfcapd" -q -o 'fmt:%pkt' 2>/dev/null | wc -l) $(cat "$work/nfcapd.cpu")"
}
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

for version in 9 10; do
  stream=$work/v$version.stream
  "$bench" write "$stream" $version $packets
  echo "== NetFlow v$version: $packets packets, $want records, sent at $pps packets/s"

  read -r r c _ <<<"$("$bench" decode "$stream" | sed 's/[a-z_]*=//g')"
  echo "talaia decode+JSON+bus (no network): $r records, $c CPU-s: $(rate "$r" "$c") records/CPU-s"

  # Talaia's listener and nfcapd, alternating, $rounds times each: the medians and their ratio
  # (one run on this shared machine swings by a third).
  ours_all=() theirs_all=()
  for ((round = 1; round <= rounds; round++)); do
    read -r tr tc <<<"$(listen "")"
    ours_all+=("$(rate "$tr" "$tc")")
    echo "talaia listener (UDP, JSON, in-process bus), round $round: $tr records, $tc CPU-s: ${ours_all[-1]} records/CPU-s"
    read -r nr nc <<<"$(nfcapd_run)"
    theirs_all+=("$(rate "$nr" "$nc")")
    echo "nfcapd (writes nfcapd files), round $round: $nr records, $nc CPU-s: ${theirs_all[-1]} records/CPU-s"
  done
  ours=$(median "${ours_all[@]}")
  theirs=$(median "${theirs_all[@]}")
  echo "median of $rounds: talaia listener $ours records/CPU-s, nfcapd $theirs; talaia/nfcapd = $(awk -v a="$ours" -v b="$theirs" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')"
  if [[ -n $kafka ]]; then
    # Twice: the first run on a broker just written to costs up to twice the CPU of the next
    # (the warm-up below does not take that away), so both are printed.
    for ((round = 1; round <= 2; round++)); do
      read -r kr kc <<<"$(listen "$kafka")"
      echo "talaia listener (UDP, JSON, Kafka producer, until acknowledged), run $round: $kr records, $kc CPU-s: $(rate "$kr" "$kc") records/CPU-s"
    done
  else
    echo "talaia into Kafka: no broker could be started (deploy/kafka/kafka.sh); skipped"
  fi

  goflow2=$(command -v goflow2 || echo "$HOME/go/bin/goflow2")
  if [[ -x $goflow2 ]]; then
    p=$(port)
    cpu_run "$work/goflow2.cpu" "$goflow2" -listen "netflow://127.0.0.1:$p" -transport file -transport.file "$work/goflow2.json" -format json >"$work/goflow2.log" 2>&1 &
    gp=$!
    sleep 1
    "$bench" send "$stream" $p $pps
    sleep 1
    kill -TERM $gp; wait $gp 2>/dev/null || true
    gr=$(wc -l <"$work/goflow2.json")
    gc=$(cat "$work/goflow2.cpu")
    g=$(rate "$gr" "$gc")
    echo "goflow2 (JSON to a file): $gr records, $gc CPU-s: $g records/CPU-s; talaia/goflow2 = $(awk -v a="$ours" -v b="$g" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')"
    rm -f "$work/goflow2.json"
  else
    echo "goflow2: not installed (go install github.com/netsampler/goflow2/v2/cmd/goflow2@latest)"
  fi
done
