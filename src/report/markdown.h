#pragma once
// summary.md: the PR comment and step summary (docs/ci.md "Markdown summary").
//
// The first line is a stable marker (`<!-- benchgate:report v1 id=<suite> -->`) so a bot can
// find and update one comment; then the headline counts, a table of every row that is not
// unchanged (worst first), every row in a collapsed <details>, failed runs, notes, the
// environment and provenance. It stays under max_chars by cutting the <details> table (and
// then the least important attention rows), never the regressions.

#include <cstddef>
#include <ostream>
#include <string>

#include "report/model.h"

namespace benchgate::report {

struct MarkdownOptions {
  std::size_t max_chars = 60000;  ///< GitHub rejects comments over 65,536 characters
  std::size_t max_name = 100;     ///< labels, cells and metrics are shortened to this
  std::size_t max_list = 20;      ///< failed runs, notes and artifacts listed at most
  std::size_t explain_rows = 10;  ///< functions shown per instruction-mode explanation
};

/// The marker line's id: the suite name restricted to [A-Za-z0-9._:/+-] (others become '_'),
/// at most 100 characters, so it never ends the HTML comment.
std::string marker_id(std::string_view suite);
/// "<!-- benchgate:report v1 id=<id> -->".
std::string marker_line(std::string_view suite);

std::string render_markdown(const ReportModel& model, const MarkdownOptions& options = {});
void write_markdown(const ReportModel& model, std::ostream& out,
                    const MarkdownOptions& options = {});

}  // namespace benchgate::report
