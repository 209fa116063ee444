# Shared by gate-aa.sh and gate-power.sh: builds a suite of the example server against itself
# (optionally with a slower candidate) and runs one gate per call.
# Requires: BENCHGATE, HELLO (binaries), WORK (folder). Uses /usr/bin/python3 for JSON.

: "${BENCHGATE:=./build/benchgate}"
: "${HELLO:=./build/examples/hello-server}"
: "${PAIRS:=10}"
: "${DURATION:=1s}"
: "${WARMUP:=500ms}"
: "${CLIENTS:=16}"
: "${WORK_US:=20}"
: "${APP_CPUS:=0}"
: "${DRIVER_CPUS:=1}"

# One calibration shared by both sides, so baseline and candidate do identical work per request.
calibrate() {
  CALIBRATION=$("$HELLO" --calibrate 2>/dev/null | tail -1)
  echo "calibration: $CALIBRATION iterations/us (work per request: ${WORK_US} us)" >&2
}

# write_suite FILE PORT SCALE: baseline work-scale 1, candidate work-scale SCALE.
write_suite() {
  local file=$1 port=$2 scale=$3
  cat >"$file" <<TOML
[defaults]
driver = "builtin"
duration = "$DURATION"
warmup = "$WARMUP"
iterations = $PAIRS
app_cpus = "$APP_CPUS"
driver_cpus = "$DRIVER_CPUS"

[[app]]
label = "A"
command = ["$HELLO", "--port", "$port", "--work-us", "$WORK_US", "--calibration", "$CALIBRATION"]
role = "baseline"

[[app]]
label = "B"
command = ["$HELLO", "--port", "$port", "--work-us", "$WORK_US", "--calibration", "$CALIBRATION", "--work-scale", "$scale"]
role = "candidate"

[[scenario]]
name = "plaintext"
url = "http://127.0.0.1:$port/plaintext"
clients = [$CLIENTS]
TOML
}

# run_gate SUITE OUT SEED -> prints "exit regressed_metrics" (metrics joined by ',')
run_gate() {
  local suite=$1 out=$2 seed=$3 code
  "$BENCHGATE" run -c "$suite" --out "$out" --seed "$seed" --no-color >"$out.log" 2>&1
  code=$?
  /usr/bin/python3 - "$out/results.json" "$code" <<'PY'
import json, sys
path, code = sys.argv[1], sys.argv[2]
try:
    g = json.load(open(path)).get("gate") or {}
except Exception:
    g = {}
reg = sorted({v["metric"] for v in g.get("verdicts", []) if v.get("verdict") == "regressed"})
thr = [v for v in g.get("verdicts", []) if v.get("metric") == "throughput"]
est = thr[0]["estimate"] * 100 if thr else float("nan")
print(code, ",".join(reg) or "-", f"{est:+.2f}")
PY
}
