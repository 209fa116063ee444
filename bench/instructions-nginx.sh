#!/usr/bin/env bash
# nginx (master + 2 workers, started as root: the workers run as nobody) in instruction mode:
# per-process counts and the A/A spread of instructions per request.
#
#   bench/instructions-nginx.sh [SAMPLES=5] [COUNTED=2000]
set -euo pipefail
cd "$(dirname "$0")/.."
samples=${1:-5}
counted=${2:-2000}
bg=${BENCHGATE:-./build/benchgate}
work=$(mktemp -d /tmp/instr-nginx.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
port=$((20000 + RANDOM % 20000))
mkdir -p "$work/nginx/logs"
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 2;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log;
events { worker_connections 64; }
http { access_log off;
  server { listen 127.0.0.1:$port;
    location /plaintext { default_type text/plain; return 200 'Hello, World!'; } } }
CONF
cat > "$work/suite.toml" <<SUITE
name = "nginx-instructions"
[defaults]
measure = "instructions"
iterations = $samples
counted_requests = $counted
warmup_requests = 100
ready_timeout = "120s"
out = "$work/out"
[[app]]
label = "nginx"
command = ["/usr/sbin/nginx", "-c", "$work/nginx/nginx.conf", "-p", "$work/nginx"]
[[scenario]]
name = "plaintext"
url = "http://127.0.0.1:$port/plaintext"
clients = [2]
SUITE
"$bg" run -c "$work/suite.toml" --no-color > "$work/run.log" 2>&1 || { tail -20 "$work/run.log"; exit 1; }
python3 - "$work/out/results.json" "$counted" <<'PY'
import json, sys
rf = json.load(open(sys.argv[1])); n = int(sys.argv[2])
vals = []
for run in rf["runs"]:
    p = run["periods"][0]
    ipr = p["metrics"]["instructions_per_request"]
    vals.append(ipr)
    procs = p["driver"]["extra"]["instructions"]["processes"]
    per = "  ".join(f"{(q['instructions_counted'] - q['instructions_warmup']) / n:9.1f}" for q in procs)
    print(f"iteration {run['iteration']}: {ipr:9.1f} instructions/request in all; per process (start order): {per}")
print(f"A/A spread of instructions_per_request over {len(vals)} samples: {max(vals)/min(vals)-1:.2e}")
PY
