#pragma once
// Internal to the built-in load generator (engine.cpp, worker.cpp): the state the engine
// shares with its worker threads, one connection's state, and the per-thread Worker that
// runs one epoll event loop over its share of the connections. Not part of the interface.

#include <netinet/in.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <climits>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/url.h"
#include "loadgen/engine.h"
#include "loadgen/http_parser.h"
#include "loadgen/request.h"

namespace benchgate::loadgen {
namespace detail {

constexpr std::int64_t kNever = INT64_MAX;
constexpr std::size_t kReadBuf = 64 * 1024;
constexpr int kMaxEvents = 256;
constexpr std::int64_t kLateNs = 1'000'000;

inline std::int64_t mono_ns() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

std::int64_t cpu_clock_ns(clockid_t id);
std::string errno_text(int e);
std::string ssl_error_text();
int available_cpu_count();
bool is_ip_literal(const std::string& host);

}  // namespace detail

struct Engine::Shared {
  Url url;
  sockaddr_storage addr{};
  socklen_t addrlen = 0;
  int family = AF_INET;
  std::vector<std::string> wire;   // serialized requests
  std::vector<std::uint8_t> head;  // request i is HEAD
  std::vector<int> weights;
  Selection selection = Selection::kRoundRobin;
  SSL_CTX* ssl_ctx = nullptr;
  bool sni = false;

  std::atomic<std::int64_t> window_start{detail::kNever};
  std::atomic<std::int64_t> window_end{detail::kNever};
  std::atomic<bool> stop{false};
  /// Request-count mode: requests still to be sent (EngineConfig::request_count).
  std::atomic<std::int64_t> budget{0};
  int stop_fd = -1;

  ~Shared() {
    if (ssl_ctx) SSL_CTX_free(ssl_ctx);
    if (stop_fd >= 0) ::close(stop_fd);
  }
};

namespace detail {

struct Slot {
  std::int64_t intended;
  std::int64_t sent;
  std::uint32_t req;
};

struct Conn {
  enum class St : std::uint8_t { kDown, kConnecting, kHandshake, kOpen };
  int fd = -1;
  SSL* ssl = nullptr;
  St st = St::kDown;
  bool want_out = false;  // EPOLLOUT registered
  bool sent_one = false;  // close mode: this connection has had its request
  bool in_ready = false;  // open loop: queued in the ready ring
  bool fresh = false;     // open, and no request has been put on it yet
  std::uint32_t head = 0, count = 0;
  std::int64_t since = 0;     // connect start
  std::int64_t retry_at = 0;  // kDown: when to reconnect
  std::vector<Slot> ring;
  std::string out;
  std::size_t out_off = 0;
  ResponseParser parser;
};

enum class ErrKind { kConnect, kRead, kWrite, kTimeout, kParse };

class Worker {
 public:
  Worker(const EngineConfig& cfg, Engine::Shared& sh, int index, int nthreads, int first_conn,
         int nconns, int cpu)
      : cfg_(cfg),
        sh_(sh),
        index_(index),
        cpu_(cpu),
        conns_(static_cast<std::size_t>(nconns)),
        selector_(sh.weights, sh.selection) {
    pipeline_ = static_cast<std::uint32_t>(cfg.keepalive ? cfg.pipeline : 1);
    for (auto& c : conns_) {
      c.ring.resize(pipeline_);
      c.parser = ResponseParser(cfg.max_header_bytes);
      c.out.reserve(1024);
    }
    ready_.resize(conns_.size() + 1);
    timeout_ns_ = cfg.timeout.count();
    tick_ns_ = std::clamp<std::int64_t>(timeout_ns_ / 10, 1'000'000, 50'000'000);
    interval_ns_ = std::max<std::int64_t>(1, cfg.interval.count());
    const auto n_intervals =
        static_cast<std::size_t>((cfg.duration.count() + interval_ns_ - 1) / interval_ns_);
    trace_.assign(n_intervals + 2, 0);
    if (cfg.rate > 0) {
      // This thread's share of the schedule, offset so the threads interleave evenly.
      const double share = static_cast<double>(nconns) / cfg.connections;
      period_ns_ = 1e9 / (cfg.rate * share);
      offset_ns_ = static_cast<std::int64_t>(1e9 / cfg.rate * first_conn);
      (void)nthreads;
    }
    res_.threads.push_back(ThreadStats{cpu, nconns, 0});
  }

  void run();
  EngineResult& result() { return res_; }

 private:
  bool open_loop() const { return period_ns_ > 0; }
  std::int64_t tick_now() { return now_ = mono_ns(); }
  bool in_window(std::int64_t t) const { return t >= ws_ && t < we_; }

  void connect(Conn& c, std::int64_t now);
  void on_connected(Conn& c, std::int64_t now);
  void continue_handshake(Conn& c, std::int64_t now);
  void set_open(Conn& c, std::int64_t now);
  void set_want_out(Conn& c, bool on);
  void handle(Conn& c, std::uint32_t events);
  void do_read(Conn& c);
  bool consume(Conn& c, const char* data, std::size_t n, std::int64_t now);
  void complete(Conn& c, std::int64_t now);
  void on_eof(Conn& c, std::int64_t now);
  void enqueue(Conn& c, std::int64_t intended, std::int64_t now);
  void fill_closed(Conn& c, std::int64_t now);
  bool flush(Conn& c, std::int64_t now);
  void after_progress(Conn& c, std::int64_t now);
  void make_ready(Conn& c);
  /// Request-count mode: the budget is spent and nothing of this worker's is in flight.
  bool counted_done() const;
  void dispatch(std::int64_t now);
  void scan(std::int64_t now);
  void fail(Conn& c, ErrKind kind, std::int64_t now, const std::string& why);
  void close_conn(Conn& c, bool unexpected, std::int64_t now);
  bool usable(const Conn& c) const {
    return c.st == Conn::St::kOpen && c.count < pipeline_ && !(c.sent_one && !cfg_.keepalive);
  }
  std::int64_t next_due() const {
    return sched_start_ + offset_ns_ +
           static_cast<std::int64_t>(period_ns_ * static_cast<double>(k_));
  }

  const EngineConfig& cfg_;
  Engine::Shared& sh_;
  int index_;
  int cpu_;
  int ep_ = -1;
  std::vector<Conn> conns_;
  RequestSelector selector_;
  std::uint32_t pipeline_ = 1;
  std::int64_t timeout_ns_ = 0, tick_ns_ = 0, interval_ns_ = 1;
  std::int64_t ws_ = kNever, we_ = kNever;
  std::int64_t now_ = 0;  // the latest clock reading
  // Open loop.
  double period_ns_ = 0;
  std::int64_t offset_ns_ = 0;
  std::int64_t sched_start_ = 0;
  std::uint64_t k_ = 0;
  std::vector<Conn*> ready_;  // ring of connections with room
  std::size_t ready_head_ = 0, ready_count_ = 0;

  std::vector<std::int64_t> trace_;
  EngineResult res_;
  char buf_[kReadBuf];

 public:
  pthread_t handle_{};
  std::atomic<bool> started_{false};
  std::atomic<bool> finished_{false};          // its event loop has ended
  std::atomic<std::int64_t> live_success_{0};  // for on_interval; a plain store per response
};

/// One worker per thread, connections spread evenly, not started yet.
std::vector<std::unique_ptr<Worker>> make_workers(const EngineConfig& cfg, Engine::Shared& sh,
                                                  int threads);
/// Starts each worker's event loop on its own thread; returns once every one has started.
std::vector<std::thread> start_threads(std::vector<std::unique_ptr<Worker>>& workers);
/// Before a run: not stopping, the stop eventfd drained, the window opening at
/// `window_start` (kNever: the engine opens it later) and not closing.
void reset_run(Engine::Shared& sh, std::int64_t window_start);
/// After a run: tells every worker to stop (flag and eventfd) and joins their threads.
void stop_and_join(Engine::Shared& sh, std::vector<std::thread>& threads);
/// Adds one worker's counters, histograms and thread stats to `out` (not its trace).
void add_counts(EngineResult& out, const EngineResult& r);

}  // namespace detail
}  // namespace benchgate::loadgen
