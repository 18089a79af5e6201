#!/usr/bin/env bash
# The alertmanager notifier against a real Alertmanager (Debian's prometheus-alertmanager) on
# 127.0.0.1: a failing check's alert appears with its labels and annotations, stays while the
# check fails (re-sent before its endsAt passes), and resolves when the check passes again;
# a second cluster member that is down does not hold delivery up.
# Usage: alertmanager_test.sh PROBER TARGET_SERVER
set -uo pipefail
prober=$1
source "$(dirname "$0")/lib.sh"
start_target "$2"
set_target() { curl -sf "$target/switch/set?status=$1" >/dev/null; }
set_target 200

cat >"$work/alertmanager.yml" <<'YAML'
route:
  receiver: nobody
  group_wait: 1s
receivers:
  - name: nobody
YAML
start_listener alertmanager prometheus-alertmanager --config.file="$work/alertmanager.yml" \
  --storage.path="$work/am-data" --web.listen-address=127.0.0.1:PORT --cluster.listen-address=
am="http://127.0.0.1:$alertmanager_port"
wait_up_to 30 curl -sf "$am/-/ready" || { echo "alertmanager is not ready"; cat "$work/alertmanager.log"; exit 1; }

# A member that is down: a port nothing listens on (the target server's, shifted, checked).
down_port=$((target_port + 1))
while curl -s -o /dev/null "http://127.0.0.1:$down_port/"; do down_port=$((down_port + 1)); done

cat >"$work/checks.toml" <<TOML
[prober]
external_url = "http://prober.example.com:9115"
state_dir = "$work/state"

[notifiers.am]
type = "alertmanager"
urls = ["http://127.0.0.1:$down_port", "$am"]
resend = "2s"
timeout = "1s"

[[check]]
name = "api"
url = "$target/switch"
interval = "200ms"
timeout = "200ms"
failure_threshold = 2
labels = { team = "payments", env = "prod" }
notify = ["am"]
assert = ["status == 200"]
TOML
start_daemon "$prober" "$work/checks.toml" "$work/prober.log"

# The alerts Alertmanager holds as active (resolved ones are not listed).
am_alerts() { curl -sf "$am/api/v2/alerts?active=true"; }
alert_count_is() { [[ $(am_alerts | jq '[.[] | select(.labels.check == "api")] | length') == "$1" ]]; }
metric() { curl -sf "$api/metrics" | awk -v name="$1" '$1 == name {print $2}'; }

sleep 1
expect "a passing check sends nothing" alert_count_is 0

set_target 503
expect "a failing check's alert appears in Alertmanager" wait_up_to 10 alert_count_is 1
am_alerts >"$work/alert.json"
expect "its labels: alertname, check, severity and the config labels" \
  jq_true '.[0].labels == {"alertname": "ProberCheckFailing", "check": "api",
    "severity": "critical", "team": "payments", "env": "prod"}' "$work/alert.json"
expect "its annotations say what failed, and where" \
  jq_true --arg url "$target/switch" '.[0].annotations.summary == "api is failing: status == 200 (got 503)"
    and (.[0].annotations.description | startswith("status == 200 (got 503)"))
    and .[0].annotations.url == $url' "$work/alert.json"
expect "its generatorURL is the check's page" \
  jq_true '.[0].generatorURL == "http://prober.example.com:9115/checks/api"' "$work/alert.json"
expect "it is active" jq_true '.[0].status.state == "active"' "$work/alert.json"
first_end=$(jq -r '.[0].endsAt' "$work/alert.json")
first_start=$(jq -r '.[0].startsAt' "$work/alert.json")

# endsAt is 4 resends (8 s) ahead: 12 s later the alert still holds only if it was re-sent.
sleep 12
am_alerts >"$work/later.json"
expect "12 s later (past the first endsAt) it is still active: re-sent while firing" \
  jq_true '[.[] | select(.labels.check == "api" and .status.state == "active")] | length == 1' \
  "$work/later.json"
expect "re-sends moved endsAt on and kept startsAt" \
  jq_true --arg firstEnd "$first_end" --arg firstStart "$first_start" \
  '.[0].endsAt > $firstEnd and .[0].startsAt == $firstStart' "$work/later.json"
delivered=$(curl -sf "$api/metrics" | awk '$1 == "prober_notifications_total{notifier=\"am\",result=\"delivered\"}" {print $2}')
expect "prober counted the trigger and its re-sends as delivered ($delivered)" \
  test "${delivered:-0}" -ge 4
expect "the member that is down did not hold anything up: the outbox is empty" \
  test "$(metric prober_outbox_pending)" == 0
expect "the history has the trigger's delivery once, not every re-send" \
  jq_true '[.events[] | select(.type == "notification")] | length == 1' \
  <(curl -sf "$api/api/v1/checks/api/history")

set_target 200
expect "when the check passes, the alert resolves in Alertmanager" wait_up_to 10 alert_count_is 0
sleep 5
expect "and is not sent again" alert_count_is 0

finish
