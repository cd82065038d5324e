# shellcheck shell=bash
# What scripts/kafka.sh and scripts/redis.sh share: a test server run from a
# state directory DIR on free loopback ports, with a pid file, a log, a
# watchdog, a bounded start and a bounded stop. Sourced (it runs nothing):
#   HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd); source "$HERE/server-lib.sh"
#
# The sourcing script defines:
#   SRV_NAME        kafka | redis: messages say NAME.sh; DIR/NAME.pid, DIR/NAME.log
#   SRV_MAIN        what the server's command line holds (main class, binary)
#   SRV_NPORTS      ports it listens on: 1 (DIR/port) or more (DIR/ports)
#   SRV_WHAT        what the start failures call it ("the broker", "redis-server")
#   SRV_NOT_READY   what a start timeout says it did ("was not ready")
#   SRV_STOP_POLL, SRV_READY_POLL  seconds between checks while stopping, starting
#   START_TIMEOUT, STOP_TIMEOUT    seconds to wait for readiness, from SIGTERM to SIGKILL
# and these functions (PORTS holds this start's ports, in order):
#   srv_marker DIR        prints what the command line of DIR's server holds
#   srv_configure DIR     writes DIR's config for PORTS (the ports file is written)
#   srv_banner            prints the log's start line ("redis-server on 127.0.0.1:P")
#   srv_command DIR       sets the array SRV_CMD to the server's command line
#   srv_ready DIR MARK    succeeds once the server started after log line MARK is ready
#   srv_started           prints start's one line of output ("REDIS=redis://...")
#   do_start DIR [keep]   start (keep: the same ports); calls server_start
# and then ends with: server_main "$@" (start, stop, restart, kill).

PORTS=() SRV_CMD=()

die() { echo "$SRV_NAME.sh: $*" >&2; exit 1; }
log() { echo "$SRV_NAME.sh: $*" >&2; }

# ---------------------------------------------------------------- processes
# Is PID a live process of ours? Its command line must hold every MARKER
# (zombies have an empty command line: not alive).
is_ours() { # PID MARKER...
  local pid=$1 cmd; shift
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || return 1
  local m; for m in "$@"; do [[ "$cmd" == *"$m"* ]] || return 1; done
}
server_pid() { cat "$1/$SRV_NAME.pid" 2>/dev/null || true; }
# The server of DIR: SRV_MAIN and DIR's own marker on its command line.
server_alive() { is_ours "$(server_pid "$1")" "$SRV_MAIN" "$(srv_marker "$1")"; }

wait_gone() { # PID SECONDS MARKER...
  local pid=$1 secs=$2; shift 2
  local end=$((SECONDS + secs))
  while is_ours "$pid" "$@"; do
    [ $SECONDS -lt $end ] || return 1
    sleep "$SRV_STOP_POLL"
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
    "$(srv_marker "$dir")" </dev/null >/dev/null 2>&1 &
  echo $! >"$dir/watchdog.pid"
}

# Does FILE hold PATTERN at or after line MARK? (No `tail | grep -q`: under
# pipefail the SIGPIPE of an early grep exit reads as a failure.)
log_has() { awk -v m="$2" -v p="$3" 'NR >= m && index($0, p) { f = 1; exit } END { exit !f }' "$1"; }

# ---------------------------------------------------------------- ports
# Prints N distinct free loopback ports, chosen at random below the
# ephemeral range (so outgoing connections do not take them later) and
# bind-tested. Concurrent runs may still race for a port: start retries.
pick_ports() { # N
  python3 - "$1" <<'PY'
import random, socket, sys
n = int(sys.argv[1])
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
    if len(got) == n:
        print(*got); break
else:
    raise SystemExit('no free port' if n == 1 else 'no free ports')
PY
}
port_free() {
  python3 -c 'import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1]))); s.close()' "$1" 2>/dev/null
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
join_ports() { # SEP: PORTS joined by SEP
  local out=${PORTS[0]:-} p; for p in "${PORTS[@]:1}"; do out+="$1$p"; done; echo "$out"
}

# ---------------------------------------------------------------- start
launch() { # DIR
  local dir=$1 pid _
  srv_command "$dir"
  # stdin/stdout/stderr all redirected: the caller's $(...) must not wait on the server.
  "${SRV_CMD[@]}" </dev/null >>"$dir/$SRV_NAME.log" 2>&1 &
  pid=$!
  echo "$pid" >"$dir/$SRV_NAME.pid"
  # Until the forked shell has exec'd the server its command line is not the server's.
  for _ in $(seq 50); do server_alive "$dir" && break; kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
}

# 0 ready, 1 the process died, 2 timed out. Ready is what srv_ready says: this
# run's log says the server started (so the port is ours, not a racing
# neighbour's) and the server answers.
wait_ready() { # DIR LOG_MARK
  local end=$((SECONDS + START_TIMEOUT))
  while [ $SECONDS -lt $end ]; do
    server_alive "$1" || return 1
    srv_ready "$1" "$2" && return 0
    sleep "$SRV_READY_POLL"
  done
  return 2
}

fail_start() { # DIR MESSAGE
  echo "$SRV_NAME.sh: $2; last 50 lines of $1/$SRV_NAME.log:" >&2
  tail -n 50 "$1/$SRV_NAME.log" >&2 || true
  server_stop "$1" term >/dev/null 2>&1 || true
  exit 1
}

# Starts the server in DIR on free ports, or with KEEP on the ports it had
# (DIR/port or DIR/ports); runs CMD (if any) once DIR is known not to be
# running. Up to 5 attempts when a neighbour takes a picked port first.
server_start() { # DIR KEEP [CMD...]
  local dir=$1 keep=$2; shift 2
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  server_alive "$dir" && die "already running in $dir (pid $(server_pid "$dir")); use restart"
  [ $# -eq 0 ] || "$@"
  local word=port a_free="a free port" another=another
  if [ "$SRV_NPORTS" -gt 1 ]; then word=ports a_free="free ports" another=others; fi
  local attempt rc mark p
  for attempt in 1 2 3 4 5; do
    if [ -n "$keep" ]; then
      [ -f "$dir/$word" ] || die "$dir has no $word file: nothing to restart (use start)"
      read -r -a PORTS <"$dir/$word" || true
      for p in "${PORTS[@]:-}"; do
        port_free "$p" ||
          die "port $(join_ports ' or ') is taken by another process; cannot restart on the same $word"
      done
    else
      read -r -a PORTS < <(pick_ports "$SRV_NPORTS") || die "could not find $a_free"
    fi
    echo "${PORTS[*]}" >"$dir/$word"
    srv_configure "$dir"
    echo "=== $SRV_NAME.sh: starting $(srv_banner) $(date -u +%FT%TZ)" >>"$dir/$SRV_NAME.log"
    mark=$(wc -l <"$dir/$SRV_NAME.log")
    launch "$dir"
    rc=0; wait_ready "$dir" "$mark" || rc=$?
    if [ $rc -eq 0 ]; then
      start_watchdog "$dir"
      srv_started
      return 0
    fi
    if [ $rc -eq 1 ] && [ -z "$keep" ] &&
       log_has "$dir/$SRV_NAME.log" "$mark" 'Address already in use'; then
      log "port clash on $(join_ports /) (attempt $attempt), picking $another"
      continue
    fi
    [ $rc -eq 1 ] && fail_start "$dir" "$SRV_WHAT exited during startup"
    fail_start "$dir" "$SRV_WHAT $SRV_NOT_READY within ${START_TIMEOUT}s"
  done
  fail_start "$dir" "no free $word after 5 attempts"
}

# ---------------------------------------------------------------- stop
# HOW=term: SIGTERM, up to STOP_TIMEOUT seconds, then SIGKILL; HOW=kill:
# SIGKILL (a crash). Idempotent; never signals a pid that is not DIR's server.
server_stop() { # DIR term|kill
  local dir=$1 how=$2 pid
  [ -d "$dir" ] || return 0
  dir=$(cd "$dir" && pwd)
  stop_watchdog "$dir"
  pid=$(server_pid "$dir")
  if server_alive "$dir"; then
    if [ "$how" = term ]; then
      kill -TERM "$pid" 2>/dev/null || true
      if wait_gone "$pid" "$STOP_TIMEOUT" "$SRV_MAIN" "$(srv_marker "$dir")"; then
        how=gone
      else
        log "pid $pid did not stop within ${STOP_TIMEOUT}s: SIGKILL"
      fi
    fi
    if [ "$how" != gone ]; then
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone "$pid" 10 "$SRV_MAIN" "$(srv_marker "$dir")" || die "pid $pid survived SIGKILL"
    fi
  fi
  rm -f "$dir/$SRV_NAME.pid"
}

# ---------------------------------------------------------------- commands
# The script's header comment, down to its `set -euo` line, is its usage.
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

server_main() { # start|stop|restart|kill DIR
  local cmd=${1:-}; [ $# -gt 0 ] && shift
  case "$cmd" in
    start)   [ $# -eq 1 ] || usage; do_start "$1" ;;
    stop)    [ $# -eq 1 ] || usage; server_stop "$1" term ;;
    restart) [ $# -eq 1 ] || usage; server_stop "$1" term; do_start "$1" keep ;;
    kill)    [ $# -eq 1 ] || usage; server_stop "$1" kill ;;
    *)       usage ;;
  esac
}
