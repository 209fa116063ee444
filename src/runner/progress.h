#pragma once
// The suite's progress display: a RunObserver feeding report::ProgressReporter (the console's
// live line or CI log lines) with elapsed and remaining-time estimates.

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <mutex>
#include <string>

#include "core/clock.h"
#include "matrix/matrix.h"
#include "report/console.h"
#include "runner/runner.h"

namespace benchgate::runner {

/// RunObserver → report::ProgressReporter, with elapsed / remaining estimates.
class Progress final : public RunObserver {
 public:
  Progress(report::ProgressReporter& rep, const matrix::Plan& plan, Nanos sleep, Clock& clock)
      : rep_(rep), plan_(plan), sleep_(sleep), clock_(clock), t0_(clock.now()) {}

  void set_index(int i) { index_ = i; }

  void on_run_start(const RunSpec& spec) override {
    locate(spec);
    run_t0_ = clock_.now();
    emit(spec, spec.scenario, "starting", -1);
  }
  void on_phase(const RunSpec& spec, const std::string& phase) override {
    emit(spec, cell_, phase, -1);
  }
  void on_period_start(const RunSpec& spec, const results::LoadPoint& p) override {
    cell_ = results::cell_key(spec.scenario, p);
    emit(spec, cell_, "measuring", -1);
  }
  void on_interval(double rps) override {
    std::lock_guard lock(mu_);
    rps_ = rps;
  }
  void on_warning(const RunSpec& spec, const std::string& message) override {
    rep_.message(fmt::format("benchgate: warning: run {}: {}", spec.id, message));
  }
  void on_run_end(const RunSpec& spec, const results::RunRecord& rec) override {
    locate(spec);
    overhead_sum_ += rec.overhead_s;
    ++done_;
    report::RunDone d;
    d.run = &rec;
    d.index = index_;
    d.total = static_cast<int>(plan_.runs.size());
    d.iterations = spec.iterations;
    d.elapsed_s = elapsed();
    d.remaining_s = remaining(index_ + 1);
    rep_.run_finished(d);
    cell_.clear();
    rps_ = -1;
  }
  void tick(const RunSpec& spec) { emit(spec, cell_, "measuring", rps_); }

 private:
  // A bursts session reports its runs itself, pair by pair (runner/bursts.h): the position is
  // that of the run in the plan.
  void locate(const RunSpec& spec) {
    const auto* first = plan_.runs.data();
    if (std::less_equal<>()(first, &spec) && std::less<>()(&spec, first + plan_.runs.size()))
      index_ = static_cast<int>(&spec - first);
  }
  double elapsed() const { return to_seconds(clock_.now() - t0_); }
  double remaining(int from) const {
    double s = 0;
    for (std::size_t i = static_cast<std::size_t>(from); i < plan_.runs.size(); ++i) {
      const auto& r = plan_.runs[i];
      s += to_seconds((r.warmup_per_point() + r.duration) * static_cast<long>(r.points.size()) +
                      sleep_);
      s += done_ ? overhead_sum_ / done_ : 0.5;
    }
    return s;
  }
  void emit(const RunSpec& spec, const std::string& cell, const std::string& phase, double rps) {
    report::RunProgress p;
    p.index = index_;
    p.total = static_cast<int>(plan_.runs.size());
    p.iteration = spec.iteration;
    p.iterations = spec.iterations;
    p.app = spec.app.label;
    p.cell = cell.empty() ? spec.scenario : cell;
    p.phase = phase;
    p.elapsed_s = elapsed();
    double in_run = to_seconds(clock_.now() - run_t0_);
    double this_run =
        to_seconds((spec.warmup + spec.duration) * static_cast<long>(spec.points.size()));
    p.remaining_s = remaining(index_ + 1) + std::max(0.0, this_run - in_run);
    {
      std::lock_guard lock(mu_);
      p.current_rps = rps >= 0 ? rps : rps_;
    }
    rep_.update(p);
  }

  report::ProgressReporter& rep_;
  const matrix::Plan& plan_;
  Nanos sleep_;
  Clock& clock_;
  Nanos t0_;
  Nanos run_t0_{0};
  int index_ = 0;
  int done_ = 0;
  double overhead_sum_ = 0;
  std::string cell_;
  std::mutex mu_;
  double rps_ = -1;
};

}  // namespace benchgate::runner
