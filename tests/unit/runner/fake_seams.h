#pragma once
// Fakes for every runner seam (runner/seams.h), driven by one FakeClock: processes whose exit
// is scripted, a probe answering from a function, a driver whose load period is a function,
// a monitor returning fixed numbers, a wrapping profiler whose post-processing fails. No real
// process, socket or /proc read.

#include <csignal>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/cancel.h"
#include "core/clock.h"
#include "runner/runner.h"
#include "runner/seams.h"

namespace benchgate::runner::fakes {

inline platform::ExitStatus exited(int code) {
  platform::ExitStatus s;
  s.exited = true;
  s.code = code;
  return s;
}

inline platform::ExitStatus killed(int sig) {
  platform::ExitStatus s;
  s.signal = sig;
  return s;
}

/// A process whose life is scripted on the fake clock.
class FakeProcess final : public Process {
 public:
  FakeProcess(int pid, Clock& clock) : pid_(pid), clock_(clock) {}
  int pid() const override { return pid_; }
  std::optional<platform::ExitStatus> poll() override {
    if (!status_ && exit_at && clock_.now() >= *exit_at) status_ = exit_status;
    return status_;
  }
  std::optional<platform::ExitStatus> status() const override { return status_; }
  std::optional<platform::ExitStatus> wait_for(Nanos timeout, const CancelToken* cancel) override {
    if (auto s = poll()) return s;
    const Nanos deadline = clock_.now() + timeout;
    if (exit_at && *exit_at <= deadline) {
      if (!clock_.wait_until(*exit_at, cancel)) return std::nullopt;
      return poll();
    }
    clock_.wait_until(deadline, cancel);
    return std::nullopt;
  }
  platform::ExitStatus terminate(Nanos grace) override {
    if (poll()) return *status_;
    ++terminations;
    if (ignores_sigterm) {
      clock_.wait_for(grace);
      status_ = killed(SIGKILL);
    } else {
      status_ = killed(SIGTERM);
    }
    return *status_;
  }

  void signal_group(int sig) override {
    signals.push_back(sig);
    if (poll()) return;
    if (!ignores_sigterm) status_ = signal_exit ? *signal_exit : killed(sig);
  }

  /// Exits by itself at this time (nullopt: runs until terminated).
  std::optional<Nanos> exit_at;
  platform::ExitStatus exit_status = exited(0);
  bool ignores_sigterm = false;
  int terminations = 0;
  std::vector<int> signals;  ///< signal_group() calls
  /// The status a signal_group() call ends it with (default: killed by that signal).
  std::optional<platform::ExitStatus> signal_exit;

 private:
  int pid_;
  Clock& clock_;
  std::optional<platform::ExitStatus> status_;
};

/// Hands the runner a process the test keeps (the runner destroys its handle at the end of
/// the run; the test still reads what happened).
class SharedProcess final : public Process {
 public:
  explicit SharedProcess(std::shared_ptr<FakeProcess> p) : p_(std::move(p)) {}
  int pid() const override { return p_->pid(); }
  std::optional<platform::ExitStatus> poll() override { return p_->poll(); }
  std::optional<platform::ExitStatus> status() const override { return p_->status(); }
  std::optional<platform::ExitStatus> wait_for(Nanos timeout, const CancelToken* cancel) override {
    return p_->wait_for(timeout, cancel);
  }
  platform::ExitStatus terminate(Nanos grace) override { return p_->terminate(grace); }
  void signal_group(int sig) override { p_->signal_group(sig); }

 private:
  std::shared_ptr<FakeProcess> p_;
};

/// A driver whose load period is `period` (default: warm-up, measured part, 1,000 requests).
class FakeDriver final : public drivers::Driver {
 public:
  using Period = std::function<results::DriverResult(
      const drivers::DriveRequest&, drivers::DriveHooks&, const CancelToken&, Clock&)>;
  explicit FakeDriver(Period p) : period_(std::move(p)) {}
  std::string name() const override { return "fake"; }
  void check_available(const drivers::DriverOptions&) const override {}
  results::DriverResult run(const drivers::DriveRequest& req, drivers::DriveHooks& hooks,
                            const CancelToken& cancel, Clock& clock) override {
    return period_(req, hooks, cancel, clock);
  }

 private:
  Period period_;
};

/// The default load period: warm-up, then the measured part with its hooks, 1,000 requests.
inline results::DriverResult normal_period(const drivers::DriveRequest& req,
                                           drivers::DriveHooks& hooks, const CancelToken& cancel,
                                           Clock& clock) {
  results::DriverResult r;
  r.driver = "fake";
  if (!clock.wait_for(req.warmup, &cancel)) return r;
  hooks.on_measure_start();
  clock.wait_for(req.duration, &cancel);
  hooks.on_measure_end();
  r.duration_s = to_seconds(req.duration);
  r.requests = 1000;
  r.status_codes["200"] = 1000;
  r.throughput = r.duration_s > 0 ? 1000 / r.duration_s : 0;
  return r;
}

struct MonitorLog {
  std::vector<int> roots;
  bool started = false, stopped = false;
  int periods = 0;
};

class FakeMonitor final : public AppMonitor {
 public:
  explicit FakeMonitor(std::shared_ptr<MonitorLog> log) : log_(std::move(log)) {}
  void add_root(int pid, int) override { log_->roots.push_back(pid); }
  void start() override { log_->started = true; }
  void stop() override { log_->stopped = true; }
  monitor::Snapshot sample_now() override {
    monitor::Snapshot s;
    s.rss_total = 4 << 20;
    return s;
  }
  void begin_period() override { ++log_->periods; }
  results::ResourceUsage end_period() override { return {}; }
  results::Traces run_traces() const override { return {}; }

 private:
  std::shared_ptr<MonitorLog> log_;
};

/// A wrapping profiler (like massif) that is available but whose post-processing fails.
class FailingProfiler final : public profilers::Profiler {
 public:
  std::string name() const override { return "fake-prof"; }
  profilers::Attachment attachment() const override { return profilers::Attachment::kWrap; }
  std::optional<std::string> unavailable_reason(const profilers::ProfilerContext&) const override {
    return std::nullopt;
  }
  std::vector<std::string> wrap(const std::vector<std::string>& app,
                                const profilers::ProfilerContext&) const override {
    std::vector<std::string> argv = {"fake-wrapper", "--"};
    argv.insert(argv.end(), app.begin(), app.end());
    return argv;
  }
  results::ProfileSummary post_process(const profilers::ProfilerContext&,
                                       const profilers::ToolRunner&,
                                       std::string_view) const override {
    results::ProfileSummary s;
    s.status = "failed";
    s.reason = "the fake profiler wrote no samples";
    return s;
  }
};

/// Everything a run touches, faked, with what happened recorded.
struct World {
  explicit World(FakeClock& c) : clock(c) {}

  FakeClock& clock;
  CancelToken cancel;
  /// The probe: default nothing listens before launch, the app answers 200 at once after.
  std::function<ProbeResult(const Url&)> probe = [this](const Url&) {
    ProbeResult r;
    if (processes.empty()) {
      r.error = "connection refused";
      return r;
    }
    r.connected = r.answered = true;
    r.status = 200;
    return r;
  };
  FakeDriver::Period period = normal_period;
  /// Called for each launch before the process is returned (script its exit; throw RunError).
  std::function<void(const platform::SpawnOptions&, FakeProcess&)> on_launch;
  std::vector<platform::SpawnOptions> launched;
  std::vector<std::shared_ptr<FakeProcess>> processes;  ///< app instances and hooks, in order
  std::shared_ptr<MonitorLog> monitor = std::make_shared<MonitorLog>();
  int probes = 0;
  int next_pid = 1000;

  RunSeams seams() {
    RunSeams s;
    s.make_driver = [this](const std::string&) { return std::make_unique<FakeDriver>(period); };
    s.launch = [this](const platform::SpawnOptions& o) -> std::unique_ptr<Process> {
      launched.push_back(o);
      auto p = std::make_shared<FakeProcess>(next_pid++, clock);
      if (on_launch) on_launch(o, *p);
      processes.push_back(p);
      return std::make_unique<SharedProcess>(p);
    };
    s.probe = [this](const Url& url, Nanos, bool, Clock& c) {
      ++probes;
      c.wait_for(std::chrono::microseconds(200));  // a refused connect takes a moment
      return probe(url);
    };
    s.make_monitor = [this](const monitor::MonitorOptions&, Clock&) {
      return std::unique_ptr<AppMonitor>(std::make_unique<FakeMonitor>(monitor));
    };
    s.make_profiler = [](const std::string&) { return std::make_unique<FailingProfiler>(); };
    s.descendants = [] { return std::vector<platform::ProcessKey>{}; };
    s.stop_descendants = [](const platform::SweepOptions&) {
      return std::vector<platform::Survivor>{};
    };
    s.port_holders = [](int port) { return "pid 77 (nginx) on port " + std::to_string(port); };
    return s;
  }
};

}  // namespace benchgate::runner::fakes
