#pragma once
// Number and verdict formatting shared by the reporters, so every format shows the same
// value the same way ("101.2k req/s", "1.23 ms", "-5.8 % [-7.9 %, -4.2 %]").

#include <span>
#include <string>
#include <string_view>

#include "core/pvalue.h"  // format_p: the p-value format of every report
#include "gate/verdict.h"
#include "results/metrics.h"

namespace benchgate::report {

/// A value in its metric unit: "101.2k req/s", "612 µs", "1.23 ms", "45.2 %", "12.3 MiB",
/// "3" (count); other units (Google Benchmark "ns", counters) as "%.4g unit". NaN → "n/a".
std::string format_value(double value, std::string_view unit);
/// CPU seconds per request as microseconds: "12.3 µs".
std::string format_cpu_per_request(double seconds);

/// The change estimate: ratio scale "+5.2 %", difference scale "+12.0 MiB" (unit-formatted).
std::string format_change(const gate::MetricVerdict& v);
/// The confidence interval "[-7.9 %, -4.2 %]" in the estimate's scale; "" when it is not
/// meaningful (no estimate: not comparable, error).
std::string format_ci(const gate::MetricVerdict& v);
/// The threshold in the worse direction: "-3 %" for throughput, "+10 %" for latency.
std::string format_limit(const gate::MetricVerdict& v);
/// "95 %" for 0.95.
std::string format_level(double level);

/// Whether the verdict carries an estimate with a CI (not for not_comparable / error).
bool has_estimate(const gate::MetricVerdict& v);
/// How far the estimate is in the worse direction, in units of the min effect (> 1 beyond
/// the limit); used to order regressions worst first.
double severity(const gate::MetricVerdict& v);

/// Verdict names and symbols, independent of gate's implementation file.
std::string_view verdict_key(gate::Verdict v);    ///< "regressed", "not_comparable", ...
std::string_view verdict_label(gate::Verdict v);  ///< "regressed", "not comparable", ...
std::string_view verdict_emoji(gate::Verdict v);  ///< ❌ ⚠️ ⚡ 🟰 ❔ ⏭️ 💥 🔀 (✅ only for the pass outcome)
int verdict_order(gate::Verdict v);               ///< report order, 0 = first (regressed)
/// Every verdict a gated test can have, in report order (the headline counts).
std::span<const gate::Verdict> verdicts_in_order();
/// The status a row shows: the verdict label for a gated test, "(label)" for an informational
/// (ungated) row.
std::string shown_verdict(const gate::MetricVerdict& v);
/// The p a row shows: Holm-adjusted for a gated test; the raw p followed by " raw" for an
/// informational row.
std::string shown_p(const gate::MetricVerdict& v);

/// One-line message: "throughput regressed: -6.1 % [-7.9 %, -4.2 %], limit -3 % (p=0.002)",
/// followed by the gate's reason when it has one. Raw text: escape it for the target format.
std::string verdict_message(const gate::MetricVerdict& v);
/// The numbers, one "key: value" per line (metric, baseline, current, change, CI, limit, p,
/// test, samples), no trailing newline. Raw text.
std::string verdict_details(const gate::MetricVerdict& v);

/// "Wilcoxon signed-rank test" for "wilcoxon-signed-rank", "Mann–Whitney U test" for
/// "mann-whitney-u"; other names unchanged.
std::string test_name(std::string_view test);

/// "↑" for higher-is-better metrics, "↓" for lower.
std::string_view better_symbol(results::Better b);

/// A column of the results table (the `compare` summary): a metric shown in a fixed unit
/// (scale converts the metric's unit into the column's: 1e3 for ms).
struct ResultColumn {
  std::string_view header;  ///< "p99 ms"
  std::string_view metric;  ///< "latency_p99"
  double scale;
};
/// throughput, latency p50 / p99 / max, CPU %, CPU µs per request, peak RSS.
std::span<const ResultColumn> result_columns();
/// About three significant digits, SI suffix k/M/G from 10,000: "0.612", "12.3", "61.2k".
std::string format_number(double v);
/// "61.2k (60.1k–62.0k)"; just the median for a single value; "–" without values.
std::string format_median_range(double median, double min, double max, std::size_t n, double scale);

/// Seconds as "1m 05s", "12.3s", "850ms".
std::string format_seconds(double s);

}  // namespace benchgate::report
