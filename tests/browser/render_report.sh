#!/usr/bin/env bash
# Renders the sample report.html (built by the report tests from tests/data/report) in
# headless Chromium and checks it: no console errors or exceptions, no network requests, every
# chart's <svg> laid out with data points, the legend toggle working. Leaves report.html and
# PNG screenshots in OUT_DIR.
#
# usage: tests/browser/render_report.sh TEST_REPORT_BINARY [OUT_DIR]
# Exit 0 ok, 1 failed, 77 skipped (no Chromium/Chrome or no node).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
test_binary=${1:?usage: render_report.sh TEST_REPORT_BINARY [OUT_DIR]}
out=${2:-$(mktemp -d "${TMPDIR:-/tmp}/benchgate-browser.XXXXXX")}
mkdir -p "$out"

browser=${CHROMIUM:-}
if [[ -z "$browser" ]]; then
  for name in chromium chromium-browser google-chrome google-chrome-stable; do
    if command -v "$name" >/dev/null 2>&1; then browser=$(command -v "$name"); break; fi
  done
fi
if [[ -z "$browser" ]]; then echo "SKIP: no chromium or chrome on PATH (set CHROMIUM)"; exit 77; fi
if ! command -v node >/dev/null 2>&1; then echo "SKIP: node is needed for the DevTools client"; exit 77; fi

# 1. The sample report, from the same code path as the unit tests.
BENCHGATE_REPORT_SAMPLE_DIR="$out" "$test_binary" --gtest_filter='Html.WritesTheBrowserSample' \
  --gtest_brief=1 >/dev/null
[[ -s "$out/report.html" ]] || { echo "FAIL: $test_binary wrote no report.html"; exit 1; }

# 2. Cheap first check with the plain headless mode: the DOM is there after load.
profile=$(mktemp -d "${TMPDIR:-/tmp}/benchgate-chromium.XXXXXX")
trap 'rm -rf "$profile"' EXIT
dom=$(timeout 60 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
  --dump-dom "file://$out/report.html" 2>/dev/null || true)
charts=$(grep -o '<svg[^>]*class="chart' <<<"$dom" | wc -l)
if (( charts == 0 )); then echo "FAIL: --dump-dom shows no charts"; exit 1; fi
echo "dump-dom: $charts charts"

# 3. The full check over the DevTools protocol, with screenshots.
node "$here/check_report.js" "$browser" "$out/report.html" "$out"
echo "output in $out"
