#!/usr/bin/env bash
# Text from targets is data (SPEC §9), end to end on 127.0.0.1: a target answers with invalid
# UTF-8 and with multi-byte characters where a byte count would cut, and a check has the
# longest name a config allows. Each pages, and PagerDuty's and Slack's stand-ins (strict UTF-8,
# PagerDuty's documented limits) accept every event; every output is checked with a strict
# UTF-8 decoder (iconv): the API, `once` as a table and as JSON, the status pages, the history
# API and the report.
# Usage: hostile_text_test.sh PROBER TARGET_SERVER NOTIFY_STANDIN
set -uo pipefail
prober=$1
source "$(dirname "$0")/lib.sh"

start_target_and_standin "$2" "$3"
export TEST_PD_KEY="R0UT1NGKEY0123456789abcdefHOSTIL"  # 32 characters
long_name=$(printf 'n%.0s' $(seq 200))

cat >"$work/checks.toml" <<TOML
[defaults]
interval = "200ms"
timeout = "200ms"
failure_threshold = 1
notify = ["pagerduty", "chat"]

[notifiers.pagerduty]
type = "pagerduty"
routing_key = "\${TEST_PD_KEY}"
url = "$standin/v2/enqueue"

[notifiers.chat]
type = "slack"
webhook_url = "$standin/slack/hook"

[[check]]
name = "bad-bytes"
url = "$target/hostile/invalid-utf8"
assert = ['body contains "nope"', 'header X-Weird == "x"']

[[check]]
name = "accents"
url = "$target/hostile/accents"
assert = ['json \$.status == "UP"', 'body contains "UP"']

[[check]]
name = "$long_name"
url = "$target/hostile/accents"
assert = ['body contains "UP"']
TOML

# strict_utf8 FILE: the file decodes as UTF-8 with nothing replaced.
strict_utf8() { iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1; }
# The same test has teeth: raw invalid bytes fail it.
printf 'hello \xff\xfe world' >"$work/invalid.txt"
expect "the strict decoder refuses invalid bytes" bash -c "! iconv -f UTF-8 -t UTF-8 '$work/invalid.txt' >/dev/null 2>&1"

expect_exit 1 "once: the hostile checks fail" "$prober" once -c "$work/checks.toml"
cp "$work/out" "$work/once.txt"
expect "once table: strict UTF-8" strict_utf8 "$work/once.txt"
expect "once table: the bad bytes are shown replaced" grep -q 'got "hello �� world�"' "$work/once.txt"
expect_exit 1 "once --format json" "$prober" once -c "$work/checks.toml" --format json
cp "$work/out" "$work/once.json"
expect "once json: strict UTF-8" strict_utf8 "$work/once.json"
expect "once json: parses" jq_true '.checks | length == 3' "$work/once.json"

start_daemon "$prober" "$work/checks.toml" "$work/daemon.log" --state-dir "$work/state"
expect "bad-bytes pages PagerDuty, which accepts it" wait_up_to 10 pd_count_is 1 trigger prober:bad-bytes
expect "accents pages PagerDuty, which accepts it" wait_up_to 10 pd_count_is 1 trigger prober:accents
expect "the 200-character name pages PagerDuty, which accepts it" wait_up_to 10 pd_count_is 1 trigger "prober:$long_name"
slack_count() { standin_events slack | jq 'length'; }
expect "Slack hears about all three" wait_up_to 10 bash -c "[[ \$(curl -sf '$standin/events?target=slack' | jq length) -ge 3 ]]"
curl -sf "$standin/stats" >"$work/stats.json"
expect "no event was invalid at either stand-in" jq_true '.pagerduty.invalid == 0 and .slack.invalid == 0' "$work/stats.json"
standin_events pagerduty >"$work/pd.json"
curl -sf "$standin/raw?target=pagerduty" >"$work/pd.raw"
expect "PagerDuty events as sent: strict UTF-8" strict_utf8 "$work/pd.raw"
expect "the PagerDuty summary quotes the replaced bytes" \
  jq_true '[.[] | select(.dedup_key == "prober:bad-bytes") | .payload.summary | contains("hello �� world�")] | any' "$work/pd.json"
expect "PagerDuty: latency_ms is a plain number" \
  bash -c "grep -q '\"latency_ms\":[0-9]' '$work/pd.raw' && ! grep -q '\"latency_ms\":[0-9.]*[eE]' '$work/pd.raw'"
curl -sf "$standin/raw?target=slack" >"$work/slack.raw"
expect "Slack messages as sent: strict UTF-8" strict_utf8 "$work/slack.raw"

expect "the history has runs" wait_up_to 10 bash -c "curl -sf '$api/api/v1/checks/bad-bytes/history' | jq -e '.runs | length >= 2' >/dev/null"
for path in /api/v1/checks /api/v1/checks/bad-bytes /api/v1/checks/accents / /checks/bad-bytes \
  /checks/accents /api/v1/checks/bad-bytes/history /api/v1/checks/accents/history "/checks/$long_name"; do
  curl -sf "$api$path" >"$work/page.out"
  expect "GET ${path:0:40}: strict UTF-8 ($(wc -c <"$work/page.out") bytes)" strict_utf8 "$work/page.out"
done
expect "the API shows the replaced bytes" \
  bash -c "curl -sf '$api/api/v1/checks/bad-bytes' | jq -e '.last_result.failures[0] | contains(\"hello �� world�\")' >/dev/null"

kill -TERM "$daemon_pid"
wait "$daemon_pid" 2>/dev/null
"$prober" report -c "$work/checks.toml" --state-dir "$work/state" --since 1h >"$work/report.md" 2>"$work/report.err"
expect "report: written" grep -q "^# Incident report" "$work/report.md"
expect "report: strict UTF-8" strict_utf8 "$work/report.md"
expect "report: names the hostile checks" grep -q "bad-bytes" "$work/report.md"

finish
