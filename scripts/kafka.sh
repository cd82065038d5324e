#!/usr/bin/env bash
# A real single-node Apache Kafka broker for the fleet integration tests:
# KRaft mode (one process is broker and controller, no ZooKeeper), jars
# resolved from Maven Central by the machine's Maven and cached, run with the
# machine's Java. No Docker.
#
#   kafka.sh fetch                          resolve and cache the jars only
#   kafka.sh start DIR                      start on free loopback ports; prints BROKERS=127.0.0.1:PORT
#   kafka.sh stop DIR                       SIGTERM, bounded wait, then SIGKILL; idempotent
#   kafka.sh restart DIR                    stop, then start on the SAME ports and data (no reformat)
#   kafka.sh kill DIR                       SIGKILL (a crash), for fault tests
#   kafka.sh create-topic DIR NAME PARTS    create a topic (no error if it exists)
#   kafka.sh topics DIR ARGS...             org.apache.kafka.tools.TopicCommand ARGS against the broker
#                                           (e.g. --list, --describe --topic T)
#
# DIR is a per-test state directory: server.properties, data/, kafka.log,
# kafka.pid, brokers (the bootstrap string), ports.
#
# Environment:
#   EF_KAFKA_VERSION      Kafka version, 3.9.x only (default 3.9.2; the client is librdkafka 2.0.2)
#   EF_KAFKA_CACHE        jar cache (default ~/.cache/evalfleet/kafka-VERSION)
#   EF_KAFKA_START_TIMEOUT  seconds to wait for readiness (default 90)
#   EF_KAFKA_STOP_TIMEOUT   seconds between SIGTERM and SIGKILL (default 30)
#   EF_SERVER_OWNER_PID   if set, a watchdog stops the broker when that process
#                         exits (so a test killed by a timeout leaks no JVM)
#   EF_JAVA               java binary (default: java on PATH)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
POM="$HERE/kafka/pom.xml"
VERSION=${EF_KAFKA_VERSION:-3.9.2}
CACHE=${EF_KAFKA_CACHE:-${HOME:-/root}/.cache/evalfleet/kafka-$VERSION}
LIB="$CACHE/lib"
JAVA=${EF_JAVA:-java}
START_TIMEOUT=${EF_KAFKA_START_TIMEOUT:-90}
STOP_TIMEOUT=${EF_KAFKA_STOP_TIMEOUT:-30}
MAIN_CLASS=kafka.Kafka

die() { echo "kafka.sh: $*" >&2; exit 1; }
log() { echo "kafka.sh: $*" >&2; }

case "$VERSION" in
  3.9.*) ;;
  *) die "EF_KAFKA_VERSION=$VERSION: only Kafka 3.9.x is supported (librdkafka 2.0.2 client; 4.x drops old protocols)";;
esac

# ---------------------------------------------------------------- jar cache
cache_key() { echo "kafka=$VERSION pom=$(sha256sum "$POM" | cut -d' ' -f1)"; }
cache_complete() {
  [ -f "$CACHE/.complete" ] && [ "$(cat "$CACHE/.complete")" = "$(cache_key)" ] &&
    [ -f "$LIB/kafka_2.13-$VERSION.jar" ] && [ -f "$LIB/kafka-tools-$VERSION.jar" ]
}
fetch() {
  cache_complete && return 0
  command -v mvn >/dev/null || die "mvn not found (scripts/install-deps.sh installs maven)"
  mkdir -p "$CACHE"
  # Two test runs may fetch at once: one resolves, the other waits for it.
  exec 8>"$CACHE/.lock"
  flock -w 900 8 || die "timed out waiting for the lock on $CACHE"
  if ! cache_complete; then
    log "resolving Kafka $VERSION jars from Maven Central into $LIB"
    rm -rf "$CACHE/lib.tmp" "$LIB" "$CACHE/.complete"
    if ! mvn -B -q -Dstyle.color=never -f "$POM" -Dkafka.version="$VERSION" \
         dependency:copy-dependencies -DincludeScope=runtime \
         -DoutputDirectory="$CACHE/lib.tmp" >"$CACHE/mvn.log" 2>&1; then
      tail -n 50 "$CACHE/mvn.log" >&2
      die "Maven could not resolve Kafka $VERSION (log: $CACHE/mvn.log)"
    fi
    mv "$CACHE/lib.tmp" "$LIB"
    cache_key >"$CACHE/.complete"
    log "cached $(ls "$LIB" | wc -l) jars in $LIB"
  fi
  exec 8>&-
}

# ---------------------------------------------------------------- processes
# Is PID a live process of ours? Its command line must hold the main class
# and this DIR's config (zombies have an empty command line: not alive).
is_ours() { # PID MARKER...
  local pid=$1 cmd; shift
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || return 1
  local m; for m in "$@"; do [[ "$cmd" == *"$m"* ]] || return 1; done
}
server_pid() { cat "$1/kafka.pid" 2>/dev/null || true; }
server_alive() { is_ours "$(server_pid "$1")" "$MAIN_CLASS" "$1/server.properties"; }

wait_gone() { # PID SECONDS MARKER...
  local pid=$1 secs=$2; shift 2
  local end=$((SECONDS + secs))
  while is_ours "$pid" "$@"; do
    [ $SECONDS -lt $end ] || return 1
    sleep 0.2
  done
}

stop_watchdog() {
  local w; w=$(cat "$1/watchdog.pid" 2>/dev/null || true)
  if is_ours "$w" evalfleet-watchdog "$1"; then kill -KILL "$w" 2>/dev/null || true; fi
  rm -f "$1/watchdog.pid"
}
# Stops the server if EF_SERVER_OWNER_PID (remembered in DIR/owner) exits first.
start_watchdog() { # DIR
  local dir=$1 owner=${EF_SERVER_OWNER_PID:-$(cat "$1/owner" 2>/dev/null || true)}
  [[ "$owner" =~ ^[0-9]+$ ]] || return 0
  echo "$owner" >"$dir/owner"
  local pid; pid=$(server_pid "$dir")
  setsid bash -c '
    owner=$1 pid=$2 dir=$3 stop=$4 main=$5
    ours() { tr "\0" " " 2>/dev/null <"/proc/$pid/cmdline" | grep -qF -- "$main"; }
    while kill -0 "$owner" 2>/dev/null && ours; do sleep 1; done
    ours || exit 0
    echo "watchdog: owner $owner exited, stopping $pid" >>"$dir/watchdog.log"
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq "$stop"); do ours || exit 0; sleep 1; done
    kill -KILL "$pid" 2>/dev/null' evalfleet-watchdog "$owner" "$pid" "$dir" "$STOP_TIMEOUT" \
    "$dir/server.properties" </dev/null >/dev/null 2>&1 &
  echo $! >"$dir/watchdog.pid"
}

# Does FILE hold PATTERN at or after line MARK? (No `tail | grep -q`: under
# pipefail the SIGPIPE of an early grep exit reads as a failure.)
log_has() { awk -v m="$2" -v p="$3" 'NR >= m && index($0, p) { f = 1; exit } END { exit !f }' "$1"; }

# ---------------------------------------------------------------- ports
# Prints two distinct free loopback ports, chosen at random below the
# ephemeral range (so outgoing connections do not take them later) and
# bind-tested. Concurrent runs may still race for a port: start retries.
pick_ports() {
  python3 - <<'PY'
import random, socket
lo, hi = 20000, 32000
try:
    eph = int(open('/proc/sys/net/ipv4/ip_local_port_range').read().split()[0])
    hi = min(hi, eph - 1)
except Exception:
    pass
got = []
for _ in range(500):
    p = random.randrange(lo, hi)
    if p in got:
        continue
    s = socket.socket()
    try:
        s.bind(('127.0.0.1', p)); got.append(p)
    except OSError:
        pass
    finally:
        s.close()
    if len(got) == 2:
        print(*got); break
else:
    raise SystemExit('no free ports')
PY
}
port_free() {
  python3 -c 'import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1]))); s.close()' "$1" 2>/dev/null
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ---------------------------------------------------------------- config
write_config() { # DIR BROKER_PORT CONTROLLER_PORT
  local dir=$1 bp=$2 cp=$3
  cat >"$dir/server.properties" <<EOF
# written by scripts/kafka.sh: single-node KRaft broker+controller for tests
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cp
listeners=PLAINTEXT://127.0.0.1:$bp,CONTROLLER://127.0.0.1:$cp
advertised.listeners=PLAINTEXT://127.0.0.1:$bp
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=4
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=true
delete.topic.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
group.initial.rebalance.delay.ms=0
# small and quick: tests, not production
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
background.threads=2
log.cleaner.threads=1
log.cleaner.dedupe.buffer.size=8388608
log.retention.check.interval.ms=60000
# fast start and shutdown (heartbeats drive KRaft's controlled shutdown)
broker.heartbeat.interval.ms=500
broker.session.timeout.ms=6000
EOF
  cat >"$dir/log4j.properties" <<'EOF'
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.kafka.log.LogCleaner=WARN
log4j.logger.org.apache.kafka.clients=WARN
log4j.logger.org.apache.kafka.common.utils.AppInfoParser=WARN
EOF
  cat >"$dir/tools-log4j.properties" <<'EOF'
log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.org.apache.kafka.clients.NetworkClient=ERROR
log4j.logger.org.apache.kafka.clients.admin.internals=ERROR
EOF
  # For the admin tools: fail fast while the broker is still coming up.
  cat >"$dir/admin.properties" <<'EOF'
request.timeout.ms=5000
default.api.timeout.ms=8000
retry.backoff.ms=200
reconnect.backoff.max.ms=500
EOF
  echo "$bp $cp" >"$dir/ports"
  echo "127.0.0.1:$bp" >"$dir/brokers"
}

# A short-lived JVM for a Kafka tool class on the cached classpath (bounded).
tool() { # DIR CLASS ARGS...
  local dir=$1 cls=$2; shift 2
  timeout -k 5 "${EF_KAFKA_TOOL_TIMEOUT:-60}" "$JAVA" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$dir/tools-log4j.properties" -cp "$LIB/*" "$cls" "$@"
}
topics() { # DIR ARGS...
  local dir=$1; shift
  [ -f "$dir/brokers" ] || die "$dir has no broker (run: kafka.sh start $dir)"
  tool "$dir" org.apache.kafka.tools.TopicCommand --bootstrap-server "$(cat "$dir/brokers")" \
    --command-config "$dir/admin.properties" "$@"
}

format_storage() { # DIR
  local dir=$1
  [ -f "$dir/data/meta.properties" ] && return 0
  local id
  # Kafka's Uuid: 16 random bytes, URL-safe base64 without padding; like
  # Kafka's own random-uuid, never one starting with '-' (reads as an option).
  id=$(python3 -c 'import base64, uuid
while True:
    s = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    if not s.startswith("-"): break
print(s)')
  echo "$id" >"$dir/cluster.id"
  if ! timeout 120 "$JAVA" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
       -Dlog4j.configuration="file:$dir/tools-log4j.properties" -cp "$LIB/*" \
       kafka.tools.StorageTool format --cluster-id="$id" --config="$dir/server.properties" \
       >"$dir/format.log" 2>&1; then
    cat "$dir/format.log" >&2
    die "formatting $dir/data failed"
  fi
}

launch() { # DIR
  local dir=$1
  # stdin/stdout/stderr all redirected: the caller's $(...) must not wait on the JVM.
  "$JAVA" -Xmx512m -Xms256m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError \
    -Djava.awt.headless=true -Dkafka.logs.dir="$dir" \
    -Dlog4j.configuration="file:$dir/log4j.properties" \
    -cp "$LIB/*" "$MAIN_CLASS" "$dir/server.properties" </dev/null >>"$dir/kafka.log" 2>&1 &
  local pid=$! _
  echo "$pid" >"$dir/kafka.pid"
  # Until the forked shell has exec'd java its command line is not the JVM's.
  for _ in $(seq 50); do server_alive "$dir" && break; kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
}

# 0 ready, 1 the process died, 2 timed out. Ready: this run's log says the
# server started (so the port is ours, not a racing neighbour's) and the
# broker answers a metadata request (the topic list).
wait_ready() { # DIR LOG_MARK
  local dir=$1 mark=$2 bp end
  bp=$(cut -d' ' -f1 "$dir/ports")
  end=$((SECONDS + START_TIMEOUT))
  while [ $SECONDS -lt $end ]; do
    server_alive "$dir" || return 1
    if port_open "$bp" &&
       log_has "$dir/kafka.log" "$mark" 'Kafka Server started' &&
       EF_KAFKA_TOOL_TIMEOUT=30 topics "$dir" --list >/dev/null 2>>"$dir/ready.log"; then
      return 0
    fi
    sleep 0.5
  done
  return 2
}

fail_start() { # DIR MESSAGE
  echo "kafka.sh: $2; last 50 lines of $1/kafka.log:" >&2
  tail -n 50 "$1/kafka.log" >&2 || true
  do_stop "$1" >/dev/null 2>&1 || true
  exit 1
}

do_start() { # DIR [keep-ports]
  local dir=$1 keep=${2:-}
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  server_alive "$dir" && die "already running in $dir (pid $(server_pid "$dir")); use restart"
  fetch
  local attempt bp cp rc
  for attempt in 1 2 3 4 5; do
    if [ -n "$keep" ]; then
      [ -f "$dir/ports" ] || die "$dir has no ports file: nothing to restart (use start)"
      read -r bp cp <"$dir/ports"
      { port_free "$bp" && port_free "$cp"; } ||
        die "port $bp or $cp is taken by another process; cannot restart on the same ports"
    else
      read -r bp cp < <(pick_ports) || die "could not find free ports"
    fi
    write_config "$dir" "$bp" "$cp"
    format_storage "$dir"
    echo "=== kafka.sh: starting Kafka $VERSION on 127.0.0.1:$bp (controller $cp) $(date -u +%FT%TZ)" >>"$dir/kafka.log"
    : >"$dir/ready.log"
    local mark; mark=$(wc -l <"$dir/kafka.log")
    launch "$dir"
    rc=0; wait_ready "$dir" "$mark" || rc=$?
    if [ $rc -eq 0 ]; then
      start_watchdog "$dir"
      echo "BROKERS=127.0.0.1:$bp"
      return 0
    fi
    if [ $rc -eq 1 ] && [ -z "$keep" ] &&
       log_has "$dir/kafka.log" "$mark" 'Address already in use'; then
      log "port clash on $bp/$cp (attempt $attempt), picking others"
      continue
    fi
    [ $rc -eq 1 ] && fail_start "$dir" "the broker exited during startup"
    fail_start "$dir" "the broker was not ready within ${START_TIMEOUT}s"
  done
  fail_start "$dir" "no free ports after 5 attempts"
}

do_stop() { # DIR
  local dir=$1 pid
  [ -d "$dir" ] || return 0
  dir=$(cd "$dir" && pwd)
  stop_watchdog "$dir"
  pid=$(server_pid "$dir")
  if server_alive "$dir"; then
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone "$pid" "$STOP_TIMEOUT" "$MAIN_CLASS" "$dir/server.properties"; then
      log "pid $pid did not stop within ${STOP_TIMEOUT}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone "$pid" 10 "$MAIN_CLASS" "$dir/server.properties" || die "pid $pid survived SIGKILL"
    fi
  fi
  rm -f "$dir/kafka.pid"
}

do_kill() { # DIR
  local dir=$1 pid
  [ -d "$dir" ] || return 0
  dir=$(cd "$dir" && pwd)
  stop_watchdog "$dir"
  pid=$(server_pid "$dir")
  if server_alive "$dir"; then
    kill -KILL "$pid" 2>/dev/null || true
    wait_gone "$pid" 10 "$MAIN_CLASS" "$dir/server.properties" || die "pid $pid survived SIGKILL"
  fi
  rm -f "$dir/kafka.pid"
}

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

cmd=${1:-}; [ $# -gt 0 ] && shift
case "$cmd" in
  fetch)        fetch; echo "KAFKA_LIB=$LIB" ;;
  start)        [ $# -eq 1 ] || usage; do_start "$1" ;;
  stop)         [ $# -eq 1 ] || usage; do_stop "$1" ;;
  restart)      [ $# -eq 1 ] || usage; do_stop "$1"; do_start "$1" keep-ports ;;
  kill)         [ $# -eq 1 ] || usage; do_kill "$1" ;;
  create-topic) [ $# -eq 3 ] || usage
                topics "$1" --create --if-not-exists --topic "$2" --partitions "$3" --replication-factor 1 ;;
  topics)       [ $# -ge 1 ] || usage; fetch; d=$1; shift; topics "$d" "$@" ;;
  *)            usage ;;
esac
