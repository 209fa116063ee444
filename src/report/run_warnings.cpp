#include "report/run_warnings.h"

#include <fmt/format.h>

#include "core/text.h"

namespace benchgate::report {

std::vector<std::string> run_warnings(const ReportModel& m) {
  std::vector<std::string> out;
  for (const auto& run : m.results.runs) {
    for (const auto& w : run.warnings)
      out.push_back(
          fmt::format("{} · {} · iteration {}: {}", run.app, run.scenario, run.iteration, w));
  }
  return out;
}

void write_run_warnings(const ReportModel& m, std::ostream& out, const ConsoleOptions& o) {
  const auto items = run_warnings(m);
  if (items.empty()) return;
  out << (o.color ? "\x1b[1mRun warnings\x1b[0m" : "Run warnings") << '\n';
  for (const auto& w : items)
    out << "  " << terminal_safe(shorten(w, 400)) << '\n';
}

std::string markdown_run_warnings(const ReportModel& m, std::size_t max_list) {
  const auto items = run_warnings(m);
  if (items.empty()) return "";
  std::string out = "#### ⚠️ Run warnings\n\n";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i == max_list) {
      out += fmt::format("- … and {} more (see results.json)\n", items.size() - i);
      break;
    }
    out += "- " + markdown_escape(shorten(items[i], 400)) + "\n";
  }
  return out + "\n";
}

}  // namespace benchgate::report
