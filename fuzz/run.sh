#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs them.
#
#   fuzz/run.sh TARGET SECONDS     one target (suite, results, gbench, wrk, wrk2, jmeter, perf,
#                                  massif, oprofile, http_response, compare_app, shell_split,
#                                  callgrind, perf_stat)
#   fuzz/run.sh all SECONDS        every target, FUZZ_PARALLEL at a time (default 1)
#   fuzz/run.sh list               the target names
#
# Environment: FUZZ_BUILD_DIR (default build-fuzz), FUZZ_PARALLEL, FUZZ_NICE (default 10),
# FUZZ_MAX_LEN (default 65536), FUZZ_NO_BUILD=1 (use the binaries as they are). The working corpus of TARGET is $FUZZ_BUILD_DIR/corpus/TARGET,
# seeded from fuzz/seeds.txt (inputs under tests/data and fuzz/seeds), fuzz/corpus/TARGET and
# tests/data/fuzz-crashers/TARGET. Crashes, leaks, timeouts (> 10 s) and OOMs (> 2 GB) land
# in $FUZZ_BUILD_DIR/artifacts/TARGET/. Each run prints one line:
#   TARGET: SECONDS s, N executions (N/s), cov C, ft F, corpus K inputs, findings X
# (cov: edges covered; ft: libFuzzer "features", edges plus hit-count buckets and comparisons).
# Exit status 1 when any target had a finding.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
targets=(suite results gbench wrk wrk2 jmeter perf massif oprofile http_response compare_app
         shell_split callgrind perf_stat)

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[[ $# -ge 1 ]] || usage
if [[ $1 == list ]]; then printf '%s\n' "${targets[@]}"; exit 0; fi
[[ $# -eq 2 && $2 =~ ^[0-9]+$ && $2 -gt 0 ]] || usage

build_targets() {
  if [[ ! -f $build/build.ninja ]]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ \
      -DCMAKE_BUILD_TYPE=Fuzz -DCMAKE_CXX_FLAGS_FUZZ="-O1 -gline-tables-only" -DBENCHGATE_FUZZ=ON -DBENCHGATE_BUILD_TESTS=OFF \
      -DBENCHGATE_BUILD_BENCH=OFF >/dev/null
  fi
  nice -n "${FUZZ_NICE:-10}" cmake --build "$build" --target fuzz >/dev/null
}

seed() {  # seed TARGET: fills the working corpus
  local t=$1 corpus=$build/corpus/$1 pattern f
  mkdir -p "$corpus"
  while read -r name pattern; do
    [[ $name == "$t" ]] || continue
    for f in $root/$pattern; do
      [[ -f $f ]] && cp "$f" "$corpus/seed-$(basename "$(dirname "$f")")-$(basename "$f")"
    done
  done < <(grep -v '^#' "$root/fuzz/seeds.txt")
  for d in "$root/fuzz/corpus/$t" "$root/tests/data/fuzz-crashers/$t"; do
    [[ -d $d ]] && cp "$d"/* "$corpus"/ 2>/dev/null || true
  done
}

run_one() {  # run_one TARGET SECONDS
  local t=$1 secs=$2 log=$build/logs/$1.log dict=()
  [[ " ${targets[*]} " == *" $t "* ]] || { echo "unknown target '$t' (fuzz/run.sh list)" >&2; return 2; }
  seed "$t"
  mkdir -p "$build/artifacts/$t" "$build/logs"
  [[ -f $root/fuzz/$t.dict ]] && dict=(-dict="$root/fuzz/$t.dict")
  local rc=0 start=$SECONDS
  nice -n "${FUZZ_NICE:-10}" "$build/fuzz/fuzz_$t" "$build/corpus/$t" "${dict[@]}" \
    -max_total_time="$secs" -max_len="${FUZZ_MAX_LEN:-65536}" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$build/artifacts/$t/" -print_final_stats=1 -close_fd_mask=1 \
    >"$log" 2>&1 || rc=$?
  local last execs cov ft findings took=$((SECONDS - start))
  ((took > 0)) || took=1
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+' <<<"$last" | awk '{print $2}')
  ft=$(grep -oE 'ft: [0-9]+' <<<"$last" | awk '{print $2}')
  findings=$(find "$build/artifacts/$t" -type f | wc -l)
  printf '%s: %s s, %s executions (%s/s), cov %s, ft %s, corpus %s inputs, findings %s\n' \
    "$t" "$took" "${execs:-?}" "$(( ${execs:-0} / took ))" "${cov:-?}" "${ft:-?}" \
    "$(find "$build/corpus/$t" -type f | wc -l)" "$findings"
  if [[ $rc -ne 0 || $findings -ne 0 ]]; then
    grep -E 'ERROR|fuzz finding|SUMMARY|Test unit written' "$log" | head -5 >&2
    return 1
  fi
}

[[ -n ${FUZZ_NO_BUILD:-} ]] || build_targets
if [[ $1 == all ]]; then
  export -f run_one seed
  export build root
  export targets_list="${targets[*]}"
  printf '%s\n' "${targets[@]}" |
    xargs -P "${FUZZ_PARALLEL:-1}" -I{} bash -c "targets=(\$targets_list); run_one {} $2"
else
  run_one "$1" "$2"
fi
