#pragma once
// Exit codes and their precedence (docs: docs/ci.md).

#include <initializer_list>

namespace benchgate {

enum class ExitCode : int {
  kOk = 0,
  kRegression = 1,
  kUsage = 2,
  kNotComparable = 3,
  kRunFailed = 4,
  kInternal = 5,
  kInterrupted = 130,
};

/// Higher wins when several conditions hold: usage > internal > run failed > regression >
/// not comparable > ok. Interrupted overrides everything.
constexpr int exit_code_rank(ExitCode c) {
  switch (c) {
    case ExitCode::kInterrupted: return 100;
    case ExitCode::kUsage: return 6;
    case ExitCode::kInternal: return 5;
    case ExitCode::kRunFailed: return 4;
    case ExitCode::kRegression: return 3;
    case ExitCode::kNotComparable: return 2;
    case ExitCode::kOk: return 0;
  }
  return 0;
}

constexpr ExitCode worst_exit_code(ExitCode a, ExitCode b) {
  return exit_code_rank(a) >= exit_code_rank(b) ? a : b;
}

}  // namespace benchgate
