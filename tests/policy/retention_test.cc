// Retention rules without a database: periods per class and their cut-offs.
#include "custodian/policy/retention.h"

#include <gtest/gtest.h>

namespace custodian::policy {
namespace {

using std::chrono::days;
using store::DataClass;

TEST(RetentionPolicy, CutoffIsNowMinusTheClassPeriod) {
  auto p = RetentionPolicy::Make({.public_safety = days(730), .non_public_safety = days(90)});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const TimePoint now = FromUnixMillis(1'790'000'000'000);
  EXPECT_EQ(p->CutoffFor(DataClass::kPublicSafety, now), now - days(730));
  EXPECT_EQ(p->CutoffFor(DataClass::kNonPublicSafety, now), now - days(90));
}

TEST(RetentionPolicy, DefaultsAreWithinPolicy) {
  auto p = RetentionPolicy::Make({});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->PeriodFor(DataClass::kPublicSafety), days(365));
}

TEST(RetentionPolicy, OneDayShortOfNinetyOrOverTwoYearsIsRefusedWithTheRange) {
  for (auto d : {days(89), days(731)}) {
    auto p = RetentionPolicy::Make({.public_safety = days(365), .non_public_safety = d});
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(p.status().message().find("non-public-safety data is " + std::to_string(d.count()) + " days"),
              std::string::npos)
        << p.status().message();
  }
}

}  // namespace
}  // namespace custodian::policy
