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

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "custodian/core/clock.h"
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

// Converts one column into `out` by its type: an integer type or bool (AsInt), float or
// double (AsDouble), std::string (AsString), TimePoint (Unix milliseconds), or std::optional of
// one of those (nullopt for NULL).
template <typename T>
void ColumnTo(const SqlValue& v, T& out) {
  if constexpr (std::is_same_v<T, bool>) {
    out = AsInt(v) != 0;
  } else if constexpr (std::is_integral_v<T>) {
    out = static_cast<T>(AsInt(v));
  } else if constexpr (std::is_floating_point_v<T>) {
    out = static_cast<T>(AsDouble(v));
  } else if constexpr (std::is_same_v<T, std::string>) {
    out = AsString(v);
  } else if constexpr (std::is_same_v<T, TimePoint>) {
    out = FromUnixMillis(AsInt(v));
  } else {
    static_assert(std::is_same_v<T, std::optional<typename T::value_type>>, "ColumnTo: no conversion for this type");
    if (IsNull(v)) {
      out.reset();
    } else {
      typename T::value_type x{};
      ColumnTo(v, x);
      out = std::move(x);
    }
  }
}

// Reads a row's columns, from `first` on, into `outs` in order (ColumnTo each), so a
// decoder names its fields once in SELECT order:
//   ColumnsTo(row, 0, h.id, h.case_number, h.placed_at, h.released_at);
// REQUIRES: row.size() >= first + sizeof...(outs).
template <typename... T>
void ColumnsTo(const SqlRow& row, size_t first, T&... outs) {
  size_t i = first;
  (ColumnTo(row[i++], outs), ...);
}

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
