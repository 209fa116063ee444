#pragma once
// `benchgate drive`: one app, one run over a list of load points (the old drive.sh).

#include <string>
#include <vector>

#include "cli/table_options.h"

namespace CLI {
class App;
}

namespace benchgate::cli {

struct DriveOptions {
  TableOptions options;  ///< every option-table option of drive (config::option_table())
};

/// Registers the subcommand and its options; `opts` must outlive `app`.
CLI::App* add_drive_command(CLI::App& app, DriveOptions& opts);
/// Runs it; returns the exit code.
int run_drive(const DriveOptions& opts);

}  // namespace benchgate::cli
