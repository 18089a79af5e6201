#!/usr/bin/env bash
# System calls a probe at W2's settings (1,000 checks every 2 s, ~500 probes/s against nginx on
# 127.0.0.1-8, a fresh connection a probe), for prober and for the libcurl floor at the same rate.
# Counts, unlike CPU time, hardly vary from run to run, so they compare changes to the engine.
#   syscalls.sh --prober BIN --floor BIN [--seconds S] [--checks N] [--interval I] [--rate R]
#               [--tool perf|strace] [--top K]
# prober: counted over S seconds once every check has run, attached to the running process (all
# its threads), divided by the runs /metrics counted in that window. The floor: counted over its
# whole run of S seconds (start-up included: a few hundred calls), divided by its probes.
# --tool perf (the default) counts each syscalls:sys_enter_* tracepoint with `perf stat`, which
# leaves pacing alone; --tool strace uses `strace -f -c`, which slows every call.
# Prints, per system call, calls a probe for each program, sorted by prober's; then the totals.
set -uo pipefail
prober=""
floor=""
seconds=20
checks=1000
interval=2s
rate=500
tool=perf
top=40
while [[ $# -gt 0 ]]; do
  case $1 in
    --prober) prober=$2; shift ;;
    --floor) floor=$2; shift ;;
    --seconds) seconds=$2; shift ;;
    --checks) checks=$2; shift ;;
    --interval) interval=$2; shift ;;
    --rate) rate=$2; shift ;;
    --tool) tool=$2; shift ;;
    --top) top=$2; shift ;;
    *) echo "syscalls.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
[[ -x $prober && -x $floor ]] || { echo "syscalls.sh: --prober and --floor must name built binaries" >&2; exit 2; }
[[ $tool == perf || $tool == strace ]] || { echo "syscalls.sh: --tool is perf or strace" >&2; exit 2; }
for t in nginx curl awk "$tool"; do
  command -v "$t" >/dev/null || { echo "syscalls.sh: $t is missing" >&2; exit 2; }
done

work=$(mktemp -d)
pids=()  # only what this script started
stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  pids=()
}
trap 'stop_all; rm -rf "$work"' EXIT

free_port() {
  for _ in $(seq 50); do
    local port=$((20000 + RANDOM % 12000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  echo "syscalls.sh: no free port" >&2; exit 1
}
wait_http() {  # URL: up to 10 s for it to answer
  for _ in $(seq 100); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "syscalls.sh: $1 did not answer" >&2; return 1
}
ms_to_s() { awk -v v="$1" 'BEGIN {if (v ~ /ms$/) {sub(/ms$/, "", v); print v / 1000} else {sub(/s$/, "", v); print v}}'; }

# --- nginx on 127.0.0.1-8, as bench.sh runs it ---
ulimit -n 65536 2>/dev/null
target_port=$(free_port)
mkdir -p "$work/nginx"
{
  echo "worker_processes 1; daemon off; master_process off; pid $work/nginx/pid; error_log $work/nginx/error.log;"
  echo "events { worker_connections 8192; }"
  echo "http { access_log off; client_body_temp_path $work/nginx/b; proxy_temp_path $work/nginx/p;"
  echo "  fastcgi_temp_path $work/nginx/f; uwsgi_temp_path $work/nginx/u; scgi_temp_path $work/nginx/s;"
  echo "  server {"
  for i in 1 2 3 4 5 6 7 8; do echo "    listen 127.0.0.$i:$target_port;"; done
  echo "    location / { default_type application/json; return 200 '{\"status\":\"UP\"}'; } } }"
} >"$work/nginx.conf"
nginx -c "$work/nginx.conf" -p "$work/nginx" &
pids+=($!)
wait_http "http://127.0.0.1:$target_port/" || exit 1

# --- W2's config, as bench.sh's write_config writes it ---
{
  echo "[prober]"
  echo "listen = \"127.0.0.1:0\""
  echo "state_dir = \"$work/state\""
  echo "max_in_flight = 1000"
  echo "[defaults]"
  echo "interval = \"$interval\""
  echo "timeout = \"$(awk -v s="$(ms_to_s "$interval")" -v i="$interval" 'BEGIN {print (s < 2) ? i : "2s"}')\""
  echo "assert = [\"status == 200\", 'json \$.status == \"UP\"']"
  awk -v n="$checks" -v port="$target_port" 'BEGIN {
    for (i = 0; i < n; i++) printf "[[check]]\nname = \"c%d\"\nurl = \"http://127.0.0.%d:%d/\"\n", i, (i % 8) + 1, port
  }'
} >"$work/w2.toml"

# The counter's output as "NAME COUNT" lines, one a system call (sys_enter_ or strace's names).
counts_of() {  # FILE
  if [[ $tool == perf ]]; then
    awk -F, '$3 ~ /^syscalls:sys_enter_/ && $1 ~ /^[0-9]+$/ && $1 > 0 {
      name = $3; sub(/^syscalls:sys_enter_/, "", name); print name, $1}' "$1"
  else
    # strace -c: % time, seconds, usecs/call, calls, [errors,] syscall
    awk '$NF != "total" && $1 ~ /^[0-9.]+$/ && NF >= 5 {print $NF, $4}' "$1"
  fi
}

# --- prober ---
"$prober" run -c "$work/w2.toml" --listen 127.0.0.1:0 2>"$work/prober.log" &
prober_pid=$!
pids+=("$prober_pid")
for _ in $(seq 1500); do  # up to 30 s to load
  grep -q "listening on" "$work/prober.log" && break
  kill -0 "$prober_pid" 2>/dev/null || break
  sleep 0.02
done
listen="127.0.0.1:$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$work/prober.log" | head -1)"
wait_http "http://$listen/healthz" || { cat "$work/prober.log" >&2; exit 1; }
runs_total() { curl -sf "http://$listen/metrics" | awk '/^prober_check_runs_total\{/ {s += $2} END {printf "%d", s}'; }
sleep "$(ms_to_s "$interval")"; sleep 1  # every check has run once

# The count covers exactly the runs counted: perf is enabled and disabled around the two reads
# of /metrics (two scrapes in the window: some tens of calls); strace, attached only around them,
# also counts the few milliseconds it takes to attach and detach.
if [[ $tool == perf ]]; then
  mkfifo "$work/ctl" "$work/ack"
  perf stat -x, -o "$work/prober.counts" -D -1 --control "fifo:$work/ctl,$work/ack" \
    -e 'syscalls:sys_enter_*' -p "$prober_pid" 2>"$work/perf.log" &
  counter_pid=$!
  pids+=("$counter_pid")
  exec 8<>"$work/ctl" 9<>"$work/ack"  # read-write: opening never blocks
  echo enable >&8
  timeout 30 head -n 1 <&9 >/dev/null  # perf acknowledges once counting
  runs0=$(runs_total)
  sleep "$seconds"
  runs1=$(runs_total)
  echo disable >&8
  timeout 30 head -n 1 <&9 >/dev/null
  exec 8>&- 9<&-
  kill -INT "$counter_pid"; wait "$counter_pid" 2>/dev/null
else
  runs0=$(runs_total)
  strace -f -c -q -o "$work/prober.counts" -p "$prober_pid" &
  counter_pid=$!
  pids+=("$counter_pid")
  sleep "$seconds"
  kill -INT "$counter_pid"; wait "$counter_pid" 2>/dev/null
  runs1=$(runs_total)
fi
kill "$prober_pid"; wait "$prober_pid" 2>/dev/null
prober_probes=$((runs1 - runs0))

# --- the floor at the same rate ---
urls=()
for i in 1 2 3 4 5 6 7 8; do urls+=("http://127.0.0.$i:$target_port/"); done
if [[ $tool == perf ]]; then
  line=$(perf stat -x, -o "$work/floor.counts" -e 'syscalls:sys_enter_*' -- \
    "$floor" --rate "$rate" --duration "$seconds" --concurrency 2000 "${urls[@]}")
else
  line=$(strace -f -c -q -o "$work/floor.counts" \
    "$floor" --rate "$rate" --duration "$seconds" --concurrency 2000 "${urls[@]}")
fi
floor_probes=$(sed -n 's/.*probes=\([0-9]*\).*/\1/p' <<<"$line")

[[ $prober_probes -gt 0 && ${floor_probes:-0} -gt 0 ]] || {
  echo "syscalls.sh: no probes counted (prober $prober_probes, floor ${floor_probes:-none})" >&2; exit 1; }
counts_of "$work/prober.counts" >"$work/p"
counts_of "$work/floor.counts" >"$work/f"
per_second() { awk -v p="$1" -v s="$seconds" 'BEGIN {printf "%.0f", p / s}'; }
echo "tool=$tool seconds=$seconds prober_probes=$prober_probes ($(per_second "$prober_probes")/s)" \
  "floor_probes=$floor_probes ($(per_second "$floor_probes")/s)"
printf '%-22s %10s %10s\n' syscall prober floor
awk -v pp="$prober_probes" -v fp="$floor_probes" '
  NR == FNR {p[$1] = $2; names[$1] = 1; next}
  {f[$1] = $2; names[$1] = 1}
  END {for (n in names) printf "%-22s %10.3f %10.3f\n", n, p[n] / pp, f[n] / fp}' \
  "$work/p" "$work/f" | sort -k2,2nr -k3,3nr | head -n "$top"
awk -v pp="$prober_probes" -v fp="$floor_probes" 'NR == FNR {pt += $2; next} {ft += $2}
  END {printf "%-22s %10.3f %10.3f\n", "TOTAL", pt / pp, ft / fp}' "$work/p" "$work/f"
