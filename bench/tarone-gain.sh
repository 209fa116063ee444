#!/usr/bin/env bash
# What Tarone's rule gains on the demo suite (README "Measured figures"):
#   bench/tarone-gain.sh GATES PAIRS [WORK_ITERS]
# runs GATES A/B gates of examples/benchgate.toml with PAIRS pairs and the candidate at
# --work-iters WORK_ITERS (default 11500: 15 % more busy-work than main's 10000), then re-gates
# every results.json with the real gate twice (build/bench/tarone-gain: Tarone's rule, and
# plain Holm over every informative gated test) and prints the counts. Run from the
# repository root after building; output in ${OUT:-/tmp/tarone-gain}.
set -euo pipefail
gates=${1:?gates}; pairs=${2:?pairs}; work=${3:-11500}
root=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-/tmp/tarone-gain}
mkdir -p "$out"
sed -e "s/\"11000\"/\"$work\"/" -e "s/^iterations = 10 /iterations = $pairs /" \
  -e "s#\./build/#$root/build/#g" "$root/examples/benchgate.toml" > "$out/suite.toml"
files=()
for k in $(seq 1 "$gates"); do
  "$root/build/benchgate" run -c "$out/suite.toml" --out "$out/p$pairs-$k" --seed "$k" \
    --no-color > "$out/p$pairs-$k.log" 2>&1 || true  # exit 1/3 are outcomes, not failures
  files+=("$out/p$pairs-$k/results.json")
done
"$root/build/bench/tarone-gain" "${files[@]}"
