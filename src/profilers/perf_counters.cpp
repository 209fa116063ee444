#include "profilers/perf_counters.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>

#include "core/error.h"
#include "core/parse.h"
#include "core/strings.h"
#include "platform/fs.h"
#include "platform/subprocess.h"

namespace benchgate::profilers {

namespace {

// The first line of perf's error text that says something (perf prints "Error:" alone first).
std::string first_words(std::string_view text) {
  for (auto line : lines_of(text)) {
    line = trim(line);
    if (line.empty() || line == "Error:") continue;
    return printable(line, 200);
  }
  return "";
}

bool mentions_access_limit(std::string_view text) {
  return text.find("perf_event_paranoid") != std::string_view::npos ||
         text.find("Access to performance monitoring") != std::string_view::npos ||
         text.find("Permission denied") != std::string_view::npos;
}

}  // namespace

std::vector<PerfStatValue> parse_perf_stat_csv(std::string_view text) {
  std::vector<PerfStatValue> out;
  int line_no = 0;
  for (auto line : lines_of(text)) {
    ++line_no;
    const auto t = trim(line);
    if (t.empty() || t.front() == '#') continue;
    const auto f = split_view(t, ',');
    if (f.size() < 3) {
      throw ParseError(
          fmt::format("perf stat output line {}: expected <value>,<unit>,<event>,..., got '{}'",
                      line_no, printable(t)));
    }
    PerfStatValue v;
    v.event = std::string(trim(f[2]));
    v.unit = std::string(trim(f[1]));
    if (v.event.empty()) {
      throw ParseError(fmt::format("perf stat output line {}: no event name", line_no));
    }
    const auto value = trim(f[0]);
    if (value == "<not supported>") {
      v.status = "not supported";
    } else if (value == "<not counted>") {
      v.status = "not counted";
    } else {
      double d = 0;
      try {
        d = parse_double(value);
      } catch (const ParseError&) {
        d = -1;
      }
      if (!(d >= 0) || !std::isfinite(d)) {
        throw ParseError(fmt::format(
            "perf stat output line {}: expected a count or <not supported>/<not counted> for {}, "
            "got '{}'",
            line_no, printable(v.event), printable(value)));
      }
      v.value = d;
      v.status = "counted";
    }
    if (f.size() >= 5) {
      try {
        v.running_pct = parse_double(trim(f[4]));
      } catch (const ParseError&) {
        v.running_pct = 0;
      }
    }
    out.push_back(std::move(v));
  }
  return out;
}

CountersAvailability counters_availability(const CountersProbe& p) {
  CountersAvailability a;
  if (!p.perf_found) {
    a.reason = "perf is not installed (Debian: apt-get install linux-perf)";
    return a;
  }
  const std::string err = first_words(p.stderr_text);
  if (mentions_access_limit(p.stderr_text) && !p.privileged) {
    a.reason = fmt::format(
        "perf may not count here: perf_event_paranoid is {} for this user (user-space counting "
        "of one's own processes needs ≤ 2, or CAP_PERFMON); perf said: {}",
        p.paranoid ? std::to_string(*p.paranoid) : std::string("unknown"), err);
    return a;
  }
  std::vector<PerfStatValue> values;
  try {
    values = parse_perf_stat_csv(p.csv);
  } catch (const ParseError& e) {
    a.reason = fmt::format("perf stat wrote output benchgate cannot read: {}", e.what());
    return a;
  }
  if (p.exit_code != 0 || values.empty()) {
    a.reason = fmt::format("perf stat -e {} failed (exit {}){}", kCounterEvents, p.exit_code,
                           err.empty() ? "" : ": " + err);
    if (p.paranoid && *p.paranoid > 2 && !p.privileged) {
      a.reason += fmt::format(" (perf_event_paranoid is {})", *p.paranoid);
    }
    return a;
  }
  for (const auto& want : split(kCounterEvents, ',')) {
    const PerfStatValue* found = nullptr;
    for (const auto& v : values) {
      if (v.event == want) found = &v;
    }
    if (!found) {
      a.reason = fmt::format("perf stat printed no line for {}", want);
      return a;
    }
    if (found->status == "not supported") {
      a.reason = fmt::format(
          "perf stat says {} is <not supported>: this machine exposes no hardware performance "
          "counters (typical of a VM without a virtual PMU); use measure = \"instructions\" "
          "(callgrind) instead",
          want);
      return a;
    }
    if (found->status == "not counted") {
      a.reason = fmt::format(
          "perf stat says {} is <not counted>: the counter exists but never ran (taken by "
          "another user such as the NMI watchdog, or multiplexed out)",
          want);
      return a;
    }
  }
  a.available = true;
  return a;
}

CountersAvailability detect_counters() {
  CountersProbe p;
  p.privileged = ::geteuid() == 0;
  try {
    p.paranoid = static_cast<int>(
        parse_int(trim(platform::read_file("/proc/sys/kernel/perf_event_paranoid"))));
  } catch (const std::exception&) {
  }
  if (!platform::find_executable("perf")) {
    p.perf_found = false;
    return counters_availability(p);
  }
  platform::TempDir tmp("benchgate-perf-probe");
  platform::SpawnOptions o;
  o.argv = {"perf",
            "stat",
            "-x,",
            "-o",
            (tmp.path() / "out.csv").string(),
            "-e",
            std::string(kCounterEvents),
            "--",
            "true"};
  o.stdout_path = tmp.path() / "stdout";
  o.stderr_path = tmp.path() / "stderr";
  try {
    auto proc = platform::Subprocess::spawn(o);
    const auto st = proc.wait_for(std::chrono::seconds(10));
    p.exit_code = st && st->exited ? st->code : -1;
  } catch (const std::exception& e) {
    CountersAvailability a;
    a.reason = fmt::format("cannot run perf: {}", e.what());
    return a;
  }
  try {
    p.csv = platform::read_file(tmp.path() / "out.csv");
  } catch (const std::exception&) {
  }
  try {
    p.stderr_text = platform::read_file(o.stderr_path);
  } catch (const std::exception&) {
  }
  return counters_availability(p);
}

PerfCounts perf_counts(std::string_view csv) {
  PerfCounts c;
  const auto values = parse_perf_stat_csv(csv);
  for (const auto& want : split(kCounterEvents, ',')) {
    bool found = false;
    for (const auto& v : values) {
      if (v.event != want) continue;
      if (!v.value) {
        throw ParseError(fmt::format("perf stat: {} is <{}>", want, v.status));
      }
      found = true;
      const auto n = static_cast<std::uint64_t>(std::llround(*v.value));
      (want.starts_with("instructions") ? c.instructions : c.cycles) += n;
    }
    if (!found) throw ParseError(fmt::format("perf stat output has no {} line", want));
  }
  return c;
}

}  // namespace benchgate::profilers
