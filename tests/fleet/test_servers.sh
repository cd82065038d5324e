#!/usr/bin/env bash
# Smoke test of scripts/kafka.sh and scripts/redis.sh against the REAL servers
# (labels: kafka, redis). Needs Java 17, Maven (the first run resolves the
# Kafka jars from Maven Central into ~/.cache/evalfleet) and redis-server.
#   test_servers.sh [SOURCE_DIR]
set -uo pipefail
SRC=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
KAFKA="$SRC/scripts/kafka.sh"; REDIS="$SRC/scripts/redis.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/ef-servers.XXXXXX")
K="$T/kafka"; R="$T/redis"
SLEEPER=""
# If this test is killed (e.g. by a ctest TIMEOUT) before its trap runs, the
# scripts' watchdogs stop the servers once this shell is gone.
export EF_SERVER_OWNER_PID=$$
cleanup() {
  timeout -k 5 60 bash "$KAFKA" stop "$K" >/dev/null 2>&1
  timeout -k 5 30 bash "$REDIS" stop "$R" >/dev/null 2>&1
  [ -n "$SLEEPER" ] && kill "$SLEEPER" 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
pass=0; fail=0
ok()   { pass=$((pass+1)); echo "ok   - $1"; }
bad()  { fail=$((fail+1)); echo "FAIL - $1"; return 1; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
note() { echo "#    $*"; }
# Every call is bounded: the scripts bound their own waits, timeout bounds the rest.
kafka() { timeout -k 10 "$1" bash "$KAFKA" "${@:2}"; }
redis() { timeout -k 5 "$1" bash "$REDIS" "${@:2}"; }
rcli()  { timeout -k 2 10 redis-cli -u "$(cat "$R/redis.url")" "$@"; }
# pid_alive PIDFILE_VALUE: a live, non-zombie process.
pid_alive() { [ -n "$1" ] && [ -n "$(tr -d '\0' 2>/dev/null <"/proc/$1/cmdline")" ]; }
# Processes whose command line names the state directory (servers, watchdogs).
leftovers() {
  local f
  for f in /proc/[0-9]*/cmdline; do
    tr '\0' ' ' 2>/dev/null <"$f" | grep -qF -- "$T/" && echo "${f//[^0-9]/}"
  done
  return 0
}
none_left() { # bounded wait for no process of this test to remain
  local _
  for _ in $(seq 50); do [ -z "$(leftovers)" ] && return 0; sleep 0.2; done
  echo "#    left over: $(leftovers | tr '\n' ' ')"; return 1
}
TOPIC=fleet-smoke
KEY="ef:smoke:$$"

# 1. Jars resolved (Maven Central on the first run, the cache afterwards).
s=$SECONDS; kafka 600 fetch >"$T/fetch.out" 2>"$T/fetch.err"
check "kafka fetch resolves the jars" "[ $? -eq 0 ] && grep -q '^KAFKA_LIB=' '$T/fetch.out'"
note "fetch: $((SECONDS - s))s"

# 2. Both servers start on free loopback ports and say where.
s=$SECONDS; kafka 180 start "$K" >"$T/k1.out" 2>"$T/k1.err"
check "kafka start exits 0" "[ $? -eq 0 ]" || cat "$T/k1.err"
note "kafka cold start (format + start + ready): $((SECONDS - s))s"
BROKERS=$(cat "$K/brokers" 2>/dev/null)
check "kafka start prints only BROKERS=127.0.0.1:PORT" \
  "[ \"\$(cat '$T/k1.out')\" = 'BROKERS=$BROKERS' ] && [[ '$BROKERS' =~ ^127\\.0\\.0\\.1:[0-9]+\$ ]]"
check "kafka pid file names a live broker" "pid_alive \"\$(cat '$K/kafka.pid' 2>/dev/null)\""
redis 60 start "$R" >"$T/r1.out" 2>"$T/r1.err"
check "redis start exits 0" "[ $? -eq 0 ]" || cat "$T/r1.err"
URL=$(cat "$R/redis.url" 2>/dev/null)
check "redis start prints only REDIS=redis://127.0.0.1:PORT" \
  "[ \"\$(cat '$T/r1.out')\" = 'REDIS=$URL' ] && [[ '$URL' =~ ^redis://127\\.0\\.0\\.1:[0-9]+\$ ]]"
check "redis answers PING" "[ \"\$(rcli ping)\" = PONG ]"
check "a second start in the same dir is refused" "! kafka 30 start '$K' >/dev/null 2>&1 && ! redis 30 start '$R' >/dev/null 2>&1"

# 3. A topic and a key to survive the restarts.
kafka 90 create-topic "$K" "$TOPIC" 3 >"$T/ct.out" 2>&1
check "create-topic exits 0" "[ $? -eq 0 ]" || cat "$T/ct.out"
check "broker lists the topic" "kafka 90 topics '$K' --list 2>/dev/null | grep -qx '$TOPIC'"
check "topic has 3 partitions" "kafka 90 topics '$K' --describe --topic '$TOPIC' 2>/dev/null | grep -q 'PartitionCount: 3'"
check "redis SET" "[ \"\$(rcli set '$KEY' before-restart)\" = OK ]"

# 4. Graceful restart: same ports, same data.
s=$SECONDS; kafka 180 restart "$K" >"$T/k2.out" 2>"$T/k2.err"
check "kafka restart exits 0" "[ $? -eq 0 ]" || cat "$T/k2.err"
note "kafka restart (stop + start + ready): $((SECONDS - s))s"
check "kafka restart keeps the port" "[ \"\$(cat '$T/k2.out')\" = 'BROKERS=$BROKERS' ] && [ \"\$(cat '$K/brokers')\" = '$BROKERS' ]"
check "topic survives the restart" "kafka 90 topics '$K' --list 2>/dev/null | grep -qx '$TOPIC'"
check "partitions survive the restart" "kafka 90 topics '$K' --describe --topic '$TOPIC' 2>/dev/null | grep -q 'PartitionCount: 3'"
redis 60 restart "$R" >"$T/r2.out" 2>"$T/r2.err"
check "redis restart exits 0 on the same port" "[ $? -eq 0 ] && [ \"\$(cat '$T/r2.out')\" = 'REDIS=$URL' ]" || cat "$T/r2.err"
check "redis key survives the restart (AOF)" "[ \"\$(rcli get '$KEY')\" = before-restart ]"

# 5. Crash (SIGKILL) and restart: data still there.
check "redis SET before the crash" "[ \"\$(rcli set '$KEY:crash' acked)\" = OK ]"
KPID=$(cat "$K/kafka.pid" 2>/dev/null); RPID=$(cat "$R/redis.pid" 2>/dev/null)
kafka 30 kill "$K"; k=$?; redis 30 kill "$R"; r=$?
check "kill exits 0 and the processes are gone" "[ $k -eq 0 ] && [ $r -eq 0 ] && ! pid_alive '$KPID' && ! pid_alive '$RPID'"
s=$SECONDS; kafka 180 restart "$K" >"$T/k3.out" 2>"$T/k3.err"
check "kafka restart after a crash" "[ $? -eq 0 ] && [ \"\$(cat '$T/k3.out')\" = 'BROKERS=$BROKERS' ]" || cat "$T/k3.err"
note "kafka restart after SIGKILL: $((SECONDS - s))s"
check "topic survives the crash" "kafka 90 topics '$K' --list 2>/dev/null | grep -qx '$TOPIC'"
redis 60 restart "$R" >"$T/r3.out" 2>"$T/r3.err"
check "redis restart after a crash" "[ $? -eq 0 ] && [ \"\$(cat '$T/r3.out')\" = 'REDIS=$URL' ]" || cat "$T/r3.err"
check "redis keys survive the crash (appendfsync always)" \
  "[ \"\$(rcli get '$KEY')\" = before-restart ] && [ \"\$(rcli get '$KEY:crash')\" = acked ]"

# 6. stop never kills a process that is not the server it started.
sleep 300 & SLEEPER=$!
foreign() { mkdir -p "$T/foreign"; echo "$SLEEPER" >"$T/foreign/kafka.pid"; echo "$SLEEPER" >"$T/foreign/redis.pid"; }
foreign; kafka 60 stop "$T/foreign"; k=$?; redis 30 stop "$T/foreign"; r=$?
check "stop leaves a foreign pid alone" "[ $k -eq 0 ] && [ $r -eq 0 ] && pid_alive '$SLEEPER'"
foreign; kafka 30 kill "$T/foreign"; k=$?; redis 30 kill "$T/foreign"; r=$?
check "kill leaves a foreign pid alone" "[ $k -eq 0 ] && [ $r -eq 0 ] && pid_alive '$SLEEPER'"
kill "$SLEEPER" 2>/dev/null; wait "$SLEEPER" 2>/dev/null; SLEEPER=""

# 7. Stop: nothing left behind; stopping again is fine.
KPID=$(cat "$K/kafka.pid" 2>/dev/null); RPID=$(cat "$R/redis.pid" 2>/dev/null)
s=$SECONDS; kafka 60 stop "$K"; k=$?
note "kafka stop: $((SECONDS - s))s"
redis 30 stop "$R"; r=$?
check "stop exits 0" "[ $k -eq 0 ] && [ $r -eq 0 ]"
check "broker and redis processes are gone" "! pid_alive '$KPID' && ! pid_alive '$RPID' && [ ! -e '$K/kafka.pid' ] && [ ! -e '$R/redis.pid' ]"
check "no process of this test is left (servers, watchdogs)" "none_left"
check "broker port is closed" "! (exec 3<>/dev/tcp/${BROKERS%:*}/${BROKERS#*:}) 2>/dev/null"
check "stop is idempotent" "kafka 60 stop '$K' && redis 30 stop '$R' && kafka 30 stop '$T/never-started' && redis 30 stop '$T/never-started'"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
