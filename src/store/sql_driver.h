// The narrow seam between the generic SQL store and one database library: statements,
// transactions, locks. How a backend lays out its tables is ReadLayout's (read_layout.h).
// Internal.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "custodian/core/status.h"
#include "custodian/core/clock.h"
#include "custodian/store/database.h"
#include "custodian/store/read_store.h"
#include "store/migrations.h"

namespace custodian::store::internal {

using store::SqlRow;
using store::SqlValue;

// Not thread-safe: the store serialises calls. Library exceptions never leave a driver.
class SqlDriver {
 public:
  virtual ~SqlDriver() = default;
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

  // ---- Database roles (PostgreSQL's, postgres/pg_roles.h; SQLite has none) ----
  // The role this connection acts as, and whether it is confined.
  virtual Result<DatabaseRole> InspectRole() = 0;
  // As the schema's owner: grants `role` the server's privileges, and records it.
  virtual Status GrantServerRole(std::string_view role, const Clock& clock) = 0;
  // After migrations were applied: grants the tables they added to the roles granted before.
  virtual Status RegrantServerRoles() = 0;
};

using store::AsDouble;
using store::AsInt;
using store::AsString;
using store::IsNull;

}  // namespace custodian::store::internal
