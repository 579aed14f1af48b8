// SqlReadStore::CorrectRead and ReadHistory: corrections of wrong reads (policy 4.A.4,
// 5.E), the original plate kept in read_corrections (migration 5).
//
// The read's plate index rows are kept by the same ReadLayout::IndexPlate and
// UnindexUnusedPlates as Ingest and PurgeBatch use (read_layout.h): added for a plate no
// read held, removed for a plate its last read no longer holds.
#include "custodian/store/plate_key.h"
#include "store/sql_read_store.h"

namespace custodian::store::internal {
namespace {


Status CheckField(std::string_view what, std::string_view value, size_t max) {
  if (value.empty()) return Status::InvalidArgument(what, " is empty");
  if (value.size() > max) return Status::InvalidArgument(what, " is ", value.size(), " bytes; the limit is ", max);
  if (!IsCleanUtf8(value)) return Status::InvalidArgument(what, " is not valid UTF-8 text (or holds a NUL byte)");
  return Status::Ok();
}

std::string UpperAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');
  }
  return out;
}

// As Ingest's hotlist match: an alert for each entry in force at the capture time on the
// plate (or its confusion key, on a fuzzy list) whose state agrees with the read's.
Status MatchHotlists(Txn& txn, int64_t read_id, int64_t captured_ms, const std::string& plate,
                     const std::string& region, int64_t data_class, int64_t now_ms) {
  CUSTODIAN_ASSIGN_OR_RETURN(
      auto rows, txn.Query("SELECT e.id, e.plate, e.state FROM hotlist_entries e JOIN hotlists h ON h.id = e.hotlist_id "
                           "WHERE (e.plate = ? OR (e.confusion_key = ? AND h.fuzzy = 1)) "
                           "AND (e.expires_ms IS NULL OR e.expires_ms > ?)",
                           {plate, ConfusionKey(plate), captured_ms}));
  for (const auto& e : rows) {
    const std::string state = AsString(e[2]);
    if (!state.empty() && !region.empty() && state != UpperAscii(region)) continue;
    CUSTODIAN_RETURN_IF_ERROR(
        txn.Query("INSERT INTO alerts (read_id, read_ms, entry_id, exact, retroactive, created_ms, state, data_class) "
                  "VALUES (?, ?, ?, ?, 0, ?, 'new', ?) ON CONFLICT (read_id, entry_id) DO NOTHING",
                  {read_id, captured_ms, AsInt(e[0]), int64_t(AsString(e[1]) == plate), now_ms, data_class})
            .status());
  }
  return Status::Ok();
}

}  // namespace

Result<StoredRead> SqlReadStore::CorrectRead(int64_t read_id, std::string_view new_plate, std::string_view reason,
                                             std::string_view by) {
  CUSTODIAN_RETURN_IF_ERROR(CheckField("plate", new_plate, kMaxRawPlateLength));
  CUSTODIAN_ASSIGN_OR_RETURN(std::string plate, NormalisePlate(new_plate));
  CUSTODIAN_RETURN_IF_ERROR(CheckField("reason", reason, kMaxCorrectionReasonLength));
  CUSTODIAN_RETURN_IF_ERROR(CheckField("user", by, kMaxIdLength));
  const int64_t now_ms = ToUnixMillis(clock_->Now());
  CUSTODIAN_RETURN_IF_ERROR(Transact([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows,
                               txn.Query("SELECT plate, captured_ms, region, data_class FROM reads WHERE id = ?", {read_id}));
    if (rows.empty()) return Status::NotFound("no read ", read_id);
    const std::string old_plate = AsString(rows[0][0]);
    const int64_t captured_ms = AsInt(rows[0][1]);
    const std::string region = AsString(rows[0][2]);
    if (old_plate == plate) return Status::InvalidArgument("read ", read_id, " already reads ", plate);
    CUSTODIAN_RETURN_IF_ERROR(txn.Query("INSERT INTO read_corrections (read_id, old_plate, new_plate, reason, "
                                        "corrected_by, corrected_ms) VALUES (?, ?, ?, ?, ?, ?)",
                                        {read_id, old_plate, plate, std::string(reason), std::string(by), now_ms})
                                  .status());
    // The read's own table (SQLite's view `reads` cannot be updated); the capture time
    // lets PostgreSQL touch only the read's day partition.
    const std::string table = layout_->ReadTableOfId(read_id);
    CUSTODIAN_RETURN_IF_ERROR(txn.Query("UPDATE " + table + " SET plate = ?, plate_rev = ?, confusion_key = ? "
                                        "WHERE id = ? AND captured_ms = ?",
                                        {plate, Reversed(plate), ConfusionKey(plate), read_id, captured_ms})
                                  .status());
    // (The transaction is on driver_.) The old plate's trigrams are not merged away: it
    // stays in read_corrections anyway, and the next purge merges.
    CUSTODIAN_RETURN_IF_ERROR(layout_->IndexPlate(*driver_, plate, layout_->PlateDayOf(captured_ms), nullptr));
    CUSTODIAN_RETURN_IF_ERROR(layout_->UnindexUnusedPlates(*driver_, {old_plate}, /*merge=*/false).status());
    return MatchHotlists(txn, read_id, captured_ms, plate, region, AsInt(rows[0][3]), now_ms);
  }));
  return GetRead(read_id);
}

Result<std::vector<ReadCorrection>> SqlReadStore::ReadHistory(int64_t read_id) {
  std::vector<ReadCorrection> out;
  CUSTODIAN_RETURN_IF_ERROR(Transact([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto exists, txn.Query("SELECT 1 FROM reads WHERE id = ?", {read_id}));
    if (exists.empty()) return Status::NotFound("no read ", read_id);
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT id, read_id, old_plate, new_plate, reason, corrected_by, "
                                                    "corrected_ms FROM read_corrections WHERE read_id = ? ORDER BY id",
                                                    {read_id}));
    for (const auto& r : rows) {
      out.push_back({.id = AsInt(r[0]),
                     .read_id = AsInt(r[1]),
                     .old_plate = AsString(r[2]),
                     .new_plate = AsString(r[3]),
                     .reason = AsString(r[4]),
                     .corrected_by = AsString(r[5]),
                     .corrected_at = FromUnixMillis(AsInt(r[6]))});
    }
    return Status::Ok();
  }));
  return out;
}

}  // namespace custodian::store::internal
