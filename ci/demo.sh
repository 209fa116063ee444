#!/usr/bin/env bash
# The README's main job: sets up a fresh Debian 12 machine, builds benchgate and the example
# server, and runs the bundled example suite (examples/benchgate.toml) as an A/B gate: the
# example server against a build of itself that does 10 % more work per request, 10
# interleaved pairs on the built-in load generator. No external load tool is needed.
#
# It ends with benchgate's own exit status: 1, because the candidate's slowdown is detected
# (throughput and CPU per request regressed). Reports land in ${BENCHGATE_DEMO_OUT:-demo-out}/.
set -euo pipefail
cd "$(dirname "$0")/.."

bash ci/setup.sh
build=${BENCHGATE_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" --target benchgate hello-server
out=${BENCHGATE_DEMO_OUT:-demo-out}
set +e
"$build/benchgate" run -c examples/benchgate.toml --out "$out" "$@"
status=$?
set -e
echo
echo "benchgate exited with status $status (0 pass, 1 regression, 2 usage, 3 undecided, 4 run failed)"
echo "reports: $out/summary.md  $out/report.html  $out/junit.xml  $out/results.json"
exit "$status"
