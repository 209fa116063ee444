#include "cli/cli.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "core/build_info.h"
#include "core/error.h"

namespace benchgate::cli {

int run(int argc, char** argv) {
  CLI::App app{"benchgate: performance harness and CI regression gate for HTTP servers"};
  app.set_version_flag("--version", fmt::format("benchgate {} ({})", build::kVersion,
                                                build::kGitDescribe));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : static_cast<int>(ExitCode::kUsage);
  }
  return 0;
}

}  // namespace benchgate::cli
