#!/usr/bin/env bash
# HTTPS probes against a real nginx on 127.0.0.1 serving certificates made here by openssl: a
# self-signed one, and from a CA of the test's own a valid one, an expired one, one expiring in
# 3 days, one for another host name, and a server that wants a client certificate. Checks the
# TLS phase, certificate expiry (read even when the handshake fails), the TLS version, SNI
# override, custom CA, client certificates, failure reasons and the Prometheus series.
# Usage: tls_test.sh PROBER_BINARY NOTIFY_STANDIN
set -uo pipefail
prober=$1
standin_bin=$2
source "$(dirname "$0")/lib.sh"
nginx_pid=""
stop_nginx() {
  if [[ -n $nginx_pid ]]; then
    kill "$nginx_pid" 2>/dev/null
    wait "$nginx_pid" 2>/dev/null
  fi
}
trap 'stop_nginx; cleanup' EXIT

# --- certificates (P-256 keys: quick to make) ---
ec_key=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
mkdir -p "$work/ca"
touch "$work/ca/index.txt"
echo 1000 >"$work/ca/serial"
cat >"$work/ca.cnf" <<CNF
[ca]
default_ca = local
[local]
database = $work/ca/index.txt
new_certs_dir = $work/ca
serial = $work/ca/serial
default_md = sha256
policy = anything
copy_extensions = copy
unique_subject = no
[anything]
commonName = supplied
CNF
openssl req -x509 "${ec_key[@]}" -days 30 -subj "/CN=localhost" \
  -keyout "$work/self.key" -out "$work/self.pem" 2>/dev/null || { echo "openssl failed"; exit 1; }
openssl req -x509 "${ec_key[@]}" -days 365 -subj "/CN=prober test CA" \
  -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null || { echo "openssl failed"; exit 1; }
# issue NAME HOST START END: a certificate for HOST signed by the test CA, valid START..END
# (openssl ca dates, YYYYMMDDHHMMSSZ).
issue() {
  openssl req -new "${ec_key[@]}" -subj "/CN=$2" -addext "subjectAltName=DNS:$2" \
    -keyout "$work/$1.key" -out "$work/$1.csr" 2>/dev/null &&
    openssl ca -batch -config "$work/ca.cnf" -cert "$work/ca.pem" -keyfile "$work/ca.key" \
      -in "$work/$1.csr" -out "$work/$1.pem" -startdate "$3" -enddate "$4" >/dev/null 2>&1 ||
    { echo "openssl could not issue $1"; exit 1; }
}
stamp() { date -u -d "$1" +%Y%m%d%H%M%SZ; }
issue valid localhost "$(stamp '-1 day')" "$(stamp '+30 days')"
issue expired localhost 20240101000000Z 20240201000000Z
issue soon localhost "$(stamp '-1 day')" "$(stamp '+3 days')"
issue otherhost other.example "$(stamp '-1 day')" "$(stamp '+30 days')"
issue client synthetic-client "$(stamp '-1 day')" "$(stamp '+30 days')"
not_after() { date -d "$(openssl x509 -enddate -noout -in "$work/$1.pem" | cut -d= -f2)" +%s; }

# --- nginx: one port per certificate, from a random base (bounded retries) ---
server() {  # server PORT CERT [EXTRA]
  cat <<CONF
  server {
    listen 127.0.0.1:$1 ssl;
    ssl_certificate $work/$2.pem;
    ssl_certificate_key $work/$2.key;
    ${3:-}
    location / { default_type application/json; return 200 '{"status":"UP"}'; }
  }
CONF
}
for _ in $(seq 10); do
  base=$((20000 + RANDOM % 40000))
  mkdir -p "$work/nginx"
  {
    cat <<CONF
daemon off;
master_process off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
CONF
    server "$base" self
    server $((base + 1)) valid
    server $((base + 2)) expired
    server $((base + 3)) soon
    server $((base + 4)) otherhost
    server $((base + 5)) valid "ssl_verify_client on; ssl_client_certificate $work/ca.pem;"
    echo "}"
  } >"$work/nginx.conf"
  nginx -c "$work/nginx.conf" -p "$work/nginx" 2>>"$work/nginx/start.log" &
  nginx_pid=$!
  # Ready when every port answers and nginx is still alive (a port taken by another process
  # answers too, but then nginx exits for want of it).
  all_listening() {
    local offset
    for offset in 0 1 2 3 4 5; do
      (exec 3<>"/dev/tcp/127.0.0.1/$((base + offset))") 2>/dev/null || return 1
    done
  }
  for _ in $(seq 50); do
    kill -0 "$nginx_pid" 2>/dev/null || break
    if all_listening; then
      sleep 0.2
      if kill -0 "$nginx_pid" 2>/dev/null; then break 2; fi
      break
    fi
    sleep 0.1
  done
  kill "$nginx_pid" 2>/dev/null; wait "$nginx_pid" 2>/dev/null; nginx_pid=""
done
[[ -n $nginx_pid ]] || { echo "nginx did not start"; cat "$work/nginx/start.log" "$work/nginx/error.log" 2>/dev/null; exit 1; }

# Generous timeouts: under ASan on a busy machine a first handshake has taken 1.8 s.
cat >"$work/tls.toml" <<TOML
[defaults]
interval = "5s"
timeout = "5s"

[[check]]
name = "tls-unverified"
url = "https://127.0.0.1:$base/"
tls_verify = false
assert = ['json \$.status == "UP"', "cert_expiry > 20d", "cert_expiry < 31d"]

[[check]]
name = "tls-verified"
url = "https://127.0.0.1:$base/"

[[check]]
name = "custom-ca"
url = "https://127.0.0.1:$((base + 1))/"
server_name = "localhost"
ca_file = "$work/ca.pem"
assert = ["status == 200", "cert_expiry > 29d"]

[[check]]
name = "expired"
url = "https://127.0.0.1:$((base + 2))/"
server_name = "localhost"
ca_file = "$work/ca.pem"

[[check]]
name = "expires-soon"
url = "https://127.0.0.1:$((base + 3))/"
server_name = "localhost"
ca_file = "$work/ca.pem"
assert = ["status == 200", "cert_expiry > 14d"]

[[check]]
name = "wrong-host"
url = "https://127.0.0.1:$((base + 4))/"
server_name = "localhost"
ca_file = "$work/ca.pem"

[[check]]
name = "client-cert"
url = "https://127.0.0.1:$((base + 5))/"
server_name = "localhost"
ca_file = "$work/ca.pem"
client_cert = "$work/client.pem"
client_key = "$work/client.key"
assert = ["status == 200"]

[[check]]
name = "no-client-cert"
url = "https://127.0.0.1:$((base + 5))/"
server_name = "localhost"
ca_file = "$work/ca.pem"
assert = ["status == 200"]
TOML

"$prober" once -c "$work/tls.toml" --format json >"$work/once.json"
rc=$?
expect "once: some checks fail on purpose (exit $rc)" test "$rc" = 1
check() { jq -e --arg name "$1" ".checks[] | select(.name == \$name) | $2" "$work/once.json" >/dev/null; }
passes() { check "$1" '.passed'; }
fails_with() { check "$1" "(.passed | not) and .failure_reason == \"$2\" and (.failures[0] | test(\"$3\"))"; }
expiry_is() { check "$1" "(.steps[0].cert_expiry | sub(\"\\\\.[0-9]+Z\$\"; \"Z\") | fromdateiso8601) == $2"; }

expect "unverified self-signed check passes its cert_expiry assertions" passes tls-unverified
expect "the response came over TLS" check tls-unverified '.steps[0].tls'
expect "the TLS phase was measured" check tls-unverified '.steps[0].phases.tls > 0'
expect "the TLS version is reported" check tls-unverified '.steps[0].tls_version | test("^TLS 1\\.[23]$")'
expect "the certificate expiry is the certificate's notAfter" expiry_is tls-unverified "$(not_after self)"
expect "an untrusted self-signed certificate is a TLS failure" \
  fails_with tls-verified tls '^TLS handshake failed: '
expect "a certificate from a custom CA verifies, with the SNI override, and passes" passes custom-ca
expect "an expired certificate fails the check as a TLS failure" \
  fails_with expired tls 'TLS handshake failed: .*expired'
expect "the expired certificate's expiry is still read from the failed handshake" \
  expiry_is expired "$(not_after expired)"
expect "a certificate expiring in 3 days fails cert_expiry > 14d as an assertion" \
  fails_with expires-soon assertion '^cert_expiry > 14d \\(got '
expect "its expiry is the 3-day notAfter" expiry_is expires-soon "$(not_after soon)"
expect "a certificate for another host name is a TLS failure" \
  fails_with wrong-host tls '^TLS handshake failed: '
expect "a client certificate is presented and accepted" passes client-cert
expect "without the client certificate the server answers 400" \
  fails_with no-client-cert http_status '^status == 200 \\(got 400\\)'
[[ $failed == 0 ]] || cat "$work/once.json"

# The daemon exposes the expiry, the TLS version and flag, and failure reasons to Prometheus,
# and pages a certificate expiring within cert_warning as a warning of its own while the check
# stays up.
start_helper "$standin_bin" standin
standin="http://127.0.0.1:$standin_port"
export TEST_PD_KEY="R0UT1NGKEY0123456789abcdefSECRET"
daemon_config() {  # daemon_config CERT_WARNING_LINE
  cat "$work/tls.toml"
  cat <<TOML

[[check]]
name = "soon-warned"
url = "https://127.0.0.1:$((base + 3))/"
server_name = "localhost"
ca_file = "$work/ca.pem"
notify = ["pagerduty"]
$1

[[check]]
name = "valid-warned"
url = "https://127.0.0.1:$((base + 1))/"
server_name = "localhost"
ca_file = "$work/ca.pem"
notify = ["pagerduty"]
cert_warning = "21d"

[notifiers.pagerduty]
type = "pagerduty"
routing_key = "\${TEST_PD_KEY}"
url = "$standin/v2/enqueue"
TOML
}
daemon_config 'cert_warning = "21d"' >"$work/daemon.toml"
start_daemon "$prober" "$work/daemon.toml" "$work/daemon.log" --state-dir "$work/state"
for _ in $(seq 100); do  # first runs fall within the 5 s interval: poll for them
  curl -sf "$api/metrics" >"$work/metrics.txt" &&
    grep -q '^probe_ssl_earliest_cert_expiry{check="tls-unverified"}' "$work/metrics.txt" &&
    grep -q '^probe_success{check="valid-warned"}' "$work/metrics.txt" &&
    grep -q '^prober_check_failures_total{check="expired",reason="tls"}' "$work/metrics.txt" && break
  sleep 0.4
done
has_line() { grep -qxF "$1" "$work/metrics.txt"; }
expect "probe_ssl_earliest_cert_expiry is the notAfter" \
  has_line "probe_ssl_earliest_cert_expiry{check=\"tls-unverified\"} $(not_after self)"
expect "an expired certificate keeps its probe_ssl_earliest_cert_expiry series" \
  has_line "probe_ssl_earliest_cert_expiry{check=\"expired\"} $(not_after expired)"
expect "probe_http_ssl is 1" has_line 'probe_http_ssl{check="tls-unverified"} 1'
expect "probe_tls_version_info names the version" \
  grep -qE '^probe_tls_version_info\{check="custom-ca",version="TLS 1\.[23]"\} 1$' "$work/metrics.txt"
expect "the expired check's failure is counted with reason tls" \
  grep -qE '^prober_check_failures_total\{check="expired",reason="tls"\} [1-9]' "$work/metrics.txt"

expect "a certificate expiring within cert_warning pages a warning" \
  wait_up_to 15 pd_count_is 1 trigger prober:soon-warned:cert
warning=$(standin_events pagerduty | jq -c '[.[] | select(.dedup_key == "prober:soon-warned:cert")][0]')
expect "the warning has warning severity and says when the certificate expires" \
  jq -e >/dev/null '.payload.severity == "warning" and (.payload.summary | test("^soon-warned: the TLS certificate expires in 2d23h .* within cert_warning 21d$"))' <<<"$warning"
expect "the check itself stays up" has_line 'probe_success{check="soon-warned"} 1'
# One more run of the warned check (5 s interval); the exact "once while firing" rule is a unit
# test in simulated time (tests/unit/prober/daemon_test.cpp).
runs_of() { curl -sf "$api/api/v1/checks/$1" | jq '.runs.success + .runs.failure'; }
runs_at_least() { [[ $(runs_of "$1") -ge $2 ]]; }
expect "soon-warned runs again" wait_up_to 15 runs_at_least soon-warned $(($(runs_of soon-warned) + 1))
expect "and whatever it queued is delivered" \
  wait_up_to 10 bash -c "curl -sf '$api/metrics' | grep -qx 'prober_outbox_pending 0'"
expect "the warning is sent once, not on every run" pd_count_is 1 trigger prober:soon-warned:cert
expect "the check's own alert is not paged" pd_count_is 0 trigger prober:soon-warned
expect "a certificate beyond cert_warning pages no one" pd_count_is 0 trigger prober:valid-warned:cert

daemon_config "" >"$work/daemon.toml"
curl -sf -X POST "$api/-/reload" >/dev/null
expect "dropping cert_warning by reload resolves the warning" \
  wait_up_to 10 pd_count_is 1 resolve prober:soon-warned:cert
kill -TERM "$daemon_pid"
wait "$daemon_pid"
finish
