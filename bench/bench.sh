#!/usr/bin/env bash
# prober's benchmark: prober against the libcurl floor and blackbox_exporter, all probing
# nginx on 127.0.0.1-8 with a fresh connection per probe. Every figure is per process, from
# /proc/PID/stat, in runs of the same session, so ratios are fair on a noisy machine.
#   bench.sh [--smoke] [--runs N] [--only w1,w2,w3,w4,w5,y,h,p,m,s,d,u] [--out FILE] --prober BIN --floor BIN
#            [--history BIN] [--pages BIN] [--memory BIN] [--scrape BIN] [--store BIN] [--uptime BIN]
# --smoke runs every workload's machinery for a few seconds at small sizes (make test runs it),
# checks each figure is a number, and writes no RESULTS.md unless --out says where.
# BENCH_W5_SECONDS shortens W5's 10 minutes for a look by hand.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
smoke=0
runs=3
only=w1,w2,w3,w4,w5,y,h,p,m,s,d,u
out=""
history=""
pages=""
memory=""
scrape=""
store=""
uptime=""
prober=""
floor=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --smoke) smoke=1 ;;
    --runs) runs=$2; shift ;;
    --only) only=$2; shift ;;
    --out) out=$2; shift ;;
    --prober) prober=$2; shift ;;
    --floor) floor=$2; shift ;;
    --history) history=$2; shift ;;
    --pages) pages=$2; shift ;;
    --memory) memory=$2; shift ;;
    --scrape) scrape=$2; shift ;;
    --store) store=$2; shift ;;
    --uptime) uptime=$2; shift ;;
    *) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
[[ -x $prober && -x $floor ]] || { echo "bench.sh: --prober and --floor must name built binaries" >&2; exit 2; }
for tool in nginx prometheus-blackbox-exporter promtool curl awk; do
  command -v "$tool" >/dev/null || { echo "bench.sh: $tool is missing (make bench installs it)" >&2; exit 2; }
done

work=$(mktemp -d)
pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  pids=()
}
trap 'stop_all; rm -rf "$work"' EXIT
ticks=$(getconf CLK_TCK)

# --- sizes: the issue's workloads, or seconds-long versions of them ---
if [[ $smoke == 1 ]]; then
  runs=1
  w1_checks=50; w1_interval=100ms; w1_seconds=2
  w2_checks=20; w2_interval=2s; w2_rate=10; w2_seconds=2
  y_seconds=2
  w3_checks=200; w3_interval=1s; w3_seconds=2
  w4_checks=500; w4_interval=1s; w4_seconds=2
  w5_checks=2000; w5_interval=1s; w5_seconds=3
  h_seconds=2
  p_checks=200
  m_checks=2000
  s_checks=2000
  d_transitions=200
  u_checks=300
else
  w1_checks=3000; w1_interval=200ms; w1_seconds=20
  w2_checks=1000; w2_interval=2s; w2_rate=500; w2_seconds=60
  y_seconds=60
  w3_checks=10000; w3_interval=10s; w3_seconds=120
  w4_checks=100000; w4_interval=60s; w4_seconds=180
  w5_checks=1000000; w5_interval=5m; w5_seconds=${BENCH_W5_SECONDS:-600}
  h_seconds=30
  p_checks=10000
  m_checks=100000
  s_checks=100000
  d_transitions=5000
  u_checks=100000
fi

cpu_of() {  # utime + stime of PID, in seconds
  awk -v t="$ticks" '{print ($14 + $15) / t}' "/proc/$1/stat"
}
rss_mib() {  # FIELD (VmRSS or VmHWM) of PID, in MiB
  awk -v f="$2:" '$1 == f {printf "%.1f", $2 / 1024}' "/proc/$1/status"
}
free_port() {
  for _ in $(seq 50); do
    local port=$((20000 + RANDOM % 12000))  # below the ephemeral range the probes use
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  echo "bench.sh: no free port" >&2; exit 1
}
wait_http() {  # URL: up to 10 s for it to answer
  for _ in $(seq 100); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "bench.sh: $1 did not answer" >&2; return 1
}

# --- nginx, the target of every probe, on 127.0.0.1-8 ---
target_port=$(free_port)
mkdir -p "$work/nginx"
{
  echo "worker_processes 1; daemon off; master_process off; pid $work/nginx/pid; error_log $work/nginx/error.log;"
  echo "events { worker_connections 8192; }"
  echo "http { access_log off; client_body_temp_path $work/nginx/b; proxy_temp_path $work/nginx/p;"
  echo "  fastcgi_temp_path $work/nginx/f; uwsgi_temp_path $work/nginx/u; scgi_temp_path $work/nginx/s;"
  echo "  server {"
  for i in 1 2 3 4 5 6 7 8; do echo "    listen 127.0.0.$i:$target_port;"; done
  # W5's million checks open ~3,300 fresh connections a second, each leaving a TIME_WAIT for a
  # minute: spread over 64 more addresses, no address pair runs out of ports.
  for i in $(seq 64); do echo "    listen 127.0.1.$i:$target_port;"; done
  echo "    location / { default_type application/json; return 200 '{\"status\":\"UP\"}'; } } }"
} >"$work/nginx.conf"
ulimit -n 65536 2>/dev/null
nginx -c "$work/nginx.conf" -p "$work/nginx" &
pids+=($!)
wait_http "http://127.0.0.1:$target_port/" || exit 1
target_url() { echo "http://127.0.0.$(( ($1 % 8) + 1 )):$target_port/"; }

ms_to_s() { awk -v v="$1" 'BEGIN {if (v ~ /ms$/) {sub(/ms$/, "", v); print v / 1000} else if (v ~ /m$/) {sub(/m$/, "", v); print v * 60} else {sub(/s$/, "", v); print v}}'; }

write_config() {  # FILE CHECKS INTERVAL [METRICS ADDRESSES]: ADDRESSES 8 (127.0.0.1-8) or 64 (127.0.1.1-64)
  {
    echo "[prober]"
    echo "listen = \"127.0.0.1:0\""
    echo "state_dir = \"$work/state\""
    echo "max_in_flight = ${in_flight:-1000}"
    [[ -n ${4:-} ]] && echo "metrics = \"$4\""  # set only for W5: older builds run W1-W4
    echo "[defaults]"
    echo "interval = \"$3\""
    echo "timeout = \"$(awk -v s="$(ms_to_s "$3")" -v i="$3" 'BEGIN {print (s < 2) ? i : "2s"}')\""
    echo "assert = [\"status == 200\", 'json \$.status == \"UP\"']"
    # awk, not a shell loop: a subshell per check costs minutes at 100,000 checks
    if [[ ${5:-8} == 64 ]]; then
      awk -v n="$2" -v port="$target_port" 'BEGIN {
        for (i = 0; i < n; i++) printf "[[check]]\nname = \"c%d\"\nurl = \"http://127.0.1.%d:%d/\"\n", i, (i % 64) + 1, port
      }'
    else
      awk -v n="$2" -v port="$target_port" 'BEGIN {
        for (i = 0; i < n; i++) printf "[[check]]\nname = \"c%d\"\nurl = \"http://127.0.0.%d:%d/\"\n", i, (i % 8) + 1, port
      }'
    fi
  } >"$1"
}

metrics() { curl -sf "http://$listen/metrics"; }
runs_total() { metrics | awk '/^prober_check_runs_total\{/ {s += $2} END {printf "%d", s}'; }
skipped_total() { metrics | awk '/^prober_check_runs_skipped_total\{/ {s += $2} END {printf "%d", s}'; }
buckets_of() { metrics | awk -v family="^$1_bucket" '$0 ~ family {match($0, /le="[^"]+"/); le = substr($0, RSTART + 4, RLENGTH - 5); print le, $2}'; }
lag_buckets() { buckets_of prober_schedule_lag_seconds; }
hold_buckets() { buckets_of prober_http_loop_hold_seconds; }  # each step of an answer
# quantile Q from two bucket snapshots (before, after), interpolating inside the bucket
lag_quantile() {
  awk -v q="$1" 'NR == FNR {before[$1] = $2; next}
    {le[++n] = $1; count[n] = $2 - before[$1]}
    END {
      total = count[n]; if (total <= 0) {print "nan"; exit}
      rank = q * total; lower = 0; prev = 0
      for (i = 1; i <= n; i++) {
        if (count[i] >= rank) {
          if (le[i] == "+Inf") {print le[i - 1]; exit}
          printf "%.6f", lower + (le[i] - lower) * (rank - prev) / (count[i] - prev); exit
        }
        lower = (le[i] == "+Inf") ? lower : le[i]; prev = count[i]
      }
    }' "$2" "$3"
}
lag_max_bound() {  # the upper bound of the highest bucket that gained runs
  awk 'NR == FNR {before[$1] = $2; next} {le[++n] = $1; c[n] = $2 - before[$1]}
    END {for (i = 1; i <= n; i++) if (c[i] > (i > 1 ? c[i - 1] : 0)) m = le[i]; print m}' "$1" "$2"
}

start_prober() {  # CONFIG: listens on a port of its choosing; sets prober_pid, listen, startup_ms
  local t0
  t0=$(date +%s%N)
  "$prober" run -c "$1" --listen 127.0.0.1:0 2>"$work/prober.log" &
  prober_pid=$!
  pids+=("$prober_pid")
  for _ in $(seq 6000); do  # a million checks take a while to load: up to 120 s
    grep -q "listening on" "$work/prober.log" && break
    kill -0 "$prober_pid" 2>/dev/null || break
    sleep 0.02
  done
  # Start to listening: the config loaded and every check scheduled (runs are spread over the
  # interval from there).
  startup_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  listen="127.0.0.1:$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$work/prober.log" | head -1)"
  wait_http "http://$listen/healthz" || { cat "$work/prober.log" >&2; exit 1; }
}
stop_prober() {
  kill "$prober_pid" 2>/dev/null
  wait "$prober_pid" 2>/dev/null
  rm -rf "$work/state"
}

results="$work/results.txt"  # lines: FIGURE VALUE
: >"$results"
record() { echo "$1 $2" >>"$results"; echo "  $1 = $2" >&2; }


# --- W1: flat out ---
w1() {
  # Flat out with as many transfers in flight as the floor below keeps (100): CPU a probe grows
  # with the sockets and timers in flight, in any program, so the two compare at the same count.
  in_flight=100 write_config "$work/w1.toml" "$w1_checks" "$w1_interval"
  start_prober "$work/w1.toml"
  sleep $(( w1_seconds > 5 ? 3 : 1 ))
  local cpu0 runs0 cpu1 runs1
  cpu0=$(cpu_of "$prober_pid"); runs0=$(runs_total)
  sleep "$w1_seconds"
  cpu1=$(cpu_of "$prober_pid"); runs1=$(runs_total)
  stop_prober
  record w1_probes_per_second "$(awk -v a="$runs0" -v b="$runs1" -v s="$w1_seconds" 'BEGIN {printf "%.0f", (b - a) / s}')"
  record w1_probes_per_cpu_second "$(awk -v a="$runs0" -v b="$runs1" -v c0="$cpu0" -v c1="$cpu1" 'BEGIN {printf "%.0f", (b - a) / (c1 - c0)}')"
  record w1_cpu_seconds_per_1000 "$(awk -v a="$runs0" -v b="$runs1" -v c0="$cpu0" -v c1="$cpu1" 'BEGIN {printf "%.4f", 1000 * (c1 - c0) / (b - a)}')"

  # The floor flat out in the same run: what this machine allows any libcurl program.
  local urls=() line
  for i in 0 1 2 3 4 5 6 7; do urls+=("$(target_url "$i")"); done
  line=$("$floor" --duration "$w1_seconds" --concurrency 100 "${urls[@]}")
  record w1_floor_probes_per_second "$(awk -v l="$line" 'BEGIN {split(l, f, /[ =]/); printf "%.0f", f[2] / f[8]}')"
  record w1_floor_probes_per_cpu_second "$(awk -v l="$line" 'BEGIN {split(l, f, /[ =]/); printf "%.0f", f[2] / f[6]}')"
  record w1_prober_over_floor "$(awk -v l="$line" -v a="$runs0" -v b="$runs1" -v c0="$cpu0" -v c1="$cpu1" \
    'BEGIN {split(l, f, /[ =]/); printf "%.2f", ((c1 - c0) / (b - a)) / (f[6] / f[2])}')"
}

# --- W2: paced, side by side: prober, the floor, blackbox_exporter ---
w2() {
  write_config "$work/w2.toml" "$w2_checks" "$w2_interval"
  start_prober "$work/w2.toml"
  sleep "$(ms_to_s "$w2_interval")"; sleep 1  # every check has run once
  local cpu0 runs0 cpu1 runs1
  cpu0=$(cpu_of "$prober_pid"); runs0=$(runs_total)
  sleep "$w2_seconds"
  cpu1=$(cpu_of "$prober_pid"); runs1=$(runs_total)
  stop_prober
  local prober_ms
  prober_ms=$(awk -v a="$runs0" -v b="$runs1" -v c0="$cpu0" -v c1="$cpu1" 'BEGIN {printf "%.4f", 1000 * (c1 - c0) / (b - a)}')
  record w2_prober_probes_per_second "$(awk -v a="$runs0" -v b="$runs1" -v s="$w2_seconds" 'BEGIN {printf "%.0f", (b - a) / s}')"
  record w2_prober_ms_per_probe "$prober_ms"

  # The floor straight after prober, the two minutes of blackbox_exporter after both: the
  # machine drifts over minutes, and the ratio that matters is of runs side by side.
  local urls=()
  for i in 0 1 2 3 4 5 6 7; do urls+=("$(target_url "$i")"); done
  local line
  line=$("$floor" --rate "$w2_rate" --duration "$w2_seconds" --concurrency 2000 "${urls[@]}")
  local floor_ms
  floor_ms=$(awk -v l="$line" 'BEGIN {split(l, f, /[ =]/); printf "%.4f", 1000 * f[6] / f[2]}')
  record w2_floor_ms_per_probe "$floor_ms"
  record w2_prober_over_floor "$(awk -v p="$prober_ms" -v f="$floor_ms" 'BEGIN {printf "%.2f", p / f}')"

  local bb_port
  bb_port=$(free_port)
  printf 'modules:\n  http_2xx:\n    prober: http\n    timeout: 5s\n    http:\n      valid_status_codes: [200]\n      fail_if_body_not_matches_regexp: ["UP"]\n' >"$work/bb.yml"
  prometheus-blackbox-exporter --config.file="$work/bb.yml" --web.listen-address="127.0.0.1:$bb_port" \
    --log.level=warn 2>"$work/bb.log" &
  local bb_pid=$!
  pids+=("$bb_pid")
  wait_http "http://127.0.0.1:$bb_port/metrics" || exit 1
  urls=()
  for i in 0 1 2 3 4 5 6 7; do
    urls+=("http://127.0.0.1:$bb_port/probe?module=http_2xx&target=$(target_url "$i")")
  done
  "$floor" --rate "$w2_rate" --duration 1 --keepalive "${urls[@]}" >/dev/null  # warm up
  cpu0=$(cpu_of "$bb_pid")
  line=$("$floor" --rate "$w2_rate" --duration "$w2_seconds" --concurrency 2000 --keepalive "${urls[@]}")
  cpu1=$(cpu_of "$bb_pid")
  kill "$bb_pid"; wait "$bb_pid" 2>/dev/null
  local bb_probes
  bb_probes=$(sed -n 's/.*probes=\([0-9]*\).*/\1/p' <<<"$line")
  local bb_ms
  bb_ms=$(awk -v p="$bb_probes" -v c0="$cpu0" -v c1="$cpu1" 'BEGIN {printf "%.4f", 1000 * (c1 - c0) / p}')
  record w2_blackbox_probes_per_second "$(awk -v p="$bb_probes" -v s="$w2_seconds" 'BEGIN {printf "%.0f", p / s}')"
  record w2_blackbox_ms_per_probe "$bb_ms"
  record w2_blackbox_over_prober "$(awk -v p="$prober_ms" -v b="$bb_ms" 'BEGIN {printf "%.2f", b / p}')"
}

# --- W3 / W4: many checks ---
many() {  # NAME CHECKS INTERVAL SECONDS
  local name=$1
  write_config "$work/$name.toml" "$2" "$3"
  local t0 t1
  t0=$(date +%s%N)
  "$prober" validate -c "$work/$name.toml" >/dev/null || { echo "bench.sh: $name config invalid" >&2; exit 1; }
  t1=$(date +%s%N)
  record "${name}_config_load_ms" "$(( (t1 - t0) / 1000000 ))"
  start_prober "$work/$name.toml"
  record "${name}_startup_ms" "$startup_ms"
  sleep "$(ms_to_s "$3")"  # one whole interval: every check has started
  lag_buckets >"$work/lag0"
  local cpu0 skipped0 cpu1
  cpu0=$(cpu_of "$prober_pid"); skipped0=$(skipped_total)
  sleep "$4"
  cpu1=$(cpu_of "$prober_pid")
  lag_buckets >"$work/lag1"
  record "${name}_rss_mib" "$(rss_mib "$prober_pid" VmRSS)"
  record "${name}_peak_rss_mib" "$(rss_mib "$prober_pid" VmHWM)"
  record "${name}_cpu_percent" "$(awk -v c0="$cpu0" -v c1="$cpu1" -v s="$4" 'BEGIN {printf "%.1f", 100 * (c1 - c0) / s}')"
  record "${name}_lag_p50_ms" "$(awk -v v="$(lag_quantile 0.5 "$work/lag0" "$work/lag1")" 'BEGIN {printf "%.3f", v * 1000}')"
  record "${name}_lag_p99_ms" "$(awk -v v="$(lag_quantile 0.99 "$work/lag0" "$work/lag1")" 'BEGIN {printf "%.3f", v * 1000}')"
  record "${name}_lag_max_bound_ms" "$(awk -v v="$(lag_max_bound "$work/lag0" "$work/lag1")" 'BEGIN {printf "%.1f", v * 1000}')"
  record "${name}_runs_skipped" "$(( $(skipped_total) - skipped0 ))"
  local scrape
  scrape=$(curl -sf -o "$work/$name.metrics" -w '%{time_total} %{size_download}' "http://$listen/metrics")
  record "${name}_scrape_ms" "$(awk -v s="${scrape% *}" 'BEGIN {printf "%.0f", s * 1000}')"
  record "${name}_scrape_mib" "$(awk -v b="${scrape#* }" 'BEGIN {printf "%.1f", b / 1048576}')"
  if promtool check metrics <"$work/$name.metrics" >/dev/null 2>&1; then
    record "${name}_promtool_ok" 1
  else
    record "${name}_promtool_ok" 0
  fi
  stop_prober
}

# --- W5: a million checks in one process, measured from the start for w5_seconds ---
lag_max_ms() { metrics | awk '/^prober_schedule_lag_max_seconds / {printf "%.3f", $2 * 1000}'; }
scrape_figures() {  # NAME SUFFIX [CURL ARGS]: time and size of one scrape
  local name=$1 suffix=$2 scrape
  shift 2
  scrape=$(curl -sf -o "$work/$name.scrape" -w '%{time_total} %{size_download}' "$@" "http://$listen/metrics")
  record "${name}_scrape${suffix}_ms" "$(awk -v s="${scrape% *}" 'BEGIN {printf "%.0f", s * 1000}')"
  record "${name}_scrape${suffix}_mib" "$(awk -v b="${scrape#* }" 'BEGIN {printf "%.1f", b / 1048576}')"
  rm -f "$work/$name.scrape"
}
page_figures() {  # NAME PATH: time and size of one page or list over every check
  local got
  got=$(curl -sf -o /dev/null -w '%{time_total} %{size_download}' --max-time 600 "http://$listen$2")
  record "w5_page_${1}_ms" "$(awk -v s="${got% *}" 'BEGIN {printf "%.0f", s * 1000}')"
  record "w5_page_${1}_mib" "$(awk -v b="${got#* }" 'BEGIN {printf "%.1f", b / 1048576}')"
}
million() {
  write_config "$work/w5.toml" "$w5_checks" "$w5_interval" minimal 64
  start_prober "$work/w5.toml"
  record w5_startup_ms "$startup_ms"
  local cpu0 cpu1
  cpu0=$(cpu_of "$prober_pid")
  sleep "$w5_seconds"
  cpu1=$(cpu_of "$prober_pid")
  lag_buckets >"$work/lag1"
  awk '{print $1, 0}' "$work/lag1" >"$work/lag0"  # from the start: every run counts
  record w5_rss_mib "$(rss_mib "$prober_pid" VmRSS)"
  record w5_cpu_percent "$(awk -v c0="$cpu0" -v c1="$cpu1" -v s="$w5_seconds" 'BEGIN {printf "%.1f", 100 * (c1 - c0) / s}')"
  record w5_runs "$(runs_total)"
  record w5_lag_p50_ms "$(awk -v v="$(lag_quantile 0.5 "$work/lag0" "$work/lag1")" 'BEGIN {printf "%.3f", v * 1000}')"
  record w5_lag_p99_ms "$(awk -v v="$(lag_quantile 0.99 "$work/lag0" "$work/lag1")" 'BEGIN {printf "%.3f", v * 1000}')"
  record w5_lag_max_ms "$(lag_max_ms)"
  record w5_runs_skipped "$(metrics | awk '/^prober_runs_skipped_total / {printf "%d", $2}')"
  scrape_figures w5 "" # as it is
  scrape_figures w5 _gzip -H 'Accept-Encoding: gzip'  # as Prometheus asks for it
  # The pages and lists over every check, one after another, while the million run: each is
  # written a slice of checks per turn of the loop, so the runs due meanwhile start on time.
  lag_buckets >"$work/lag2"
  hold_buckets >"$work/hold2"
  local page name
  for page in dashboard:/ status:/status targets:/api/v1/targets checks:/api/v1/checks; do
    name=${page%%:*}
    page_figures "$name" "${page#*:}"
  done
  lag_buckets >"$work/lag3"
  hold_buckets >"$work/hold3"
  # How long one slice of those pages held the loop (a handler's call or one piece of an answer).
  record w5_pages_hold_p99_ms "$(awk -v v="$(lag_quantile 0.99 "$work/hold2" "$work/hold3")" 'BEGIN {printf "%.3f", v * 1000}')"
  record w5_pages_hold_max_bound_ms "$(awk -v v="$(lag_max_bound "$work/hold2" "$work/hold3")" 'BEGIN {printf "%.1f", v * 1000}')"
  record w5_hold_max_ms "$(metrics | awk '/^prober_http_loop_hold_max_seconds / {printf "%.3f", $2 * 1000}')"
  record w5_pages_lag_p99_ms "$(awk -v v="$(lag_quantile 0.99 "$work/lag2" "$work/lag3")" 'BEGIN {printf "%.3f", v * 1000}')"
  record w5_pages_lag_max_bound_ms "$(awk -v v="$(lag_max_bound "$work/lag2" "$work/lag3")" 'BEGIN {printf "%.1f", v * 1000}')"
  record w5_peak_rss_mib "$(rss_mib "$prober_pid" VmHWM)"  # the scrapes and pages included
  stop_prober
}

# --- H: the history's cost at 1,000 results a second (as W3 produces them) ---
history_writes() {
  local line
  line=$("$history" "$h_seconds" 1000 "$work/history-state")
  rm -rf "$work/history-state"
  record h_cpu_ms_per_1000 "$(awk -v l="$line" -v s="$h_seconds" 'BEGIN {
    n = split(l, f, /[ =]/); for (i = 1; i < n; i += 2) v[f[i]] = f[i + 1];
    printf "%.2f", 1000 * v["cpu_seconds"] / v["records"] * 1000}')"
  record h_cpu_percent "$(awk -v l="$line" -v s="$h_seconds" 'BEGIN {
    n = split(l, f, /[ =]/); for (i = 1; i < n; i += 2) v[f[i]] = f[i + 1];
    printf "%.2f", 100 * v["cpu_seconds"] / s}')"
}

# --- P: the status pages and the uptime behind them at p_checks checks ---
pages_render() {
  local line
  line=$("$pages" "$p_checks" "$work/pages-state" 5) || { echo "bench_pages failed: $line" >&2; return; }
  for key in uptime_ms dashboard_ms dashboard_bytes filtered_ms status_ms status_bytes; do
    record "p_$key" "$(awk -v l="$line" -v k="$key" 'BEGIN {
      n = split(l, f, /[ =]/); for (i = 1; i < n; i += 2) if (f[i] == k) print f[i + 1]}')"
  done
}

# --- M: what a check costs in memory, part by part ---
memory_parts() {
  local line
  line=$("$memory" "$m_checks" "$work/memory" | sed -n 's/^figures //p')
  rm -rf "$work/memory"
  for key in spec state schedule last_run total resident; do
    record "m_$key" "$(awk -v l="$line" -v k="$key" 'BEGIN {
      n = split(l, f, /[ =]/); for (i = 1; i < n; i += 2) if (f[i] == k) print f[i + 1]}')"
  done
}

# --- S: writing /metrics alone, apart from the loop and the socket ---
scrape_writing() {
  local line
  line=$("$scrape" "$s_checks" | sed -n 's/^figures //p')
  for detail in full summary minimal; do
    for key in ms bytes_per_check gzip_ms; do
      record "s_${detail}_$key" "$(awk -v l="$line" -v k="${detail}_$key" 'BEGIN {
        n = split(l, f, /[ =]/); for (i = 1; i < n; i += 2) if (f[i] == k) print f[i + 1]}')"
    done
  done
}

# --- D: the alert store's commits synced to the disk, against synced at checkpoints ---
store_commits() {
  local line
  line=$("$store" "$d_transitions" "$work/store-state") || { echo "bench_store failed" >&2; return; }
  for key in durable_us fast_us ratio; do
    record "d_$key" "$(awk -v l="$line" -v k="$key" 'BEGIN {
      n = split(l, f, /[ =]/); for (i = 1; i < n; i += 2) if (f[i] == k) print f[i + 1]}')"
  done
}

# --- U: writes while the uptime pass reads a month of hourly counts at u_checks checks ---
uptime_writes() {
  local line
  line=$("$uptime" "$u_checks" "$work/uptime-state" 3333) || { echo "bench_uptime failed" >&2; return; }
  for key in pass_ms writer_thread_max_wait_ms read_thread_max_wait_ms dropped; do
    record "u_$key" "$(awk -v l="$line" -v k="$key" 'BEGIN {
      n = split(l, f, /[ =]/); for (i = 1; i < n; i += 2) if (f[i] == k) print f[i + 1]}')"
  done
}

# --- Y: system calls a probe at W2's settings, prober and the floor at the same rate ---
# Counts hardly vary from run to run, unlike CPU time: they say where a probe's cost goes.
# perf counts without slowing anything; where its tracepoints are closed (a container), strace.
syscalls_per_probe() {
  local tool=perf out
  perf stat -e syscalls:sys_enter_getppid true >/dev/null 2>&1 || tool=strace
  out=$(bash "$here/syscalls.sh" --prober "$prober" --floor "$floor" --seconds "$y_seconds" \
    --checks "$w2_checks" --interval "$w2_interval" --rate "$w2_rate" --tool "$tool" --top 1000) ||
    { echo "bench.sh: counting system calls failed" >&2; return 1; }
  record y_counted_by_perf "$([[ $tool == perf ]] && echo 1 || echo 0)"
  record y_prober_per_probe "$(awk '$1 == "TOTAL" {print $2}' <<<"$out")"
  record y_floor_per_probe "$(awk '$1 == "TOTAL" {print $3}' <<<"$out")"
  for call in epoll_wait epoll_ctl timerfd_settime poll ioctl; do
    record "y_${call}_prober" "$(awk -v c="$call" '$1 == c {v = $2} END {printf "%.3f", v}' <<<"$out")"
    record "y_${call}_floor" "$(awk -v c="$call" '$1 == c {v = $3} END {printf "%.3f", v}' <<<"$out")"
  done
}

for ((run = 1; run <= runs; run++)); do
  echo "run $run of $runs" >&2
  record machine_syscall_us "$("$floor" --syscall-cost | sed 's/^syscall_us=//')"
  [[ ,$only, == *,w1,* ]] && { echo "W1 flat out" >&2; w1; }
  [[ ,$only, == *,w2,* ]] && { echo "W2 paced" >&2; w2; }
  [[ ,$only, == *,w3,* ]] && { echo "W3 $w3_checks checks" >&2; many w3 "$w3_checks" "$w3_interval" "$w3_seconds"; }
  [[ ,$only, == *,w4,* ]] && { echo "W4 $w4_checks checks" >&2; many w4 "$w4_checks" "$w4_interval" "$w4_seconds"; }
  [[ ,$only, == *,w5,* ]] && { echo "W5 $w5_checks checks" >&2; million; }
  [[ ,$only, == *,y,* ]] && { echo "Y system calls a probe" >&2; syscalls_per_probe; }
  [[ ,$only, == *,h,* && -n $history ]] && { echo "H history writes" >&2; history_writes; }
  [[ ,$only, == *,p,* && -n $pages ]] && { echo "P pages at $p_checks checks" >&2; pages_render; }
  [[ ,$only, == *,m,* && -n $memory ]] && { echo "M memory a check costs" >&2; memory_parts; }
  [[ ,$only, == *,s,* && -n $scrape ]] && { echo "S writing /metrics" >&2; scrape_writing; }
  [[ ,$only, == *,d,* && -n $store ]] && { echo "D alert store commits" >&2; store_commits; }
  [[ ,$only, == *,u,* && -n $uptime ]] && { echo "U writes during the uptime pass" >&2; uptime_writes; }
done

# Every figure must be a number, or the machinery has rotted.
# (A seconds-long smoke may divide by a CPU time below the clock tick: inf is allowed there.)
bad=$(awk -v smoke="$smoke" '$2 !~ /^-?[0-9]+(\.[0-9]+)?$/ && !(smoke && $2 ~ /^-?(inf|nan)$/)' "$results")
[[ -z $bad ]] || { echo "bench.sh: figures that are not numbers:" >&2; echo "$bad" >&2; exit 1; }
echo "bench: $(wc -l <"$results") figures" >&2

[[ -n $out ]] && bash "$here/report.sh" "$results" "$runs" "$prober" >"$out"
[[ -n $out ]] && echo "wrote $out" >&2
exit 0
