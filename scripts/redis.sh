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

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SERVER=${EF_REDIS_SERVER:-redis-server}
START_TIMEOUT=${EF_REDIS_START_TIMEOUT:-20}
STOP_TIMEOUT=${EF_REDIS_STOP_TIMEOUT:-15}
SRV_NAME=redis SRV_MAIN=redis-server SRV_NPORTS=1
SRV_WHAT=redis-server SRV_NOT_READY="did not answer PING"
SRV_STOP_POLL=0.1 SRV_READY_POLL=0.1
# shellcheck source=scripts/server-lib.sh
source "$HERE/server-lib.sh"

ping_ok() { # PORT
  [ "$(timeout -k 1 3 redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = PONG ]
}

# ---------------------------------------------------------------- server-lib hooks
# The server's command line names redis-server and this DIR (--set-proc-title
# no keeps the arguments visible).
srv_marker() { echo "--dir $1 "; }
srv_configure() { echo "redis://127.0.0.1:${PORTS[0]}" >"$1/redis.url"; }
srv_banner() { echo "redis-server on 127.0.0.1:${PORTS[0]}"; }
srv_command() { # DIR
  SRV_CMD=("$SERVER" --bind 127.0.0.1 --port "${PORTS[0]}" --dir "$1"
    --appendonly yes --appendfsync always --save "" --daemonize no
    --set-proc-title no --protected-mode yes)
}
# Ready: this run's log says it listens and PING gets PONG (not LOADING while
# the AOF is replayed). SIGTERM (stop) is Redis's SHUTDOWN: it fsyncs the AOF.
srv_ready() { # DIR LOG_MARK
  log_has "$1/redis.log" "$2" 'Ready to accept connections' && ping_ok "${PORTS[0]}"
}
srv_started() { echo "REDIS=redis://127.0.0.1:${PORTS[0]}"; }
do_start() { # DIR [keep]
  command -v "$SERVER" >/dev/null || die "$SERVER not found (scripts/install-deps.sh installs redis-server)"
  command -v redis-cli >/dev/null || die "redis-cli not found (scripts/install-deps.sh installs redis-tools)"
  server_start "$1" "${2:-}"
}

server_main "$@"
