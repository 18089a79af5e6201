#!/usr/bin/env bash
# Installs the Debian 12 packages one purpose needs, when any is missing:
#   run      build and run the daemon (`make run`)
#   test     run + what the tests start or use (`make test`, `make sanitize`)
#   fuzz     run + clang and libFuzzer (`make fuzz`)
#   container  podman and debootstrap (`make container`; the image builds prober inside)
#   bench    test + the benchmark's peer (`make bench`)
# Idempotent and fast when everything is present: dpkg is asked first, apt only if needed, and
# apt's progress is shown.
# Usage: install-deps.sh PURPOSE
set -euo pipefail
purpose=${1:-run}

run=(
  g++ cmake make pkg-config ca-certificates
  libcurl4-openssl-dev          # the HTTP engine (multi socket API)
  libssl-dev                    # reads each handshake's certificates (the one curl uses)
  libboost1.81-dev libboost-json1.81-dev   # Asio event loop, Beast HTTP server, JSON
  libtomlplusplus-dev           # config parsing with file:line:col on every node
  prometheus-cpp-dev            # the process's own metrics and text-format serializer
  libre2-dev                    # linear-time regexes for assertions
  libsqlite3-dev                # durable state (alerting, history)
  libcli11-dev                  # command line
  libspdlog-dev libfmt-dev      # logging and formatting
  libutfcpp-dev                 # UTF-8 validation and repair: text from targets is data
  libcrypt-dev                  # bcrypt (crypt_r) for basic auth on the listener
  zlib1g-dev                    # gzip for /metrics when the scraper asks (Prometheus does)
  libhowardhinnant-date-dev     # IANA time zones for maintenance windows (GCC 12 lacks std::chrono::zoned_time)
  tzdata                        # the system's time-zone database that date/tz reads
)
test=(
  doctest-dev                   # unit tests
  prometheus                    # Prometheus and promtool: scraping, rules and dashboards tests
  prometheus-alertmanager       # the alertmanager notifier's end-to-end test
  systemd                       # systemd-analyze verify on examples/prober.service
  python3-yaml                  # the examples test reads the compose and Kubernetes YAML
  curl jq                       # the shell tests drive the daemon with them
  nginx openssl                 # the TLS test serves HTTPS from nginx
  prometheus-blackbox-exporter  # the benchmark's peer: `make test` runs the benchmark's smoke
  chromium fonts-dejavu-core    # the status pages test loads each page in headless Chromium
  strace                        # the benchmark's smoke counts system calls a probe with it
)
bench=(
  linux-perf                    # counts system calls a probe without slowing them (strace does)
)
fuzz=(
  clang libfuzzer-14-dev        # libFuzzer harnesses, with ASan and UBSan
)
container=(
  podman runc                   # builds and runs the image (examples/Dockerfile)
  debootstrap                   # makes its Debian base: there is no image registry here
  curl jq                       # the test reads the daemon's answers
)

case "$purpose" in
  run) packages=("${run[@]}") ;;
  test) packages=("${run[@]}" "${test[@]}") ;;
  bench) packages=("${run[@]}" "${test[@]}" "${bench[@]}") ;;
  fuzz) packages=("${run[@]}" "${fuzz[@]}") ;;
  container) packages=("${container[@]}") ;;
  *) echo "install-deps.sh: unknown purpose \"$purpose\" (run, test, fuzz, container, bench)" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${missing[*]}; run as root or install them" >&2
  exit 1
fi
echo "installing for $purpose: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Packages with services (nginx) must not start them: the tests start what they need, on
# loopback, and stop it. policy-rc.d exiting 101 tells Debian's maintainer scripts so.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
