#include "platform/host_tuning.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <sstream>
#include <system_error>

#include "platform/fs.h"

namespace benchgate::platform {

namespace fs = std::filesystem;

namespace {

using State = HostSetting::State;

std::string trimmed(std::string s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

/// The trimmed content, or nullopt (with errno text in *why) when it cannot be read.
std::optional<std::string> read_value(const fs::path& p, std::string* why) {
  try {
    return trimmed(read_file(p));
  } catch (const std::system_error& e) {
    if (why) *why = std::strerror(e.code().value());
    return std::nullopt;
  }
}

/// A plain write (sysfs files cannot be replaced by a rename). Empty on success, else why.
std::string write_value(const fs::path& p, const std::string& value) {
  const int fd = ::open(p.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) return std::strerror(errno);
  const std::string line = value + "\n";
  const auto n = ::write(fd, line.data(), line.size());
  const int write_errno = errno;
  const int rc = ::close(fd);
  if (n < 0) return std::strerror(write_errno);
  if (static_cast<std::size_t>(n) != line.size()) return "short write";
  if (rc != 0) return std::strerror(errno);
  return {};
}

/// cpuN folders under .../devices/system/cpu, in numeric order.
std::vector<std::pair<int, fs::path>> cpu_dirs(const fs::path& cpu_root) {
  std::vector<std::pair<int, fs::path>> out;
  std::error_code ec;
  for (fs::directory_iterator it(cpu_root, ec), end; !ec && it != end; it.increment(ec)) {
    const auto name = it->path().filename().string();
    if (name.size() < 4 || name.compare(0, 3, "cpu") != 0) continue;
    if (!std::all_of(name.begin() + 3, name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    out.emplace_back(std::stoi(name.substr(3)), it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string aslr_meaning(const std::string& v) {
  if (v == "0") return "off";
  if (v == "1") return "on for stack, mmap and vDSO";
  if (v == "2") return "on (full: also the heap)";
  return "unknown value";
}

}  // namespace

HostTuning::HostTuning(SysRoots roots) : roots_(std::move(roots)) {}

HostTuning::~HostTuning() {
  restore();
}

// Over 100 lines on purpose: one block per host setting (governor per CPU, turbo in its two
// drivers, ASLR, tcp_tw_reuse/recycle), each with its own file, wanted value and reason.
std::vector<HostSetting> HostTuning::inspect() const {
  std::vector<HostSetting> out;
  const fs::path cpu_root = fs::path(roots_.sys) / "devices/system/cpu";

  auto wanted_setting = [&](std::string name, fs::path path, std::string wanted) {
    HostSetting s;
    s.name = std::move(name);
    s.path = std::move(path);
    s.wanted = std::move(wanted);
    std::string why;
    if (auto v = read_value(s.path, &why)) {
      s.original = *v;
      s.state = s.original == s.wanted ? State::kAlready : State::kChanged;
    } else {
      s.state = State::kFailed;
      s.note = "cannot read it: " + why;
    }
    return s;
  };

  // Frequency governor, per CPU that has cpufreq.
  bool any_cpufreq = false;
  for (const auto& [n, dir] : cpu_dirs(cpu_root)) {
    const auto gov = dir / "cpufreq/scaling_governor";
    if (!fs::exists(gov)) continue;
    any_cpufreq = true;
    auto s = wanted_setting(fmt::format("cpu{} governor", n), gov, "performance");
    if (s.state == State::kChanged) {
      if (auto avail = read_value(dir / "cpufreq/scaling_available_governors", nullptr)) {
        std::istringstream words(*avail);
        std::string w;
        bool offered = false;
        while (words >> w)
          offered = offered || w == "performance";
        if (!offered) {
          s.state = State::kFailed;
          s.note = fmt::format("'performance' is not offered (available: {})", *avail);
        }
      }
    }
    out.push_back(std::move(s));
  }
  if (!any_cpufreq) {
    HostSetting s;
    s.name = "CPU frequency governor";
    s.path = cpu_root / "cpu*/cpufreq/scaling_governor";
    s.wanted = "performance";
    s.state = State::kUnavailable;
    s.note =
        fmt::format("not available here: no {} (no cpufreq driver; usual in VMs)", s.path.string());
    out.push_back(std::move(s));
  }

  // Turbo / boost: intel_pstate's no_turbo, else the generic cpufreq boost switch.
  const auto no_turbo = cpu_root / "intel_pstate/no_turbo";
  const auto boost = cpu_root / "cpufreq/boost";
  if (fs::exists(no_turbo)) {
    out.push_back(wanted_setting("turbo (intel_pstate no_turbo)", no_turbo, "1"));
  } else if (fs::exists(boost)) {
    out.push_back(wanted_setting("turbo (cpufreq boost)", boost, "0"));
  } else {
    HostSetting s;
    s.name = "turbo";
    s.path = no_turbo;
    s.state = State::kUnavailable;
    s.note = fmt::format("not available here: no {} nor {}", no_turbo.string(), boost.string());
    out.push_back(std::move(s));
  }

  // ASLR: reported, not changed (it is system-wide and a security setting).
  HostSetting aslr;
  aslr.name = "ASLR";
  aslr.path = fs::path(roots_.proc) / "sys/kernel/randomize_va_space";
  std::string why;
  if (auto v = read_value(aslr.path, &why)) {
    aslr.original = *v;
    aslr.state = State::kReportOnly;
    aslr.note = fmt::format("{}; left as is (a system-wide security setting)", aslr_meaning(*v));
  } else {
    aslr.state = State::kUnavailable;
    aslr.note = "cannot read " + aslr.path.string() + ": " + why;
  }
  out.push_back(std::move(aslr));

  // TIME_WAIT reuse for outgoing connections: drivers that open a connection per request
  // (no keep-alive) otherwise run out of ephemeral ports. The old harness also set
  // tcp_tw_recycle; Linux removed it in 4.12 (it broke clients behind NAT), so there is
  // nothing to set.
  {
    const auto reuse = fs::path(roots_.proc) / "sys/net/ipv4/tcp_tw_reuse";
    if (fs::exists(reuse)) {
      out.push_back(wanted_setting("net.ipv4.tcp_tw_reuse", reuse, "1"));
    } else {
      HostSetting r;
      r.name = "net.ipv4.tcp_tw_reuse";
      r.path = reuse;
      r.wanted = "1";
      r.state = State::kUnavailable;
      r.note = "not available here: no " + reuse.string();
      out.push_back(std::move(r));
    }
    HostSetting recycle;
    recycle.name = "net.ipv4.tcp_tw_recycle";
    recycle.path = fs::path(roots_.proc) / "sys/net/ipv4/tcp_tw_recycle";
    if (fs::exists(recycle.path)) {
      recycle.original = read_value(recycle.path, nullptr).value_or("");
      recycle.state = State::kReportOnly;
      recycle.note = "left as is (unsafe behind NAT)";
    } else {
      recycle.state = State::kUnavailable;
      recycle.note = "removed from Linux in 4.12; nothing to set (the old harness set it)";
    }
    out.push_back(std::move(recycle));
  }
  return out;
}

const std::vector<HostSetting>& HostTuning::apply() {
  if (applied_) return settings_;
  applied_ = true;
  settings_ = inspect();
  for (auto& s : settings_) {
    if (s.state != State::kChanged) continue;  // inspect() marks what needs a write
    if (auto why = write_value(s.path, s.wanted); !why.empty()) {
      s.state = State::kFailed;
      s.note = fmt::format("cannot write {}: {}", s.path.string(), why);
      continue;
    }
    // Read it back: cpufreq may accept a write and keep its value.
    std::string read_why;
    const auto now = read_value(s.path, &read_why);
    if (!now || *now != s.wanted) {
      s.state = State::kFailed;
      s.note = fmt::format("wrote '{}' to {} but it reads '{}'", s.wanted, s.path.string(),
                           now ? *now : "(unreadable: " + read_why + ")");
      write_value(s.path, s.original);  // best effort: leave it as it was
    }
  }
  return settings_;
}

std::vector<std::string> HostTuning::restore() {
  std::vector<std::string> problems;
  for (auto it = settings_.rbegin(); it != settings_.rend(); ++it) {
    if (it->state != State::kChanged) continue;
    if (auto why = write_value(it->path, it->original); !why.empty()) {
      problems.push_back(fmt::format("{}: cannot write '{}' back to {}: {}", it->name, it->original,
                                     it->path.string(), why));
      it->note = problems.back();
    }
    it->state = State::kRestored;
  }
  return problems;
}

std::vector<std::string> HostTuning::describe(const std::vector<HostSetting>& settings) {
  std::vector<std::string> out;
  for (const auto& s : settings) {
    switch (s.state) {
      case State::kReportOnly:
        out.push_back(fmt::format("{}: {} ({})", s.name, s.original, s.note));
        break;
      case State::kUnavailable:
        out.push_back(fmt::format("{}: {}; left alone", s.name, s.note));
        break;
      case State::kAlready:
        out.push_back(fmt::format("{}: {} already", s.name, s.original));
        break;
      case State::kChanged:
        out.push_back(fmt::format("{}: {} -> {} (restored at exit)", s.name, s.original, s.wanted));
        break;
      case State::kFailed:
        out.push_back(
            fmt::format("{}: could not set it to {}: {}; left alone", s.name, s.wanted, s.note));
        break;
      case State::kRestored:
        out.push_back(fmt::format("{}: {} restored{}", s.name, s.original,
                                  s.note.empty() ? "" : " FAILED: " + s.note));
        break;
    }
  }
  return out;
}

}  // namespace benchgate::platform
