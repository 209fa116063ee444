#!/usr/bin/env bash
# A/A gates: the example server against itself (identical work), 10 pairs per gate, for as many
# gates as fit in the time budget. Prints the false-alarm rate (gates that exit 1).
#
#   bench/gate-aa.sh [BUDGET_SECONDS=1200]
#
# Run it on a quiet machine; nothing else should compete for the two CPUs.
set -uo pipefail
cd "$(dirname "$0")/.."
source bench/lib-gate.sh
budget=${1:-1200}
WORK=$(mktemp -d /tmp/gate-aa.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
calibrate
port=$((20000 + RANDOM % 20000))
write_suite "$WORK/suite.toml" "$port" 1
start=$(date +%s)
gates=0 alarms=0 errors=0
while (( $(date +%s) - start < budget )); do
  gates=$((gates + 1))
  read -r code reg est < <(run_gate "$WORK/suite.toml" "$WORK/out$gates" "$gates")
  case $code in
    0) ;;
    1) alarms=$((alarms + 1)) ;;
    *) errors=$((errors + 1)) ;;
  esac
  printf 'gate %3d: exit %s  regressed: %-30s throughput change %s%%\n' "$gates" "$code" "$reg" "$est"
  rm -rf "$WORK/out$gates"
done
echo
awk -v g="$gates" -v a="$alarms" -v e="$errors" -v p="$PAIRS" -v s="$(( $(date +%s) - start ))" \
  'BEGIN { printf "A/A: %d gates of %d pairs, %d false alarms (%.1f%%), %d errored, %ds\n", g, p, a, 100 * a / g, e, s }'
