#include "core/pvalue.h"

#include <fmt/format.h>

#include <cmath>

namespace benchgate {

std::string format_p(double p) {
  if (!std::isfinite(p)) return "n/a";
  if (p < 0.0001) return "< 0.0001";
  if (p >= 0.9995) return "1";
  return fmt::format("{:.2g}", p);
}

std::string p_relation(double p) {
  const std::string text = format_p(p);
  return text.front() == '<' ? text : "= " + text;
}

}  // namespace benchgate
