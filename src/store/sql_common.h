// Helpers the SQL store's files share: limits, text checks, the read row and its cursor,
// chunked IN lists, transactions, hotlist alerts. Internal.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "custodian/store/read_store.h"
#include "store/sql_driver.h"
#include "store/sql_read_store.h"

namespace custodian::store::internal {

// Statements over a list of keys run in chunks of this many, the last one padded by
// repeating its first key, so each has one shape (one cached statement).
inline constexpr size_t kChunk = 100;
inline constexpr int64_t kMsPerDay = 86'400'000;
inline constexpr int64_t kMaxCaptureMs = 7'258'118'400'000;  // 2200-01-01
inline constexpr size_t kMaxCameraFilter = 1'000;

// "(?, ?, ...)" with `n` placeholders.
std::string InList(size_t n);

// kInvalidArgument unless `value` is clean UTF-8 of at most `max` bytes (and not empty
// unless `allow_empty`), naming it as `what`.
Status CheckText(std::string_view what, std::string_view value, size_t max, bool allow_empty);
Status CheckPoint(std::string_view what, const GeoPoint& p);

std::string EncodeCursor(int64_t ms, int64_t id);
Status DecodeCursor(std::string_view c, int64_t* ms, int64_t* id);

// The columns of a read, in DecodeRead's order, on reads r.
inline constexpr const char* kReadColumns =
    "r.id, r.event_id, r.camera_id, r.captured_ms, r.ingested_ms, r.plate_raw, r.plate, r.confidence, "
    "r.candidates, r.country, r.region, r.box_x, r.box_y, r.box_w, r.box_h, r.lat, r.lon, r.data_class, "
    "r.crop_sha, r.frame_sha";
StoredRead DecodeRead(const SqlRow& row);

inline SqlValue OptionalDouble(const std::optional<double>& v) { return v ? SqlValue(*v) : SqlValue(); }
inline int64_t ClassValue(DataClass c) { return c == DataClass::kPublicSafety ? 0 : 1; }
std::string UpperAscii(std::string_view s);

// A read as hotlist matching sees it.
struct ReadKey {
  int64_t id;
  int64_t captured_ms;
  std::string plate;
  std::string confusion_key;
  std::string region;
  int64_t data_class = 0;  // the read's (0 public safety, 1 not); alerts carry it
};

// An entry matches a read's state unless both are known and differ.
bool StatesMatch(const std::string& entry_state, const std::string& read_region);

// An alert for read `r` on hotlist entry `entry_id`, unless there is one; returns 1 if added.
Result<int> InsertAlert(SqlDriver& driver, const ReadKey& r, int64_t entry_id, bool exact, bool retroactive,
                        int64_t now_ms);

// Serialises hold placement against purges on PostgreSQL (SQLite's BEGIN IMMEDIATE
// already does): a purge never deletes a read that a hold committed meanwhile covers.
Status LockHolds(SqlDriver& driver);

// Rows of `sql_prefix` + InList(kChunk) + `sql_suffix` for every key, in statements of
// kChunk keys (the last padded by repeating a key), so each has one shape and one cached
// statement; `extra` is appended to each statement's parameters. Rows may repeat where a
// padded key does; callers key them by a column.
template <typename Db>  // SqlDriver or Txn
Result<std::vector<SqlRow>> SelectIn(Db& driver, const std::string& sql_prefix, const std::string& sql_suffix,
                                     const std::vector<std::string>& keys, const std::vector<SqlValue>& extra = {}) {
  std::vector<SqlRow> out;
  if (keys.empty()) return out;
  const std::string sql = sql_prefix + InList(kChunk) + sql_suffix;
  std::vector<SqlValue> params;
  params.reserve(kChunk + extra.size());
  for (size_t start = 0; start < keys.size(); start += kChunk) {
    params.clear();
    for (size_t i = 0; i < kChunk; ++i) params.emplace_back(keys[start + i < keys.size() ? start + i : start]);
    params.insert(params.end(), extra.begin(), extra.end());
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, driver.Query(sql, params));
    for (auto& r : rows) out.push_back(std::move(r));
  }
  return out;
}

// Runs `sql_prefix + InList(kChunk) + sql_suffix` over `keys` in padded chunks;
// `extra` is appended to each chunk's parameters.
template <typename Db>  // SqlDriver or Txn
Status ForChunks(Db& driver, const std::string& sql_prefix, const std::string& sql_suffix,
                 const std::vector<SqlValue>& keys, const std::vector<SqlValue>& extra) {
  const std::string sql = sql_prefix + InList(kChunk) + sql_suffix;
  for (size_t start = 0; start < keys.size(); start += kChunk) {
    std::vector<SqlValue> params;
    params.reserve(kChunk + extra.size());
    for (size_t i = 0; i < kChunk; ++i) {
      size_t k = start + i;
      params.push_back(k < keys.size() ? keys[k] : keys[start]);
    }
    params.insert(params.end(), extra.begin(), extra.end());
    CUSTODIAN_RETURN_IF_ERROR(driver.Query(sql, params).status());
  }
  return Status::Ok();
}

template <typename Fn>
Status RunInTransaction(SqlDriver& driver, Fn&& fn) {
  CUSTODIAN_RETURN_IF_ERROR(driver.Begin());
  Status st = fn();
  if (!st.ok()) {
    (void)driver.Rollback();  // the original error is the one worth reporting
    return st;
  }
  return driver.Commit();
}

template <typename Fn>
Status SqlReadStore::InTransaction(Fn&& fn) {
  return RunInTransaction(*driver_, std::forward<Fn>(fn));
}

template <typename Fn>
auto SqlReadStore::WithReader(Fn&& fn) -> decltype(fn(std::declval<SqlDriver&>())) {
  if (readers_.empty()) {
    std::lock_guard lock(mu_);
    return fn(*driver_);
  }
  const size_t n = readers_.size();
  const size_t start = next_reader_++ % n;
  for (size_t k = 0; k < n; ++k) {
    const size_t i = (start + k) % n;
    std::unique_lock lock(*reader_mu_[i], std::try_to_lock);
    if (lock.owns_lock()) return fn(*readers_[i]);
  }
  std::lock_guard lock(*reader_mu_[start]);
  return fn(*readers_[start]);
}
}  // namespace custodian::store::internal
