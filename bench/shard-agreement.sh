#!/usr/bin/env bash
# The same small A/B suite run whole and as N merged shards, one after another on this
# machine: same cells, tests and Holm family (checked), and how many verdicts agree (two
# measurements of the same code: noise can move a verdict near a threshold). The suite is the
# example server against a build of itself doing 10 % more work per request, 3 scenarios.
#
# Usage: bench/shard-agreement.sh [ITERATIONS=12] [DURATION=500ms] [SHARDS=3]
# Env:   BUILD (default build), KEEP=1 keeps the work folder

set -euo pipefail
ITER=${1:-12}
DUR=${2:-500ms}
SHARDS=${3:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
BG=$BUILD/benchgate
SERVER=$BUILD/examples/hello-server
[[ -x $BG && -x $SERVER ]] || { echo "missing $BG or $SERVER" >&2; exit 2; }
WORK=$(mktemp -d /tmp/shard-agreement.XXXXXX)
trap '[[ -n ${KEEP:-} ]] || rm -rf "$WORK"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

cat >"$WORK/suite.toml" <<TOML
name = "shard-agreement"
[defaults]
duration = "$DUR"
warmup = "200ms"
iterations = $ITER
seed = 3
[[app]]
label = "main"
role = "baseline"
command = ["$SERVER", "--port", "$PORT", "--work-iters", "10000"]
[[app]]
label = "pr"
role = "candidate"
command = ["$SERVER", "--port", "$PORT", "--work-iters", "11000"]
[[scenario]]
name = "plaintext"
url = "http://127.0.0.1:$PORT/plaintext"
clients = [4, 16]
[[scenario]]
name = "json"
url = "http://127.0.0.1:$PORT/json"
clients = [4, 16]
[[scenario]]
name = "busy"
url = "http://127.0.0.1:$PORT/plaintext"
clients = [32]
TOML

start=$(date +%s)
"$BG" run -c "$WORK/suite.toml" --out "$WORK/whole" --no-color >/dev/null 2>"$WORK/whole.err" || true
mid=$(date +%s)
for i in $(seq 1 "$SHARDS"); do
  "$BG" run -c "$WORK/suite.toml" --shard "$i/$SHARDS" --out "$WORK/shard-$i" --no-color \
    >/dev/null 2>"$WORK/shard-$i.err" || true
done
"$BG" merge "$WORK"/shard-*/results.json --out "$WORK/merged" --no-color >/dev/null 2>"$WORK/merge.err" || true
end=$(date +%s)
echo "whole: $((mid - start)) s; $SHARDS shards one after another + merge: $((end - mid)) s"

python3 - "$WORK/whole/results.json" "$WORK/merged/results.json" <<'PY'
import json, sys
a, m = (json.load(open(p)) for p in sys.argv[1:3])
def rows(r):
    return {(v["app"], v["cell"], v["metric"]): v for v in r["gate"]["verdicts"] if v["gated"]}
ra, rm = rows(a), rows(m)
print(f"runs: whole {len(a['runs'])}, merged {len(m['runs'])}; same ids: "
      f"{[x['id'] for x in a['runs']] == [x['id'] for x in m['runs']]}")
print(f"gated tests: whole {a['gate']['tests']}, merged {m['gate']['tests']}; Holm family "
      f"{a['gate']['holm_family']} / {m['gate']['holm_family']}; same cells x metrics: {set(ra) == set(rm)}")
same = sum(ra[k]["verdict"] == rm[k]["verdict"] for k in ra if k in rm)
print(f"verdict agreement: {same} of {len(ra)} gated tests ({100.0 * same / max(1, len(ra)):.0f} %)")
def est(v):
    return "n/a" if v.get("estimate") is None else f"{v['estimate']:+.3f}"
for k in sorted(ra):
    if k in rm and ra[k]["verdict"] != rm[k]["verdict"]:
        print(f"  differs: {k[1]} {k[2]}: whole {ra[k]['verdict']} ({est(ra[k])}), "
              f"merged {rm[k]['verdict']} ({est(rm[k])})")
print(f"outcome: whole {a['outcome']['status']} (exit {a['outcome']['exit_code']}), "
      f"merged {m['outcome']['status']} (exit {m['outcome']['exit_code']})")
PY
