#include "custodian/core/utc_time.h"

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace custodian {
namespace {

TEST(ParseUtcTime, DateIsMidnightUtc) {
  auto t = ParseUtcTime("2026-01-01");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(ToUnixMillis(*t), 1'767'225'600'000);
}

TEST(ParseUtcTime, DateAndTime) {
  auto t = ParseUtcTime("2026-01-01T12:34:56Z");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(ToUnixMillis(*t), 1'767'225'600'000 + (12 * 3600 + 34 * 60 + 56) * 1000LL);
  auto epoch = ParseUtcTime("1970-01-01T00:00:00Z");
  ASSERT_TRUE(epoch.ok());
  EXPECT_EQ(ToUnixMillis(*epoch), 0);
}

TEST(ParseUtcTime, ReadsBackWhatFormatUtcTimeWrites) {
  for (int64_t ms : {int64_t{0}, int64_t{1'767'225'600'123}, int64_t{1'767'225'600'999}, int64_t{7'258'118'399'001}}) {
    auto t = ParseUtcTime(FormatUtcTime(FromUnixMillis(ms)));
    ASSERT_TRUE(t.ok()) << FormatUtcTime(FromUnixMillis(ms)) << ": " << t.status().message();
    EXPECT_EQ(ToUnixMillis(*t), ms);
  }
}

TEST(ParseUtcTime, AFractionOfASecondIsKeptToTheMillisecond) {
  const int64_t base = 1'767'225'600'000 + (12 * 3600 + 34 * 60 + 56) * 1000LL;
  for (auto [text, ms] : std::vector<std::pair<const char*, int64_t>>{{"2026-01-01T12:34:56.5Z", 500},
                                                                      {"2026-01-01T12:34:56.05Z", 50},
                                                                      {"2026-01-01T12:34:56.123Z", 123},
                                                                      {"2026-01-01T12:34:56.123999Z", 123},
                                                                      {"2026-01-01T12:34:56.000000001Z", 0}}) {
    auto t = ParseUtcTime(text);
    ASSERT_TRUE(t.ok()) << text << ": " << t.status().message();
    EXPECT_EQ(ToUnixMillis(*t), base + ms) << text;
  }
  for (const char* bad : {"2026-01-01T12:34:56.Z", "2026-01-01T12:34:56.1234567890Z", "2026-01-01T12:34:56.12a4Z",
                          "2026-01-01T12:34:56,5Z", "2026-01-01T12:34:56.5", "2026-01-01.5"}) {
    EXPECT_FALSE(ParseUtcTime(bad).ok()) << bad;
  }
}

TEST(ParseUtcTime, RejectsOtherShapes) {
  for (const char* bad : {"", "2026-1-1", "2026-01-01 ", "2026-01-01T12:34:56", "2026-01-01T12:34:56+0",
                          "2026-01-01X12:34:56Z", "2026-13-01", "2026-00-10", "2026-01-32", "1969-12-31",
                          "2200-01-01", "2026-01-01T24:00:00Z", "2026-01-01T23:60:00Z", "2026-01-01T23:59:60Z",
                          "yesterday", "2026-01-01T12:34:56Zx"}) {
    auto t = ParseUtcTime(bad);
    EXPECT_FALSE(t.ok()) << bad;
    if (!t.ok()) {
      EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument) << bad;
    }
  }
}

TEST(ParseUtcTime, MessageQuotesTheTextCutTo40Bytes) {
  auto t = ParseUtcTime("not a time");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(), "'not a time' is not YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC)");
  auto long_one = ParseUtcTime(std::string(100, 'x'));
  ASSERT_FALSE(long_one.ok());
  EXPECT_EQ(long_one.status().message(), "'" + std::string(40, 'x') + "' is not YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC)");
}

}  // namespace
}  // namespace custodian
