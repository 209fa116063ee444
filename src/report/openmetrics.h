#pragma once
// metrics.txt: OpenMetrics text for GitLab's metrics report (artifacts:reports:metrics).
//
// One gauge family per benchgate metric with the median over the good iterations, labelled
// by app and cell ("benchgate_throughput_per_second{app="pr",cell="plaintext c=64"}");
// when gated also the change estimates, the verdict counts and failed runs. Families are
// contiguous and sorted, label values escaped, and the text ends with "# EOF".

#include <ostream>
#include <string>
#include <string_view>

#include "report/model.h"

namespace benchgate::report {

/// "benchgate_" + the metric name with [^a-zA-Z0-9_] → '_' + a unit suffix
/// ("_seconds", "_bytes", "_percent", "_per_second").
std::string openmetrics_family(std::string_view metric, std::string_view unit);

void write_openmetrics(const ReportModel& model, std::ostream& out);

}  // namespace benchgate::report
