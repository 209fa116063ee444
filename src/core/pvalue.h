#pragma once
// The one way benchgate shows a p-value, in every report, diff rendering, gate reason and
// flame graph title: two significant digits ("0.018", "0.0012"), "1" from 0.9995 up,
// "< 0.0001" below 1e-4 (smaller values are not meaningful at the sample sizes of a
// benchmark, and a fixed floor keeps table columns narrow), "n/a" when not finite.
// (`benchgate diff` on Google Benchmark files also prints compare.py's own "_pvalue" rows in
// compare.py's fixed four-decimal format, so they read the same as compare.py's output.)

#include <string>

namespace benchgate {

/// "0.018", "0.0012", "1", "< 0.0001", "n/a".
std::string format_p(double p);
/// The same for prose after a name: "= 0.018", "< 0.0001" ("p_adj = 0.018", "p_adj < 0.0001").
std::string p_relation(double p);

}  // namespace benchgate
