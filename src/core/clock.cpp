#include "core/clock.h"

#include <poll.h>
#include <time.h>

#include <cerrno>

#include "core/cancel.h"

namespace benchgate {
namespace {

class SystemClock final : public Clock {
 public:
  Nanos now() const override {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return Nanos{static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec};
  }
  WallTime wall() const override { return std::chrono::system_clock::now(); }

  bool wait_until(Nanos deadline, const CancelToken* cancel) override {
    for (;;) {
      if (cancel && cancel->cancelled()) return false;
      const Nanos left = deadline - now();
      if (left <= Nanos::zero()) return true;
      if (cancel) {
        // ppoll takes a ns timeout and never wakes early: one wakeup per wait. (poll()'s ms
        // timeout needed a second sleep for the tail, doubling a periodic sampler's wakeups.)
        pollfd p{cancel->wait_fd(), POLLIN, 0};
        timespec ts{};
        ts.tv_sec = left.count() / 1'000'000'000;
        ts.tv_nsec = left.count() % 1'000'000'000;
        ::ppoll(&p, 1, &ts, nullptr);
        continue;
      }
      timespec ts{};
      ts.tv_sec = deadline.count() / 1'000'000'000;
      ts.tv_nsec = deadline.count() % 1'000'000'000;
      int rc = ::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr);
      if (rc != 0 && rc != EINTR) return true;
    }
  }
};

}  // namespace

Clock& system_clock() {
  static SystemClock clock;
  return clock;
}

bool FakeClock::wait_until(Nanos deadline, const CancelToken* cancel) {
  ++waits_;
  if (cancel && cancel->cancelled()) return false;
  std::int64_t cur = now_.load();
  while (cur < deadline.count() && !now_.compare_exchange_weak(cur, deadline.count())) {
  }
  return !(cancel && cancel->cancelled());
}

}  // namespace benchgate
