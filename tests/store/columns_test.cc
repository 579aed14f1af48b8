// ColumnsTo: a row's columns into typed fields, NULLs into empty optionals, as both drivers
// return them (SQLite: typed values; PostgreSQL: text).
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "custodian/store/database.h"

namespace custodian::store {
namespace {

struct Decoded {
  int64_t id = -1;
  std::string name = "unset";
  TimePoint at;
  std::optional<TimePoint> until = FromUnixMillis(1);
  bool flag = false;
  double score = -1;
  float confidence = -1;
  int small = -1;
  std::optional<std::string> note = "unset";
};

TEST(ColumnsTo, ConvertsEachColumnByTheFieldsTypeFromTheGivenColumnOn) {
  const SqlRow row = {SqlValue(int64_t(99)), SqlValue(int64_t(7)),   SqlValue(std::string("cam-1")),
                      SqlValue(int64_t(1'700'000'000'123)), SqlValue(), SqlValue(int64_t(1)),
                      SqlValue(0.25), SqlValue(int64_t(42)), SqlValue(std::string("why")), SqlValue(0.5)};
  Decoded d;
  ColumnsTo(row, 1, d.id, d.name, d.at, d.until, d.flag, d.score, d.small, d.note, d.confidence);
  EXPECT_EQ(d.id, 7);
  EXPECT_EQ(d.name, "cam-1");
  EXPECT_EQ(ToUnixMillis(d.at), 1'700'000'000'123);
  EXPECT_FALSE(d.until.has_value());
  EXPECT_TRUE(d.flag);
  EXPECT_DOUBLE_EQ(d.score, 0.25);
  EXPECT_EQ(d.small, 42);
  EXPECT_EQ(d.note, std::optional<std::string>("why"));
  EXPECT_FLOAT_EQ(d.confidence, 0.5f);
}

TEST(ColumnsTo, ReadsPostgresTextValuesAndSetsAnOptionalThatIsNotNull) {
  // PostgreSQL's driver returns every non-NULL value as text.
  const SqlRow row = {SqlValue(std::string("12")), SqlValue(std::string("1700000000000")), SqlValue(std::string("0")),
                      SqlValue(std::string("1.5"))};
  int64_t id = 0;
  std::optional<TimePoint> until;
  bool flag = true;
  double score = 0;
  ColumnsTo(row, 0, id, until, flag, score);
  EXPECT_EQ(id, 12);
  ASSERT_TRUE(until.has_value());
  EXPECT_EQ(ToUnixMillis(*until), 1'700'000'000'000);
  EXPECT_FALSE(flag);
  EXPECT_DOUBLE_EQ(score, 1.5);
}

TEST(ColumnsTo, NullBecomesZeroEmptyOrNullopt) {
  const SqlRow row = {SqlValue(), SqlValue(), SqlValue(), SqlValue()};
  Decoded d;
  ColumnsTo(row, 0, d.id, d.name, d.until, d.note);
  EXPECT_EQ(d.id, 0);
  EXPECT_EQ(d.name, "");
  EXPECT_FALSE(d.until.has_value());
  EXPECT_FALSE(d.note.has_value());
}

}  // namespace
}  // namespace custodian::store
