# bench/fleet_lib.sh - shared pieces of the fleet benches (fleet_scaling.sh, fleet_memory.sh).
# Source it; do not run it.  It sources bench/lib.sh (bench_init, measure, record, summarize,
# mock_start, ...) and adds a real single-node KRaft Kafka (scripts/kafka.sh) and a real
# redis-server (scripts/redis.sh) on free loopback ports, and the fleet roles.
#
#   . "$(dirname "$0")/fleet_lib.sh"; fleet_init SCENARIO
#
# Environment (all optional, beside bench/lib.sh's):
#   EF, MOCK              binaries (default build-fleetbench/..., built when missing with
#                         cmake -S . -B build-fleetbench -DCMAKE_BUILD_TYPE=Release &&
#                         cmake --build build-fleetbench -j2 --target evalfleet ef_mock_llm)
#   FLEET_BENCH_SMOKE=1   tiny sizes, one repeat, results into $TMPDIR/evalfleet-fleet-smoke
#                         (unless BENCH_RESULTS is set), each result file checked
#                         (BENCH_SMOKE=1, as bench/smoke.sh sets it, does the same)
#   FLEET_ROLE_MAX_SECONDS  life bound of every fleet process started (default 7200)
#   BENCH_MOCK_MAX_SECONDS  life bound of the mock judge (default here 14400: the script's)
#
# Functions:
#   fleet_servers_start          Kafka + Redis; sets BROKERS REDIS_URL KDIR RDIR
#   topic_create NAME PARTS      create a topic;  topic_delete NAME...  delete topics
#   topic_bytes NAME             bytes of the topic's log segments (what the broker stores)
#   rcli ARGS...                 redis-cli against our Redis (bounded)
#   redis_field SECTION FIELD    a field of INFO SECTION
#   role_start NAME CMD...       start CMD in the background under /usr/bin/time -v and
#                                timeout; sets ROLE_PID (kill it with role_stop)
#   role_stop PID [SECONDS]      SIGTERM the role (it drains), bounded wait, then SIGKILL
#   role_wait PID SECONDS        wait for the role to exit; its exit status, 124 on timeout
#   role_stats NAME              M_WALL M_USER M_SYS M_RSS_KB M_RC of a finished role
#   proc_cpu PID                 user+sys CPU seconds of a live process (/proc/PID/stat)
#   wait_assigned LOG...         bounded wait until each worker log shows an assignment and
#                                the group has been quiet for 2 s
#   meta_get RUN FIELD           a field of ef:{RUN}:meta
#   now_ms                       wall clock in ms (the clock of meta's *_ts fields)
HERE_FLEET=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT_FLEET=$(cd "$HERE_FLEET/.." && pwd)
FLEET_BUILD_CMD="cmake -S . -B build-fleetbench -DCMAKE_BUILD_TYPE=Release && cmake --build build-fleetbench -j2 --target evalfleet ef_mock_llm"

fleet_init() {
  local scenario=$1
  if [ "${FLEET_BENCH_SMOKE:-0}" = 1 ] || [ "${BENCH_SMOKE:-0}" = 1 ]; then
    export BENCH_SMOKE=1 BENCH_REPS=${BENCH_REPS:-1}
    export BENCH_RESULTS=${BENCH_RESULTS:-${TMPDIR:-/tmp}/evalfleet-fleet-smoke}
    export BENCH_MOCK_MAX_SECONDS=${BENCH_MOCK_MAX_SECONDS:-600}
    FLEET_ROLE_MAX_SECONDS=${FLEET_ROLE_MAX_SECONDS:-600}
  fi
  FLEET_ROLE_MAX_SECONDS=${FLEET_ROLE_MAX_SECONDS:-7200}
  # The mock judge lives as long as the whole script (bench/lib.sh's default is an hour).
  export BENCH_MOCK_MAX_SECONDS=${BENCH_MOCK_MAX_SECONDS:-14400}
  if [ -z "${EF:-}" ] || [ -z "${MOCK:-}" ]; then
    EF=${EF:-$ROOT_FLEET/build-fleetbench/cli/evalfleet}
    MOCK=${MOCK:-$ROOT_FLEET/build-fleetbench/tests/mock/ef_mock_llm}
    if [ ! -x "$EF" ] || [ ! -x "$MOCK" ]; then
      (cd "$ROOT_FLEET" && eval "$FLEET_BUILD_CMD") >/dev/null
    fi
  fi
  EF=$(realpath "$EF"); MOCK=$(realpath "$MOCK")
  export EF MOCK
  # shellcheck source=bench/lib.sh
  . "$HERE_FLEET/lib.sh"
  bench_init "$scenario"
  [ ${#TIMEV[@]} -gt 0 ] || { echo "bench: /usr/bin/time is needed (apt-get install time)" >&2; exit 1; }
  command -v redis-cli >/dev/null || { echo "bench: redis-cli missing" >&2; exit 1; }
  ROLE_PIDS=()
  KDIR=$W/kafka
  RDIR=$W/redis
  export EF_SERVER_OWNER_PID=$$
  trap fleet_cleanup EXIT
  trap 'exit 130' INT TERM HUP
  FLEET_T0=$SECONDS
}

fleet_cleanup() {
  set +e
  local p
  for p in "${ROLE_PIDS[@]}"; do role_kill "$p"; done
  [ -d "$KDIR" ] && timeout -k 5 90 bash "$ROOT_FLEET/scripts/kafka.sh" stop "$KDIR" >/dev/null 2>&1
  [ -d "$RDIR" ] && timeout -k 5 60 bash "$ROOT_FLEET/scripts/redis.sh" stop "$RDIR" >/dev/null 2>&1
  bench_cleanup
}

fleet_servers_start() {
  timeout -k 10 900 bash "$ROOT_FLEET/scripts/kafka.sh" fetch >/dev/null 2>"$W/fetch.err" ||
    { cat "$W/fetch.err" >&2; exit 1; }
  timeout -k 10 300 bash "$ROOT_FLEET/scripts/kafka.sh" start "$KDIR" >/dev/null 2>"$W/kafka.err" ||
    { cat "$W/kafka.err" >&2; exit 1; }
  timeout -k 5 60 bash "$ROOT_FLEET/scripts/redis.sh" start "$RDIR" >/dev/null 2>"$W/redis.err" ||
    { cat "$W/redis.err" >&2; exit 1; }
  BROKERS=$(cat "$KDIR/brokers")
  REDIS_URL=$(cat "$RDIR/redis.url")
  REDIS_PORT=$(cat "$RDIR/port")
  KAFKA_PID=$(cat "$KDIR/kafka.pid")
  REDIS_PID=$(cat "$RDIR/redis.pid")
  echo "bench: kafka $BROKERS (pid $KAFKA_PID), redis $REDIS_URL (pid $REDIS_PID)" >&2
}

topic_create() {
  local i
  for i in 1 2 3 4 5; do
    timeout -k 5 120 bash "$ROOT_FLEET/scripts/kafka.sh" create-topic "$KDIR" "$1" "$2" \
      >"$W/topic.out" 2>"$W/topic.err" && return 0
    sleep 2
  done
  echo "bench: cannot create topic $1:" >&2; tail -n 5 "$W/topic.err" >&2
  return 1
}
topic_delete() {
  local t
  for t in "$@"; do
    timeout -k 5 120 bash "$ROOT_FLEET/scripts/kafka.sh" topics "$KDIR" --delete --topic "$t" \
      >/dev/null 2>&1 || true
  done
}
topic_bytes() {
  find "$KDIR/data" -path "$KDIR/data/$1-*" -name '*.log' -printf '%s\n' 2>/dev/null |
    awk '{s += $1} END {print s + 0}'
}

rcli() { timeout -k 5 120 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"; }
redis_field() { rcli INFO "$1" | tr -d '\r' | awk -F: -v f="$2" '$1 == f {print $2}'; }
meta_get() { rcli HGET "ef:{$1}:meta" "$2" | tr -d '\r'; }
now_ms() { date +%s%3N; }

role_start() {
  local name=$1; shift
  "${TIMEV[@]}" "$W/$name.timev" timeout -k 10 "$FLEET_ROLE_MAX_SECONDS" "$@" \
    >"$W/$name.log" 2>&1 &
  ROLE_PID=$!
  ROLE_PIDS+=("$ROLE_PID")
}

# The timeout process under /usr/bin/time: it passes SIGTERM on to the evalfleet process.
role_child() { { pgrep -P "$1" 2>/dev/null || true; } | head -n 1; }
# ppid_of PID: the parent of a live process (empty when gone).  Used so that a pid which
# ended (and may have been reused) is never signalled.
ppid_of() { awk '{print $4}' "/proc/$1/stat" 2>/dev/null || true; }
role_kill() {
  [ "$(ppid_of "$1")" = "$$" ] || { wait "$1" 2>/dev/null || true; return 0; }
  # time -> timeout -> evalfleet: the evalfleet process first (a SIGKILLed timeout would
  # leave it running), then timeout, then time.
  local c g=""; c=$(role_child "$1")
  [ -n "$c" ] && g=$(role_child "$c")
  [ -n "$g" ] && kill -KILL "$g" 2>/dev/null
  [ -n "$c" ] && kill -KILL "$c" 2>/dev/null
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
role_wait() {
  local pid=$1 secs=$2 i
  for i in $(seq $((secs * 10))); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return $?; }
    sleep 0.1
  done
  return 124
}
role_stop() {
  local pid=$1 secs=${2:-60} c
  [ "$(ppid_of "$pid")" = "$$" ] || { wait "$pid" 2>/dev/null || true; return 0; }
  c=$(role_child "$pid")
  [ -n "$c" ] && kill -TERM "$c" 2>/dev/null
  role_wait "$pid" "$secs" || { echo "bench: role $pid did not stop in ${secs}s; SIGKILL" >&2; role_kill "$pid"; }
  return 0
}
role_stats() { eval "$($BLIB timev "$W/$1.timev")"; }

proc_cpu() {
  python3 - "$1" <<'PY'
import os, sys
try:
    f = open("/proc/%s/stat" % sys.argv[1]).read().rsplit(")", 1)[1].split()
    print(round((int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK"), 2))
except OSError:
    print(0)
PY
}

wait_assigned() {
  local i n f last="" cur quiet=0
  for i in $(seq 600); do
    n=0
    for f in "$@"; do grep -q "assigned [1-9]" "$f" 2>/dev/null && n=$((n + 1)); done
    if [ "$n" -eq $# ]; then
      cur=$(cat "$@" 2>/dev/null | grep -c "assigned\|revoked" || true)
      if [ "$cur" = "$last" ]; then quiet=$((quiet + 1)); else quiet=0; last=$cur; fi
      [ "$quiet" -ge 20 ] && return 0
    fi
    sleep 0.1
  done
  echo "bench: workers not all assigned after 60 s" >&2
  return 1
}

# mb KB: kilobytes to megabytes, 0.1
mb() { python3 -c "print(round($1 / 1024, 1))"; }
# calc EXPR: a Python expression, printed
calc() { python3 -c "print($1)"; }

# fleet_report: regenerate bench/fleet_report.md from the fleet results (only when the
# results are the committed ones; smoke runs write it beside their results).
fleet_report() {
  local out=$ROOT_FLEET/bench/fleet_report.md
  [ "$(realpath "$BENCH_RESULTS")" = "$ROOT_FLEET/bench/results" ] || out=$BENCH_RESULTS/fleet_report.md
  python3 "$HERE_FLEET/fleet_model.py" --results "$BENCH_RESULTS" --report "$out" >/dev/null &&
    echo "bench: wrote $out" >&2
}

# fleet_smoke_check FILE.json: in smoke mode, fail unless FILE is a valid result file.
fleet_smoke_check() {
  [ "$BENCH_SMOKE" = 1 ] || return 0
  $BLIB check "$1" && echo "bench: smoke ok: $1" >&2
}
