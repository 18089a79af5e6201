#!/usr/bin/env bash
# Every file in examples/ is tested: by another test (named below) or here. Here: each parses
# (YAML with Debian's python3-yaml, JSON with jq, TOML with `prober validate`, Prometheus and
# Alertmanager configs with promtool and amtool); the compose and Kubernetes examples, which
# listen on every address, refuse to start until their user's hash is filled in and then ask
# for that user everywhere but the health checks; Kubernetes' liveness probe is /-/healthy and
# its readiness /healthz, and its history is capped well below its volume; every endpoint the
# manifests, Prometheus configs and Dockerfile name answers as they expect from a prober running
# their config; and every metric name the rules, dashboards and relabelings use is one prober
# exposes (or a series those rules record).
# Usage: examples_test.sh PROBER TARGET_SERVER EXAMPLES_DIR
set -uo pipefail
prober=$1
examples=$(cd "$3" && pwd)
source "$(dirname "$0")/lib.sh"
py=/usr/bin/python3  # Debian's, with python3-yaml (scripts/install-deps.sh test)

# --- every example file is someone's: a new one fails here until a test covers it ---
declare -A covered=(
  [Dockerfile]="tests/container/container_test.sh (make container); its HEALTHCHECK path here"
  [alerts.yml]="ctest alert-rules, prometheus; metric names here"
  [checks.toml]="here: validate"
  [compose.yaml]="here"
  [compose/prometheus.yml]="ctest prometheus (promtool check config); basic auth and names here"
  [compose/prober.toml]="here"
  [compose/checks.d/checks.toml]="here"
  [compose/grafana/dashboards.yaml]="here: parses, points at the dashboards' mount"
  [compose/grafana/datasource.yaml]="here: parses, points at the Prometheus service"
  [grafana/prober.json]="ctest prometheus (every query finds data); metric names here"
  [kubernetes.yaml]="here"
  [prober.service]="ctest systemd"
  [prometheus.yml]="ctest prometheus; metric names here"
  [quorum/alertmanager.yml]="here: amtool check-config, alert names"
  [quorum/prometheus.yml]="here: promtool check config"
  [quorum/rules.yml]="ctest quorum-rules, quorum; metric names here"
  [quorum/README.md]="documentation: who votes (its cases are quorum-rules' cases)"
)
while IFS= read -r file; do
  expect "examples/$file is covered by a test (${covered[$file]:-none})" test -n "${covered[$file]:-}"
done < <(cd "$examples" && find . -type f ! -name '*~' | sed 's|^\./||' | sort)

# --- parsing ---
while IFS= read -r file; do
  expect "examples/${file#"$examples"/} is YAML" \
    "$py" -c 'import sys, yaml; list(yaml.safe_load_all(open(sys.argv[1])))' "$file"
done < <(find "$examples" -name '*.yml' -o -name '*.yaml' | sort)
expect "examples/grafana/prober.json is JSON" jq_true 'type == "object"' "$examples/grafana/prober.json"
expect "examples/checks.toml validates" "$prober" validate -c "$examples/checks.toml"
expect "examples/quorum/prometheus.yml is a valid Prometheus config (its rules beside it)" \
  promtool check config "$examples/quorum/prometheus.yml"
expect "examples/quorum/alertmanager.yml is a valid Alertmanager config" \
  amtool check-config "$examples/quorum/alertmanager.yml"

# yq FILE PYTHON: prints what the Python expression makes of `docs`, the file's YAML documents
# (by kind: `kind["StatefulSet"]`, for Kubernetes).
yq() {
  "$py" -c '
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
kind = {d.get("kind"): d for d in docs if isinstance(d, dict)}
out = eval(sys.argv[2])
print("\n".join(map(str, out)) if isinstance(out, list) else out)' "$1" "$2"
}

# --- the Kubernetes manifest's config: a Secret (settings) and a ConfigMap (checks) ---
k8s=$examples/kubernetes.yaml
mkdir -p "$work/k8s/checks.d"
yq "$k8s" 'kind["Secret"]["stringData"]["prober.toml"]' >"$work/k8s/prober.toml"
yq "$k8s" 'kind["ConfigMap"]["data"]["checks.toml"]' >"$work/k8s/checks.d/checks.toml"
container='kind["StatefulSet"]["spec"]["template"]["spec"]["containers"][0]'
args=$(yq "$k8s" "\" \".join($container[\"args\"])")
mounts=$(yq "$k8s" "[m[\"mountPath\"] for m in $container[\"volumeMounts\"] if m[\"name\"] in (\"settings\", \"checks\")]" | tr '\n' ' ')
expect "the StatefulSet reads the Secret's file ($args)" test "${args#*-c /etc/prober/settings/prober.toml}" != "$args"
expect "... which includes the checks where the ConfigMap is mounted ($mounts)" bash -c "
  [[ '$mounts' == '/etc/prober/settings /etc/prober/checks.d ' ]] &&
  grep -qx 'include = \[\"/etc/prober/checks.d/\*.toml\"\]' '$work/k8s/prober.toml'"
liveness=$(yq "$k8s" "$container[\"livenessProbe\"][\"httpGet\"][\"path\"]")
readiness=$(yq "$k8s" "$container[\"readinessProbe\"][\"httpGet\"][\"path\"]")
expect "liveness asks only whether the loop runs: /-/healthy ($liveness)" test "$liveness" == /-/healthy
expect "readiness stays /healthz, 503 while state writes wait ($readiness)" test "$readiness" == /healthz

# bytes SIZE: "2Gi" (Kubernetes) or "1GiB" (prober) in bytes.
bytes() {
  "$py" -c '
import re, sys
n, unit = re.fullmatch(r"(\d+)\s*([KMGT]i?)?B?", sys.argv[1]).groups()
print(int(n) * 1024 ** " KMGT".index((unit or " ")[0]))' "$1"
}
volume=$(yq "$k8s" 'kind["StatefulSet"]["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"]')
history=$(sed -n 's/^history_max_size = "\([^"]*\)".*/\1/p' "$work/k8s/prober.toml")
expect "the history is capped ($history) at most half its volume ($volume), which it shares" \
  bash -c "[[ -n '$history' ]] && (( $(bytes "${history:-0}") * 2 <= $(bytes "$volume") ))"

# Files only a pod has: the service account's CA. The rest is validated as shipped.
ca_file=/var/run/secrets/kubernetes.io/serviceaccount/ca.crt
self_signed k8s-ca 30
sed -i "s|$ca_file|$work/k8s-ca.pem|" "$work/k8s/checks.d/checks.toml"
sed -i "s|/etc/prober/checks.d/|$work/k8s/checks.d/|" "$work/k8s/prober.toml"

# --- compose: the settings secret, the checks directory, Prometheus with the password file ---
compose=$examples/compose.yaml
mkdir -p "$work/compose"
cp "$examples/compose/prober.toml" "$work/compose/prober.toml"
sed -i "s|/etc/prober/checks.d/|$examples/compose/checks.d/|" "$work/compose/prober.toml"
settings_file=$(yq "$compose" 'docs[0]["secrets"]["prober-settings"]["file"]')
command=$(yq "$compose" '" ".join(docs[0]["services"]["prober"]["command"])')
yq "$compose" 'docs[0]["services"]["prober"]["volumes"]' >"$work/compose/prober-volumes"
expect "compose gives prober its settings as a secret ($settings_file, $command)" \
  test "$settings_file" == ./compose/prober.toml -a "${command#*-c /run/secrets/prober-settings}" != "$command"
expect "... and mounts the checks where its include looks" bash -c "
  grep -qx './compose/checks.d:/etc/prober/checks.d:ro' '$work/compose/prober-volumes' &&
  grep -qx 'include = \[\"/etc/prober/checks.d/\*.toml\"\]' '$examples/compose/prober.toml'"
expect "compose gives Prometheus the password file its config reads (3 times: two jobs, discovery)" bash -c "
  [[ '$(yq "$compose" 'docs[0]["services"]["prometheus"]["secrets"]')' == prober-password ]] &&
  [[ \$(grep -c 'password_file: /run/secrets/prober-password' '$examples/compose/prometheus.yml') == 3 ]]"
ports=$(yq "$compose" '[p for s in docs[0]["services"].values() for p in s.get("ports", [])]' | tr '\n' ' ')
expect "compose publishes every port on 127.0.0.1 only ($ports)" \
  test -z "$(tr ' ' '\n' <<<"$ports" | grep -v '^127\.0\.0\.1:' | grep .)"
expect "Grafana's provisioning points at the dashboards' mount and the Prometheus service" bash -c "
  [[ '$(yq "$compose" 'docs[0]["services"]["grafana"]["volumes"]' | grep -c '^./grafana:/var/lib/grafana/dashboards:ro$')' == 1 ]] &&
  [[ '$(yq "$examples/compose/grafana/dashboards.yaml" 'docs[0]["providers"][0]["options"]["path"]')' == /var/lib/grafana/dashboards ]] &&
  [[ '$(yq "$examples/compose/grafana/datasource.yaml" 'docs[0]["datasources"][0]["url"]')' == http://prometheus:9090 ]]"
missing=$(cd "$examples" && for f in $(yq compose.yaml '[v.split(":")[0] for s in docs[0]["services"].values() for v in s.get("volumes", []) if v.startswith(".")] + [s["file"] for n, s in docs[0]["secrets"].items() if n != "prober-password"]'); do [[ -e $f ]] || echo "$f"; done)
expect "every file compose mounts or reads is there (missing: ${missing:-none})" test -z "$missing"

# --- both listen on every address: as shipped they refuse to start; with a hash they validate ---
for name in k8s compose; do
  config=$work/$name/prober.toml
  expect "$name: listens on every address" grep -qx 'listen = "0.0.0.0:9115"' "$config"
  expect_exit 1 "$name: as shipped (no hash yet) the config is refused" "$prober" validate -c "$config"
  expect "$name: ... naming the user's line" grep -q 'prober.toml:[0-9]*:[0-9]*: \[web\] basic_auth_users prometheus: not a bcrypt hash' "$work/out" "$work/err"
done
password=examples-test-password
hash=$(printf '%s' "$password" | "$prober" hash-password --cost 4)
expect "hash-password made a hash" grep -q '^\$2[aby]\$04\$' <<<"$hash"
for name in k8s compose; do
  sed -i "s|REPLACE_WITH_BCRYPT_HASH|$hash|" "$work/$name/prober.toml"
  expect_exit 0 "$name: with the hash filled in, settings and checks validate" "$prober" validate -c "$work/$name/prober.toml"
done

# --- a prober running each config answers what its callers ask ---
# serve NAME: runs prober with that config on a free loopback port; sets api.
serve() {
  sed -e 's|^listen = .*|listen = "127.0.0.1:0"|' -e "s|^state_dir = .*|state_dir = \"$work/$1-state\"|" \
    "$work/$1/prober.toml" >"$work/$1/run.toml"
  start_daemon "$prober" "$work/$1/run.toml" "$work/$1.log"
}
# status [CURL ARGS...] PATH: the HTTP status of a GET.
status() {
  local path=${*: -1}
  curl -s -o /dev/null -w '%{http_code}' --max-time 5 "${@:1:$#-1}" "$api$path"
}
user=(-u "prometheus:$password")

serve k8s
expect "k8s: the liveness path ($liveness) answers the kubelet, which sends no user: 200" test "$(status "$liveness")" == 200
expect "k8s: the readiness path ($readiness) answers without a user: 200" test "$(status "$readiness")" == 200
monitor_path=$(yq "$k8s" 'kind["ServiceMonitor"]["spec"]["endpoints"][0]["path"]')
expect "k8s: the ServiceMonitor's $monitor_path needs the user: 401 without" test "$(status "$monitor_path")" == 401
expect "k8s: ... 200 with it" test "$(status "${user[@]}" "$monitor_path")" == 200
expect "k8s: the ServiceMonitor and the ScrapeConfig (both its discovery and its scrapes) use the scrape Secret" \
  test "$(yq "$k8s" '[a["basicAuth"]["password"]["name"] for a in (kind["ServiceMonitor"]["spec"]["endpoints"][0], kind["ScrapeConfig"]["spec"]["httpSDConfigs"][0], kind["ScrapeConfig"]["spec"])]' | sort -u)" == prober-scrape
sd_url=$(yq "$k8s" 'kind["ScrapeConfig"]["spec"]["httpSDConfigs"][0]["url"]')
sd_authority=${sd_url#http://}
sd_authority=${sd_authority%%/*}
sd_path=/${sd_url#http://*/}
expect "k8s: discovery at $sd_path, by the Service's name ($sd_authority), lists the check" bash -c "
  curl -sf -u 'prometheus:$password' -H 'Host: $sd_authority' '$api$sd_path' | jq -e '[.[].targets[]] == [\"kubernetes-api\"]' >/dev/null"
scrape_path=$(yq "$k8s" 'kind["ScrapeConfig"]["spec"]["metricsPath"]')
scrape_at=$(yq "$k8s" '[r["replacement"] for r in kind["ScrapeConfig"]["spec"]["relabelings"] if r.get("targetLabel") == "__address__"][0]')
expect "k8s: a check's scrape at $scrape_path?target=NAME, by $scrape_at, answers 200" \
  test "$(status "${user[@]}" -H "Host: $scrape_at" "$scrape_path?target=kubernetes-api")" == 200
expect "k8s: a name the listener was not told is refused (403)" \
  test "$(status "${user[@]}" -H "Host: prober.elsewhere.example:9115" "$sd_path")" == 403
kill "$daemon_pid"
wait "$daemon_pid" 2>/dev/null

serve compose
prom_compose=$examples/compose/prometheus.yml
for job in prober-checks prober; do
  path=$(yq "$prom_compose" "[j.get(\"metrics_path\", \"/metrics\") for j in docs[0][\"scrape_configs\"] if j[\"job_name\"] == \"$job\"][0]")
  expect "compose: job $job scrapes $path, which needs the user: 401 without" test "$(status "$path")" == 401
  expect "compose: ... 200 with it, by the service's name" test "$(status "${user[@]}" -H "Host: prober:9115" "$path?target=prober-ready")" == 200
done
sd_path=/$(yq "$prom_compose" 'docs[0]["scrape_configs"][0]["http_sd_configs"][0]["url"]' | cut -d/ -f4-)
expect "compose: discovery at $sd_path lists the three checks of compose/checks.d" bash -c "
  curl -sf -u 'prometheus:$password' -H 'Host: prober:9115' '$api$sd_path' | jq -e '[.[].targets[]] | sort == [\"grafana-health\", \"prober-ready\", \"prometheus-ready\"]' >/dev/null"
health_path=$(sed -n 's|.*CMD curl .*http://127.0.0.1:9115\(/[^ ]*\).*|\1|p' "$examples/Dockerfile")
# Liveness, not readiness: /healthz answers 503 while state writes wait, and an orchestrator that
# replaces an unhealthy container then loses them.
expect "the Dockerfile's HEALTHCHECK asks liveness (/-/healthy), not /healthz" test "$health_path" == "/-/healthy"
expect "the Dockerfile's HEALTHCHECK path ($health_path) answers without a user, as compose runs it" \
  test "$(status "$health_path")" == 200
kill "$daemon_pid"
wait "$daemon_pid" 2>/dev/null

# --- metric names: only what prober exposes ---
# A prober whose checks make every family appear: one passing and degraded, one failing, one
# over TLS, one in steps, a notifier that answers, a reload refused.
start_target "$2"
start_listener tls openssl s_server -accept 127.0.0.1:PORT -cert "$work/k8s-ca.pem" \
  -key "$work/k8s-ca.key" -www -quiet
cat >"$work/names.toml" <<TOML
[prober]
state_dir = "$work/names-state"

[defaults]
interval = "200ms"
timeout = "200ms"
failure_threshold = 1
notify = ["pagerduty"]

[notifiers.pagerduty]
type = "pagerduty"
routing_key = "R0UT1NGKEY0123456789abcdef012345"
url = "$target/status/202"

[[check]]
name = "ok"
url = "$target/ok"
degraded = ["latency < 1ms"]

[[check]]
name = "broken"
url = "$target/status/503"

[[check]]
name = "tls"
url = "https://127.0.0.1:$tls_port/"
ca_file = "$work/k8s-ca.pem"

[[check]]
name = "steps"
  [[check.step]]
  name = "first"
  url = "$target/ok"
  [[check.step]]
  name = "second"
  url = "$target/ok"
TOML
start_daemon "$prober" "$work/names.toml" "$work/names.log"
expect "the failing check has paged" wait_up_to 10 bash -c \
  "curl -sf '$api/metrics' | grep -q '^prober_notifications_total{.*result=\"delivered\"'"
expect "the TLS check has run" wait_up_to 10 bash -c "curl -sf '$api/metrics' | grep -q '^probe_ssl_earliest_cert_expiry{check=\"tls\"}'"
echo '[[check]' >>"$work/names.toml"
curl -s -o /dev/null -X POST "$api/-/reload"
{
  curl -sf "$api/metrics"
  for check in ok broken tls steps; do curl -sf "$api/probe?target=$check"; done
} | sed -n -e 's/^# TYPE \([^ ]*\) .*/\1/p' -e 's/^\([a-zA-Z_:][a-zA-Z0-9_:]*\)[{ ].*/\1/p' | sort -u >"$work/exposed"
expect "prober exposes its families ($(wc -l <"$work/exposed") names)" test "$(wc -l <"$work/exposed")" -gt 30

# used FILE...: every metric name the rules' expressions, the dashboards' queries and the
# relabelings' name patterns use, one "FILE NAME" a line (NAME ending in _ for a prefix).
used() {
  "$py" - "$@" <<'PY'
import json, re, sys, yaml
name = re.compile(r"\b(?:probe_|prober_|process_|prober:)[A-Za-z0-9_:]*|\bup\b(?=\s*[{=)]|\s*$|\s+==)")
def exprs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("expr", "regex") and isinstance(v, str):
                yield k, v
            else:
                yield from exprs(v)
    elif isinstance(node, list):
        for v in node:
            yield from exprs(v)
for path in sys.argv[1:]:
    text = open(path).read()
    docs = [json.loads(text)] if path.endswith(".json") else list(yaml.safe_load_all(text))
    recorded = {r["record"] for d in docs if isinstance(d, dict)
                for g in d.get("groups", []) for r in g["rules"] if "record" in r}
    for kind, expr in exprs(docs):
        found = set(name.findall(expr))
        if kind == "regex":  # a relabeling's name pattern: prefixes end in .+ or .*
            found = {alt.rstrip(".+*") for alt in expr.split("|") if re.match(r"probe_|prober_", alt)}
        for n in sorted(found - recorded):
            print(path.split("examples/")[-1], n)
PY
}
used "$examples/alerts.yml" "$examples/quorum/rules.yml" "$examples/grafana/prober.json" \
  "$examples/prometheus.yml" "$examples/compose/prometheus.yml" "$k8s" >"$work/used"
expect "the rules, dashboards and relabelings name metrics ($(wc -l <"$work/used") uses)" \
  test "$(wc -l <"$work/used")" -gt 20
unknown=0
while read -r file metric; do
  if [[ $metric == up ]] || grep -qx "$metric" "$work/exposed" ||
     { [[ $metric == *_ ]] && grep -q "^$metric" "$work/exposed"; }; then
    continue
  fi
  not_ok "$file names $metric, which prober does not expose"
  unknown=$((unknown + 1))
done <"$work/used"
expect "every name they use is one prober exposes ($unknown unknown)" test "$unknown" == 0
expect "the quorum rules' recorded series are recorded there (prober:* used, none missing)" \
  bash -c "! grep -q ' prober:' '$work/used'"

# Alertmanager's inhibit rules name alerts that exist: the quorum rules' or the alertmanager
# notifier's (ProberCheckFailing, and ProberCheckDegraded for degraded warnings).
alerts_named=$(yq "$examples/quorum/alertmanager.yml" \
  '[a for r in docs[0]["inhibit_rules"] for m in r["source_matchers"] + r["target_matchers"] for a in __import__("re").search(r"\"(.*)\"", m).group(1).split("|")]')
for alert in $alerts_named; do
  expect "quorum/alertmanager.yml's inhibit rule names $alert, which exists" bash -c "
    grep -q 'alert: $alert\$' '$examples/quorum/rules.yml' || grep -rqw '$alert' '$(dirname "$0")/../../alerting/notifiers/'"
done

finish
