# Shared by the shell integration tests: counting results, polling with bounds, starting
# helpers and the daemon on 127.0.0.1, and ending only the processes a test started.
passed=0
failed=0
pids=()
work=$(mktemp -d)

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() { failed=$((failed + 1)); echo "FAILED - $1"; }
expect() {  # expect DESCRIPTION COMMAND...: passes when the command succeeds
  local what=$1
  shift
  if "$@"; then ok "$what"; else not_ok "$what"; fi
}
expect_exit() {  # expect_exit CODE DESCRIPTION COMMAND...: output in $work/out and $work/err
  local code=$1 what=$2
  shift 2
  "$@" >"$work/out" 2>"$work/err"
  local rc=$?
  if [[ $rc == "$code" ]]; then
    ok "$what (exit $rc)"
  else
    not_ok "$what: exit $rc, wanted $code"
    cat "$work/out" "$work/err"
  fi
}
# jq_true FILTER [FILE]: the filter yields true (quietly), for expect.
jq_true() { jq -e "$@" >/dev/null; }
# Polls until a command succeeds: at most 100 tries 0.1 s apart.
wait_for() {
  for _ in $(seq 100); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  return 1
}
# Like wait_for, for up to SECONDS seconds.
wait_up_to() {
  local seconds=$1
  shift
  for _ in $(seq $((seconds * 10))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  return 1
}

# start_helper BINARY NAME: starts a helper that prints its port; sets NAME_port and NAME_pid.
start_helper() {
  local binary=$1 name=$2
  "$binary" 300 >"$work/$name.port" 2>"$work/$name.log" &
  local pid=$!
  pids+=("$pid")
  wait_for test -s "$work/$name.port" || { echo "$name did not start"; exit 1; }
  printf -v "${name}_port" '%s' "$(head -1 "$work/$name.port")"
  printf -v "${name}_pid" '%s' "$pid"
}

# start_listener NAME COMMAND...: runs a server on a free port (PORT in its arguments is
# replaced, and PORT2 by the port after it, for a second listener such as a cluster's), retrying
# other ports while a chosen one is taken; sets NAME_port, NAME_port2 and NAME_pid.
start_listener() {
  local name=$1
  shift
  for _ in $(seq 10); do
    local port=$((20000 + RANDOM % 40000))
    local args=("${@//PORT2/$((port + 1))}")
    "${args[@]//PORT/$port}" >"$work/$name.log" 2>&1 &
    local pid=$!
    pids+=("$pid")
    sleep 0.5
    if kill -0 "$pid" 2>/dev/null; then
      printf -v "${name}_port" '%s' "$port"
      printf -v "${name}_port2" '%s' "$((port + 1))"
      printf -v "${name}_pid" '%s' "$pid"
      return 0
    fi
  done
  echo "$name did not start"; cat "$work/$name.log"; exit 1
}
# self_signed NAME DAYS: a certificate for 127.0.0.1 valid DAYS days, $work/NAME.pem and .key.
self_signed() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days "$2" \
    -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
    -keyout "$work/$1.key" -out "$work/$1.pem" 2>/dev/null || { echo "openssl failed"; exit 1; }
}
# start_target TARGET_SERVER: the target server; sets target, its base URL.
start_target() {
  start_helper "$1" target
  target="http://127.0.0.1:$target_port"
}
# start_target_and_standin TARGET_SERVER NOTIFY_STANDIN: the target server and the notify
# stand-in; sets target and standin, their base URLs.
start_target_and_standin() {
  start_target "$1"
  start_helper "$2" standin
  standin="http://127.0.0.1:$standin_port"
}

# start_daemon PROBER CONFIG LOG [ARGS...]: runs the daemon on a free port; sets daemon_pid
# and api (its base URL).
start_daemon() {
  local prober=$1 config=$2 log=$3
  shift 3
  "$prober" run -c "$config" --listen 127.0.0.1:0 "$@" 2>"$log" &
  daemon_pid=$!
  pids+=("$daemon_pid")
  wait_for grep -q "listening on" "$log" || { echo "the daemon did not start"; cat "$log"; exit 1; }
  api="http://127.0.0.1:$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$log" | head -1)"
}

# Events the notify stand-in accepted (needs $standin, its base URL). TARGET: pagerduty|slack.
standin_events() { curl -sf "$standin/events?target=$1"; }
# pd_count ACTION DEDUP_KEY: how many PagerDuty events of that action and dedup key arrived.
pd_count() {
  standin_events pagerduty |
    jq --arg a "$1" --arg d "$2" '[.[] | select(.event_action == $a and .dedup_key == $d)] | length'
}
# pd_count_is N ACTION DEDUP_KEY: a predicate for expect and wait_up_to.
pd_count_is() { [[ "$(pd_count "$2" "$3")" == "$1" ]]; }

# slack_post FILE_PREFIX BODY [TIMESTAMP] [SECRET]: signs BODY as Slack does and posts it;
# the answer goes to FILE_PREFIX.json, its status to FILE_PREFIX.status.
slack_post() {
  local prefix=$1 body=$2 ts=${3:-$(date +%s)} secret=${4:-$TEST_SLACK_SIGNING}
  local signature
  signature="v0=$(printf 'v0:%s:%s' "$ts" "$body" | openssl dgst -sha256 -hmac "$secret" | sed 's/.*= //')"
  curl -s -o "$work/$prefix.json" -w '%{http_code}' -X POST "$api/slack/command" \
    -H "Content-Type: application/x-www-form-urlencoded" \
    -H "X-Slack-Request-Timestamp: $ts" -H "X-Slack-Signature: $signature" \
    --data-binary "$body" >"$work/$prefix.status"
}
form() {  # form TEAM CHANNEL USER TEXT
  printf 'token=x&team_id=%s&team_domain=acme&channel_id=%s&channel_name=incidents&user_id=%s&user_name=alice&command=%%2Fpage&text=%s&response_url=https%%3A%%2F%%2Fhooks.slack.example%%2Fcommands%%2F1&trigger_id=1.2.3' "$1" "$2" "$3" "$4"
}

finish() {
  echo "$passed passed, $failed failed"
  [[ $failed == 0 ]]
}
