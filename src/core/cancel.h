#pragma once
// Cooperative cancellation. A token is set by a signal handler (async-signal-safe) or by
// code, and can be polled (cancelled()) or waited on through a pipe fd (wait_fd()).

#include <atomic>
#include <string>

namespace benchgate {

class CancelToken {
 public:
  CancelToken();
  ~CancelToken();
  CancelToken(const CancelToken&) = delete;
  CancelToken& operator=(const CancelToken&) = delete;

  /// Requests cancellation. Async-signal-safe (an atomic store and a write(2)).
  void cancel(int signal_number = 0) noexcept;
  bool cancelled() const noexcept { return cancelled_.load(std::memory_order_acquire); }
  /// The signal that caused cancellation, or 0.
  int signal_number() const noexcept { return signal_.load(std::memory_order_relaxed); }
  /// Readable once cancelled; for poll()/epoll alongside other fds. Never read from it.
  int wait_fd() const noexcept { return pipe_[0]; }
  /// Blocks up to timeout_ms (-1: forever) until cancelled. Returns cancelled().
  bool wait(int timeout_ms) const;

 private:
  std::atomic<bool> cancelled_{false};
  std::atomic<int> signal_{0};
  int pipe_[2] = {-1, -1};
};

}  // namespace benchgate
