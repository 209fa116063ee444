#include "cli/common.h"

#include <fmt/format.h>
#include <unistd.h>

#include "core/error.h"
#include "core/parse.h"
#include "gate/outcome.h"
#include "platform/sysinfo.h"

namespace benchgate::cli {

ExitCode runs_exit_code(const results::ResultsFile& r) {
  return gate::decide_outcome(&r, nullptr, false).exit_code;
}

double parse_alpha_flag(std::string_view flag, std::string_view text) {
  double a = 0;
  try {
    a = parse_double(trim(text));
  } catch (const ParseError&) {
    a = 0;
  }
  if (!(a > 0 && a <= 0.5)) {
    throw UsageError(
        fmt::format("{}: expected a significance level above 0 and at most 0.5 "
                    "(such as 0.05), got '{}'",
                    flag, printable(text)));
  }
  return a;
}

int parse_confirm_flag(std::string_view flag, std::string_view text) {
  try {
    const auto n = parse_int(trim(text));
    if (n >= 0 && n <= 1000) return static_cast<int>(n);
  } catch (const ParseError&) {
  }
  throw UsageError(
      fmt::format("{}: expected a number of extra pairs from 0 (off) to 1000, got '{}'", flag,
                  printable(text)));
}

bool stdout_is_tty() {
  return ::isatty(STDOUT_FILENO) == 1;
}

}  // namespace benchgate::cli
