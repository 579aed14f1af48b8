// Clock: the one seam through which code reads the time, so tests can move it.
//
// Basic usage:
//   custodian::FakeClock clock(custodian::FromUnixMillis(1'700'000'000'000));
//   clock.Advance(std::chrono::days{91});
//   Use(clock.Now());
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

namespace custodian {

using TimePoint = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;

inline TimePoint FromUnixMillis(int64_t ms) { return TimePoint(std::chrono::milliseconds(ms)); }
inline int64_t ToUnixMillis(TimePoint t) { return t.time_since_epoch().count(); }

// Thread-safe interface.
class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, UTC, millisecond precision.
  virtual TimePoint Now() const = 0;
  // A monotonic reading in nanoseconds for measuring durations.
  virtual int64_t MonotonicNanos() const = 0;
};

// The real clock. Thread-safe; use SystemClock::Default() for the process-wide one.
class SystemClock final : public Clock {
 public:
  TimePoint Now() const override;
  int64_t MonotonicNanos() const override;
  static const SystemClock& Default();
};

// A clock that only moves when told to. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start) : now_(start) {}
  TimePoint Now() const override;
  int64_t MonotonicNanos() const override;
  void Advance(std::chrono::milliseconds d);
  void Set(TimePoint t);

 private:
  mutable std::mutex mu_;
  TimePoint now_;
  int64_t mono_ = 0;
};

}  // namespace custodian
