// Hotlists and alerts.
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
// ---- Hotlists and alerts ----

namespace {

Result<Hotlist> DecodeHotlist(const SqlRow& r) {
  Hotlist h;
  ColumnsTo(r, 0, h.id, h.name, h.agency_code);
  CUSTODIAN_ASSIGN_OR_RETURN(h.category, ParseHotlistCategory(AsString(r[3])));
  ColumnsTo(r, 4, h.fuzzy, h.entries);
  return h;
}

constexpr const char* kHotlistColumns =
    "h.id, h.name, h.agency_code, h.category, h.fuzzy, "
    "(SELECT COUNT(*) FROM hotlist_entries e WHERE e.hotlist_id = h.id)";

Result<Alert> DecodeAlert(const SqlRow& r) {
  Alert a;
  a.id = AsInt(r[0]);
  CUSTODIAN_ASSIGN_OR_RETURN(a.state, ParseAlertState(AsString(r[1])));
  ColumnsTo(r, 2, a.read_id, a.captured_at, a.read_plate, a.read_region, a.camera_id, a.hotlist_id, a.hotlist);
  CUSTODIAN_ASSIGN_OR_RETURN(a.category, ParseHotlistCategory(AsString(r[9])));
  ColumnsTo(r, 10, a.entry_plate, a.entry_state, a.entry_reason, a.exact, a.retroactive, a.created_at,
            a.acknowledged_by, a.acknowledged_at, a.resolved_by, a.resolved_at, a.image_checked, a.action);
  return a;
}

}  // namespace

Result<Hotlist> SqlReadStore::PutHotlist(const HotlistSpec& spec) {
  CUSTODIAN_RETURN_IF_ERROR(CheckText("hotlist name", spec.name, kMaxIdLength, false));
  CUSTODIAN_RETURN_IF_ERROR(CheckText("agency code", spec.agency_code, kMaxIdLength, false));
  std::lock_guard lock(mu_);
  const int64_t now_ms = ToUnixMillis(clock_->Now());
  Status written = InTransaction([&]() -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto found, driver_->Query("SELECT 1 FROM agencies WHERE code = ?", {spec.agency_code}));
    if (found.empty()) return Status::NotFound("no agency '", spec.agency_code, "'");
    return driver_
        ->Query("INSERT INTO hotlists (name, agency_code, category, fuzzy, created_ms) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET agency_code = excluded.agency_code, category = excluded.category, "
                "fuzzy = excluded.fuzzy",
                {spec.name, spec.agency_code, std::string(HotlistCategoryName(spec.category)), int64_t(spec.fuzzy),
                 now_ms})
        .status();
  });
  if (!written.ok()) return written;
  CUSTODIAN_ASSIGN_OR_RETURN(
      auto rows, driver_->Query(std::string("SELECT ") + kHotlistColumns + " FROM hotlists h WHERE h.name = ?",
                                {spec.name}));
  if (rows.empty()) return Status::Internal("hotlist vanished after it was written");
  return DecodeHotlist(rows[0]);
}

Result<std::vector<Hotlist>> SqlReadStore::ListHotlists() {
  std::lock_guard lock(mu_);
  CUSTODIAN_ASSIGN_OR_RETURN(
      auto rows, driver_->Query(std::string("SELECT ") + kHotlistColumns + " FROM hotlists h ORDER BY h.name", {}));
  std::vector<Hotlist> out;
  for (const auto& r : rows) {
    CUSTODIAN_ASSIGN_OR_RETURN(auto h, DecodeHotlist(r));
    out.push_back(std::move(h));
  }
  return out;
}

Result<HotlistImportResult> SqlReadStore::ImportHotlistEntries(const HotlistImport& im) {
  CUSTODIAN_RETURN_IF_ERROR(CheckText("hotlist name", im.list, kMaxIdLength, false));
  if (im.entries.empty() || im.entries.size() > kMaxHotlistBatch) {
    return Status::InvalidArgument(im.entries.size(), " hotlist entries in one import; give 1..", kMaxHotlistBatch);
  }
  if (im.retro_window.count() < 0) return Status::InvalidArgument("the retroactive window is negative");
  struct Prepared {
    std::string plate, key, state;
  };
  std::vector<Prepared> prepared(im.entries.size());
  for (size_t i = 0; i < im.entries.size(); ++i) {
    const HotlistEntryInput& e = im.entries[i];
    auto entry_error = [&](const Status& st) {
      return Status(st.code(), "entry " + std::to_string(i) + ": " + st.message());
    };
    Status st = CheckText("plate", e.plate, kMaxRawPlateLength, false);
    if (!st.ok()) return entry_error(st);
    auto plate = NormalisePlate(e.plate);
    if (!plate.ok()) return entry_error(plate.status());
    st = CheckText("state", e.state, kMaxRegionLength, true);
    if (!st.ok()) return entry_error(st);
    st = CheckText("reason", e.reason, kMaxHotlistReasonLength, true);
    if (!st.ok()) return entry_error(st);
    prepared[i] = {*plate, ConfusionKey(*plate), UpperAscii(e.state)};
  }
  std::lock_guard lock(mu_);
  const int64_t now_ms = ToUnixMillis(clock_->Now());
  const int64_t since_ms = now_ms - im.retro_window.count();
  HotlistImportResult result;
  Status written = InTransaction([&]() -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto list, driver_->Query("SELECT id, fuzzy FROM hotlists WHERE name = ?", {im.list}));
    if (list.empty()) return Status::NotFound("no hotlist '", im.list, "'");
    const int64_t list_id = AsInt(list[0][0]);
    const bool fuzzy = AsInt(list[0][1]) != 0;
    // The hotlist filter (one writer at a time; made current first) takes the new plates
    // here rather than being reloaded by the next ingest (its version is read again after
    // the inserts).
    // Should the transaction roll back, the filter is marked stale below (its version
    // could otherwise come to equal the database's again after other changes).
    const bool filter = layout_->OneWriterAtATime();
    if (filter) CUSTODIAN_RETURN_IF_ERROR(RefreshHotlistFilter());
    for (size_t i = 0; i < im.entries.size(); ++i) {
      const HotlistEntryInput& e = im.entries[i];
      const Prepared& p = prepared[i];
      SqlValue expires = e.expires ? SqlValue(ToUnixMillis(*e.expires)) : SqlValue();
      CUSTODIAN_ASSIGN_OR_RETURN(
          auto existing, driver_->Query("SELECT id FROM hotlist_entries WHERE hotlist_id = ? AND plate = ? AND state = ?",
                                        {list_id, p.plate, p.state}));
      int64_t entry_id = 0;
      if (existing.empty()) {
        CUSTODIAN_ASSIGN_OR_RETURN(
            auto ids, driver_->Query("INSERT INTO hotlist_entries (hotlist_id, plate, confusion_key, state, reason, "
                                     "expires_ms, added_ms) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                     {list_id, p.plate, p.key, p.state, e.reason, expires, now_ms}));
        if (ids.empty()) return Status::Internal("insert of a hotlist entry returned no id");
        entry_id = AsInt(ids[0][0]);
        ++result.added;
      } else {
        entry_id = AsInt(existing[0][0]);
        CUSTODIAN_RETURN_IF_ERROR(
            driver_->Query("UPDATE hotlist_entries SET reason = ?, expires_ms = ? WHERE id = ?", {e.reason, expires, entry_id})
                .status());
        ++result.updated;
      }
      if (im.retro_window.count() == 0) continue;
      // Recent reads of the plate (or its confusion class on a fuzzy list).
      std::vector<SqlRow> reads;
      for (int pass = 0; pass < (fuzzy ? 2 : 1); ++pass) {
        CUSTODIAN_ASSIGN_OR_RETURN(
            auto rows, driver_->Query(pass == 0 ? "SELECT id, captured_ms, plate, region, data_class FROM reads WHERE "
                                                  "plate = ? AND captured_ms >= ?"
                                                : "SELECT id, captured_ms, plate, region, data_class FROM reads WHERE "
                                                  "plate IN "
                                                  "(SELECT p.plate FROM plates p WHERE p.confusion_key = ?) "
                                                  "AND captured_ms >= ? AND plate <> ?",
                                      pass == 0 ? std::vector<SqlValue>{p.plate, since_ms}
                                                : std::vector<SqlValue>{p.key, since_ms, p.plate}));
        reads.insert(reads.end(), rows.begin(), rows.end());
      }
      for (const auto& r : reads) {
        ReadKey key{AsInt(r[0]), AsInt(r[1]), AsString(r[2]), p.key, AsString(r[3]), AsInt(r[4])};
        if (!StatesMatch(p.state, key.region)) continue;
        if (e.expires && key.captured_ms >= ToUnixMillis(*e.expires)) continue;
        CUSTODIAN_ASSIGN_OR_RETURN(int n, InsertAlert(*driver_, key, entry_id, key.plate == p.plate,
                                                      /*retroactive=*/true, now_ms));
        result.retro_alerts += n;
      }
    }
    if (filter) {
      for (const Prepared& p : prepared) {
        hot_plates_.Insert(p.plate);
        if (fuzzy) hot_fuzzy_keys_.Insert(p.key);
      }
      CUSTODIAN_ASSIGN_OR_RETURN(auto v, driver_->Query("SELECT version FROM hotlist_version", {}));
      hot_filter_version_ = v.empty() ? -1 : AsInt(v[0][0]);
    }
    return Status::Ok();
  });
  if (!written.ok()) {
    hot_filter_version_ = -1;  // the sets may hold rolled-back plates: reload at the next ingest
    return written;
  }
  return result;
}

Result<std::vector<Alert>> SqlReadStore::ListAlerts(const AlertQuery& q) {
  if (q.limit < 1 || q.limit > kMaxPageSize) {
    return Status::InvalidArgument("page size ", q.limit, " is not in 1..", kMaxPageSize);
  }
  std::string sql = layout_->AlertSelectSql() + " WHERE a.id > ?";
  std::vector<SqlValue> params{q.after_id};
  if (q.unreviewed_only) sql += " AND a.state IN ('new', 'acknowledged')";
  if (q.state) {
    sql += " AND a.state = ?";
    params.push_back(std::string(AlertStateName(*q.state)));
  }
  if (q.created_before) {
    sql += " AND a.created_ms < ?";
    params.push_back(ToUnixMillis(*q.created_before));
  }
  if (!q.data_classes.empty()) {
    std::string in;
    for (DataClass c : q.data_classes) {
      in += in.empty() ? "?" : ", ?";
      params.push_back(int64_t(c == DataClass::kPublicSafety ? 0 : 1));
    }
    sql += " AND a.data_class IN (" + in + ")";
  }
  sql += " ORDER BY a.id LIMIT ?";
  params.push_back(int64_t(q.limit));
  std::lock_guard lock(mu_);
  CUSTODIAN_ASSIGN_OR_RETURN(auto rows, driver_->Query(sql, params));
  CUSTODIAN_RETURN_IF_ERROR(layout_->FillAlertReads(*driver_, rows));
  std::vector<Alert> out;
  for (const auto& r : rows) {
    CUSTODIAN_ASSIGN_OR_RETURN(auto a, DecodeAlert(r));
    out.push_back(std::move(a));
  }
  return out;
}

Result<Alert> SqlReadStore::GetAlert(int64_t id) {
  std::lock_guard lock(mu_);
  CUSTODIAN_ASSIGN_OR_RETURN(auto rows,
                             driver_->Query(layout_->AlertSelectSql() + " WHERE a.id = ?", {id}));
  if (rows.empty()) return Status::NotFound("no alert ", id);
  CUSTODIAN_RETURN_IF_ERROR(layout_->FillAlertReads(*driver_, rows));
  return DecodeAlert(rows[0]);
}

namespace {

// Moves alert `id` from state `from` with `update` (SET clause, then `params` and the id);
// explains a refusal by the alert's actual state.
Status Transition(SqlDriver& driver, int64_t id, std::string_view from, std::string_view verb, const std::string& set,
                  std::vector<SqlValue> params) {
  params.push_back(id);
  params.push_back(std::string(from));
  CUSTODIAN_ASSIGN_OR_RETURN(
      auto done, driver.Query("UPDATE alerts SET " + set + " WHERE id = ? AND state = ? RETURNING id", params));
  if (!done.empty()) return Status::Ok();
  CUSTODIAN_ASSIGN_OR_RETURN(auto rows, driver.Query("SELECT state FROM alerts WHERE id = ?", {id}));
  if (rows.empty()) return Status::NotFound("no alert ", id);
  return Status::InvalidArgument("alert ", id, " is ", AsString(rows[0][0]), "; only a", from == "new" ? " " : "n ",
                                 from, " alert can be ", verb);
}

}  // namespace

Status SqlReadStore::AcknowledgeAlert(int64_t id, std::string_view by) {
  CUSTODIAN_RETURN_IF_ERROR(CheckText("user", by, kMaxIdLength, false));
  std::lock_guard lock(mu_);
  const int64_t now_ms = ToUnixMillis(clock_->Now());
  return InTransaction([&] {
    return Transition(*driver_, id, "new", "acknowledged", "state = 'acknowledged', acked_by = ?, acked_ms = ?",
                      {std::string(by), now_ms});
  });
}

Status SqlReadStore::ConfirmAlert(int64_t id, const AlertConfirmation& c) {
  CUSTODIAN_RETURN_IF_ERROR(CheckText("user", c.by, kMaxIdLength, false));
  if (!c.image_checked) {
    return Status::InvalidArgument(
        "confirming an alert records that the plate image was checked against the hotlist record (policy 4.A.3); "
        "check it first");
  }
  CUSTODIAN_RETURN_IF_ERROR(CheckText("action taken", c.action, kMaxHotlistReasonLength, false));
  std::lock_guard lock(mu_);
  const int64_t now_ms = ToUnixMillis(clock_->Now());
  return InTransaction([&] {
    return Transition(*driver_, id, "acknowledged", "confirmed",
                      "state = 'confirmed', resolved_by = ?, resolved_ms = ?, image_checked = 1, action = ?",
                      {c.by, now_ms, c.action});
  });
}

Status SqlReadStore::DismissAlert(int64_t id, std::string_view by, std::string_view note) {
  CUSTODIAN_RETURN_IF_ERROR(CheckText("user", by, kMaxIdLength, false));
  CUSTODIAN_RETURN_IF_ERROR(CheckText("dismissal note", note, kMaxHotlistReasonLength, false));
  std::lock_guard lock(mu_);
  const int64_t now_ms = ToUnixMillis(clock_->Now());
  return InTransaction([&] {
    return Transition(*driver_, id, "acknowledged", "dismissed",
                      "state = 'dismissed', resolved_by = ?, resolved_ms = ?, action = ?",
                      {std::string(by), now_ms, std::string(note)});
  });
}

std::string AlertSelect(std::string_view read_columns, std::string_view read_join) {
  std::string sql = "SELECT a.id, a.state, a.read_id, a.read_ms, ";
  sql += read_columns;
  sql += ", h.id, h.name, h.category, e.plate, e.state, e.reason, a.exact, a.retroactive, a.created_ms, a.acked_by, "
         "a.acked_ms, a.resolved_by, a.resolved_ms, a.image_checked, a.action FROM alerts a JOIN hotlist_entries e ON "
         "e.id = a.entry_id JOIN hotlists h ON h.id = e.hotlist_id";
  sql += read_join;
  return sql;
}

}  // namespace custodian::store::internal
