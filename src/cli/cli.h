#pragma once

namespace benchgate::cli {

/// The whole program: parses argv, runs the subcommand, maps every error to its exit code.
int run(int argc, char** argv);

}  // namespace benchgate::cli
