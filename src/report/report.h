#pragma once
// The report module's front door: build the model once, write every report file.
//
//   auto model = report::build_model(results, gate, {.out_dir = out});
//   auto written = report::write_all(model, out);   // junit.xml, summary.md, report.html, ...
//   report::write_verdict_table(model, std::cout, {.color = stdout_is_tty});
//   report::github_integrate(model, report::render_markdown(model), written.named(),
//                            report::process_env(), std::cout);
//
// results.json itself is written by results::write_results (the runner and `benchgate report`
// own it); write_all writes the reports derived from it.

#include <filesystem>
#include <vector>

#include "report/console.h"
#include "report/github.h"
#include "report/html.h"
#include "report/junit.h"
#include "report/markdown.h"
#include "report/model.h"
#include "report/openmetrics.h"

namespace benchgate::report {

struct WrittenReports {
  std::filesystem::path dir;
  std::filesystem::path results;  ///< where results.json belongs (not written by write_all)
  std::filesystem::path junit, summary, html, metrics;
  /// The files write_all wrote.
  std::vector<std::filesystem::path> all() const { return {junit, summary, html, metrics}; }
  /// For GitHub step outputs: report-dir, results, junit, summary, html, metrics.
  NamedPaths named() const;
};

/// Renders every report and writes each atomically (platform::write_file_atomic) into out_dir,
/// named as in model.files. Throws InternalError naming the file when one cannot be written
/// (exit 5); a file already written stays valid.
WrittenReports write_all(const ReportModel& model, const std::filesystem::path& out_dir);

}  // namespace benchgate::report
