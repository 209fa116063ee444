#!/usr/bin/env bash
# Power of the gate: the candidate does 2 %, 5 % and 10 % more CPU work per request (the
# example server's calibrated --work-scale), 10 pairs per gate. Prints, per slowdown, the share
# of gates that fail (exit 1) and the median estimated throughput change.
#
#   bench/gate-power.sh [GATES_PER_LEVEL=20] [LEVELS="1.02 1.05 1.10"]
set -uo pipefail
cd "$(dirname "$0")/.."
source bench/lib-gate.sh
per_level=${1:-20}
levels=${2:-"1.02 1.05 1.10"}
WORK=$(mktemp -d /tmp/gate-power.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
calibrate
port=$((20000 + RANDOM % 20000))
summary=()
for scale in $levels; do
  write_suite "$WORK/suite-$scale.toml" "$port" "$scale"
  fails=0 errors=0 ests=()
  for ((g = 1; g <= per_level; g++)); do
    read -r code reg est < <(run_gate "$WORK/suite-$scale.toml" "$WORK/out" "$((g * 7919))")
    [[ $code == 1 ]] && fails=$((fails + 1))
    [[ $code != 0 && $code != 1 ]] && errors=$((errors + 1))
    ests+=("$est")
    printf 'x%s gate %2d: exit %s  regressed: %-40s throughput %s%%\n' "$scale" "$g" "$code" "$reg" "$est"
    rm -rf "$WORK/out"
  done
  med=$(printf '%s\n' "${ests[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  summary+=("$(printf 'work x%s: %2d/%d gates failed (%3d%%), median throughput change %s%%, %d errored' \
    "$scale" "$fails" "$per_level" "$((100 * fails / per_level))" "$med" "$errors")")
done
echo
printf '%s\n' "${summary[@]}"
