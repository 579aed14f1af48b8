// Legal holds.
#include "store/sql_common.h"
#include "store/sql_search.h"


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

constexpr const char* kHoldColumns =
    "h.id, h.case_number, h.reason, h.created_by, h.created_ms, h.released_by, h.released_ms, "
    "(SELECT COUNT(*) FROM held_reads hr WHERE hr.hold_id = h.id)";

Hold DecodeHold(const SqlRow& r) {
  Hold h;
  ColumnsTo(r, 0, h.id, h.case_number, h.reason, h.placed_by, h.placed_at, h.released_by, h.released_at, h.reads);
  return h;
}
}  // namespace

Result<Hold> SqlReadStore::PlaceHold(const HoldRequest& h) {
  CUSTODIAN_RETURN_IF_ERROR(CheckText("case number", h.case_number, kMaxIdLength, false));
  CUSTODIAN_RETURN_IF_ERROR(CheckText("hold reason", h.reason, kMaxReasonLength, false));
  CUSTODIAN_RETURN_IF_ERROR(CheckText("user", h.placed_by, kMaxIdLength, false));
  if (h.read_ids.empty() && !h.matching) return Status::InvalidArgument("a hold names read ids or a search");
  if (int64_t(h.read_ids.size()) > kMaxReadsPerHold) {
    return Status::InvalidArgument(h.read_ids.size(), " reads in one hold; the limit is ", kMaxReadsPerHold);
  }
  std::optional<SearchQuery> query = h.matching;
  std::optional<SearchPlan> plan;
  if (query) {
    query->cursor.clear();
    query->limit = kMaxPageSize;
    CUSTODIAN_ASSIGN_OR_RETURN(plan, PlanSearch(*query, *layout_));  // a bad term: nothing written
  }
  std::lock_guard lock(mu_);
  const int64_t now_ms = ToUnixMillis(clock_->Now());
  int64_t hold_id = 0;
  Status written = InTransaction([&]() -> Status {
    CUSTODIAN_RETURN_IF_ERROR(LockHolds(*driver_));
    std::map<int64_t, int64_t> reads;  // id -> captured_ms
    for (int64_t id : h.read_ids) {
      CUSTODIAN_ASSIGN_OR_RETURN(auto rows, driver_->Query("SELECT captured_ms FROM reads WHERE id = ?", {id}));
      if (rows.empty()) return Status::NotFound("no read ", id);
      reads[id] = AsInt(rows[0][0]);
    }
    for (SearchQuery q = query.value_or(SearchQuery{}); query;) {
      CUSTODIAN_ASSIGN_OR_RETURN(auto rows, SearchRows(*driver_, q, *plan));
      for (size_t i = 0; i < rows.size() && int(i) < q.limit; ++i) reads[AsInt(rows[i][0])] = AsInt(rows[i][3]);
      if (int64_t(reads.size()) > kMaxReadsPerHold) {
        return Status::InvalidArgument("the search matches more than ", kMaxReadsPerHold,
                                       " reads; narrow it (time range, cameras) or hold reads by id");
      }
      if (int(rows.size()) <= q.limit) break;
      const SqlRow& last = rows[size_t(q.limit) - 1];
      q.cursor = EncodeCursor(AsInt(last[3]), AsInt(last[0]));
      CUSTODIAN_ASSIGN_OR_RETURN(plan, PlanSearch(q, *layout_));  // the next page's cursor
    }
    CUSTODIAN_ASSIGN_OR_RETURN(
        auto ids, driver_->Query("INSERT INTO holds (case_number, reason, created_by, created_ms) VALUES (?, ?, ?, ?) "
                                 "RETURNING id",
                                 {h.case_number, h.reason, h.placed_by, now_ms}));
    if (ids.empty()) return Status::Internal("insert of a hold returned no id");
    hold_id = AsInt(ids[0][0]);
    for (const auto& [id, ms] : reads) {
      CUSTODIAN_RETURN_IF_ERROR(driver_
                                    ->Query("INSERT INTO held_reads (hold_id, read_id, captured_ms) VALUES (?, ?, ?) "
                                            "ON CONFLICT DO NOTHING",
                                            {hold_id, id, ms})
                                    .status());
    }
    return Status::Ok();
  });
  if (!written.ok()) return written;
  CUSTODIAN_ASSIGN_OR_RETURN(auto rows, driver_->Query(std::string("SELECT ") + kHoldColumns +
                                                           " FROM holds h WHERE h.id = ?",
                                                       {hold_id}));
  if (rows.empty()) return Status::Internal("hold ", hold_id, " vanished after it was placed");
  return DecodeHold(rows[0]);
}

Status SqlReadStore::ReleaseHold(int64_t id, std::string_view released_by) {
  CUSTODIAN_RETURN_IF_ERROR(CheckText("user", released_by, kMaxIdLength, false));
  std::lock_guard lock(mu_);
  const int64_t now_ms = ToUnixMillis(clock_->Now());
  return InTransaction([&]() -> Status {
    CUSTODIAN_RETURN_IF_ERROR(LockHolds(*driver_));
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, driver_->Query("SELECT released_ms FROM holds WHERE id = ?", {id}));
    if (rows.empty()) return Status::NotFound("no hold ", id);
    if (!IsNull(rows[0][0])) return Status::InvalidArgument("hold ", id, " was already released");
    return driver_
        ->Query("UPDATE holds SET released_by = ?, released_ms = ? WHERE id = ?",
                {std::string(released_by), now_ms, id})
        .status();
  });
}

Result<Hold> SqlReadStore::GetHold(int64_t id) {
  std::lock_guard lock(mu_);
  CUSTODIAN_ASSIGN_OR_RETURN(
      auto rows, driver_->Query(std::string("SELECT ") + kHoldColumns + " FROM holds h WHERE h.id = ?", {id}));
  if (rows.empty()) return Status::NotFound("no hold ", id);
  return DecodeHold(rows[0]);
}

Result<std::vector<Hold>> SqlReadStore::ListHolds(bool include_released) {
  std::lock_guard lock(mu_);
  CUSTODIAN_ASSIGN_OR_RETURN(
      auto rows, driver_->Query(std::string("SELECT ") + kHoldColumns + " FROM holds h" +
                                    (include_released ? "" : " WHERE h.released_ms IS NULL") + " ORDER BY h.id DESC",
                                {}));
  std::vector<Hold> out;
  for (const auto& r : rows) out.push_back(DecodeHold(r));
  return out;
}

Result<std::vector<int64_t>> SqlReadStore::HeldReadIds(int64_t id) {
  std::lock_guard lock(mu_);
  CUSTODIAN_ASSIGN_OR_RETURN(auto found, driver_->Query("SELECT 1 FROM holds WHERE id = ?", {id}));
  if (found.empty()) return Status::NotFound("no hold ", id);
  CUSTODIAN_ASSIGN_OR_RETURN(auto rows,
                             driver_->Query("SELECT read_id FROM held_reads WHERE hold_id = ? ORDER BY read_id", {id}));
  std::vector<int64_t> out;
  for (const auto& r : rows) out.push_back(AsInt(r[0]));
  return out;
}

}  // namespace custodian::store::internal
