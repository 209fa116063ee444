#include "loadgen/worker.h"

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

namespace benchgate::loadgen::detail {

std::int64_t cpu_clock_ns(clockid_t id) {
  timespec ts{};
  if (::clock_gettime(id, &ts) != 0) return 0;
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

std::string errno_text(int e) {
  return std::strerror(e);
}

std::string ssl_error_text() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown TLS error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

int available_cpu_count() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) != 0) return 1;
  return std::max(1, CPU_COUNT(&set));
}

bool is_ip_literal(const std::string& host) {
  in6_addr a6;
  in_addr a4;
  return ::inet_pton(AF_INET, host.c_str(), &a4) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), &a6) == 1;
}

void Worker::set_want_out(Conn& c, bool on) {
  if (c.want_out == on) return;
  epoll_event ev{};
  ev.events = EPOLLIN | (on ? EPOLLOUT : 0u);
  ev.data.ptr = &c;
  ::epoll_ctl(ep_, EPOLL_CTL_MOD, c.fd, &ev);
  c.want_out = on;
}

void Worker::connect(Conn& c, std::int64_t now) {
  c.fd = ::socket(sh_.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c.fd < 0) {
    const int e = errno;
    c.st = Conn::St::kDown;
    fail(c, ErrKind::kConnect, now, "socket: " + errno_text(e));
    return;
  }
  const int one = 1;
  ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  c.since = now;
  c.sent_one = false;
  const int rc = ::connect(c.fd, reinterpret_cast<const sockaddr*>(&sh_.addr), sh_.addrlen);
  if (rc != 0 && errno != EINPROGRESS) {
    const int e = errno;
    c.st = Conn::St::kConnecting;
    fail(c, ErrKind::kConnect, now, "connect: " + errno_text(e));
    return;
  }
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT;
  ev.data.ptr = &c;
  ::epoll_ctl(ep_, EPOLL_CTL_ADD, c.fd, &ev);
  c.want_out = true;
  c.st = Conn::St::kConnecting;
  if (rc == 0) on_connected(c, now);
}

void Worker::on_connected(Conn& c, std::int64_t now) {
  ++res_.connections_opened;
  if (sh_.ssl_ctx == nullptr) {
    set_open(c, now);
    return;
  }
  c.ssl = SSL_new(sh_.ssl_ctx);
  if (c.ssl == nullptr) {
    fail(c, ErrKind::kConnect, now, "SSL_new: " + ssl_error_text());
    return;
  }
  SSL_set_fd(c.ssl, c.fd);
  if (sh_.sni) SSL_set_tlsext_host_name(c.ssl, sh_.url.host.c_str());
  if (cfg_.tls_verify) SSL_set1_host(c.ssl, sh_.url.host.c_str());
  SSL_set_connect_state(c.ssl);
  c.st = Conn::St::kHandshake;
  continue_handshake(c, now);
}

void Worker::continue_handshake(Conn& c, std::int64_t now) {
  ERR_clear_error();
  const int r = SSL_do_handshake(c.ssl);
  if (r == 1) {
    set_open(c, now);
    return;
  }
  switch (SSL_get_error(c.ssl, r)) {
    case SSL_ERROR_WANT_READ:
      set_want_out(c, false);
      return;
    case SSL_ERROR_WANT_WRITE:
      set_want_out(c, true);
      return;
    default: {
      std::string why = "TLS handshake: " + ssl_error_text();
      if (cfg_.tls_verify) {
        const long v = SSL_get_verify_result(c.ssl);
        if (v != X509_V_OK) why += std::string(" (") + X509_verify_cert_error_string(v) + ")";
      }
      fail(c, ErrKind::kConnect, now, why);
      return;
    }
  }
}

void Worker::set_open(Conn& c, std::int64_t now) {
  c.st = Conn::St::kOpen;
  c.fresh = true;
  if (in_window(now)) res_.connect_time.record(now - c.since);
  set_want_out(c, false);
  if (open_loop()) {
    make_ready(c);
  } else {
    fill_closed(c, now);
  }
}

void Worker::make_ready(Conn& c) {
  if (c.in_ready || !usable(c)) return;
  c.in_ready = true;
  ready_[(ready_head_ + ready_count_) % ready_.size()] = &c;
  ++ready_count_;
}

void Worker::enqueue(Conn& c, std::int64_t intended, std::int64_t now) {
  const std::uint32_t req = selector_.next();
  if (c.count == 0) c.parser.start(sh_.head[req] != 0);
  if (in_window(now)) ++(c.fresh ? res_.sent_fresh : res_.sent_reused);
  c.ring[(c.head + c.count) % pipeline_] = Slot{intended, now, req};
  ++c.count;
  c.out.append(sh_.wire[req]);
  if (!cfg_.keepalive) c.sent_one = true;
  if (in_window(now)) ++res_.sent;
}

void Worker::fill_closed(Conn& c, std::int64_t now) {
  if (!usable(c)) return;
  const std::uint32_t cap = cfg_.keepalive ? pipeline_ : 1;
  // The first requests on a new connection waited for it: their latency starts when
  // connecting started (c.since), as a client that had to connect first sees it.
  const std::int64_t from = c.fresh ? c.since : now;
  const bool counted = cfg_.request_count > 0;
  while (c.count < cap) {
    // Request-count mode: each request takes one unit of the shared budget; none is sent
    // once it is spent (the budget may go below zero, it is never refilled).
    if (counted && sh_.budget.fetch_sub(1, std::memory_order_relaxed) <= 0) break;
    enqueue(c, from, now);
  }
  c.fresh = false;
  flush(c, now);
}

bool Worker::flush(Conn& c, std::int64_t now) {
  while (c.out_off < c.out.size()) {
    const char* p = c.out.data() + c.out_off;
    const std::size_t len = c.out.size() - c.out_off;
    ssize_t n;
    if (c.ssl == nullptr) {
      n = ::send(c.fd, p, len, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
          set_want_out(c, true);
          return true;
        }
        if (errno == EINTR) continue;
        const int e = errno;
        fail(c, ErrKind::kWrite, now, "write: " + errno_text(e));
        return false;
      }
    } else {
      ERR_clear_error();
      const int r = SSL_write(c.ssl, p, static_cast<int>(len));
      if (r <= 0) {
        const int err = SSL_get_error(c.ssl, r);
        if (err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ) {
          set_want_out(c, true);
          return true;
        }
        fail(c, ErrKind::kWrite, now, "TLS write: " + ssl_error_text());
        return false;
      }
      n = r;
    }
    c.out_off += static_cast<std::size_t>(n);
    if (in_window(now)) res_.bytes_written += n;
  }
  c.out.clear();
  c.out_off = 0;
  if (c.want_out) set_want_out(c, false);
  return true;
}

void Worker::fail(Conn& c, ErrKind kind, std::int64_t now, const std::string& why) {
  if (in_window(now)) {
    switch (kind) {
      case ErrKind::kConnect:
        ++res_.errors.connect;
        break;
      case ErrKind::kRead:
        ++res_.errors.read;
        break;
      case ErrKind::kWrite:
        ++res_.errors.write;
        break;
      case ErrKind::kTimeout:
        ++res_.errors.timeout;
        break;
      case ErrKind::kParse:
        ++res_.errors.parse;
        break;
    }
  }
  if (res_.first_error.empty()) res_.first_error = why;
  const bool was_connecting = c.st != Conn::St::kOpen;
  close_conn(c, /*unexpected=*/!was_connecting, now);
  // Reconnect at once after a failure on an established connection; back off a tick after
  // a failed connect so a dead server does not turn into a busy loop.
  if (kind == ErrKind::kConnect) {
    c.retry_at = now + tick_ns_;
  } else {
    connect(c, now);
  }
}

void Worker::close_conn(Conn& c, bool unexpected, std::int64_t now) {
  if (c.ssl) {
    SSL_free(c.ssl);
    c.ssl = nullptr;
  }
  if (c.fd >= 0) ::close(c.fd);  // also removes it from the epoll set
  c.fd = -1;
  c.st = Conn::St::kDown;
  c.want_out = false;
  c.head = c.count = 0;
  c.out.clear();
  c.out_off = 0;
  c.retry_at = now;
  if (unexpected && cfg_.keepalive && in_window(now)) ++res_.reconnects;
}

void Worker::complete(Conn& c, std::int64_t now) {
  const Slot s = c.ring[c.head];
  c.head = (c.head + 1) % pipeline_;
  --c.count;
  if (in_window(now)) {
    const int code = c.parser.status_code();
    ++res_.responses;
    ++res_.status[static_cast<std::size_t>(code)];
    if (code >= 200 && code < 400) {
      ++res_.success;
      live_success_.store(res_.success, std::memory_order_relaxed);
      const auto idx = static_cast<std::size_t>((now - ws_) / interval_ns_);
      if (idx < trace_.size()) ++trace_[idx];
    }
    res_.latency.record(now - s.intended);
    if (open_loop()) res_.service.record(now - s.sent);
  }
  if (c.count > 0) c.parser.start(sh_.head[c.ring[c.head].req] != 0);
}

bool Worker::consume(Conn& c, const char* data, std::size_t n, std::int64_t now) {
  std::size_t pos = 0;
  while (pos < n) {
    if (c.count == 0) {
      fail(c, ErrKind::kParse, now, "data received with no request in flight");
      return false;
    }
    std::size_t used = 0;
    const auto st = c.parser.feed(data + pos, n - pos, used);
    pos += used;
    if (st == ResponseParser::Status::kComplete) {
      const bool keep = c.parser.keep_alive() && cfg_.keepalive;
      complete(c, now);
      if (!keep) {
        // Closed by design (close mode, or the server said so): requests still pipelined on
        // this connection are dropped, and the connection is re-opened.
        close_conn(c, /*unexpected=*/cfg_.keepalive, now);
        connect(c, now);
        return false;
      }
    } else if (st == ResponseParser::Status::kError) {
      fail(c, ErrKind::kParse, now,
           std::string("bad response: ") +
               std::string(ResponseParser::error_name(c.parser.error())));
      return false;
    } else {
      break;
    }
  }
  return true;
}

void Worker::on_eof(Conn& c, std::int64_t now) {
  if (c.count > 0) {
    if (c.parser.started() && c.parser.finish_eof() == ResponseParser::Status::kComplete) {
      complete(c, now);
      close_conn(c, false, now);
      connect(c, now);
      return;
    }
    fail(c, ErrKind::kRead, now,
         c.parser.started() ? "connection closed mid-response"
                            : "connection closed with requests in flight");
    return;
  }
  close_conn(c, true, now);  // idle keep-alive connection closed by the server
  connect(c, now);
}

void Worker::do_read(Conn& c) {
  for (;;) {
    ssize_t n;
    if (c.ssl == nullptr) {
      n = ::recv(c.fd, buf_, kReadBuf, 0);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        if (errno == EINTR) continue;
        const int e = errno;
        fail(c, ErrKind::kRead, tick_now(), "read: " + errno_text(e));
        return;
      }
    } else {
      ERR_clear_error();
      const int r = SSL_read(c.ssl, buf_, static_cast<int>(kReadBuf));
      if (r <= 0) {
        const int err = SSL_get_error(c.ssl, r);
        if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) break;
        if (err == SSL_ERROR_ZERO_RETURN || (err == SSL_ERROR_SYSCALL && errno == 0)) {
          n = 0;
        } else {
          fail(c, ErrKind::kRead, tick_now(), "TLS read: " + ssl_error_text());
          return;
        }
      } else {
        n = r;
      }
    }
    const std::int64_t now = tick_now();
    if (n == 0) {
      on_eof(c, now);
      return;
    }
    if (in_window(now)) res_.bytes_read += n;
    if (!consume(c, buf_, static_cast<std::size_t>(n), now)) return;
    // Level-triggered: a short plain read means the socket is drained; TLS may hold
    // decrypted bytes, so read until it asks for more.
    if (c.ssl == nullptr && static_cast<std::size_t>(n) < kReadBuf) break;
  }
  after_progress(c, now_);  // the last read's time: one clock read per response
}

bool Worker::counted_done() const {
  if (sh_.budget.load(std::memory_order_relaxed) > 0) return false;
  for (const auto& c : conns_) {
    if (c.count > 0) return false;
  }
  return true;
}

void Worker::after_progress(Conn& c, std::int64_t now) {
  if (c.st != Conn::St::kOpen) return;
  if (open_loop()) {
    make_ready(c);
  } else {
    fill_closed(c, now);
  }
}

void Worker::handle(Conn& c, std::uint32_t events) {
  switch (c.st) {
    case Conn::St::kDown:
      return;
    case Conn::St::kConnecting: {
      const std::int64_t now = tick_now();
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) {
        fail(c, ErrKind::kConnect, now, "connect: " + errno_text(err));
        return;
      }
      if (events & (EPOLLOUT | EPOLLIN)) on_connected(c, now);
      return;
    }
    case Conn::St::kHandshake:
      continue_handshake(c, tick_now());
      return;
    case Conn::St::kOpen:
      if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) do_read(c);
      if ((events & EPOLLOUT) && c.st == Conn::St::kOpen && c.want_out) flush(c, tick_now());
      return;
  }
}

void Worker::dispatch(std::int64_t now) {
  while (ready_count_ > 0) {
    const std::int64_t due = next_due();
    if (due > now) return;
    Conn& c = *ready_[ready_head_];
    ready_head_ = (ready_head_ + 1) % ready_.size();
    --ready_count_;
    c.in_ready = false;
    if (!usable(c)) continue;
    if (in_window(now) && now - due >= kLateNs) ++res_.open_loop_late;
    enqueue(c, due, now);
    c.fresh = false;
    ++k_;
    if (flush(c, now)) make_ready(c);
  }
}

void Worker::scan(std::int64_t now) {
  for (auto& c : conns_) {
    switch (c.st) {
      case Conn::St::kDown:
        if (now >= c.retry_at) connect(c, now);
        break;
      case Conn::St::kConnecting:
      case Conn::St::kHandshake:
        if (now - c.since > timeout_ns_) fail(c, ErrKind::kConnect, now, "connect timed out");
        break;
      case Conn::St::kOpen:
        if (c.count > 0 && now - c.ring[c.head].sent > timeout_ns_) {
          fail(c, ErrKind::kTimeout, now,
               fmt::format("no response within {}", format_duration(cfg_.timeout)));
        }
        break;
    }
  }
}

void Worker::run() {
  if (cpu_ >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu_, &set);
    ::pthread_setaffinity_np(::pthread_self(), sizeof set, &set);
  }
  sigset_t pipe_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  ::pthread_sigmask(SIG_BLOCK, &pipe_set, nullptr);  // TLS writes use write(2)
  ::prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);          // open-loop sends on time
  ep_ = ::epoll_create1(EPOLL_CLOEXEC);
  epoll_event sev{};
  sev.events = EPOLLIN;
  sev.data.ptr = nullptr;
  ::epoll_ctl(ep_, EPOLL_CTL_ADD, sh_.stop_fd, &sev);

  // Request-count mode opens the window before the threads start; time mode has kNever here.
  ws_ = sh_.window_start.load(std::memory_order_acquire);
  we_ = sh_.window_end.load(std::memory_order_acquire);
  std::int64_t now = mono_ns();
  sched_start_ = now;
  for (auto& c : conns_)
    connect(c, now);
  std::int64_t next_tick = now + tick_ns_;
  epoll_event events[kMaxEvents];
  now_ = now;
  // Reading the clock costs ~0.1-0.3 us on VMs (kvm-clock), so the loop reuses the time of the
  // last event it handled (now_) where a few microseconds of staleness does not matter.
  while (!sh_.stop.load(std::memory_order_acquire)) {
    if (open_loop()) {
      now = tick_now();
      dispatch(now);
    } else {
      now = now_;
    }
    std::int64_t wake = next_tick;
    if (open_loop() && ready_count_ > 0) wake = std::min(wake, next_due());
    const std::int64_t wait = std::max<std::int64_t>(0, wake - now);
    timespec ts{static_cast<time_t>(wait / 1'000'000'000), static_cast<long>(wait % 1'000'000'000)};
    const int n = ::epoll_pwait2(ep_, events, kMaxEvents, &ts, nullptr);
    ws_ = sh_.window_start.load(std::memory_order_acquire);
    we_ = sh_.window_end.load(std::memory_order_acquire);
    for (int i = 0; i < n; ++i) {
      if (events[i].data.ptr == nullptr) continue;  // stop
      handle(*static_cast<Conn*>(events[i].data.ptr), events[i].events);
    }
    now = n > 0 ? now_ : tick_now();
    if (cfg_.request_count > 0 && counted_done()) break;
    if (now >= next_tick) {
      now = tick_now();
      scan(now);
      next_tick = now + tick_ns_;
    }
  }
  for (auto& c : conns_) {
    if (c.ssl) SSL_free(c.ssl);
    if (c.fd >= 0) ::close(c.fd);
    c.ssl = nullptr;
    c.fd = -1;
  }
  ::close(ep_);
  finished_.store(true, std::memory_order_release);
  // Fold the trace into the result (the engine trims it to the window).
  res_.success_per_interval = trace_;
}

std::vector<std::unique_ptr<Worker>> make_workers(const EngineConfig& c, Engine::Shared& sh,
                                                  int threads) {
  std::vector<std::unique_ptr<Worker>> workers;
  int first = 0;
  for (int t = 0; t < threads; ++t) {
    const int n = c.connections / threads + (t < c.connections % threads ? 1 : 0);
    const int cpu = c.cpus.empty() ? -1 : c.cpus[static_cast<std::size_t>(t) % c.cpus.size()];
    workers.push_back(std::make_unique<Worker>(c, sh, t, threads, first, n, cpu));
    first += n;
  }
  return workers;
}

std::vector<std::thread> start_threads(std::vector<std::unique_ptr<Worker>>& workers) {
  std::vector<std::thread> threads;
  threads.reserve(workers.size());
  for (auto& w : workers) {
    Worker* wp = w.get();
    threads.emplace_back([wp] {
      wp->handle_ = ::pthread_self();
      wp->started_.store(true, std::memory_order_release);
      wp->run();
    });
  }
  for (auto& w : workers) {
    while (!w->started_.load(std::memory_order_acquire))
      std::this_thread::yield();
  }
  return threads;
}

void reset_run(Engine::Shared& sh, std::int64_t window_start) {
  sh.stop.store(false);
  sh.window_start.store(window_start);
  sh.window_end.store(kNever);
  std::uint64_t drain = 0;
  [[maybe_unused]] auto rd = ::read(sh.stop_fd, &drain, sizeof drain);
}

void stop_and_join(Engine::Shared& sh, std::vector<std::thread>& threads) {
  sh.stop.store(true, std::memory_order_release);
  const std::uint64_t one = 1;
  [[maybe_unused]] auto wr = ::write(sh.stop_fd, &one, sizeof one);
  for (auto& t : threads)
    t.join();
}

void add_counts(EngineResult& out, const EngineResult& r) {
  out.responses += r.responses;
  out.success += r.success;
  out.sent += r.sent;
  for (std::size_t i = 0; i < out.status.size(); ++i)
    out.status[i] += r.status[i];
  out.errors.connect += r.errors.connect;
  out.errors.read += r.errors.read;
  out.errors.write += r.errors.write;
  out.errors.timeout += r.errors.timeout;
  out.errors.parse += r.errors.parse;
  out.reconnects += r.reconnects;
  out.connections_opened += r.connections_opened;
  out.connect_time.merge(r.connect_time);
  out.sent_reused += r.sent_reused;
  out.sent_fresh += r.sent_fresh;
  out.bytes_read += r.bytes_read;
  out.bytes_written += r.bytes_written;
  out.latency.merge(r.latency);
  out.service.merge(r.service);
  out.open_loop_late += r.open_loop_late;
  out.threads.push_back(r.threads[0]);
  out.driver_cpu_s += r.threads[0].cpu_s;
  if (out.first_error.empty()) out.first_error = r.first_error;
}

}  // namespace benchgate::loadgen::detail
