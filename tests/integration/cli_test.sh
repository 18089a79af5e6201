#!/usr/bin/env bash
# The prober binary end to end on 127.0.0.1: `once` exit codes and formats, `validate`,
# `run` with its endpoints, /metrics through `promtool check metrics`, reload by HTTP and
# SIGHUP, secrets kept out of every output, and a graceful SIGTERM.
# Usage: cli_test.sh PROBER_BINARY TARGET_SERVER_BINARY TESTDATA_DIR
set -uo pipefail
prober=$1
target_bin=$2
testdata=$3
source "$(dirname "$0")/lib.sh"

start_helper "$target_bin" target
base="http://127.0.0.1:$target_port"
export PROBER_TEST_SECRET="hunter2-secret-value"

cat >"$work/pass.toml" <<TOML
[[check]]
name = "target-ok"
url = "$base/ok"
assert = ["status == 200", 'json \$.status == "UP"', "len(json \$.items) == 2"]
TOML

cat >"$work/checks.toml" <<TOML
[prober]
max_in_flight = 10

[defaults]
interval = "300ms"
timeout = "300ms"
failure_threshold = 2

[[check]]
name = "target-ok"
url = "$base/ok?token=\${PROBER_TEST_SECRET}"
labels = { team = "payments" }
assert = ["status == 200", 'json \$.status == "UP"']

[[check]]
name = "target-down"
url = "$base/status/503"
assert = ["status == 200"]

[[check]]
name = "target-redirects"
url = "$base/redirect/3"
assert = ["redirects == 3", "status == 200"]
TOML

# --- once ---
expect_exit 0 "once: all checks pass" "$prober" once -c "$work/pass.toml"
expect "once: table shows PASS" grep -q "target-ok.*PASS" "$work/out"
expect_exit 1 "once: a failing check fails the run" "$prober" once -c "$work/checks.toml"
expect "once: the failed assertion is shown with its value" grep -q "target-down.*FAIL.*status == 200 (got 503)" "$work/out"
expect_exit 0 "once --check selects checks" "$prober" once -c "$work/checks.toml" --check target-ok --check target-redirects
expect "once --check ran only the selected checks" bash -c "! grep -q target-down '$work/out'"
expect_exit 0 "once --check the first check" "$prober" once -c "$work/checks.toml" --check target-ok
expect "once --check the first check ran it alone" test "$(grep -c '^target-' "$work/out")" = 1
expect "once: the table ends with a summary line" test "$(tail -1 "$work/out")" = "1 check: 1 passed, 0 failed"
expect_exit 1 "once --check a middle check" "$prober" once -c "$work/checks.toml" --check target-down
expect "once --check a middle check ran it alone" bash -c "grep -q target-down '$work/out' && ! grep -q -e target-ok -e target-redirects '$work/out'"
expect_exit 1 "once: every check" "$prober" once -c "$work/checks.toml"
expect "once: the summary counts every check" test "$(tail -1 "$work/out")" = "3 checks: 2 passed, 1 failed"
expect_exit 2 "once: an unknown check name is a usage error" "$prober" once -c "$work/checks.toml" --check nope
expect_exit 1 "once --format json" "$prober" once -c "$work/checks.toml" --format json
expect "once json: valid JSON with a failure" jq -e >/dev/null '.passed == false and (.checks | length) == 3 and (.checks[] | select(.name == "target-down") | .failures[0]) == "status == 200 (got 503)"' "$work/out"
expect "once: the secret is not printed" bash -c "! grep -q hunter2 '$work/out' '$work/err'"
expect_exit 2 "once: an invalid config is exit 2" "$prober" once -c "$testdata/invalid/bad-method.toml"

# --- validate, version, help ---
expect_exit 0 "validate: a valid config" "$prober" validate -c "$work/checks.toml"
expect_exit 1 "validate: an invalid config" "$prober" validate -c "$testdata/invalid/many-errors.toml"
expect "validate prints every error as FILE:LINE:COL: message" test "$(grep -c "many-errors.toml:[0-9]*:[0-9]*: " "$work/err")" = 5
expect_exit 2 "validate without -c is a usage error" "$prober" validate
expect_exit 2 "a malformed --shard is a usage error" "$prober" validate -c "$work/checks.toml" --shard 4/3
expect "and says why" grep -q 'k must be from 1 to n' "$work/err"
expect_exit 0 "validate --shard k/n says how many checks the shard runs" "$prober" validate -c "$work/checks.toml" --shard 1/1
expect "every check, on shard 1/1" grep -q 'of them on shard 1/1' "$work/out"
printf 'a%.0s.' $(seq 49999) >"$work/deep.toml"
echo 'a = 1' >>"$work/deep.toml"
expect_exit 1 "validate: 50,000 dotted keys are an error, not a crash" "$prober" validate -c "$work/deep.toml"
expect "validate: the nesting error has its place" grep -q "deep.toml:1:64: key has more than 32 dotted parts" "$work/err"
cat >"$work/notifiers.toml" <<TOML
[notifiers.pagerduty]
type = "pagerduty"
routing_key = "\${PROBER_TEST_UNSET_ROUTING_KEY}"

[defaults]
notify = ["pagerduty"]
TOML
cat "$work/pass.toml" >>"$work/notifiers.toml"
expect_exit 0 "validate: an unset routing key is a warning" "$prober" validate -c "$work/notifiers.toml"
expect "validate: the warning names the variable" grep -q "warning: .*PROBER_TEST_UNSET_ROUTING_KEY is not set" "$work/err"
expect_exit 0 "once: an unset routing key is a warning" "$prober" once -c "$work/notifiers.toml"
expect_exit 1 "run: an unset routing key is an error" "$prober" run -c "$work/notifiers.toml" --listen 127.0.0.1:0 --state-dir "$work/state-unset"
expect "run: the error names the variable" grep -q "PROBER_TEST_UNSET_ROUTING_KEY is not set" "$work/err"
expect_exit 2 "an unknown command is a usage error" "$prober" frobnicate
expect "an unknown command is named as unknown" grep -q 'unknown command "frobnicate"' "$work/err"
expect_exit 2 "report --check with an unknown name is a usage error" "$prober" report -c "$work/checks.toml" --check typo --state-dir "$work/none"
expect "report names the unknown check and the known ones" grep -q 'no check named "typo" in .*known checks: target-down, target-ok, target-redirects' "$work/err"
expect_exit 0 "--version" "$prober" --version
expect "--version names the program" grep -q "^prober [0-9]" "$work/out"
expect_exit 0 "--help" "$prober" --help
expect_exit 0 "run --help" "$prober" run --help

# --- run ---
start_daemon "$prober" "$work/checks.toml" "$work/daemon.log" --state-dir "$work/state" --log-format json
daemon=$daemon_pid
api_port=${api##*:}
expect "state_dir was created" test -d "$work/state"
all_ran() { curl -sf "$api/api/v1/checks" | jq -e '[.checks[] | .runs.success + .runs.failure >= 3] | all' >/dev/null; }
expect "every check ran at least three times" wait_for all_ran
curl -sf "$api/metrics" >"$work/metrics.txt"
expect "/metrics passes promtool check metrics" promtool check metrics <"$work/metrics.txt"
expect "/metrics: passing check" grep -q '^probe_success{check="target-ok"} 1$' "$work/metrics.txt"
expect "/metrics: failing check" grep -q '^probe_success{check="target-down"} 0$' "$work/metrics.txt"
expect "/metrics: status code" grep -q '^probe_http_status_code{check="target-down"} 503$' "$work/metrics.txt"
expect "/metrics: phases" grep -q '^probe_http_duration_seconds{check="target-ok",phase="connect"} ' "$work/metrics.txt"
expect "/metrics: redirects" grep -q '^probe_http_redirects{check="target-redirects"} 3$' "$work/metrics.txt"
expect "/metrics: alert firing after 2 failures" grep -q '^prober_alert_firing{check="target-down"} 1$' "$work/metrics.txt"
expect "/metrics: info with labels" grep -q '^prober_check_info{check="target-ok",team="payments",url=".*PROBER_TEST_SECRET.*"} 1$' "$work/metrics.txt"
expect "/metrics: schedule lag histogram" grep -q '^prober_schedule_lag_seconds_count ' "$work/metrics.txt"
expect "/metrics: in flight gauge" grep -q '^prober_in_flight ' "$work/metrics.txt"
expect "/metrics: how long answers held the loop" grep -Eq '^prober_http_loop_hold_seconds_count [1-9]' "$work/metrics.txt"
curl -sf -H 'Accept: application/openmetrics-text; version=1.0.0' "$api/metrics" >"$work/openmetrics.txt"
expect "OpenMetrics when asked: ends with # EOF" test "$(tail -1 "$work/openmetrics.txt")" = "# EOF"
expect "OpenMetrics when asked: counter family without _total" grep -q '^# TYPE prober_check_runs counter$' "$work/openmetrics.txt"
expect "/healthz says ok" bash -c "curl -sf '$api/healthz' | grep -qx ok"
expect "/ lists every check" bash -c "curl -sf '$api/' | grep -q 'target-down'"
expect "/api/v1/checks: failing check with its failure" bash -c "curl -sf '$api/api/v1/checks' | jq -e '.checks[] | select(.name == \"target-down\") | .state == \"failing\" and .alert_firing and .last_result.failures[0] == \"status == 200 (got 503)\"' >/dev/null"
expect "an unknown path is 404" test "$(curl -s -o /dev/null -w '%{http_code}' "$api/nope")" = 404
expect "GET /-/reload is 405" test "$(curl -s -o /dev/null -w '%{http_code}' "$api/-/reload")" = 405
expect "a malformed request is 400" bash -c "printf 'NOT HTTP\r\n\r\n' | timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$api_port; cat >&3; head -1 <&3' | grep -q '400'"
runs_before=$(curl -sf "$api/api/v1/checks" | jq '.checks[] | select(.name == "target-ok") | .runs.success')

# Reload over HTTP: a new check appears, unchanged checks keep their counters.
cp "$work/checks.toml" "$work/checks.three"
cat >>"$work/checks.toml" <<TOML

[[check]]
name = "target-added"
url = "$base/ok"
TOML
expect "POST /-/reload accepts a valid config" test "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$api/-/reload")" = 200
runs_after=$(curl -sf "$api/api/v1/checks" | jq '.checks[] | select(.name == "target-ok") | .runs.success')
expect "reload: the new check is there" bash -c "curl -sf '$api/api/v1/checks' | jq -e '(.checks | length) == 4' >/dev/null"
expect "reload: an unchanged check kept its state ($runs_before -> $runs_after runs)" test "$runs_before" -ge 3 -a "$runs_after" -ge "$runs_before"
# An invalid config is refused and the old one keeps running.
cp "$work/checks.toml" "$work/checks.good"
echo 'oops = ' >>"$work/checks.toml"
expect "POST /-/reload refuses an invalid config" test "$(curl -s -o "$work/reload.txt" -w '%{http_code}' -X POST "$api/-/reload")" = 400
expect "the refusal says where" grep -q "checks.toml:[0-9]*:[0-9]*:" "$work/reload.txt"
expect "the old config keeps running" bash -c "curl -sf '$api/api/v1/checks' | jq -e '(.checks | length) == 4' >/dev/null"
# A config nested past the parser's stack: the reload is refused and the daemon lives on.
cp "$work/checks.good" "$work/checks.toml"
cat "$work/deep.toml" >>"$work/checks.toml"
expect "POST /-/reload refuses a config nested 50,000 keys deep" test "$(curl -s -m 10 -o "$work/reload.txt" -w '%{http_code}' -X POST "$api/-/reload")" = 400
expect "the refusal names the nesting" grep -q "key has more than 32 dotted parts" "$work/reload.txt"
expect "the daemon lives on after the deep config" bash -c "curl -sf '$api/api/v1/checks' | jq -e '(.checks | length) == 4' >/dev/null"
# SIGHUP reloads too.
cp "$work/checks.three" "$work/checks.toml"
kill -HUP "$daemon"
three_checks() { curl -sf "$api/api/v1/checks" | jq -e '(.checks | length) == 3' >/dev/null; }
expect "SIGHUP reloads the config" wait_for three_checks

# No secret anywhere we serve or log.
for path in /metrics /api/v1/checks / /api/v1/checks/target-ok; do
  expect "secret not served at $path" bash -c "! curl -sf '$api$path' | grep -q hunter2"
done
expect "secret not logged" bash -c "! grep -q hunter2 '$work/daemon.log'"

kill -TERM "$daemon"
stopped=0
for _ in $(seq 50); do
  if ! kill -0 "$daemon" 2>/dev/null; then stopped=1; break; fi
  sleep 0.1
done
wait "$daemon"
rc=$?
expect "SIGTERM stops the daemon" test "$stopped" = 1
expect "the daemon exits 0 after SIGTERM (got $rc)" test "$rc" = 0
expect "--log-format json: every log line is a JSON object with time, level and msg" \
  bash -c "jq -e -s 'length > 5 and all(.[]; has(\"time\") and has(\"level\") and has(\"msg\"))' '$work/daemon.log' >/dev/null"

# SIGTERM with a probe in flight: it is cancelled and the daemon still exits 0, promptly.
cat >"$work/slow.toml" <<TOML
[[check]]
name = "target-slow"
url = "$base/slow?ms=8000"
interval = "10s"
timeout = "9s"
TOML
start_daemon "$prober" "$work/slow.toml" "$work/slow.log" --state-dir "$work/state"
daemon=$daemon_pid
# The body is read whole first: under pipefail, grep -q leaving at its match can fail curl's
# next write (exit 23) and the pipeline with it, although the line was there.
in_flight() { local body; body=$(curl -sf "$api/metrics") && grep -q '^prober_in_flight 1$' <<<"$body"; }
for _ in $(seq 250); do in_flight && break; sleep 0.1; done  # first run within 10 s; slack for a loaded machine
expect "a slow probe is in flight" in_flight
start=$(date +%s%N)
kill -TERM "$daemon"
wait "$daemon"
rc=$?
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect "SIGTERM with a probe in flight exits 0 (got $rc)" test "$rc" = 0
expect "SIGTERM cancels the probe instead of waiting for it (${elapsed_ms} ms)" test "$elapsed_ms" -lt 3000

finish
