#!/usr/bin/env bash
# examples/prober.service: `systemd-analyze verify` finds nothing to say (it warns, exit 0, on
# an unknown key, so its output must be empty), pointed at the binary just built; the hardening
# the README promises is in it. A misspelt copy shows the check can fail.
# Usage: systemd_test.sh PROBER EXAMPLES_DIR
set -uo pipefail
prober=$1
unit_file=$2/prober.service
source "$(dirname "$0")/lib.sh"

sed "s|/usr/local/bin/prober|$prober|" "$unit_file" >"$work/prober.service"
systemd-analyze verify "$work/prober.service" >"$work/verify.out" 2>&1
rc=$?
expect "systemd-analyze verify passes (exit $rc)" test "$rc" == 0
expect "and has nothing to say" test ! -s "$work/verify.out"
cat "$work/verify.out"

sed 's/^ProtectSystem=strict/ProtectSytem=strict/' "$work/prober.service" >"$work/misspelt.service"
systemd-analyze verify "$work/misspelt.service" >"$work/misspelt.out" 2>&1
expect "a misspelt key is reported (the check can fail)" grep -q "Unknown key 'ProtectSytem'" "$work/misspelt.out"

for setting in DynamicUser=yes StateDirectory=prober ProtectSystem=strict ProtectHome=yes \
  NoNewPrivileges=yes CapabilityBoundingSet= PrivateTmp=yes PrivateDevices=yes \
  MemoryDenyWriteExecute=yes SystemCallFilter=@system-service "ExecReload=/bin/kill -HUP \$MAINPID"; do
  expect "the unit sets $setting" grep -qxF "$setting" "$unit_file"
done
expect "the state directory given to prober is the one systemd makes" \
  grep -q -- '--state-dir ${STATE_DIRECTORY}' "$unit_file"
finish
