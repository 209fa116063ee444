#!/usr/bin/env bash
# Installs everything benchgate needs to build, test and run its demo on Debian 12.
# Idempotent: re-running it only installs what is missing. Run as root (or with sudo).
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config git
  # libraries (all from Debian 12)
  libcli11-dev nlohmann-json3-dev libpugixml-dev libfmt-dev libgtest-dev libgmock-dev
  libbenchmark-dev libtomlplusplus-dev libvalijson-dev libssl-dev
  # tools used by drivers, profilers and tests
  wrk nginx-light linux-perf valgrind libxml2-utils openssl procps
  openssh-server openssh-client chromium
  # not installed: wrk2 (not packaged for Debian) and jmeter (Debian 12's 2.13 cannot load any
  # test plan, see tests/data/jmeter/README.md); the tests fake both with recorded outputs
  # python for bench scripts and for cross-checking statistics
  python3 python3-scipy python3-yaml libbenchmark-tools
  # headless browser check of report.html (DevTools client)
  nodejs
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "setup: installed ${#missing[@]} package(s): ${missing[*]}"
else
  echo "setup: all packages present"
fi
