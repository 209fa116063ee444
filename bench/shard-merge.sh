#!/usr/bin/env bash
# `benchgate merge` of a large sharded suite: the time and peak memory of merge + gate + every
# report (results.json, summary.md, junit.xml, report.html, metrics.txt), and the report sizes.
# The shards' results are generated (bench/shard_fixture.cpp: the suite's real plan and
# partition, generated measurements), not measured: 200 cells × 10 pairs would be hours of
# load. Also times the plan (`run --shard 1/N --dry-run`). Targets (issue 16): merge + gate +
# reports under 2 s and 200 MB.
#
# Usage: bench/shard-merge.sh [SCENARIOS=50] [LOAD_POINTS=4] [ITERATIONS=16] [SHARDS=4]
# Env:   BUILD (default build)

set -euo pipefail
SCEN=${1:-50}
POINTS=${2:-4}
ITER=${3:-16}
SHARDS=${4:-4}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
BG=$BUILD/benchgate
FIX=$BUILD/bench/shard-fixture
[[ -x $BG && -x $FIX ]] || { echo "missing $BG or $FIX (ninja -C $BUILD benchgate shard-fixture)" >&2; exit 2; }

WORK=$(mktemp -d /tmp/shard-merge.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

"$FIX" "$WORK" "$SCEN" "$POINTS" "$ITER" "$SHARDS"
du -ch "$WORK"/shard-*/results.json | tail -1 | sed 's/^/shard results: /'

measure() {  # label, command...: wall seconds and peak RSS (MiB) from GNU time
  local label=$1; shift
  local code=0
  /usr/bin/time -f '%e %U %S %M' -o "$WORK/time" "$@" >"$WORK/out" 2>"$WORK/err" || code=$?
  read -r secs user sys kib < <(tail -1 "$WORK/time")
  printf '%-34s %6.2f s wall, %5.2f s CPU, peak RSS %6.1f MiB (exit %d)\n' "$label" "$secs" \
    "$(echo "$user + $sys" | bc -l)" "$(echo "$kib / 1024" | bc -l)" "$code"
}

measure "plan (--shard 1/$SHARDS --dry-run)" "$BG" run -c "$WORK/suite.toml" --shard "1/$SHARDS" --dry-run
measure "merge + gate + reports" "$BG" merge "$WORK"/shard-*/results.json --out "$WORK/merged" --no-color
grep -hE '^(benchgate: merged|outcome:)' "$WORK/err" "$WORK/out" || true
echo "reports:"
for f in results.json summary.md junit.xml report.html metrics.txt; do
  printf '  %-14s %8s\n' "$f" "$(du -h "$WORK/merged/$f" | cut -f1)"
done
