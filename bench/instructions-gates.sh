#!/usr/bin/env bash
# Instruction mode: A/A false alarms and power of the spread rule (docs/statistics.md,
# "Counted metrics") on real callgrind samples of the example server.
#
#   [REQUESTS=2000] [WARMUP_REQUESTS=200] bench/instructions-gates.sh [POOL=12] [GATES=200]
#
# One `benchgate run` collects POOL samples (two callgrind lifetimes each: W = WARMUP_REQUESTS
# and W + N requests, N = REQUESTS, 1 connection) of each app: the server at --work-iters 4000 twice
# ("base", "aa": two independent sample sets of identical code) and at +0.25/+0.5/+1/+2 % work
# (4010/4020/4040/4080). Then GATES gates per level are formed by drawing 3 baseline and 3
# current samples at random (seeded) from the pools and gating them with `benchgate diff`
# (the real gate code). Gates drawn from one pool are not independent of each other: the
# figure is the rule's behaviour on this pool's spread, not 200 separate runs of the app.
set -euo pipefail
cd "$(dirname "$0")/.."
pool=${1:-12}
gates=${2:-200}
bg=${BENCHGATE:-./build/benchgate}
server=${HELLO_SERVER:-./build/examples/hello-server}
out=$(realpath -m "${OUT:-bench-out/instructions}")
port=$((20000 + RANDOM % 20000))
mkdir -p "$out"
{
  echo 'name = "instructions-gates"'
  echo '[defaults]'
  echo 'measure = "instructions"'
  echo "iterations = $pool"
  echo "counted_requests = ${REQUESTS:-2000}"
  echo "warmup_requests = ${WARMUP_REQUESTS:-200}"
  echo 'ready_timeout = "120s"'
  echo "out = \"$out/run\""
  for app in base:4000 aa:4000 w0.25:4010 w0.5:4020 w1:4040 w2:4080; do
    echo '[[app]]'
    echo "label = \"${app%%:*}\""
    echo "command = [\"$server\", \"--port\", \"$port\", \"--work-iters\", \"${app##*:}\"]"
  done
  echo '[[scenario]]'
  echo 'name = "plaintext"'
  echo "url = \"http://127.0.0.1:$port/plaintext\""
  echo 'clients = [1]'
} > "$out/suite.toml"
start=$(date +%s)
"$bg" run -c "$out/suite.toml" --no-color > "$out/run.log" 2>&1 || true
echo "samples collected in $(( $(date +%s) - start )) s ($pool per app)"
python3 bench/instructions_gates.py "$out/run/results.json" "$gates" "$bg" "$out/gates"
