#include "config/compare_app.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/parse.h"

namespace benchgate::config {

namespace fs = std::filesystem;

namespace {

// Splits a compare app argument at the commas outside quotes (quoting as in shell_split), so
// "sh -c 'echo a,b',label=x" is the command "sh -c 'echo a,b'" and one attribute.
std::vector<std::string> split_unquoted_commas(const std::string& s) {
  std::vector<std::string> parts(1);
  char quote = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quote == '\'') {
      if (c == '\'') quote = 0;
    } else if (c == '\\' && i + 1 < s.size()) {
      parts.back() += c;
      c = s[++i];
    } else if (quote == '"') {
      if (c == '"') quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == ',') {
      parts.emplace_back();
      continue;
    }
    parts.back() += c;
  }
  return parts;
}

// "name=value" with a lowercase name: an attribute (known or not), not part of the command.
bool looks_like_attribute(const std::string& part) {
  const auto eq = part.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  return std::all_of(part.begin(), part.begin() + static_cast<long>(eq),
                     [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
}

}  // namespace

AppSpec parse_compare_app(const std::string& spec, std::size_t index) {
  static const std::vector<std::string> keys = {"label", "instances", "pwd", "cwd",
                                                "cpus",  "port",      "role"};
  const std::string arg = fmt::format("app {}", index + 1);
  AppSpec app;
  // The command, then ",key=value" attributes. A comma (outside quotes) that does not start an
  // attribute belongs to the command before the first attribute, and to the CPU list after
  // "cpus=" (cpus=0,2-3).
  const auto parts = split_unquoted_commas(spec);
  std::string cmd = parts[0];
  std::map<std::string, std::string> attrs;
  std::string current;  // the attribute being read
  for (std::size_t i = 1; i < parts.size(); ++i) {
    const auto& part = parts[i];
    if (!looks_like_attribute(part)) {
      if (current.empty()) {
        cmd += "," + part;
      } else if (current == "cpus") {
        attrs[current] += "," + part;
      } else {
        throw UsageError(
            fmt::format("{} '{}': unexpected ',{}' after the attributes (quote a comma "
                        "that belongs to the command)",
                        arg, printable(spec, 200), printable(part)));
      }
      continue;
    }
    const auto eq = part.find('=');
    current = part.substr(0, eq);
    if (std::find(keys.begin(), keys.end(), current) == keys.end()) {
      throw UsageError(
          fmt::format("{} '{}': unknown attribute '{}' (expected label, instances, "
                      "pwd, cwd, cpus, port or role; quote a comma that belongs to the "
                      "command)",
                      arg, printable(spec, 200), printable(current)));
    }
    if (attrs.count(current) || (current == "pwd" && attrs.count("cwd")) ||
        (current == "cwd" && attrs.count("pwd"))) {
      throw UsageError(fmt::format("{} '{}': attribute '{}' given twice", arg, printable(spec, 200),
                                   printable(current)));
    }
    attrs[current] = part.substr(eq + 1);
  }
  app.command = with_context(arg, [&] { return shell_split(cmd); });
  if (app.command.empty())
    throw UsageError(fmt::format("{}: empty command in '{}'", arg, printable(spec, 200)));
  app.label = attrs.count("label") ? attrs["label"] : fs::path(app.command[0]).filename().string();
  if (app.label.empty()) throw UsageError(fmt::format("{}: empty label", arg));
  if (attrs.count("instances")) {
    auto n = with_context(arg + " instances", [&] { return parse_int(attrs["instances"]); });
    if (n < 1 || n > 1024) throw UsageError(fmt::format("{} instances: expected 1 to 1024", arg));
    app.instances = static_cast<int>(n);
  }
  if (attrs.count("pwd")) app.cwd = attrs["pwd"];
  if (attrs.count("cwd")) app.cwd = attrs["cwd"];
  if (attrs.count("cpus")) {
    app.cpus = with_context(arg + " cpus", [&] { return parse_cpu_list(attrs["cpus"]); });
  }
  if (attrs.count("port")) {
    auto n = with_context(arg + " port", [&] { return parse_int(attrs["port"]); });
    if (n < 1 || n > 65535) throw UsageError(fmt::format("{} port: expected 1 to 65535", arg));
    app.port = static_cast<int>(n);
  }
  if (attrs.count("role")) {
    app.role = attrs["role"];
    if (app.role != "baseline" && app.role != "candidate") {
      throw UsageError(fmt::format("{} role: expected baseline or candidate, got '{}'", arg,
                                   printable(app.role)));
    }
  }
  return app;
}

}  // namespace benchgate::config
