#!/usr/bin/env bash
# The listener protected ([web]): HTTPS with a certificate made here, basic auth with a bcrypt
# hash from `prober hash-password`. Right, wrong and missing credentials on every kind of
# endpoint; /healthz and /slack/command open; a real Prometheus scraping with basic_auth over
# TLS is up, one with a wrong password is refused.
# Usage: web_test.sh PROBER TARGET_SERVER
set -uo pipefail
prober=$1
source "$(dirname "$0")/lib.sh"
start_target "$2"

self_signed web 30
expect "hash-password reads standard input and prints a bcrypt hash" \
  bash -c "echo 's3cr3t pass' | '$prober' hash-password >'$work/hash' && grep -qE '^\\\$2b\\\$10\\\$.{53}$' '$work/hash'"
hash=$(cat "$work/hash")

cat >"$work/checks.toml" <<TOML
[prober]
state_dir = "$work/state"

[web]
tls_cert_file = "web.pem"          # relative to this file
tls_key_file = "web.key"
basic_auth_users = { prometheus = "$hash" }

[[check]]
name = "api"
url = "$target/ok"
interval = "1s"
assert = ["status == 200"]
TOML
expect_exit 0 "validate accepts the [web] section" "$prober" validate -c "$work/checks.toml"

"$prober" run -c "$work/checks.toml" --listen 127.0.0.1:0 2>"$work/prober.log" &
pids+=("$!")
wait_for grep -q "listening on https://" "$work/prober.log" || { echo "no https listener"; cat "$work/prober.log"; exit 1; }
port=$(sed -n 's/.*listening on https:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$work/prober.log" | head -1)
api="https://127.0.0.1:$port"
# status PATH [CURL ARGS...]: the HTTP status of a GET over TLS, trusting our certificate.
status() {
  local path=$1
  shift
  curl -s -o /dev/null -w '%{http_code}' --cacert "$work/web.pem" "$@" "$api$path"
}

expect "/healthz needs no user" test "$(status /healthz)" == 200
expect "/slack/command is not behind basic auth (404 here: not configured)" \
  test "$(status /slack/command -X POST -d x=1)" == 404
for path in /metrics "/probe?target=api" /api/v1/targets /api/v1/checks / /checks/api; do
  expect "$path without credentials: 401" test "$(status "$path")" == 401
  expect "$path with a wrong password: 401" test "$(status "$path" -u 'prometheus:wrong')" == 401
  expect "$path with a wrong user: 401" test "$(status "$path" -u 'nobody:s3cr3t pass')" == 401
  expect "$path with the right user and password: 200" \
    test "$(status "$path" -u 'prometheus:s3cr3t pass')" == 200
done
expect "POST /-/reload needs a user too" test "$(status /-/reload -X POST)" == 401
expect "a 401 asks for basic credentials" \
  bash -c "curl -s -D - -o /dev/null --cacert '$work/web.pem' '$api/metrics' | grep -qi '^www-authenticate: Basic realm=\"prober\"'"
expect "plain HTTP on the TLS port gets no answer" \
  test "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$port/healthz")" == 000
expect "an untrusted certificate is refused by the client (it is ours alone)" \
  test "$(curl -s -o /dev/null -w '%{http_code}' "$api/healthz")" == 000

# --- /metrics is streamed: chunked over HTTP/1.1, to the end of the connection over 1.0 ---
expect "/metrics is sent chunked" \
  bash -c "curl -s -D - -o /dev/null --cacert '$work/web.pem' -u 'prometheus:s3cr3t pass' '$api/metrics' | grep -qi '^transfer-encoding: chunked'"
expect "a scraper that accepts gzip gets gzip (Content-Encoding)" \
  bash -c "curl -s -D - -o '$work/metrics.gz' -H 'Accept-Encoding: gzip' --cacert '$work/web.pem' -u 'prometheus:s3cr3t pass' '$api/metrics' | grep -qi '^content-encoding: gzip'"
expect "which gunzip reads back to the metrics" \
  bash -c "gunzip -c '$work/metrics.gz' | grep -q '^probe_success{check=\"api\"}'"
expect "and ends with the process's own, whole (nothing cut)" \
  bash -c "gunzip -c '$work/metrics.gz' | tail -1 | grep -qE '^process_[a-z_]+ [0-9.e+]+$'"
expect "HTTP/1.0 gets the whole body too, ended by the close" \
  bash -c "curl -s -0 --cacert '$work/web.pem' -u 'prometheus:s3cr3t pass' '$api/metrics' | tail -1 | grep -qE '^process_[a-z_]+ [0-9.e+]+$'"
expect "HEAD /metrics: headers, no body" \
  test "$(curl -s -I --cacert "$work/web.pem" -u 'prometheus:s3cr3t pass' -o /dev/null -w '%{http_code} %{size_download}' "$api/metrics")" == "200 0"
expect "the connection is kept for the next request after a streamed answer" \
  bash -c "curl -s -o /dev/null -o /dev/null -w '%{num_connects}\n' --cacert '$work/web.pem' -u 'prometheus:s3cr3t pass' '$api/metrics' '$api/healthz' | paste -sd' ' | grep -qx '1 0'"

# --- a real Prometheus: the right password scrapes, a wrong one is refused ---
printf 's3cr3t pass' >"$work/password"
printf 'wrong' >"$work/wrong"
cat >"$work/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: prober
    scheme: https
    tls_config:
      ca_file: $work/web.pem
    basic_auth:
      username: prometheus
      password_file: $work/password
    static_configs:
      - targets: ["127.0.0.1:$port"]
  - job_name: prober-wrong-password
    scheme: https
    tls_config:
      ca_file: $work/web.pem
    basic_auth:
      username: prometheus
      password_file: $work/wrong
    static_configs:
      - targets: ["127.0.0.1:$port"]
YAML
start_listener prometheus prometheus --config.file="$work/prometheus.yml" \
  --storage.tsdb.path="$work/tsdb" --web.listen-address=127.0.0.1:PORT
prom="http://127.0.0.1:$prometheus_port"
wait_up_to 30 curl -sf "$prom/-/ready" || { echo "prometheus is not ready"; cat "$work/prometheus.log"; exit 1; }
target_health() {  # target_health JOB HEALTH
  curl -sf "$prom/api/v1/targets" |
    jq -e --arg job "$1" --arg health "$2" 'any(.data.activeTargets[]; .labels.job == $job and .health == $health)' >/dev/null
}
expect "Prometheus with basic_auth over TLS scrapes prober (target up)" wait_up_to 30 target_health prober up
expect "Prometheus with a wrong password is refused (target down)" \
  wait_up_to 30 target_health prober-wrong-password down
expect "and its error says 401" \
  bash -c "curl -sf '$prom/api/v1/targets' | jq -e 'any(.data.activeTargets[]; .labels.job == \"prober-wrong-password\" and (.lastError | contains(\"401\")))' >/dev/null"
expect "what it scraped is prober's metrics" \
  bash -c "curl -sf -G '$prom/api/v1/query' --data-urlencode 'query=probe_success{job=\"prober\",check=\"api\"}' | jq -e '.data.result | length == 1' >/dev/null"

# --- browsers: a rebound name, a cross-site write and a form are refused; curl is not ---
expect "/-/healthy needs no user (liveness)" test "$(status /-/healthy)" == 200
expect "a Host that is not ours is refused, naming [web] allowed_hosts" \
  bash -c "curl -s --cacert '$work/web.pem' -u 'prometheus:s3cr3t pass' --resolve 'evil.example:$port:127.0.0.1' 'https://evil.example:$port/api/v1/checks' -k | grep -q 'allowed_hosts'"
expect "a cross-site write is refused (403)" \
  test "$(status /api/v1/silences -u 'prometheus:s3cr3t pass' -X POST -H 'Origin: https://evil.example' -H 'Content-Type: application/json' -d '{"checks":["api"],"duration":"1h"}')" == 403
expect "a text/plain silence is refused (415)" \
  test "$(status /api/v1/silences -u 'prometheus:s3cr3t pass' -X POST -H 'Content-Type: text/plain' -d '{"checks":["api"],"duration":"1h"}')" == 415
expect "a JSON silence from curl is taken (201)" \
  test "$(status /api/v1/silences -u 'prometheus:s3cr3t pass' -X POST -H 'Content-Type: application/json' -d '{"checks":["api"],"duration":"1h"}')" == 201
expect "curl -X POST /-/reload keeps working" \
  test "$(status /-/reload -u 'prometheus:s3cr3t pass' -X POST)" == 200

# --- a key that is not a key: the daemon says which file and stops ---
sed 's/tls_key_file = "web.key"/tls_key_file = "web.pem"/' "$work/checks.toml" >"$work/badkey.toml"
expect_exit 1 "a key file without a key: the daemon does not start" \
  "$prober" run -c "$work/badkey.toml" --listen 127.0.0.1:0
expect "and names the file" grep -q "tls_key_file $work/web.pem" "$work/err"

finish
