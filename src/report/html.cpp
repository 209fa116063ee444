#include "report/html.h"

#include "report/html_page.h"

namespace benchgate::report {

void write_html(const ReportModel& model, std::ostream& out, const HtmlOptions& options) {
  html_page::Page(model, options).write(out);
}

}  // namespace benchgate::report
