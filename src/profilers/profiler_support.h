#pragma once
// Internal to the profilers module: the helpers every profiler implementation shares
// (perf_profiler.cpp, massif_profiler.cpp, oprofile_profiler.cpp, profiler.cpp) and the
// factories make_profiler() dispatches to.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "profilers/profiler.h"
#include "results/model.h"

namespace benchgate::profilers::detail {

bool contains(std::string_view s, std::string_view w);
/// The last `max` bytes of s, trimmed.
std::string tail(std::string_view s, std::size_t max = 2000);
/// An integer file (/proc/sys/...), or nullopt when it cannot be read or parsed.
std::optional<int> read_int_file(const std::filesystem::path& p);
/// ctx.euid when set (tests), else geteuid().
int effective_uid(const ProfilerContext& ctx);
/// ctx.tool_path, or `fallback` (the tool's name on PATH).
std::string program(const ProfilerContext& ctx, const char* fallback);
/// The tool beside `primary` (ms_print next to valgrind, opreport next to operf).
std::string sibling(const ProfilerContext& ctx, const char* name);
/// Why `tool` cannot be used ("'perf' was not found on PATH; <how>"), or nullopt.
std::optional<std::string> missing_tool(const std::string& tool, std::string_view how);
/// A summary with status "failed" and the reason.
results::ProfileSummary failed(const std::string& profiler, std::string reason);
/// Lists `file` of the run's profile folder as an artifact when it exists.
void add_artifact(results::ProfileSummary& s, const ProfilerContext& ctx, std::string kind,
                  std::string_view file, std::string description);
/// Runs a report tool; "" on success, otherwise why it failed.
std::string run_tool(const ToolRunner& run, const std::vector<std::string>& argv,
                     const std::filesystem::path& out);
/// The external demangler (if any) over summary names.
void demangle_summary(results::ProfileSummary& s, const ProfilerContext& ctx);

/// perf, perf-cg, perf-idle, flame, flame-all; nullptr for any other name.
std::unique_ptr<Profiler> make_perf_profiler(const std::string& name);
std::unique_ptr<Profiler> make_massif_profiler();
/// oprofile (system = false) or oprofile-sys.
std::unique_ptr<Profiler> make_oprofile_profiler(bool system);

}  // namespace benchgate::profilers::detail
