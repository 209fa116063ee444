// loadgen-cli: the built-in load generator without the rest of benchgate, for the peer
// comparison scripts (bench/loadgen_vs_wrk.sh, bench/loadgen_memory.sh) and quick manual runs.
//
//   loadgen-cli URL [-c N] [-t N] [-d 5s] [--warmup 0s] [--rate R] [--pipeline P]
//               [--no-keepalive] [--cpus 1] [--timeout 2s] [-H 'Name: value']
//               [--method M] [--body TEXT] [--requests FILE] [--max-requests N]
//
// Prints one "key value" per line (machine-readable) and exits 0, or 2 on bad usage.

#include <fmt/format.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "core/cancel.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/parse.h"
#include "core/url.h"
#include "loadgen/engine.h"

using namespace benchgate;

int main(int argc, char** argv) {
  loadgen::EngineConfig cfg;
  cfg.duration = std::chrono::seconds(5);
  std::string requests_file;
  try {
    std::vector<std::string> args(argv + 1, argv + argc);
    for (std::size_t i = 0; i < args.size(); ++i) {
      const std::string& a = args[i];
      auto val = [&]() -> const std::string& {
        if (i + 1 >= args.size()) throw UsageError(a + " needs a value");
        return args[++i];
      };
      if (a == "-c") {
        cfg.connections = static_cast<int>(parse_int(val()));
      } else if (a == "-t") {
        cfg.threads = static_cast<int>(parse_int(val()));
      } else if (a == "-d") {
        cfg.duration = parse_duration(val());
      } else if (a == "--warmup") {
        cfg.warmup = parse_duration(val());
      } else if (a == "--rate") {
        cfg.rate = parse_double(val());
      } else if (a == "--pipeline") {
        cfg.pipeline = static_cast<int>(parse_int(val()));
      } else if (a == "--no-keepalive") {
        cfg.keepalive = false;
      } else if (a == "--cpus") {
        cfg.cpus = parse_cpu_list(val());
      } else if (a == "--timeout") {
        cfg.timeout = parse_duration(val());
      } else if (a == "--interval") {
        cfg.interval = parse_duration(val());
      } else if (a == "-H") {
        const std::string& h = val();
        const auto colon = h.find(':');
        if (colon == std::string::npos) throw UsageError("-H expects 'Name: value'");
        cfg.headers.emplace_back(h.substr(0, colon), std::string(trim(h.substr(colon + 1))));
      } else if (a == "--method") {
        cfg.method = val();
      } else if (a == "--body") {
        cfg.body = val();
      } else if (a == "--requests") {
        requests_file = val();
      } else if (a == "--tls-verify") {
        cfg.tls_verify = true;
      } else if (!a.empty() && a[0] == '-') {
        throw UsageError("unknown option " + a);
      } else {
        cfg.url = a;
      }
    }
    if (cfg.url.empty()) throw UsageError("missing URL");
    if (!requests_file.empty()) {
      cfg.requests = loadgen::load_request_list(requests_file, parse_url(cfg.url));
    }
    loadgen::Engine engine(cfg);
    CancelToken cancel;
    const auto r = engine.run(cancel, system_clock());
    const double d = r.duration_s > 0 ? r.duration_s : 1;
    fmt::print("threads {}\nconnections {}\nduration_s {:.6f}\n", engine.thread_count(),
               cfg.connections, r.duration_s);
    fmt::print("responses {}\nsuccess {}\nsent {}\nrps {:.1f}\n", r.responses, r.success, r.sent,
               r.success / d);
    fmt::print("errors_connect {}\nerrors_read {}\nerrors_write {}\nerrors_timeout {}\n",
               r.errors.connect, r.errors.read, r.errors.write, r.errors.timeout);
    fmt::print("errors_parse {}\nreconnects {}\nconnections_opened {}\n", r.errors.parse,
               r.reconnects, r.connections_opened);
    fmt::print("bytes_read {}\nbytes_written {}\ndriver_cpu_s {:.6f}\n", r.bytes_read,
               r.bytes_written, r.driver_cpu_s);
    fmt::print("cpu_us_per_request {:.3f}\n",
               r.responses ? r.driver_cpu_s * 1e6 / static_cast<double>(r.responses) : 0.0);
    for (double q : {0.5, 0.9, 0.99, 0.999}) {
      fmt::print("latency_p{} {:.1f}us\n", q * 100, r.latency.quantile_ns(q) / 1e3);
    }
    if (cfg.rate > 0) {
      for (double q : {0.5, 0.99}) {
        fmt::print("service_p{} {:.1f}us\n", q * 100, r.service.quantile_ns(q) / 1e3);
      }
      fmt::print("late {}\n", r.open_loop_late);
    }
    fmt::print("latency_max {:.1f}us\n", static_cast<double>(r.latency.max_ns()) / 1e3);
    for (std::size_t i = 0; i < r.status.size(); ++i) {
      if (r.status[i]) fmt::print("status_{} {}\n", i, r.status[i]);
    }
    if (!r.first_error.empty()) fmt::print("first_error {}\n", r.first_error);
    std::string trace;
    for (auto v : r.success_per_interval)
      trace += fmt::format("{} ", v);
    fmt::print("trace {}\n", trace);
    return 0;
  } catch (const Error& e) {
    std::cerr << "loadgen-cli: " << e.what() << "\n";
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    std::cerr << "loadgen-cli: " << e.what() << "\n";
    return 2;
  }
}
