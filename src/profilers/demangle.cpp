#include "profilers/demangle.h"

#include <cxxabi.h>
#include <fmt/format.h>

#include <cctype>
#include <cstdlib>
#include <map>
#include <memory>

#include "core/error.h"
#include "core/parse.h"
#include "platform/fs.h"
#include "platform/subprocess.h"

namespace benchgate::profilers {
namespace {

bool ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

bool at(std::string_view s, std::size_t i, std::string_view what) {
  return s.substr(i, what.size()) == what;
}

/// Splits "name@plt" / "name@@GLIBC_2.17" and GCC clone suffixes ("name.isra.0",
/// ".constprop.0", ".part.1", ".cold", ".lto_priv.0") off a symbol.
std::pair<std::string_view, std::string_view> split_suffix(std::string_view name) {
  std::size_t cut = name.find('@');
  if (cut == std::string_view::npos) cut = name.size();
  std::string_view base = name.substr(0, cut);
  // Clone suffixes: a '.' followed by a lower-case word; the mangled part never has one.
  std::size_t dot = base.find('.');
  if (dot != std::string_view::npos && dot + 1 < base.size() &&
      std::islower(static_cast<unsigned char>(base[dot + 1]))) {
    cut = dot;
  }
  return {name.substr(0, cut), name.substr(cut)};
}

std::string cxa_demangle(const std::string& mangled) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> out(
      abi::__cxa_demangle(mangled.c_str(), nullptr, nullptr, &status), std::free);
  if (status != 0 || !out) return {};
  return out.get();
}

/// Index of the first character after an operator name that starts at i ("operator" keyword).
std::size_t skip_operator(std::string_view s, std::size_t i) {
  i += 8;
  if (at(s, i, "()")) return i + 2;
  while (i < s.size() && std::string_view("<>=!+-*/%^&|~,").find(s[i]) != std::string_view::npos) {
    ++i;
  }
  if (at(s, i, "[]")) i += 2;
  return i;
}

bool operator_at(std::string_view s, std::size_t i) {
  return at(s, i, "operator") && (i == 0 || !ident_char(s[i - 1])) &&
         (i + 8 >= s.size() || !ident_char(s[i + 8]) || at(s, i + 8, "new") ||
          at(s, i + 8, "delete"));
}

}  // namespace

bool looks_mangled(std::string_view name) {
  return name.size() > 2 && name[0] == '_' && name[1] == 'Z' &&
         (std::isupper(static_cast<unsigned char>(name[2])) || name[2] == '_');
}

std::string strip_signature(std::string_view s) {
  // The parameter list: the first '(' outside any <>, (), {}, [] that is neither
  // "(anonymous namespace)" nor part of an operator name.
  int depth = 0;
  std::size_t params = std::string_view::npos;
  std::size_t op_pos = std::string_view::npos;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (depth == 0 && operator_at(s, i)) {
      op_pos = i;
      i = skip_operator(s, i) - 1;
      continue;
    }
    if (at(s, i, "(anonymous namespace)")) {
      i += std::string_view("(anonymous namespace)").size() - 1;
      continue;
    }
    const char c = s[i];
    if (c == '(' && depth == 0) {
      params = i;
      break;
    }
    if (c == '(' || c == '<' || c == '{' || c == '[') ++depth;
    if (c == ')' || c == '>' || c == '}' || c == ']') depth = std::max(0, depth - 1);
  }
  if (params == std::string_view::npos) return std::string(s);  // not a function
  std::string_view name = s.substr(0, params);
  // The return type ends at the last space outside brackets (before any operator keyword).
  const std::size_t limit = op_pos == std::string_view::npos ? name.size() : op_pos;
  std::size_t start = 0;
  depth = 0;
  for (std::size_t i = 0; i < limit; ++i) {
    if (at(name, i, "(anonymous namespace)")) {
      i += std::string_view("(anonymous namespace)").size() - 1;
      continue;
    }
    const char c = name[i];
    if (c == '(' || c == '<' || c == '{' || c == '[') ++depth;
    if (c == ')' || c == '>' || c == '}' || c == ']') depth = std::max(0, depth - 1);
    if (c == ' ' && depth == 0) start = i + 1;
  }
  return std::string(trim(name.substr(start)));
}

std::string demangle(std::string_view name, DemangleStyle style) {
  auto [base, suffix] = split_suffix(name);
  if (!looks_mangled(base)) return std::string(name);
  std::string out = cxa_demangle(std::string(base));
  if (out.empty()) return std::string(name);
  if (style == DemangleStyle::kPerf) out = strip_signature(out);
  out += suffix;
  return out;
}

Demangler cxx_demangler(DemangleStyle style) {
  return [style](const std::vector<std::string>& names) {
    std::vector<std::string> out;
    out.reserve(names.size());
    for (const auto& n : names)
      out.push_back(demangle(n, style));
    return out;
  };
}

Demangler external_demangler(std::vector<std::string> argv, Nanos timeout) {
  if (argv.empty()) throw UsageError("demangler: empty command");
  return [argv = std::move(argv), timeout](const std::vector<std::string>& names) {
    if (names.empty()) return std::vector<std::string>{};
    platform::TempDir dir("benchgate-demangle");
    const auto in = dir.path() / "names.txt";
    const auto out = dir.path() / "demangled.txt";
    std::string text;
    for (const auto& n : names) {
      if (n.find('\n') != std::string::npos) {
        throw InternalError("demangler: a symbol name contains a newline");
      }
      text += n;
      text += '\n';
    }
    platform::write_file_atomic(in, text);
    // Subprocess has no stdin redirection: a minimal sh does it, the command stays an argv.
    platform::SpawnOptions opts;
    opts.argv = {"/bin/sh", "-c", "exec \"$@\" < \"$BENCHGATE_DEMANGLE_IN\"", "sh"};
    opts.argv.insert(opts.argv.end(), argv.begin(), argv.end());
    opts.env = {{"BENCHGATE_DEMANGLE_IN", in.string()}};
    opts.stdout_path = out;
    opts.stderr_path = dir.path() / "stderr.txt";
    auto proc = platform::Subprocess::spawn(opts);
    auto status = proc.wait_for(timeout);
    if (!status) {
      proc.terminate();
      throw RunError(fmt::format("demangler '{}' did not finish within {}", shell_join(argv),
                                 format_duration(timeout)));
    }
    if (!status->success()) {
      throw RunError(fmt::format("demangler '{}' failed ({}): {}", shell_join(argv),
                                 status->describe(),
                                 trim(platform::read_file(dir.path() / "stderr.txt"))));
    }
    auto lines = split(platform::read_file(out), '\n');
    if (!lines.empty() && lines.back().empty()) lines.pop_back();
    if (lines.size() != names.size()) {
      throw RunError(fmt::format("demangler '{}' answered {} lines for {} names", shell_join(argv),
                                 lines.size(), names.size()));
    }
    return lines;
  };
}

std::vector<std::string> demangle_all(const std::vector<std::string>& names, DemangleStyle style,
                                      const Demangler* external) {
  std::vector<std::string> out;
  out.reserve(names.size());
  std::map<std::string, std::size_t> pending;  // unchanged names -> index in `unique`
  std::vector<std::string> unique;
  for (const auto& n : names) {
    out.push_back(demangle(n, style));
    if (external && out.back() == n && !pending.count(n)) {
      pending.emplace(n, unique.size());
      unique.push_back(n);
    }
  }
  if (external && !unique.empty()) {
    const auto done = (*external)(unique);
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (auto it = pending.find(names[i]); it != pending.end()) out[i] = done[it->second];
    }
  }
  return out;
}

}  // namespace benchgate::profilers
