// The narrow seam between the generic SQL store and one database library. Internal.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "custodian/core/status.h"
#include "custodian/store/database.h"
#include "store/migrations.h"

namespace custodian::store::internal {

using store::Dialect;
using store::SqlRow;
using store::SqlValue;

// Not thread-safe: the store serialises calls. Library exceptions never leave a driver.
class SqlDriver {
 public:
  virtual ~SqlDriver() = default;
  virtual Dialect dialect() const = 0;
  virtual std::span<const Migration> migrations() const = 0;

  virtual Status Begin() = 0;
  virtual Status Commit() = 0;
  virtual Status Rollback() = 0;
  // Runs statements without parameters (migrations, DDL).
  virtual Status ExecScript(const std::string& sql) = 0;
  // Runs one statement with '?' placeholders bound to `params`, returning every row.
  virtual Result<std::vector<SqlRow>> Query(const std::string& sql, const std::vector<SqlValue>& params) = 0;
  virtual Result<bool> HasTable(const std::string& name) = 0;
  // Inside a transaction: waits until no other process migrates this database.
  virtual Status LockForMigration() = 0;
  // Inside a transaction: waits for the transaction-scoped lock `key` (released at its
  // end). PostgreSQL: an advisory lock; SQLite: nothing (BEGIN IMMEDIATE already
  // serialises writers).
  virtual Status Lock(int64_t key) = 0;

  // ---- Where reads live (each backend's storage layout) ----
  // The alert list's SELECT, with DecodeAlert's columns (sql_hotlists.cc); a WHERE clause
  // follows it. Columns 4-6 (the read's plate, region, camera) may be NULL, for
  // FillAlertReads to complete from each read's own table.
  virtual const char* AlertSelectSql() const = 0;
  virtual Status FillAlertReads(std::vector<SqlRow>& rows) = 0;
  // The table an UPDATE of read `id` names ("reads" where that is a table).
  virtual std::string ReadTableOfId(int64_t id) const = 0;
  // The capture day IndexPlate records as a plate's first (SQLite's search by day starts
  // there), or nothing where the layout has no use for it.
  virtual std::optional<int64_t> PlateDayOf(int64_t captured_ms) const = 0;
  // At a migrating open, after the migrations: brings older storage up to date.
  virtual Status AfterMigrate() = 0;
  // Outside a transaction: makes sure reads captured on these UTC days (days since the
  // epoch) can be inserted. A no-op on SQLite, whose day tables the store keeps inside its
  // own transactions (store/sqlite/day_tables.h: each comes with a view rebuild and ids).
  virtual Status EnsureReadPartitions(const std::vector<int64_t>& days) = 0;
  // Outside a transaction: drops the partitions of these UTC days that hold no read, and
  // forgets them (a later insert recreates one). Returns how many it dropped; 0 on SQLite
  // (PurgeBatch drops the day tables it empties in its own transaction).
  virtual Result<int64_t> DropEmptyReadPartitions(const std::vector<int64_t>& days) = 0;
};

using store::AsDouble;
using store::AsInt;
using store::AsString;
using store::IsNull;

}  // namespace custodian::store::internal
