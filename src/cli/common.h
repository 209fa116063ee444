#pragma once
// Pieces shared by the subcommands: exit codes of runs without a gate, the --alpha and
// --confirm flags, terminal detection.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/exit_code.h"
#include "results/model.h"

namespace benchgate::cli {

/// Exit code of a finished set of runs without a gate: 130 interrupted, 4 any failed or
/// skipped run or any load period not ok (an invalid load point fails its run), else 0.
ExitCode runs_exit_code(const results::ResultsFile& r);

/// --alpha: a number in (0, 0.5] (as the suite's gate.alpha). UsageError naming the flag.
double parse_alpha_flag(std::string_view flag, std::string_view text);
/// --confirm: an integer 0-1000 (as the suite's gate.confirm). UsageError naming the flag.
int parse_confirm_flag(std::string_view flag, std::string_view text);

/// True when stdout is a terminal (colours, live progress line).
bool stdout_is_tty();

}  // namespace benchgate::cli
