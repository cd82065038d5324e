#!/usr/bin/env bash
# A real redis-server (Debian's) for the fleet integration tests.
#
#   redis.sh start DIR     start on a free loopback port; prints REDIS=redis://127.0.0.1:PORT
#   redis.sh stop DIR      SIGTERM (Redis saves the AOF and exits), bounded wait, then SIGKILL; idempotent
#   redis.sh restart DIR   stop, then start on the SAME port and dir (the AOF brings the data back)
#   redis.sh kill DIR      SIGKILL (a crash); appendfsync=always keeps every acknowledged write
#
# DIR is a per-test state directory: the AOF (DIR/appendonlydir), redis.log,
# redis.pid, redis.url, port.
#
# Environment:
#   EF_REDIS_SERVER         redis-server binary (default: redis-server on PATH)
#   EF_REDIS_START_TIMEOUT  seconds to wait for PONG (default 20)
#   EF_REDIS_STOP_TIMEOUT   seconds between SIGTERM and SIGKILL (default 15)
#   EF_SERVER_OWNER_PID     if set, a watchdog stops the server when that process
#                           exits (so a test killed by a timeout leaks no server)
set -euo pipefail

SERVER=${EF_REDIS_SERVER:-redis-server}
START_TIMEOUT=${EF_REDIS_START_TIMEOUT:-20}
STOP_TIMEOUT=${EF_REDIS_STOP_TIMEOUT:-15}

die() { echo "redis.sh: $*" >&2; exit 1; }
log() { echo "redis.sh: $*" >&2; }

# ---------------------------------------------------------------- processes
# Is PID a live process of ours? Its command line must name redis-server and
# this DIR (--set-proc-title no keeps the arguments visible; zombies have an
# empty command line, so they do not count).
is_ours() { # PID MARKER...
  local pid=$1 cmd; shift
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || return 1
  local m; for m in "$@"; do [[ "$cmd" == *"$m"* ]] || return 1; done
}
server_pid() { cat "$1/redis.pid" 2>/dev/null || true; }
marker() { echo "--dir $1 "; }
server_alive() { is_ours "$(server_pid "$1")" redis-server "$(marker "$1")"; }

wait_gone() { # PID SECONDS MARKER...
  local pid=$1 secs=$2; shift 2
  local end=$((SECONDS + secs))
  while is_ours "$pid" "$@"; do
    [ $SECONDS -lt $end ] || return 1
    sleep 0.1
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
    "$(marker "$dir")" </dev/null >/dev/null 2>&1 &
  echo $! >"$dir/watchdog.pid"
}

# Does FILE hold PATTERN at or after line MARK? (No `tail | grep -q`: under
# pipefail the SIGPIPE of an early grep exit reads as a failure.)
log_has() { awk -v m="$2" -v p="$3" 'NR >= m && index($0, p) { f = 1; exit } END { exit !f }' "$1"; }

# ---------------------------------------------------------------- ports
# A free loopback port, at random below the ephemeral range and bind-tested.
# Concurrent runs may still race for it: start retries on a clash.
pick_port() {
  python3 - <<'PY'
import random, socket
lo, hi = 20000, 32000
try:
    eph = int(open('/proc/sys/net/ipv4/ip_local_port_range').read().split()[0])
    hi = min(hi, eph - 1)
except Exception:
    pass
for _ in range(500):
    p = random.randrange(lo, hi)
    s = socket.socket()
    try:
        s.bind(('127.0.0.1', p))
    except OSError:
        continue
    finally:
        s.close()
    print(p); break
else:
    raise SystemExit('no free port')
PY
}
port_free() {
  python3 -c 'import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1]))); s.close()' "$1" 2>/dev/null
}

ping_ok() { # PORT
  [ "$(timeout -k 1 3 redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = PONG ]
}

launch() { # DIR PORT
  local dir=$1 port=$2
  # stdin/stdout/stderr all redirected: the caller's $(...) must not wait on the server.
  "$SERVER" --bind 127.0.0.1 --port "$port" --dir "$dir" \
    --appendonly yes --appendfsync always --save "" --daemonize no \
    --set-proc-title no --protected-mode yes \
    </dev/null >>"$dir/redis.log" 2>&1 &
  local pid=$! _
  echo "$pid" >"$dir/redis.pid"
  # Until the forked shell has exec'd redis-server its command line is not the server's.
  for _ in $(seq 50); do server_alive "$dir" && break; kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
}

# 0 ready, 1 the process died, 2 timed out. Ready: this run's log says it
# listens (so the port is ours, not a racing neighbour's) and PING gets PONG
# (not LOADING while the AOF is replayed).
wait_ready() { # DIR PORT LOG_MARK
  local end=$((SECONDS + START_TIMEOUT))
  while [ $SECONDS -lt $end ]; do
    server_alive "$1" || return 1
    log_has "$1/redis.log" "$3" 'Ready to accept connections' && ping_ok "$2" && return 0
    sleep 0.1
  done
  return 2
}

fail_start() { # DIR MESSAGE
  echo "redis.sh: $2; last 50 lines of $1/redis.log:" >&2
  tail -n 50 "$1/redis.log" >&2 || true
  do_stop "$1" >/dev/null 2>&1 || true
  exit 1
}

do_start() { # DIR [keep-port]
  local dir=$1 keep=${2:-}
  command -v "$SERVER" >/dev/null || die "$SERVER not found (scripts/install-deps.sh installs redis-server)"
  command -v redis-cli >/dev/null || die "redis-cli not found (scripts/install-deps.sh installs redis-tools)"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  server_alive "$dir" && die "already running in $dir (pid $(server_pid "$dir")); use restart"
  local attempt port rc mark
  for attempt in 1 2 3 4 5; do
    if [ -n "$keep" ]; then
      [ -f "$dir/port" ] || die "$dir has no port file: nothing to restart (use start)"
      port=$(cat "$dir/port")
      port_free "$port" || die "port $port is taken by another process; cannot restart on the same port"
    else
      port=$(pick_port) || die "could not find a free port"
    fi
    echo "$port" >"$dir/port"
    echo "redis://127.0.0.1:$port" >"$dir/redis.url"
    echo "=== redis.sh: starting redis-server on 127.0.0.1:$port $(date -u +%FT%TZ)" >>"$dir/redis.log"
    mark=$(wc -l <"$dir/redis.log")
    launch "$dir" "$port"
    rc=0; wait_ready "$dir" "$port" "$mark" || rc=$?
    if [ $rc -eq 0 ]; then
      start_watchdog "$dir"
      echo "REDIS=redis://127.0.0.1:$port"
      return 0
    fi
    if [ $rc -eq 1 ] && [ -z "$keep" ] &&
       log_has "$dir/redis.log" "$mark" 'Address already in use'; then
      log "port clash on $port (attempt $attempt), picking another"
      continue
    fi
    [ $rc -eq 1 ] && fail_start "$dir" "redis-server exited during startup"
    fail_start "$dir" "redis-server did not answer PING within ${START_TIMEOUT}s"
  done
  fail_start "$dir" "no free port after 5 attempts"
}

do_stop() { # DIR
  local dir=$1 pid
  [ -d "$dir" ] || return 0
  dir=$(cd "$dir" && pwd)
  stop_watchdog "$dir"
  pid=$(server_pid "$dir")
  if server_alive "$dir"; then
    # SIGTERM is Redis's SHUTDOWN: it fsyncs the AOF, then exits.
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone "$pid" "$STOP_TIMEOUT" redis-server "$(marker "$dir")"; then
      log "pid $pid did not stop within ${STOP_TIMEOUT}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone "$pid" 10 redis-server "$(marker "$dir")" || die "pid $pid survived SIGKILL"
    fi
  fi
  rm -f "$dir/redis.pid"
}

do_kill() { # DIR
  local dir=$1 pid
  [ -d "$dir" ] || return 0
  dir=$(cd "$dir" && pwd)
  stop_watchdog "$dir"
  pid=$(server_pid "$dir")
  if server_alive "$dir"; then
    kill -KILL "$pid" 2>/dev/null || true
    wait_gone "$pid" 10 redis-server "$(marker "$dir")" || die "pid $pid survived SIGKILL"
  fi
  rm -f "$dir/redis.pid"
}

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

cmd=${1:-}; [ $# -gt 0 ] && shift
case "$cmd" in
  start)   [ $# -eq 1 ] || usage; do_start "$1" ;;
  stop)    [ $# -eq 1 ] || usage; do_stop "$1" ;;
  restart) [ $# -eq 1 ] || usage; do_stop "$1"; do_start "$1" keep-port ;;
  kill)    [ $# -eq 1 ] || usage; do_kill "$1" ;;
  *)       usage ;;
esac
