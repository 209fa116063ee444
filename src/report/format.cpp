#include "report/format.h"

#include <fmt/format.h>

#include <array>
#include <cmath>

#include "core/parse.h"

namespace benchgate::report {

using gate::MetricVerdict;
using gate::Verdict;

namespace {

std::string format_seconds_value(double s) {
  const double a = std::fabs(s);
  if (a == 0) return "0 s";
  if (a < 10e-6) return fmt::format("{:.2f} µs", s * 1e6);
  if (a < 100e-6) return fmt::format("{:.1f} µs", s * 1e6);
  if (a < 1e-3) return fmt::format("{:.0f} µs", s * 1e6);
  if (a < 100e-3) return fmt::format("{:.2f} ms", s * 1e3);
  if (a < 1.0) return fmt::format("{:.1f} ms", s * 1e3);
  return fmt::format("{:.2f} s", s);
}

std::string format_count(double v) {
  if (std::fabs(v - std::round(v)) < 1e-9 && std::fabs(v) < 1e15) {
    return fmt::format("{:.0f}", v);
  }
  return fmt::format("{:.3g}", v);
}

std::string format_percent_number(double pct) {
  // "3", "2.5", "12.5": thresholds are round numbers; keep them short.
  std::string s = fmt::format("{:.2f}", pct);
  while (!s.empty() && s.back() == '0')
    s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

std::string signed_ratio(double x) {
  const double pct = x * 100;
  if (std::fabs(pct) < 0.05) return "+0.0 %";
  if (std::fabs(pct) >= 1000) return fmt::format("{:+.0f} %", pct);
  return fmt::format("{:+.1f} %", pct);
}

std::string signed_value(double x, std::string_view unit) {
  std::string body = format_value(std::fabs(x), unit);
  return (x < 0 ? "-" : "+") + body;
}

}  // namespace

std::string format_value(double value, std::string_view unit) {
  if (!std::isfinite(value)) return "n/a";
  if (unit == "req/s") return format_si(value) + " req/s";
  if (unit == "s") return format_seconds_value(value);
  if (unit == "bytes") return format_bytes(value);
  if (unit == "%") return fmt::format("{:.1f} %", value);
  if (unit == "count" || unit.empty()) return format_count(value);
  if (unit == "instr" || unit == "cycles") {  // instruction mode: 11,278 instr
    return benchgate::format_count(static_cast<std::uint64_t>(std::llround(std::max(0.0, value)))) +
           " " + std::string(unit);
  }
  return fmt::format("{:.4g} {}", value, unit);
}

std::string format_cpu_per_request(double seconds) {
  if (!std::isfinite(seconds)) return "n/a";
  const double us = seconds * 1e6;
  if (std::fabs(us) >= 100) return fmt::format("{:.0f} µs", us);
  return fmt::format("{:.1f} µs", us);
}

bool has_estimate(const MetricVerdict& v) {
  return v.verdict != Verdict::kNotComparable && v.verdict != Verdict::kError &&
         std::isfinite(v.estimate);
}

std::string format_change(const MetricVerdict& v) {
  if (!has_estimate(v)) return "n/a";
  if (v.scale == results::Scale::kRatio) return signed_ratio(v.estimate);
  return signed_value(v.estimate, v.unit);
}

std::string format_ci(const MetricVerdict& v) {
  if (!has_estimate(v) || !std::isfinite(v.ci_low) || !std::isfinite(v.ci_high)) return "";
  if (v.scale == results::Scale::kRatio) {
    return fmt::format("[{}, {}]", signed_ratio(v.ci_low), signed_ratio(v.ci_high));
  }
  return fmt::format("[{}, {}]", signed_value(v.ci_low, v.unit), signed_value(v.ci_high, v.unit));
}

std::string format_limit(const MetricVerdict& v) {
  const char* sign = v.better == results::Better::kHigher ? "-" : "+";
  if (!std::isfinite(v.min_effect)) return "n/a";
  if (v.scale == results::Scale::kRatio) {
    return fmt::format("{}{} %", sign, format_percent_number(std::fabs(v.min_effect) * 100));
  }
  return sign + format_value(std::fabs(v.min_effect), v.unit);
}

std::string format_level(double level) {
  return format_percent_number(level * 100) + " %";
}

double severity(const MetricVerdict& v) {
  if (!has_estimate(v)) return 0;
  const double worse = v.better == results::Better::kHigher ? -v.estimate : v.estimate;
  return v.min_effect > 0 ? worse / v.min_effect : worse;
}

std::string_view verdict_key(Verdict v) {
  return gate::verdict_name(v);  // the name results.json and JUnit use
}

std::string_view verdict_label(Verdict v) {
  return v == Verdict::kNotComparable ? "not comparable" : verdict_key(v);
}

std::string_view verdict_emoji(Verdict v) {
  switch (v) {
    case Verdict::kRegressed:
      return "❌";
    case Verdict::kWarn:
      return "⚠️";
    case Verdict::kImproved:
      return "⚡";
    case Verdict::kUnchanged:
      return "🟰";  // ✅ is kept for the pass outcome alone
    case Verdict::kInconclusive:
      return "❔";
    case Verdict::kNotComparable:
      return "⏭️";
    case Verdict::kError:
      return "💥";
    case Verdict::kChanged:
      return "🔀";
  }
  return "?";
}

namespace {
constexpr std::array<Verdict, 7> kOrder = {
    Verdict::kRegressed, Verdict::kError,    Verdict::kNotComparable, Verdict::kInconclusive,
    Verdict::kWarn,      Verdict::kImproved, Verdict::kUnchanged};
}

int verdict_order(Verdict v) {
  for (std::size_t i = 0; i < kOrder.size(); ++i) {
    if (kOrder[i] == v) return static_cast<int>(i);
  }
  return static_cast<int>(kOrder.size());
}

std::span<const Verdict> verdicts_in_order() {
  return kOrder;
}

std::string shown_verdict(const MetricVerdict& v) {
  const std::string label(verdict_label(v.verdict));
  return v.gated ? label : "(" + label + ")";
}

std::string shown_p(const MetricVerdict& v) {
  return v.gated ? format_p(v.p_adjusted) : format_p(v.p_value) + " raw";
}

std::string test_name(std::string_view test) {
  if (test == "wilcoxon-signed-rank") return "Wilcoxon signed-rank test";
  if (test == "mann-whitney-u") return "Mann–Whitney U test";
  return std::string(test);
}

std::string_view better_symbol(results::Better b) {
  return b == results::Better::kHigher ? "↑" : "↓";
}

std::string verdict_message(const MetricVerdict& v) {
  std::string msg = fmt::format("{} {}", v.metric, verdict_label(v.verdict));
  if (has_estimate(v)) {
    msg += fmt::format(": {}", format_change(v));
    if (const auto ci = format_ci(v); !ci.empty()) msg += " " + ci;
    msg += fmt::format(", limit {} (p={})", format_limit(v), shown_p(v));
  }
  if (!v.reason.empty()) msg += "; " + v.reason;
  return msg;
}

std::string verdict_details(const MetricVerdict& v) {
  std::string out;
  auto line = [&](std::string_view key, const std::string& value) {
    if (!out.empty()) out += '\n';
    out += fmt::format("{}: {}", key, value);
  };
  line("metric", fmt::format("{} ({}{}{})", v.metric, v.unit, v.unit.empty() ? "" : ", ",
                             results::better_arrow(v.better)));
  std::string base = format_value(v.baseline, v.unit);
  if (!v.baseline_label.empty()) base += " (" + v.baseline_label;
  if (v.n_baseline > 0)
    base += fmt::format("{}n={}", v.baseline_label.empty() ? " (" : ", ", v.n_baseline);
  if (!v.baseline_label.empty() || v.n_baseline > 0) base += ")";
  line("baseline", base);
  std::string cur = format_value(v.current, v.unit);
  if (!v.app.empty()) cur += " (" + v.app;
  if (v.n_current > 0) cur += fmt::format("{}n={}", v.app.empty() ? " (" : ", ", v.n_current);
  if (!v.app.empty() || v.n_current > 0) cur += ")";
  line("current", cur);
  if (has_estimate(v)) {
    line("change", format_change(v));
    const auto ci = format_ci(v);
    if (!ci.empty()) line("CI", fmt::format("{} ({})", ci, format_level(v.ci_level)));
    line("limit", format_limit(v));
    line("p", fmt::format("{} (Holm-adjusted {}, alpha {:g})", format_p(v.p_value),
                          format_p(v.p_adjusted), v.alpha));
    if (!v.test.empty()) line("test", v.test + (v.paired ? " (paired)" : ""));
  }
  line("verdict", std::string(verdict_key(v.verdict)) + (v.gated ? "" : " (not gated)"));
  return out;
}

namespace {
constexpr double kMiB = 1024.0 * 1024.0;
constexpr std::array<ResultColumn, 7> kColumns = {{
    {"req/s", "throughput", 1},
    {"p50 ms", "latency_p50", 1e3},
    {"p99 ms", "latency_p99", 1e3},
    {"max ms", "latency_max", 1e3},
    {"CPU %", "cpu_percent", 1},
    {"CPU µs/req", "cpu_per_request", 1e6},
    {"RSS MiB", "peak_rss", 1 / kMiB},
}};
}  // namespace

std::span<const ResultColumn> result_columns() {
  return kColumns;
}

std::string format_number(double v) {
  if (!std::isfinite(v)) return "n/a";
  const double a = std::fabs(v);
  if (a >= 1e4) return format_si(v);
  if (a >= 100) return fmt::format("{:.0f}", v);
  if (a >= 10) return fmt::format("{:.1f}", v);
  if (a >= 1) return fmt::format("{:.2f}", v);
  if (a == 0) return "0";
  return fmt::format("{:.3f}", v);
}

std::string format_median_range(double median, double min, double max, std::size_t n,
                                double scale) {
  if (n == 0 || !std::isfinite(median)) return "–";
  std::string out = format_number(median * scale);
  if (n > 1) {
    out += fmt::format(" ({}–{})", format_number(min * scale), format_number(max * scale));
  }
  return out;
}

std::string format_seconds(double s) {
  if (!std::isfinite(s) || s < 0) return "n/a";
  if (s < 1) return fmt::format("{:.0f}ms", s * 1e3);
  if (s < 60) return fmt::format("{:.1f}s", s);
  const auto total = static_cast<long long>(std::llround(s));
  if (total < 3600) return fmt::format("{}m {:02}s", total / 60, total % 60);
  return fmt::format("{}h {:02}m", total / 3600, (total % 3600) / 60);
}

}  // namespace benchgate::report
