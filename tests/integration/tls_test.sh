#!/usr/bin/env bash
# HTTPS probes against a real nginx on 127.0.0.1 with a self-signed certificate made here:
# the TLS phase is measured, the certificate's expiry is read (cert_expiry, probe_ssl_*), and
# verification failures read as "TLS handshake failed: ...".
# Usage: tls_test.sh PROBER_BINARY
set -uo pipefail
prober=$1
source "$(dirname "$0")/lib.sh"
nginx_pid=""
stop_nginx() {
  if [[ -n $nginx_pid ]]; then
    kill "$nginx_pid" 2>/dev/null
    wait "$nginx_pid" 2>/dev/null
  fi
}
trap 'stop_nginx; cleanup' EXIT

openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=localhost" \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null || { echo "openssl failed"; exit 1; }
not_after=$(date -d "$(openssl x509 -enddate -noout -in "$work/cert.pem" | cut -d= -f2)" +%s)

# A free port: try a few random ones until nginx binds (each try bounded to 5 s).
for _ in $(seq 10); do
  port=$((20000 + RANDOM % 40000))
  mkdir -p "$work/nginx"
  cat >"$work/nginx.conf" <<CONF
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
  server {
    listen 127.0.0.1:$port ssl;
    ssl_certificate $work/cert.pem;
    ssl_certificate_key $work/key.pem;
    location / { default_type application/json; return 200 '{"status":"UP"}'; }
  }
}
CONF
  nginx -c "$work/nginx.conf" -p "$work/nginx" 2>>"$work/nginx/start.log" &
  nginx_pid=$!
  for _ in $(seq 50); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break 2; fi
    kill -0 "$nginx_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill "$nginx_pid" 2>/dev/null; wait "$nginx_pid" 2>/dev/null; nginx_pid=""
done
[[ -n $nginx_pid ]] || { echo "nginx did not start"; cat "$work/nginx/start.log" "$work/nginx/error.log" 2>/dev/null; exit 1; }

cat >"$work/tls.toml" <<TOML
[defaults]  # generous: under ASan on a busy machine a first handshake can take over a second
interval = "5s"
timeout = "5s"

[[check]]
name = "tls-unverified"
url = "https://127.0.0.1:$port/"
tls_verify = false
assert = ['json \$.status == "UP"', "cert_expiry > 20d", "cert_expiry < 31d"]

[[check]]
name = "tls-verified"
url = "https://127.0.0.1:$port/"
TOML

"$prober" once -c "$work/tls.toml" --format json >"$work/once.json"
rc=$?
expect "once: the self-signed certificate fails verification (exit $rc)" test "$rc" = 1
check() { jq -e "$1" "$work/once.json" >/dev/null; }
[[ $rc == 1 ]] || cat "$work/once.json"  # shows why when a run failed unexpectedly
expect "unverified TLS check passes its cert_expiry assertions" check '.checks[] | select(.name == "tls-unverified") | .passed'
expect "the response came over TLS" check '.checks[] | select(.name == "tls-unverified") | .steps[0].tls'
expect "the TLS phase was measured" check '.checks[] | select(.name == "tls-unverified") | .steps[0].phases.tls > 0'
expect "the certificate expiry is the certificate's notAfter" \
  check ".checks[] | select(.name == \"tls-unverified\") | (.steps[0].cert_expiry | sub(\"\\\\.[0-9]+Z\$\"; \"Z\") | fromdateiso8601) == $not_after"
expect "verification failure reads as a TLS handshake failure" \
  check '.checks[] | select(.name == "tls-verified") | .failures[0] | startswith("TLS handshake failed: ")'

# The daemon exposes the expiry and the TLS flag to Prometheus.
start_daemon "$prober" "$work/tls.toml" "$work/daemon.log" --state-dir "$work/state"
for _ in $(seq 100); do  # the first run falls within the 5 s interval: poll for it
  curl -sf "$api/metrics" >"$work/metrics.txt" &&
    grep -q '^probe_ssl_earliest_cert_expiry{check="tls-unverified"}' "$work/metrics.txt" && break
  sleep 0.4
done
expect "probe_ssl_earliest_cert_expiry is the notAfter" grep -q "^probe_ssl_earliest_cert_expiry{check=\"tls-unverified\"} $not_after\$" "$work/metrics.txt"
expect "probe_http_ssl is 1" grep -q '^probe_http_ssl{check="tls-unverified"} 1$' "$work/metrics.txt"
kill -TERM "$daemon_pid"
wait "$daemon_pid"
finish
