#!/usr/bin/env bash
# More than one machine, end to end on one machine with Debian's packages (SPEC section 12):
# three prober instances as three "locations" (separate state directories, one config whose
# target URL comes from ${TARGET}), a real Prometheus scraping all three with
# examples/quorum/rules.yml, two real Alertmanagers clustered on 127.0.0.1, and the PagerDuty
# stand-in. One location failing pages nobody; two page exactly one incident; recovery resolves
# it; kill -9 of one Alertmanager mid-incident and the other still delivers. A check silenced at
# two locations of three pages nothing until one silence goes; every check down from every
# location (a provider outage) pages each of them. Then three shards
# of one location split 1,000 checks: every check on exactly one shard, and killing one fires
# the prober-down alert. The rules' waits are shortened here (keep_firing_for 2m -> 5s, for 1m
# -> 2s); tests/prometheus/quorum_test.yml proves them at their real lengths.
# Usage: quorum_test.sh PROBER TARGET_SERVER NOTIFY_STANDIN EXAMPLES_DIR
set -uo pipefail
prober=$1
examples=$4
source "$(dirname "$0")/lib.sh"
start_target_and_standin "$2" "$3"
set_switch() { curl -sf "$target/switches/$1/set?status=$2" >/dev/null; }
free_port() {  # a port nothing answers on now
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    curl -s -o /dev/null "http://127.0.0.1:$port/" || { echo "$port"; return; }
  done
}

# --- three locations: the same config, TARGET differs ---
cat >"$work/quorum.toml" <<TOML
[defaults]
interval = "250ms"
timeout = "250ms"
failure_threshold = 3
success_threshold = 2
page = "quorum"

[[check]]
name = "api"
url = "\${TARGET}"
assert = ["status == 200"]

[[check]]
name = "web"
url = "$target/switches/web"

[[check]]
name = "db"
url = "$target/switches/db"
TOML
declare -A location_api location_pid
for location in tokyo frankfurt virginia; do
  TARGET="$target/switches/$location" start_daemon "$prober" "$work/quorum.toml" \
    "$work/prober-$location.log" --state-dir "$work/state-$location"
  location_api[$location]=$api
  location_pid[$location]=$daemon_pid
done
expect "each location runs the three checks" bash -c "
  for a in ${location_api[*]}; do curl -sf \$a/api/v1/checks | jq -e '.checks | length == 3' >/dev/null || exit 1; done"

# --- three shards of one location: 1,000 checks ---
{
  printf '[defaults]\ninterval = "1m"\ntimeout = "2s"\n'
  for i in $(seq -w 0 999); do printf '\n[[check]]\nname = "c%s"\nurl = "%s/ok"\n' "$i" "$target"; done
} >"$work/shards.toml"
declare -A shard_api shard_pid
for k in 1 2 3; do
  start_daemon "$prober" "$work/shards.toml" "$work/shard-$k.log" --state-dir "$work/shard-$k" --shard "$k/3"
  shard_api[$k]=$api
  shard_pid[$k]=$daemon_pid
done

# --- two Alertmanagers in a cluster, paging the PagerDuty stand-in ---
cat >"$work/alertmanager.yml" <<YAML
route:
  receiver: pagerduty
  group_by: [alertname, check]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: pagerduty
    pagerduty_configs:
      - routing_key: R0UT1NGKEY0123456789abcdefQUORUM
        url: $standin/v2/enqueue
        send_resolved: true
YAML
# The gossip port is picked with the web port (PORT2), so a port another test took meanwhile
# is retried like the web port is.
start_listener am1 prometheus-alertmanager --config.file="$work/alertmanager.yml" \
  --storage.path="$work/am1" --web.listen-address=127.0.0.1:PORT \
  --cluster.listen-address=127.0.0.1:PORT2 --cluster.peer-timeout=1s
start_listener am2 prometheus-alertmanager --config.file="$work/alertmanager.yml" \
  --storage.path="$work/am2" --web.listen-address=127.0.0.1:PORT \
  --cluster.listen-address=127.0.0.1:PORT2 --cluster.peer=127.0.0.1:$am1_port2 --cluster.peer-timeout=1s
for am in "$am1_port" "$am2_port"; do
  wait_up_to 30 curl -sf "http://127.0.0.1:$am/-/ready" || { echo "alertmanager $am is not ready"; cat "$work"/am*.log; exit 1; }
done
expect "the two Alertmanagers form one cluster" wait_up_to 30 bash -c \
  "curl -sf http://127.0.0.1:$am1_port/api/v2/status | jq -e '.cluster.peers | length == 2' >/dev/null"

# --- Prometheus: the locations, the shards, the rules ---
sed -e 's/keep_firing_for: 2m/keep_firing_for: 5s/' -e 's/for: [12]m/for: 2s/' \
  "$examples/quorum/rules.yml" >"$work/quorum-rules.yml"
sed -e 's/up{job="prober"} == 0/up{job="prober-shards"} == 0/' -e 's/for: 1m/for: 2s/' \
  "$examples/alerts.yml" >"$work/alerts.yml"
{
  cat <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [quorum-rules.yml, alerts.yml]
alerting:
  alertmanagers:
    - static_configs:
        - targets: ["127.0.0.1:$am1_port", "127.0.0.1:$am2_port"]
scrape_configs:
  - job_name: prober
    static_configs:
YAML
  for location in tokyo frankfurt virginia; do
    printf '      - targets: ["%s"]\n        labels: { location: %s }\n' "${location_api[$location]#http://}" "$location"
  done
  printf '  - job_name: prober-shards\n    static_configs:\n      - targets: [%s]\n' \
    "$(for k in 1 2 3; do printf '"%s",' "${shard_api[$k]#http://}"; done | sed 's/,$//')"
} >"$work/prometheus.yml"
expect "the Prometheus config is valid" bash -c "promtool check config '$work/prometheus.yml' >/dev/null"
start_listener prometheus prometheus --config.file="$work/prometheus.yml" \
  --storage.tsdb.path="$work/tsdb" --web.listen-address=127.0.0.1:PORT
prom="http://127.0.0.1:$prometheus_port"
wait_up_to 30 curl -sf "$prom/-/ready" || { echo "prometheus is not ready"; cat "$work/prometheus.log"; exit 1; }
query() { curl -sf -G "$prom/api/v1/query" --data-urlencode "query=$1" | jq -c '.data.result'; }
value_is() { [[ "$(query "$1" | jq -r '.[0].value[1] // "none"')" == "$2" ]]; }
expect "Prometheus sees three locations reporting api" wait_up_to 30 value_is 'prober:check_locations_reporting{check="api"}' 3

# PagerDuty events at the stand-in: how many dedup keys, and the actions in order.
pd_keys() { standin_events pagerduty | jq '[.[].dedup_key] | unique | length'; }
pd_actions_are() { [[ "$(standin_events pagerduty | jq -c '[.[].event_action]')" == "$1" ]]; }

# --- one location failing: nobody is paged ---
set_switch tokyo 503
expect "tokyo sees api failing" wait_up_to 10 bash -c "curl -sf ${location_api[tokyo]}/api/v1/checks/api | jq -e .alert_firing >/dev/null"
expect "Prometheus counts one location failing" wait_up_to 15 value_is 'prober:check_locations_failing{check="api"}' 1
sleep 5
expect "one location of three pages nobody" test "$(standin_events pagerduty | jq length)" = 0
expect "no prober paged by itself (page = quorum)" test "$(standin_events slack | jq length)$(standin_events pagerduty | jq length)" = 00

# --- two locations failing: exactly one incident ---
set_switch frankfurt 503
expect "two agree: PagerDuty gets a trigger" wait_up_to 30 pd_actions_are '["trigger"]'
sleep 5
expect "exactly one incident: one trigger, one dedup_key, from two Alertmanagers" bash -c \
  "[[ \$(curl -sf '$standin/events?target=pagerduty' | jq -c '[.[].event_action]') == '[\"trigger\"]' ]]"
trigger=$(standin_events pagerduty | jq -c '.[0]')
expect "the page names the quorum alert and the check" \
  jq_true '.payload.summary | contains("ProberCheckFailingQuorum") and contains("api")' <<<"$trigger"

# --- one Alertmanager dies mid-incident; recovery still resolves, once ---
kill -9 "$am1_pid"
set_switch tokyo 200
set_switch frankfurt 200
expect "recovery resolves the incident (through the surviving Alertmanager)" wait_up_to 40 pd_actions_are '["trigger","resolve"]'
expect "one dedup_key from start to end" test "$(pd_keys)" = 1
sleep 3
expect "nothing more arrives" pd_actions_are '["trigger","resolve"]'

# --- holds: api fails everywhere, silenced at tokyo and frankfurt: one vote, no page ---
declare -A silence_id
for location in tokyo frankfurt; do
  silence_id[$location]=$(curl -sf -X POST -H "Content-Type: application/json" \
    "${location_api[$location]}/api/v1/silences" \
    -d '{"checks": ["api"], "duration": "1h", "comment": "quorum test"}' | jq -r .id)
done
# Prometheus learns of a silence at its next scrape: the failure starts once it has, or its
# first failing scrape could count a vote the silence was meant to remove.
expect "Prometheus sees api held at two locations" \
  wait_up_to 15 value_is 'count(prober:check_held:location{check="api"} == 1)' 2
for location in tokyo frankfurt virginia; do set_switch "$location" 503; done
expect "all three see it failing; one vote counts" wait_up_to 15 bash -c "
  curl -sf -G '$prom/api/v1/query' --data-urlencode 'query=count(prober:check_failing:location{check=\"api\"} == 1)' | jq -e '.data.result[0].value[1] == \"3\"' >/dev/null &&
  curl -sf -G '$prom/api/v1/query' --data-urlencode 'query=prober:check_locations_failing{check=\"api\"}' | jq -e '.data.result[0].value[1] == \"1\"' >/dev/null"
sleep 5
expect "silenced at two locations of three: nothing is paged" pd_actions_are '["trigger","resolve"]'
curl -sf -o /dev/null -X DELETE "${location_api[frankfurt]}/api/v1/silences/${silence_id[frankfurt]}"
expect "frankfurt's silence deleted: two votes page" wait_up_to 30 pd_actions_are '["trigger","resolve","trigger"]'
for location in tokyo frankfurt virginia; do set_switch "$location" 200; done
expect "recovery resolves it" wait_up_to 40 pd_actions_are '["trigger","resolve","trigger","resolve"]'
curl -sf -o /dev/null -X DELETE "${location_api[tokyo]}/api/v1/silences/${silence_id[tokyo]}"

# --- a provider outage: every check down from every location pages each check ---
before=$(standin_events pagerduty | jq length)
new_events() { standin_events pagerduty | jq -c --argjson n "$before" '.[$n:]'; }
for location in tokyo frankfurt virginia; do set_switch "$location" 503; done
set_switch web 503
set_switch db 503
outage_paged() {
  new_events | jq -e '[.[] | select(.event_action == "trigger")] | length == 3 and
    ([.[].payload.summary] | (any(contains("api")) and any(contains("web")) and any(contains("db"))))' >/dev/null
}
expect "all three checks down from all three locations: three incidents" wait_up_to 30 outage_paged
for location in tokyo frankfurt virginia; do set_switch "$location" 200; done
set_switch web 200
set_switch db 200
expect "recovery resolves all three" wait_up_to 40 bash -c "
  curl -sf '$standin/events?target=pagerduty' | jq -e --argjson n $before '.[\$n:] | [.[] | select(.event_action == \"resolve\")] | length == 3' >/dev/null"

# --- shards: every check on exactly one shard ---
for k in 1 2 3; do curl -sf "${shard_api[$k]}/api/v1/checks" | jq -r '.checks[].name' >"$work/shard-$k.names"; done
expect "the shards' checks together are all 1,000" test "$(cat "$work"/shard-*.names | sort -u | wc -l)" = 1000
expect "and no check runs twice" test "$(cat "$work"/shard-*.names | wc -l)" = 1000
for k in 1 2 3; do
  "$prober" validate -c "$work/shards.toml" --shard "$k/3" --list >"$work/listed-$k.names"
  expect "validate --shard $k/3 --list names what shard $k runs ($(wc -l <"$work/shard-$k.names") checks)" \
    cmp -s <(sort "$work/listed-$k.names") <(sort "$work/shard-$k.names")
done
expect "each shard says which it is" bash -c "curl -sf ${shard_api[2]}/metrics | grep -qx 'prober_shard_info{shard=\"2\",shards=\"3\"} 1'"
kill -9 "${shard_pid[2]}"
down_instance="${shard_api[2]#http://}"
expect "killing a shard fires the prober-down alert for it" wait_up_to 30 bash -c \
  "curl -sf '$prom/api/v1/alerts' | jq -e --arg i '$down_instance' '[.data.alerts[] | select(.labels.alertname == \"ProberDown\" and .state == \"firing\" and .labels.instance == \$i)] | length == 1' >/dev/null"
finish
