#include "runner/runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <optional>

#include "core/error.h"
#include "core/parse.h"
#include "core/url.h"
#include "drivers/driver.h"
#include "platform/fs.h"
#include "platform/sysinfo.h"
#include "profilers/profiler.h"

namespace benchgate::runner {

namespace fs = std::filesystem;

namespace {

double unix_now(Clock& clock) {
  return std::chrono::duration<double>(clock.wall().time_since_epoch()).count();
}

}  // namespace

std::string file_safe(std::string s) {
  for (auto& c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) c = '_';
  }
  return s;
}

std::string log_tail(const fs::path& path, int lines) {
  std::string text;
  try {
    text = platform::read_file(path);
  } catch (...) {
    return "";
  }
  if (text.size() > 64 * 1024) text = text.substr(text.size() - 64 * 1024);
  std::deque<std::string> tail;
  for (auto& line : split(text, '\n')) {
    tail.push_back(std::move(line));
    if (static_cast<int>(tail.size()) > lines + 1) tail.pop_front();
  }
  while (!tail.empty() && trim(tail.back()).empty())
    tail.pop_back();
  std::string out;
  for (const auto& l : tail)
    out += "  | " + l + "\n";
  return out.empty() ? "" : fmt::format("last lines of {}:\n{}", path.string(), out);
}

bool is_start_failure(std::string_view failure_kind) {
  return failure_kind == kind::kNotReady || failure_kind == kind::kExitedAtStart ||
         failure_kind == kind::kStartFailed || failure_kind == kind::kUnavailable;
}

std::string describe_start_failure(std::string_view failure_kind, const RunSpec& spec) {
  if (failure_kind == kind::kNotReady) {
    return fmt::format("never became ready within {:g} s", to_seconds(spec.ready_timeout));
  }
  if (failure_kind == kind::kExitedAtStart) return "exited before it became ready";
  if (failure_kind == kind::kStartFailed) return "could not be started";
  if (failure_kind == kind::kUnavailable) return "its measure mode is unavailable here";
  return std::string(failure_kind);
}

void FailFast::record(const RunSpec& spec, const results::RunRecord& rec) {
  auto& a = apps_[spec.app.label];
  ++a.runs;
  const std::string k = rec.status == "failed" && is_start_failure(rec.failure_kind)
                            ? rec.failure_kind
                            : std::string();
  if (a.runs == 1) {
    a.first_kind = k;
  } else if (a.runs == 2 && !k.empty() && k == a.first_kind) {
    a.skip = Skip{
        fmt::format("failed the same way in runs 1 and 2: {}", describe_start_failure(k, spec)), k};
  }
}

std::optional<FailFast::Skip> FailFast::skip(const RunSpec& spec) const {
  auto it = apps_.find(spec.app.label);
  return it == apps_.end() ? std::nullopt : it->second.skip;
}

results::RunRecord new_run_record(const RunSpec& spec, Clock& clock) {
  results::RunRecord rec;
  rec.id = spec.id;
  rec.sequence = spec.sequence;
  rec.iteration = spec.iteration;
  rec.app = spec.app.label;
  rec.role = spec.app.role;
  rec.scenario = spec.scenario;
  rec.url = spec.url;
  rec.started_at = unix_now(clock);
  return rec;
}

results::RunRecord skipped_run(const RunSpec& spec, const std::string& reason,
                               const std::string& failure_kind, Clock& clock) {
  results::RunRecord rec = new_run_record(spec, clock);
  rec.status = "skipped";
  rec.failure = reason;
  rec.failure_kind = failure_kind;
  rec.termination.description = "not started";
  return rec;
}

void check_run_spec(const RunSpec& spec) {
  if (spec.app.command.empty()) throw UsageError("no app command given (--app)");
  with_context("--url", [&] { return parse_url(spec.url); });
  if (spec.points.empty()) throw UsageError("no load points (--clients)");
  if (spec.app.instances < 1) throw UsageError("--instances: expected a positive integer");
  platform::check_cpus_available(spec.app.cpus, "--cpus");
  platform::check_cpus_available(spec.driver_options.cpus, "--driver-cpus");
  auto driver = drivers::make_driver(spec.driver);
  drivers::DriveRequest probe_req;
  probe_req.url = spec.url;
  probe_req.options = spec.driver_options;
  probe_req.duration = spec.duration;
  probe_req.warmup = spec.warmup;
  for (const auto& p : spec.points) {
    probe_req.point = p;
    driver->validate(probe_req);
  }
  driver->check_available(spec.driver_options);
  // Only the name: a profiler that cannot run here does not stop the run (see RunProfiling).
  if (!spec.profiler.empty() && spec.profiler != "none") {
    profilers::make_profiler(spec.profiler);  // UsageError naming the valid ones
  }
  if (!spec.app.shell && !platform::find_executable(spec.app.command[0])) {
    throw RunError(fmt::format("cannot start '{}': {}", spec.app.command[0],
                               spec.app.command[0].find('/') == std::string::npos
                                   ? "not found on PATH"
                                   : "no such executable file"));
  }
}

}  // namespace benchgate::runner
