#pragma once
// The option table (config::option_table()) on a command line: each command registers the
// table's options that apply to it, then collects what was given, environment first, flags
// second, --set last, so `run`, `drive` and `compare` read the same flags and variables.

#include <map>
#include <string>
#include <vector>

#include "config/suite.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace benchgate::cli {

/// What CLI11 parsed for one command's table options.
struct TableOptions {
  unsigned command = 0;                                    ///< config::CommandBit
  std::map<std::string, std::vector<std::string>> values;  ///< value and list options
  std::map<std::string, bool> switches;
  std::map<std::string, CLI::Option*> registered;
  std::vector<std::string> set;  ///< --set NAME=VALUE
};

/// Registers every table option that applies to `command` (plus --set) on `c`.
void add_table_options(CLI::App* c, unsigned command, TableOptions& t);

/// The options given for t.command: BENCHGATE_* variables (table order), then flags (table
/// order), then --set items, so a later layer wins when applied in order.
std::vector<config::GivenOption> given_options(const TableOptions& t,
                                               const config::EnvLookup& getenv);

}  // namespace benchgate::cli
