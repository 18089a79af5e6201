#!/usr/bin/env bash
# On-call semantics end to end on 127.0.0.1 (SPEC section 11): the daemon, targets each test
# switches on its own, and the PagerDuty and Slack stand-ins. One flow per feature, each with
# exact counts of what reached the stand-ins: failure_window on a flapping target,
# retry_interval, a degraded warning, depends_on, a maintenance window, a silence through the
# API, mute and unmute from Slack, and Slack reminders (renotify). What happens in simulated
# time, edge by edge, is tested in tests/unit/prober/on_call_test.cpp.
# Usage: on_call_test.sh PROBER TARGET_SERVER NOTIFY_STANDIN
set -uo pipefail
prober=$1
source "$(dirname "$0")/lib.sh"

start_target_and_standin "$2" "$3"
export TEST_PD_KEY="R0UT1NGKEY0123456789abcdefSECRET"
export TEST_SLACK_URL="$standin/slack/hook"
export TEST_SLACK_SIGNING="8f742231b10e8888abcd99yyyzzz85a5"

set_switch() { curl -sf "$target/switches/$1/set?status=$2" >/dev/null; }
count() { pd_count "$1" "$2"; }
count_is() { pd_count_is "$@"; }
slack_count() { standin_events slack | jq --arg t "$1" '[.[] | select(.text | contains($t))] | length'; }
slack_is() { [[ "$(slack_count "$2")" == "$1" ]]; }
check_json() { curl -sf "$api/api/v1/checks/$1"; }
check_is() { check_json "$1" | jq -e "$2" >/dev/null; }
metric() { curl -sf "$api/metrics" | awk -v name="$1" '$1 == name {print $2}'; }
# Waits until CHECK has run N more times.
runs_of() { check_json "$1" | jq '.runs.success + .runs.failure'; }
runs_at_least() { [[ $(runs_of "$1") -ge $2 ]]; }
after_runs() { wait_up_to 20 runs_at_least "$1" $(($(runs_of "$1") + $2)); }

check() {  # check NAME [EXTRA TOML]
  printf '\n[[check]]\nname = "%s"\nurl = "%s/switches/%s"\n%s\n' "$1" "$target" "$1" "${2:-}"
}
{
  cat <<TOML
[prober]
state_dir = "$work/state"

[defaults]
interval = "200ms"
timeout = "200ms"
failure_threshold = 3
success_threshold = 2
notify = ["pagerduty", "status-channel"]
assert = ["status == 200"]

[notifiers.pagerduty]
type = "pagerduty"
routing_key = "\${TEST_PD_KEY}"
url = "$standin/v2/enqueue"
timeout = "1s"

[notifiers.status-channel]
type = "slack"
webhook_url = "\${TEST_SLACK_URL}"

[slack_command]
signing_secret = "\${TEST_SLACK_SIGNING}"
notifier = "pagerduty"
allowed_channels = ["C0INCIDENT"]
allowed_users = ["U0ALICE"]
TOML
  check flappy 'failure_window = 5'
  check retried 'interval = "2s"
retry_interval = "200ms"'
  check slow 'assert = ["status < 300"]
degraded = ["status == 200"]'
  check core
  check edge 'depends_on = ["core"]'
  check maint-down
  check maint-blip
  check silenced
  check muted
  check nagging 'renotify = "1s"
notify = ["status-channel"]'
} >"$work/checks.toml"

start_daemon "$prober" "$work/checks.toml" "$work/daemon.log"
expect "every check passes first" wait_for bash -c "curl -sf '$api/api/v1/checks' | jq -e '[.checks[].runs.success >= 2] | all' >/dev/null"

# --- failure_window: 3 failures among the last 5 runs, passes between ---
set_switch flappy 503,200
expect "a flapping check pages once" wait_up_to 10 count_is 1 trigger prober:flappy
trigger=$(standin_events pagerduty | jq -c '[.[] | select(.dedup_key == "prober:flappy")][0]')
expect "it was not 3 failures in a row: at most 2 were" test "$(jq '.payload.custom_details.consecutive_failures' <<<"$trigger")" -le 2
set_switch flappy 200
expect "it resolves after 2 passes in a row" wait_up_to 10 count_is 1 resolve prober:flappy

# --- retry_interval: failures confirmed every 200 ms, not every 2 s ---
set_switch retried 503
expect "retried pages" wait_up_to 15 count_is 1 trigger prober:retried
# Milliseconds from the first to the last of the failed runs FROM..TO (jq slice bounds) in the
# check's history; times look like 2026-12-02T12:00:00.123Z.
failed_span_ms() {
  curl -sf "$api/api/v1/checks/$1/history?since=1m" | jq "
    def ms: (.[0:19] + \"Z\" | fromdateiso8601) * 1000 + (.[20:23] | tonumber);
    [.runs[] | select(.passed | not) | .at | ms][$2] | (.[-1] - .[0])"
}
span_ms=$(failed_span_ms retried 0:3)
expect "the three failures that fired it came within 1.5 s (interval 2 s, retry 200 ms): ${span_ms} ms" test "$span_ms" -lt 1500
after_runs retried 2
last_gap_ms=$(failed_span_ms retried -2:)
expect "once firing, runs come every 2 s again: ${last_gap_ms} ms" test "$last_gap_ms" -ge 1500
set_switch retried 200

# --- degraded: a passing run with a failed degraded assertion ---
set_switch slow 203
expect "a degraded warning of its own" wait_up_to 10 count_is 1 trigger prober:slow:degraded
degraded=$(standin_events pagerduty | jq -c '[.[] | select(.dedup_key == "prober:slow:degraded")][0]')
expect "at warning severity" test "$(jq -r '.payload.severity' <<<"$degraded")" = warning
expect "Slack says degraded, once" wait_up_to 10 slack_is 1 "*slow* is degraded"
expect "probe_success stays 1" test "$(metric 'probe_success{check="slow"}')" = 1
expect "prober_check_degraded is 1" test "$(metric 'prober_check_degraded{check="slow"}')" = 1
set_switch slow 200
expect "the warning resolves" wait_up_to 10 count_is 1 resolve prober:slow:degraded
expect "slow never paged as failing" test "$(count trigger prober:slow)" = 0

# --- depends_on: one page for the parent's outage, the child's after it if still failing ---
# The child fails once the parent's alert fires: both failing at once is a race between their
# third failures (a child that fires first pages, as the spec says), which this test is not about.
set_switch core 503
expect "core pages" wait_up_to 10 count_is 1 trigger prober:core
set_switch edge 503
expect "edge fires, suppressed by core" wait_up_to 10 check_is edge '.alert_firing and .suppressed and .suppressed_by == ["core"]'
expect "prober_check_suppressed is 1" wait_up_to 3 bash -c "curl -sf '$api/metrics' | grep -q '^prober_check_suppressed{check=\"edge\"} 1'"
expect "edge sent nothing while core fires" test "$(count trigger prober:edge)" = 0
set_switch core 200
expect "core resolves" wait_up_to 10 count_is 1 resolve prober:core
expect "edge, still failing, pages then" wait_up_to 10 count_is 1 trigger prober:edge
set_switch edge 200
expect "edge resolves" wait_up_to 10 count_is 1 resolve prober:edge

# --- a maintenance window: held, paged at its end if still failing ---
# A window from a second ago for 15 s, added by a reload (which keeps every check's state).
cat >>"$work/checks.toml" <<TOML

[[maintenance]]
name = "deploy"
checks = ["maint-*"]
start = "$(date -u -d "@$(($(date +%s) - 1))" +%Y-%m-%dT%H:%M:%SZ)"
duration = "15s"
TOML
expect "the reload takes the window" test "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$api/-/reload")" = 200
set_switch maint-down 503
set_switch maint-blip 503
expect "maint-down fires inside the window, silenced" wait_up_to 10 check_is maint-down '.alert_firing and (.silenced_by | startswith("maintenance deploy until"))'
expect "maint-blip fires inside the window" wait_up_to 10 check_is maint-blip '.alert_firing'
set_switch maint-blip 200
expect "maint-blip recovers inside the window" wait_up_to 10 check_is maint-blip '.alert_firing | not'
expect "nothing was sent for either inside the window" test "$(standin_events pagerduty | jq '[.[] | select(.dedup_key | startswith("prober:maint-"))] | length')" = 0
expect "maint-down pages when the window ends" wait_up_to 30 count_is 1 trigger prober:maint-down
expect "maint-blip never pages" test "$(count trigger prober:maint-blip)$(count resolve prober:maint-blip)" = 00
set_switch maint-down 200
expect "maint-down resolves" wait_up_to 10 count_is 1 resolve prober:maint-down

# --- a silence through the API ---
status=$(curl -s -o "$work/silence.json" -w '%{http_code}' -X POST "$api/api/v1/silences" \
  -H 'Content-Type: application/json' \
  -d '{"checks":["silenced"],"duration":"1h","comment":"deploy","created_by":"alice"}')
expect "POST /api/v1/silences answers 201" test "$status" = 201
silence_id=$(jq -r .id "$work/silence.json")
set_switch silenced 503
expect "silenced fires, held" wait_up_to 10 check_is silenced '.alert_firing and .silenced'
after_runs silenced 3
expect "nothing sent while silenced" test "$(count trigger prober:silenced)" = 0
expect "GET lists the silence" jq_true --arg id "$silence_id" '.silences | map(.id) == [$id]' <(curl -sf "$api/api/v1/silences")
expect "DELETE answers 204" test "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$api/api/v1/silences/$silence_id")" = 204
expect "the held page goes out at once" wait_up_to 5 count_is 1 trigger prober:silenced
set_switch silenced 200
expect "silenced resolves" wait_up_to 10 count_is 1 resolve prober:silenced

# --- mute and unmute from Slack ---
slack_post mute "$(form T0ACME C0INCIDENT U0ALICE 'mute+muted+1h+db+failover')"
expect "mute answers in the channel" jq_true '.response_type == "in_channel" and (.text | contains("muted muted for 1h"))' "$work/mute.json"
slack_post mute-refused "$(form T0ACME C0INCIDENT U0MALLORY 'mute+muted+1h')"
expect "mute from someone not allowed is refused" jq_true '.text | startswith("Refused")' "$work/mute-refused.json"
set_switch muted 503
expect "muted fires, held" wait_up_to 10 check_is muted '.alert_firing and .silenced'
after_runs muted 3
expect "nothing sent while muted" test "$(count trigger prober:muted)" = 0
muted_id=$(curl -sf "$api/api/v1/silences" | jq -r '.silences[] | select(.checks == ["muted"]) | .id')
slack_post unmute "$(form T0ACME C0INCIDENT U0ALICE "unmute+$muted_id")"
expect "unmute answers in the channel" jq_true '.text | contains("ended silence")' "$work/unmute.json"
expect "the held page goes out" wait_up_to 5 count_is 1 trigger prober:muted
set_switch muted 200
expect "muted resolves" wait_up_to 10 count_is 1 resolve prober:muted

# --- renotify: Slack reminded while firing, stopped by the resolve ---
set_switch nagging 503
expect "nagging is down, once" wait_up_to 10 slack_is 1 "*nagging* is down"
expect "and reminded every second while it fires" wait_up_to 10 bash -c "[[ \$(curl -sf '$standin/events?target=slack' | jq '[.[] | select(.text | contains(\"*nagging* is still down\"))] | length') -ge 3 ]]"
set_switch nagging 200
expect "nagging is back up, once" wait_up_to 10 slack_is 1 "*nagging* is back up"
reminders=$(slack_count "*nagging* is still down")
sleep 2.5
expect "no reminder after the resolve" test "$(slack_count "*nagging* is still down")" = "$reminders"

# --- the totals at the stand-ins, exactly ---
standin_events pagerduty | jq -c 'group_by(.dedup_key + " " + .event_action) | map({(.[0].dedup_key + " " + .[0].event_action): length}) | add' >"$work/totals.json"
expect "PagerDuty got exactly one trigger and one resolve per paged alert, nothing else" jq_true '. == {
  "prober:flappy trigger": 1, "prober:flappy resolve": 1,
  "prober:retried trigger": 1, "prober:retried resolve": 1,
  "prober:slow:degraded trigger": 1, "prober:slow:degraded resolve": 1,
  "prober:core trigger": 1, "prober:core resolve": 1,
  "prober:edge trigger": 1, "prober:edge resolve": 1,
  "prober:maint-down trigger": 1, "prober:maint-down resolve": 1,
  "prober:silenced trigger": 1, "prober:silenced resolve": 1,
  "prober:muted trigger": 1, "prober:muted resolve": 1}' "$work/totals.json" || cat "$work/totals.json"
curl -sf "$standin/stats" >"$work/stats.json"
expect "no event was invalid at either stand-in" jq_true '.pagerduty.invalid == 0 and .slack.invalid == 0' "$work/stats.json"
"$prober" report -c "$work/checks.toml" --since 1h >"$work/report.md" 2>"$work/report.err" ||
  cat "$work/report.err"
expect "the report's timeline shows the held pages" grep -q "maint-down\*\* alert page held: maintenance deploy until" "$work/report.md"
expect "and their ends" grep -q "maint-blip\*\* alert hold ended: recovered while held: nothing was sent" "$work/report.md"
expect "and the mute from Slack" grep -q "muted: silence" "$work/report.md"
finish
