#include "report/github.h"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>

#include "core/error.h"
#include "core/text.h"
#include "report/format.h"

namespace benchgate::report {

using gate::Verdict;

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

void append_to_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  if (out) out << text;
  if (out) out.flush();
  if (!out) throw InternalError(fmt::format("{}: cannot append", path.string()));
}

namespace {

void output(std::string& out, std::string_view name, const std::string& value) {
  if (value.find_first_of("\r\n") == std::string::npos) {
    out += fmt::format("{}={}\n", name, value);
    return;
  }
  std::string delim = "benchgate_EOF";
  for (int n = 2; value.find(delim) != std::string::npos; ++n) {
    delim = fmt::format("benchgate_EOF_{}", n);
  }
  out += fmt::format("{}<<{}\n{}\n{}\n", name, delim, value, delim);
}

std::string app_prefix(const std::string& app, std::size_t max) {
  return app.empty() ? "" : shorten(app, max) + " ";
}

}  // namespace

std::string github_outputs(const ReportModel& m, const NamedPaths& paths) {
  std::string out;
  output(out, "status", m.status());
  output(out, "exit-code", std::to_string(static_cast<int>(m.outcome.exit_code)));
  output(out, "outcome", m.outcome.text());
  output(out, "regressions", std::to_string(m.count(Verdict::kRegressed)));
  output(out, "improvements", std::to_string(m.count(Verdict::kImproved)));
  output(out, "warnings", std::to_string(m.count(Verdict::kWarn)));
  output(out, "inconclusive", std::to_string(m.count(Verdict::kInconclusive)));
  output(out, "not-comparable", std::to_string(m.count(Verdict::kNotComparable)));
  output(out, "failed-runs", std::to_string(m.failed_runs()));
  output(out, "informational", std::to_string(m.outcome.tally.informational));
  for (const auto& [name, path] : paths)
    output(out, name, path);
  return out;
}

int write_github_annotations(const ReportModel& m, std::ostream& out, int max) {
  int written = 0;
  int regressions = 0;
  if (m.gate) {
    for (std::size_t i : m.ranked) {  // ranked: regressions first, worst first
      const auto& v = m.gate->verdicts[i];
      if (v.verdict != Verdict::kRegressed) break;
      ++regressions;
      if (written >= max) continue;
      // `diff` of Google Benchmark files has no app: no empty word then.
      const std::string title = fmt::format("benchgate regression: {}{} {}", app_prefix(v.app, 60),
                                            shorten(v.cell, 80), shorten(v.metric, 40));
      const std::string msg = fmt::format(
          "{}{} {}: {} → {} ({}{}, limit {}, p={}){}", app_prefix(v.app, 100), shorten(v.cell, 200),
          shorten(v.metric, 60), format_value(v.baseline, v.unit), format_value(v.current, v.unit),
          format_change(v), format_ci(v).empty() ? "" : " " + format_ci(v), format_limit(v),
          format_p(v.p_adjusted), v.reason.empty() ? "" : ": " + shorten(v.reason, 300));
      out << "::error title=" << github_escape_property(title) << "::" << github_escape_data(msg)
          << '\n';
      ++written;
    }
  }
  int failed = 0;
  for (const auto& p : m.problems) {
    if (!p.is_error()) continue;
    ++failed;
    if (written >= max) continue;
    const std::string title =
        fmt::format("benchgate run failed: {} {}", shorten(p.app, 60), shorten(p.cell, 80));
    const std::string msg = fmt::format("{} {} iteration {}: {}", shorten(p.app, 100),
                                        shorten(p.cell, 200), p.iteration, shorten(p.reason, 500));
    out << "::error title=" << github_escape_property(title) << "::" << github_escape_data(msg)
        << '\n';
    ++written;
  }
  const int left = regressions + failed - written;
  if (left > 0) {
    // A plain log line: GitHub shows at most 10 error annotations per step anyway.
    out << fmt::format(
        "benchgate: {} more regression(s) or failed run(s) not annotated; see the "
        "step summary\n",
        left);
  }
  return written;
}

GithubResult github_integrate(const ReportModel& m, const std::string& markdown,
                              const NamedPaths& paths, const EnvLookup& env, std::ostream& out,
                              const FileAppender& append) {
  GithubResult r;
  if (auto summary = env("GITHUB_STEP_SUMMARY"); summary && !summary->empty()) {
    append(*summary, markdown.ends_with('\n') ? markdown : markdown + "\n");
    r.step_summary = true;
  }
  if (auto output_file = env("GITHUB_OUTPUT"); output_file && !output_file->empty()) {
    append(*output_file, github_outputs(m, paths));
    r.outputs = true;
  }
  if (auto actions = env("GITHUB_ACTIONS"); actions && *actions == "true") {
    r.annotations = write_github_annotations(m, out);
  }
  return r;
}

}  // namespace benchgate::report
