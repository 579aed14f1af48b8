// Hotlist file parsing without a database: what counts as a line, a header, an error.
#include "custodian/policy/hotlist_import.h"

#include <gtest/gtest.h>

namespace custodian::policy {
namespace {

TEST(HotlistCsv, AcceptsCrlfLineEndingsAndAHeaderOnlyOnTheFirstLine) {
  auto p = ParseHotlistCsv("PLATE,STATE,REASON,EXPIRES\r\n7ABC123,CA,x,2027-01-01T12:30:00Z\r\nplate,CA,y,\r\n");
  ASSERT_TRUE(p.errors.empty()) << p.errors[0].message;
  ASSERT_EQ(p.entries.size(), 2u);  // "plate" on line 3 is a plate, not a header
  EXPECT_EQ(p.entries[0].plate, "7ABC123");
  ASSERT_TRUE(p.entries[0].expires.has_value());
  EXPECT_EQ(ToUnixMillis(*p.entries[0].expires), 1'798'806'600'000);
  EXPECT_EQ(p.entries[1].plate, "plate");
  EXPECT_EQ(p.entry_lines, (std::vector<int64_t>{2, 3}));
}

TEST(HotlistCsv, OverlongLineIsReportedWithoutBeingParsed) {
  std::string text = "7ABC123,CA,ok,\n" + std::string(kMaxHotlistLineLength + 1, 'A') + "\n8DEF456,,,\n";
  auto p = ParseHotlistCsv(text);
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].line, 2);
  EXPECT_NE(p.errors[0].message.find("limit"), std::string::npos);
  EXPECT_EQ(p.entries.size(), 2u);
}

TEST(HotlistCsv, NonAsciiAndControlBytesAreErrorsNotData) {
  auto p = ParseHotlistCsv("7ABC123,CA,caf\xc3\xa9,\n7ABC124,CA,a\x01z,\n7ABC125,C\xff,x,\n");
  EXPECT_EQ(p.entries.size(), 0u);
  ASSERT_EQ(p.errors.size(), 3u);
  EXPECT_EQ(p.errors[2].line, 3);
}

TEST(HotlistSvs, TakesPlateFromColumnsZeroToEightAndStateFromEightToTen) {
  auto p = ParseHotlistSvs("ABC 123 CAextra\n1234567890\n");
  ASSERT_EQ(p.entries.size(), 1u);
  EXPECT_EQ(p.entries[0].plate, "ABC 123");  // normalised by the store: ABC123
  EXPECT_EQ(p.entries[0].state, "CA");
  EXPECT_EQ(p.entries[0].reason, "CA DOJ SVS");
  ASSERT_EQ(p.errors.size(), 1u);  // digits where the state belongs
  EXPECT_EQ(p.errors[0].line, 2);
}

}  // namespace
}  // namespace custodian::policy
