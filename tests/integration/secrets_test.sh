#!/usr/bin/env bash
# No ${VAR} value reaches any output: checks send a password (basic auth), a bearer token, a
# query secret, a header secret and a JSON-body secret to a target that echoes the request back,
# and fail on purpose so the failure messages quote that echo; a PagerDuty routing key and a Slack
# webhook URL are configured. Then every output is searched for every secret: validate, once
# (table and JSON), the daemon's log, /metrics, the API, the status page, and the
# pages PagerDuty and Slack received.
# Usage: secrets_test.sh PROBER TARGET_SERVER NOTIFY_STANDIN
set -uo pipefail
prober=$1
source "$(dirname "$0")/lib.sh"

start_target_and_standin "$2" "$3"
export S_PASSWORD='pw-Secret-7391 &%"'
export S_TOKEN="tok-Secret-8842"
export S_QUERY="q-Secret-1234/="
export S_HEADER="hdr-Secret-5566"
export S_JSON='json-Secret-"9911"'
export S_ROUTING="R0UT1NGKEY0123456789abcdeSECRETS"
export S_SLACK="$standin/slack/hook/T0/B0/hook-Secret-4411"
# Credentials written into URLs (an Alertmanager's, a check's) are secrets too: the Alertmanager
# answers nothing (port 9), so its failures are logged and recorded with its URL.
secrets=("pw-Secret-7391" "tok-Secret-8842" "q-Secret-1234" "hdr-Secret-5566" "json-Secret-"
         "R0UT1NGKEY0123456789abcdeSECRETS" "hook-Secret-4411" "am-Secret-6677" "url-Secret-3344"
         "$(printf 'synthetic:%s' "$S_PASSWORD" | base64)")

cat >"$work/checks.toml" <<TOML
[defaults]
interval = "1s"
timeout = "1s"
failure_threshold = 1
notify = ["pagerduty", "status-channel", "am"]

[notifiers.pagerduty]
type = "pagerduty"
routing_key = "\${S_ROUTING}"
url = "$standin/v2/enqueue"

[notifiers.status-channel]
type = "slack"
webhook_url = "\${S_SLACK}"

[notifiers.am]
type = "alertmanager"
urls = ["http://am-user:am-Secret-6677@127.0.0.1:9"]

[[check]]
name = "url-credentials"
url = "${target/:\/\//://probe:url-Secret-3344@}/echo/request"
assert = ['body contains "never there"']

[[check]]
name = "basic"
url = "$target/echo/request"
basic_auth = { username = "synthetic", password = "\${S_PASSWORD}" }
assert = ['json \$.headers.authorization exists', 'body contains "never there"', 'json \$.headers.authorization == "x"']

[[check]]
name = "bearer"
method = "POST"
url = "$target/echo/request"
bearer_token = "\${S_TOKEN}"
query = { key = "\${S_QUERY}" }
headers = { X-Api-Key = "\${S_HEADER}" }
json = { password = "\${S_JSON}" }
assert = ['json \$.target == "x"', 'json \$.body == "x"', 'json \$.headers.x-api-key == "x"',
          'json \$.headers.authorization == "x"', 'body == "x"']
TOML

# The requests did carry the secrets: the target echoes them (checked through once's verdicts).
"$prober" validate -c "$work/checks.toml" >"$work/validate.txt" 2>&1
"$prober" once -c "$work/checks.toml" >"$work/once.txt" 2>&1
"$prober" once -c "$work/checks.toml" --format json >"$work/once.json" 2>&1
failures_of() { jq -r --arg n "$1" '.checks[] | select(.name == $n) | .failures[]' "$work/once.json"; }
expect "the Basic credentials were sent, and are shown as <basic_auth>" \
  grep -qF 'json $.headers.authorization == "x" (got "Basic <basic_auth>")' <(failures_of basic)
for name in S_QUERY S_JSON S_HEADER S_TOKEN; do
  expect "the echo quoted in a failure message shows \${$name} where the secret was sent" \
    grep -qF "\${$name}" <(failures_of bearer)
done

start_daemon "$prober" "$work/checks.toml" "$work/daemon.log" --state-dir "$work/state"
pages() { standin_events "$1" | jq length; }
pages_at_least() { local n; n=$(pages "$1"); [[ -n $n && $n -ge 2 ]]; }
expect "both checks paged PagerDuty" wait_up_to 15 pages_at_least pagerduty
expect "both checks told Slack" wait_up_to 15 pages_at_least slack
curl -sf "$api/metrics" >"$work/metrics.txt"
curl -sf "$api/api/v1/checks" >"$work/api.json"
curl -sf "$api/api/v1/checks/bearer" >"$work/api-bearer.json"
curl -sf "$api/" >"$work/status.html"
curl -sf "$api/checks/bearer" >"$work/status-bearer.html"
curl -sf "$api/api/v1/checks/bearer/history" >"$work/history-bearer.json"
# The routing key is how PagerDuty knows the service: it goes in routing_key and nowhere else.
standin_events pagerduty >"$work/pagerduty-raw.json"
expect "every page carries the routing key where PagerDuty reads it" \
  jq -e --arg k "$S_ROUTING" 'length > 0 and all(.[]; .routing_key == $k)' "$work/pagerduty-raw.json"
jq 'map(del(.routing_key))' "$work/pagerduty-raw.json" >"$work/pagerduty.json"
standin_events slack >"$work/slack.json"
kill -TERM "$daemon_pid"
wait "$daemon_pid"
"$prober" report -c "$work/checks.toml" --state-dir "$work/state" >"$work/report.md" 2>&1
expect "the Alertmanager's failures were logged" grep -q "notifier am" "$work/daemon.log"
# The URLs are there, their credentials shown as user:***@: the search below is not vacuous.
expect "the log shows the Alertmanager's URL redacted" grep -qF "am-user:***@" "$work/daemon.log"
expect "the report shows the check's URL redacted" grep -qF "probe:***@" "$work/report.md"
expect "the API shows the check's URL redacted" grep -qF "probe:***@" "$work/api.json"

for output in validate.txt once.txt once.json daemon.log metrics.txt api.json api-bearer.json \
  status.html status-bearer.html history-bearer.json pagerduty.json slack.json report.md; do
  expect "$output was written" test -s "$work/$output"
  leaked=()
  for secret in "${secrets[@]}"; do
    grep -qF -- "$secret" "$work/$output" && leaked+=("$secret")
  done
  expect "no secret in $output${leaked:+ (leaked: ${leaked[*]})}" test "${#leaked[@]}" = 0
done
finish
