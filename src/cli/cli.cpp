#include "cli/cli.h"

#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <set>

#include "cli/drive_command.h"
#include "cli/merge_command.h"
#include "cli/offline_commands.h"
#include "cli/suite_command.h"
#include "config/names.h"
#include "config/suite.h"
#include "core/build_info.h"
#include "core/error.h"
#include "core/parse.h"
#include "platform/signals.h"
#include "platform/subprocess.h"

namespace benchgate::cli {

namespace {

const std::set<std::string> kSubcommands = {"drive",    "run",      "compare", "report", "diff",
                                            "baseline", "validate", "export",  "merge"};

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

const std::vector<std::string_view> kSubcommandList = {
    "drive", "run", "compare", "report", "diff", "baseline", "validate", "export", "merge"};

// Help footer of `benchgate --help` (and each command's): the exit codes and examples.
constexpr std::string_view kHelpFooter = R"(
Exit codes (when several apply, the more serious wins: 2 > 5 > 4 > 1 > 3 > 0):
  0    pass: every gated test decided, none regressed (or results only, not gated)
  1    regressed: at least one gated regression (--warn-only: 0, the reports still say so)
  2    usage, config or schema error; incomplete results without --allow-partial
  3    undecided: no baseline yet, testbed mismatch, too few pairs, inconclusive verdicts
  4    run failed: a run failed or was skipped, an invalid load point, or partial results
  5    internal error, or a report could not be written
  130  interrupted (Ctrl-C, SIGTERM)

Examples:
  benchgate run -c benchgate.toml --out benchgate-out      run a suite and gate its A/B apps
  benchgate run -c benchgate.toml --baseline baselines/main.json
                                                           gate against a stored baseline
  benchgate diff old.json new.json --format md             gate two stored results or Google
                                                           Benchmark files, Markdown out

Every option of run/compare/drive is also read from BENCHGATE_* environment variables
(flag > environment > suite file). `benchgate COMMAND --help` lists a command's options.)";

// Variables that belong to benchgate but are not options: the demangler the profilers run,
// the GitLab template's token, the variables of ci/ scripts and of the tests.
const std::vector<std::string_view> kOtherVariables = {
    "BENCHGATE_DEMANGLER",   "BENCHGATE_GITLAB_TOKEN",  "BENCHGATE_DEMO_OUT",
    "BENCHGATE_BUILD_DIR",   "BENCHGATE_UPDATE_GOLDEN", "BENCHGATE_REPORT_SAMPLE_DIR",
    "BENCHGATE_SHARD_INDEX", "BENCHGATE_SHARD_TOTAL"};

void collect_options(CLI::App& app, std::vector<std::string>& names,
                     std::vector<std::string>& envs) {
  for (const CLI::Option* o : app.get_options()) {
    for (const auto& n : o->get_lnames())
      names.push_back("--" + n);
    for (const auto& n : o->get_snames())
      names.push_back("-" + n);
    if (!o->get_envname().empty()) envs.push_back(o->get_envname());
  }
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
    collect_options(*sub, names, envs);
}

std::vector<std::string_view> views(const std::vector<std::string>& v) {
  return {v.begin(), v.end()};
}

// A misspelled BENCHGATE_* variable would be ignored without a word: name it, with the closest
// known variable. Options' variables come from the CLI options and config's option table.
void warn_unknown_variables(CLI::App& app, char** environ_list, std::ostream& err) {
  std::vector<std::string> names, known;
  collect_options(app, names, known);
  for (const auto& o : config::option_table()) {
    if (!o.env.empty()) known.emplace_back(o.env);
  }
  for (auto v : kOtherVariables)
    known.emplace_back(v);
  std::sort(known.begin(), known.end());
  known.erase(std::unique(known.begin(), known.end()), known.end());
  for (char** e = environ_list; e && *e; ++e) {
    const std::string_view entry(*e);
    if (!entry.starts_with("BENCHGATE_")) continue;
    const auto name = std::string(entry.substr(0, entry.find('=')));
    if (std::binary_search(known.begin(), known.end(), name)) continue;
    const auto best = config::closest_match(name, views(known));
    err << fmt::format("benchgate: warning: unknown environment variable {}{}; it is ignored\n",
                       printable(name),
                       best.empty() ? "" : fmt::format(" (did you mean {}?)", best));
  }
}

// The deepest command the arguments selected ("baseline update" → update).
CLI::App* selected_command(CLI::App& app) {
  CLI::App* cur = &app;
  for (;;) {
    auto parsed = cur->get_subcommands();
    if (parsed.empty()) return cur;
    cur = parsed.front();
  }
}

std::string command_path(CLI::App* cmd) {
  std::string path;
  for (CLI::App* a = cmd; a; a = a->get_parent())
    path = a->get_name() + (path.empty() ? "" : " " + path);
  return path;
}

// CLI11's "The following argument was not expected", with a suggestion for each: a flag close
// to one of the command's flags, or a word close to one of its subcommands.
std::string unexpected_arguments_message(CLI::App& app) {
  CLI::App* cmd = selected_command(app);
  std::vector<std::string> flags;
  for (const CLI::Option* o : cmd->get_options()) {
    for (const auto& n : o->get_lnames())
      flags.push_back("--" + n);
    for (const auto& n : o->get_snames())
      flags.push_back("-" + n);
  }
  std::vector<std::string> subs;
  for (CLI::App* sub : cmd->get_subcommands([](CLI::App*) { return true; }))
    subs.push_back(sub->get_name());
  std::string out;
  bool after_flag = false;  // the word after an unknown "--flag" is taken as its value
  for (const auto& arg : app.remaining(true)) {
    std::string line;
    const bool value_of_flag = after_flag;
    after_flag = arg.starts_with("-") && arg.find('=') == std::string::npos;
    if (value_of_flag && !arg.starts_with("-")) continue;
    if (arg.starts_with("-")) {
      const auto name = arg.substr(0, arg.find('='));
      const auto best = config::closest_match(name, views(flags));
      line = fmt::format("{}: unknown option {}{}", command_path(cmd), printable(name),
                         best.empty() ? "" : fmt::format(" (did you mean {}?)", best));
    } else if (!subs.empty()) {
      // The rest belongs to the command meant: one line is enough.
      return fmt::format("{}: unknown command '{}'{}\nRun '{} --help' for the commands.",
                         command_path(cmd), printable(arg),
                         config::suggestion_suffix(arg, views(subs)), command_path(cmd));
    } else {
      line = fmt::format("{}: unexpected argument '{}'", command_path(cmd), printable(arg));
    }
    out += (out.empty() ? "" : "\n") + line;
  }
  if (out.empty()) out = command_path(cmd) + ": unexpected arguments";
  return out + fmt::format("\nRun '{} --help' for the options.", command_path(cmd));
}

}  // namespace

int run(int argc, char** argv) {
  // `benchgate [options]` without a subcommand behaves like `benchgate run [options]`.
  std::vector<std::string> args(argv + 1, argv + argc);
  // A first word that is not a command: `run` takes no positional argument, so this is a
  // mistyped command (or a suite file given without -c).
  std::string bad_command;
  if (!args.empty() && !args[0].starts_with("-") && !kSubcommands.count(args[0])) {
    bad_command = args[0];
  }
  if (args.empty() || (!kSubcommands.count(args[0]) && args[0] != "--help" && args[0] != "-h" &&
                       args[0] != "--version")) {
    args.insert(args.begin(), "run");
  }

  CLI::App app{"benchgate: performance harness and CI regression gate for HTTP servers"};
  app.name("benchgate");
  app.set_version_flag("--version",
                       fmt::format("benchgate {} ({})", build::kVersion, build::kGitDescribe));
  app.require_subcommand(1);
  app.footer(std::string(kHelpFooter));
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
  MergeOptions merge;
  auto* merge_cmd = add_merge_command(app, merge);

  // Apps that daemonise (double fork + setsid) must not escape: make them our descendants.
  platform::become_subreaper();

  warn_unknown_variables(app, environ, std::cerr);

  int code = 0;
  try {
    if (!bad_command.empty()) {
      const bool file = bad_command.ends_with(".toml");
      throw UsageError(fmt::format(
          "unknown command '{}'{}{}", printable(bad_command),
          config::suggestion_suffix(bad_command, kSubcommandList),
          file ? fmt::format("; to run a suite file: benchgate run -c {}", printable(bad_command))
               : ""));
    }
    std::reverse(args.begin(), args.end());
    app.parse(args);
    if (run_cmd->parsed()) {
      code = run_run(run_opts);
    } else if (drive_cmd->parsed()) {
      code = run_drive(drive);
    } else if (compare_cmd->parsed()) {
      code = run_compare(compare);
    } else if (merge_cmd->parsed()) {
      code = run_merge(merge);
    } else {
      code = run_offline_commands(offline);
    }
  } catch (const CLI::ParseError& e) {
    // Arguments left over (CLI11's "not expected", or "a subcommand is required" after a
    // mistyped one): say which, with the closest flag or command.
    if (e.get_exit_code() != 0 && !app.remaining(true).empty()) {
      std::cerr << safe_message(unexpected_arguments_message(app)) << "\n";
      code = static_cast<int>(ExitCode::kUsage);
    } else {
      code = app.exit(e);
    }
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
