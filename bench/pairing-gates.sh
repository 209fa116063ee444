#!/usr/bin/env bash
# Restart vs bursts pairing (docs/suite-reference.md "Bursts") on the throughput gate, with the
# same wall-clock budget per gate. The example server against itself, the candidate doing
# SCALE times the baseline's calibrated CPU work per request (1 = an A/A gate).
#
#   bench/pairing-gates.sh MODE GATES [SCALE=1] [NEIGHBOUR=0]
#
# MODE: restart | bursts. Only `throughput` is gated (every other metric is reported, not
# gated), so the comparison is of the two pairings, not of Holm's family size. Load per gate
# ≈ 15 s in both modes:
#   restart: 6 pairs × 2 runs × (200 ms warm-up + 1 s), each run a fresh start;
#   bursts:  24 pairs × 2 bursts × (50 ms burst_warmup + 250 ms), one start (500 ms warm-up).
# STARTS=N (bursts): the pairs are split over N starts of both apps (default 1).
# A longer gate: PAIRS, DURATION (each burst or run), BURST_WARMUP override the mode's values
# (e.g. the 2-minute bursts gate: PAIRS=88 DURATION=500ms BURST_WARMUP=100ms STARTS=8).
# NEIGHBOUR=1: a busy loop pinned to the app's CPU, busy 10 ms of every 20 ms (~50 % of it),
# for the whole gate. The app runs on CPU 0 (APP_CPUS), the load generator on CPU 1.
# Prints a line per gate and a summary: throughput verdicts, median estimate, median seconds.
set -uo pipefail
cd "$(dirname "$0")/.."
mode=${1:?MODE restart|bursts}
gates=${2:?GATES}
scale=${3:-1}
neighbour=${4:-0}
pairs=${PAIRS:-} duration=${DURATION:-} # before lib-gate.sh sets its defaults
source bench/lib-gate.sh
WORK=$(mktemp -d /tmp/pairing-gates.XXXXXX)
busy_pid=
cleanup() {
  [[ -n $busy_pid ]] && kill "$busy_pid" 2>/dev/null && wait "$busy_pid" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
calibrate
port=$((20000 + RANDOM % 20000))
case $mode in
  restart) PAIRS=${pairs:-6} DURATION=${duration:-1s} WARMUP=200ms ;;
  bursts) PAIRS=${pairs:-24} DURATION=${duration:-250ms} WARMUP=500ms ;;
  *) echo "MODE is restart or bursts" >&2; exit 2 ;;
esac
write_suite "$WORK/suite.toml" "$port" "$scale"
if [[ $mode == bursts ]]; then
  # Both apps up at once: the candidate on the next port; 50 ms warm-up before each burst.
  sed -i -e "s/^driver = \"builtin\"\$/&\npairing = \"bursts\"\nburst_warmup = \"${BURST_WARMUP:-50ms}\"\nstarts = ${STARTS:-1}/" \
    -e "s/\"--port\", \"$port\"/\"--port\", \"{port}\"/" \
    -e "0,/^role = \"candidate\"/s//port = $((port + 1))\nrole = \"candidate\"/" "$WORK/suite.toml"
fi
{
  echo "[gate]"
  for m in latency_p50 latency_p90 latency_p99 latency_p999 \
    cpu_per_request cpu_percent peak_rss rss_growth errors startup_time idle_rss; do
    echo "$m = { enabled = false }"
  done
} >>"$WORK/suite.toml"
if [[ $neighbour == 1 ]]; then
  taskset -c "$APP_CPUS" /usr/bin/python3 -c '
import time
while True:
    t = time.monotonic()
    while time.monotonic() - t < 0.010:
        pass
    time.sleep(0.010)
' &
  busy_pid=$!
fi
declare -A verdicts=()
ests=() secs=()
for ((g = 1; g <= gates; g++)); do
  t0=$(date +%s.%N)
  "$BENCHGATE" run -c "$WORK/suite.toml" --out "$WORK/out" --seed "$((g * 7919))" --no-color \
    >"$WORK/log" 2>&1
  code=$?
  t1=$(date +%s.%N)
  read -r verdict est < <(/usr/bin/python3 - "$WORK/out/results.json" <<'PY'
import json, sys
try:
    g = json.load(open(sys.argv[1])).get("gate") or {}
except Exception:
    g = {}
t = [v for v in g.get("verdicts", []) if v.get("metric") == "throughput"]
est = t[0].get("estimate") if t else None
print(t[0].get("verdict") or "none" if t else "none",
      f"{est * 100:+.2f}" if isinstance(est, (int, float)) else "nan")
PY
  )
  s=$(echo "$t1 - $t0" | bc)
  verdict=${verdict:-none} est=${est:-nan}
  verdicts[$verdict]=$((${verdicts[$verdict]:-0} + 1))
  ests+=("$est")
  secs+=("$s")
  printf '%s x%s neighbour=%s gate %2d: exit %s throughput %-12s %s%%  %.1f s  load %s\n' \
    "$mode" "$scale" "$neighbour" "$g" "$code" "$verdict" "$est" "$s" "$(cut -d' ' -f1 /proc/loadavg)"
  # A usage or internal error stops the series; a failed run (exit 4, verdict "error": e.g. a
  # burst invalid twice while the machine stalled) is counted as the gate's outcome, and said.
  [[ $code == 2 || $code == 5 ]] && { cat "$WORK/log" >&2; exit "$code"; }
  [[ $code == 4 ]] && grep -E '^ +FAILED ' "$WORK/log" | head -3 | cut -c1-200 >&2
  rm -rf "$WORK/out"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
summary=""
for v in "${!verdicts[@]}"; do summary+="$v ${verdicts[$v]}/$gates, "; done
printf 'SUMMARY %s x%s neighbour=%s starts=%s: %smedian throughput change %s%%, median %s s per gate\n' \
  "$mode" "$scale" "$neighbour" "${STARTS:-1}" "$summary" "$(median "${ests[@]}")" "$(median "${secs[@]}")"
