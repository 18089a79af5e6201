#!/usr/bin/env bash
# The container image end to end, with Debian's podman and no registry: a Debian bookworm base
# made here with debootstrap and imported as debian:bookworm-slim (the Dockerfile's base, once,
# cached), the image built from examples/Dockerfile with --pull=never, then run as its non-root
# user, on a read-only root, under a 128 MiB memory limit with 1,000 checks for a minute: it stays up, answers
# /healthz, its HEALTHCHECK passes, and every check passes. It runs without a network
# (--network none): the checks probe the daemon's own endpoints over the container's loopback.
# Prints the image's size and the daemon's peak memory. Run by `make container`, as root.
# Usage: container_test.sh REPOSITORY_ROOT
set -uo pipefail
root=$(cd "$1" && pwd)
source "$root/tests/integration/lib.sh"
podman=(podman --runtime runc --cgroup-manager=cgroupfs)
base_cache=${PROBER_BASE_CACHE:-/var/cache/prober-base}
image=localhost/prober:test
container=prober-container-test-$$
checks=1000
minutes=1

# --- the base image: a debootstrapped bookworm, imported once ---
if ! "${podman[@]}" image exists docker.io/library/debian:bookworm-slim; then
  if [[ ! -x $base_cache/rootfs/usr/bin/apt-get ]]; then
    echo "making the Debian bookworm base with debootstrap (once, a few minutes)..."
    rm -rf "$base_cache/rootfs"
    mkdir -p "$base_cache"
    debootstrap --variant=minbase bookworm "$base_cache/rootfs" http://deb.debian.org/debian \
      >"$base_cache/debootstrap.log" 2>&1 || { echo "debootstrap failed: $base_cache/debootstrap.log"; exit 1; }
    rm -rf "$base_cache"/rootfs/var/lib/apt/lists/* "$base_cache"/rootfs/var/cache/apt/archives/*.deb
  fi
  tar -C "$base_cache/rootfs" -c . | "${podman[@]}" import - docker.io/library/debian:bookworm-slim >/dev/null ||
    { echo "podman import failed"; exit 1; }
fi

# --- the image, from the repository's Dockerfile ---
echo "building $image from examples/Dockerfile (the first build compiles prober: minutes)..."
if ! "${podman[@]}" build --pull=never --format docker -f "$root/examples/Dockerfile" -t "$image" \
  "$root" >"$work/build.log" 2>&1; then
  tail -30 "$work/build.log"
  not_ok "the image builds"
  finish
  exit 1
fi
ok "the image builds from examples/Dockerfile with --pull=never"
size=$("${podman[@]}" image inspect "$image" --format '{{.Size}}')
base_size=$("${podman[@]}" image inspect docker.io/library/debian:bookworm-slim --format '{{.Size}}')
echo "image size: $((size / 1000000)) MB ($(((size - base_size) / 1000000)) MB over the $((base_size / 1000000)) MB base)"
copy=$("${podman[@]}" create "$image")
"${podman[@]}" cp "$copy:/usr/local/bin/prober" "$work/prober-in-image" >/dev/null
"${podman[@]}" rm "$copy" >/dev/null
expect "the binary in it is stripped (no symbol table)" \
  bash -c "! readelf -S '$work/prober-in-image' | grep -q '\.symtab'"
expect "it runs as a non-root user" \
  test "$("${podman[@]}" image inspect "$image" --format '{{.Config.User}}')" == prober
expect "state_dir is a volume" \
  grep -q /var/lib/prober <("${podman[@]}" image inspect "$image" --format '{{json .Config.Volumes}}')

# --- 1,000 checks on the daemon's own endpoints, 10 s apart ---
{
  printf '[prober]\nlisten = "0.0.0.0:9115"\nstate_dir = "/var/lib/prober"\n\n'
  printf '[defaults]\ninterval = "10s"\ntimeout = "5s"\n\n'
  for i in $(seq "$checks"); do
    if ((i % 2)); then path=/healthz; else path="/probe?target=check-$i"; fi
    printf '[[check]]\nname = "check-%s"\nurl = "http://127.0.0.1:9115%s"\nassert = ["status == 200"]\n\n' "$i" "$path"
  done
} >"$work/checks.toml"
chmod 644 "$work/checks.toml"

cleanup_container() { "${podman[@]}" rm -f "$container" >/dev/null 2>&1; }
trap 'cleanup_container; cleanup' EXIT
# Read-only but for its state volume and /tmp, as examples/kubernetes.yaml runs it.
"${podman[@]}" run -d --name "$container" --network none --memory 128m --memory-swap 128m \
  --read-only --tmpfs /tmp:size=16m \
  --ulimit nofile=4096:4096 --ulimit nproc=1024:1024 \
  -v "$work/checks.toml:/etc/prober/checks.toml:ro" "$image" >/dev/null 2>"$work/run.err" ||
  { cat "$work/run.err"; not_ok "the container starts"; finish; exit 1; }
in_container() { "${podman[@]}" exec "$container" "$@"; }
healthy() { in_container curl -fsS --max-time 4 http://127.0.0.1:9115/healthz >/dev/null 2>&1; }
expect "the container answers /healthz" wait_up_to 30 healthy
# The container's memory cgroup, v2 or v1, as the machine has it.
cgroup_memory() {
  in_container sh -c "cat /sys/fs/cgroup/$1 2>/dev/null || cat /sys/fs/cgroup/memory/$2"
}
expect "the kernel holds it to 128 MiB (its memory cgroup's limit)" \
  test "$(cgroup_memory memory.max memory.limit_in_bytes)" == 134217728

# A minute (or more, PROBER_CONTAINER_MINUTES) under the limit: alive and healthy every 5 s.
minutes=${PROBER_CONTAINER_MINUTES:-$minutes}
unhealthy=0
for _ in $(seq $((minutes * 12))); do
  sleep 5
  healthy || unhealthy=$((unhealthy + 1))
done
expect "it stayed up for $minutes minute(s) under 128 MiB" \
  test "$("${podman[@]}" inspect "$container" --format '{{.State.Status}} {{.State.OOMKilled}} {{.RestartCount}}')" == "running false 0"
expect "and answered /healthz every time it was asked ($unhealthy misses)" test "$unhealthy" == 0
expect "its HEALTHCHECK passes" "${podman[@]}" healthcheck run "$container"
in_container curl -fsS http://127.0.0.1:9115/api/v1/checks >"$work/checks.json"
expect "all $checks checks ran and passed" \
  jq_true --argjson n "$checks" '(.checks | length) == $n and all(.checks[]; .state == "passing")' \
  "$work/checks.json"
in_container curl -fsS http://127.0.0.1:9115/metrics >"$work/metrics.txt"
# skipped TOTAL SERIES: the sum of prober_check_runs_skipped_total and how many series it had.
skipped=$(awk '/^prober_check_runs_skipped_total/ {s += $2; n++} END {print s + 0, n + 0}' "$work/metrics.txt")
expect "no run was skipped ($skipped: skipped runs, series)" test "$skipped" == "0 $checks"
peak=$(in_container sh -c 'grep VmHWM /proc/1/status' | awk '{print $2}')
cgroup_peak=$(cgroup_memory memory.peak memory.max_usage_in_bytes)
echo "daemon peak resident memory: $((peak / 1024)) MiB; the container's peak (page cache" \
  "included): $((cgroup_peak / 1048576)) MiB; limit 128 MiB"
expect "its peak memory stayed under the limit with room ($((peak / 1024)) MiB)" test "$peak" -lt $((110 * 1024))

"${podman[@]}" logs "$container" 2>&1 | tail -3
finish
