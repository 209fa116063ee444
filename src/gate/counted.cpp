#include "gate/counted.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "stats/descriptive.h"

namespace benchgate::gate {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string pct(double v) {
  return fmt::format("{:+.3f} %", v * 100);
}

}  // namespace

bool is_counted_metric(std::string_view metric) {
  return metric == results::metric::kInstructionsPerRequest ||
         metric == results::metric::kEstCyclesPerRequest ||
         metric == results::metric::kStartupInstructions;
}

void decide_by_spread(const Comparison& c, MetricVerdict& v) {
  v.test = "spread-rule";
  v.p_value = v.p_adjusted = v.p_improved = v.p_two_sided = v.p_min = kNaN;
  v.estimate = v.ci_low = v.ci_high = kNaN;
  const auto& b = c.baseline;
  const auto& x = c.current;
  const double me = v.min_effect;
  const double floor = kSpreadFloorShare * me;
  auto finish = [&] {
    if (!v.gated) v.reason += " (informational: not gated)";
    if (!c.note.empty()) v.reason += " (" + c.note + ")";
  };
  if (b.size() < 2 || x.size() < 2) {
    v.verdict = Verdict::kInconclusive;
    v.cause = "too_few_runs";
    v.reason = fmt::format(
        "{} baseline and {} current value{}: the spread rule needs at least 2 on each side to "
        "measure the spread",
        b.size(), x.size(), x.size() == 1 ? "" : "s");
    finish();
    return;
  }
  const auto [bmin, bmax] = std::minmax_element(b.begin(), b.end());
  const auto [xmin, xmax] = std::minmax_element(x.begin(), x.end());
  if (!(*bmin > 0) || !(*xmin > 0)) {
    v.verdict = Verdict::kInconclusive;
    v.cause = "wide_ci";
    v.reason = "a value is zero or negative: counted metrics must be positive";
    finish();
    return;
  }
  const double spread_b = *bmax / *bmin - 1;
  const double spread_x = *xmax / *xmin - 1;
  v.estimate = stats::median(x) / stats::median(b) - 1;
  v.ci_low = *xmin / *bmax - 1;
  v.ci_high = *xmax / *bmin - 1;
  // In the worse direction: lower-is-better metrics get worse by going up.
  const bool lower = v.better == results::Better::kLower;
  const double worse_lo = lower ? v.ci_low : -v.ci_high;
  const double worse_hi = lower ? v.ci_high : -v.ci_low;
  const bool quiet = spread_b <= floor && spread_x <= floor;
  const std::string range = fmt::format("[{}, {}]", pct(v.ci_low), pct(v.ci_high));
  const std::string spreads =
      fmt::format("spread {:.2g} % baseline, {:.2g} % current, floor {:.2g} %", spread_b * 100,
                  spread_x * 100, floor * 100);
  if (quiet && worse_lo > me) {
    v.verdict = Verdict::kRegressed;
    v.reason = fmt::format(
        "every current value is worse than every baseline value by more than the ±{:.3g} % "
        "limit: {} {} ({})",
        me * 100, pct(v.estimate), range, spreads);
  } else if (quiet && worse_hi < -me) {
    v.verdict = Verdict::kImproved;
    v.reason = fmt::format(
        "every current value is better than every baseline value by more than the ±{:.3g} % "
        "limit: {} {} ({})",
        me * 100, pct(v.estimate), range, spreads);
  } else if (v.ci_low >= -me && v.ci_high <= me) {
    v.verdict = Verdict::kUnchanged;
    v.reason = fmt::format("every current/baseline ratio lies within ±{:.3g} %: {} {} ({})",
                           me * 100, pct(v.estimate), range, spreads);
  } else if (!quiet) {
    v.verdict = Verdict::kInconclusive;
    v.cause = "spread_above_floor";
    v.reason = fmt::format(
        "{} {}: the values vary more than a counted metric should ({}): timing-dependent work "
        "on a busy machine; more counted requests per sample or a quieter machine lower it",
        pct(v.estimate), range, spreads);
  } else {
    v.verdict = Verdict::kInconclusive;
    v.cause = "wide_ci";
    v.reason = fmt::format("{} {} straddles the ±{:.3g} % limit ({})", pct(v.estimate), range,
                           me * 100, spreads);
  }
  finish();
}

}  // namespace benchgate::gate
