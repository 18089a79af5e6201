#!/usr/bin/env bash
# Runs every libFuzzer harness for SECONDS each, from its seeds (tests/testdata/fuzz/ and the
# config files under tests/), under ASan and UBSan with leak checks. A crash, leak or timeout
# fails the run and leaves the input in BUILD/fuzz-artifacts/: copy it into
# tests/testdata/fuzz/HARNESS/ with the fix, and `make test` replays it from then on.
# Usage: run.sh BUILD_DIR SECONDS
set -uo pipefail
build=$1
seconds=$2
root="$(cd "$(dirname "$0")/../.." && pwd)"
testdata="$root/tests/testdata"
artifacts="$build/fuzz-artifacts"
mkdir -p "$artifacts"

failed=0
passed=0
for harness in config assertion json_path template slack http_request; do
  seeds=("$testdata/fuzz/$harness")
  if [[ $harness == config ]]; then
    seeds+=("$testdata/valid" "$testdata/invalid" "$root/examples")
  fi
  corpus="$build/fuzz-corpus/$harness"  # what this run learns; not kept in the repository
  mkdir -p "$corpus"
  echo "== fuzz_$harness for ${seconds}s"
  if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$build/tests/fuzz/fuzz_$harness" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$artifacts/$harness-" \
    "$corpus" "${seeds[@]}" >"$build/fuzz-$harness.log" 2>&1; then
    passed=$((passed + 1))
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$build/fuzz-$harness.log" | tr '\n' ' '
    echo
  else
    failed=$((failed + 1))
    echo "FAILED: fuzz_$harness found a problem; its input is in $artifacts:"
    tail -60 "$build/fuzz-$harness.log"
  fi
done
echo "fuzzing: $passed passed, $failed failed"
[[ $failed == 0 ]]
