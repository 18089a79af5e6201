#!/usr/bin/env bash
# Installs the Debian 12 packages prober needs to build, test and run, when any is missing.
# Idempotent and fast when everything is present: dpkg is asked first, apt only if needed.
set -euo pipefail

packages=(
  g++ cmake make pkg-config
  libcurl4-openssl-dev          # the HTTP engine (multi socket API)
  libssl-dev                    # reads each handshake's certificates (the one curl uses)
  libboost1.81-dev libboost-json1.81-dev   # Asio event loop, Beast HTTP server, JSON
  libtomlplusplus-dev           # config parsing with file:line:col on every node
  prometheus-cpp-dev            # the process's own metrics and text-format serializer
  doctest-dev                   # unit tests
  libre2-dev                    # linear-time regexes for assertions
  libsqlite3-dev                # durable state (alerting, history)
  libcli11-dev                  # command line
  libspdlog-dev libfmt-dev      # logging and formatting
  libutfcpp-dev                 # UTF-8 validation and repair: text from targets is data
  prometheus                    # promtool, used by the tests to check /metrics
  curl jq                       # the CLI integration test drives the daemon with them
  nginx openssl                 # the TLS integration test serves HTTPS from nginx
  prometheus-blackbox-exporter  # the benchmark's peer (make bench; make test runs its smoke)
  ca-certificates
)

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
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Packages with services (nginx) must not start them: the tests start what they need, on
# loopback, and stop it. policy-rc.d exiting 101 tells Debian's maintainer scripts so.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
