#include "platform/sysinfo.h"

#include <fmt/format.h>
#include <gnu/libc-version.h>
#include <sched.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <ctime>

#include "core/build_info.h"
#include "core/error.h"
#include "core/parse.h"
#include "platform/fs.h"
#include "platform/proc.h"
#include "platform/subprocess.h"

namespace benchgate::platform {

namespace fs = std::filesystem;

namespace {

// A small file's content, trimmed; nullopt when it cannot be read.
std::optional<std::string> read_small(const std::string& path) {
  try {
    return std::string(trim(read_file(path)));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

template <class T>
std::optional<T> read_number(const std::string& path) {
  auto text = read_small(path);
  if (!text) return std::nullopt;
  try {
    if constexpr (std::is_floating_point_v<T>) {
      return static_cast<T>(parse_double(*text));
    } else {
      return static_cast<T>(parse_int(*text));
    }
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

struct CpuInfo {
  std::string model;
  int processors = 0;
  double mhz = 0;
};

CpuInfo parse_cpuinfo(std::string_view text) {
  CpuInfo info;
  for (auto line : split_view(text, '\n')) {
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const auto key = trim(line.substr(0, colon));
    const auto value = trim(line.substr(colon + 1));
    if (key == "processor") {
      ++info.processors;
    } else if (info.model.empty() &&
               (key == "model name" || key == "Processor" || key == "cpu model" || key == "cpu")) {
      // x86 "model name"; older ARM "Processor"; MIPS "cpu model"; POWER "cpu".
      info.model = std::string(value);
    } else if (info.mhz == 0 && (key == "cpu MHz" || key == "clock")) {
      // POWER writes "clock : 3000.000000MHz".
      std::string v(value);
      if (v.size() > 3 && v.substr(v.size() - 3) == "MHz") v.resize(v.size() - 3);
      try {
        info.mhz = parse_double(trim(v));
      } catch (const std::exception&) {
      }
    }
  }
  return info;
}

// "32K" -> 32768.
std::int64_t parse_cache_size(std::string_view s) {
  try {
    s = trim(s);
    std::int64_t mult = 1;
    if (!s.empty() && (s.back() == 'K' || s.back() == 'M' || s.back() == 'G')) {
      mult = s.back() == 'K' ? 1024 : s.back() == 'M' ? 1024 * 1024 : 1024 * 1024 * 1024;
      s.remove_suffix(1);
    }
    return parse_int(s) * mult;
  } catch (const std::exception&) {
    return 0;
  }
}

// Like Google Benchmark's context "caches": [{"type","level","size","num_sharing"}].
nlohmann::json read_caches(const std::string& sys) {
  nlohmann::json caches = nlohmann::json::array();
  const std::string base = sys + "/devices/system/cpu/cpu0/cache";
  for (int i = 0;; ++i) {
    const std::string dir = fmt::format("{}/index{}", base, i);
    auto type = read_small(dir + "/type");
    if (!type) break;
    auto level = read_number<int>(dir + "/level");
    auto size = read_small(dir + "/size");
    int sharing = 0;
    if (auto list = read_small(dir + "/shared_cpu_list")) {
      try {
        sharing = static_cast<int>(parse_cpu_list(*list).size());
      } catch (const std::exception&) {
      }
    }
    caches.push_back({{"type", *type},
                      {"level", level.value_or(0)},
                      {"size", size ? parse_cache_size(*size) : 0},
                      {"num_sharing", sharing}});
  }
  return caches;
}

// CPUs' worth of quota (quota/period) from cgroup v2 cpu.max ("max 100000" or "150000 100000")
// or v1 cpu.cfs_quota_us/cpu.cfs_period_us, the tightest along the path up to the root.
// nullopt when unlimited or unknown.
std::optional<double> cgroup_cpu_quota(const SysRoots& roots) {
  auto cgroup = read_small(roots.proc + "/self/cgroup");
  if (!cgroup) return std::nullopt;
  std::optional<double> best;
  auto consider = [&](double cpus) {
    if (cpus > 0 && (!best || cpus < *best)) best = cpus;
  };
  // Walks from the process's cgroup up to the mount root.
  auto walk = [&](const std::string& mount, std::string rel, auto&& read_one) {
    for (;;) {
      read_one(mount + rel);
      if (rel.empty() || rel == "/") break;
      const auto slash = rel.rfind('/');
      rel = slash == std::string::npos || slash == 0 ? std::string() : rel.substr(0, slash);
    }
  };
  auto read_v2 = [&](const std::string& dir) {
    auto text = read_small(dir + "/cpu.max");
    if (!text) return;
    auto parts = split_whitespace(*text);
    if (parts.size() != 2 || parts[0] == "max") return;
    try {
      const double quota = parse_double(parts[0]);
      const double period = parse_double(parts[1]);
      if (period > 0) consider(quota / period);
    } catch (const std::exception&) {
    }
  };
  auto read_v1 = [&](const std::string& dir) {
    auto quota = read_number<double>(dir + "/cpu.cfs_quota_us");
    auto period = read_number<double>(dir + "/cpu.cfs_period_us");
    if (quota && period && *quota > 0 && *period > 0) consider(*quota / *period);
  };
  for (auto line : split_view(*cgroup, '\n')) {
    // "hierarchy-ID:controller-list:cgroup-path"
    const auto c1 = line.find(':');
    const auto c2 = c1 == std::string_view::npos ? c1 : line.find(':', c1 + 1);
    if (c2 == std::string_view::npos) continue;
    const std::string controllers(line.substr(c1 + 1, c2 - c1 - 1));
    std::string path(trim(line.substr(c2 + 1)));
    if (path == "/") path.clear();
    if (controllers.empty()) {
      walk(roots.sys + "/fs/cgroup", path, read_v2);
      walk(roots.sys + "/fs/cgroup/unified", path, read_v2);  // hybrid layout
    } else {
      for (const auto& c : split(controllers, ',')) {
        if (c == "cpu") {
          walk(roots.sys + "/fs/cgroup/cpu", path, read_v1);
          walk(roots.sys + "/fs/cgroup/" + controllers, path, read_v1);  // "cpu,cpuacct"
        }
      }
    }
  }
  return best;
}

std::string host_name(const SysRoots& roots) {
  if (auto h = read_small(roots.proc + "/sys/kernel/hostname"); h && !h->empty()) return *h;
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) == 0) return buf;
  return "unknown";
}

std::string kernel_release(const SysRoots& roots) {
  if (auto r = read_small(roots.proc + "/sys/kernel/osrelease"); r && !r->empty()) return *r;
  utsname u{};
  if (::uname(&u) == 0) return u.release;
  return "unknown";
}

std::string executable(const SysRoots& roots) {
  std::error_code ec;
  auto p = fs::read_symlink(roots.proc + "/self/exe", ec);
  return ec ? std::string() : p.string();
}

// "6.1.0-18-amd64" -> "6.1".
std::string kernel_major_of(const std::string& release) {
  std::size_t dots = 0, i = 0;
  for (; i < release.size(); ++i) {
    if (release[i] == '.' && ++dots == 2) break;
    if (release[i] != '.' && !std::isdigit(static_cast<unsigned char>(release[i]))) break;
  }
  return release.substr(0, i);
}

std::string fnv1a_hex(std::string_view data) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : data) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return fmt::format("{:016x}", h);
}

std::string lower_build_type() {
  return iequals(build::kBuildType, "Debug") ? "debug" : "release";
}

}  // namespace

std::vector<int> available_cpus() {
  std::vector<int> out;
  for (int n = CPU_SETSIZE;; n *= 2) {
    cpu_set_t* set = CPU_ALLOC(n);
    if (!set) return out;
    const std::size_t size = CPU_ALLOC_SIZE(n);
    CPU_ZERO_S(size, set);
    if (::sched_getaffinity(0, size, set) == 0) {
      for (int c = 0; c < n; ++c) {
        if (CPU_ISSET_S(c, size, set)) out.push_back(c);
      }
      CPU_FREE(set);
      return out;
    }
    CPU_FREE(set);
    if (errno != EINVAL || n > (1 << 20)) return out;  // EINVAL: the mask is too small
  }
}

void check_cpus_available(const std::vector<int>& cpus, const std::string& option) {
  const auto avail = available_cpus();
  for (int c : cpus) {
    if (!std::binary_search(avail.begin(), avail.end(), c)) {
      throw UsageError(fmt::format("{}: CPU {} is not available here (available: {})", option, c,
                                   format_cpu_list(avail)));
    }
  }
}

nlohmann::json machine_context(const SysRoots& roots) {
  CpuInfo cpu;
  if (auto text = read_small(roots.proc + "/cpuinfo")) cpu = parse_cpuinfo(*text);
  int num_cpus = cpu.processors;
  if (num_cpus <= 0) num_cpus = static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN));

  const std::string cpu0 = roots.sys + "/devices/system/cpu/cpu0/cpufreq";
  double mhz = 0;
  if (auto khz = read_number<double>(cpu0 + "/cpuinfo_max_freq")) mhz = *khz / 1000.0;
  if (mhz <= 0) mhz = cpu.mhz;
  const auto governor = read_small(cpu0 + "/scaling_governor");

  nlohmann::json load = nlohmann::json::array();
  try {
    auto l = ProcReader(roots.proc).read_loadavg();
    load = {l.load1, l.load5, l.load15};
  } catch (const std::exception&) {
  }
  const auto quota = cgroup_cpu_quota(roots);

  nlohmann::json ctx;
  ctx["date"] = iso8601_now();
  ctx["host_name"] = host_name(roots);
  ctx["executable"] = executable(roots);
  ctx["num_cpus"] = num_cpus;
  ctx["mhz_per_cpu"] = static_cast<int>(std::lround(mhz));
  // Google Benchmark's meaning: a governor that can lower the frequency is in charge.
  ctx["cpu_scaling_enabled"] = governor.has_value() && *governor != "performance";
  ctx["caches"] = read_caches(roots.sys);
  ctx["load_avg"] = load;
  ctx["library_build_type"] = lower_build_type();
  ctx["build_type"] = build::kBuildType;
  ctx["cpu_model"] = cpu.model.empty() ? "unknown" : cpu.model;
  ctx["kernel"] = kernel_release(roots);
  ctx["governor"] = governor && !governor->empty() ? *governor : "unknown";
  ctx["compiler"] = build::kCompiler;
  ctx["build_flags"] = std::string(trim(build::kCxxFlags));
  ctx["cgroup_cpu_quota"] = quota ? nlohmann::json(*quota) : nlohmann::json(nullptr);
  ctx["available_cpus"] = format_cpu_list(available_cpus());
  return ctx;
}

Testbed testbed(const nlohmann::json& ctx) {
  Testbed t;
  t.cpu_model = ctx.value("cpu_model", std::string("unknown"));
  t.num_cpus = ctx.value("num_cpus", 0);
  t.kernel = ctx.value("kernel", std::string("unknown"));
  t.kernel_major = kernel_major_of(t.kernel);
  t.build_type = ctx.value("build_type", ctx.value("library_build_type", std::string("unknown")));
  // Unit separator between fields, so ("a b", 1) and ("a", "b 1") cannot collide.
  t.fingerprint = fnv1a_hex(
      fmt::format("{}\x1f{}\x1f{}\x1f{}", t.cpu_model, t.num_cpus, t.kernel_major, t.build_type));
  return t;
}

Testbed counting_testbed(Testbed t, const std::string& counter) {
  utsname u{};
  const std::string arch = ::uname(&u) == 0 ? u.machine : "unknown";
  const std::string libc = ::gnu_get_libc_version();
  t.basis = fmt::format("instruction counts: {} · glibc {} · {} · {} build", arch, libc, counter,
                        t.build_type);
  t.fingerprint =
      fnv1a_hex(fmt::format("counting\x1f{}\x1f{}\x1f{}\x1f{}", arch, libc, counter, t.build_type));
  return t;
}

std::optional<GitState> git_state(const fs::path& dir) {
  if (!find_executable("git")) return std::nullopt;
  TempDir tmp("benchgate-git");
  auto run = [&](std::vector<std::string> args) -> std::optional<std::string> {
    SpawnOptions o;
    o.argv = {"git", "-C", dir.empty() ? std::string(".") : dir.string()};
    o.argv.insert(o.argv.end(), args.begin(), args.end());
    o.stdout_path = tmp.path() / "out";
    o.stderr_path = tmp.path() / "err";
    // Never take index.lock: another git command may be running in the same checkout.
    o.env = {{"GIT_OPTIONAL_LOCKS", "0"}, {"LC_ALL", "C"}};
    try {
      auto p = Subprocess::spawn(o);
      auto st = p.wait_for(std::chrono::seconds(10));
      if (!st) {
        p.terminate(std::chrono::milliseconds(200));
        return std::nullopt;
      }
      if (!st->success()) return std::nullopt;
      return read_file(tmp.path() / "out");
    } catch (const std::exception&) {
      return std::nullopt;
    }
  };
  auto head = run({"rev-parse", "--verify", "HEAD"});
  if (!head) return std::nullopt;
  auto status = run({"status", "--porcelain", "--untracked-files=no"});
  GitState g;
  g.commit = std::string(trim(*head));
  g.dirty = status && !trim(*status).empty();
  return g;
}

const std::vector<std::string>& provenance_variables() {
  static const std::vector<std::string> vars = {
      // GitHub Actions
      "GITHUB_SHA", "GITHUB_REF", "GITHUB_HEAD_REF", "GITHUB_BASE_REF", "GITHUB_REPOSITORY",
      "GITHUB_SERVER_URL", "GITHUB_RUN_ID", "GITHUB_RUN_ATTEMPT", "GITHUB_WORKFLOW", "GITHUB_JOB",
      "GITHUB_EVENT_NAME", "RUNNER_OS", "RUNNER_ARCH", "RUNNER_NAME",
      // GitLab CI
      "CI_COMMIT_SHA", "CI_COMMIT_REF_NAME", "CI_MERGE_REQUEST_IID",
      "CI_MERGE_REQUEST_DIFF_BASE_SHA", "CI_PIPELINE_ID", "CI_PIPELINE_URL", "CI_JOB_ID",
      "CI_JOB_URL", "CI_JOB_NAME", "CI_PROJECT_PATH", "CI_SERVER_URL", "CI_NODE_INDEX",
      "CI_NODE_TOTAL",
      // Jenkins
      "BUILD_ID", "BUILD_URL", "GIT_COMMIT"};
  return vars;
}

nlohmann::json provenance() {
  nlohmann::json p = nlohmann::json::object();
  for (const auto& name : provenance_variables()) {
    if (const char* v = std::getenv(name.c_str())) p[name] = v;
  }
  if (auto g = git_state(fs::current_path())) {
    p["git_commit"] = g->commit;
    p["git_dirty"] = g->dirty;
  }
  return p;
}

std::string iso8601(WallTime t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  ::localtime_r(&secs, &tm);
  char buf[64];
  const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &tm);
  // strftime gives "+0000"; ISO-8601 extended format wants "+00:00".
  if (n < 5) return std::string(buf, n);
  return fmt::format("{}:{}", std::string_view(buf, n - 2), std::string_view(buf + n - 2, 2));
}

std::string iso8601_now() {
  return iso8601(std::chrono::system_clock::now());
}

}  // namespace benchgate::platform
