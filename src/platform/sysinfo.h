#pragma once
// Machine description for results: Google Benchmark-style context plus CPU model, kernel,
// governor, cgroup CPU quota; and the testbed fingerprint that decides whether a stored
// baseline is comparable. All reads go through the injectable /proc and /sys roots.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "platform/roots.h"
#include "platform/testbed.h"

namespace benchgate::platform {

/// CPUs this process may run on (sched_getaffinity), ascending.
std::vector<int> available_cpus();
/// Throws UsageError "<option>: CPU N is not available here (available: 0-1)" when a listed
/// CPU is not in available_cpus().
void check_cpus_available(const std::vector<int>& cpus, const std::string& option);

/// {"date","host_name","executable","num_cpus","mhz_per_cpu","cpu_scaling_enabled","caches",
///  "load_avg","library_build_type","cpu_model","kernel","governor","compiler","build_flags",
///  "cgroup_cpu_quota","available_cpus"}, plus "build_type" (CMake's, e.g. "RelWithDebInfo").
/// "governor" is "unknown" where cpufreq is absent (VMs); "cgroup_cpu_quota" is the tightest
/// cgroup (v2 cpu.max or v1 cfs quota) limit in CPUs, null when unlimited.
nlohmann::json machine_context(const SysRoots& roots = {});

/// Testbed fields + fingerprint (a stable hash of cpu_model, num_cpus, kernel_major, build type).
Testbed testbed(const nlohmann::json& machine_context);

/// The testbed of counted metrics (instruction mode): instruction counts do not depend on the
/// CPU model, clock, core count or kernel, but on the architecture, the C library and the
/// counting tool. The fingerprint is a hash of machine architecture (uname), glibc version,
/// `counter` (e.g. "valgrind-3.19.0") and build type; `basis` names them. The machine fields
/// are kept for the record.
Testbed counting_testbed(Testbed machine, const std::string& counter);

/// Allow-listed CI variables (docs/ci.md) present in the environment, plus
/// "git_commit"/"git_dirty" of the working tree when inside a git checkout.
nlohmann::json provenance();

/// The allow-list itself (GitHub Actions, GitLab CI, Jenkins), in documentation order.
const std::vector<std::string>& provenance_variables();

struct GitState {
  std::string commit;  ///< full hash of HEAD
  bool dirty = false;  ///< tracked files modified (untracked files do not count)
};
/// HEAD and dirtiness of the checkout containing `dir`, by running git (no shell, no lock
/// taken); nullopt when git is missing or `dir` is not in a checkout with a commit.
std::optional<GitState> git_state(const std::filesystem::path& dir);

/// Current time as ISO-8601 with offset ("2026-11-27T20:41:00+00:00").
std::string iso8601_now();
/// `t` in the local time zone as ISO-8601 with offset.
std::string iso8601(WallTime t);

}  // namespace benchgate::platform
