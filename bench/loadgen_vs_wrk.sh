#!/usr/bin/env bash
# The built-in load generator against wrk, both driving the same nginx (Debian).
#
# nginx (1 worker) is pinned to CPU 0; each driver is pinned to CPU 1 with one thread and the
# same connection count, closed loop, keep-alive. Runs are interleaved (builtin, wrk, wrk,
# builtin, ...) so drift in machine speed hits both alike. Driver CPU is the OS's accounting of
# each driver process (user + sys from wait4, microsecond resolution), divided by its responses.
#
# Usage: bench/loadgen_vs_wrk.sh [ROUNDS=5] [SECONDS=5] [CONNECTIONS=64]
# Env:   BUILD (default build), NGINX (default nginx), WRK (default wrk)
# Prints the per-run figures, the medians and the ratios builtin/wrk. Targets (issue 3):
# req/s ratio >= 1.0, CPU-per-request ratio <= 0.9.

set -euo pipefail
ROUNDS=${1:-5}
SECS=${2:-5}
CONNS=${3:-64}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
CLI=$BUILD/bench/loadgen-cli
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
WRK=${WRK:-wrk}
[[ -x $CLI ]] || { echo "missing $CLI (ninja -C $BUILD loadgen-cli)" >&2; exit 2; }
command -v "$WRK" >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 2; }
[[ -x $NGINX ]] || { echo "nginx is not installed (apt-get install nginx)" >&2; exit 2; }

WORK=$(mktemp -d /tmp/loadgen-vs-wrk.XXXXXX)
NGINX_PID=
cleanup() {
  if [[ -n $NGINX_PID ]]; then kill "$NGINX_PID" 2>/dev/null || true; wait "$NGINX_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$WORK/logs"
cat >"$WORK/nginx.conf" <<EOF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/logs/error.log warn;
events { worker_connections 4096; multi_accept on; }
http {
  access_log off;
  keepalive_requests 1000000000;
  keepalive_timeout 300s;
  server {
    listen 127.0.0.1:$PORT backlog=4096;
    location / { default_type text/plain; return 200 "Hello, World!"; }
  }
}
EOF
taskset -c 0 "$NGINX" -c "$WORK/nginx.conf" -p "$WORK" -g 'daemon off;' >"$WORK/nginx.out" 2>&1 &
NGINX_PID=$!
for _ in $(seq 100); do
  if (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null; then break; fi
  sleep 0.05
done
URL=http://127.0.0.1:$PORT/

echo "# nginx pid $NGINX_PID on CPU 0, drivers on CPU 1, $CONNS connections, ${SECS}s x $ROUNDS rounds"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# timed OUT CMD...: runs CMD with stdout to OUT; writes "cpu USER SYS" (seconds, from wait4's
# rusage, which /usr/bin/time would round to 10 ms) to $WORK/time.
timed() {
  python3 - "$WORK/time" "$@" <<'PY'
import os, sys
timefile, out, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
pid = os.fork()
if pid == 0:
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.execvp(argv[0], argv)
_, status, ru = os.wait4(pid, 0)
with open(timefile, "w") as f:
    f.write(f"cpu {ru.ru_utime:.6f} {ru.ru_stime:.6f}\n")
sys.exit(os.waitstatus_to_exitcode(status))
PY
}

run_builtin() {
  timed "$WORK/out" taskset -c 1 "$CLI" "$URL" -c "$CONNS" -t 1 -d "${SECS}s"
  local rps resp cpu
  rps=$(awk '$1=="rps"{print $2}' "$WORK/out")
  resp=$(awk '$1=="responses"{print $2}' "$WORK/out")
  cpu=$(awk '$1=="cpu"{print $2+$3}' "$WORK/time")
  echo "builtin $rps $(awk -v c="$cpu" -v n="$resp" 'BEGIN{printf "%.3f", c*1e6/n}') $resp $cpu"
}

run_wrk() {
  timed "$WORK/out" taskset -c 1 "$WRK" -t 1 -c "$CONNS" -d "${SECS}s" "$URL"
  local rps resp cpu
  rps=$(awk '$1=="Requests/sec:"{print $2}' "$WORK/out")
  resp=$(awk '/requests in/{print $1}' "$WORK/out")
  cpu=$(awk '$1=="cpu"{print $2+$3}' "$WORK/time")
  echo "wrk $rps $(awk -v c="$cpu" -v n="$resp" 'BEGIN{printf "%.3f", c*1e6/n}') $resp $cpu"
}

: >"$WORK/results"
echo "driver req/s cpu_us_per_req responses cpu_s"
for i in $(seq "$ROUNDS"); do
  if ((i % 2)); then order="run_builtin run_wrk"; else order="run_wrk run_builtin"; fi
  for f in $order; do
    line=$($f)
    echo "$line" | tee -a "$WORK/results"
  done
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$WORK/results" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
def med(driver, col):
    return statistics.median(float(r[col]) for r in rows if r[0] == driver)
b_rps, w_rps = med("builtin", 1), med("wrk", 1)
b_cpu, w_cpu = med("builtin", 2), med("wrk", 2)
print(f"median req/s:            builtin {b_rps:10.0f}   wrk {w_rps:10.0f}   ratio {b_rps / w_rps:.3f} (target >= 1.0)")
print(f"median CPU us/request:   builtin {b_cpu:10.2f}   wrk {w_cpu:10.2f}   ratio {b_cpu / w_cpu:.3f} (target <= 0.9)")
EOF
