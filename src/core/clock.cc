#include "custodian/core/clock.h"

namespace custodian {

TimePoint SystemClock::Now() const {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

int64_t SystemClock::MonotonicNanos() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

const SystemClock& SystemClock::Default() {
  static const SystemClock clock;
  return clock;
}

TimePoint FakeClock::Now() const {
  std::lock_guard lock(mu_);
  return now_;
}

int64_t FakeClock::MonotonicNanos() const {
  std::lock_guard lock(mu_);
  return mono_;
}

void FakeClock::Advance(std::chrono::milliseconds d) {
  std::lock_guard lock(mu_);
  now_ += d;
  mono_ += std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

void FakeClock::Set(TimePoint t) {
  std::lock_guard lock(mu_);
  now_ = t;
}

}  // namespace custodian
