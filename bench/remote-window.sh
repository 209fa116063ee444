#!/bin/bash
# The remote driver's CPU window, measured: the same think-time-limited wrk load against the
# example server, run locally and over a loopback sshd (the integration test
# RemoteTest.SameLoadGivesTheSameAppCpuLocallyAndOverSsh: 3 local/remote pairs per call), N
# calls. Prints each call's median ratio of "app CPU % per req/s" over ssh to locally (1.00:
# the app's CPU window is the remote tool's own) and the median and range over the calls.
# Needs root (sshd), /usr/sbin/sshd and wrk; takes ~20 s per call.
#
# usage: bench/remote-window.sh [N=5] [BUILD_DIR=build]
set -euo pipefail
N=${1:-5}
BUILD=${2:-build}
TEST="$BUILD/tests/test_integration"
[ -x "$TEST" ] || { echo "remote-window.sh: $TEST not built" >&2; exit 2; }
ratios=()
for i in $(seq 1 "$N"); do
  out=$("$TEST" --gtest_filter='RemoteTest.SameLoadGivesTheSameAppCpuLocallyAndOverSsh' 2>&1) || {
    echo "$out" | tail -20 >&2
  }
  r=$(echo "$out" | sed -n 's/.*median ratio \([0-9.]*\).*/\1/p' | tail -1)
  [ -n "$r" ] || { echo "call $i: no ratio (skipped? $(echo "$out" | grep -m1 SKIP))" >&2; exit 1; }
  echo "call $i: median ratio $r"
  ratios+=("$r")
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '{v[NR]=$1} END {
  m = (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2;
  printf "over %d calls: median %.3f (%+.1f %%), range %.3f..%.3f\n", NR, m, (m-1)*100, v[1], v[NR] }'
