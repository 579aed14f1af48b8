// SQLite's day tables (migration 9, src/store/sqlite/day_tables.cc): ids carry their day, a
// day's table is made once, and the view `reads` still covers every table when there are
// more of them than one compound SELECT may hold (500 in SQLite).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <limits>
#include <vector>

#include "custodian/store/read_store.h"
#include "store/sqlite/day_tables.h"
#include "store/sqlite/sqlite_driver.h"
#include "test_dirs.h"

namespace custodian::store::internal {
namespace {

namespace fs = std::filesystem;

class DayTables : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("custodian_day_tables");
    auto migrated = MigrateDatabase("sqlite://" + (dir_ / "c.db").string());
    ASSERT_TRUE(migrated.ok()) << migrated.status().ToString();
    auto driver = OpenSqliteDriver(dir_ / "c.db", false, 16);
    ASSERT_TRUE(driver.ok()) << driver.status().ToString();
    db_ = std::move(*driver);
    ASSERT_TRUE(db_->ExecScript("INSERT INTO agencies (code, name) VALUES ('A', 'A'); "
                                "INSERT INTO cameras (id, name, kind, agency_code, data_class) "
                                "VALUES ('c', 'c', 'fixed', 'A', 0)")
                    .ok());
  }
  void TearDown() override {
    db_.reset();
    fs::remove_all(dir_);
  }

  // One read on `day` with id `id`, straight into the day's table.
  Status Insert(int64_t day, int64_t id) {
    return db_->Query("INSERT INTO " + DayTableName(day) +
                          " (id, camera_id, captured_ms, ingested_ms, plate_raw, plate, plate_rev, confusion_key, "
                          "confidence, candidates, country, region, data_class) VALUES (?, 'c', ?, 0, 'P', 'P', 'P', "
                          "'P', 0.9, '[]', '', '', 0)",
                      {id, day * kDayMs + 1})
        .status();
  }

  fs::path dir_;
  std::unique_ptr<SqlDriver> db_;
};

TEST_F(DayTables, AnIdNamesItsDayTable) {
  EXPECT_EQ(DayOfReadId(FirstIdOfDay(20454) + 7), 20454);
  EXPECT_EQ(ReadTableOfId(FirstIdOfDay(20454) + 7), "reads_d20454");
  EXPECT_EQ(DayOfReadId(42), std::nullopt);  // stored before migration 9
  EXPECT_EQ(ReadTableOfId(42), "reads_legacy");
  // 1970-01-01 (a camera whose clock was never set) is a day like any other: its ids are
  // above every legacy id.
  EXPECT_GT(FirstIdOfDay(0), int64_t{0xFFFFFFFF});
  EXPECT_EQ(DayOfReadId(FirstIdOfDay(0) + 1), 0);
  EXPECT_EQ(ReadTableOfId(FirstIdOfDay(0) + 1), "reads_d0");
  EXPECT_EQ(DayOfReadId(FirstIdOfDay(1) - 1), 0);
}

TEST_F(DayTables, ATableNamesItsDayAndItsHours) {
  EXPECT_EQ(DayOfTableName("reads_d20454"), 20454);
  EXPECT_EQ(DayOfTableName("reads_d0"), 0);
  for (const char* other : {"reads_legacy", "reads", "reads_d", "reads_d020454", "reads_d1x", "reads_d-1",
                            "reads_d99999999999", "xreads_d1"}) {
    EXPECT_EQ(DayOfTableName(other), std::nullopt) << other;
  }
  const int64_t h0 = 20454 * 24, day_ms = 20454 * kDayMs;
  const auto all = HourCondition(20454, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
  std::string want = "r.captured_ms / 3600000 IN (";
  for (int64_t h = h0 + 23; h >= h0; --h) want += std::to_string(h) + (h > h0 ? ", " : ")");
  EXPECT_EQ(all, want);
  // [00:59:59.999, 02:00): hours 0 and 1; [02:00, 02:00:00.001): hour 2 alone.
  EXPECT_EQ(HourCondition(20454, day_ms + kHourMs - 1, day_ms + 2 * kHourMs),
            "r.captured_ms / 3600000 IN (" + std::to_string(h0 + 1) + ", " + std::to_string(h0) + ")");
  EXPECT_EQ(HourCondition(20454, day_ms + 2 * kHourMs, day_ms + 2 * kHourMs + 1),
            "r.captured_ms / 3600000 IN (" + std::to_string(h0 + 2) + ")");
  EXPECT_EQ(HourCondition(20454, day_ms + kDayMs, day_ms + 2 * kDayMs), "0");  // none of the day
}

// The newest day is open (its plate index led by the hour) until a newer day's table is
// made, which closes it: its plate index is then led by the plate, in the same
// transaction. A late upload's older day is made closed; the view names an open day's hours.
TEST_F(DayTables, TheNewestDayIsOpenUntilANewerDayArrives) {
  auto indexes = [&](int64_t day) {
    auto rows = db_->Query("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND name LIKE "
                           "'%plate' ORDER BY name",
                           {DayTableName(day)});
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    std::string names;
    for (const auto& r : *rows) names += AsString(r[0]) + " ";
    return names;
  };
  auto open_days = [&] {
    std::vector<int64_t> open;
    auto days = ListReadDayTables(*db_);
    EXPECT_TRUE(days.ok()) << days.status().ToString();
    for (const ReadDay& d : *days) {
      if (d.plates_by_hour) open.push_back(d.day);
    }
    return open;
  };
  auto plate_reads = [&] { return AsInt((*db_->Query("SELECT COUNT(*) FROM reads WHERE plate = 'P'", {}))[0][0]); };
  ASSERT_TRUE(db_->Begin().ok());
  ASSERT_TRUE(EnsureDayTables(*db_, {20454}).ok());
  ASSERT_TRUE(db_->Commit().ok());
  EXPECT_EQ(open_days(), std::vector<int64_t>{20454});
  EXPECT_EQ(indexes(20454), "reads_d20454_by_hour_plate ");
  ASSERT_TRUE(Insert(20454, FirstIdOfDay(20454) + 1).ok());
  ASSERT_TRUE(Insert(20454, FirstIdOfDay(20454) + 2).ok());
  EXPECT_EQ(plate_reads(), 2);
  auto view = db_->Query("SELECT sql FROM sqlite_master WHERE name = 'reads'", {});
  EXPECT_NE(AsString((*view)[0][0]).find(HourCondition(20454, 0, std::numeric_limits<int64_t>::max())),
            std::string::npos);

  ASSERT_TRUE(db_->Begin().ok());
  ASSERT_TRUE(EnsureDayTables(*db_, {20453}).ok());  // a late upload of the day before
  ASSERT_TRUE(db_->Commit().ok());
  EXPECT_EQ(open_days(), std::vector<int64_t>{20454});
  EXPECT_EQ(indexes(20453), "reads_d20453_by_plate ");
  ASSERT_TRUE(Insert(20453, FirstIdOfDay(20453) + 1).ok());

  ASSERT_TRUE(db_->Begin().ok());
  ASSERT_TRUE(EnsureDayTables(*db_, {20455, 20456}).ok());
  ASSERT_TRUE(db_->Commit().ok());
  EXPECT_EQ(open_days(), std::vector<int64_t>{20456});
  EXPECT_EQ(indexes(20454), "reads_d20454_by_plate ");  // closed, its reads indexed
  EXPECT_EQ(indexes(20455), "reads_d20455_by_plate ");
  EXPECT_EQ(indexes(20456), "reads_d20456_by_hour_plate ");
  EXPECT_EQ(plate_reads(), 3);
  view = db_->Query("SELECT sql FROM sqlite_master WHERE name = 'reads'", {});
  EXPECT_EQ(AsString((*view)[0][0]).find(std::to_string(20454 * 24)), std::string::npos);
  EXPECT_NE(AsString((*view)[0][0]).find(HourCondition(20456, 0, std::numeric_limits<int64_t>::max())),
            std::string::npos);
  auto seek = db_->Query("SELECT id FROM reads_d20454 INDEXED BY reads_d20454_by_plate WHERE plate = 'P'", {});
  ASSERT_TRUE(seek.ok()) << seek.status().ToString();
  EXPECT_EQ(seek->size(), 2u);

  // Dropped (a purge) and made again by a late upload: the newest again, so open again.
  ASSERT_TRUE(db_->Begin().ok());
  ASSERT_TRUE(DropDayTable(*db_, 20456).ok());
  ASSERT_TRUE(EnsureDayTables(*db_, {20456}).ok());
  ASSERT_TRUE(db_->Commit().ok());
  EXPECT_EQ(open_days(), std::vector<int64_t>{20456});
  // A rolled-back day change leaves the open day as it was.
  ASSERT_TRUE(db_->Begin().ok());
  ASSERT_TRUE(EnsureDayTables(*db_, {20457}).ok());
  ASSERT_TRUE(db_->Rollback().ok());
  EXPECT_EQ(open_days(), std::vector<int64_t>{20456});
  EXPECT_EQ(indexes(20456), "reads_d20456_by_hour_plate ");
}

// A day's last id outlives its table: a late upload after a purge dropped the day gets
// ids the day never gave, so nothing that kept a purged read's id (corrections, audits,
// the access log) comes to name another read.
TEST_F(DayTables, ADayNeverGivesAnIdTwice) {
  ASSERT_TRUE(db_->Begin().ok());
  ASSERT_TRUE(EnsureDayTables(*db_, {20454}).ok());
  EXPECT_EQ(*LastReadId(*db_, 20454), FirstIdOfDay(20454));
  ASSERT_TRUE(SetLastReadId(*db_, 20454, FirstIdOfDay(20454) + 5).ok());
  ASSERT_TRUE(SetLastReadId(*db_, 20454, FirstIdOfDay(20454) + 2).ok());  // never lowered
  ASSERT_TRUE(DropDayTable(*db_, 20454).ok());
  EXPECT_TRUE(ListReadDays(*db_)->empty());
  ASSERT_TRUE(EnsureDayTables(*db_, {20454}).ok());
  ASSERT_TRUE(db_->Commit().ok());
  EXPECT_EQ(*ListReadDays(*db_), std::vector<int64_t>{20454});
  EXPECT_EQ(*LastReadId(*db_, 20454), FirstIdOfDay(20454) + 5);
}

TEST_F(DayTables, ADayTableIsMadeOnceAndRefusesReadsOfOtherDays) {
  ASSERT_TRUE(db_->Begin().ok());
  ASSERT_TRUE(EnsureDayTables(*db_, {20454}).ok());
  ASSERT_TRUE(EnsureDayTables(*db_, {20454, 20455}).ok());
  ASSERT_TRUE(db_->Commit().ok());
  auto days = ListReadDays(*db_);
  ASSERT_TRUE(days.ok());
  EXPECT_EQ(*days, (std::vector<int64_t>{20455, 20454}));  // newest first
  ASSERT_TRUE(Insert(20454, FirstIdOfDay(20454) + 1).ok());
  // A capture time outside the table's day is refused by its CHECK.
  auto wrong = db_->Query("INSERT INTO reads_d20455 (id, camera_id, captured_ms, ingested_ms, plate_raw, plate, "
                          "plate_rev, confusion_key, confidence, candidates, country, region, data_class) VALUES "
                          "(1, 'c', 0, 0, 'P', 'P', 'P', 'P', 0.9, '[]', '', '', 0)",
                          {});
  EXPECT_FALSE(wrong.ok());
  ASSERT_TRUE(db_->Begin().ok());
  EXPECT_EQ(EnsureDayTables(*db_, {-1}).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(db_->Rollback().ok());
}

TEST_F(DayTables, TheViewCoversMoreTablesThanOneCompoundSelectHolds) {
  std::set<int64_t> days;
  for (int64_t d = 20000; d < 20450; ++d) days.insert(d);
  ASSERT_TRUE(db_->Begin().ok());
  ASSERT_TRUE(EnsureDayTables(*db_, days).ok());
  ASSERT_TRUE(db_->Commit().ok());
  for (int64_t d : {int64_t{20000}, int64_t{20399}, int64_t{20400}, int64_t{20449}}) {
    ASSERT_TRUE(Insert(d, FirstIdOfDay(d) + 1).ok()) << d;
  }
  auto n = db_->Query("SELECT COUNT(*) FROM reads", {});
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(AsInt((*n)[0][0]), 4);
  auto one = db_->Query("SELECT captured_ms FROM reads WHERE id = ?", {FirstIdOfDay(20449) + 1});
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ(AsInt((*one)[0][0]), 20449 * kDayMs + 1);
  ASSERT_TRUE(db_->Begin().ok());
  ASSERT_TRUE(DropDayTable(*db_, 20449).ok());
  ASSERT_TRUE(db_->Commit().ok());
  n = db_->Query("SELECT COUNT(*) FROM reads", {});
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(AsInt((*n)[0][0]), 3);
  EXPECT_EQ(ListReadDays(*db_)->size(), 449u);
}

}  // namespace
}  // namespace custodian::store::internal
