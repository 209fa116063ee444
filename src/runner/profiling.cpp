#include "runner/profiling.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <set>

#include "core/error.h"
#include "core/parse.h"
#include "platform/fs.h"
#include "platform/process_tree.h"
#include "runner/runner.h"

namespace benchgate::runner {

namespace fs = std::filesystem;

namespace {

/// The last `max` bytes of a file ("" when unreadable): what a recording tool printed.
std::string file_tail(const fs::path& p, std::size_t max = 4000) {
  try {
    auto text = platform::read_file(p);
    return text.size() > max ? text.substr(text.size() - max) : text;
  } catch (const std::exception&) {
    return "";
  }
}

}  // namespace

RunProfiling::RunProfiling(const matrix::Run& spec, fs::path out_dir, fs::path rel_dir,
                           const CancelToken& cancel, const ProfilerFactory& make_profiler)
    : spec_(spec), out_dir_(std::move(out_dir)), rel_dir_(std::move(rel_dir)), cancel_(cancel) {
  name_ = spec.profiler;
  if (name_.empty() || name_ == "none") return;
  configured_ = true;
  if (const char* d = std::getenv("BENCHGATE_DEMANGLER"); d && *d) {
    auto argv = shell_split(d);
    if (!argv.empty()) demangler_ = profilers::external_demangler(std::move(argv));
  }
  auto p = make_profiler(name_);  // names are validated up front (check_run_spec)
  if (auto why = p->unavailable_reason(context(""))) {
    unavailable_ = *why;
    // Some reasons start with the profiler's name; the profile names it already.
    if (unavailable_.rfind(name_ + ": ", 0) == 0) unavailable_.erase(0, name_.size() + 2);
    warnings_.push_back(fmt::format(
        "profiler {} is unavailable: {}; the run is measured without it", name_, unavailable_));
    return;
  }
  profiler_ = std::move(p);
}

RunProfiling::~RunProfiling() {
  if (recorder_ && recorder_->valid()) recorder_->terminate(std::chrono::milliseconds(500));
}

profilers::ProfilerContext RunProfiling::context(const std::string& prefix) const {
  profilers::ProfilerContext c;
  c.out_dir = out_dir_;
  c.artifact_prefix = (rel_dir_ / "").string() + prefix;
  c.cpus = spec_.app.cpus;
  c.demangler = demangler_ ? &*demangler_ : nullptr;
  c.title = fmt::format("{} {}{} #{}", spec_.app.label, spec_.scenario,
                        point_key_.empty() ? "" : " " + point_key_, spec_.iteration);
  return c;
}

results::ProfileSummary RunProfiling::failed(std::string reason) const {
  results::ProfileSummary s;
  s.profiler = name_;
  s.status = "failed";
  s.reason = std::move(reason);
  return s;
}

void RunProfiling::warn_about(const results::ProfileSummary& s, const std::string& where) {
  if (s.status == "ok") return;
  warnings_.push_back(
      fmt::format("profiler {} failed{}: {}; the run is measured and recorded "
                  "without this profile",
                  name_, where.empty() ? "" : " (" + where + ")", s.reason));
}

std::vector<std::string> RunProfiling::take_warnings() {
  std::vector<std::string> w;
  w.swap(warnings_);
  return w;
}

bool RunProfiling::wrapped(int index) const {
  return profiler_ && profiler_->attachment() == profilers::Attachment::kWrap && index == 0;
}

std::vector<std::string> RunProfiling::launch_argv(std::vector<std::string> argv, int index) {
  if (!wrapped(index)) return argv;
  wrapped_instance_ = true;
  return profiler_->wrap(argv, context(""));
}

bool RunProfiling::expected_exit(const platform::ExitStatus& status) const {
  return profiler_ ? profiler_->expected_exit(status) : false;
}

Nanos RunProfiling::stop_grace(int index, Nanos normal) const {
  return wrapped(index) ? std::max(normal, profiler_->stop_grace()) : normal;
}

void RunProfiling::period_start(const std::vector<int>& roots, const std::string& point_key) {
  if (!profiler_ || profiler_->attachment() == profilers::Attachment::kWrap) return;
  period_pending_ = true;
  stop_sent_ = false;
  start_error_.clear();
  recorder_.reset();
  point_key_ = point_key;
  const auto ctx = context(file_safe(point_key + "-"));
  // Every process of the app: the instances and whatever they forked (workers).
  std::set<int> pids;
  platform::ProcReader proc;
  for (int root : roots) {
    if (root <= 0) continue;
    pids.insert(root);
    for (int d : platform::descendants(proc, root))
      pids.insert(d);
  }
  try {
    auto argv = profiler_->attach(std::vector<int>(pids.begin(), pids.end()), ctx);
    recorder_log_ = ctx.path(name_ + "-record.log");
    platform::SpawnOptions o;
    o.argv = std::move(argv);
    o.stdout_path = recorder_log_;
    recorder_ = platform::Subprocess::spawn(o);
  } catch (const std::exception& e) {
    start_error_ = fmt::format("cannot start the recording: {}", e.what());
  }
}

void RunProfiling::period_signal_stop() {
  if (!recorder_ || stop_sent_) return;
  stop_sent_ = true;
  if (!recorder_->poll()) recorder_->signal_group(profiler_->stop_signal());
}

std::optional<results::ProfileSummary> RunProfiling::period_finish() {
  if (!period_pending_) return std::nullopt;
  period_pending_ = false;
  results::ProfileSummary s;
  if (!start_error_.empty()) {
    s = failed(start_error_);
  } else {
    period_signal_stop();
    std::string stop_problem;
    auto st = recorder_->wait_for(profiler_->stop_grace(), &cancel_);
    if (!st) {
      recorder_->terminate(std::chrono::milliseconds(500));
      stop_problem = cancel_.cancelled()
                         ? "interrupted"
                         : fmt::format("the recording did not stop within {} of {}",
                                       format_duration(profiler_->stop_grace()),
                                       platform::signal_name(profiler_->stop_signal()));
    }
    recorder_.reset();
    const auto ctx = context(file_safe(point_key_ + "-"));
    if (!stop_problem.empty()) {
      s = failed(stop_problem);
    } else if (cancel_.cancelled()) {
      s = failed("interrupted before the profile was processed");
    } else {
      try {
        s = profiler_->post_process(
            ctx, profilers::subprocess_tool_runner(std::chrono::minutes(5), &cancel_),
            file_tail(recorder_log_));
      } catch (const std::exception& e) {
        s = failed(fmt::format("post-processing failed: {}", e.what()));
      }
    }
    s.profiler = name_;
    if (fs::exists(recorder_log_) && fs::file_size(recorder_log_) > 0) {
      s.artifacts.push_back({"profiler-log", ctx.artifact(name_ + "-record.log"),
                             fmt::format("{} recording output", name_)});
    }
  }
  s.extra["point"] = point_key_;
  warn_about(s, point_key_);
  return s;
}

std::optional<results::ProfileSummary> RunProfiling::run_profile(
    const std::vector<results::PeriodResult>& periods, bool app_started) {
  if (!configured_) return std::nullopt;
  if (!unavailable_.empty()) {
    results::ProfileSummary s;
    s.profiler = name_;
    s.status = "unavailable";
    s.reason = unavailable_;
    return s;
  }
  if (profiler_->attachment() == profilers::Attachment::kWrap) {
    if (!app_started || !wrapped_instance_) {
      auto s = failed("the app was not started, so nothing was profiled");
      warn_about(s, "");
      return s;
    }
    if (cancel_.cancelled()) return failed("interrupted before the profile was processed");
    results::ProfileSummary s;
    const auto ctx = context("");
    try {
      // The wrapper printed into the app's log (from its start: valgrind names each process
      // it ran in a banner there).
      s = profiler_->post_process(
          ctx, profilers::subprocess_tool_runner(std::chrono::minutes(5), &cancel_),
          file_tail(out_dir_ / rel_dir_ / "app-0.log", std::size_t{1} << 20));
    } catch (const std::exception& e) {
      s = failed(fmt::format("post-processing failed: {}", e.what()));
    }
    s.profiler = name_;
    if (spec_.app.instances > 1) s.extra["instance"] = 0;
    warn_about(s, "");
    return s;
  }
  // Attached: one recording per period; the run's profile rolls them up. The summary is the
  // last successful period's (the heaviest load point comes last in the usual order).
  std::vector<const results::PeriodResult*> profiled;
  for (const auto& p : periods) {
    if (p.profile) profiled.push_back(&p);
  }
  if (profiled.empty()) {
    auto s = failed(app_started ? "no load period was measured, so nothing was recorded"
                                : "the app was not started, so nothing was profiled");
    warn_about(s, "");
    return s;
  }
  if (profiled.size() == 1) {
    auto s = *profiled.front()->profile;
    return s;
  }
  results::ProfileSummary s;
  s.profiler = name_;
  std::vector<std::string> reasons;
  const results::PeriodResult* best = nullptr;
  for (const auto* p : profiled) {
    const auto& ps = *p->profile;
    if (ps.status == "ok") {
      best = p;
    } else {
      reasons.push_back(fmt::format("{}: {}", p->point.key(), ps.reason));
    }
    s.artifacts.insert(s.artifacts.end(), ps.artifacts.begin(), ps.artifacts.end());
  }
  if (best) {
    s.top_symbols = best->profile->top_symbols;
    s.by_dso = best->profile->by_dso;
    s.extra = best->profile->extra;
    s.extra["summary_of"] = best->point.key();
  }
  if (!reasons.empty()) {
    s.status = "failed";
    s.reason = join(reasons, "; ");
  }
  return s;
}

}  // namespace benchgate::runner
