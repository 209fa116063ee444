#pragma once
// Warnings the runs recorded (RunRecord::warnings: processes an app left running after it
// was stopped, a readiness URL that answered an error, a profiler that could not run), listed
// once after the tables by the console and in the Markdown summary, each naming its run.

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include "report/console.h"
#include "report/model.h"

namespace benchgate::report {

/// "app · cell · iteration N: warning", in execution order (raw: escape for the target).
std::vector<std::string> run_warnings(const ReportModel& model);

/// Console: a "Run warnings" heading and one line per warning; nothing when there are none.
void write_run_warnings(const ReportModel& model, std::ostream& out,
                        const ConsoleOptions& options = {});

/// Markdown: a "Run warnings" section with at most `max_list` items; "" when none.
std::string markdown_run_warnings(const ReportModel& model, std::size_t max_list);

}  // namespace benchgate::report
