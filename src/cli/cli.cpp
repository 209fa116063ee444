#include "cli/cli.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <set>

#include "cli/drive_command.h"
#include "cli/offline_commands.h"
#include "cli/suite_command.h"
#include "core/build_info.h"
#include "core/error.h"
#include "core/parse.h"
#include "platform/signals.h"
#include "platform/subprocess.h"

namespace benchgate::cli {

namespace {

const std::set<std::string> kSubcommands = {"drive", "run",      "compare",  "report",
                                            "diff",  "baseline", "validate", "export"};

// The last line of defence for messages: messages echo values through printable() where they
// are built; whatever slipped through still cannot drive the terminal (escape sequences) or
// flood it. Newlines and tabs are kept (some messages list problems on several lines).
std::string safe_message(std::string_view what) {
  constexpr std::size_t kMax = 4096;
  std::string out;
  for (std::size_t i = 0; i < what.size() && i < kMax; ++i) {
    const auto c = static_cast<unsigned char>(what[i]);
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  if (what.size() > kMax) out += fmt::format("… ({} bytes)", format_count(what.size()));
  return out;
}

}  // namespace

int run(int argc, char** argv) {
  // `benchgate [options]` without a subcommand behaves like `benchgate run [options]`.
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || (!kSubcommands.count(args[0]) && args[0] != "--help" && args[0] != "-h" &&
                       args[0] != "--version")) {
    args.insert(args.begin(), "run");
  }

  CLI::App app{"benchgate: performance harness and CI regression gate for HTTP servers"};
  app.name("benchgate");
  app.set_version_flag("--version",
                       fmt::format("benchgate {} ({})", build::kVersion, build::kGitDescribe));
  app.require_subcommand(1);
  // A later flag overrides an earlier one (scripts append overrides); lists opt out below.
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);

  RunOptions run_opts;
  auto* run_cmd = add_run_command(app, run_opts);
  DriveOptions drive;
  auto* drive_cmd = add_drive_command(app, drive);
  CompareOptions compare;
  auto* compare_cmd = add_compare_command(app, compare);
  OfflineCommands offline;
  add_offline_commands(app, offline);

  // Apps that daemonise (double fork + setsid) must not escape: make them our descendants.
  platform::become_subreaper();

  int code = 0;
  try {
    std::reverse(args.begin(), args.end());
    app.parse(args);
    if (run_cmd->parsed()) {
      code = run_run(run_opts);
    } else if (drive_cmd->parsed()) {
      code = run_drive(drive);
    } else if (compare_cmd->parsed()) {
      code = run_compare(compare);
    } else {
      code = run_offline_commands(offline);
    }
  } catch (const CLI::ParseError& e) {
    code = app.exit(e);
    if (code != 0) code = static_cast<int>(ExitCode::kUsage);
  } catch (const Error& e) {
    std::cerr << "benchgate: " << safe_message(e.what()) << "\n";
    code = static_cast<int>(e.code());
  } catch (const std::exception& e) {
    std::cerr << "benchgate: internal error: " << safe_message(e.what()) << "\n";
    code = static_cast<int>(ExitCode::kInternal);
  }
  platform::kill_remaining_children();
  return code;
}

}  // namespace benchgate::cli
