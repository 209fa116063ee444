#pragma once
// The HTML report's inline style sheet and script (the page loads nothing from the network).

#include <string_view>

namespace benchgate::report::html_assets {

inline constexpr std::string_view kCss = R"CSS(
:root { --fg: #1f2328; --muted: #59636e; --border: #d1d9e0; --soft: #f6f8fa; --accent: #0969da; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff;
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header, nav, main, footer { max-width: 1280px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 20px; }
h1 { font-size: 22px; margin: 0 0 6px; overflow-wrap: break-word; }
h2 { font-size: 18px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--border);
  overflow-wrap: break-word; }
h3 { font-size: 15px; margin: 18px 0 8px; }
a { color: var(--accent); }
.status { display: inline-block; font-weight: 600; font-size: 15px; padding: 3px 10px; border-radius: 12px;
  background: var(--soft); border: 1px solid var(--border); }
.status.regressed, .status.run_failed, .status.partial { background: #ffebe9; border-color: #ffcecb; color: #a40e26; }
.status.pass { background: #dafbe1; border-color: #aceebb; color: #116329; }
.status.undecided, .status.interrupted { background: #fff8c5; border-color: #f2e1a0; color: #7d4e00; }
.counts { margin: 8px 0 0; font-size: 15px; }
.meta, .muted { color: var(--muted); }
nav { margin-top: 12px; }
nav ol { list-style: none; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: 6px 14px; }
table { border-collapse: collapse; margin: 6px 0 12px; font-size: 13px; }
th, td { padding: 4px 9px; border-bottom: 1px solid var(--border); text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
/* Names (app, cell, metric) never break inside a word ("plainte xt c=64"): a wide table scrolls
   in its wrapper instead. The reason column wraps between words only. */
td.name { white-space: nowrap; }
table.v td { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
table.v td:first-child, table.v td.name, table.v td.why { text-align: left; }
table.v td.why { white-space: normal; }
td.why { min-width: 14em; max-width: 44em; }
.table-wrap { overflow-x: auto; }
.badge { display: inline-block; min-width: 6.5em; padding: 0 6px; border-radius: 10px; font-size: 12px;
  font-weight: 600; color: #fff; text-align: center; white-space: nowrap; background: #57606a; }
.b-regressed { background: #cf222e; } .b-error { background: #a40e26; }
.b-not_comparable { background: #6e7781; } .b-inconclusive { background: #8250df; }
.b-warn { background: #bf8700; } .b-improved { background: #1a7f37; } .b-info { background: #8c959f; }
.regression { border-left: 4px solid #cf222e; padding: 0 0 4px 14px; margin: 14px 0 22px; }
.regression h3 { margin-top: 4px; }
tr.v-unchanged td { color: var(--muted); }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(500px, 1fr)); gap: 14px; }
figure { margin: 0; border: 1px solid var(--border); border-radius: 6px; padding: 10px 10px 4px; background: #fff; }
figure.wide { grid-column: 1 / -1; }
figcaption { font-weight: 600; margin-bottom: 4px; }
figcaption .muted { font-weight: 400; }
svg.chart { display: block; width: 100%; height: auto; font-size: 12px; font-family: inherit; }
svg.chart text { fill: #59636e; }
svg.chart .axis-label { fill: #1f2328; font-weight: 600; }
svg.chart .grid path { stroke: #eef1f4; fill: none; }
svg.chart .axis line, svg.chart .axis path { stroke: #8c959f; fill: none; }
svg.chart .axis .zero { stroke: #59636e; stroke-dasharray: 3 3; }
svg.chart .frame { fill: none; stroke: var(--border); }
svg.chart .nodata { fill: #8c959f; font-style: italic; }
svg.chart .legend-item { cursor: pointer; }
svg.chart .legend-item text { fill: #1f2328; }
svg.chart .legend-item.off { opacity: .35; }
svg.chart .series.hidden { display: none; }
svg.chart .band { fill: #e3e9ef; }
svg.chart .range { fill-opacity: .13; stroke: none; }
svg.chart .ring { fill: none; stroke: #cf222e; stroke-width: 2; }
svg.chart .worse { fill: #fde4e4; }
svg.chart .stripe { fill: #fafbfc; }
svg.chart .ci { stroke: #59636e; stroke-width: 2.2; }
svg.chart .cap { stroke-width: 1.6; }
svg.chart .est { fill: #59636e; stroke: #fff; stroke-width: 1; }
svg.chart .label { fill: #1f2328; font-weight: 600; }
svg.chart .sublabel { font-size: 11px; }
svg.chart .value { fill: #1f2328; font-variant-numeric: tabular-nums; }
pre { background: var(--soft); border: 1px solid var(--border); border-radius: 6px; padding: 8px 10px;
  overflow: auto; max-height: 22em; font-size: 12px; white-space: pre-wrap; word-break: break-all; }
.problem { border-left: 4px solid #cf222e; padding: 2px 0 2px 12px; margin: 10px 0; }
.problem.invalid { border-left-color: #bf8700; }
dl.env { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 6px 0; }
dl.env dt { color: var(--muted); }
dl.env dd { margin: 0; min-width: 0; overflow-wrap: break-word; }
details summary { cursor: pointer; color: var(--accent); margin: 6px 0; }
footer { margin: 32px auto 24px; color: var(--muted); font-size: 12px; }
@media print { nav, svg.chart .legend-item title { display: none; } figure { break-inside: avoid; } }
)CSS";

// Optional nicety: click or press Enter on a legend entry to hide or show its series.
inline constexpr std::string_view kScript = R"JS(
(function () {
  function toggle(item) {
    var svg = item.closest('svg');
    var group = item.getAttribute('data-group');
    var off = item.classList.toggle('off');
    item.setAttribute('aria-pressed', off ? 'false' : 'true');
    svg.querySelectorAll('.series').forEach(function (s) {
      if (s.getAttribute('data-group') === group) s.classList.toggle('hidden', off);
    });
  }
  document.querySelectorAll('svg.chart .legend-item').forEach(function (item) {
    item.addEventListener('click', function () { toggle(item); });
    item.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); toggle(item); }
    });
  });
})();
)JS";

}  // namespace benchgate::report::html_assets
