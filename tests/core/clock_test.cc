#include "custodian/core/clock.h"

#include <gtest/gtest.h>

namespace custodian {
namespace {

TEST(FakeClock, MovesOnlyWhenAdvanced) {
  FakeClock clock(FromUnixMillis(1'700'000'000'000));
  EXPECT_EQ(ToUnixMillis(clock.Now()), 1'700'000'000'000);
  clock.Advance(std::chrono::days{91});
  EXPECT_EQ(ToUnixMillis(clock.Now()), 1'700'000'000'000 + 91LL * 86'400'000);
  EXPECT_EQ(clock.MonotonicNanos(), 91LL * 86'400'000 * 1'000'000);
}

TEST(SystemClock, IsNearTheRealTime) {
  auto now = std::chrono::system_clock::now();
  auto got = SystemClock::Default().Now();
  EXPECT_LT(std::chrono::abs(got - std::chrono::time_point_cast<std::chrono::milliseconds>(now)),
            std::chrono::seconds(5));
}

}  // namespace
}  // namespace custodian
