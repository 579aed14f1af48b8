// The narrow seam between the generic SQL store and one database library. Internal.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "custodian/core/status.h"
#include "store/migrations.h"

namespace custodian::store::internal {

// NULL, integer, real or text. The PostgreSQL driver returns every non-NULL value as
// text; the accessors below convert.
using SqlValue = std::variant<std::monostate, int64_t, double, std::string>;
using SqlRow = std::vector<SqlValue>;

enum class Dialect { kSqlite, kPostgres };

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
  // Outside a transaction: makes sure reads captured on these UTC days (days since the
  // epoch) can be inserted. A no-op where reads are not partitioned.
  virtual Status EnsureReadPartitions(const std::vector<int64_t>& days) = 0;
  // Outside a transaction: drops the partitions of these UTC days that hold no read, and
  // forgets them (a later insert recreates one). Returns how many it dropped; 0 where
  // reads are not partitioned.
  virtual Result<int64_t> DropEmptyReadPartitions(const std::vector<int64_t>& days) = 0;
};

inline bool IsNull(const SqlValue& v) { return std::holds_alternative<std::monostate>(v); }
int64_t AsInt(const SqlValue& v);        // 0 for NULL
double AsDouble(const SqlValue& v);      // 0 for NULL
std::string AsString(const SqlValue& v);  // "" for NULL

}  // namespace custodian::store::internal
