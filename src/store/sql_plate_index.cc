// The plates dictionary and its trigram index (wildcard and fuzzy search).
#include "store/sql_common.h"
#include "store/sqlite/day_tables.h"


#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "custodian/store/plate_key.h"

namespace custodian::store::internal {
namespace {

// Deletes (gram, plate) rows of plate_grams by its primary key, 50 a statement: an OR of
// key equalities, which both SQLite (multi-index OR) and PostgreSQL (bitmap OR) answer
// from the key, where a row-value IN list makes SQLite scan the table. The last statement
// is padded by repeating a pair, so there is one statement shape.
Status DeleteGrams(Txn& txn, const std::vector<std::pair<std::string, std::string>>& grams) {
  constexpr size_t kPairs = 50;
  if (grams.empty()) return Status::Ok();
  std::string sql = "DELETE FROM plate_grams WHERE ";
  for (size_t i = 0; i < kPairs; ++i) sql += i ? " OR (gram = ? AND plate = ?)" : "(gram = ? AND plate = ?)";
  std::vector<SqlValue> params;
  for (size_t start = 0; start < grams.size(); start += kPairs) {
    params.clear();
    for (size_t i = 0; i < kPairs; ++i) {
      const auto& [g, p] = grams[start + i < grams.size() ? start + i : start];
      params.emplace_back(g);
      params.emplace_back(p);
    }
    CUSTODIAN_RETURN_IF_ERROR(txn.Query(sql, params).status());
  }
  return Status::Ok();
}

}  // namespace

Status IndexPlate(Txn& txn, const std::string& plate, std::optional<int64_t> first_day, PendingTrigrams* trigrams) {
  if (txn.dialect() == Dialect::kSqlite) {
    // SQLite: the plate's trigrams are one row of plate_trigrams, at the rowid after the
    // last one given, named in plates.trigram_rowid for the purge.
    if (trigrams == nullptr) {
      PendingTrigrams now;
      CUSTODIAN_RETURN_IF_ERROR(IndexPlate(txn, plate, first_day, &now));
      return WritePendingTrigrams(txn, now);
    }
    const bool has_trigrams = plate.size() >= 3;
    if (has_trigrams && trigrams->next_rowid == 0) {
      CUSTODIAN_ASSIGN_OR_RETURN(auto last, txn.Query("SELECT coalesce(max(id), 0) FROM plate_trigrams_content", {}));
      trigrams->next_rowid = AsInt(last[0][0]) + 1;
    }
    const SqlValue rowid = has_trigrams ? SqlValue(trigrams->next_rowid) : SqlValue();
    const SqlValue day = first_day ? SqlValue(*first_day) : SqlValue();
    CUSTODIAN_ASSIGN_OR_RETURN(
        auto added, txn.Query("INSERT INTO plates (plate, plate_rev, confusion_key, first_day, trigram_rowid) VALUES "
                              "(?, ?, ?, ?, ?) ON CONFLICT (plate) DO NOTHING RETURNING plate",
                              {plate, Reversed(plate), ConfusionKey(plate), day, rowid}));
    if (added.empty()) return first_day ? LowerFirstDay(txn, plate, *first_day) : Status::Ok();
    if (has_trigrams) trigrams->rows.emplace_back(trigrams->next_rowid++, plate);
    return Status::Ok();
  }
  CUSTODIAN_ASSIGN_OR_RETURN(
      auto added, txn.Query("INSERT INTO plates (plate, plate_rev, confusion_key) VALUES (?, ?, ?) ON CONFLICT (plate) "
                            "DO NOTHING RETURNING plate",
                            {plate, Reversed(plate), ConfusionKey(plate)}));
  if (added.empty()) return Status::Ok();
  const std::set<std::string> grams = Trigrams(plate);
  if (grams.empty()) return Status::Ok();
  // One statement for all of them (one shape per gram count, so few cached statements).
  std::string sql = "INSERT INTO plate_grams (gram, plate) VALUES ";
  std::vector<SqlValue> params;
  for (const auto& g : grams) {
    sql += params.empty() ? "(?, ?)" : ", (?, ?)";
    params.push_back(g);
    params.push_back(plate);
  }
  return txn.Query(sql + " ON CONFLICT DO NOTHING", params).status();
}

Status MergePlateTrigrams(Txn& txn) {
  if (txn.dialect() != Dialect::kSqlite) return Status::Ok();
  return txn.Query("INSERT INTO plate_trigrams (plate_trigrams) VALUES ('optimize')", {}).status();
}

Status LowerFirstDay(Txn& txn, const std::string& plate, int64_t day) {
  return txn.Query("UPDATE plates SET first_day = ? WHERE plate = ? AND first_day > ?", {day, plate, day}).status();
}

Status WritePendingTrigrams(Txn& txn, PendingTrigrams& trigrams) {
  if (trigrams.rows.empty()) return Status::Ok();
  // One statement (one shape) for any number of rows: a JSON array of [rowid, plate].
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& [rowid, plate] : trigrams.rows) rows.push_back({rowid, plate});
  trigrams.rows.clear();
  return txn
      .Query("INSERT INTO plate_trigrams (rowid, plate) SELECT json_extract(value, '$[0]'), "
             "json_extract(value, '$[1]') FROM json_each(?)",
             {rows.dump()})
      .status();
}

Result<int64_t> UnindexUnusedPlates(Txn& txn, const std::vector<std::string>& plates) {
  const bool sqlite = txn.dialect() == Dialect::kSqlite;
  CUSTODIAN_ASSIGN_OR_RETURN(
      auto rows, SelectIn(txn, std::string("SELECT p.plate, ") + (sqlite ? "p.trigram_rowid" : "NULL") +
                                   " FROM plates p WHERE p.plate IN ",
                          " AND NOT EXISTS (SELECT 1 FROM reads r WHERE r.plate = p.plate)", plates));
  std::set<std::string> dead;
  std::vector<SqlValue> trigram_rows;
  for (const auto& row : rows) {
    dead.insert(AsString(row[0]));
    if (!IsNull(row[1])) trigram_rows.push_back(row[1]);
  }
  if (dead.empty()) return int64_t{0};
  CUSTODIAN_RETURN_IF_ERROR(
      ForChunks(txn, "DELETE FROM plates WHERE plate IN ", "", std::vector<SqlValue>(dead.begin(), dead.end()), {}));
  if (sqlite) {
    if (trigram_rows.empty()) return int64_t(dead.size());
    CUSTODIAN_RETURN_IF_ERROR(ForChunks(txn, "DELETE FROM plate_trigrams WHERE rowid IN ", "", trigram_rows, {}));
    return int64_t(dead.size());
  }
  std::vector<std::pair<std::string, std::string>> grams;  // (gram, plate)
  for (const auto& plate : dead) {
    for (const auto& g : Trigrams(plate)) grams.emplace_back(g, plate);
  }
  CUSTODIAN_RETURN_IF_ERROR(DeleteGrams(txn, grams));
  return int64_t(dead.size());
}

}  // namespace custodian::store::internal
