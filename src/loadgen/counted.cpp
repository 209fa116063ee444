// Request-count mode of the built-in load generator (EngineConfig::request_count): exactly N
// requests, closed loop, every one counted. Used where the app is measured by what it does
// per request rather than per second (instruction counts under callgrind), so the number of
// requests the app served must be known exactly.

#include <fmt/format.h>

#include "core/error.h"
#include "core/parse.h"
#include "loadgen/engine.h"
#include "loadgen/worker.h"

namespace benchgate::loadgen {

EngineResult Engine::run_counted(const CancelToken& cancel, Clock& clock) {
  auto& sh = *shared_;
  const auto& c = config_;
  // The whole run is the window: every request sent and answered counts.
  detail::reset_run(sh, 0);
  sh.budget.store(c.request_count);

  auto workers = detail::make_workers(c, sh, threads_);
  const std::int64_t t_start = detail::mono_ns();
  auto threads = detail::start_threads(workers);
  EngineResult out;
  out.window_started = true;
  const Nanos limit = clock.now() + c.duration;
  auto all_done = [&] {
    for (auto& w : workers) {
      if (!w->finished_.load(std::memory_order_acquire)) return false;
    }
    return true;
  };
  bool ok = true;
  while (!all_done()) {
    if (clock.now() >= limit) break;
    ok = clock.wait_for(std::chrono::milliseconds(2), &cancel);
    if (!ok) break;
  }
  out.count_reached = all_done();
  out.cancelled = !ok;
  detail::stop_and_join(sh, threads);
  const std::int64_t t_end = detail::mono_ns();
  out.duration_s = static_cast<double>(t_end - t_start) / 1e9;
  out.interval_s = out.duration_s;
  out.last_interval_s = out.duration_s;
  for (auto& w : workers)
    detail::add_counts(out, w->result());
  out.success_per_interval = {out.success};
  if (!out.count_reached && out.first_error.empty() && !out.cancelled) {
    out.first_error = fmt::format("{} of {} requests answered within the {} limit", out.responses,
                                  c.request_count, format_duration(c.duration));
  }
  return out;
}

}  // namespace benchgate::loadgen
