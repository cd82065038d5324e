#!/usr/bin/env bash
# The fleet against REAL servers (labels: kafka, redis): a single-node KRaft
# Kafka broker (scripts/kafka.sh) and redis-server (scripts/redis.sh) on free
# loopback ports, the mock judge, and evalfleet produce/worker/aggregate.
# Every scenario's result file must equal, byte for byte, the file local
# mode (`evalfleet run`) writes for the same spec and data.
#   test_fleet.sh EVALFLEET_BINARY MOCK_BINARY SOURCE_DIR [SCENARIO...]
# Scenarios: parity drain chaos restart (default: all).
set -uo pipefail
EF=$(realpath "$1"); MOCK=$(realpath "$2"); SRC=$(realpath "$3"); shift 3
SCENARIOS=${*:-parity drain chaos restart}
KAFKA="$SRC/scripts/kafka.sh"; REDIS="$SRC/scripts/redis.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/ef-fleet.XXXXXX")
K="$T/kafka"; R="$T/redis"
export EF_SERVER_OWNER_PID=$$
PIDS=()
# Fleet processes run as `setsid timeout ... evalfleet`: the pid is the
# process group, so kill9 takes down the timeout and the evalfleet in it,
# and term signals the evalfleet process itself (as Kubernetes would).
kill9() { kill -9 -- "-$1" 2>/dev/null; }
term() { local c; c=$(pgrep -P "$1"); [ -n "$c" ] && kill -TERM $c; }
cleanup() {
  for p in "${PIDS[@]}"; do kill9 "$p"; kill -9 "$p" 2>/dev/null; done
  timeout -k 5 60 bash "$KAFKA" stop "$K" >/dev/null 2>&1
  timeout -k 5 30 bash "$REDIS" stop "$R" >/dev/null 2>&1
  [ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
pass=0; fail=0
ok()   { pass=$((pass+1)); echo "ok   - $1"; }
bad()  { fail=$((fail+1)); echo "FAIL - $1"; return 1; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
note() { echo "#    $*"; }
unset OPENAI_API_KEY OPENAI_BASE_URL OPENAI_MODEL AZURE_OPENAI_ENDPOINT AZURE_OPENAI_API_KEY \
      AZURE_OPENAI_DEPLOYMENT AZURE_OPENAI_API_VERSION AZUREML_API_KEY EVALFLEET_BROKERS EVALFLEET_REDIS
export OPENAI_API_KEY=sk-fleet-test

timeout -k 10 600 bash "$KAFKA" fetch >/dev/null 2>"$T/fetch.err" || { cat "$T/fetch.err"; exit 1; }
timeout -k 10 180 bash "$KAFKA" start "$K" >/dev/null 2>"$T/kafka.err" || { cat "$T/kafka.err"; exit 1; }
timeout -k 5 60 bash "$REDIS" start "$R" >/dev/null 2>"$T/redis.err" || { cat "$T/redis.err"; exit 1; }
B=$(cat "$K/brokers"); RU=$(cat "$R/redis.url")
note "kafka $B, redis $RU"

# start_mock NAME [flags]: sets PORT.
start_mock() {
  local name=$1; shift
  "$MOCK" --port 0 --port-file "$T/$name.port" --max-seconds 900 "$@" >"$T/$name.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do [ -s "$T/$name.port" ] && break; sleep 0.1; done
  PORT=$(cat "$T/$name.port")
}
mock_stat() { python3 -c "import json,urllib.request; print(json.load(urllib.request.urlopen('http://127.0.0.1:$1/stats'))$2)"; }
start_mock clean
CLEAN=$PORT

# gen FILE N: QA rows with known judge verdicts, plus three bad lines (not
# JSON, not an object, no response) that both modes must reject alike.
gen() {
  python3 - "$1" "$2" <<'PY'
import json, sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    for i in range(n):
        if i == 5:
            f.write("{this is not json\n"); continue
        if i == 11:
            f.write("[1, 2, 3]\n"); continue
        row = {"query": f"question {i}?", "context": f"fact {i} about topic {i % 7}",
               "response": f"answer {i} mentions topic {i % 7} EF_SCORE={i % 5 + 1}",
               "ground_truth": f"answer {i} names topic {i % 7} and fact {i}"}
        if i == 17:
            del row["response"]
        f.write(json.dumps(row) + "\n")
PY
}
RUN_ARGS=(--evaluators f1_score,bleu,rouge,relevance --judge-timeout 1 --judge-backoff 0.05
          --judge-max-retries 12)
# local NAME N: the reference: local mode on the same data, against the clean mock.
local_ref() {
  gen "$T/$1.jsonl" "$2"
  (cd "$T" && OPENAI_BASE_URL=http://127.0.0.1:$CLEAN/v1 timeout -k 5 300 "$EF" run \
     --data "$1.jsonl" "${RUN_ARGS[@]}" --output "local.$1" --quiet >/dev/null 2>"$T/local.$1.err")
}
topics() { # topics SCENARIO: rows and results topics with 4 partitions each
  timeout -k 5 120 bash "$KAFKA" create-topic "$K" "rows.$1" 4 >/dev/null 2>&1 &&
    timeout -k 5 120 bash "$KAFKA" create-topic "$K" "results.$1" 4 >/dev/null 2>&1
}
FLEET=(-b "$B" --redis "$RU")
# worker SCENARIO NAME JUDGE_PORT [flags]: starts a worker, sets WPID.
worker() {
  local s=$1 name=$2 port=$3; shift 3
  (cd "$T" && OPENAI_BASE_URL=http://127.0.0.1:$port/v1 exec setsid timeout -k 5 600 "$EF" worker \
     "${FLEET[@]}" --rows-topic "rows.$s" --results-topic "results.$s" --group "workers.$s" \
     --drain-timeout 30 --heartbeat "$T/$name.hb" -X session.timeout.ms=10000 "$@" >>"$T/$name.log" 2>&1) &
  WPID=$!; PIDS+=($WPID); FP+=($WPID)
}
# aggregator SCENARIO RUN: starts an aggregator that exits when RUN is written, sets APID.
aggregator() {
  (cd "$T" && EVALFLEET_DEBUG=${AGG_DEBUG:-} exec setsid timeout -k 5 600 "$EF" aggregate "${FLEET[@]}" --results-topic "results.$1" \
     --group "agg.$1" -o "$T/out.$1" --run "$2" --exit-when-done -X session.timeout.ms=10000 \
     >>"$T/agg.$1.log" 2>&1) &
  APID=$!; PIDS+=($APID); FP+=($APID)
}
# wait_assigned NAME...: bounded wait until each worker has partitions (a stable group).
wait_assigned() {
  local i n
  for i in $(seq 300); do
    n=0; for w in "$@"; do grep -q "assigned [1-9]" "$T/$w.log" 2>/dev/null && n=$((n+1)); done
    [ "$n" -eq $# ] && return 0; sleep 0.1
  done
  return 1
}
# stop_fleet: SIGTERM every worker and aggregator started so far, wait for them.
FP=()
stop_fleet() {
  local p
  for p in "${FP[@]}"; do term "$p"; done
  for p in "${FP[@]}"; do wait_exit "$p" 60 >/dev/null 2>&1; done
  FP=()
}
produce() { # produce SCENARIO RUN DATA [flags]
  local s=$1 run=$2 data=$3; shift 3
  (cd "$T" && timeout -k 5 300 "$EF" produce "${FLEET[@]}" --rows-topic "rows.$s" --data "$data" \
     "${RUN_ARGS[@]}" --run-id "$run" --quiet "$@" >/dev/null 2>>"$T/produce.$s.log")
}
status_field() { timeout 30 "$EF" status "$1" --redis "$RU" --json 2>/dev/null |
  python3 -c "import json,sys; print(json.load(sys.stdin)$2)"; }
# wait_exit PID SECONDS: 0 when PID exited 0 in time.
wait_exit() {
  local i
  for i in $(seq $(($2 * 10))); do kill -0 "$1" 2>/dev/null || { wait "$1"; return $?; }; sleep 0.1; done
  return 124
}
same_file() { cmp -s "$T/local.$1/evaluation_results.json" "$T/out.$1/$2/evaluation_results.json"; }
# accounted SCENARIO RUN: Redis counters agree with the file: every row in, scored or errored once.
accounted() {
  python3 - "$T/out.$1/$2/evaluation_results.json" "$(status_field "$2" "['total']")" \
    "$(status_field "$2" "['done']")" "$(status_field "$2" "['failed']")" "$3" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
total, done, failed, n = (int(float(x)) for x in sys.argv[2:6])
errored = sum(1 for r in rows if "error" in r or any(k.endswith(".error_message") for k in r))
assert len(rows) == n == total == done, (len(rows), n, total, done)
assert failed == errored and errored >= 3, (failed, errored)
assert [r.get("line_number", i + 1) for i, r in enumerate(rows)] == list(range(1, n + 1))
PY
}
# metrics_match SCENARIO RUN: the merged partition aggregates (status) give the file's metrics.
metrics_match() {
  python3 - "$T/out.$1/$2/evaluation_results.json" \
    "$(timeout 30 "$EF" status "$2" --redis "$RU" --json)" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))["metrics"]; s = json.loads(sys.argv[2])["metrics"]
assert f == s, (f, s)
PY
}

# ---- parity: two producer shards, two workers, same bytes as local mode -----
if [[ " $SCENARIOS " == *" parity "* ]]; then
  local_ref parity 400
  topics parity
  produce parity parity parity.jsonl --shard 0/2 && produce parity parity parity.jsonl --shard 1/2
  check "parity: both shards publish" "[ $? -eq 0 ]"
  check "parity: total recorded once all shards published" "[ \"\$(status_field parity \"['total']\")\" = 400 ]"
  check "parity: the 2 malformed lines counted by the producer" "[ \"\$(status_field parity \"['bad_lines']\")\" = 2 ]"
  worker parity pw1 "$CLEAN" --max-inflight-rows 50; worker parity pw2 "$CLEAN" --max-inflight-rows 50
  aggregator parity parity
  wait_exit "$APID" 120
  check "parity: aggregator exits 0 when the run is written" "[ $? -eq 0 ]" || tail -5 "$T/agg.parity.log"
  check "parity: result file identical to local mode's" "same_file parity parity"
  check "parity: every row accounted for in Redis" "accounted parity parity 400"
  check "parity: merged partition aggregates equal the final metrics" "metrics_match parity parity"
  timeout 60 "$EF" results parity --redis "$RU" -o "$T/exported" 2>/dev/null
  check "parity: 'results' rewrites the same file from Redis" \
    "cmp -s '$T/local.parity/evaluation_results.json' '$T/exported/parity/evaluation_results.json'"
  produce parity parity parity.jsonl --evaluators f1_score
  check "parity: a run id cannot be reused with another spec" "[ $? -ne 0 ]"
  # The same data again under another run id: every judge reply from the shared cache.
  before=$(mock_stat $CLEAN "['requests']")
  produce parity again parity.jsonl
  aggregator parity again
  wait_exit "$APID" 120
  check "cache: a re-run completes" "[ $? -eq 0 ]"
  check "cache: a re-run sends no judge request" "[ \$(mock_stat $CLEAN \"['requests']\") -eq $before ]"
  check "cache: the re-run's file equals local mode's" "same_file parity again"
  stop_fleet
  # A fleet-wide budget of 1200 requests/min (20/s, 20 of burst) shared by two
  # workers: from the first judge request to the 97th takes at least
  # (97 - 20) / 20 = 3.85 s; without the budget it takes a fraction of one.
  gen "$T/budget.jsonl" 100
  worker parity bw1 "$CLEAN" --judge-budget-rpm 1200 --judge-cache-ttl 0
  worker parity bw2 "$CLEAN" --judge-budget-rpm 1200 --judge-cache-ttl 0
  wait_assigned bw1 bw2 # no rebalance mid-run: each row is evaluated once
  aggregator parity budget
  before=$(mock_stat $CLEAN "['requests']")
  produce parity budget budget.jsonl
  span=$(python3 - "$CLEAN" "$before" <<'PY'
import json, sys, time, urllib.request
port, base = sys.argv[1], int(sys.argv[2])
n = lambda: json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/stats"))["requests"] - base
end, first = time.time() + 90, None
while time.time() < end:
    c = n()
    if c > 0 and first is None:
        first = time.time()
    if c >= 97:
        print(round(time.time() - first, 2)); break
    time.sleep(0.05)
PY
)
  wait_exit "$APID" 120
  check "budget: the run completes" "[ $? -eq 0 ]"
  note "budget: 97 judge calls in ${span}s at 20/s fleet-wide"
  sent=$(( $(mock_stat $CLEAN "['requests']") - before ))
  check "budget: 97 judge requests sent ($sent)" "[ $sent -eq 97 ]"
  check "budget: the fleet stayed within 20 requests/s" "python3 -c 'assert ${span:-0} >= 3.3'"
  stop_fleet
  sleep 2
  check "budget: requests waited for the shared bucket" \
    "grep -h 'budget waits' '$T'/bw*.log | awk '{s += \$(NF-2)} END {exit !(s > 0)}'"
fi

# ---- drain: SIGTERM with rows stuck on a judge: leave in time, lose nothing --
if [[ " $SCENARIOS " == *" drain "* ]]; then
  local_ref drain 60
  start_mock stuck --latency-ms 60000
  STUCK=$PORT
  topics drain
  worker drain dw1 "$STUCK" --drain-timeout 2
  wait_assigned dw1
  produce drain drain drain.jsonl
  for _ in $(seq 100); do [ "$(mock_stat $STUCK "['inflight']")" -gt 0 ] && break; sleep 0.1; done
  check "drain: rows are in flight on a judge that does not answer" "[ \$(mock_stat $STUCK \"['inflight']\") -gt 0 ]"
  term "$WPID"
  wait_exit "$WPID" 20
  check "drain: the worker leaves within its drain timeout, status 0" "[ $? -eq 0 ]"
  worker drain dw2 "$CLEAN"
  aggregator drain drain
  wait_exit "$APID" 120
  check "drain: another worker evaluates the abandoned rows" "[ $? -eq 0 ]"
  check "drain: result file identical to local mode's" "same_file drain drain"
  stop_fleet
fi

# ---- chaos: 30 % judge faults, workers and the aggregator killed -9 ---------
if [[ " $SCENARIOS " == *" chaos "* ]]; then
  N=2500
  local_ref chaos $N
  start_mock faulty --latency-ms 150 --fault-rate 0.3 --max-faults-per-request 2 --retry-after 1 \
    --stall-ms 3000
  FAULTY=$PORT
  topics chaos
  produce chaos chaos chaos.jsonl
  check "chaos: produce exits 0" "[ $? -eq 0 ]"
  declare -A W=()
  # Offsets committed every 5 s, not every second: every kill -9 of a busy worker then
  # leaves results delivered but not committed, so their rows are redelivered and the
  # aggregator must drop the duplicates (checked below), whatever the machine's speed.
  CW=(--max-inflight-rows 12 -X auto.commit.interval.ms=5000)
  for i in 1 2 3; do worker chaos "cw$i" "$FAULTY" "${CW[@]}"; W[cw$i]=$WPID; done
  export AGG_DEBUG=redis
  aggregator chaos chaos
  s=$SECONDS; kills=0; aggkills=0; n=3
  # Events about 1.5 s apart: kill -9 a random worker and start another,
  # kill -9 the aggregator and restart it, add a worker, stop one gently,
  # kill -9 every worker at once (rows whose results were delivered but whose
  # offsets were not yet committed must come back, and be dropped as copies).
  for ev in kill agg kill add killall agg term kill; do
    sleep 1.5
    [ "$(status_field chaos "['state']")" = done ] && break
    case $ev in
      kill) v=$(printf '%s\n' "${!W[@]}" | shuf -n1); kill9 "${W[$v]}"; unset "W[$v]"; kills=$((kills+1))
            n=$((n+1)); worker chaos "cw$n" "$FAULTY" "${CW[@]}"; W[cw$n]=$WPID ;;
      killall) for v in "${!W[@]}"; do kill9 "${W[$v]}"; unset "W[$v]"; kills=$((kills+1)); done
            for i in 1 2 3; do n=$((n+1)); worker chaos "cw$n" "$FAULTY" "${CW[@]}"; W[cw$n]=$WPID; done ;;
      agg)  kill9 "$APID"; aggkills=$((aggkills+1)); aggregator chaos chaos ;;
      add)  n=$((n+1)); worker chaos "cw$n" "$FAULTY" "${CW[@]}"; W[cw$n]=$WPID ;;
      term) v=$(printf '%s\n' "${!W[@]}" | shuf -n1); TERMPID=${W[$v]}; unset "W[$v]"; term "$TERMPID" ;;
    esac
  done
  note "chaos: $kills worker kill -9, $aggkills aggregator kill -9 in $((SECONDS - s))s"
  check "chaos: a SIGTERM'd worker drains and exits 0" "wait_exit ${TERMPID:-0} 60"
  wait_exit "$APID" 300
  check "chaos: the run completes" "[ $? -eq 0 ]" || tail -5 "$T/agg.chaos.log"
  check "chaos: faults were injected" "[ \$(mock_stat $FAULTY \"['faults']\" | python3 -c 'import ast,sys; print(sum(ast.literal_eval(sys.stdin.read()).values()))') -gt 100 ]"
  check "chaos: killed workers' rows were redelivered and their duplicates dropped" \
    "[ \$(cat '$T'/agg.chaos.log | grep -c 'duplicate dropped') -gt 0 ]"
  unset AGG_DEBUG
  check "chaos: result file identical to local mode's" "same_file chaos chaos"
  check "chaos: rows in = rows scored + rows errored, none lost or doubled" "accounted chaos chaos $N"
  check "chaos: merged partition aggregates equal the final metrics" "metrics_match chaos chaos"
  stop_fleet
fi

# ---- restart: Redis and the Kafka broker restarted mid-run -------------------
if [[ " $SCENARIOS " == *" restart "* ]]; then
  N=1500
  local_ref restart $N
  start_mock slow --latency-ms 150
  SLOW=$PORT
  topics restart
  produce restart restart restart.jsonl
  check "restart: produce exits 0" "[ $? -eq 0 ]"
  worker restart rw1 "$SLOW" --max-inflight-rows 15; RW1=$WPID
  worker restart rw2 "$SLOW" --max-inflight-rows 15; RW2=$WPID
  aggregator restart restart
  sleep 2
  timeout -k 5 60 bash "$REDIS" restart "$R" >/dev/null 2>&1
  check "restart: redis restarted mid-run" "[ $? -eq 0 ]"
  sleep 2
  before=$(status_field restart "['done']")
  timeout -k 10 180 bash "$KAFKA" restart "$K" >/dev/null 2>&1
  check "restart: kafka broker restarted mid-run" "[ $? -eq 0 ]"
  note "restart: $before of $N rows aggregated when the broker went down"
  wait_exit "$APID" 300
  check "restart: the run completes" "[ $? -eq 0 ]" || tail -5 "$T/agg.restart.log"
  check "restart: result file identical to local mode's" "same_file restart restart"
  check "restart: every row accounted for" "accounted restart restart $N"
  term "$RW1"; term "$RW2"
  check "restart: workers drain and exit 0 on SIGTERM" "wait_exit $RW1 60 && wait_exit $RW2 60"
fi

# Under the sanitizer build (scripts/test.sh), any report in any process fails the test.
check "no sanitizer report from any fleet process" \
  "! grep -l 'AddressSanitizer\|LeakSanitizer\|runtime error:' '$T'/*.log 2>/dev/null"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
