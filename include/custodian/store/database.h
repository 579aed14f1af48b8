// Txn: a transaction on the store's database, for the layers above the store (the access
// governance tables) that must commit their rows atomically and on either backend.
//
// Basic usage:
//   Status st = store->Transact([&](store::Txn& txn) -> Status {
//     CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT id FROM users WHERE username = ?", {name}));
//     ...
//     return Status::Ok();  // commits; any error rolls back
//   });
//
// SQL uses '?' placeholders (the PostgreSQL driver rewrites them), never string splicing,
// and what both backends run alike (SQLite's driver adds PostgreSQL's strpos).
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "custodian/core/status.h"

namespace custodian::store {

// NULL, integer, real or text. PostgreSQL returns every non-NULL value as text; the
// accessors below convert.
using SqlValue = std::variant<std::monostate, int64_t, double, std::string>;
using SqlRow = std::vector<SqlValue>;

inline bool IsNull(const SqlValue& v) { return std::holds_alternative<std::monostate>(v); }
int64_t AsInt(const SqlValue& v);         // 0 for NULL
double AsDouble(const SqlValue& v);       // 0 for NULL
std::string AsString(const SqlValue& v);  // "" for NULL

// Not thread-safe; valid only inside the Transact call that passed it.
class Txn {
 public:
  virtual ~Txn() = default;
  // Runs one statement with '?' placeholders bound to `params`, returning every row.
  virtual Result<std::vector<SqlRow>> Query(const std::string& sql, const std::vector<SqlValue>& params) = 0;
  // Inside this transaction, waits until no other transaction holds lock `key` (a
  // PostgreSQL advisory transaction lock; SQLite's write transaction already excludes
  // every other writer).
  virtual Status Lock(int64_t key) = 0;
};

}  // namespace custodian::store
