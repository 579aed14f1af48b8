// Guards "cost grows with the answer, not the table": every search shape the store builds
// is planned by SQLite through one of the indexes meant for it, never a full scan of reads.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

#include "custodian/store/read_store.h"
#include "store/read_terms.h"
#include "store/sql_read_store.h"

namespace custodian::store::internal {
namespace {

namespace fs = std::filesystem;

class SearchPlan : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("custodian_search_plan_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    auto migrated = MigrateDatabase("sqlite://" + (dir_ / "c.db").string());
    ASSERT_TRUE(migrated.ok()) << migrated.status().ToString();
    ASSERT_EQ(sqlite3_open_v2((dir_ / "c.db").c_str(), &db_, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  }
  void TearDown() override {
    sqlite3_close_v2(db_);
    fs::remove_all(dir_);
  }

  // The plan's lines, e.g. "SEARCH r USING INDEX reads_by_time (captured_ms>?)".
  std::string Plan(const SearchQuery& q) {
    auto built = BuildSearchSql(q, Dialect::kSqlite);
    EXPECT_TRUE(built.ok()) << built.status().ToString();
    if (!built.ok()) return "";
    return PlanOf(built->sql, built->params);
  }

  std::string PlanOf(const std::string& statement, const std::vector<SqlValue>& params) {
    std::string sql = "EXPLAIN QUERY PLAN " + statement;
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db_);
    for (size_t i = 0; i < params.size(); ++i) {
      const SqlValue& v = params[i];
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

  void ExpectIndex(const SearchQuery& q, const std::string& index) {
    std::string plan = Plan(q);
    EXPECT_NE(plan.find(index), std::string::npos) << "plate '" << q.plate << "':\n" << plan;
    EXPECT_EQ(plan.find("SCAN r\n"), std::string::npos) << "full scan of reads:\n" << plan;
  }

  fs::path dir_;
  sqlite3* db_ = nullptr;
};

const TimePoint kT = FromUnixMillis(1'767'225'600'000);

// SQLite narrows a plate term by its terms index (read_terms.h): each kind of term
// becomes the FTS5 query meant for it; terms the index cannot narrow (no prefix or suffix
// of 2+, no literal run of 3+) are answered by the time-ordered scan below.
TEST_F(SearchPlan, EachPlateMatchBecomesItsTermsQuery) {
  auto match = [](const SearchQuery& q) {
    auto m = TermsMatch(q);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.ok() ? *m : std::string("?");
  };
  EXPECT_EQ(match({.match = PlateMatch::kExact, .plate = "7abc-123"}), "p7ABC123");
  EXPECT_EQ(match({.match = PlateMatch::kWildcard, .plate = "7ABC123"}), "p7ABC123");
  EXPECT_EQ(match({.match = PlateMatch::kWildcard, .plate = "7ABC*"}), "p7ABC*");
  EXPECT_EQ(match({.match = PlateMatch::kWildcard, .plate = "7A*"}), "p7A*");
  EXPECT_EQ(match({.match = PlateMatch::kWildcard, .plate = "*23"}), "r32*");
  EXPECT_EQ(match({.match = PlateMatch::kWildcard, .plate = "*C123"}), "g123 AND gC12");
  EXPECT_EQ(match({.match = PlateMatch::kWildcard, .plate = "?ABC?2?"}), "gABC");
  EXPECT_EQ(match({.match = PlateMatch::kWildcard, .plate = "7?*"}), "");
  EXPECT_EQ(match({.match = PlateMatch::kWildcard, .plate = "*"}), "");
  EXPECT_EQ(match({.match = PlateMatch::kFuzzy, .plate = "7ABC123"}), "k7A8C123");
  const std::string one_edit = match({.match = PlateMatch::kFuzzy, .plate = "7ABC123", .extra_edits = 1});
  EXPECT_EQ(one_edit.rfind("k", 0), 0u) << one_edit;
  EXPECT_NE(one_edit.find(" OR k7A8C123"), std::string::npos) << one_edit;
  EXPECT_EQ(match({.match = PlateMatch::kAny}), "");
  EXPECT_EQ(match({.match = PlateMatch::kAny, .camera_ids = {"cam-a", "b"}}), "c63616d2d61 OR c62");
  EXPECT_EQ(match({.match = PlateMatch::kExact, .plate = "7ABC123", .camera_ids = {"b"}}), "(p7ABC123) AND (c62)");
}

// The two statements of a terms search: a day's matching tkeys from the FTS5 index,
// newest first, then their rows by reads_by_tkey, with no sort and no scan of reads.
TEST_F(SearchPlan, TermsSearchWalksTheIndexesInOrder) {
  sqlite3* rw = nullptr;
  ASSERT_EQ(sqlite3_open_v2((dir_ / "c.db").c_str(), &rw, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(rw,
                         "CREATE VIRTUAL TABLE read_terms_20454 USING fts5(terms, content='', detail='none', "
                         "tokenize='ascii')",
                         nullptr, nullptr, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(rw);
  sqlite3_close_v2(rw);
  std::string plan = PlanOf(TermsRowidSql(20454), {std::string("p7ABC123"), int64_t(1) << 62, int64_t(0), int64_t(64)});
  EXPECT_NE(plan.find("SCAN read_terms_20454 VIRTUAL TABLE INDEX"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;  // FTS5 gives rowids in order
  SearchSql conditions;
  ASSERT_TRUE(BuildSearchSql({.match = PlateMatch::kExact, .plate = "7ABC123", .cursor = "c1.1767225600000.42"},
                             Dialect::kSqlite, nullptr, nullptr, &conditions)
                  .ok());
  std::vector<SqlValue> params = {int64_t(1), int64_t(2), int64_t(3)};
  params.insert(params.end(), conditions.params.begin(), conditions.params.end());
  plan = PlanOf("SELECT r.id FROM reads r WHERE r.tkey IN (?, ?, ?) AND " + conditions.sql + " ORDER BY r.tkey DESC",
                params);
  EXPECT_NE(plan.find("reads_by_tkey (tkey=?)"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("SCAN r\n"), std::string::npos) << plan;
}

TEST_F(SearchPlan, FiltersWithoutAPlateUseTheirIndexes) {
  ExpectIndex({.match = PlateMatch::kAny}, "reads_by_time");
  ExpectIndex({.match = PlateMatch::kAny, .from = kT, .to = kT + std::chrono::hours(1)}, "reads_by_time");
  ExpectIndex({.match = PlateMatch::kAny, .data_class = DataClass::kNonPublicSafety}, "reads_by_class");
  ExpectIndex({.match = PlateMatch::kWildcard, .plate = "7?*"}, "reads_by_time");  // no term narrows it
}

TEST_F(SearchPlan, PagesWithoutAPlateWalkTheTimeIndexWithoutSorting) {
  std::string plan = Plan({.match = PlateMatch::kAny, .cursor = "c1.1767225600000.42"});
  EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
}

// PostgreSQL (no terms index): with its candidate plates known, a search walks
// reads_by_plate once per plate, each walk stopping after a page: one arm per plate,
// padded to a power of two.
TEST(SearchSqlPostgres, CandidatePlatesAreWalkedOnePageEach) {
  std::vector<std::string> plates = {"7ABC123", "7A8C123", "7ABC12"};
  SearchSql source;
  auto built = BuildSearchSql({.match = PlateMatch::kFuzzy, .plate = "7ABC123"}, Dialect::kPostgres, nullptr, &source);
  ASSERT_TRUE(built.ok());
  EXPECT_NE(source.sql.find("confusion_key"), std::string::npos) << source.sql;
  auto arms = BuildSearchSql({.match = PlateMatch::kWildcard, .plate = "*ABC*"}, Dialect::kPostgres, &plates);
  ASSERT_TRUE(arms.ok());
  int n = 0;
  for (size_t at = arms->sql.find("r.plate = ?"); at != std::string::npos; at = arms->sql.find("r.plate = ?", at + 1)) {
    ++n;
  }
  EXPECT_EQ(n, 4) << arms->sql;
}

}  // namespace
}  // namespace custodian::store::internal
