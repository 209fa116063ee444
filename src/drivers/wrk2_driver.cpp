// wrk2: constant-rate load, coordinated-omission corrected latency (see wrk2_driver.h).

#include "drivers/wrk2_driver.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"
#include "core/parse.h"
#include "drivers/builtin_driver.h"
#include "drivers/error_share.h"
#include "drivers/external.h"
#include "drivers/wrk2_parse.h"
#include "platform/sysinfo.h"

namespace benchgate::drivers {

Nanos wrk2_calibration(int connections) {
  return std::chrono::seconds(10) + std::chrono::milliseconds(5) * std::max(0, connections);
}

ToolCommand wrk2_command(const DriveRequest& req, Nanos duration, Nanos calibration,
                         const std::string& tag) {
  const auto& o = req.options;
  if (!(req.point.rate > 0)) {
    throw UsageError(
        "--rates: the wrk2 driver drives at a constant rate and needs one (--rates, or `rates` "
        "in the suite)");
  }
  Wrk2CommandSpec s;
  s.rate = req.point.rate;
  s.calibration = calibration;
  auto& w = s.wrk;
  w.program = o.tool_path.empty() ? "wrk2" : o.tool_path;
  w.url = req.url;
  w.connections = req.point.clients;
  w.threads = o.threads;
  w.driver_cpus =
      static_cast<int>(o.cpus.empty() ? platform::available_cpus().size() : o.cpus.size());
  w.duration = duration;
  w.timeout = o.timeout;
  w.keepalive = o.keepalive;
  w.pipeline = o.pipeline;
  w.method = o.method;
  w.headers = o.headers;
  w.body = o.body;
  w.script = o.script;
  w.script_args = o.script_args;
  if (w.pipeline > 1 && w.script.empty()) w.script_args = {std::to_string(w.pipeline)};
  w.generated_script_path = req.out_dir / (req.artifact_prefix + tag + "wrk2.lua");
  return build_wrk2_command(s);
}

void finish_wrk2_result(results::DriverResult& r, double rate, Nanos calibration,
                        double max_error_rate) {
  r.driver = "wrk2";
  r.target_rate = rate;
  const double cal_s = to_seconds(calibration);
  const double run_s = r.duration_s;
  r.extra["run_duration_s"] = run_s;
  r.extra["calibration_s"] = cal_s;
  if (run_s > cal_s) r.duration_s = run_s - cal_s;

  if (run_s > 0 && rate > 0) {
    const double achieved = static_cast<double>(r.requests) / run_s;
    if (achieved < rate * (1 - kRateShortfall)) {
      r.invalid_reasons.push_back(fmt::format(
          "wrk2 reached {:.1f} requests/s, {:.1f}% below the {:g} requests/s target (more than "
          "{:.0f}% short: the server or the driver could not keep up)",
          achieved, 100 * (1 - achieved / rate), rate, 100 * kRateShortfall));
    }
  }
  // Non-2xx/3xx responses and socket errors above max_error_rate, or no successful response.
  check_error_share(r, max_error_rate);
  if (r.requests > 0 && !r.extra.value("calibrated", false)) {
    r.invalid_reasons.push_back(
        "wrk2 printed no calibration lines: the run ended before its calibration did, so its "
        "histograms include the warm-up");
  }
}

namespace {

class Wrk2Driver final : public Driver {
 public:
  std::string name() const override { return "wrk2"; }
  bool open_loop() const override { return true; }

  void check_available(const DriverOptions& o) const override {
    require_tool(tool_program(o, "wrk2"),
                 "wrk2 is not packaged for Debian: build it from "
                 "https://github.com/giltene/wrk2 and put it on PATH as wrk2, or give its path "
                 "with --tool-path (suite: tool_path)",
                 o);
  }

  void validate(const DriveRequest& req) const override {
    wrk2_command(req, req.duration, wrk2_calibration(req.point.clients), "x");
  }

  results::DriverResult run(const DriveRequest& req, DriveHooks& hooks, const CancelToken& cancel,
                            Clock& clock) override {
    (void)clock;
    const auto& o = req.options;
    const Nanos calibration = wrk2_calibration(req.point.clients);
    if (req.warmup > calibration) {
      // The calibration is a warm-up of its own; a separate short run does the rest.
      auto cmd = wrk2_command(req, req.warmup - calibration, Nanos{0}, "warmup-");
      write_generated_script(cmd);
      auto warm = run_tool(cmd.argv, o, req.out_dir / (req.artifact_prefix + "wrk2-warmup.txt"),
                           tool_time_limit(req.warmup - calibration, o), cancel);
      if (warm.cancelled) return partial();
      check_exit(warm, "warm-up", o);
    }
    auto cmd = wrk2_command(req, req.duration, calibration, "");
    write_generated_script(cmd);
    const auto rel_out = req.artifact_prefix + "wrk2.txt";
    // The monitor starts when wrk2's calibration ends (or when wrk2 exits, if sooner).
    ToolMark mark{calibration, [&] { hooks.on_measure_start(); }};
    auto run =
        run_tool(cmd.argv, o, req.out_dir / rel_out, tool_time_limit(req.duration + calibration, o),
                 cancel, mark, {{}, [&] { hooks.on_measure_end(); }});
    if (run.cancelled) return partial();
    check_exit(run, "measured run", o);
    auto r = parse_wrk2_output(run.output);
    record_tool_run(r, cmd.argv, o, rel_out, run);
    finish_wrk2_result(r, req.point.rate, calibration, o.max_error_rate);
    return r;
  }

 private:
  static results::DriverResult partial() {
    results::DriverResult r;
    r.driver = "wrk2";
    return r;
  }

  static void check_exit(const ToolRun& run, const char* what, const DriverOptions& o) {
    if (run.timed_out) {
      throw RunError(fmt::format("wrk2 ({}) did not finish in time and was stopped", what));
    }
    if (auto ssh = ssh_failure(run, o)) {
      throw RunError(fmt::format("{} ({}): {}", "wrk2", what, *ssh));
    }
    if (!run.status.success()) {
      std::string detail;
      try {
        parse_wrk2_output(run.output);
      } catch (const std::exception& e) {
        detail = e.what();
      }
      if (detail.empty()) detail = std::string(trim(run.output.substr(0, 500)));
      throw RunError(fmt::format("wrk2 ({}) {}: {}", what, run.status.describe(), detail));
    }
  }
};

}  // namespace

std::unique_ptr<Driver> make_wrk2_driver() {
  return std::make_unique<Wrk2Driver>();
}

}  // namespace benchgate::drivers
