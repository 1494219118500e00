#!/usr/bin/env bash
# Syslog: messages per CPU-second for Talaia's listener (parse + JSON + in-process bus),
# syslog-ng and rsyslog, each fed by the same loggen (256-byte RFC 5424 messages, octet counting
# over TCP and TLS; UDP) in the same run; the same into a real Kafka broker (Talaia's producer,
# syslog-ng's kafka-c() and rsyslog's omkafka, each sending every message as JSON, idempotent,
# acks=all); and UDP loss at 150,000 messages/s offered.
#   bench/syslog/run.sh [BUILD_DIR] [MESSAGES]
# Needs: a built tree, syslog-ng-core (loggen, syslog-ng); syslog-ng-mod-rdkafka (kafka-c()) is
# installed with apt-get when missing; rsyslog (with rsyslog-gnutls and rsyslog-kafka) is
# unpacked from its Debian packages with dpkg-deb -x (it conflicts with syslog-ng-core) when
# apt-get download can fetch them. BUILD_LOCK=FILE: the benchmark binary is compiled under
# `flock -o FILE` (a machine whose builds take turns).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
messages=${2:-400000}
work=$(mktemp -d /tmp/talaia-syslog-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; bash "$root/deploy/kafka/kafka.sh" stop "$work/kafka" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

# syslog-ng's Kafka destination (kafka-c(), librdkafka) comes in its own package.
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
if ! installed syslog-ng-mod-rdkafka; then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  echo "run.sh: installing syslog-ng-mod-rdkafka" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y -qq --no-install-recommends syslog-ng-mod-rdkafka >/dev/null 2>&1 ||
    { $sudo apt-get update -qq >/dev/null 2>&1 && $sudo apt-get install -y -qq --no-install-recommends syslog-ng-mod-rdkafka >/dev/null 2>&1; } ||
    echo "run.sh: syslog-ng-mod-rdkafka could not be installed; syslog-ng into Kafka is skipped" >&2
fi

bench=$work/syslog_bench
# Linked with mimalloc, as build/talaia is (app/CMakeLists.txt).
${BUILD_LOCK:+flock -o "$BUILD_LOCK"} g++ -std=c++20 -O2 -DNDEBUG -I"$root" "$root/bench/syslog/syslog_bench.cpp" \
  "$build/collectors/libtalaia_collectors.a" "$build/core/libtalaia_core.a" \
  -lsimdjson -lboost_json -lrdkafka -lyaml-cpp -lssl -lcrypto -lmimalloc -pthread -o "$bench"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu_of() { awk '{print ($14 + $15) / '"$(getconf CLK_TCK)"'}' /proc/$1/stat; }
# settle COMMAND...: polls COMMAND (prints a count) once a second until it reaches $messages or
# stops growing (or two minutes pass); prints the last count. A count that is not a number yet
# (the broker has not answered) is not taken for a standstill.
settle() {
  local last=-1 now deadline=$((SECONDS + 120))
  while :; do
    sleep 1
    now=$("$@" 2>/dev/null) || now=-1
    [[ $now =~ ^[0-9]+$ ]] || now=-1
    (( now >= messages || (now >= 0 && now == last) || SECONDS >= deadline )) && break
    last=$now
  done
  echo "$now"
}
lines() { wc -l <"$1" 2>/dev/null || echo 0; }
in_topic() { "$bench" topic "$brokers" "$1"; }  # messages in Kafka topic $1 (created when missing)
new_topic() {  # new_topic NAME: created, and answering for its partitions' offsets
  local i
  for i in $(seq 1 50); do [[ $(in_topic "$1" 2>/dev/null) =~ ^[0-9]+$ ]] && return 0; sleep 0.2; done
  return 1
}
rate() { awk -v r="$1" -v c="$2" 'BEGIN { if (c > 0) printf "%.0f", r / c; else print "n/a" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" \
  -days 1 -subj /CN=127.0.0.1 2>/dev/null

# Two loggen senders, half the messages each (one loggen tops out near 600k msg/s). Over UDP each
# sends from two sockets (loggen's -r and -n count per connection), so that SO_REUSEPORT workers
# have more than one source to spread; every server gets the same four sockets.
drive() {  # drive MODE PORT [RATE]
  local mode=$1 p=$2 r=${3:-1000000} conns=1 flags
  case $mode in tcp) flags="-i -S -P" ;; tls) flags="-U -P" ;; udp) flags="-i -D -P"; conns=2 ;; esac
  local each=$((messages / 2 / conns)) per=$((r / 2 / conns))
  loggen $flags -s 256 -r $per -n $each --active-connections $conns 127.0.0.1 "$p" >/dev/null 2>&1 &
  local other=$!
  loggen $flags -s 256 -r $per -n $each --active-connections $conns 127.0.0.1 "$p" >/dev/null 2>&1 || true
  wait $other 2>/dev/null || true
}

talaia() {  # talaia MODE [RATE] -> "messages cpu"  (SYSLOG_BENCH_WORKERS=N: N UDP workers)
  local p; p=$(port)
  local extra=()
  [[ $1 == tls ]] && extra=("$work/cert.pem" "$work/key.pem")
  "$bench" listen "$p" "$messages" 120 "${extra[@]}" >"$work/t.out" &
  local b=$!
  sleep 0.3
  drive "$1" "$p" "${2:-1000000}"
  wait $b
  sed 's/[a-z_]*=//g' "$work/t.out"
}

# syslog() sources: octet-counted frames (RFC 6587), as loggen -P sends them, parsed as RFC 5424
# (network(transport(tcp)) would split at newlines and take "256 <38>1 ..." for a BSD message).
# The hostname is the message's, as Talaia's; no DNS look-ups.
syslog_ng() {  # syslog_ng MODE [RATE] [KAFKA_TOPIC] -> "messages cpu"
  local p; p=$(port)
  local src flags=syslog-protocol dest logflags="" topic=${3:-}
  # Kafka: the JSON carries the raw message, as Talaia's event does.
  [[ -n $topic ]] && flags="syslog-protocol, store-raw-message"
  case $1 in
    tcp) src="syslog(ip(127.0.0.1) port($p) transport(tcp) flags($flags) keep-hostname(yes) use-dns(no) max-connections(10) log-iw-size(100000))" ;;
    tls) src="syslog(ip(127.0.0.1) port($p) transport(tls) flags($flags) keep-hostname(yes) use-dns(no) max-connections(10) log-iw-size(100000) tls(key-file(\"$work/key.pem\") cert-file(\"$work/cert.pem\") peer-verify(optional-untrusted)))" ;;
    udp) src="network(ip(127.0.0.1) port($p) transport(udp) so-rcvbuf(67108864))" ;;
  esac
  if [[ -n $topic ]]; then
    # Each message as a JSON object of its parsed fields, keyed by the sender's address, with
    # Talaia's producer settings; flow-control: a full librdkafka queue holds the senders back
    # (as Talaia's TCP listener waits on its producer) instead of dropping.
    dest=$(cat <<DEST
kafka-c(
    bootstrap-servers("$brokers")
    topic("$topic")
    key("\$SOURCEIP")
    message("\$(format-json --scope rfc5424 --scope sdata --exclude DATE --key ISODATE --key MSGID --pair received=\$R_ISODATE --pair peer=\$SOURCEIP --key RAWMSG)")
    config(
      "enable.idempotence" => "true"
      "acks" => "all"
      "linger.ms" => "5"
      "compression.type" => "lz4"
    )
  )
DEST
)
    logflags=" flags(flow-control);"
  else
    dest="file(\"$work/ng.out\" template(\"\$ISODATE \$HOST \$PROGRAM \$MSG\\n\"))"
  fi
  cat >"$work/ng.conf" <<CONF
@version: 3.38
options { stats-freq(0); };
source s { $src; };
destination d { $dest; };
log { source(s); destination(d);$logflags };
CONF
  rm -f "$work/ng.out"
  syslog-ng -F -f "$work/ng.conf" -R "$work/ng.persist" -p "$work/ng.pid" -c "$work/ng.ctl" >"$work/ng.log" 2>&1 &
  local n=$!
  sleep 1
  local c0; c0=$(cpu_of $n)
  drive "$1" "$p" "${2:-1000000}"
  local now
  if [[ -n $topic ]]; then now=$(settle in_topic "$topic"); else now=$(settle lines "$work/ng.out"); fi
  local c1; c1=$(cpu_of $n)
  kill -TERM $n; wait $n 2>/dev/null || true
  echo "$now $(awk -v a="$c0" -v b="$c1" 'BEGIN { print b - a }')"
}

rsyslog_dir=$work/rsyslog
rsyslog_modules=$rsyslog_dir/usr/lib/x86_64-linux-gnu/rsyslog
# rsyslog-gnutls brings imtcp's gtls network stream driver (lmnsd_gtls.so) for TLS, rsyslog-kafka
# omkafka (librdkafka).
if (cd "$work" && apt-get download rsyslog rsyslog-gnutls >/dev/null 2>&1); then
  (cd "$work" && apt-get download rsyslog-kafka >/dev/null 2>&1) || true
  for deb in "$work"/rsyslog*.deb; do dpkg-deb -x "$deb" "$rsyslog_dir"; done
fi
rsyslog() {  # rsyslog MODE [RATE] [KAFKA_TOPIC] -> "messages cpu"
  [[ -x $rsyslog_dir/usr/sbin/rsyslogd ]] || { echo "0 0"; return; }
  local topic=${3:-}
  [[ -z $topic || -f $rsyslog_modules/omkafka.so ]] || { echo "0 0"; return; }
  local p; p=$(port)
  local mod input global="net.enableDNS=\"off\"" output
  case $1 in
    tcp) mod='module(load="imptcp")'; input="input(type=\"imptcp\" address=\"127.0.0.1\" port=\"$p\" SupportOctetCountedFraming=\"on\")" ;;
    udp) mod='module(load="imudp")'; input="input(type=\"imudp\" address=\"127.0.0.1\" port=\"$p\" rcvbufSize=\"64m\")" ;;
    tls)
      [[ -f $rsyslog_modules/lmnsd_gtls.so ]] || { echo "0 0"; return; }
      global+=" DefaultNetstreamDriver=\"gtls\" DefaultNetstreamDriverCertFile=\"$work/cert.pem\" DefaultNetstreamDriverKeyFile=\"$work/key.pem\" DefaultNetstreamDriverCAFile=\"$work/cert.pem\""
      mod='module(load="imtcp" StreamDriver.Name="gtls" StreamDriver.Mode="1" StreamDriver.AuthMode="anon")'
      input="input(type=\"imtcp\" address=\"127.0.0.1\" port=\"$p\" SupportOctetCountedFraming=\"on\")" ;;
  esac
  if [[ -n $topic ]]; then
    # Each message as JSON (every property rsyslog parsed, and the raw message), keyed by the
    # sender's address, with Talaia's producer settings; librdkafka's partitioner.
    output=$(cat <<OUT
module(load="omkafka")
template(name="j" type="string" string="%jsonmesg%")
template(name="k" type="string" string="%fromhost-ip%")
action(type="omkafka" broker=["$brokers"] topic="$topic" template="j" dynaKey="on" key="k" partitions.auto="on"
       confParam=["enable.idempotence=true", "linger.ms=5", "compression.type=lz4"] topicConfParam=["acks=all"])
OUT
)
  else
    output=$(cat <<OUT
template(name="t" type="string" string="%timereported:::date-rfc3339% %hostname% %programname% %msg%\n")
action(type="omfile" file="$work/rs.out" template="t")
OUT
)
  fi
  cat >"$work/rs.conf" <<CONF
global(workDirectory="$work" $global)
$mod
$input
$output
CONF
  rm -f "$work/rs.out"
  "$rsyslog_dir/usr/sbin/rsyslogd" -n -f "$work/rs.conf" -i "$work/rs.pid" -M "$rsyslog_modules" >"$work/rs.log" 2>&1 &
  local n=$!
  sleep 1
  local c0; c0=$(cpu_of $n)
  drive "$1" "$p" "${2:-1000000}"
  local now
  if [[ -n $topic ]]; then now=$(settle in_topic "$topic"); else now=$(settle lines "$work/rs.out"); fi
  local c1; c1=$(cpu_of $n)
  kill -TERM $n; wait $n 2>/dev/null || true
  echo "$now $(awk -v a="$c0" -v b="$c1" 'BEGIN { print b - a }')"
}

for mode in tcp tls; do
  echo "== $mode: $messages messages of 256 bytes from two loggen senders"
  read -r tm tc <<<"$(talaia $mode)"; ours=$(rate "$tm" "$tc")
  echo "talaia listener (parse, JSON, in-process bus): $tm messages, $tc CPU-s: $ours msg/CPU-s"
  read -r nm nc <<<"$(syslog_ng $mode)"; ng=$(rate "$nm" "$nc")
  echo "syslog-ng (parse, file): $nm messages, $nc CPU-s: $ng msg/CPU-s; talaia/syslog-ng = $(ratio "$ours" "$ng")"
  read -r rm rc <<<"$(rsyslog $mode)"
  if [[ $rm != 0 ]]; then rs=$(rate "$rm" "$rc"); echo "rsyslog (parse, file): $rm messages, $rc CPU-s: $rs msg/CPU-s; talaia/rsyslog = $(ratio "$ours" "$rs")"; fi
done

# The same into a real Kafka broker (deploy/kafka/kafka.sh, cached jars), every message as a
# JSON object of its parsed fields, keyed by the sender's address, with `talaia collect`'s
# producer settings (idempotent, acks=all, lz4, linger.ms 5): Talaia's listener (its CPU until
# every message is acknowledged), syslog-ng's kafka-c() and rsyslog's omkafka (their process's
# CPU until the topic holds every message, or stops growing). Each peer writes its own topic;
# its count is what the topic holds. The broker's own CPU is not counted, as the kernel's file
# writes are not counted for the file runs.
if bash "$root/deploy/kafka/kafka.sh" fetch >/dev/null 2>&1 && bash "$root/deploy/kafka/kafka.sh" start "$work/kafka" >/dev/null 2>&1; then
  brokers=$(cat "$work/kafka/bootstrap")
  new_topic talaia.events || true
  for mode in tcp tls udp; do
    r=1000000  # as fast as loggen goes over TCP and TLS; UDP at the rate of the loss test
    offered="from two loggen senders"
    [[ $mode == udp ]] && r=150000 && offered="offered at 150,000/s"
    echo "== $mode into Kafka: $messages messages of 256 bytes $offered; JSON, idempotent, acks=all"
    before=$(in_topic talaia.events 2>/dev/null) || before=0
    read -r km kc <<<"$(BENCH_KAFKA=$brokers talaia $mode $r)"
    after=$(in_topic talaia.events 2>/dev/null) || after=$before
    ours=$(rate "$km" "$kc")
    echo "talaia listener (parse, JSON, Kafka producer): $km messages ($((after - before)) in the topic), $kc CPU-s: $ours msg/CPU-s"
    if installed syslog-ng-mod-rdkafka && new_topic "syslog-ng.$mode"; then
      read -r nm nc <<<"$(syslog_ng $mode $r "syslog-ng.$mode")"; ng=$(rate "$nm" "$nc")
      echo "syslog-ng (parse, JSON, kafka-c): $nm messages in the topic, $nc CPU-s: $ng msg/CPU-s; talaia/syslog-ng = $(ratio "$ours" "$ng")"
    fi
    if [[ -f $rsyslog_modules/omkafka.so ]] && new_topic "rsyslog.$mode"; then
      read -r rm rc <<<"$(rsyslog $mode $r "rsyslog.$mode")"
      if [[ $rm != 0 ]]; then rs=$(rate "$rm" "$rc"); echo "rsyslog (parse, JSON, omkafka): $rm messages in the topic, $rc CPU-s: $rs msg/CPU-s; talaia/rsyslog = $(ratio "$ours" "$rs")"; fi
    fi
  done
  bash "$root/deploy/kafka/kafka.sh" stop "$work/kafka" >/dev/null 2>&1 || true
else
  echo "== Kafka: no broker could be started (deploy/kafka/kafka.sh); skipped"
fi

echo "== udp: $messages messages offered at 150,000/s"
read -r tm tc <<<"$(talaia udp 150000)"
echo "talaia: $tm of $messages received, loss $(awk -v a="$tm" -v b="$messages" 'BEGIN { printf "%.2f", 100 * (b - a) / b }') %, $(rate "$tm" "$tc") msg/CPU-s"
read -r tm tc <<<"$(SYSLOG_BENCH_WORKERS=2 talaia udp 150000)"
echo "talaia, 2 UDP workers: $tm of $messages received, loss $(awk -v a="$tm" -v b="$messages" 'BEGIN { printf "%.2f", 100 * (b - a) / b }') %, $(rate "$tm" "$tc") msg/CPU-s"
read -r nm nc <<<"$(syslog_ng udp 150000)"
echo "syslog-ng: $nm of $messages received, loss $(awk -v a="$nm" -v b="$messages" 'BEGIN { printf "%.2f", 100 * (b - a) / b }') %, $(rate "$nm" "$nc") msg/CPU-s"
read -r rm rc <<<"$(rsyslog udp 150000)"
[[ $rm != 0 ]] && echo "rsyslog: $rm of $messages received, loss $(awk -v a="$rm" -v b="$messages" 'BEGIN { printf "%.2f", 100 * (b - a) / b }') %, $(rate "$rm" "$rc") msg/CPU-s"

# The same on a busy machine: two busy loops (one per core here) beside the senders and the
# server, as other work on a shared collector host would be.
busy() {  # busy COMMAND...: runs it with two busy loops beside it
  local hogs=()
  for _ in 1 2; do (while :; do :; done) >/dev/null 2>&1 & hogs+=($!); done
  "$@"
  kill "${hogs[@]}" 2>/dev/null || true
  wait "${hogs[@]}" 2>/dev/null || true
}
echo "== udp with two busy loops beside: $messages messages offered at 150,000/s"
read -r tm tc <<<"$(busy talaia udp 150000)"
echo "talaia: $tm of $messages received, loss $(awk -v a="$tm" -v b="$messages" 'BEGIN { printf "%.2f", 100 * (b - a) / b }') %"
read -r nm nc <<<"$(busy syslog_ng udp 150000)"
echo "syslog-ng: $nm of $messages received, loss $(awk -v a="$nm" -v b="$messages" 'BEGIN { printf "%.2f", 100 * (b - a) / b }') %"
read -r rm rc <<<"$(busy rsyslog udp 150000)"
[[ $rm != 0 ]] && echo "rsyslog: $rm of $messages received, loss $(awk -v a="$rm" -v b="$messages" 'BEGIN { printf "%.2f", 100 * (b - a) / b }') %"
exit 0
