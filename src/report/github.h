#pragma once
// GitHub Actions integration (docs/ci.md "GitHub Actions"): step summary, step
// outputs and error annotations. Pure functions over an injected environment, an output
// stream for workflow commands and a file appender, so tests need no runner.

#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "report/model.h"

namespace benchgate::report {

/// Environment lookup: the value of a variable, or nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
/// The process environment (getenv).
EnvLookup process_env();

/// Appends text to a file (GITHUB_STEP_SUMMARY, GITHUB_OUTPUT). Throws InternalError.
using FileAppender = std::function<void(const std::filesystem::path&, const std::string&)>;
void append_to_file(const std::filesystem::path& path, const std::string& text);

/// Named report paths for the step outputs: ("junit", ".../junit.xml"), ...
using NamedPaths = std::vector<std::pair<std::string, std::string>>;

/// The text for $GITHUB_OUTPUT: status, regressions, improvements, warnings, failed-runs, then
/// each path. Values with a newline use the `name<<DELIMITER` form with a delimiter that does
/// not occur in the value.
std::string github_outputs(const ReportModel& model, const NamedPaths& paths);

/// `::error title=…::…` workflow commands for the regressions, worst first, then failed runs,
/// at most max in all; returns how many were written. Data escapes % CR LF; properties also
/// : and ,.
int write_github_annotations(const ReportModel& model, std::ostream& out, int max = 10);

struct GithubResult {
  bool step_summary = false;  ///< appended to GITHUB_STEP_SUMMARY
  bool outputs = false;       ///< appended to GITHUB_OUTPUT
  int annotations = 0;
};

/// Does what applies: the Markdown to $GITHUB_STEP_SUMMARY when set, the outputs to
/// $GITHUB_OUTPUT when set, annotations to `out` when GITHUB_ACTIONS=true.
GithubResult github_integrate(const ReportModel& model, const std::string& markdown,
                              const NamedPaths& paths, const EnvLookup& env, std::ostream& out,
                              const FileAppender& append = append_to_file);

}  // namespace benchgate::report
