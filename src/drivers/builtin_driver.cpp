#include "drivers/builtin_driver.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"
#include "core/parse.h"
#include "core/url.h"
#include "drivers/error_share.h"

namespace benchgate::drivers {
namespace {

class BuiltinDriver final : public Driver {
 public:
  std::string name() const override { return "builtin"; }
  bool open_loop() const override { return true; }
  void check_available(const DriverOptions&) const override {}  // built in, always there

  void validate(const DriveRequest& request) const override {
    if (!request.options.client_host.empty()) {
      // There is no remote half of the builtin driver (no `benchgate loadgen` subcommand):
      // running it here would silently measure from the wrong host.
      throw UsageError(fmt::format(
          "--client-host: the builtin driver runs inside benchgate and cannot run on {}; use "
          "--driver wrk, wrk2 or jmeter (installed on that host), or drop --client-host",
          request.options.client_host));
    }
    (void)builtin_engine_config(request);
  }

  results::DriverResult run(const DriveRequest& request, DriveHooks& hooks,
                            const CancelToken& cancel, Clock& clock) override {
    const auto config = builtin_engine_config(request);
    auto engine =
        with_context("builtin driver", [&] { return std::make_unique<loadgen::Engine>(config); });
    loadgen::EngineHooks eh;
    eh.on_measure_start = [&] { hooks.on_measure_start(); };
    eh.on_measure_end = [&] { hooks.on_measure_end(); };
    if (hooks.on_interval) eh.on_interval = [&](double rate) { hooks.on_interval(rate); };
    const auto r = engine->run(cancel, clock, eh);
    auto out = builtin_driver_result(r, config, request.options.max_error_rate);
    out.extra["threads_used"] = engine->thread_count();
    return out;
  }
};

std::string percent(double fraction) {
  return fmt::format("{:.1f} %", fraction * 100);
}

}  // namespace

std::unique_ptr<Driver> make_builtin_driver() {
  return std::make_unique<BuiltinDriver>();
}

loadgen::EngineConfig builtin_engine_config(const DriveRequest& request) {
  const auto& o = request.options;
  loadgen::EngineConfig c;
  c.url = request.url;
  c.method = o.method.empty() ? "GET" : o.method;
  c.headers = o.headers;
  c.body = o.body;
  c.connections = request.point.clients;
  c.threads = o.threads;
  c.cpus = o.cpus;
  c.pipeline = o.pipeline;
  c.keepalive = o.keepalive;
  c.timeout = o.timeout;
  c.rate = request.point.rate;
  c.warmup = request.warmup;
  c.duration = request.duration;
  c.interval = request.interval;
  c.tls_verify = o.tls_verify;
  c.request_count = request.request_count;
  const Url url = with_context("--url", [&] { return parse_url(request.url); });
  if (c.connections < 1) throw UsageError("--connections: expected at least 1 connection");
  if (c.pipeline < 1 || c.pipeline > 1024) {
    throw UsageError(fmt::format("--pipeline: expected 1-1024, got {}", c.pipeline));
  }
  if (!c.keepalive && c.pipeline > 1) {
    throw UsageError("--pipeline: pipelining needs keep-alive (drop --no-keepalive)");
  }
  if (c.rate < 0) throw UsageError("--rates: a rate must be positive");
  if (c.timeout <= Nanos::zero()) throw UsageError("--timeout: must be positive");
  if (c.duration <= Nanos::zero()) throw UsageError("--duration: must be positive");
  if (c.interval <= Nanos::zero()) c.interval = std::chrono::seconds(1);
  if (!o.requests_file.empty()) {
    c.requests = with_context("--requests-file",
                              [&] { return loadgen::load_request_list(o.requests_file, url); });
  }
  return c;
}

results::LatencyStats latency_stats(const LatencyHistogram& h) {
  results::LatencyStats s;
  s.count = h.count();
  if (h.empty()) return s;
  s.min = static_cast<double>(h.min_ns()) / 1e9;
  s.max = static_cast<double>(h.max_ns()) / 1e9;
  s.mean = h.mean_ns() / 1e9;
  s.stdev = h.stdev_ns() / 1e9;
  static const std::pair<const char*, double> kQuantiles[] = {
      {"50", 0.5},     {"75", 0.75},      {"90", 0.9},        {"99", 0.99},
      {"99.9", 0.999}, {"99.99", 0.9999}, {"99.999", 0.99999}};
  for (const auto& [key, q] : kQuantiles)
    s.percentiles[key] = h.quantile_ns(q) / 1e9;
  s.histogram = h.encode();
  return s;
}

results::DriverResult builtin_driver_result(const loadgen::EngineResult& r,
                                            const loadgen::EngineConfig& config,
                                            double max_error_rate) {
  results::DriverResult out;
  out.driver = "builtin";
  out.duration_s = r.duration_s;
  out.target_rate = config.rate;
  if (!r.window_started) return out;  // cancelled during warm-up: nothing measured

  out.requests = r.responses;
  out.non_2xx_3xx = r.responses - r.success;
  for (std::size_t code = 0; code < r.status.size(); ++code) {
    if (r.status[code]) out.status_codes[std::to_string(code)] = r.status[code];
  }
  out.errors.connect = r.errors.connect;
  out.errors.read = r.errors.read;
  out.errors.write = r.errors.write;
  out.errors.timeout = r.errors.timeout;
  out.errors.parse = r.errors.parse;
  out.reconnects = r.reconnects;
  out.bytes_read = static_cast<double>(r.bytes_read);
  out.bytes_written = static_cast<double>(r.bytes_written);
  out.throughput = r.duration_s > 0 ? static_cast<double>(r.success) / r.duration_s : 0.0;
  out.latency = latency_stats(r.latency);
  if (config.rate > 0) out.latency_uncorrected = latency_stats(r.service);
  out.trace_interval_s = r.interval_s;
  for (std::size_t i = 0; i < r.success_per_interval.size(); ++i) {
    const bool last = i + 1 == r.success_per_interval.size();
    const double len = last ? r.last_interval_s : r.interval_s;
    out.throughput_trace.push_back(len > 0 ? static_cast<double>(r.success_per_interval[i]) / len
                                           : 0.0);
  }
  out.driver_cpu_s = r.driver_cpu_s;

  // Self-honesty.
  if (r.duration_s > 0) {
    for (std::size_t i = 0; i < r.threads.size(); ++i) {
      const double share = r.threads[i].cpu_s / r.duration_s;
      if (share >= kSaturatedThreadShare) {
        out.invalid_reasons.push_back(fmt::format(
            "driver thread {}{} was CPU-saturated ({} of the window): the load generator, "
            "not the app, may have been the bottleneck (give the driver more CPUs or fewer "
            "connections per thread)",
            i, r.threads[i].cpu >= 0 ? fmt::format(" (CPU {})", r.threads[i].cpu) : "",
            percent(share)));
      }
    }
  }
  if (config.rate > 0 && r.duration_s > 0) {
    const double achieved = static_cast<double>(r.responses) / r.duration_s;
    if (achieved < config.rate * (1 - kRateShortfall)) {
      out.invalid_reasons.push_back(fmt::format(
          "open loop reached {:.1f} requests/s, {} below the {:g} requests/s target (more "
          "than {} short: the server or the driver could not keep up)",
          achieved, percent(1 - achieved / config.rate), config.rate, percent(kRateShortfall)));
    }
  }
  // Errors (non-2xx/3xx, socket errors, timeouts) above max_error_rate, or no successful
  // response at all. A cancelled period is interrupted whatever it measured.
  if (!r.cancelled && check_error_share(out, max_error_rate) && !r.first_error.empty()) {
    out.invalid_reasons.back() += "; first socket error: " + r.first_error;
  }

  auto& x = out.extra;
  x["connections"] = config.connections;
  x["pipeline"] = config.pipeline;
  // What happened, not what was asked: a server that closes after each response makes every
  // request open a connection even when keep-alive was requested.
  const std::int64_t sent_total = r.sent_reused + r.sent_fresh;
  x["keepalive_requested"] = config.keepalive;
  x["keepalive"] = r.sent_reused > 0;
  x["keepalive_reused"] =
      sent_total > 0 ? static_cast<double>(r.sent_reused) / static_cast<double>(sent_total) : 0.0;
  x["connections_opened"] = r.connections_opened;
  x["requests_sent"] = r.sent;
  if (!r.connect_time.empty()) {
    x["connect_time"] = {{"count", r.connect_time.count()},
                         {"mean_s", r.connect_time.mean_ns() / 1e9},
                         {"p50_s", r.connect_time.quantile_ns(0.5) / 1e9},
                         {"p99_s", r.connect_time.quantile_ns(0.99) / 1e9},
                         {"max_s", static_cast<double>(r.connect_time.max_ns()) / 1e9}};
  }
  x["latency_from"] = config.rate > 0
                          ? "intended send time (coordinated omission corrected)"
                          : "send time; for a request on a new connection, the start of connecting";
  if (config.rate > 0) x["open_loop_late"] = r.open_loop_late;
  if (!r.first_error.empty()) x["first_error"] = r.first_error;
  if (config.request_count > 0) {
    x["request_count"] = config.request_count;
    x["count_reached"] = r.count_reached;
  }
  auto threads = nlohmann::json::array();
  for (const auto& t : r.threads) {
    threads.push_back({{"cpu", t.cpu},
                       {"connections", t.connections},
                       {"cpu_s", t.cpu_s},
                       {"busy", r.duration_s > 0 ? t.cpu_s / r.duration_s : 0.0}});
  }
  x["threads"] = threads;
  return out;
}

}  // namespace benchgate::drivers
