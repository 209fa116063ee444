#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds benchgate and runs every test.
# Tests start the servers they need themselves (the example server, nginx, sshd) on loopback
# and stop them by pid.
set -euo pipefail
cd "$(dirname "$0")/.."

bash ci/setup.sh
build=${BENCHGATE_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBENCHGATE_WERROR=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
# Load tests take a resource lock (see tests/CMakeLists.txt), so -j2 never overlaps two of them.
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" --timeout 300
# Dogfood: the example server's instructions per request against the stored baseline
# (README, "Instruction mode"): exit 1 on a regression fails CI. About 20 s.
"$build/benchgate" run -c examples/instructions.toml --baseline baselines/main.json --no-color
