#pragma once
// The built-in HTTP/1.1 load generator: one epoll event loop per thread, connections spread
// across threads, closed loop (each connection sends as fast as the server answers, up to
// `pipeline` requests in flight) or open loop (a fixed schedule at `rate` requests/s, spread
// over each thread's connections; latency measured from each request's intended send time,
// coordinated-omission corrected like wrk2, plus the uncorrected service time).
//
// Timing: the injected Clock paces only the coarse schedule (end of warm-up, end of the
// measured window, cancellation). The event loops read CLOCK_MONOTONIC directly (vDSO, tens
// of ns), which is also what system_clock() uses, so their timestamps and the window edges
// share one time base. With a FakeClock the window is as long as the fake waits take.
//
// Hot path (level-triggered epoll): a connection is registered once; EPOLLOUT is only armed
// after a short write. Per keep-alive response the loop makes one recv() (a short read means
// the socket is drained, so no EAGAIN read follows) and one send() of the next request(s),
// plus a share of one epoll_pwait2() per batch of ready connections, and one clock read. wrk
// adds two epoll_ctl() per request. Open-loop sends wait in epoll_pwait2() with a nanosecond
// timeout (thread timer slack set to 1 ns), not a millisecond timer.
//
// Memory is fixed after start-up: per connection an in-flight ring of `pipeline` slots and a
// request buffer; per thread two LatencyHistograms, status counters and the trace array.

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/cancel.h"
#include "core/clock.h"
#include "core/histogram.h"
#include "loadgen/request.h"

namespace benchgate::loadgen {

struct EngineConfig {
  std::string url;  ///< http:// or https://; its path is the default request target
  /// Single request (used when `requests` is empty): method, extra headers, body.
  std::string method = "GET";
  HeaderList headers;
  std::string body;
  /// Optional request list (see request.h); headers above are added to each entry.
  RequestList requests;
  int connections = 1;
  int threads = 0;        ///< 0: one per CPU in `cpus`, else one per available CPU
  std::vector<int> cpus;  ///< pin thread i to cpus[i % n]; empty: not pinned
  int pipeline = 1;       ///< requests in flight per connection
  bool keepalive = true;  ///< false: "Connection: close" and a new connection per request
  Nanos timeout = std::chrono::seconds(2);  ///< per request (and per connect)
  double rate = 0;                          ///< open loop requests/s in total; 0: closed loop
  Nanos warmup = Nanos::zero();
  Nanos duration = std::chrono::seconds(10);
  Nanos interval = std::chrono::seconds(1);  ///< throughput trace resolution
  bool tls_verify = false;                   ///< https: verify certificate and host name
  std::size_t max_header_bytes = 64 * 1024;  ///< larger header blocks are parse errors
  /// Request-count mode (closed loop only): > 0 sends exactly this many requests in all,
  /// then stops once each has been answered or has failed. No warm-up and no time window:
  /// every request counts, and `duration` is only the time limit (reached: count_reached is
  /// false and the result says how far it got).
  std::int64_t request_count = 0;
};

struct ErrorCounts {
  std::int64_t connect = 0, read = 0, write = 0, timeout = 0, parse = 0;
  std::int64_t total() const { return connect + read + write + timeout + parse; }
};

struct ThreadStats {
  int cpu = -1;  ///< pinned CPU or -1
  int connections = 0;
  double cpu_s = 0;  ///< thread CPU time within the measured window
};

/// Everything measured in the window [warm-up end, warm-up end + duration).
struct EngineResult {
  double duration_s = 0;   ///< measured window length (0 when cancelled during warm-up)
  bool cancelled = false;  ///< the cancel token fired before the window ended
  bool window_started = false;
  std::int64_t responses = 0;              ///< complete responses, any status
  std::int64_t success = 0;                ///< 2xx and 3xx
  std::int64_t sent = 0;                   ///< requests fully written
  std::array<std::int64_t, 600> status{};  ///< index = status code
  ErrorCounts errors;
  std::int64_t reconnects = 0;          ///< connections re-opened other than by design
  std::int64_t connections_opened = 0;  ///< successful connects (close mode: one per request)
  /// Connection set-up times of the connects that completed in the window: from connect() to
  /// open (TCP, plus the TLS handshake for https).
  LatencyHistogram connect_time;
  /// Requests sent in the window on a connection that had already carried a request
  /// (keep-alive reuse) and on a fresh one.
  std::int64_t sent_reused = 0, sent_fresh = 0;
  std::int64_t bytes_read = 0, bytes_written = 0;
  /// Open loop: from the intended send time. Closed loop: from the send, or, for a request
  /// that had to wait for a new connection (its first on that connection), from the start of
  /// connecting (as wrk2 and k6 count it), so connection-per-request servers are not flattered.
  LatencyHistogram latency;
  LatencyHistogram service;         ///< from actual send time (open loop only)
  std::int64_t open_loop_late = 0;  ///< open loop: requests sent ≥ 1 ms after their slot
  double interval_s = 0;
  /// Successful responses per interval; the last entry may cover a shorter or longer span.
  std::vector<std::int64_t> success_per_interval;
  double last_interval_s = 0;  ///< length of the last entry's span
  double driver_cpu_s = 0;     ///< sum over threads
  std::vector<ThreadStats> threads;
  std::string first_error;  ///< description of the first error seen (diagnostics)
  /// Request-count mode: every one of the request_count requests was sent and then answered
  /// or failed, within the time limit (responses + errors then account for all of them).
  bool count_reached = false;
};

/// Called on the thread that calls Engine::run().
struct EngineHooks {
  std::function<void()> on_measure_start;  ///< right at the window's start
  std::function<void()> on_measure_end;    ///< right at the window's end
  /// At each interval edge inside the window: the last interval's successful responses/s.
  std::function<void(double)> on_interval;
};

class Engine {
 public:
  /// Validates the configuration, resolves the host and prepares requests and TLS. Throws
  /// ParseError for bad values and RunError when the host cannot be resolved or TLS set up.
  explicit Engine(EngineConfig config);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  const EngineConfig& config() const { return config_; }
  int thread_count() const { return threads_; }

  /// Drives warm-up then the measured window; returns early (partial result, cancelled set)
  /// within a few ms of `cancel` firing.
  EngineResult run(const CancelToken& cancel, Clock& clock, const EngineHooks& hooks = {});

  struct Shared;  // implementation detail (worker.h)

 private:
  EngineResult run_counted(const CancelToken& cancel, Clock& clock);  // counted.cpp

  EngineConfig config_;
  int threads_ = 1;
  std::unique_ptr<Shared> shared_;
};

}  // namespace benchgate::loadgen
