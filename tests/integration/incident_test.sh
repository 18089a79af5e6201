#!/usr/bin/env bash
# The incident workflow end to end on 127.0.0.1: an outage fires and resolves a page; people page
# from Slack through POST /slack/command (signed as Slack signs, and refused when unsigned, stale,
# replayed, from the wrong channel or person); the history API shows the outage; and
# `prober report` writes a report whose timeline holds the outage and the Slack page, in order.
# Usage: incident_test.sh PROBER TARGET_SERVER NOTIFY_STANDIN
set -uo pipefail
prober=$1
source "$(dirname "$0")/lib.sh"

start_target_and_standin "$2" "$3"
export TEST_PD_KEY="R0UT1NGKEY0123456789abcdefINCIDT"  # 32 characters
export TEST_SLACK_SIGNING="slack-signing-Secret-0123456789abcdef"

cat >"$work/checks.toml" <<TOML
[defaults]
interval = "200ms"
timeout = "200ms"
failure_threshold = 3
success_threshold = 1
notify = ["pagerduty"]

[notifiers.pagerduty]
type = "pagerduty"
routing_key = "\${TEST_PD_KEY}"
url = "$standin/v2/enqueue"

[slack_command]
signing_secret = "\${TEST_SLACK_SIGNING}"
notifier = "pagerduty"
allowed_channels = ["C0INCIDENT"]
allowed_users = ["U0ALICE"]

[[check]]
name = "api"
url = "$target/switch"
labels = { team = "payments" }
assert = ["status == 200"]
TOML

set_target() { curl -sf "$target/switch/set?status=$1" >/dev/null; }
set_target 200
start_daemon "$prober" "$work/checks.toml" "$work/daemon.log" --state-dir "$work/state"

# --- an outage: fires, then resolves ---
expect "the check passes first" \
  wait_for bash -c "curl -sf '$api/api/v1/checks/api' | jq -e '.runs.success >= 2' >/dev/null"
set_target 503
expect "the outage pages" wait_up_to 10 pd_count_is 1 trigger prober:api
set_target 200
expect "recovery resolves the page" wait_up_to 10 pd_count_is 1 resolve prober:api

# --- paging from Slack ---
status_is() { [[ "$(cat "$work/$1.status")" == "$2" ]]; }
answer_has() { jq -e --arg t "$2" --arg r "$3" '.response_type == $r and (.text | contains($t))' "$work/$1.json" >/dev/null; }

allowed=$(form T0ACME C0INCIDENT U0ALICE 'checkout+is+down+for+EU')
ts=$(date +%s)
slack_post page "$allowed" "$ts"
expect "an allowed user in an allowed channel pages: 200" status_is page 200
expect "... and the answer tells the channel who paged" \
  answer_has page "<@U0ALICE> paged on-call through pagerduty: checkout is down for EU" in_channel
slack_page() {
  standin_events pagerduty | jq -c '[.[] | select(.dedup_key | startswith("prober:slack:U0ALICE:"))]'
}
slack_page_count_is() { [[ "$(slack_page | jq length)" == "$1" ]]; }
expect "PagerDuty receives the page through the outbox" wait_up_to 10 slack_page_count_is 1
expect "its summary is the command text; its details name the Slack user and channel" \
  jq_true '.[0].payload | .summary == "checkout is down for EU" and .severity == "critical" and
         .custom_details.paged_by == "alice (U0ALICE)" and
         .custom_details.slack_channel == "#incidents (C0INCIDENT)"' <(slack_page)

slack_post replay "$allowed" "$ts"
expect "the same signed request again is refused as a replay" status_is replay 401
expect "... saying so" answer_has replay "already received" ephemeral
slack_post wrong "$allowed" "" "not-the-signing-secret"
expect "a wrong signature is refused" status_is wrong 401
slack_post stale "$(form T0ACME C0INCIDENT U0ALICE stale)" "$(($(date +%s) - 600))"
expect "a timestamp 10 minutes old is refused" status_is stale 401
slack_post future "$(form T0ACME C0INCIDENT U0ALICE future)" "$(($(date +%s) + 600))"
expect "a timestamp 10 minutes ahead is refused" status_is future 401
code=$(curl -s -o "$work/unsigned.json" -w '%{http_code}' -X POST "$api/slack/command" --data-binary "$allowed")
expect "an unsigned request is refused" test "$code" = 401
slack_post channel "$(form T0ACME C0RANDOM U0ALICE 'page+from+random')"
expect "another channel is refused, only to the requester" answer_has channel "channel is not allowed" ephemeral
slack_post user "$(form T0ACME C0INCIDENT U0MALLORY 'page+me')"
expect "someone not on the list is refused" answer_has user "not on the list" ephemeral
slack_post usage "$(form T0ACME C0INCIDENT U0ALICE '')"
expect "empty text gets the usage" answer_has usage "Usage: /page" ephemeral
slack_post malformed 'team_id=T0ACME&channel_id=C0INCIDENT&user_id=U0ALICE&command=%2Fpage&text=%zz'
expect "a malformed form body is refused" status_is malformed 400
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$api/slack/command" --data-binary 'ssl_check=1&token=x')
expect "Slack's unsigned ssl_check is answered 200" test "$code" = 200
code=$(curl -s -o /dev/null -w '%{http_code}' "$api/slack/command")
expect "GET is not allowed" test "$code" = 405
# A refused request queues nothing; once the outbox is empty, anything queued was delivered (the
# exact rule is a unit test: tests/unit/prober/daemon_test.cpp).
expect "the outbox is empty" \
  wait_up_to 10 bash -c "curl -sf '$api/metrics' | grep -qx 'prober_outbox_pending 0'"
expect "none of the refused requests paged anyone" slack_page_count_is 1
expect "every refusal is logged" test "$(grep -c 'slack command refused' "$work/daemon.log")" -ge 8

# --- the history API ---
curl -sf "$api/api/v1/checks/api/history?since=10m" >"$work/history.json"
expect "the history API has the failed runs with their assertion" \
  jq_true '[.runs[] | select(.passed == false)] | length >= 3 and (.[0].failure == "status == 200 (got 503)")' "$work/history.json"
expect "... the alert firing and resolving" \
  jq_true '[.events[] | select(.type == "alert") | .action] == ["fired", "resolved"]' "$work/history.json"
expect "... and each delivery with its answer" \
  jq_true '[.events[] | select(.type == "notification" and .outcome == "delivered")] | length == 2' "$work/history.json"
curl -sf "$api/checks/api" >"$work/check.html"
expect "the check's status page shows its failed runs from the history" \
  grep -qF 'status == 200 (got 503)' "$work/check.html"
expect "... and its alert and pages" \
  bash -c "grep -qF 'alert fired' '$work/check.html' && grep -qF 'trigger to pagerduty: delivered' '$work/check.html'"
code=$(curl -s -o /dev/null -w '%{http_code}' "$api/checks/nope")
expect "the status page of an unknown check is a 404" test "$code" = 404
code=$(curl -s -o /dev/null -w '%{http_code}' "$api/api/v1/checks/api/history?since=yesterday")
expect "a bad since is a 400" test "$code" = 400
code=$(curl -s -o /dev/null -w '%{http_code}' "$api/api/v1/checks/nope/history")
expect "an unknown check is a 404" test "$code" = 404

kill -TERM "$daemon_pid"
wait "$daemon_pid"

# --- the report ---
"$prober" report -c "$work/checks.toml" --state-dir "$work/state" --since 1h >"$work/report.md" 2>"$work/report.err"
expect "prober report exits 0" test $? = 0
for heading in "## Description" "## Area of Influence" "## Timeline" "## Root Cause" "## Action Items"; do
  expect "the report has $heading" grep -qxF "$heading" "$work/report.md"
done
expect "the description names the first failed assertion" \
  grep -qF 'runs failed, in 1 outage; the first at' "$work/report.md"
expect "... and gives time to detect and to resolve" \
  bash -c "grep -q 'time to detect' '$work/report.md' && grep -q 'time to resolve' '$work/report.md'"
expect "the area of influence has the URL, labels and who was paged" \
  grep -qE "^\| api \| \`$target/switch\` \| team=payments \| [0-9]+ of [0-9]+ \| fired 1, resolved 1 \| pagerduty: trigger delivered, resolve delivered \|$" "$work/report.md"
timeline=$(sed -n '/^## Timeline/,/^## Root Cause/p' "$work/report.md")
line_of() { grep -nF -- "$1" <<<"$timeline" | head -1 | cut -d: -f1; }
failing=$(grep -nE -- '\*\*api\*\* down until .*: [0-9]+ runs, first `status == 200 \(got 503\)`' <<<"$timeline" | head -1 | cut -d: -f1)
fired=$(line_of '**api** alert fired')
sent=$(line_of '**api** trigger to pagerduty: delivered')
resolved=$(line_of '**api** alert resolved')
slack=$(line_of 'Slack: alice (U0ALICE) in #incidents (C0INCIDENT) paged on-call through pagerduty: "checkout is down for EU"')
slack_sent=$(line_of 'page from Slack to pagerduty: delivered')
expect "the timeline has the outage and the Slack page" \
  test -n "$failing" -a -n "$fired" -a -n "$sent" -a -n "$resolved" -a -n "$slack" -a -n "$slack_sent"
expect "... in order: the outage (start, end, runs, first failure), fired, paged, resolved, then the Slack page" \
  test "${failing:-0}" -lt "${fired:-0}" -a "${fired:-0}" -lt "${sent:-0}" -a "${sent:-0}" -lt "${resolved:-0}" \
  -a "${resolved:-0}" -lt "${slack:-0}" -a "${slack:-0}" -lt "${slack_sent:-0}"
expect "refused Slack requests are in the timeline too" grep -qF '(U0MALLORY) in #incidents (C0INCIDENT) ("page me"): you are not on the list' "$work/report.md"
expect "... and the request for the usage" grep -qF 'Slack: alice (U0ALICE) in #incidents (C0INCIDENT) asked for the usage' "$work/report.md"
for secret in "$TEST_PD_KEY" "$TEST_SLACK_SIGNING"; do
  expect "no secret in the report, the log or the history API" \
    bash -c "! grep -qF '$secret' '$work/report.md' '$work/daemon.log' '$work/history.json'"
done
expect_exit 2 "a bad --since is a usage error" "$prober" report -c "$work/checks.toml" --state-dir "$work/state" --since soon
expect_exit 1 "a state directory without history says so" "$prober" report -c "$work/checks.toml" --state-dir "$work/empty"
expect "... naming it" grep -q "no history at" "$work/err"
finish
