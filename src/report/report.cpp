#include "report/report.h"

#include <fmt/format.h>

#include <functional>
#include <sstream>

#include "core/error.h"
#include "platform/fs.h"

namespace benchgate::report {

NamedPaths WrittenReports::named() const {
  return {{"report-dir", dir.string()}, {"results", results.string()},
          {"junit", junit.string()},    {"summary", summary.string()},
          {"html", html.string()},      {"metrics", metrics.string()}};
}

namespace {

void render_to(const std::filesystem::path& path,
               const std::function<void(std::ostream&)>& render) {
  std::ostringstream text;
  try {
    render(text);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw InternalError(fmt::format("{}: cannot render the report: {}", path.string(), e.what()));
  }
  try {
    platform::write_file_atomic(path, text.str());
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw InternalError(fmt::format("{}: cannot write the report: {}", path.string(), e.what()));
  }
}

}  // namespace

WrittenReports write_all(const ReportModel& model, const std::filesystem::path& out_dir) {
  WrittenReports w;
  w.dir = out_dir;
  w.results = out_dir / model.files.results;
  w.junit = out_dir / model.files.junit;
  w.summary = out_dir / model.files.summary;
  w.html = out_dir / model.files.html;
  w.metrics = out_dir / model.files.metrics;
  render_to(w.junit, [&](std::ostream& o) { write_junit(model, o); });
  render_to(w.summary, [&](std::ostream& o) { write_markdown(model, o); });
  render_to(w.html, [&](std::ostream& o) { write_html(model, o); });
  render_to(w.metrics, [&](std::ostream& o) { write_openmetrics(model, o); });
  return w;
}

}  // namespace benchgate::report
