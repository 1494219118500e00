#!/usr/bin/env bash
# A local single-node Apache Kafka broker (KRaft) for tests and for trying Talaia on Kafka.
#
#   deploy/kafka/kafka.sh fetch          download the broker jars from Maven Central (cached)
#   deploy/kafka/kafka.sh start DIR      format DIR, start the broker on a free 127.0.0.1 port,
#                                        wait until it answers; prints HOST:PORT (also in DIR/bootstrap)
#   deploy/kafka/kafka.sh stop DIR       stop the broker started in DIR and wait for it to exit
#
# KAFKA_VERSION (default 4.1.1; 4.0.0 refuses librdkafka 2.0.2's consumer-group requests) and
# TALAIA_CACHE (default ~/.cache/talaia) may be set in the environment.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
version=${KAFKA_VERSION:-4.1.1}
cache=${TALAIA_CACHE:-$HOME/.cache/talaia}
jars="$cache/kafka-$version"

die() { echo "kafka.sh: $*" >&2; exit 1; }

fetch() {
  [[ -f "$jars/.complete" ]] && return 0
  command -v mvn >/dev/null || die "maven is missing (apt-get install maven)"
  rm -rf "$jars.tmp" && mkdir -p "$jars.tmp"
  mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies \
      -Dkafka.version="$version" -DoutputDirectory="$jars.tmp" >&2 \
    || die "could not fetch kafka_2.13:$version from Maven Central"
  touch "$jars.tmp/.complete"
  rm -rf "$jars" && mv "$jars.tmp" "$jars"
}

# A port outside the kernel's ephemeral range, so no outgoing connection can take it before the
# broker binds; the range and the cursor file are those of the C++ tests' free_port()
# (tests/support/process.cpp).
free_port() {
  python3 - <<'PY'
import fcntl, os, random, socket
first, last = (int(x) for x in open("/proc/sys/net/ipv4/ip_local_port_range").read().split())
low, high = (max(1024, first - 12000), first - 1) if first - 1024 >= 2000 else (min(last + 1, 63535), 65535)
fd = os.open("/tmp/talaia-test-ports.cursor", os.O_RDWR | os.O_CREAT, 0o666)
fcntl.flock(fd, fcntl.LOCK_EX)
text = os.pread(fd, 15, 0).decode().strip()
cursor = int(text) if text.isdigit() else 0
if not low <= cursor <= high:
    cursor = random.randint(low, high)
def bindable(kind, port):
    with socket.socket(socket.AF_INET, kind) as s:
        try:
            s.bind(("127.0.0.1", port)); return True
        except OSError:
            return False
for _ in range(high - low + 1):
    port, cursor = cursor, (low if cursor == high else cursor + 1)
    if bindable(socket.SOCK_STREAM, port) and bindable(socket.SOCK_DGRAM, port):
        break
os.ftruncate(fd, 0); os.pwrite(fd, f"{cursor}\n".encode(), 0)
print(port)
PY
}

java_run() { # java_run MAINCLASS ARGS... — replaces the calling (sub)shell
  exec java -Xmx512m -Xms128m -Dlog4j2.configurationFile="$here/log4j2.properties" \
       -cp "$jars/*" "$@"
}

# Closes every descriptor above stderr, so the broker holds no lock or pipe of whoever started
# it (a test runner waiting for EOF, a build lock).
close_inherited_fds() {
  local fd
  for fd in /proc/$BASHPID/fd/*; do
    fd=${fd##*/}
    (( fd > 2 )) && eval "exec $fd>&-" 2>/dev/null
  done
  return 0
}

start() {
  local dir=$1
  fetch
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [[ -f "$dir/pid" ]] && kill -0 "$(cat "$dir/pid")" 2>/dev/null && die "a broker already runs in $dir"
  local port cport cluster
  port=$(free_port); cport=$(free_port)
  while [[ "$cport" == "$port" ]]; do cport=$(free_port); done
  # A random cluster id (base64url of a UUID). Not one starting with '-': kafka-storage would take
  # it for an option and refuse to format (about one start in 64 failed that way).
  cluster=$(python3 -c 'import uuid,base64
while True:
    c = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    if not c.startswith("-"):
        print(c)
        break')
  cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data
num.partitions=4
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
PROPS
  (java_run kafka.tools.StorageTool format -t "$cluster" -c "$dir/server.properties") \
      > "$dir/format.log" 2>&1 || { cat "$dir/format.log" >&2; die "formatting $dir failed"; }
  # The broker's own pid (the subshell execs java), so that stop can signal it.
  (close_inherited_fds; java_run kafka.Kafka "$dir/server.properties") > "$dir/broker.log" 2>&1 < /dev/null &
  echo $! > "$dir/pid"
  local deadline=$((SECONDS + 90))
  until grep -q "Kafka Server started" "$dir/broker.log" 2>/dev/null \
        && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    kill -0 "$(cat "$dir/pid")" 2>/dev/null || { tail -30 "$dir/broker.log" >&2; die "broker exited during start-up"; }
    (( SECONDS < deadline )) || { stop "$dir"; die "broker did not answer within 90 s"; }
    sleep 0.3
  done
  echo "127.0.0.1:$port" > "$dir/bootstrap"
  echo "127.0.0.1:$port"
}

stop() {
  local dir=$1 pid
  [[ -f "$dir/pid" ]] || return 0
  pid=$(cat "$dir/pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -f "$dir/pid"
}

case "${1:-}" in
  fetch) fetch ;;
  start) [[ $# -eq 2 ]] || die "usage: kafka.sh start DIR"; start "$2" ;;
  stop)  [[ $# -eq 2 ]] || die "usage: kafka.sh stop DIR"; stop "$2" ;;
  *) die "usage: kafka.sh fetch | start DIR | stop DIR" ;;
esac
