#!/usr/bin/env bash
# Alerting end to end on 127.0.0.1: the daemon, a target whose answer the test switches, and
# stand-ins for PagerDuty and a Slack webhook that validate every event. Exactly one trigger
# after exactly N failures, nothing more while firing, one resolve after M passes; delivery
# through an outage of PagerDuty, in order; kill -9 with a delivery pending or while firing;
# a 400 dropped loudly; a firing check removed by reload resolved; no secret anywhere.
# Usage: alerting_test.sh PROBER TARGET_SERVER NOTIFY_STANDIN
set -uo pipefail
prober=$1
source "$(dirname "$0")/lib.sh"

start_target_and_standin "$2" "$3"
routing_key="R0UT1NGKEY0123456789abcdefSECRET"  # 32 characters, as PagerDuty's are
export TEST_PD_KEY=$routing_key
export TEST_SLACK_URL="$standin/slack/hook"

set_target() { curl -sf "$target/switch/set?status=$1" >/dev/null; }
set_standin() { curl -sf -X POST "$standin/control?target=$1&mode=$2" >/dev/null; }
# count ACTION CHECK: accepted PagerDuty events of that action for that check's alert
count() { pd_count "$1" "prober:$2"; }
slack_count() { standin_events slack | jq --arg c "$1" --arg t "$2" '[.[] | select(.text | contains($c) and contains($t))] | length'; }
metric() { curl -sf "$api/metrics" | awk -v name="$1" '$1 == name {print $2}'; }
# Predicates evaluated afresh on every poll of wait_up_to.
count_is() { pd_count_is "$1" "$2" "prober:$3"; }
slack_is() { [[ "$(slack_count "$2" "$3")" == "$1" ]]; }
metric_is() { [[ "$(metric "$2")" == "$1" ]]; }
metric_at_least() { local v; v=$(metric "$2"); [[ -n $v && $v -ge $1 ]]; }
# Waits until api has run N more times (the exact "nothing more is sent" rules are unit tests
# in simulated time: tests/unit/prober/daemon_test.cpp; these confirm them on the real daemon).
runs_of_api() { curl -sf "$api/api/v1/checks/api" | jq '.runs.success + .runs.failure'; }
runs_at_least() { [[ $(runs_of_api) -ge $1 ]]; }
after_runs() { wait_up_to 10 runs_at_least $(($(runs_of_api) + $1)); }

write_config() {  # write_config CHECK...: one failing-capable check per name
  {
    cat <<TOML
[prober]
external_url = "http://prober.example.com:9115"

[defaults]
interval = "200ms"
timeout = "200ms"
failure_threshold = 3
success_threshold = 2
notify = ["pagerduty", "status-channel"]

[notifiers.pagerduty]
type = "pagerduty"
routing_key = "\${TEST_PD_KEY}"
url = "$standin/v2/enqueue"
timeout = "1s"

[notifiers.status-channel]
type = "slack"
webhook_url = "\${TEST_SLACK_URL}"
TOML
    for name in "$@"; do
      printf '\n[[check]]\nname = "%s"\nurl = "%s/switch"\nlabels = { team = "payments" }\nassert = ["status == 200"]\n' "$name" "$target"
    done
  } >"$work/checks.toml"
}

# --- 1. exactly one trigger after exactly N failures, nothing while firing, one resolve ---
set_target 200
write_config api
start_daemon "$prober" "$work/checks.toml" "$work/daemon1.log" --state-dir "$work/state"
expect "the check passes first" wait_for bash -c "curl -sf '$api/api/v1/checks' | jq -e '.checks[0].runs.success >= 2'"
set_target 503
expect "a trigger reaches PagerDuty" wait_up_to 10 count_is 1 trigger api
trigger=$(standin_events pagerduty | jq -c '[.[] | select(.event_action == "trigger")][0]')
expect "it came after exactly 3 failures" test "$(jq '.payload.custom_details.consecutive_failures' <<<"$trigger")" = 3
expect "custom_details names the failure reason" test "$(jq -r '.payload.custom_details.reason' <<<"$trigger")" = "http_status"
expect "prober_check_failures_total counts it by reason" metric_at_least 3 'prober_check_failures_total{check="api",reason="http_status"}'
expect "dedup_key is prober:api" test "$(jq -r '.dedup_key' <<<"$trigger")" = "prober:api"
expect "the summary names the failed assertion" test "$(jq -r '.payload.summary' <<<"$trigger")" = "api is failing: status == 200 (got 503)"
expect "group is the team label" test "$(jq -r '.payload.group' <<<"$trigger")" = "payments"
expect "severity, class, source, client_url" jq -e >/dev/null '.payload.severity == "critical" and .payload.class == "synthetic-check" and .payload.source == "127.0.0.1" and .client_url == "http://prober.example.com:9115/checks/api"' <<<"$trigger"
expect "the timestamp is ISO 8601 UTC with milliseconds" jq -e >/dev/null '.payload.timestamp | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$")' <<<"$trigger"
expect "Slack heard it, in red" wait_up_to 10 slack_is 1 api 'is down'
expect "api runs seven more times" after_runs 7
expect "nothing more is sent while it stays failing" test "$(count trigger api)" = 1
expect "nothing more on Slack either" test "$(slack_count api 'is down')" = 1
expect "prober_alert_firing is 1" test "$(metric 'prober_alert_firing{check="api"}')" = 1
set_target 200
expect "one resolve after the passes" wait_up_to 10 count_is 1 resolve api
expect "the resolve is exactly {routing_key, event_action, dedup_key}" \
  bash -c "curl -sf '$standin/events?target=pagerduty' | jq -e '[.[] | select(.event_action == \"resolve\")][0] | keys == [\"dedup_key\", \"event_action\", \"routing_key\"]' >/dev/null"
expect "Slack heard the recovery, in green" wait_up_to 10 slack_is 1 api 'is back up'
expect "no event was invalid" test "$(curl -sf "$standin/stats" | jq '.pagerduty.invalid + .slack.invalid')" = 0
expect "delivered notifications are counted" test "$(metric 'prober_notifications_total{notifier="pagerduty",result="delivered"}')" = 2

# --- 2. PagerDuty failing for a while, then back: everything delivered, in order ---
# It throttles (429), drops the connection, answers too slowly (past the 1 s timeout), fails
# (500); every kind is retried with backoff, and the resolve waits behind its trigger.
retries() { metric 'prober_notifications_total{notifier="pagerduty",result="retry"}'; }
set_standin pagerduty 429
set_target 503
expect "a 429 is retried" wait_up_to 10 metric_at_least 1 'prober_notifications_total{notifier="pagerduty",result="retry"}'
set_standin pagerduty drop
before=$(retries)
expect "a dropped connection is retried" wait_up_to 10 metric_at_least $((before + 1)) 'prober_notifications_total{notifier="pagerduty",result="retry"}'
set_standin pagerduty slow
before=$(retries)
expect "an answer slower than the timeout is retried" wait_up_to 15 metric_at_least $((before + 1)) 'prober_notifications_total{notifier="pagerduty",result="retry"}'
set_standin pagerduty 500
set_target 200  # the resolve queues behind the undelivered trigger
expect "the alert resolved while PagerDuty was down" wait_up_to 10 metric_is 0 'prober_alert_firing{check="api"}'
before=$(retries)
expect "a 500 is retried" wait_up_to 15 metric_at_least $((before + 1)) 'prober_notifications_total{notifier="pagerduty",result="retry"}'
set_standin pagerduty ok
expect "after the outage both arrive" wait_up_to 30 count_is 2 resolve api
expect "in order: trigger, resolve, trigger, resolve" \
  test "$(standin_events pagerduty | jq -r '[.[] | select(.dedup_key == "prober:api") | .event_action] | join(",")')" = "trigger,resolve,trigger,resolve"
expect "the outbox is empty" wait_up_to 5 metric_is 0 prober_outbox_pending

# --- 3. kill -9 while a delivery is pending, restart: delivered once ---
set_standin pagerduty 500
set_target 503
expect "a trigger is pending" wait_up_to 10 metric_at_least 1 prober_outbox_pending
kill -9 "$daemon_pid"
wait "$daemon_pid" 2>/dev/null
set_standin pagerduty ok
start_daemon "$prober" "$work/checks.toml" "$work/daemon2.log" --state-dir "$work/state"
expect "after the restart the pending trigger is delivered" wait_up_to 10 count_is 3 trigger api
expect "api keeps failing for seven more runs (the restored alert is still firing)" after_runs 7
expect "... once, and no second trigger for the alert that is already firing" test "$(count trigger api)" = 3
expect "the restart says the alert is still firing" grep -q "alert still firing from before the restart" "$work/daemon2.log"

# --- 4. kill -9 while firing, restart: no new trigger, the resolve is still sent ---
kill -9 "$daemon_pid"
wait "$daemon_pid" 2>/dev/null
start_daemon "$prober" "$work/checks.toml" "$work/daemon3.log" --state-dir "$work/state"
expect "api fails seven more times after the restart" after_runs 7
expect "no new trigger after a restart while firing" test "$(count trigger api)" = 3
set_target 200
expect "the resolve is sent on recovery" wait_up_to 10 count_is 3 resolve api

# --- 5. a 400 is logged with the answer, counted, and not retried ---
set_standin pagerduty 400
set_target 503
expect "a refused trigger is counted as rejected" wait_up_to 10 metric_is 1 'prober_notifications_total{notifier="pagerduty",result="rejected"}'
expect "and logged with PagerDuty's answer" grep -q 'refused and will not be retried: HTTP 400: .*forced by the test' "$work/daemon3.log"
expect "api runs eight more times, longer than the first retry's backoff (1 s +-25 %)" after_runs 8
expect "it is not retried" test "$(metric 'prober_notifications_total{notifier="pagerduty",result="rejected"}')" = 1
expect "nothing is left pending for it" test "$(metric prober_outbox_pending)" = 0
set_standin pagerduty ok

# --- 6. a firing check removed from the config is resolved ---
write_config other
curl -sf -X POST "$api/-/reload" >/dev/null
expect "removing a firing check resolves it" wait_up_to 10 count_is 4 resolve api
expect "the resolve was logged" grep -q "left the config while its alert was firing" "$work/daemon3.log"

# --- secrets ---
for path in /metrics /api/v1/checks /; do
  expect "routing key and webhook URL not served at $path" bash -c "! curl -sf '$api$path' | grep -q -e SECRET -e slack/hook"
done
expect "routing key and webhook URL in no log line" bash -c "! grep -q -e SECRET -e slack/hook '$work'/daemon*.log"
expect "the routing key is not in the history" bash -c "! grep -qa SECRET '$work'/state/history.db*"
expect "the state store, which keeps it, is readable by its owner only" \
  bash -c "test \"\$(stat -c %a '$work/state/prober.db')\" = 600"

kill -TERM "$daemon_pid"
wait "$daemon_pid"
expect "the daemon stops cleanly" test $? = 0
finish
