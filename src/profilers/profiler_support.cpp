#include "profilers/profiler_support.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <map>

#include "core/error.h"
#include "core/parse.h"
#include "platform/fs.h"
#include "profilers/commands.h"
#include "profilers/flamegraph.h"
#include "profilers/massif.h"
#include "profilers/oprofile.h"
#include "profilers/perf_opreport.h"
#include "profilers/perf_parse.h"

namespace benchgate::profilers::detail {

namespace fs = std::filesystem;

bool contains(std::string_view s, std::string_view w) {
  return s.find(w) != std::string_view::npos;
}

std::string tail(std::string_view s, std::size_t max) {
  s = trim(s);
  return std::string(s.size() > max ? s.substr(s.size() - max) : s);
}

std::optional<int> read_int_file(const fs::path& p) {
  try {
    return static_cast<int>(parse_int(trim(platform::read_file(p))));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

int effective_uid(const ProfilerContext& ctx) {
  return ctx.euid >= 0 ? ctx.euid : static_cast<int>(::geteuid());
}

std::string program(const ProfilerContext& ctx, const char* fallback) {
  return ctx.tool_path.empty() ? fallback : ctx.tool_path;
}

std::string sibling(const ProfilerContext& ctx, const char* name) {
  if (ctx.tool_path.empty() || ctx.tool_path.find('/') == std::string::npos) return name;
  return (fs::path(ctx.tool_path).parent_path() / name).string();
}

std::optional<std::string> missing_tool(const std::string& tool, std::string_view how) {
  if (platform::find_executable(tool)) return std::nullopt;
  return fmt::format("'{}' was not found{}; {}", tool,
                     tool.find('/') == std::string::npos ? " on PATH" : "", how);
}

results::ProfileSummary failed(const std::string& profiler, std::string reason) {
  results::ProfileSummary s;
  s.profiler = profiler;
  s.status = "failed";
  s.reason = std::move(reason);
  return s;
}

void add_artifact(results::ProfileSummary& s, const ProfilerContext& ctx, std::string kind,
                  std::string_view file, std::string description) {
  if (fs::exists(ctx.path(file))) {
    s.artifacts.push_back({std::move(kind), ctx.artifact(file), std::move(description)});
  }
}

std::string run_tool(const ToolRunner& run, const std::vector<std::string>& argv,
                     const fs::path& out) {
  fs::create_directories(out.parent_path());
  try {
    auto r = run(argv, out);
    if (r.status.success()) return {};
    auto why = diagnose_profiler_stderr(r.stderr_text);
    return fmt::format(
        "'{}' {}{}", shell_join(argv), r.status.describe(),
        why.empty() ? (r.stderr_text.empty() ? "" : ": " + tail(r.stderr_text, 300)) : ": " + why);
  } catch (const std::exception& e) {
    return fmt::format("'{}' could not run: {}", shell_join(argv), e.what());
  }
}

void demangle_summary(results::ProfileSummary& s, const ProfilerContext& ctx) {
  if (!ctx.demangler) return;
  std::vector<std::string> names;
  for (const auto& e : s.top_symbols)
    names.push_back(e.name);
  auto out = demangle_all(names, DemangleStyle::kPerf, ctx.demangler);
  for (std::size_t i = 0; i < out.size(); ++i)
    s.top_symbols[i].name = out[i];
}

}  // namespace benchgate::profilers::detail
