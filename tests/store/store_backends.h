// The two store backends as the conformance suite sees them: how to make a fresh
// database, and raw SQL access for the few tests that must tamper with one.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <pqxx/pqxx>
#include <string>
#include <string_view>

#include "custodian/core/status.h"
#include "custodian/store/read_store.h"

// The columns migrations 14-15 (SQLite) and 10-11 (PostgreSQL) add (agencies' state and
// kind, grants' attestation, alerts' class, keys' expiry), dropped so that a test that
// rewinds the schema further can migrate forward again.
#define CUSTODIAN_UNDO_ISSUE23_COLUMNS \
  "ALTER TABLE api_keys DROP COLUMN expires_ms; DROP INDEX alerts_by_class; ALTER TABLE alerts DROP COLUMN data_class; " \
  "ALTER TABLE sharing_grants DROP COLUMN attested_signatory; ALTER TABLE sharing_grants DROP COLUMN attested_date_ms; " \
  "ALTER TABLE sharing_grants DROP COLUMN attestation_text; ALTER TABLE sharing_grants DROP COLUMN attested_by; " \
  "ALTER TABLE sharing_grants DROP COLUMN attested_ms; ALTER TABLE agencies DROP COLUMN state; " \
  "ALTER TABLE agencies DROP COLUMN kind; ALTER TABLE agencies DROP COLUMN recorded_by; " \
  "ALTER TABLE agencies DROP COLUMN recorded_ms; ALTER TABLE agencies DROP COLUMN home; " \
  ""

namespace custodian::store::testing {

// Whether this is a CI run (CI=true), where a backend that cannot be started fails the
// test instead of skipping it.
inline bool InCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string_view(ci) == "true";
}

// Sets *url to a fresh database of Backend in `dir`, in the server's role (PostgreSQL: as
// `custodian serve` runs). When the backend cannot be started here the test is skipped
// (failed where CI=true) and *url is left empty: the caller returns.
template <typename Backend>
void NewServerDatabase(const std::filesystem::path& dir, std::string* url) {
  auto made = Backend::NewDatabase(dir);
  if (!made.ok()) {
    if (InCi()) FAIL() << made.status().ToString();
    GTEST_SKIP() << made.status().ToString() << " (run through ctest, or set CI=true to make this a failure)";
  }
  auto as_server = Backend::AsServer(*made);
  ASSERT_TRUE(as_server.ok()) << as_server.status().ToString();
  *url = *as_server;
}

struct SqliteBackend {
  static constexpr bool kPartitioned = false;
  static constexpr bool kEventIdsPerDay = true;  // reads_by_event (capture day, event id)
  // Undoes migration 9 for a database whose reads are all of 2026-01-01 (day 20454): one
  // reads table again, holding them.
  // Undoes migrations 15 (key expiry) and 14 (sharing jurisdiction): its columns, so that a test that rewinds
  // the schema further can migrate forward again.
  static constexpr const char* kUndoSharingJurisdiction =
      CUSTODIAN_UNDO_ISSUE23_COLUMNS
      "DELETE FROM schema_version WHERE version >= 14";
  static constexpr const char* kUndoDayTables =
      "DROP VIEW reads; ALTER TABLE reads_legacy RENAME TO reads; "
      "INSERT INTO reads SELECT id % 4294967296, event_id, camera_id, captured_ms, ingested_ms, plate_raw, plate, "
      "plate_rev, confusion_key, confidence, candidates, country, region, box_x, box_y, box_w, box_h, lat, lon, "
      "data_class, crop_sha, frame_sha FROM reads_d20454; "
      "DROP TABLE reads_d20454; DROP TABLE read_days; ALTER TABLE plates DROP COLUMN first_day; "
      "DELETE FROM schema_version WHERE version >= 9";
  // Undoes migrations 12 and 10 (11 only added a column to read_days, which
  // kUndoDayTables drops): plates_by_rev again, the trigrams back in plate_grams (emptied:
  // migration 2 fills it).
  static constexpr const char* kUndoPlateTrigrams =
      "CREATE INDEX plates_by_rev ON plates (plate_rev); "
      "DROP TABLE plate_trigrams; ALTER TABLE plates DROP COLUMN trigram_rowid; "
      "CREATE TABLE plate_grams (gram TEXT NOT NULL, plate TEXT NOT NULL, PRIMARY KEY (gram, plate)) WITHOUT ROWID; "
      "DELETE FROM schema_version WHERE version >= 10";
  // Rows of the trigram index (`where` a condition on its column plate), and how many
  // rows a plate with `trigrams` distinct trigrams has there: SQLite keeps a plate's
  // trigrams in one row of plate_trigrams (FTS5, migration 10).
  static std::string TrigramRowsSql(const std::string& where) { return "SELECT COUNT(*) FROM plate_trigrams " + where; }
  static int64_t TrigramRows(int64_t trigrams) { return trigrams > 0 ? 1 : 0; }
  // 1 when the trigram index holds exactly the plates of 3+ characters, each at its
  // plates.trigram_rowid; and FTS5's own check of its index against its rows.
  static constexpr const char* kTrigramsMatchPlatesSql =
      "SELECT (SELECT COUNT(*) FROM plates WHERE length(plate) >= 3) = (SELECT COUNT(*) FROM plate_trigrams) "
      "AND NOT EXISTS (SELECT 1 FROM plates p WHERE length(p.plate) >= 3 AND NOT EXISTS "
      "(SELECT 1 FROM plate_trigrams t WHERE t.rowid = p.trigram_rowid AND t.plate = p.plate))";
  static constexpr const char* kTrigramIndexCheck =
      "INSERT INTO plate_trigrams (plate_trigrams) VALUES ('integrity-check')";
  // A read's id once kUndoDayTables has moved it (ids before migration 9 counted from 1).
  static int64_t UndoneId(int64_t id) { return id % 4294967296; }
  // The name of the table of a capture day's reads.
  static std::string DayTableName(int y, int m, int d) {
    using namespace std::chrono;
    return "reads_d" + std::to_string(sys_days(year(y) / m / d).time_since_epoch().count());
  }
  static std::string TableCountSql(const std::string& name) {
    return "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '" + name + "'";
  }

  // A URL for a database file that does not exist yet, in `dir`.
  static Result<std::string> NewDatabase(const std::filesystem::path& dir) {
    return "sqlite://" + (dir / "custodian.db").string();
  }
  // SQLite has no roles: the server's URL is the owner's.
  static Result<std::string> AsServer(const std::string& url) { return url; }
  static std::string OwnerUrl(const std::string& url) { return url; }
  static void DropDatabase(const std::string&) {}
  // The database file a URL names ("" where the backend has none).
  static std::string FileOf(const std::string& url) { return url.substr(std::string("sqlite://").size()); }

  static Status Exec(const std::string& url, const std::string& sql) {
    std::string file = FileOf(url);
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      sqlite3_close_v2(db);
      return Status::Unavailable("cannot open ", file);
    }
    char* err = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    std::string msg = err ? err : "";
    sqlite3_free(err);
    sqlite3_close_v2(db);
    return rc == SQLITE_OK ? Status::Ok() : Status::Internal(msg);
  }

  static Result<int64_t> QueryInt(const std::string& url, const std::string& sql) {
    std::string file = FileOf(url);
    sqlite3* db = nullptr;
    sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* stmt = nullptr;
    int64_t out = -1;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
      out = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
    sqlite3_close_v2(db);
    if (out < 0) return Status::Internal("query failed: ", sql);
    return out;
  }
};

// Uses the cluster the pg_cluster CTest fixture starts: CUSTODIAN_TEST_PG_URL names its
// base database; each test gets a database of its own, so tests may run in parallel.
struct PostgresBackend {
  static constexpr bool kPartitioned = true;
  static constexpr bool kEventIdsPerDay = false;  // read_events (event id)
  // Undoes migrations 12, 11 and 10 (events per camera, key expiry, sharing jurisdiction), as SqliteBackend's.
  static constexpr const char* kUndoSharingJurisdiction =
      CUSTODIAN_UNDO_ISSUE23_COLUMNS
      "ALTER TABLE read_events DROP CONSTRAINT read_events_pkey; ALTER TABLE read_events DROP COLUMN camera_id; "
      "ALTER TABLE read_events ADD PRIMARY KEY (event_id); "  // migration 12
      "DELETE FROM schema_version WHERE version >= 10";
  static constexpr const char* kUndoDayTables = "SELECT 1";  // PostgreSQL partitions reads itself
  static constexpr const char* kUndoPlateTrigrams = "SELECT 1";  // PostgreSQL keeps plate_grams
  static std::string TrigramRowsSql(const std::string& where) { return "SELECT COUNT(*) FROM plate_grams " + where; }
  static int64_t TrigramRows(int64_t trigrams) { return trigrams; }
  static constexpr const char* kTrigramsMatchPlatesSql =
      "SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM plate_grams g WHERE NOT EXISTS (SELECT 1 FROM plates p WHERE "
      "p.plate = g.plate)) AND NOT EXISTS (SELECT 1 FROM plates p WHERE length(p.plate) >= 3 AND NOT EXISTS "
      "(SELECT 1 FROM plate_grams g WHERE g.plate = p.plate)) THEN 1 ELSE 0 END";
  static constexpr const char* kTrigramIndexCheck = "SELECT 1";
  static int64_t UndoneId(int64_t id) { return id; }
  static std::string DayTableName(int y, int m, int d) {
    char name[32];
    std::snprintf(name, sizeof name, "reads_p%04d%02d%02d", y, m, d);
    return name;
  }
  static std::string TableCountSql(const std::string& name) {
    return "SELECT COUNT(*) FROM pg_class WHERE relname = '" + name + "'";
  }

  static std::string FileOf(const std::string&) { return ""; }  // no database file

  // The role the tests' stores connect as, as `custodian serve` would: pg_cluster.sh makes
  // it (LOGIN, nothing else); GrantServerRole gives it the server's grants.
  static constexpr const char* kServerRole = "custodian_server";
  static constexpr const char* kAsServer = "&user=custodian_server";

  // Migrates the new database at `owner_url` as its owner, grants it to the server role, and
  // returns the URL that connects as that role: every store test on PostgreSQL then runs
  // with what the server may do, and no more.
  static Result<std::string> AsServer(const std::string& owner_url) {
    auto migrated = MigrateDatabase(owner_url);
    if (!migrated.ok()) return migrated.status();
    CUSTODIAN_RETURN_IF_ERROR(GrantServerRole(owner_url, kServerRole));
    return owner_url + kAsServer;
  }
  // The owner's URL for a URL AsServer returned (tests tamper, rewind and migrate as it).
  static std::string OwnerUrl(const std::string& url) {
    std::string out = url;
    if (size_t at = out.find(kAsServer); at != std::string::npos) out.erase(at, std::string(kAsServer).size());
    return out;
  }

  static Result<std::string> NewDatabase(const std::filesystem::path&) {
    const char* base = std::getenv("CUSTODIAN_TEST_PG_URL");
    if (base == nullptr || *base == '\0') {
      return Status::Unavailable("CUSTODIAN_TEST_PG_URL is not set (ctest sets it for the tests labelled pg)");
    }
    static std::atomic<int> counter{0};
    std::string name = "ct_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    try {
      pqxx::connection c(base);
      pqxx::nontransaction tx(c);
      tx.exec("DROP DATABASE IF EXISTS " + name);
      tx.exec("CREATE DATABASE " + name);
    } catch (const std::exception& e) {
      return Status::Unavailable("PostgreSQL test cluster unreachable: ", e.what());
    }
    std::string url(base);
    size_t q = url.find('?');
    return "postgresql:///" + name + (q == std::string::npos ? std::string() : url.substr(q));
  }

  static void DropDatabase(const std::string& url) {
    const char* base = std::getenv("CUSTODIAN_TEST_PG_URL");
    if (base == nullptr) return;
    std::string name = OwnerUrl(url).substr(std::string("postgresql:///").size());
    name = name.substr(0, name.find('?'));
    try {
      pqxx::connection c(base);
      pqxx::nontransaction tx(c);
      tx.exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (const std::exception&) {
      // Best effort: the cluster is deleted after the run anyway.
    }
  }

  static Status Exec(const std::string& url, const std::string& sql) {
    try {
      pqxx::connection c(OwnerUrl(url));
      pqxx::work tx(c);
      tx.exec(sql);
      tx.commit();
      return Status::Ok();
    } catch (const std::exception& e) {
      return Status::Internal(e.what());
    }
  }

  // Runs `sql` as the role `url` names (not the owner), in one transaction that is then
  // rolled back; "" when it ran, else the server's error message.
  static std::string ErrorAs(const std::string& url, const std::string& sql) {
    try {
      pqxx::connection c(url);
      pqxx::work tx(c);
      tx.exec(sql);
      tx.abort();
      return "";
    } catch (const std::exception& e) {
      return e.what();
    }
  }

  static Result<int64_t> QueryInt(const std::string& url, const std::string& sql) {
    try {
      pqxx::connection c(OwnerUrl(url));
      pqxx::work tx(c);
      return tx.exec1(sql)[0].as<int64_t>();
    } catch (const std::exception& e) {
      return Status::Internal(e.what());
    }
  }
};

}  // namespace custodian::store::testing
