// wrk, wrk-pipeline and wrk-nokeepalive: closed-loop drivers built on wrk 4.x.
// wrk has no warm-up phase: a separate short wrk run does the warm-up, then the measured run's
// process lifetime is the measured window (the monitor brackets exactly that).

#include <fmt/format.h>

#include "core/error.h"
#include "core/parse.h"
#include "drivers/commands.h"
#include "drivers/driver.h"
#include "drivers/error_share.h"
#include "drivers/external.h"
#include "drivers/wrk_parse.h"
#include "platform/sysinfo.h"

namespace benchgate::drivers {

namespace {

enum class WrkVariant { kPlain, kPipeline, kNoKeepalive };

class WrkDriver final : public Driver {
 public:
  explicit WrkDriver(WrkVariant v) : variant_(v) {}

  std::string name() const override {
    switch (variant_) {
      case WrkVariant::kPipeline:
        return "wrk-pipeline";
      case WrkVariant::kNoKeepalive:
        return "wrk-nokeepalive";
      default:
        return "wrk";
    }
  }

  void check_available(const DriverOptions& o) const override {
    require_tool(tool_program(o, "wrk"),
                 "install it (Debian: apt-get install wrk) or use --driver builtin", o);
  }

  void validate(const DriveRequest& req) const override {
    if (req.point.rate > 0) {
      throw UsageError(
          fmt::format("--rates: the {} driver is closed-loop; use --driver builtin "
                      "or wrk2 for constant request rates",
                      name()));
    }
    build(req, req.duration, "x");  // throws UsageError for combinations wrk cannot do
    // wrk's -d is whole seconds: 100ms must not silently become 1s.
    check_wrk_whole_seconds(name(), "--duration", req.duration);
    if (req.warmup > Nanos::zero()) check_wrk_whole_seconds(name(), "--warmup", req.warmup);
  }

  results::DriverResult run(const DriveRequest& req, DriveHooks& hooks, const CancelToken& cancel,
                            Clock& clock) override {
    (void)clock;
    const auto& o = req.options;
    if (req.warmup > Nanos::zero()) {
      auto cmd = build(req, req.warmup, "warmup-");
      write_generated_script(cmd);
      auto warm = run_tool(cmd.argv, o, req.out_dir / (req.artifact_prefix + "wrk-warmup.txt"),
                           tool_time_limit(req.warmup, o), cancel);
      if (warm.cancelled) return partial();
      check_exit(warm, "warm-up", o);
    }
    auto cmd = build(req, req.duration, "");
    write_generated_script(cmd);
    const auto rel_out = req.artifact_prefix + "wrk.txt";
    // The monitor brackets the tool's own lifetime (over ssh: its remote lifetime).
    auto run =
        run_tool(cmd.argv, o, req.out_dir / rel_out, tool_time_limit(req.duration, o), cancel, {},
                 {[&] { hooks.on_measure_start(); }, [&] { hooks.on_measure_end(); }});
    if (run.cancelled) return partial();
    check_exit(run, "measured run", o);
    auto r = parse_wrk_output(run.output);
    r.driver = name();
    record_tool_run(r, cmd.argv, o, rel_out, run);
    // Non-2xx/3xx responses ("Non-2xx or 3xx responses: N") and socket errors.
    check_error_share(r, o.max_error_rate);
    return r;
  }

 private:
  results::DriverResult partial() const {
    results::DriverResult r;
    r.driver = name();
    return r;
  }

  ToolCommand build(const DriveRequest& req, Nanos duration, const std::string& tag) const {
    const auto& o = req.options;
    WrkCommandSpec s;
    s.program = tool_program(o, "wrk");
    s.url = req.url;
    s.connections = req.point.clients;
    s.threads = o.threads;
    s.driver_cpus =
        static_cast<int>(o.cpus.empty() ? platform::available_cpus().size() : o.cpus.size());
    s.duration = duration;
    s.timeout = o.timeout;
    s.keepalive = o.keepalive && variant_ != WrkVariant::kNoKeepalive;
    s.pipeline = variant_ == WrkVariant::kPipeline
                     ? (o.pipeline > 1 ? o.pipeline : kDefaultPipelineDepth)
                     : o.pipeline;
    s.method = o.method;
    s.headers = o.headers;
    s.body = o.body;
    s.script = o.script;
    s.script_args = o.script_args;
    if (s.pipeline > 1 && s.script.empty()) s.script_args = {std::to_string(s.pipeline)};
    s.generated_script_path = req.out_dir / (req.artifact_prefix + tag + "wrk.lua");
    return build_wrk_command(s);
  }

  void check_exit(const ToolRun& run, const char* what, const DriverOptions& o) const {
    if (run.timed_out) {
      throw RunError(fmt::format("{} ({}) did not finish in time and was stopped", name(), what));
    }
    if (auto ssh = ssh_failure(run, o)) {
      throw RunError(fmt::format("{} ({}): {}", name(), what, *ssh));
    }
    if (!run.status.success()) {
      std::string detail;
      try {
        parse_wrk_output(run.output);
      } catch (const std::exception& e) {
        detail = e.what();
      }
      if (detail.empty()) detail = std::string(trim(run.output.substr(0, 500)));
      throw RunError(fmt::format("{} ({}) {}: {}", name(), what, run.status.describe(), detail));
    }
  }

  WrkVariant variant_;
};

}  // namespace

std::unique_ptr<Driver> make_wrk_driver(const std::string& variant) {
  if (variant == "wrk-pipeline") return std::make_unique<WrkDriver>(WrkVariant::kPipeline);
  if (variant == "wrk-nokeepalive") return std::make_unique<WrkDriver>(WrkVariant::kNoKeepalive);
  return std::make_unique<WrkDriver>(WrkVariant::kPlain);
}

}  // namespace benchgate::drivers
