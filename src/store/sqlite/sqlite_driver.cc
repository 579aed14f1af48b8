#include "store/sqlite/sqlite_driver.h"
#include "store/sqlite/day_tables.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <string>
#include <string_view>
#include <unordered_map>

namespace custodian::store::internal {
namespace {

class SqliteDriver final : public SqlDriver {
 public:
  explicit SqliteDriver(sqlite3* db) : db_(db) {}
  ~SqliteDriver() override {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  sqlite3* handle() const { return db_; }
  std::span<const Migration> migrations() const override { return SqliteMigrations(); }

  Status Begin() override { return ExecScript("BEGIN IMMEDIATE"); }
  Status Commit() override { return ExecScript("COMMIT"); }
  Status Rollback() override { return ExecScript("ROLLBACK"); }

  Status ExecScript(const std::string& sql) override {
    char* err = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      std::string msg = err ? err : sqlite3_errstr(rc);
      sqlite3_free(err);
      return Error(rc, msg);
    }
    return Status::Ok();
  }

  Result<std::vector<SqlRow>> Query(const std::string& sql, const std::vector<SqlValue>& params) override {
    CUSTODIAN_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
    // Every parameter is bound below (the count is checked), so no clear_bindings; text
    // is bound without a copy (SQLITE_STATIC): `params` outlives the steps, and the next
    // call binds anew before stepping again.
    sqlite3_reset(stmt);
    if (size_t(sqlite3_bind_parameter_count(stmt)) != params.size()) {
      return Status::Internal("sqlite: statement wants ", sqlite3_bind_parameter_count(stmt), " parameters, got ",
                              params.size());
    }
    for (size_t i = 0; i < params.size(); ++i) {
      int idx = int(i) + 1;
      int rc = SQLITE_OK;
      const SqlValue& v = params[i];
      if (auto* n = std::get_if<int64_t>(&v)) {
        rc = sqlite3_bind_int64(stmt, idx, *n);
      } else if (auto* d = std::get_if<double>(&v)) {
        rc = sqlite3_bind_double(stmt, idx, *d);
      } else if (auto* s = std::get_if<std::string>(&v)) {
        rc = sqlite3_bind_text(stmt, idx, s->data(), int(s->size()), SQLITE_STATIC);
      } else {
        rc = sqlite3_bind_null(stmt, idx);
      }
      if (rc != SQLITE_OK) return Error(rc, sqlite3_errmsg(db_));
    }
    std::vector<SqlRow> rows;
    for (;;) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        Status st = Error(rc, sqlite3_errmsg(db_));
        sqlite3_reset(stmt);
        return st;
      }
      int n = sqlite3_column_count(stmt);
      SqlRow row(static_cast<size_t>(n));
      for (int c = 0; c < n; ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_INTEGER: row[c] = int64_t(sqlite3_column_int64(stmt, c)); break;
          case SQLITE_FLOAT: row[c] = sqlite3_column_double(stmt, c); break;
          case SQLITE_NULL: break;
          default: {
            const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
            row[c] = std::string(text ? text : "", size_t(sqlite3_column_bytes(stmt, c)));
          }
        }
      }
      rows.push_back(std::move(row));
    }
    sqlite3_reset(stmt);
    return rows;
  }

  Result<bool> HasTable(const std::string& name) override {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, Query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", {name}));
    return !rows.empty();
  }

  Status LockForMigration() override { return Status::Ok(); }  // BEGIN IMMEDIATE already excludes writers
  Status Lock(int64_t) override { return Status::Ok(); }       // likewise

  Result<DatabaseRole> InspectRole() override {
    return DatabaseRole{.backend = "sqlite", .name = "", .confined = false,
                        .why = "SQLite has no roles: whoever may write the database file may change anything"};
  }
  Status GrantServerRole(std::string_view, const Clock&) override {
    return Status::InvalidArgument("SQLite has no database roles: a server role is for PostgreSQL");
  }
  Status RegrantServerRoles() override { return Status::Ok(); }

 private:
  Result<sqlite3_stmt*> Prepare(const std::string& sql) {
    if (auto it = cache_.find(sql); it != cache_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.c_str(), int(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return Error(rc, sqlite3_errmsg(db_));
    // Searches build many shapes of statement, one set per day table; keep the cache bounded.
    if (cache_.size() > 2048) {
      for (auto& [s, st] : cache_) sqlite3_finalize(st);
      cache_.clear();
    }
    cache_.emplace(sql, stmt);
    return stmt;
  }

  static Status Error(int rc, const std::string& msg) {
    int primary = rc & 0xff;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_IOERR || primary == SQLITE_FULL ||
        primary == SQLITE_CANTOPEN) {
      return Status::Unavailable("sqlite: ", msg);
    }
    if (primary == SQLITE_CONSTRAINT) return Status::InvalidArgument("sqlite: ", msg);
    if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) return Status::Internal("sqlite: database is corrupt: ", msg);
    return Status::Internal("sqlite: ", msg);
  }

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

}  // namespace

sqlite3* SqliteHandleOf(SqlDriver& driver) {
  auto* sqlite = dynamic_cast<SqliteDriver*>(&driver);
  return sqlite ? sqlite->handle() : nullptr;
}

namespace {

// PostgreSQL's strpos: the 1-based character position of the first `needle` in `haystack`,
// 0 when there is none; NULL when either is NULL.
void StrPos(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
    sqlite3_result_null(ctx);
    return;
  }
  const auto* h = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  const int h_len = sqlite3_value_bytes(argv[0]);
  const auto* n = reinterpret_cast<const char*>(sqlite3_value_text(argv[1]));
  const int n_len = sqlite3_value_bytes(argv[1]);
  const std::string_view hay(h ? h : "", size_t(h_len)), needle(n ? n : "", size_t(n_len));
  const size_t at = hay.find(needle);
  if (at == std::string_view::npos) {
    sqlite3_result_int64(ctx, 0);
    return;
  }
  int64_t chars = 1;  // UTF-8 lead bytes before the match
  for (size_t i = 0; i < at; ++i) chars += (static_cast<unsigned char>(hay[i]) & 0xC0) != 0x80;
  sqlite3_result_int64(ctx, chars);
}

}  // namespace

Result<std::unique_ptr<SqlDriver>> OpenSqliteDriver(const std::filesystem::path& file, bool create, int cache_mib) {
  std::error_code ec;
  if (!create && !std::filesystem::exists(file, ec)) {
    return Status::NotFound("no SQLite database at ", file.string(), "; create it with `custodian db migrate`");
  }
  if (create) {
    std::filesystem::create_directories(file.parent_path(), ec);
    if (ec) return Status::Unavailable("create ", file.parent_path().string(), ": ", ec.message());
    // Plate data: the file (and the -wal and -shm files SQLite gives the same mode) is
    // readable by its owner only.
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return Status::Unavailable("create ", file.string(), ": ", std::strerror(errno));
    ::close(fd);
  }
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(file.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Status::Unavailable("sqlite: open ", file.string(), ": ", msg);
  }
  auto driver = std::make_unique<SqliteDriver>(db);
  sqlite3_busy_timeout(db, 5000);
  // strpos(haystack, needle): PostgreSQL's, so that the layers above write one statement
  // for both backends (the access log's term filter).
  rc = sqlite3_create_function_v2(db, "strpos", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr, &StrPos, nullptr,
                                  nullptr, nullptr);
  if (rc != SQLITE_OK) return Status::Unavailable("sqlite: strpos: ", sqlite3_errmsg(db));
  // WAL for concurrent readers; synchronous=FULL so a COMMIT has reached the disk (the WAL
  // is fsynced) before it returns: an acknowledged read survives power loss.
  CUSTODIAN_ASSIGN_OR_RETURN(auto mode, driver->Query("PRAGMA journal_mode = WAL", {}));
  if (mode.empty() || AsString(mode[0][0]) != "wal") {
    return Status::Unavailable("sqlite: ", file.string(), " cannot use WAL mode");
  }
  // secure_delete: a deleted row's bytes and freed pages are overwritten with zeros, so a
  // purged read's plate cannot be recovered from the file's free space (retention means
  // destroyed, policy section 3). Debian builds SQLite with it on; set here so that another
  // build cannot quietly turn it off. FAST would leave freed pages as they were (the test
  // APurgedPlateLeavesNoBytesInTheDatabaseFile fails with it) for ~12% off a purge
  // (bench/RESULTS.md, session 9).
  CUSTODIAN_RETURN_IF_ERROR(
      driver->ExecScript("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;"));
  // The page cache: StoreOptions::cache_mib (allocated as used; negative = KiB).
  // wal_autocheckpoint 16384 pages (64 MiB of WAL; OpenStore sets the store's writer to
  // StoreOptions::wal_checkpoint_pages instead): an index page dirtied by many batches
  // is copied back to the database file once per checkpoint, not once per 1000 pages.
  // Neither changes durability: each COMMIT still fsyncs the WAL.
  CUSTODIAN_RETURN_IF_ERROR(driver->ExecScript(
      "PRAGMA cache_size = -" + std::to_string(int64_t(cache_mib) * 1024) +
      "; PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 16384;"));
  return std::unique_ptr<SqlDriver>(std::move(driver));
}

}  // namespace custodian::store::internal
