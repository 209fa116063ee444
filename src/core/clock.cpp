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
        // poll() has ms resolution; round up and finish the tail with clock_nanosleep.
        if (left > std::chrono::milliseconds(2)) {
          pollfd p{cancel->wait_fd(), POLLIN, 0};
          const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(left).count() - 1;
          ::poll(&p, 1, static_cast<int>(ms));
          continue;
        }
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
