#pragma once
// junit.xml (docs/ci.md "JUnit XML"): one testcase per app × cell × metric.
//
//   regressed                        → <failure type="benchgate.Regression">
//   warn / inconclusive / not compar. → <skipped>
//   error, failed runs               → <error type="benchgate.RunError"> + app log tail
//   improved / unchanged / ungated   → passes, the numbers in <system-out>
//
// classname = "<suite>.<cell>", name = "<app> <cell> :: <metric>", unique within the file;
// the message goes in the attribute and in the element text; the output is well-formed XML
// 1.0 for any input text and matches the Jenkins junit-10.xsd shape.

#include <ostream>

#include "report/model.h"

namespace benchgate::report {

void write_junit(const ReportModel& model, std::ostream& out);

}  // namespace benchgate::report
