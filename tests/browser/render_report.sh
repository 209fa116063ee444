#!/usr/bin/env bash
# Renders the sample reports (built by the report tests from tests/data/report) in headless
# Chromium and checks them: no console errors or exceptions, no network requests, every chart's
# <svg> laid out with data points, the legend toggle working, the sections in reading order
# (headline, load scaling, regressions, the full table), no word of a table cell split across
# lines, and the 48-cell report (6 scenarios × 8 load points) at most 1 MB. Leaves the pages and
# PNG screenshots in OUT_DIR:
#   report.html          the A/B sample (2 cells)           report-*.png
#   report-history.html  a stored-baseline gate with history history-*.png
#   report-48.html       48 cells                           r48-*.png
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
BENCHGATE_REPORT_SAMPLE_DIR="$out" "$test_binary" \
  --gtest_filter='Html.WritesTheBrowserSample:Html.FortyEightCellReportStaysUnderOneMegabyte' \
  --gtest_brief=1 >/dev/null
for f in report.html report-history.html report-48.html; do
  [[ -s "$out/$f" ]] || { echo "FAIL: $test_binary wrote no $f"; exit 1; }
done

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
node "$here/check_report.js" "$browser" "$out/report.html" "$out" \
  --order scaling,regressions,verdicts,cell-* --shots scaling,regressions,verdicts
node "$here/check_report.js" "$browser" "$out/report-history.html" "$out" --prefix history \
  --order scaling,regressions,verdicts,history,cell-* --shots history --no-full
node "$here/check_report.js" "$browser" "$out/report-48.html" "$out" --prefix r48 \
  --order scaling,regressions,verdicts,cell-* --shots scaling,regressions --max-bytes 1000000 \
  --no-full
echo "output in $out"
