// jmeter: a non-GUI JMeter run of a property-driven test plan (see jmeter_driver.h).

#include "drivers/jmeter_driver.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <tuple>

#include "core/error.h"
#include "core/parse.h"
#include "drivers/error_share.h"
#include "drivers/external.h"
#include "platform/fs.h"

namespace benchgate::drivers {

namespace {

std::string extra_or(const DriverOptions& o, const std::string& key) {
  auto it = o.extra.find(key);
  return it == o.extra.end() ? std::string() : it->second;
}

Nanos summariser_interval(const DriveRequest& req) {
  Nanos iv = req.interval;
  if (auto s = extra_or(req.options, "summariser_interval"); !s.empty()) {
    iv = with_context("jmeter: summariser_interval", [&] { return parse_duration(s); });
  }
  return std::max<Nanos>(iv, std::chrono::seconds(1));
}

}  // namespace

JmeterCommandSpec jmeter_command_spec(const DriveRequest& req) {
  const auto& o = req.options;
  if (req.point.rate > 0) {
    throw UsageError(
        "--rates: the jmeter driver is closed-loop (threads = clients); set a constant rate in "
        "the test plan (a throughput timer) or use --driver builtin or wrk2");
  }
  JmeterCommandSpec s;
  s.program = tool_program(o, "jmeter");
  s.plan = extra_or(o, "plan");
  if (s.plan.empty()) {
    throw UsageError(
        "jmeter: no test plan: set `plan` (a .jmx file) in the scenario or [defaults], or pass "
        "--jmeter-plan");
  }
  s.results = req.out_dir / (req.artifact_prefix + "jmeter.jtl");
  s.log = req.out_dir / (req.artifact_prefix + "jmeter.log");
  s.threads = req.point.clients;
  s.duration = req.warmup + req.duration;
  s.summariser_interval = summariser_interval(req);
  s.url = req.url;
  s.timeout = o.timeout;
  s.user_properties = extra_or(o, "user_properties");
  s.system_properties = extra_or(o, "system_properties");
  for (const auto& [k, v] : o.extra) {
    if (k.rfind(kJmeterPropertyPrefix, 0) == 0) {
      s.properties.emplace_back(k.substr(kJmeterPropertyPrefix.size()), v);
    }
  }
  return s;
}

results::DriverResult jmeter_run_result(std::string_view console, std::string_view jtl,
                                        std::string_view log, const DriveRequest& req) {
  JmeterSummaryOptions so;
  so.name = kJmeterSummariserName;
  so.warmup_s = to_seconds(req.warmup);
  so.interval_s = 0;  // inferred from what JMeter printed
  JmeterSummary summary;
  try {
    summary = parse_jmeter_summary(console, so);
  } catch (const ParseError&) {
    throw RunError(fmt::format("jmeter ran no test: {}", jmeter_failure_reason(console, log)));
  }
  std::optional<JtlStats> stats;
  std::string jtl_note;
  if (jtl.empty()) {
    jtl_note = "no JTL results file could be read (remote load host, or JMeter wrote none)";
  } else {
    JtlOptions jo;
    if (auto w = summary.window_ms()) std::tie(jo.from_ms, jo.to_ms) = *w;
    try {
      stats = parse_jtl_csv(jtl, jo);
    } catch (const ParseError& e) {
      throw ParseError(fmt::format("the JTL results file: {}", e.what()));
    }
    if (stats->samples == 0) {
      jtl_note =
          fmt::format("the JTL has no sample in the measured window ({} rows in all)", stats->rows);
      stats.reset();
    }
  }
  auto r = jmeter_result(summary, stats ? &*stats : nullptr);
  if (!jtl_note.empty()) {
    r.extra["jtl"] =
        jtl_note + ": latency has only the summariser's whole-millisecond mean/min/max";
  }
  const auto failed = r.extra.value("failed_samples", std::int64_t{0});
  if (summary.samples == 0) {
    r.invalid_reasons.push_back("JMeter completed no sample in the measured window");
  } else if (!check_error_share(r, req.options.max_error_rate)) {
    // The summariser's failed samples (failed assertions on 2xx/3xx responses included; the
    // JTL's codes cover a slightly different window).
    const double share = static_cast<double>(failed) / static_cast<double>(summary.samples);
    if (share > req.options.max_error_rate) {
      r.invalid_reasons.push_back(fmt::format("failed samples {:.2f}% is above {:.2f}%",
                                              share * 100, req.options.max_error_rate * 100));
    } else if (failed >= summary.samples) {
      r.invalid_reasons.push_back(fmt::format(
          "no successful sample: all {} samples failed (a load point without a successful "
          "response is invalid whatever max_error_rate is)",
          summary.samples));
    }
  }
  return r;
}

namespace {

class JmeterDriver final : public Driver {
 public:
  std::string name() const override { return "jmeter"; }

  void check_available(const DriverOptions& o) const override {
    require_tool(o.tool_path.empty() ? "jmeter" : o.tool_path,
                 "install Apache JMeter (5.x from jmeter.apache.org; Debian 12's jmeter 2.13 "
                 "package cannot load any test plan) and put its bin/ on PATH, or give its path "
                 "with --tool-path (suite: tool_path)",
                 o);
  }

  void validate(const DriveRequest& req) const override {
    auto spec = jmeter_command_spec(req);
    if (req.options.client_host.empty() && !std::filesystem::exists(spec.plan)) {
      throw UsageError(fmt::format("jmeter: the test plan {} does not exist", spec.plan.string()));
    }
    build_jmeter_command(spec);
  }

  results::DriverResult run(const DriveRequest& req, DriveHooks& hooks, const CancelToken& cancel,
                            Clock& clock) override {
    (void)clock;
    const auto& o = req.options;
    const auto spec = jmeter_command_spec(req);
    const auto cmd = build_jmeter_command(spec);
    std::error_code ec;
    std::filesystem::remove(spec.results, ec);  // JMeter appends to an existing JTL
    const auto rel_out = req.artifact_prefix + "jmeter.txt";
    // JMeter needs a few seconds to start its JVM: allow for that on top of the run.
    const Nanos limit = spec.duration + o.timeout + std::chrono::seconds(60);
    ToolMark mark{req.warmup, [&] { hooks.on_measure_start(); }};
    auto run = run_tool(cmd.argv, o, req.out_dir / rel_out, limit, cancel, mark,
                        {{}, [&] { hooks.on_measure_end(); }});
    if (run.cancelled) {
      results::DriverResult r;
      r.driver = "jmeter";
      return r;
    }
    if (run.timed_out) throw RunError("jmeter did not finish in time and was stopped");
    if (auto ssh = ssh_failure(run, o)) throw RunError("jmeter: " + *ssh);
    auto read = [](const std::filesystem::path& p) {
      try {
        return platform::read_file(p);
      } catch (...) {
        return std::string();
      }
    };
    const auto log = read(spec.log);
    if (!run.status.success()) {
      throw RunError(fmt::format("jmeter {}: {}", run.status.describe(),
                                 jmeter_failure_reason(run.output, log)));
    }
    auto r = jmeter_run_result(run.output, read(spec.results), log, req);
    record_tool_run(r, cmd.argv, o, rel_out, run);
    return r;
  }
};

}  // namespace

std::unique_ptr<Driver> make_jmeter_driver() {
  return std::make_unique<JmeterDriver>();
}

}  // namespace benchgate::drivers
