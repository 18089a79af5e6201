#!/usr/bin/env bash
# Writes bench/RESULTS.md from bench.sh's figures: the machine, versions, every figure's
# min / median / max over the runs, and each target met or missed.
#   report.sh RESULTS_TXT RUNS PROBER_BIN
set -uo pipefail
results=$1
runs=$2
prober=$3

stats() {  # FIGURE -> "min median max"
  awk -v f="$1" '$1 == f {print $2}' "$results" | sort -g |
    awk '{v[NR] = $1} END {if (NR == 0) {print "- - -"; exit}
      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; print v[1], m, v[NR]}'
}
median() { stats "$1" | awk '{print $2}'; }
row() {  # FIGURE LABEL
  read -r lo mid hi <<<"$(stats "$1")"
  echo "| $2 | $lo | $mid | $hi |"
}
verdict() {  # VALUE OP LIMIT -> met / MISSED / not run
  awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
    if (v == "-") {print "not run"; exit}
    ok = (op == "<=") ? (v + 0 <= l + 0) : (v + 0 >= l + 0); print ok ? "met" : "**missed**"}'
}
target() {  # LABEL FIGURE OP LIMIT UNIT
  local value
  value=$(median "$2")
  echo "| $1 | $3 $4$5 | $value$5 | $(verdict "$value" "$3" "$4") |"
}

cpu_model=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
cat <<EOF2
# Benchmark results

Written by \`make bench\` on $(date -u +%Y-%m-%d) (UTC). Each figure is the min / median / max
of $runs runs; targets are judged on the median. CPU is per process, from /proc/PID/stat.
All traffic stays on loopback (127.0.0.1-8, and 127.0.1.1-64 for W5); every probe opens a
fresh connection to nginx.

## Machine and versions

- CPU: ${cpu_model:-unknown}, $(nproc) cores; memory $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
- kernel $(uname -r); one system call (getppid) takes $(median machine_syscall_us) µs here; every probe
  with a fresh connection makes dozens of them in every program measured, so this figure says
  how far CPU figures from two machines compare
- $("$prober" --version), built RelWithDebInfo (-O2)
- libcurl $(curl --version | awk 'NR == 1 {print $2}'), $(nginx -v 2>&1 | sed 's/.*: //'), $(prometheus-blackbox-exporter --version 2>&1 | awk 'NR == 1 {sub(/,/, "", $1); print $1, $3}')

## Targets (issue 4)

| figure | target | measured (median) | |
|---|---|---|---|
$(target "W2 CPU per probe, prober / floor" w2_prober_over_floor "<=" 1.5 "")
$(target "W2 CPU per probe, blackbox_exporter / prober" w2_blackbox_over_prober ">=" 7 "")
$(target "W1 probes per CPU-second" w1_probes_per_cpu_second ">=" 10000 "")
$(target "W3 RSS" w3_rss_mib "<=" 128 " MiB")
$(target "W3 schedule lag p99" w3_lag_p99_ms "<=" 5 " ms")
$(target "W3 runs skipped" w3_runs_skipped "<=" 0 "")
$(target "W3 /metrics scrape" w3_scrape_ms "<=" 250 " ms")
$(target "W3 /metrics passes promtool (1 = yes)" w3_promtool_ok ">=" 1 "")
$(target "W3 config load and validation" w3_config_load_ms "<=" 300 " ms")
$(target "W4 peak RSS" w4_peak_rss_mib "<=" 512 " MiB")
$(target "W4 schedule lag p99" w4_lag_p99_ms "<=" 20 " ms")
$(target "W4 /metrics scrape" w4_scrape_ms "<=" 2500 " ms")
$(target "W4 config load and validation" w4_config_load_ms "<=" 3000 " ms")

## Targets (issue 18: a million checks in one process)

| figure | target | measured (median) | |
|---|---|---|---|
$(target "M heap a typical check costs (URL, 3 assertions, 2 labels)" m_total "<=" 2048 " B")
$(target "W4 peak RSS (100,000 checks, a full scrape included)" w4_peak_rss_mib "<=" 320 " MiB")
$(target "W4 /metrics scrape, full" w4_scrape_ms "<=" 1500 " ms")
$(target "W4 start to listening, every check scheduled" w4_startup_ms "<=" 2000 " ms")
$(target "W5 peak RSS (1,000,000 checks, scrapes included)" w5_peak_rss_mib "<=" 2560 " MiB")
$(target "W5 schedule lag p99" w5_lag_p99_ms "<=" 50 " ms")
$(target "W5 runs skipped" w5_runs_skipped "<=" 0 "")
$(target "W1 CPU per probe, prober / floor" w1_prober_over_floor "<=" 1.6 "")
$(target "W2 CPU per probe, prober / floor" w2_prober_over_floor "<=" 1.2 "")

## Targets (issue 31: lighter on the kernel)

| figure | target | measured (median) | |
|---|---|---|---|
$(target "Y system calls a probe at W2, prober" y_prober_per_probe "<=" 20 "")
$(target "W2 CPU per probe, prober / floor" w2_prober_over_floor "<=" 1.2 "")
$(target "W5 schedule lag p99" w5_lag_p99_ms "<=" 50 " ms")
$(target "W5 schedule lag p99 while /, /status and the API lists are read" w5_pages_lag_p99_ms "<=" 50 " ms")

## Y: system calls a probe at W2's settings (1,000 checks at 2 s, 500 probes/s)

| figure | min | median | max |
|---|---|---|---|
$(row y_prober_per_probe "prober: system calls a probe")
$(row y_floor_per_probe "libcurl multi floor: system calls a probe")
$(row y_epoll_wait_prober "prober: epoll_wait")
$(row y_epoll_ctl_prober "prober: epoll_ctl")
$(row y_timerfd_settime_prober "prober: timerfd_settime")
$(row y_poll_prober "prober: poll (curl's own)")
$(row y_ioctl_prober "prober: ioctl")
$(row y_poll_floor "floor: poll")
$(row y_counted_by_perf "counted by perf (1) or strace (0)")

bench/syscalls.sh counts every thread's calls (perf's syscall tracepoints) over 60 s once every
check has run, divided by the runs /metrics counted (the two reads of /metrics that count them,
a few hundred calls, are in the window: 60 s makes them under 0.01 a probe); the floor's over
its own run at the same rate. Both make the same fifteen calls a connection in libcurl (socket to close); the rest is
how each waits: the floor polls every socket it has after each step, prober adds each socket
once to an epoll set of the engine's and wakes once for whatever is ready together.

## W1: flat out (one check per target URL, interval small enough to saturate, 100 in flight)

| figure | min | median | max |
|---|---|---|---|
$(row w1_probes_per_second "probes per second")
$(row w1_probes_per_cpu_second "probes per CPU-second")
$(row w1_cpu_seconds_per_1000 "CPU-seconds per 1,000 probes")
$(row w1_floor_probes_per_second "libcurl multi floor (100 in flight): probes per second")
$(row w1_floor_probes_per_cpu_second "libcurl multi floor: probes per CPU-second")
$(row w1_prober_over_floor "prober / floor, CPU per probe")

## W2: 500 probes/s for 60 s (1,000 checks at 2 s), side by side

| figure | min | median | max |
|---|---|---|---|
$(row w2_prober_probes_per_second "prober: probes per second")
$(row w2_prober_ms_per_probe "prober: CPU ms per probe")
$(row w2_blackbox_probes_per_second "blackbox_exporter: probes per second")
$(row w2_blackbox_ms_per_probe "blackbox_exporter: CPU ms per probe")
$(row w2_floor_ms_per_probe "libcurl multi floor: CPU ms per probe")
$(row w2_prober_over_floor "prober / floor")
$(row w2_blackbox_over_prober "blackbox_exporter / prober")

prober's checks each assert \`status == 200\` and \`json \$.status == "UP"\` and keep metrics and
alert state; blackbox_exporter's module checks the status and matches "UP" in the body, driven
by the paced scraper (bench/floor.c --keepalive, as Prometheus reuses its connections); the
floor is bench/floor.c probing nginx directly, run straight after prober (blackbox_exporter
comes last), so the two runs the ratio compares are side by side in time.

## W3: 10,000 checks at 10 s for 120 s; W4: 100,000 checks at 60 s for 180 s

| figure | W3 min | W3 median | W3 max | W4 min | W4 median | W4 max |
|---|---|---|---|---|---|---|
EOF2
for pair in "startup_ms:start to listening, every check scheduled (ms)" \
  "rss_mib:RSS at the end (MiB)" "peak_rss_mib:peak RSS (MiB)" "cpu_percent:CPU (% of one core)" \
  "lag_p50_ms:schedule lag p50 (ms)" "lag_p99_ms:schedule lag p99 (ms)" \
  "lag_max_bound_ms:schedule lag max, bucket bound (ms)" "runs_skipped:runs skipped" \
  "scrape_ms:/metrics scrape (ms)" "scrape_mib:/metrics size (MiB)" "promtool_ok:promtool check metrics (1 = pass)" \
  "config_load_ms:config load and validation (ms)"; do
  key=${pair%%:*}
  label=${pair#*:}
  read -r a b c <<<"$(stats "w3_$key")"
  read -r d e f <<<"$(stats "w4_$key")"
  echo "| $label | $a | $b | $c | $d | $e | $f |"
done
cat <<EOF2

Schedule lag is how late a run started after it was due, from \`prober_schedule_lag_seconds\`
(p50 and p99 interpolated inside buckets, as \`histogram_quantile\` does; the max is the upper
bound of the highest bucket that gained runs). Config load is \`prober validate\` on the
generated file, process start included.

## W5: 1,000,000 checks at 5 min for 10 min, \`metrics = "minimal"\`

| figure | min | median | max |
|---|---|---|---|
$(row w5_startup_ms "start to listening, every check scheduled (ms)")
$(row w5_rss_mib "RSS at the end (MiB)")
$(row w5_peak_rss_mib "peak RSS, the scrapes included (MiB)")
$(row w5_cpu_percent "CPU (% of one core), over the 10 minutes")
$(row w5_runs "runs in the 10 minutes")
$(row w5_runs_skipped "runs skipped")
$(row w5_lag_p50_ms "schedule lag p50 (ms)")
$(row w5_lag_p99_ms "schedule lag p99 (ms)")
$(row w5_lag_max_ms "schedule lag max, measured (ms)")
$(row w5_scrape_ms "/metrics scrape, plain (ms)")
$(row w5_scrape_mib "/metrics size, plain (MiB)")
$(row w5_scrape_gzip_ms "/metrics scrape, gzip as Prometheus asks (ms)")
$(row w5_scrape_gzip_mib "/metrics size, gzip (MiB)")
$(row w5_page_dashboard_ms "/ (the first hundred of every check) (ms)")
$(row w5_page_status_ms "/status (ms)")
$(row w5_page_targets_ms "/api/v1/targets (ms)")
$(row w5_page_targets_mib "/api/v1/targets size (MiB)")
$(row w5_page_checks_ms "/api/v1/checks (ms)")
$(row w5_page_checks_mib "/api/v1/checks size (MiB)")
$(row w5_pages_lag_p99_ms "schedule lag p99 while those four are read (ms)")
$(row w5_pages_lag_max_bound_ms "schedule lag while they are read, at most (bucket bound, ms)")
$(row w5_pages_hold_p99_ms "one step of those answers held the loop, p99 (ms)")
$(row w5_pages_hold_max_bound_ms "one step of those answers held the loop, at most (bucket bound, ms)")
$(row w5_hold_max_ms "the longest any step of an answer held the loop, scrapes included (ms)")

The checks are spread over 64 loopback addresses (nginx listens on each), so the ~3,300 fresh
connections a second and the minute each leaves in TIME_WAIT do not use up any address pair's
ports. Measured from the start: lag and CPU include the load and the first runs; the max is
\`prober_schedule_lag_max_seconds\`, the worst lag any run had.

## M: what a check costs in memory

\`bench_memory 100000\` loads 100,000 checks of the usual shape (their own URL, three
assertions, two labels) and builds what the daemon keeps for them, part by part; heap bytes per
check from mallinfo2.

| figure | min | median | max |
|---|---|---|---|
$(row m_spec "the check as loaded, assertions compiled (B)")
$(row m_state "its state and the running set's indexes (B)")
$(row m_schedule "its schedule entry (B)")
$(row m_last_run "its last run (B)")
$(row m_total "heap in all (B)")
$(row m_resident "the bench process's RSS over the checks (B)")

## S: writing /metrics alone

\`bench_scrape 100000\` writes the per-check families of 100,000 checks (HTTPS, one passed run
each, two labels) as the endpoint does, in 64 KiB pieces, without the loop or the socket; gzip
at level 1 as for a scraper that asks for it. W4's scrape above is the same through the daemon.

| figure | min | median | max |
|---|---|---|---|
$(row s_full_ms "full: ms")
$(row s_full_gzip_ms "full, gzipped: ms")
$(row s_full_bytes_per_check "full: bytes a check")
$(row s_summary_ms "summary: ms")
$(row s_summary_bytes_per_check "summary: bytes a check")
$(row s_minimal_ms "minimal: ms")
$(row s_minimal_bytes_per_check "minimal: bytes a check")

## H: the history at 1,000 results a second for 30 s

| figure | min | median | max |
|---|---|---|---|
$(row h_cpu_ms_per_1000 "CPU ms per 1,000 results recorded")
$(row h_cpu_percent "CPU (% of one core) at 1,000 results a second")

\`bench_history\` adds run records as the daemon does (in bursts of 100, 2 % of them failed with
their assertion) and its writer thread commits them to \`history.db\` every second; CPU is the
whole process's, from getrusage. W3 above runs the same rate through the daemon with history on.

## D: alert state committed to the disk, 5,000 transitions

| figure | min | median | max |
|---|---|---|---|
$(row d_durable_us "µs a transition, every commit synced (FULL, as the daemon runs)")
$(row d_fast_us "µs a transition, synced at checkpoints (NORMAL)")
$(row d_ratio "FULL / NORMAL")

\`bench_store\` records a trigger and its notification in one transaction, then marks it
delivered (two commits, as a page costs), in a store synced at every commit and in one synced
at checkpoints, on the same disk in the same run. Alert state and the outbox pay it since a
power loss must not drop a page; the history stays at NORMAL. Pages come one per transition,
so even the synced figure is far below anything a loop of checks would notice.

## U: the history keeps writing while the uptime pass reads a month, 100,000 checks

| figure | min | median | max |
|---|---|---|---|
$(row u_pass_ms "uptime pass over 30 days of hourly counts, ms")
$(row u_writer_thread_max_wait_ms "longest a run waited to be committed, pass on the writer's thread, ms")
$(row u_read_thread_max_wait_ms "the same, pass on the read thread (as the daemon runs it), ms")
$(row u_dropped "runs dropped")

\`bench_uptime\` fills \`run_hours\` with 30 days for 100,000 checks (72 million rows), then runs
the uptime pass twice while 3,333 runs a second arrive (W5's rate): once on the writer's thread,
as reads ran before, and once on the read thread; every 250 ms a flush measures how long a run
now waits to be committed.

## P: the status pages at 10,000 checks

| figure | min | median | max |
|---|---|---|---|
$(row p_dashboard_ms "GET / first page (100 checks of 10,000, 50 groups): render ms")
$(row p_dashboard_bytes "GET / first page: bytes")
$(row p_filtered_ms "GET /?q=team:team-10 state:failing (200 matches): render ms")
$(row p_status_ms "GET /status (10,000 checks, 1,000 down): render ms")
$(row p_status_bytes "GET /status: bytes")
$(row p_uptime_ms "uptime of 10,000 checks over 30 days (7.2 million hourly rows), on the history thread: ms")

\`bench_pages\` renders the pages from 10,000 checks with a full in-memory run history each and
a history database of 30 days of hourly counts; each figure is the median of 5 renders. The
page render runs on the loop (so its time is the loop's pause for a page view); the uptime runs
on the history thread every 20 times its own duration (10 s to 5 min), never on the loop.
EOF2
# Figures measured by hand for earlier changes (before and after), kept across runs.
[[ -f $(dirname "$0")/earlier.md ]] && { echo; cat "$(dirname "$0")/earlier.md"; }
exit 0
