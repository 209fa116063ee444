#include "cli/table_options.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "core/error.h"
#include "core/parse.h"

namespace benchgate::cli {

void add_table_options(CLI::App* c, unsigned command, TableOptions& t) {
  t.command = command;
  for (const auto& o : config::option_table()) {
    if (o.flags.empty() || !(o.commands & command)) continue;
    const std::string name(o.name);
    const std::string flags(o.flags);
    const std::string help(o.help);
    CLI::Option* opt = nullptr;
    if (o.kind == config::OptionKind::kSwitch) {
      opt = c->add_flag(flags, t.switches[name], help);
    } else {
      opt = c->add_option(flags, t.values[name], help);
      if (o.kind == config::OptionKind::kList) {
        opt->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
      } else {
        opt->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
      }
    }
    if (!o.env.empty()) opt->group(fmt::format("Options (also {})", "BENCHGATE_*"));
    t.registered[name] = opt;
  }
  c->add_option("--set", t.set, "Set any option by name: --set iterations=3 (repeatable)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

std::vector<config::GivenOption> given_options(const TableOptions& t,
                                               const config::EnvLookup& getenv) {
  auto given = config::env_options(t.command, getenv);
  for (const auto& o : config::option_table()) {
    const std::string name(o.name);
    const auto reg = t.registered.find(name);
    if (reg == t.registered.end() || reg->second->count() == 0) continue;
    const std::string origin = config::flag_origin(o);
    if (o.kind == config::OptionKind::kSwitch) {
      given.push_back({name, std::string(o.switch_value), origin});
      continue;
    }
    const auto& v = t.values.at(name);
    if (v.empty()) continue;
    if (o.kind == config::OptionKind::kList) {
      std::string joined;
      for (const auto& item : v) {
        if (item.find('\n') != std::string::npos) {
          throw UsageError(fmt::format("{}: a value may not contain a newline", origin));
        }
        joined += (joined.empty() ? "" : "\n") + item;
      }
      given.push_back({name, joined, origin});
    } else {
      given.push_back({name, v.back(), origin});
    }
  }
  for (const auto& kv : t.set) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos) {
      throw UsageError(fmt::format("--set: expected name=value, got '{}'", printable(kv)));
    }
    const auto name = kv.substr(0, eq);
    const auto* o = config::find_option(name);
    if (o && (o->structural || !(o->commands & t.command))) {
      throw UsageError(fmt::format("--set {}: not a setting of this command", printable(name)));
    }
    given.push_back({name, kv.substr(eq + 1), "--set " + name});
  }
  return given;
}

}  // namespace benchgate::cli
