#pragma once
// metrics.txt: OpenMetrics text for GitLab's metrics report (artifacts:reports:metrics).
//
// One gauge family per benchgate metric with the median over the good iterations, labelled
// by app and cell ("benchgate_throughput_per_second{app="pr",cell="plaintext c=64"}");
// when gated also the change estimates, the verdict counts and failed runs. Families are
// contiguous and sorted, label values escaped, and the text ends with "# EOF".
//
// Values are rounded to what the measurement supports, so a metrics diff (GitLab's MR widget)
// shows real changes, not the 17th digit: medians and absolute changes to 4 significant
// digits (0.1 %: run-to-run noise of an HTTP benchmark is ~1 % at best, and no gate limit is
// finer), relative changes to 4 decimals (0.01 %), p-values to 2 significant digits; counts
// are exact.

#include <ostream>
#include <string>
#include <string_view>

#include "report/model.h"

namespace benchgate::report {

/// "benchgate_" + the metric name with [^a-zA-Z0-9_] → '_' + a unit suffix
/// ("_seconds", "_bytes", "_percent", "_per_second").
std::string openmetrics_family(std::string_view metric, std::string_view unit);

inline constexpr int kMedianDigits = 4;   ///< significant digits of medians and changes
inline constexpr int kRatioDecimals = 4;  ///< decimals of relative changes (0.0001 = 0.01 %)
inline constexpr int kPValueDigits = 2;   ///< significant digits of p-values

/// v rounded to `digits` significant decimal digits (the double nearest to that decimal);
/// 0, NaN and ±Inf unchanged.
double round_significant(double v, int digits);
/// v rounded to `decimals` decimal places; NaN and ±Inf unchanged, never -0.
double round_decimals(double v, int decimals);

void write_openmetrics(const ReportModel& model, std::ostream& out);

}  // namespace benchgate::report
