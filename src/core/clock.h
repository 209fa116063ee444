#pragma once
// The time seam: everything that waits, samples or times out takes a Clock&, so tests can
// substitute FakeClock and run in milliseconds without sleeping.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace benchgate {

class CancelToken;

using Nanos = std::chrono::nanoseconds;
using WallTime = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  /// Monotonic time since an arbitrary epoch.
  virtual Nanos now() const = 0;
  /// Wall-clock time, for timestamps in reports only (never for measuring).
  virtual WallTime wall() const = 0;
  /// Blocks until now() >= deadline or the token is cancelled. Returns false if cancelled.
  virtual bool wait_until(Nanos deadline, const CancelToken* cancel = nullptr) = 0;

  bool wait_for(Nanos d, const CancelToken* cancel = nullptr) {
    return wait_until(now() + d, cancel);
  }
};

/// The process-wide real clock (CLOCK_MONOTONIC; waits wake early on cancellation).
Clock& system_clock();

/// A manual clock for tests: wait_until jumps time forward to the deadline at once.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(Nanos start = Nanos{1'000'000'000}) : now_(start.count()) {}
  Nanos now() const override { return Nanos{now_.load()}; }
  WallTime wall() const override { return WallTime{} + std::chrono::hours(24 * 365 * 56) + now(); }
  bool wait_until(Nanos deadline, const CancelToken* cancel = nullptr) override;
  void advance(Nanos d) { now_ += d.count(); }
  void set(Nanos t) { now_ = t.count(); }
  /// Number of wait_until calls so far (lets tests check that code waited, not spun).
  std::int64_t waits() const { return waits_.load(); }

 private:
  std::atomic<std::int64_t> now_;
  std::atomic<std::int64_t> waits_{0};
};

inline double to_seconds(Nanos d) { return std::chrono::duration<double>(d).count(); }
inline Nanos from_seconds(double s) {
  return std::chrono::duration_cast<Nanos>(std::chrono::duration<double>(s));
}

}  // namespace benchgate
