#!/usr/bin/env bash
# Syslog: messages per CPU-second for Talaia's listener (parse + JSON + in-process bus),
# syslog-ng and rsyslog, each fed by the same loggen (256-byte RFC 5424 messages, octet counting
# over TCP and TLS; UDP) in the same run; and UDP loss at 150,000 messages/s offered.
#   bench/syslog/run.sh [BUILD_DIR] [MESSAGES]
# Needs: a built tree, syslog-ng-core (loggen, syslog-ng); rsyslog is unpacked from its Debian
# package with dpkg-deb -x (it conflicts with syslog-ng-core) when apt-get download can fetch it.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
messages=${2:-400000}
work=$(mktemp -d /tmp/talaia-syslog-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
bench=$work/syslog_bench
g++ -std=c++20 -O2 -DNDEBUG -I"$root" "$root/bench/syslog/syslog_bench.cpp" \
  "$build/collectors/libtalaia_collectors.a" "$build/core/libtalaia_core.a" \
  -lsimdjson -lboost_json -lrdkafka -lyaml-cpp -lssl -lcrypto -pthread -o "$bench"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu_of() { awk '{print ($14 + $15) / '"$(getconf CLK_TCK)"'}' /proc/$1/stat; }
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

syslog_ng() {  # syslog_ng MODE [RATE] -> "messages cpu"
  local p; p=$(port)
  local src
  case $1 in
    tcp) src="network(ip(127.0.0.1) port($p) transport(tcp) flags(syslog-protocol) max-connections(10) log-iw-size(100000))" ;;
    tls) src="network(ip(127.0.0.1) port($p) transport(tls) flags(syslog-protocol) max-connections(10) log-iw-size(100000) tls(key-file(\"$work/key.pem\") cert-file(\"$work/cert.pem\") peer-verify(optional-untrusted)))" ;;
    udp) src="network(ip(127.0.0.1) port($p) transport(udp) so-rcvbuf(67108864))" ;;
  esac
  cat >"$work/ng.conf" <<CONF
@version: 3.38
options { stats-freq(0); };
source s { $src; };
destination d { file("$work/ng.out" template("\$ISODATE \$HOST \$PROGRAM \$MSG\n")); };
log { source(s); destination(d); };
CONF
  rm -f "$work/ng.out"
  syslog-ng -F -f "$work/ng.conf" -R "$work/ng.persist" -p "$work/ng.pid" -c "$work/ng.ctl" >"$work/ng.log" 2>&1 &
  local n=$!
  sleep 1
  local c0; c0=$(cpu_of $n)
  drive "$1" "$p" "${2:-1000000}"
  local last=-1 now=0
  while :; do sleep 1; now=$(wc -l <"$work/ng.out" 2>/dev/null || echo 0); [[ $now == "$last" || $now -ge $messages ]] && break; last=$now; done
  local c1; c1=$(cpu_of $n)
  kill -TERM $n; wait $n 2>/dev/null || true
  echo "$now $(awk -v a="$c0" -v b="$c1" 'BEGIN { print b - a }')"
}

rsyslog_dir=$work/rsyslog
# rsyslog-gnutls brings imtcp's gtls network stream driver (lmnsd_gtls.so) for TLS.
if (cd "$work" && apt-get download rsyslog rsyslog-gnutls >/dev/null 2>&1); then
  for deb in "$work"/rsyslog*.deb; do dpkg-deb -x "$deb" "$rsyslog_dir"; done
fi
rsyslog() {  # rsyslog MODE [RATE] -> "messages cpu"
  [[ -x $rsyslog_dir/usr/sbin/rsyslogd ]] || { echo "0 0"; return; }
  local p; p=$(port)
  local mod input global=""
  case $1 in
    tcp) mod='module(load="imptcp")'; input="input(type=\"imptcp\" address=\"127.0.0.1\" port=\"$p\" SupportOctetCountedFraming=\"on\")" ;;
    udp) mod='module(load="imudp")'; input="input(type=\"imudp\" address=\"127.0.0.1\" port=\"$p\" rcvbufSize=\"64m\")" ;;
    tls)
      [[ -f $rsyslog_dir/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so ]] || { echo "0 0"; return; }
      global="DefaultNetstreamDriver=\"gtls\" DefaultNetstreamDriverCertFile=\"$work/cert.pem\" DefaultNetstreamDriverKeyFile=\"$work/key.pem\" DefaultNetstreamDriverCAFile=\"$work/cert.pem\""
      mod='module(load="imtcp" StreamDriver.Name="gtls" StreamDriver.Mode="1" StreamDriver.AuthMode="anon")'
      input="input(type=\"imtcp\" address=\"127.0.0.1\" port=\"$p\" SupportOctetCountedFraming=\"on\")" ;;
  esac
  cat >"$work/rs.conf" <<CONF
global(workDirectory="$work" $global)
$mod
$input
template(name="t" type="string" string="%timereported:::date-rfc3339% %hostname% %programname% %msg%\n")
action(type="omfile" file="$work/rs.out" template="t")
CONF
  rm -f "$work/rs.out"
  "$rsyslog_dir/usr/sbin/rsyslogd" -n -f "$work/rs.conf" -i "$work/rs.pid" -M "$rsyslog_dir/usr/lib/x86_64-linux-gnu/rsyslog" >"$work/rs.log" 2>&1 &
  local n=$!
  sleep 1
  local c0; c0=$(cpu_of $n)
  drive "$1" "$p" "${2:-1000000}"
  local last=-1 now=0
  while :; do sleep 1; now=$(wc -l <"$work/rs.out" 2>/dev/null || echo 0); [[ $now == "$last" || $now -ge $messages ]] && break; last=$now; done
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

echo "== udp: $messages messages offered at 150,000/s"
read -r tm tc <<<"$(talaia udp 150000)"
echo "talaia: $tm of $messages received, loss $(awk -v a="$tm" -v b="$messages" 'BEGIN { printf "%.2f", 100 * (b - a) / b }') %, $(rate "$tm" "$tc") msg/CPU-s"
read -r tm tc <<<"$(SYSLOG_BENCH_WORKERS=2 talaia udp 150000)"
echo "talaia, 2 UDP workers: $tm of $messages received, loss $(awk -v a="$tm" -v b="$messages" 'BEGIN { printf "%.2f", 100 * (b - a) / b }') %, $(rate "$tm" "$tc") msg/CPU-s"
read -r nm nc <<<"$(syslog_ng udp 150000)"
echo "syslog-ng: $nm of $messages received, loss $(awk -v a="$nm" -v b="$messages" 'BEGIN { printf "%.2f", 100 * (b - a) / b }') %"
read -r rm rc <<<"$(rsyslog udp 150000)"
[[ $rm != 0 ]] && echo "rsyslog: $rm of $messages received, loss $(awk -v a="$rm" -v b="$messages" 'BEGIN { printf "%.2f", 100 * (b - a) / b }') %"
exit 0
