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
SRV_NAME=kafka SRV_MAIN=kafka.Kafka SRV_NPORTS=2   # broker, controller
SRV_WHAT="the broker" SRV_NOT_READY="was not ready"
SRV_STOP_POLL=0.2 SRV_READY_POLL=0.5
# shellcheck source=scripts/server-lib.sh
source "$HERE/server-lib.sh"

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

# ---------------------------------------------------------------- server-lib hooks
# The broker's command line holds kafka.Kafka and this DIR's config.
srv_marker() { echo "$1/server.properties"; }
srv_configure() { write_config "$1" "${PORTS[@]}"; format_storage "$1"; : >"$1/ready.log"; }
srv_banner() { echo "Kafka $VERSION on 127.0.0.1:${PORTS[0]} (controller ${PORTS[1]})"; }
srv_command() { # DIR
  SRV_CMD=("$JAVA" -Xmx512m -Xms256m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError
    -Djava.awt.headless=true -Dkafka.logs.dir="$1"
    -Dlog4j.configuration="file:$1/log4j.properties"
    -cp "$LIB/*" "$SRV_MAIN" "$1/server.properties")
}
# Ready: this run's log says the server started and the broker answers a
# metadata request (the topic list).
srv_ready() { # DIR LOG_MARK
  port_open "${PORTS[0]}" &&
    log_has "$1/kafka.log" "$2" 'Kafka Server started' &&
    EF_KAFKA_TOOL_TIMEOUT=30 topics "$1" --list >/dev/null 2>>"$1/ready.log"
}
srv_started() { echo "BROKERS=127.0.0.1:${PORTS[0]}"; }
do_start() { server_start "$1" "${2:-}" fetch; } # DIR [keep]

case "${1:-}" in
  fetch)        fetch; echo "KAFKA_LIB=$LIB" ;;
  create-topic) shift; [ $# -eq 3 ] || usage
                topics "$1" --create --if-not-exists --topic "$2" --partitions "$3" --replication-factor 1 ;;
  topics)       shift; [ $# -ge 1 ] || usage; fetch; d=$1; shift; topics "$d" "$@" ;;
  *)            server_main "$@" ;;
esac
