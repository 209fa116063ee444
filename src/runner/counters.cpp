#include "runner/counters.h"

#include <fmt/format.h>

#include <mutex>

#include "config/suite.h"
#include "core/error.h"
#include "platform/fs.h"
#include "profilers/perf_counters.h"

namespace benchgate::runner {

namespace fs = std::filesystem;

std::vector<std::string> perf_stat_argv(const fs::path& out_dir) {
  return {"perf",
          "stat",
          "-x,",
          "-o",
          (out_dir / "perf-stat.csv").string(),
          "-e",
          std::string(profilers::kCounterEvents),
          "--"};
}

CountingMethod perf_counters_method() {
  CountingMethod m;
  m.mode = std::string(config::kMeasureCounters);
  m.tool = "perf stat";
  m.cycles_metric = "cycles_per_request";
  m.cycles_key = "cycles";
  m.stop_signal = SIGINT;
  m.unavailable = []() -> std::optional<std::string> {
    static std::once_flag once;
    static profilers::CountersAvailability a;
    std::call_once(once, [] { a = profilers::detect_counters(); });
    if (a.available) return std::nullopt;
    return fmt::format("measure = \"counters\" is unavailable here: {}", a.reason);
  };
  m.wrap = [](const fs::path& dir) { return perf_stat_argv(dir); };
  m.read = [](const fs::path& tmp, const fs::path& keep) {
    const fs::path csv = tmp / "perf-stat.csv";
    if (!fs::exists(csv)) throw RunError("perf stat wrote no output (perf-stat.csv)");
    std::error_code ec;
    fs::copy_file(csv, keep / "perf-stat.csv", fs::copy_options::overwrite_existing, ec);
    const auto counts = profilers::perf_counts(platform::read_file(csv));
    LifetimeCounts c;
    c.instructions = counts.instructions;
    c.cycles = counts.cycles;
    c.version = "perf stat";
    return c;
  };
  return m;
}

}  // namespace benchgate::runner
