// Guards "cost grows with the answer, not the table": every search shape the store builds
// is planned by SQLite through one of the indexes meant for it, never a full scan of reads
// (a search runs its statement on each day's table in turn, newest first).
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <limits>

#include "custodian/store/read_store.h"
#include "store/sql_read_store.h"
#include "store/sqlite/day_tables.h"
#include "store/sqlite/sqlite_driver.h"
#include "store/sqlite/sqlite_layout.h"
#include "test_dirs.h"

namespace custodian::store::internal {
namespace {

namespace fs = std::filesystem;

class SearchPlan : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("custodian_search_plan");
    auto migrated = MigrateDatabase("sqlite://" + (dir_ / "c.db").string());
    ASSERT_TRUE(migrated.ok()) << migrated.status().ToString();
    {  // Three days' tables (the store makes them as reads arrive); searches run on kDay,
       // closed when kOpenDay's table was made, and on kOpenDay, the open day.
      auto driver = OpenSqliteDriver(dir_ / "c.db", false, 16);
      ASSERT_TRUE(driver.ok()) << driver.status().ToString();
      ASSERT_TRUE((*driver)->Begin().ok());
      ASSERT_TRUE(EnsureDayTables(**driver, {20453, kDay}).ok());
      ASSERT_TRUE(EnsureDayTables(**driver, {kOpenDay}).ok());
      ASSERT_TRUE((*driver)->Commit().ok());
    }
    ASSERT_EQ(sqlite3_open_v2((dir_ / "c.db").c_str(), &db_, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  }
  void TearDown() override {
    sqlite3_close_v2(db_);
    fs::remove_all(dir_);
  }

  // The plan's lines, e.g. "SEARCH r USING COVERING INDEX reads_by_plate (plate=?)".
  std::string Plan(const SearchQuery& q, const std::vector<std::string>* plates = nullptr, int64_t day = kDay) {
    auto built = SqliteTableSearchSql(q, plates, nullptr, DayTableName(day), day == kOpenDay);
    EXPECT_TRUE(built.ok()) << built.status().ToString();
    if (!built.ok()) return "";
    return PlanOf(built->sql, built->params);
  }

  std::string PlanOf(const std::string& statement, const std::vector<SqlValue>& params) {
    std::string sql = "EXPLAIN QUERY PLAN " + statement;
    const auto& built = &params;
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db_);
    for (size_t i = 0; i < built->size(); ++i) {
      const SqlValue& v = (*built)[i];
      int idx = int(i) + 1;
      if (auto* n = std::get_if<int64_t>(&v)) sqlite3_bind_int64(stmt, idx, *n);
      if (auto* d = std::get_if<double>(&v)) sqlite3_bind_double(stmt, idx, *d);
      if (auto* s = std::get_if<std::string>(&v)) sqlite3_bind_text(stmt, idx, s->c_str(), -1, SQLITE_TRANSIENT);
    }
    std::string plan;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      plan += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3));
      plan += "\n";
    }
    sqlite3_finalize(stmt);
    return plan;
  }

  void ExpectIndex(const SearchQuery& q, const std::string& index, const std::vector<std::string>* plates = nullptr) {
    std::string plan = Plan(q, plates);
    EXPECT_NE(plan.find(index), std::string::npos) << "plate '" << q.plate << "':\n" << plan;
    EXPECT_EQ(plan.find("SCAN r\n"), std::string::npos) << "full scan of reads:\n" << plan;
  }

  static constexpr int64_t kDay = 20454;  // 2026-01-01
  static constexpr int64_t kOpenDay = kDay + 1;
  fs::path dir_;
  sqlite3* db_ = nullptr;
};

const TimePoint kT = FromUnixMillis(1'767'225'600'000);

TEST_F(SearchPlan, EachPlateMatchUsesItsIndex) {
  ExpectIndex({.match = PlateMatch::kExact, .plate = "7ABC123"}, "reads_d20454_by_plate (plate=?)");
  ExpectIndex({.match = PlateMatch::kWildcard, .plate = "7ABC*"}, "reads_d20454_by_plate (plate>? AND plate<?)");
  ExpectIndex({.match = PlateMatch::kWildcard, .plate = "7*"}, "reads_d20454_by_plate (plate>? AND plate<?)");
  // A known suffix of 3+ is a literal run: the trigrams (SQLite has no plates_by_rev since
  // migration 12); a shorter one, with no run of 3+, scans the distinct plates.
  ExpectIndex({.match = PlateMatch::kWildcard, .plate = "*C123"}, "SCAN t VIRTUAL TABLE INDEX 0:G");
  ExpectIndex({.match = PlateMatch::kWildcard, .plate = "*23"}, "SCAN p");
  // One or two unknown characters, then a literal: a range of plates per prefix they make.
  for (const char* term : {"?A?C?23", "??BC?2?"}) {
    std::string plan = Plan({.match = PlateMatch::kWildcard, .plate = term});
    EXPECT_NE(plan.find("SEARCH p USING PRIMARY KEY (plate>? AND plate<?)"), std::string::npos) << term << ":\n" << plan;
    EXPECT_EQ(plan.find("SCAN p\n"), std::string::npos) << term << ":\n" << plan;
  }
  ExpectIndex({.match = PlateMatch::kWildcard, .plate = "?ABC?2?"}, "SCAN t VIRTUAL TABLE INDEX 0:G");  // plate_trigrams (FTS5 GLOB)
  ExpectIndex({.match = PlateMatch::kWildcard, .plate = "*ABC*"}, "reads_d20454_by_plate (plate=?)");
  ExpectIndex({.match = PlateMatch::kFuzzy, .plate = "7ABC123"}, "plates_by_confusion");
  ExpectIndex({.match = PlateMatch::kFuzzy, .plate = "7ABC123", .extra_edits = 1}, "plates_by_confusion");
}

// The open day's plate index is led by the hour (day_tables.h): a plate term seeks it hour
// by hour, only the hours its time range overlaps, never scanning the day.
TEST_F(SearchPlan, AnOpenDaysPlatesAreSoughtHourByHour) {
  const int64_t first_hour = kOpenDay * 24;
  const TimePoint day_start = kT + std::chrono::hours(24);
  for (const SearchQuery& q : {SearchQuery{.match = PlateMatch::kExact, .plate = "7ABC123"},
                               SearchQuery{.match = PlateMatch::kExact, .plate = "7ABC123", .camera_ids = {"cam-a"}},
                               SearchQuery{.match = PlateMatch::kWildcard, .plate = "7AB*"}}) {
    auto built = SqliteTableSearchSql(q, nullptr, nullptr, DayTableName(kOpenDay), true);
    ASSERT_TRUE(built.ok()) << built.status().ToString();
    EXPECT_NE(built->sql.find(std::to_string(first_hour + 23)), std::string::npos) << built->sql;
    std::string plan = PlanOf(built->sql, built->params);
    // (With a camera too, SQLite may seek the camera index, led by the hour as well.)
    EXPECT_NE(plan.find(q.camera_ids.empty() ? "reads_d20455_by_hour_plate (<expr>=? AND plate"
                                             : "reads_d20455_by_hour_"),
              std::string::npos)
        << q.plate << ":\n"
        << plan;
    EXPECT_EQ(plan.find("SCAN"), std::string::npos) << plan;
    // Hour by hour, newest first, in index order within each: an exact plate's page is
    // read without sorting the plate's every read of the day.
    if (q.match == PlateMatch::kExact) EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
    // The same search on a closed day names no hour (its plate index is led by the plate).
    built = SqliteTableSearchSql(q, nullptr, nullptr, DayTableName(kDay), false);
    ASSERT_TRUE(built.ok()) << built.status().ToString();
    EXPECT_EQ(built->sql.find("3600000"), std::string::npos) << built->sql;
  }
  // With other filters (a data class, a time range, a cursor) the plate's index still
  // leads, on the open day and on a closed one: never the class's index walked in time
  // order, filtering every read of the class by plate.
  for (int64_t day : {kOpenDay, kDay}) {
    const std::string t = DayTableName(day);
    for (const SearchQuery& q :
         {SearchQuery{.match = PlateMatch::kExact, .plate = "7ABC123", .data_class = DataClass::kPublicSafety},
          SearchQuery{.match = PlateMatch::kExact, .plate = "7ABC123", .from = day_start + std::chrono::hours(3),
                      .to = day_start + std::chrono::hours(4), .data_class = DataClass::kNonPublicSafety},
          SearchQuery{.match = PlateMatch::kWildcard, .plate = "7AB*", .data_class = DataClass::kPublicSafety,
                      .cursor = "c1.1767312000000.42"}}) {
      auto built = SqliteTableSearchSql(q, nullptr, nullptr, t, day == kOpenDay);
      ASSERT_TRUE(built.ok()) << built.status().ToString();
      std::string plan = PlanOf(built->sql, built->params);
      EXPECT_NE(plan.find(day == kOpenDay ? t + "_by_hour_plate (<expr>=? AND plate" : t + "_by_plate (plate"),
                std::string::npos)
          << q.plate << ":\n" << plan;
      EXPECT_EQ(plan.find("_by_class"), std::string::npos) << q.plate << ":\n" << plan;
    }
    // Cameras beside a class: the camera index.
    auto built = SqliteTableSearchSql(
        {.match = PlateMatch::kAny, .camera_ids = {"cam-a"}, .data_class = DataClass::kPublicSafety}, nullptr,
        nullptr, t, day == kOpenDay);
    ASSERT_TRUE(built.ok()) << built.status().ToString();
    std::string plan = PlanOf(built->sql, built->params);
    EXPECT_NE(plan.find(t + "_by_hour_camera (<expr>=? AND camera_id=?)"), std::string::npos) << plan;
  }
  // 00:30 to 01:30: the day's hours 0 and 1, no other.
  auto built = SqliteTableSearchSql({.match = PlateMatch::kExact, .plate = "7ABC123", .from = day_start + std::chrono::minutes(30),
                               .to = day_start + std::chrono::minutes(90)},
                              nullptr, nullptr, DayTableName(kOpenDay), true);
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  EXPECT_NE(built->sql.find("IN (" + std::to_string(first_hour + 1) + ", " + std::to_string(first_hour) + ")"),
            std::string::npos)
      << built->sql;
  // A search without a plate term gets no hour condition from the plate index.
  built = SqliteTableSearchSql({.match = PlateMatch::kAny}, nullptr, nullptr, DayTableName(kOpenDay), true);
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  EXPECT_EQ(built->sql.find("3600000"), std::string::npos) << built->sql;
  // Candidate plates (SqlReadStore::SearchDayTables) on the open day.
  std::string plan = PlanOf("SELECT r.captured_ms, r.id FROM reads_d20455 r WHERE r.plate IN (?, ?) AND " +
                                HourCondition(kOpenDay, 0, std::numeric_limits<int64_t>::max()) +
                                " ORDER BY r.captured_ms DESC, r.id DESC LIMIT ?",
                            {std::string("7ABC123"), std::string("7A8C123"), int64_t{51}});
  EXPECT_NE(plan.find("COVERING INDEX reads_d20455_by_hour_plate (<expr>=? AND plate=?)"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("SCAN"), std::string::npos) << plan;
}

// With its candidate plates known, a search walks reads_by_plate once per plate, newest
// first, each walk stopping after a page (no sort of all their reads).
TEST_F(SearchPlan, CandidatePlatesAreWalkedOnePageEach) {
  std::vector<std::string> plates = {"7ABC123", "7A8C123", "7ABC12"};
  SearchSql source;
  auto built = SqliteTableSearchSql({.match = PlateMatch::kFuzzy, .plate = "7ABC123"}, nullptr, &source);
  ASSERT_TRUE(built.ok());
  EXPECT_NE(source.sql.find("confusion_key"), std::string::npos) << source.sql;
  for (const auto* term : {"*C123", "*ABC*", "7ABC*"}) {
    SearchQuery q{.match = PlateMatch::kWildcard, .plate = term};
    std::string plan = Plan(q, &plates);
    EXPECT_NE(plan.find("reads_d20454_by_plate (plate=?"), std::string::npos) << term << ":\n" << plan;
    EXPECT_EQ(plan.find("SCAN r\n"), std::string::npos) << term << ":\n" << plan;
    // Four arms (three plates padded to a power of two), each walking the index in order
    // (a sort, where SQLite adds one, is over the arm's one page, after its LIMIT).
    int arms = 0;
    const std::string walk = "reads_d20454_by_plate (plate=?)\n";
    for (size_t at = plan.find(walk); at != std::string::npos; at = plan.find(walk, at + 1)) {
      ++arms;
      EXPECT_EQ(plan.compare(at + walk.size(), 6, "SCAN a"), 0) << term << ":\n" << plan;
    }
    EXPECT_EQ(arms, 4) << term << ":\n" << plan;
    // The arms read only the index (time and id), and the page's rows are fetched by id
    // after the merge.
    EXPECT_NE(plan.find("COVERING INDEX reads_d20454_by_plate (plate=?)"), std::string::npos) << term << ":\n" << plan;
    EXPECT_NE(plan.find("INTEGER PRIMARY KEY (rowid=?)"), std::string::npos) << term << ":\n" << plan;
  }
}

// What SQLite runs for candidate plates (SqlReadStore::SearchDayTables): per day table, the
// (time, id) of the plates' reads from the plate index alone, sorted (a day's share only),
// then the page's rows by id.
TEST_F(SearchPlan, CandidatePlatesOfADayAreKeysFromItsPlateIndex) {
  std::string plan = PlanOf("SELECT r.captured_ms, r.id FROM reads_d20454 r WHERE r.plate IN (?, ?, ?, ?) "
                            "ORDER BY r.captured_ms DESC, r.id DESC LIMIT ?",
                            {std::string("7ABC123"), std::string("7A8C123"), std::string("7ABC12"), std::string(),
                             int64_t{51}});
  EXPECT_NE(plan.find("COVERING INDEX reads_d20454_by_plate (plate=?)"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("SCAN"), std::string::npos) << plan;
  plan = PlanOf("SELECT r.id FROM reads_d20454 r WHERE r.id IN (?, ?)", {int64_t{1}, int64_t{2}});
  EXPECT_NE(plan.find("INTEGER PRIMARY KEY (rowid=?)"), std::string::npos) << plan;
}

TEST_F(SearchPlan, FiltersWithoutAPlateUseTheirIndexes) {
  ExpectIndex({.match = PlateMatch::kAny}, "reads_d20454_by_time");
  ExpectIndex({.match = PlateMatch::kAny, .from = kT, .to = kT + std::chrono::hours(1)}, "reads_d20454_by_time");
  ExpectIndex({.match = PlateMatch::kAny, .camera_ids = {"cam-a", "cam-b"}}, "reads_d20454_by_hour_camera");
  ExpectIndex({.match = PlateMatch::kAny, .data_class = DataClass::kNonPublicSafety}, "reads_d20454_by_class");
}

// A day table's camera index is led by the capture hour (day_tables.h): a camera search
// names the hours to seek, only those its time range overlaps, and seeks each hour's
// entries of the cameras.
TEST_F(SearchPlan, CamerasAreSoughtHourByHour) {
  const int64_t first_hour = kDay * 24;
  SearchQuery q{.match = PlateMatch::kAny, .camera_ids = {"cam-a"}};
  auto built = SqliteTableSearchSql(q, nullptr, nullptr, DayTableName(kDay));
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  EXPECT_NE(built->sql.find(std::to_string(first_hour)), std::string::npos) << built->sql;
  EXPECT_NE(built->sql.find(std::to_string(first_hour + 23)), std::string::npos) << built->sql;
  std::string plan = PlanOf(built->sql, built->params);
  EXPECT_NE(plan.find("reads_d20454_by_hour_camera (<expr>=? AND camera_id=?)"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("SCAN r"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;  // one camera: no sort
  // 00:30 to 01:30 on the day: its hours 0 and 1, no other.
  q.from = kT + std::chrono::minutes(30);
  q.to = kT + std::chrono::minutes(90);
  built = SqliteTableSearchSql(q, nullptr, nullptr, DayTableName(kDay));
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  EXPECT_NE(built->sql.find("IN (" + std::to_string(first_hour + 1) + ", " + std::to_string(first_hour) + ")"),
            std::string::npos)
      << built->sql;
  plan = PlanOf(built->sql, built->params);
  EXPECT_NE(plan.find("reads_d20454_by_hour_camera (<expr>=? AND camera_id=?"), std::string::npos) << plan;
  // reads_legacy keeps reads_by_camera (camera_id, captured_ms) and gets no hour condition.
  built = SqliteTableSearchSql(q, nullptr, nullptr, kLegacyReadsTable);
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  EXPECT_EQ(built->sql.find("3600000"), std::string::npos) << built->sql;
  plan = PlanOf(built->sql, built->params);
  EXPECT_NE(plan.find("reads_by_camera (camera_id=?"), std::string::npos) << plan;
}

TEST_F(SearchPlan, ExactPlatePagesWalkTheIndexInOrderWithoutSorting) {
  std::string plan = Plan({.match = PlateMatch::kExact, .plate = "7ABC123", .cursor = "c1.1767225600000.42"});
  EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
  plan = Plan({.match = PlateMatch::kAny});
  EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
}

// Ingest's look-up of event ids seeks each in the unique index of the day's table, and in
// reads_legacy's day stretch of reads_by_event (with "event_id IS NOT NULL" added, SQLite
// 3.40 walked the whole day as a range).
TEST_F(SearchPlan, EventIdsAreSoughtOneByOne) {
  std::vector<SqlValue> ids;
  std::string in;
  for (int i = 0; i < 100; ++i) {
    ids.emplace_back("evt-" + std::to_string(i));
    in += i ? ", ?" : "?";
  }
  std::string day_plan = PlanOf("SELECT event_id, id FROM reads_d20454 WHERE event_id IN (" + in + ")", ids);
  EXPECT_NE(day_plan.find("reads_d20454_by_event (event_id=?)"), std::string::npos) << day_plan;

  std::vector<SqlValue> params;
  for (int i = 0; i < 100; ++i) params.emplace_back("evt-" + std::to_string(i));
  params.emplace_back(int64_t{20454});  // the day
  std::string plan = PlanOf(SqliteEventLookupSql(100), params);
  EXPECT_NE(plan.find("reads_by_event (<expr>=? AND event_id=?)"), std::string::npos) << plan;
}

// The view over every day's table (migration 9), which the statements that find reads by
// id or plate use, is sought in each table's own index, never scanned or materialised.
TEST_F(SearchPlan, TheReadsViewIsSoughtTableByTable) {
  const std::vector<std::pair<std::string, std::vector<SqlValue>>> statements = {
      {"SELECT r.id, r.plate FROM reads r WHERE r.id = ?", {int64_t{42}}},  // GetRead, holds, corrections
      {"SELECT p.plate FROM plates p WHERE p.plate IN (?, ?) AND NOT EXISTS (SELECT 1 FROM reads r WHERE "
       "r.plate = p.plate)",
       {std::string("7ABC123"), std::string("7ABC124")}},  // UnindexUnusedPlates
      {"SELECT id, captured_ms, plate, region FROM reads WHERE plate IN (?, ?) AND captured_ms >= ?",
       {std::string("7ABC123"), std::string("7ABC124"), int64_t{0}}},  // retroactive hotlist hits
  };
  for (const auto& [sql, params] : statements) {
    std::string plan = PlanOf(sql, params);
    EXPECT_EQ(plan.find("SCAN"), std::string::npos) << sql << ":\n" << plan;
    EXPECT_EQ(plan.find("MATERIALIZE"), std::string::npos) << sql << ":\n" << plan;
    for (const char* table : {"reads_legacy", "reads_d20453", "reads_d20454"}) {
      EXPECT_NE(plan.find(std::string("SEARCH ") + table), std::string::npos) << sql << ":\n" << plan;
    }
    // The open day's arm (aliased r) is sought too: by id, or hour by hour by plate.
    EXPECT_NE(plan.find(sql.find("r.id = ?") != std::string::npos
                            ? "SEARCH r USING INTEGER PRIMARY KEY (rowid=?)"
                            : "reads_d20455_by_hour_plate (<expr>=? AND plate=?"),
              std::string::npos)
        << sql << ":\n" << plan;
  }
}

}  // namespace
}  // namespace custodian::store::internal
