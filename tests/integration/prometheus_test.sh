#!/usr/bin/env bash
# prober scraped by a real Prometheus (Debian's) the blackbox way, with examples/prometheus.yml:
# every check is a target named by `instance`, carries its config labels, and is the one
# series per check of every query of examples/grafana/prober.json; examples/alerts.yml fires
# per check, and a silence made at prober holds its ProberCheckFailing until it is deleted. When blackbox_exporter's published rules and dashboards are at hand (PROBER_PEERS_DIR:
# the awesome-prometheus-alerts rules, the blackbox-exporter mixin's rules and dashboard,
# Grafana dashboard 16293), their rules fire per check too and their queries find one series
# per check. They are not part of this repository: `make test` passes ../shared/peers-data when
# it is next to the checkout (CMake's PROBER_PEERS_DIR). Without them the test runs the rest,
# then exits 77, which ctest reports as skipped (SKIP_RETURN_CODE) and `make test` fails on unless
# told to expect it (EXPECTED_SKIPS): it never passes with half of it unrun. A directory that
# is given but lacks a file fails.
# Usage: [PROBER_PEERS_DIR=DIR] prometheus_test.sh PROBER TARGET_SERVER EXAMPLES_DIR
set -uo pipefail
prober=$1
examples=$(cd "$3" && pwd)
peers=${PROBER_PEERS_DIR:-}
source "$(dirname "$0")/lib.sh"
published=(awesome-blackbox-exporter.yml mixin-prometheus_alerts.yaml
  mixin-blackbox-exporter-dashboard.json grafana-16293-blackbox-http.json)
if [[ -n $peers ]]; then
  for file in "${published[@]}"; do
    [[ -f $peers/$file ]] || { echo "PROBER_PEERS_DIR=$peers has no $file"; exit 1; }
  done
fi
start_target "$2"

# --- a TLS target whose certificate expires in 10 days (openssl's own server) ---
self_signed tls 10
start_listener tls openssl s_server -accept 127.0.0.1:PORT -cert "$work/tls.pem" \
  -key "$work/tls.key" -www -quiet

cat >"$work/checks.toml" <<TOML
[prober]
state_dir = "$work/state"

[defaults]
interval = "1s"
timeout = "1s"
failure_threshold = 2

[notifiers.pagerduty]
type = "pagerduty"
routing_key = "R0UT1NGKEY0123456789abcdef012345"
url = "$target/status/202"

[[check]]
name = "api"
url = "$target/ok"
labels = { team = "payments", env = "prod" }
assert = ["status == 200"]

[[check]]
name = "web"
url = "$target/ok"
labels = { team = "web" }
assert = ["status == 200"]

[[check]]
name = "broken"
url = "$target/status/503"
labels = { team = "payments" }
assert = ["status == 200"]

[[check]]
name = "expiring"
url = "https://127.0.0.1:$tls_port/"
ca_file = "$work/tls.pem"
assert = ["status == 200"]
TOML
start_daemon "$prober" "$work/checks.toml" "$work/prober.log"
address=${api#http://}
checks='["api","broken","expiring","web"]'

# --- Prometheus: examples/prometheus.yml at prober's address, scraping and evaluating every
# second; the mixin's rules select their job by a label its users set (blackboxExporterSelector),
# here to the checks' job ---
rules=("$examples/alerts.yml")
if [[ -n $peers ]]; then
  rules+=("$peers/awesome-blackbox-exporter.yml")
  sed 's/job="blackbox-exporter"/job="prober-checks"/' "$peers/mixin-prometheus_alerts.yaml" \
    >"$work/mixin-rules.yml"
  rules+=("$work/mixin-rules.yml")
fi
{
  sed -e "s/127\.0\.0\.1:9115/$address/g" -e 's/\(scrape_interval\|evaluation_interval\): 15s/\1: 1s/' \
    -e 's/refresh_interval: 30s/refresh_interval: 1s/' -e '/^rule_files:/,/^$/d' \
    "$examples/prometheus.yml"
  echo "rule_files:"
  printf '  - %s\n' "${rules[@]}"
} >"$work/prometheus.yml"
expect "examples/prometheus.yml, pointed at this prober, is a valid config" \
  promtool check config "$work/prometheus.yml"
mkdir -p "$work/compose"
cp "$examples/compose/prometheus.yml" "$examples/alerts.yml" "$work/compose/"
expect "examples/compose/prometheus.yml (with alerts.yml beside it, as compose mounts them) too" \
  promtool check config "$work/compose/prometheus.yml"
start_listener prometheus prometheus --config.file="$work/prometheus.yml" \
  --storage.tsdb.path="$work/tsdb" --web.listen-address=127.0.0.1:PORT
prom="http://127.0.0.1:$prometheus_port"
wait_up_to 30 curl -sf "$prom/-/ready" || { echo "prometheus is not ready"; cat "$work/prometheus.log"; exit 1; }

# query EXPR: the result vector of an instant query, as JSON.
query() { curl -sf -G "$prom/api/v1/query" --data-urlencode "query=$1" | jq -c '.data.result'; }
targets_up() {
  curl -sf "$prom/api/v1/targets" | jq -e --argjson want "$checks" '
    [.data.activeTargets[] | select(.labels.job == "prober-checks" and .health == "up")
     | .labels.instance] | sort == $want' >/dev/null
}
expect "every check is a target of its own, and all are up" wait_up_to 30 targets_up
expect "prober itself is a target too" wait_up_to 30 \
  bash -c "curl -sf '$prom/api/v1/targets' | jq -e '[.data.activeTargets[] | select(.labels.job == \"prober\" and .health == \"up\")] | length == 1' >/dev/null"
# Every check has run and been scraped since (the TLS one included).
scraped() { [[ $(query 'probe_success{job="prober-checks"}' | jq length) == 4 ]]; }
expect "probe_success is scraped for every check" wait_up_to 30 scraped

query '{job="prober-checks"}' >"$work/series.json"
expect "every series of a check names it in instance and in check" \
  jq_true 'length > 100 and all(.[]; .metric.instance == .metric.check)' "$work/series.json"
expect "config labels are on every series of their check (team, env)" \
  jq_true '[.[] | select(.metric.instance == "api")] | length > 20 and
           all(.[]; .metric.team == "payments" and .metric.env == "prod")' "$work/series.json"
expect "a check without a label has none (web has team only)" \
  jq_true '[.[] | select(.metric.instance == "web")] | all(.[]; .metric.team == "web" and (.metric.env == null))' \
  "$work/series.json"
expect "the url is a target label, placeholders and all" \
  jq_true --arg url "$target/ok" 'all(.[] | select(.metric.instance == "api"); .metric.url == $url)' \
  "$work/series.json"
expect "the prober job carries no per-check series (dropped at scrape)" \
  jq_true 'length == 0' <(query '{job="prober", __name__=~"probe_.+|prober_check_.+"}')
expect "the prober job has prober's own series" \
  jq_true 'length == 1' <(query 'prober_build_info{job="prober"}')
expect "the new series are there per check: HTTP version (1.0 from openssl's server), IPv4, DNS time" \
  jq_true '[.[] | "\(.metric.instance) \(.value[1])"] | sort == ["api 1.1", "broken 1.1", "expiring 1", "web 1.1"]' \
  <(query 'probe_http_version{job="prober-checks"} and on (instance) probe_ip_protocol == 4 and on (instance) probe_dns_lookup_time_seconds >= 0')

# --- dashboards: every query finds data, and a query by instance has one series per check ---
# dashboard_queries FILE: its query expressions, one per line (multi-line ones joined).
dashboard_queries() {
  jq -r '[.. | objects | select(has("expr")) | .expr] | .[] | gsub("\n"; " ")' "$1"
}
# check_query LABEL EXPR: the query, with the dashboards' variables set to every check, finds
# data; when its series have an instance, each is a check and none comes twice.
check_query() {
  local label=$1 expr=$2
  expr=${expr//\$__rate_interval/30s}
  expr=${expr//\$__range/5m}
  expr=${expr//\$__interval/5s}
  expr=${expr//\$job/prober-checks}
  expr=${expr//\$instance/.*}
  expr=${expr//\$cluster/}
  expr=${expr//\$project/.*}
  expr=${expr//\$app/.*}
  local result
  result=$(query "$expr")
  if ! jq -e 'length > 0' <<<"$result" >/dev/null; then
    not_ok "$label: finds no data ($expr)"
    return
  fi
  if jq -e 'any(.[]; .metric.instance != null)' <<<"$result" >/dev/null; then
    if jq -e --argjson want "$checks" '[.[].metric.instance] as $seen | ($seen | unique | length) == ($seen | length) and all($seen[]; IN($want[]))' <<<"$result" >/dev/null; then
      ok "$label: one series per check ($(jq -c '[.[].metric.instance]' <<<"$result"))"
    else
      not_ok "$label: $(jq -c '[.[].metric.instance]' <<<"$result")"
    fi
  else
    ok "$label: finds data"
  fi
}
# Runs every check at least twice more, so increase() and rate() have two samples to compare.
sleep 3
while IFS= read -r expr; do
  check_query "prober.json: $expr" "$expr"
done < <(dashboard_queries "$examples/grafana/prober.json")
expect "the status map shows every check, broken as 0" \
  jq_true --argjson want "$checks" '([.[].metric.instance] | sort == $want) and
    all(.[]; (.metric.instance == "broken") == (.value[1] == "0"))' \
  <(query 'max by (instance) (probe_success{job="prober-checks"})')
expect "failures by reason name the broken check's reason" \
  jq_true 'any(.[]; .metric.instance == "broken" and .metric.reason == "http_status")' \
  <(query 'sum by (instance, reason) (increase(prober_check_failures_total{job="prober-checks"}[30s]))')

if [[ -n $peers ]]; then
  for file in mixin-blackbox-exporter-dashboard.json grafana-16293-blackbox-http.json; do
    while IFS= read -r expr; do
      # ICMP series belong to ping probes, which prober does not run.
      [[ $expr == *probe_icmp_* ]] && continue
      check_query "$file: $expr" "$expr"
    done < <(dashboard_queries "$peers/$file")
  done
else
  echo "published dashboards: PROBER_PEERS_DIR not set (reported as a skip at the end)"
fi

# --- alerts: each fires for its check alone, named by instance ---
# alert_state NAME INSTANCE: "firing", "pending", or nothing.
alert_state() {
  curl -sf "$prom/api/v1/alerts" | jq -r --arg n "$1" --arg i "$2" \
    '[.data.alerts[] | select(.labels.alertname == $n and .labels.instance == $i) | .state] | sort | .[0] // empty'
}
alert_is() { [[ $(alert_state "$2" "$3") == "$1" ]]; }
# Only the checks that should alert: healthy ones never appear in any alert.
healthy_quiet() {
  curl -sf "$prom/api/v1/alerts" | jq -e '[.data.alerts[] | select(.labels.instance == "api" or .labels.instance == "web")] | length == 0' >/dev/null
}
expect "ProberCheckFailing fires for broken (prober's own thresholds)" \
  wait_up_to 30 alert_is firing ProberCheckFailing broken
expect "ProberCertificateExpiringSoon holds expiring (pending for its 10 minutes)" \
  wait_up_to 30 alert_is pending ProberCertificateExpiringSoon expiring
if [[ -n $peers ]]; then
  # Their `for: 1m` rules need a minute of failures before they fire.
  expect "published: BlackboxProbeFailed fires for broken, named by instance" \
    wait_up_to 100 alert_is firing BlackboxProbeFailed broken
  expect "published: BlackboxProbeHttpFailure fires for broken" \
    wait_up_to 30 alert_is firing BlackboxProbeHttpFailure broken
  expect "published: BlackboxSslCertificateWillExpireSoon fires for expiring" \
    wait_up_to 30 alert_is firing BlackboxSslCertificateWillExpireSoon expiring
  expect "published: the mixin's uptime alert fires for broken" \
    wait_up_to 30 alert_is firing BlackboxLowUptime30d broken
  curl -sf "$prom/api/v1/alerts" | jq -r '.data.alerts[] | "  alert: \(.labels.alertname) \(.labels.instance) \(.state) \(.annotations.summary // "")"' | sort -u
else
  echo "published alert rules: PROBER_PEERS_DIR not set (reported as a skip at the end)"
fi
expect "no alert names a healthy check (api, web)" healthy_quiet
expect "no alert names prober's address as the instance" \
  bash -c "curl -sf '$prom/api/v1/alerts' | jq -e --arg a '$address' '[.data.alerts[] | select(.labels.instance == \$a)] | length == 0' >/dev/null"

# --- a silence holds ProberCheckFailing as it holds prober's own page (prober_check_silenced
# reaches Prometheus through /probe); deleting it lets the alert fire again ---
silence=$(curl -sf -X POST -H "Content-Type: application/json" "$api/api/v1/silences" \
  -d '{"checks": ["broken"], "duration": "1h", "comment": "prometheus test"}' | jq -r .id)
expect "a silence for broken is created" test -n "$silence"
expect "prober_check_silenced is 1 for broken in Prometheus" wait_up_to 30 \
  bash -c "[[ \$(curl -sf -G '$prom/api/v1/query' --data-urlencode 'query=prober_check_silenced{job=\"prober-checks\",instance=\"broken\"}' | jq -r '.data.result[0].value[1]') == 1 ]]"
expect "ProberCheckFailing for broken ends while it is silenced" wait_up_to 30 \
  bash -c "[[ -z \$(curl -sf '$prom/api/v1/alerts' | jq -r '.data.alerts[] | select(.labels.alertname == \"ProberCheckFailing\" and .labels.instance == \"broken\") | .state') ]]"
curl -sf -o /dev/null -X DELETE "$api/api/v1/silences/$silence"
expect "and fires again once the silence is deleted (broken still fails)" \
  wait_up_to 30 alert_is firing ProberCheckFailing broken

finish || exit 1
if [[ -z $peers ]]; then
  echo "SKIPPED: blackbox_exporter's published rules and dashboards (PROBER_PEERS_DIR not set)"
  exit 77
fi
