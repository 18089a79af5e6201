#!/usr/bin/env bash
# A full disk loses no page, end to end, with state_dir on a small tmpfs the test mounts (CI
# runs as root). Where mounting is not allowed it cannot run: it says so and exits 77, which
# ctest reports as skipped (SKIP_RETURN_CODE), and `make test` fails on a skip it was not told
# to expect (EXPECTED_SKIPS), so it never passes without running. An unwritable
# state_dir stops the daemon at start. On a full disk a check starts failing: the trigger is
# delivered from memory, the state write waits (/healthz 503 with the reason,
# prober_state_write_errors_total counts); once the disk frees it is stored, so after a kill -9
# and a restart the recovery still resolves the page, exactly once.
# Usage: full_disk_test.sh PROBER TARGET_SERVER NOTIFY_STANDIN
set -uo pipefail
prober=$1
source "$(dirname "$0")/lib.sh"

mounts=()
unmount_all() {
  for m in "${mounts[@]}"; do umount "$m" 2>/dev/null; done
}
trap 'unmount_all; cleanup' EXIT

mkdir -p "$work/ro" "$work/small"
if ! mount -t tmpfs -o size=1m,ro tmpfs "$work/ro" 2>"$work/mount.err"; then
  echo "SKIPPED: cannot mount a tmpfs here (run as root): $(cat "$work/mount.err")"
  exit 77
fi
mounts+=("$work/ro")
if ! mount -t tmpfs -o size=4m tmpfs "$work/small" 2>"$work/mount.err"; then
  echo "could mount one tmpfs but not a second: $(cat "$work/mount.err")"
  exit 1
fi
mounts+=("$work/small")

start_target_and_standin "$2" "$3"
export TEST_PD_KEY="R0UT1NGKEY0123456789abcdefDISKFL"  # 32 characters
cat >"$work/checks.toml" <<TOML
[defaults]
interval = "200ms"
timeout = "200ms"
failure_threshold = 2
notify = ["pagerduty"]

[notifiers.pagerduty]
type = "pagerduty"
routing_key = "\${TEST_PD_KEY}"
url = "$standin/v2/enqueue"

[[check]]
name = "api"
url = "$target/switch"
TOML

# --- an unwritable state_dir is refused at start ---
expect_exit 1 "run refuses a read-only state_dir" "$prober" run -c "$work/checks.toml" --listen 127.0.0.1:0 --state-dir "$work/ro/state"
expect "the refusal names the directory and the reason" grep -q "state_dir $work/ro/state.*Read-only file system" "$work/err"

# --- a full disk at run time ---
set_target() { curl -sf "$target/switch/set?status=$1" >/dev/null; }
set_target 200
state="$work/small/state"
start_daemon "$prober" "$work/checks.toml" "$work/daemon.log" --state-dir "$state"
expect "the check passes first" \
  wait_for bash -c "curl -sf '$api/api/v1/checks/api' | jq -e '.runs.success >= 2' >/dev/null"
# Fill the disk to the last block.
dd if=/dev/zero of="$work/small/fill" bs=16k 2>/dev/null
expect "the disk is full" bash -c "[[ \$(df --output=avail -k '$work/small' | tail -1 | tr -d ' ') -lt 16 ]]"
set_target 503
expect "the trigger is delivered from memory" wait_up_to 10 pd_count_is 1 trigger prober:api
health() { curl -s -o "$work/health.txt" -w '%{http_code}' "$api/healthz"; }
expect "/healthz answers 503 while the store is behind" wait_up_to 10 bash -c "[[ \$(curl -s -o /dev/null -w '%{http_code}' '$api/healthz') == 503 ]]"
curl -s "$api/healthz" >"$work/health.txt"
expect "/healthz says why" grep -q "state store behind: .*full" "$work/health.txt"
expect "the write errors are counted" \
  bash -c "curl -sf '$api/metrics' | grep -qE '^prober_state_write_errors_total [1-9]'"
expect "the failure is logged" grep -q "kept until the store takes it" "$work/daemon.log"

# --- the disk frees: the waiting state is stored ---
rm -f "$work/small/fill"
expect "/healthz is ok once the state is stored" wait_up_to 20 bash -c "[[ \$(curl -s '$api/healthz') == ok ]]"
expect "the trigger was sent once" pd_count_is 1 trigger prober:api

# --- kill -9, recover, restart: the resolve is still sent, once ---
kill -9 "$daemon_pid"
wait "$daemon_pid" 2>/dev/null
set_target 200
start_daemon "$prober" "$work/checks.toml" "$work/daemon2.log" --state-dir "$state"
expect "after the restart the recovery resolves the page" wait_up_to 10 pd_count_is 1 resolve prober:api
expect "the trigger was not sent again" pd_count_is 1 trigger prober:api
kill -TERM "$daemon_pid"
wait "$daemon_pid" 2>/dev/null

finish
