#include "loadgen/engine.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstring>
#include <thread>

#include "core/error.h"
#include "core/parse.h"
#include "loadgen/http_parser.h"
#include "loadgen/worker.h"

namespace benchgate::loadgen {

using detail::available_cpu_count;
using detail::cpu_clock_ns;
using detail::errno_text;
using detail::is_ip_literal;
using detail::kNever;
using detail::mono_ns;
using detail::ssl_error_text;
using detail::Worker;

Engine::Engine(EngineConfig config) : config_(std::move(config)), shared_(new Shared) {
  auto& c = config_;
  if (c.connections < 1) throw ParseError("connections must be at least 1");
  if (c.pipeline < 1 || c.pipeline > 1024) throw ParseError("pipeline must be 1-1024");
  if (!c.keepalive && c.pipeline > 1) {
    throw ParseError("pipelining needs keep-alive (pipeline > 1 with Connection: close)");
  }
  if (c.rate < 0 || !std::isfinite(c.rate)) throw ParseError("rate must be >= 0");
  if (c.duration <= Nanos::zero()) throw ParseError("duration must be positive");
  if (c.interval <= Nanos::zero()) throw ParseError("interval must be positive");
  if (c.timeout <= Nanos::zero()) throw ParseError("timeout must be positive");
  if (c.warmup < Nanos::zero()) throw ParseError("warm-up must not be negative");
  if (c.threads < 0) throw ParseError("threads must be >= 0");
  if (c.request_count < 0) throw ParseError("request count must be >= 0");
  if (c.request_count > 0 && c.rate > 0) {
    throw ParseError("a request count needs closed-loop load (no rate)");
  }
  for (int cpu : c.cpus) {
    if (cpu < 0 || cpu >= CPU_SETSIZE) throw ParseError(fmt::format("bad CPU {}", cpu));
  }

  auto& sh = *shared_;
  sh.url = parse_url(c.url);
  std::vector<RequestSpec> specs;
  if (c.requests.requests.empty()) {
    RequestSpec one;
    one.method = c.method;
    one.target = sh.url.target;
    one.body = c.body;
    specs.push_back(one);
    sh.selection = Selection::kRoundRobin;
  } else {
    specs = c.requests.requests;
    sh.selection = c.requests.selection;
  }
  for (const auto& s : specs) {
    if (s.method.empty()) throw ParseError("empty method");
    sh.wire.push_back(serialize_request(s, c.headers, sh.url, c.keepalive));
    sh.head.push_back(s.method == "HEAD" ? 1 : 0);
    sh.weights.push_back(std::max(1, s.weight));
  }

  threads_ = c.threads > 0
                 ? c.threads
                 : (!c.cpus.empty() ? static_cast<int>(c.cpus.size()) : available_cpu_count());
  threads_ = std::clamp(threads_, 1, c.connections);

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const std::string port = std::to_string(sh.url.port);
  if (int rc = ::getaddrinfo(sh.url.host.c_str(), port.c_str(), &hints, &res); rc != 0) {
    throw RunError(fmt::format("cannot resolve '{}': {}", sh.url.host, ::gai_strerror(rc)));
  }
  // Prefer IPv4 ("localhost" often resolves to ::1 first while apps listen on 127.0.0.1).
  const addrinfo* pick = res;
  for (const addrinfo* a = res; a != nullptr; a = a->ai_next) {
    if (a->ai_family == AF_INET) {
      pick = a;
      break;
    }
  }
  std::memcpy(&sh.addr, pick->ai_addr, pick->ai_addrlen);
  sh.addrlen = pick->ai_addrlen;
  sh.family = pick->ai_family;
  ::freeaddrinfo(res);

  if (sh.url.tls()) {
    sh.ssl_ctx = SSL_CTX_new(TLS_client_method());
    if (sh.ssl_ctx == nullptr) throw RunError("cannot create a TLS context: " + ssl_error_text());
    SSL_CTX_set_min_proto_version(sh.ssl_ctx, TLS1_2_VERSION);
    SSL_CTX_set_mode(sh.ssl_ctx,
                     SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (c.tls_verify) {
      SSL_CTX_set_verify(sh.ssl_ctx, SSL_VERIFY_PEER, nullptr);
      if (SSL_CTX_set_default_verify_paths(sh.ssl_ctx) != 1) {
        throw RunError("cannot load the system CA certificates: " + ssl_error_text());
      }
    } else {
      SSL_CTX_set_verify(sh.ssl_ctx, SSL_VERIFY_NONE, nullptr);
    }
    sh.sni = !is_ip_literal(sh.url.host);
  }
  sh.stop_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (sh.stop_fd < 0) throw RunError("eventfd: " + errno_text(errno));
}

Engine::~Engine() = default;

EngineResult Engine::run(const CancelToken& cancel, Clock& clock, const EngineHooks& hooks) {
  if (config_.request_count > 0) return run_counted(cancel, clock);
  auto& sh = *shared_;
  detail::reset_run(sh, kNever);

  const auto& c = config_;
  auto workers = detail::make_workers(c, sh, threads_);
  auto threads = detail::start_threads(workers);
  auto cpu_now = [&](Worker& w) {
    clockid_t id;
    if (::pthread_getcpuclockid(w.handle_, &id) != 0) return std::int64_t{0};
    return cpu_clock_ns(id);
  };

  EngineResult out;
  std::vector<std::int64_t> cpu_start(workers.size(), 0);
  std::int64_t t_start = 0, t_end = 0;
  const Nanos begin = clock.now();
  bool ok = clock.wait_until(begin + c.warmup, &cancel);
  if (ok) {
    t_start = mono_ns();
    for (std::size_t i = 0; i < workers.size(); ++i)
      cpu_start[i] = cpu_now(*workers[i]);
    sh.window_start.store(t_start, std::memory_order_release);
    out.window_started = true;
    if (hooks.on_measure_start) hooks.on_measure_start();
    const Nanos window_begin = clock.now();
    const Nanos window_close = window_begin + c.duration;
    if (!hooks.on_interval) {
      ok = clock.wait_until(window_close, &cancel);
    } else {
      std::int64_t last = 0;
      for (Nanos edge = window_begin + c.interval; ok; edge += c.interval) {
        ok = clock.wait_until(std::min(edge, window_close), &cancel);
        if (!ok || edge >= window_close) break;
        std::int64_t total = 0;
        for (auto& w : workers)
          total += w->live_success_.load(std::memory_order_relaxed);
        hooks.on_interval(static_cast<double>(total - last) / to_seconds(c.interval));
        last = total;
      }
    }
    t_end = mono_ns();
    sh.window_end.store(t_end, std::memory_order_release);
    for (std::size_t i = 0; i < workers.size(); ++i) {
      workers[i]->result().threads[0].cpu_s =
          static_cast<double>(cpu_now(*workers[i]) - cpu_start[i]) / 1e9;
    }
    if (hooks.on_measure_end) hooks.on_measure_end();
  }
  out.cancelled = !ok;
  detail::stop_and_join(sh, threads);

  out.duration_s = out.window_started ? static_cast<double>(t_end - t_start) / 1e9 : 0.0;
  out.interval_s = to_seconds(c.interval);
  const std::int64_t window_ns = out.window_started ? t_end - t_start : 0;
  const std::int64_t iv = c.interval.count();
  auto n_full = static_cast<std::size_t>(window_ns / iv);
  const std::int64_t rest = window_ns - static_cast<std::int64_t>(n_full) * iv;
  // A partial last interval of over a quarter interval is kept as its own entry; a shorter
  // one (typically the few ms the window overran) is folded into the last full interval.
  std::size_t n_entries = n_full;
  if (rest * 4 > iv || n_full == 0) ++n_entries;
  if (window_ns == 0) n_entries = 0;
  out.success_per_interval.assign(n_entries, 0);
  out.last_interval_s =
      n_entries > n_full ? static_cast<double>(rest) / 1e9 : static_cast<double>(iv + rest) / 1e9;

  for (auto& w : workers) {
    auto& r = w->result();
    detail::add_counts(out, r);
    for (std::size_t i = 0; i < r.success_per_interval.size() && n_entries > 0; ++i) {
      out.success_per_interval[std::min(i, n_entries - 1)] += r.success_per_interval[i];
    }
  }
  return out;
}

}  // namespace benchgate::loadgen
