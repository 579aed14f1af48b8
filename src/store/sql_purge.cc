// Retention: purge batches, whole days, the purge log.
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

// SQLite's deferred tidying of the plates dictionary (see PurgeBatch): plates whose reads
// a batch purged, appended to plate_gc, kChunk a statement (the last padded with repeats).
Status QueuePlateGarbage(SqlDriver& driver, int64_t data_class, const std::set<std::string>& plates) {
  std::string sql = "INSERT INTO plate_gc (data_class, plate) VALUES (?, ?)";
  for (size_t i = 1; i < kChunk; ++i) sql += ", (?, ?)";
  std::vector<SqlValue> params;
  const std::vector<std::string> all(plates.begin(), plates.end());
  for (size_t start = 0; start < all.size(); start += kChunk) {
    params.clear();
    for (size_t i = 0; i < kChunk; ++i) {
      params.emplace_back(data_class);
      params.emplace_back(all[start + i < all.size() ? start + i : start]);
    }
    CUSTODIAN_RETURN_IF_ERROR(driver.Query(sql, params).status());
  }
  return Status::Ok();
}

// The plates queued by the class's purge batches and `plates`: those without a read left
// leave the dictionary; the class's queue is emptied. Returns how many left.
Result<int64_t> CollectPlateGarbage(SqlDriver& driver, int64_t data_class, const std::set<std::string>& plates) {
  CUSTODIAN_ASSIGN_OR_RETURN(auto queued,
                             driver.Query("SELECT DISTINCT plate FROM plate_gc WHERE data_class = ?", {data_class}));
  std::set<std::string> all = plates;
  for (const auto& row : queued) all.insert(AsString(row[0]));
  DriverTxn txn(driver);
  CUSTODIAN_ASSIGN_OR_RETURN(int64_t gone, UnindexUnusedPlates(txn, std::vector<std::string>(all.begin(), all.end())));
  if (gone > 0) CUSTODIAN_RETURN_IF_ERROR(MergePlateTrigrams(txn));
  if (!queued.empty()) {
    CUSTODIAN_RETURN_IF_ERROR(driver.Query("DELETE FROM plate_gc WHERE data_class = ?", {data_class}).status());
  }
  return gone;
}

}  // namespace

namespace {

// Image references: a statement per 100 images that lose one reference (nearly all: a
// read's own crop and frame), one per image that loses more; images left with none go,
// 100 a statement, and are added to `dead_images` (their files go after the commit).
// (An IN list padded with a repeated key still updates a row once.)
Status DropImageReferences(SqlDriver& driver, const std::map<std::string, int64_t>& image_refs,
                           std::vector<std::string>* dead_images) {
  std::vector<std::string> once;
  std::map<std::string, int64_t> left;  // references after the update, by image
  for (const auto& [sha, n] : image_refs) {
    if (n == 1) {
      once.push_back(sha);
      continue;
    }
    CUSTODIAN_ASSIGN_OR_RETURN(
        auto updated, driver.Query("UPDATE images SET refs = refs - ? WHERE sha256 = ? RETURNING sha256, refs", {n, sha}));
    for (const auto& r : updated) left[AsString(r[0])] = AsInt(r[1]);
  }
  CUSTODIAN_ASSIGN_OR_RETURN(
      auto updated,
      SelectIn(driver, "UPDATE images SET refs = refs - 1 WHERE sha256 IN ", " RETURNING sha256, refs", once));
  for (const auto& r : updated) left[AsString(r[0])] = AsInt(r[1]);
  std::vector<SqlValue> dead;
  for (const auto& [sha, n] : image_refs) {
    auto it = left.find(sha);
    if (it != left.end() && it->second > 0) continue;
    dead.emplace_back(sha);
    dead_images->push_back(sha);
  }
  if (!dead.empty()) CUSTODIAN_RETURN_IF_ERROR(ForChunks(driver, "DELETE FROM images WHERE sha256 IN ", "", dead, {}));
  return Status::Ok();
}

}  // namespace

// The files of images a committed purge left without a reference. Each is checked again
// first, in case an ingest has come to refer to it since. A crash before this leaves
// orphans (VerifyImages deletes them), never a read whose image is gone.
Status SqlReadStore::RemoveImageFiles(const std::vector<std::string>& dead_images, int64_t purged) {
  for (const auto& sha : dead_images) {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, driver_->Query("SELECT refs FROM images WHERE sha256 = ?", {sha}));
    if (!rows.empty() && AsInt(rows[0][0]) > 0) continue;
    Status st = images_->Remove(sha);
    if (!st.ok()) {
      return Status(st.code(), "purged " + std::to_string(purged) +
                                   " reads, but an image file could not be deleted (custodian db verify-images "
                                   "--remove-orphans deletes it): " + st.message());
    }
  }
  return Status::Ok();
}

// SQLite: the oldest day table all of whose reads are past every class's period
// (`every_class_cutoff`) and none held by an active hold, dropped whole in one
// transaction with what refers to its reads (alerts, released holds' rows, image
// references, plates no read holds any more), and a purge_log row per class. nullopt when
// there is no such day: the batch then deletes reads one by one.
Result<std::optional<PurgeBatchResult>> SqlReadStore::PurgeWholeDay(const PurgeBatchRequest& req, int64_t now_ms) {
  // Never past this call's own class cutoff, whatever the caller says of every class.
  const int64_t every_ms = std::min(ToUnixMillis(*req.every_class_cutoff), ToUnixMillis(req.cutoff));
  const int64_t own_class = ClassValue(req.data_class);
  std::optional<PurgeBatchResult> result;
  std::vector<std::string> dead_images;
  Status written = InTransaction([&]() -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(
        auto found, driver_->Query("SELECT d.day FROM read_days d WHERE d.dropped = 0 AND (d.day + 1) * 86400000 <= ? "
                                   "AND NOT EXISTS "
                                   "(SELECT 1 FROM held_reads hr JOIN holds h ON h.id = hr.hold_id WHERE "
                                   "h.released_ms IS NULL AND hr.captured_ms >= d.day * 86400000 AND "
                                   "hr.captured_ms < (d.day + 1) * 86400000) ORDER BY d.day LIMIT 1",
                                   {every_ms}));
    if (found.empty()) return Status::Ok();
    const int64_t day = AsInt(found[0][0]);
    const std::string table = DayTableName(day);
    PurgeBatchResult r;
    CUSTODIAN_ASSIGN_OR_RETURN(auto counts, driver_->Query("SELECT data_class, COUNT(*), MIN(captured_ms), "
                                                           "MAX(captured_ms) FROM " + table + " GROUP BY data_class",
                                                           {}));
    CUSTODIAN_ASSIGN_OR_RETURN(auto plate_rows, driver_->Query("SELECT DISTINCT plate FROM " + table, {}));
    CUSTODIAN_ASSIGN_OR_RETURN(auto image_rows, driver_->Query("SELECT crop_sha, frame_sha FROM " + table +
                                                               " WHERE crop_sha IS NOT NULL OR frame_sha IS NOT NULL",
                                                               {}));
    std::map<std::string, int64_t> image_refs;
    for (const auto& row : image_rows) {
      if (!IsNull(row[0])) ++image_refs[AsString(row[0])];
      if (!IsNull(row[1])) ++image_refs[AsString(row[1])];
    }
    const int64_t first_id = FirstIdOfDay(day), end_id = FirstIdOfDay(day + 1);
    CUSTODIAN_RETURN_IF_ERROR(
        driver_->Query("DELETE FROM alerts WHERE read_id > ? AND read_id < ?", {first_id, end_id}).status());
    // Only released holds' rows are left for the day's reads (an active one keeps the day).
    CUSTODIAN_RETURN_IF_ERROR(driver_
                                  ->Query("DELETE FROM held_reads WHERE captured_ms >= ? AND captured_ms < ? AND "
                                          "read_id > ? AND read_id < ?",
                                          {day * kDayMs, (day + 1) * kDayMs, first_id, end_id})
                                  .status());
    CUSTODIAN_RETURN_IF_ERROR(DropImageReferences(*driver_, image_refs, &dead_images));
    CUSTODIAN_RETURN_IF_ERROR(DropDayTable(*driver_, day));
    r.partitions_dropped = 1;
    std::vector<std::string> plates;
    plates.reserve(plate_rows.size());
    for (const auto& row : plate_rows) plates.push_back(AsString(row[0]));
    DriverTxn txn(*driver_);
    CUSTODIAN_ASSIGN_OR_RETURN(r.plates, UnindexUnusedPlates(txn, plates));
    if (r.plates > 0) CUSTODIAN_RETURN_IF_ERROR(MergePlateTrigrams(txn));
    r.images = int64_t(dead_images.size());
    for (const auto& c : counts) {
      if (AsInt(c[0]) == own_class) {
        r.reads = AsInt(c[1]);
        r.oldest = FromUnixMillis(AsInt(c[2]));
        r.newest = FromUnixMillis(AsInt(c[3]));
      } else {
        r.other_class_reads = AsInt(c[1]);
      }
    }
    // A row per class the day held; the images and plates on this class's row, or on the
    // only one.
    const bool own_present = r.reads > 0;
    for (const auto& c : counts) {
      const bool carries = own_present ? AsInt(c[0]) == own_class : true;
      CUSTODIAN_RETURN_IF_ERROR(driver_
                                    ->Query("INSERT INTO purge_log (run_ms, run_by, data_class, cutoff_ms, reads, "
                                            "images, plates, oldest_ms, newest_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                            {now_ms, req.run_by, AsInt(c[0]), every_ms, AsInt(c[1]),
                                             carries ? r.images : 0, carries ? r.plates : 0, AsInt(c[2]), AsInt(c[3])})
                                    .status());
    }
    r.whole_day = true;
    result = r;
    return Status::Ok();
  });
  if (!written.ok()) return written;
  if (result) CUSTODIAN_RETURN_IF_ERROR(RemoveImageFiles(dead_images, result->reads + result->other_class_reads));
  return result;
}

Result<PurgeBatchResult> SqlReadStore::PurgeBatch(const PurgeBatchRequest& req) {
  if (req.limit < 1 || req.limit > kMaxPurgeBatch) {
    return Status::InvalidArgument("purge batch of ", req.limit, " is not in 1..", kMaxPurgeBatch);
  }
  CUSTODIAN_RETURN_IF_ERROR(CheckText("user", req.run_by, kMaxIdLength, false));
  const int64_t cutoff_ms = ToUnixMillis(req.cutoff);
  std::lock_guard lock(mu_);
  const int64_t now_ms = ToUnixMillis(clock_->Now());
  const bool sqlite = driver_->dialect() == Dialect::kSqlite;
  if (sqlite && req.every_class_cutoff) {
    CUSTODIAN_ASSIGN_OR_RETURN(std::optional<PurgeBatchResult> whole, PurgeWholeDay(req, now_ms));
    if (whole) return *whole;
  }
  PurgeBatchResult result;
  std::vector<std::string> dead_images;
  std::set<int64_t> days;
  Status written = InTransaction([&]() -> Status {
    CUSTODIAN_RETURN_IF_ERROR(LockHolds(*driver_));
    // The held reads are one uncorrelated set (built once per statement from the few rows
    // of active holds before the cutoff), not a probe per candidate read.
    auto select_from = [&](const std::string& table, int64_t limit) {
      return driver_->Query("SELECT r.id, r.captured_ms, r.plate, r.event_id, r.crop_sha, r.frame_sha FROM " + table +
                                " r WHERE r.data_class = ? AND r.captured_ms < ? AND r.id NOT IN (SELECT hr.read_id "
                                "FROM held_reads hr JOIN holds h ON h.id = hr.hold_id WHERE h.released_ms IS NULL AND "
                                "hr.captured_ms < ?) ORDER BY r.captured_ms, r.id LIMIT ?",
                            {ClassValue(req.data_class), cutoff_ms, cutoff_ms, limit});
    };
    std::vector<SqlRow> rows;
    if (sqlite) {
      // reads_legacy while it holds reads, then the day tables from the oldest, until
      // the batch is full.
      std::vector<std::string> tables;
      CUSTODIAN_ASSIGN_OR_RETURN(bool legacy, LegacyLeft(*driver_));
      if (legacy) tables.push_back(kLegacyReadsTable);
      CUSTODIAN_ASSIGN_OR_RETURN(std::vector<int64_t> all_days, ListReadDays(*driver_));
      for (auto it = all_days.rbegin(); it != all_days.rend() && *it * kDayMs < cutoff_ms; ++it) {
        tables.push_back(DayTableName(*it));
      }
      for (const auto& table : tables) {
        CUSTODIAN_ASSIGN_OR_RETURN(auto part, select_from(table, req.limit - int64_t(rows.size())));
        for (auto& r : part) rows.push_back(std::move(r));
        if (int64_t(rows.size()) >= req.limit) break;
      }
    } else {
      CUSTODIAN_ASSIGN_OR_RETURN(rows, select_from("reads", req.limit));
    }
    // On SQLite the plates dictionary is tidied once at the end of a run (this class's
    // last batch, the one short of the limit): a plate's rows (plates, its reverse and key
    // indexes, its trigrams) sit at random keys, so tidying per batch wrote ~8 pages per
    // plate per batch; once per run, each page is written once. Full batches queue their
    // plates in plate_gc (appended, so crash-safe: a run cut short leaves them for the
    // next run's end). The run's last call writes a purge_log row for what it tidied even
    // when it purged no read (no time range then).
    const bool defer_gc = driver_->dialect() == Dialect::kSqlite;
    const bool last_batch = int64_t(rows.size()) < req.limit;
    std::set<std::string> plates;
    if (rows.empty()) {
      if (!defer_gc) return Status::Ok();
      CUSTODIAN_ASSIGN_OR_RETURN(result.plates, CollectPlateGarbage(*driver_, ClassValue(req.data_class), plates));
      if (result.plates == 0) return Status::Ok();
      return driver_
          ->Query("INSERT INTO purge_log (run_ms, run_by, data_class, cutoff_ms, reads, images, plates) "
                  "VALUES (?, ?, ?, ?, 0, 0, ?)",
                  {now_ms, req.run_by, ClassValue(req.data_class), cutoff_ms, result.plates})
          .status();
    }
    std::vector<SqlValue> ids, events, event_read_ids;
    std::map<std::string, int64_t> image_refs;
    int64_t oldest = AsInt(rows.front()[1]), newest = oldest;
    std::map<std::string, std::vector<SqlValue>> ids_by_table;  // SQLite
    for (const auto& r : rows) {
      ids.push_back(AsInt(r[0]));
      oldest = std::min(oldest, AsInt(r[1]));
      newest = std::max(newest, AsInt(r[1]));
      if (!sqlite) days.insert(AsInt(r[1]) / kMsPerDay);  // PostgreSQL's partitions (SQLite: below)
      plates.insert(AsString(r[2]));
      if (!IsNull(r[3])) {
        events.push_back(AsString(r[3]));
        event_read_ids.push_back(AsInt(r[0]));
      }
      if (!IsNull(r[4])) ++image_refs[AsString(r[4])];
      if (!IsNull(r[5])) ++image_refs[AsString(r[5])];
      if (sqlite) ids_by_table[ReadTableOfId(AsInt(r[0]))].push_back(AsInt(r[0]));
    }
    if (sqlite) {
      for (const auto& [table, table_ids] : ids_by_table) {
        CUSTODIAN_RETURN_IF_ERROR(ForChunks(*driver_, "DELETE FROM " + table + " WHERE id IN ", "", table_ids, {}));
      }
      // Day tables this batch emptied go (a day whose reads went by batches: held ones
      // released later, or a class with a shorter period).
      for (const auto& [table, table_ids] : ids_by_table) {
        const std::optional<int64_t> day = DayOfReadId(AsInt(table_ids.front()));
        if (!day) continue;  // reads_legacy stays
        CUSTODIAN_ASSIGN_OR_RETURN(auto any, driver_->Query("SELECT 1 FROM " + table + " LIMIT 1", {}));
        if (!any.empty()) continue;
        CUSTODIAN_RETURN_IF_ERROR(DropDayTable(*driver_, *day));
        ++result.partitions_dropped;
      }
    } else {
      // The capture-time bounds let PostgreSQL touch only the partitions involved.
      CUSTODIAN_RETURN_IF_ERROR(
          ForChunks(*driver_, "DELETE FROM reads WHERE id IN ", " AND captured_ms >= ? AND captured_ms <= ?", ids,
                    {oldest, newest}));
    }
    // Rows of released holds that covered these reads: the hold's record stays, its
    // reads are gone.
    // Only released holds can still name these reads: found by capture time (few rows),
    // not probed per read.
    CUSTODIAN_ASSIGN_OR_RETURN(
        auto held, driver_->Query("SELECT read_id FROM held_reads WHERE captured_ms >= ? AND captured_ms <= ?",
                                  {oldest, newest}));
    if (!held.empty()) {
      std::set<int64_t> batch_ids;
      for (const auto& id : ids) batch_ids.insert(AsInt(id));
      std::vector<SqlValue> gone;
      for (const auto& r : held) {
        if (batch_ids.count(AsInt(r[0]))) gone.push_back(AsInt(r[0]));
      }
      if (!gone.empty()) {
        CUSTODIAN_RETURN_IF_ERROR(ForChunks(*driver_, "DELETE FROM held_reads WHERE read_id IN ", "", gone, {}));
      }
    }
    CUSTODIAN_RETURN_IF_ERROR(ForChunks(*driver_, "DELETE FROM alerts WHERE read_id IN ", "", ids, {}));
    if (!events.empty() && driver_->dialect() != Dialect::kSqlite) {  // SQLite: went with the reads rows
      // Another camera's read may share the event id: only the purged reads' rows go.
      for (size_t at = 0; at < events.size(); at += 500) {
        const size_t n = std::min<size_t>(500, events.size() - at);
        std::vector<SqlValue> params(events.begin() + at, events.begin() + at + n);
        params.insert(params.end(), event_read_ids.begin() + at, event_read_ids.begin() + at + n);
        CUSTODIAN_RETURN_IF_ERROR(driver_
                                      ->Query("DELETE FROM read_events WHERE event_id IN " + InList(n) +
                                                  " AND read_id IN " + InList(n),
                                              params)
                                      .status());
      }
    }
    CUSTODIAN_RETURN_IF_ERROR(DropImageReferences(*driver_, image_refs, &dead_images));
    // Plates none of whose reads is left go, with their trigrams (SQLite: see above).
    if (!defer_gc) {
      DriverTxn txn(*driver_);
      CUSTODIAN_ASSIGN_OR_RETURN(result.plates,
                                 UnindexUnusedPlates(txn, std::vector<std::string>(plates.begin(), plates.end())));
    } else if (last_batch) {
      CUSTODIAN_ASSIGN_OR_RETURN(result.plates, CollectPlateGarbage(*driver_, ClassValue(req.data_class), plates));
    } else {
      CUSTODIAN_RETURN_IF_ERROR(QueuePlateGarbage(*driver_, ClassValue(req.data_class), plates));
    }
    result.reads = int64_t(rows.size());
    result.images = int64_t(dead_images.size());
    result.oldest = FromUnixMillis(oldest);
    result.newest = FromUnixMillis(newest);
    return driver_
        ->Query("INSERT INTO purge_log (run_ms, run_by, data_class, cutoff_ms, reads, images, plates, oldest_ms, "
                "newest_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                {now_ms, req.run_by, ClassValue(req.data_class), cutoff_ms, result.reads, result.images,
                 result.plates, oldest, newest})
        .status();
  });
  if (!written.ok()) return written;
  CUSTODIAN_RETURN_IF_ERROR(RemoveImageFiles(dead_images, result.reads));
  if (!days.empty()) {
    CUSTODIAN_ASSIGN_OR_RETURN(result.partitions_dropped,
                               driver_->DropEmptyReadPartitions(std::vector<int64_t>(days.begin(), days.end())));
  }
  return result;
}

Result<std::vector<PurgeLogEntry>> SqlReadStore::PurgeLog(int limit) {
  if (limit < 1 || limit > kMaxPageSize) return Status::InvalidArgument("limit ", limit, " is not in 1..", kMaxPageSize);
  std::lock_guard lock(mu_);
  CUSTODIAN_ASSIGN_OR_RETURN(
      auto rows, driver_->Query("SELECT id, run_ms, run_by, data_class, cutoff_ms, reads, images, plates, oldest_ms, "
                                "newest_ms FROM purge_log ORDER BY id DESC LIMIT ?",
                                {int64_t(limit)}));
  std::vector<PurgeLogEntry> out;
  for (const auto& r : rows) {
    PurgeLogEntry e;
    e.id = AsInt(r[0]);
    e.run_at = FromUnixMillis(AsInt(r[1]));
    e.run_by = AsString(r[2]);
    e.data_class = AsInt(r[3]) == 0 ? DataClass::kPublicSafety : DataClass::kNonPublicSafety;
    e.cutoff = FromUnixMillis(AsInt(r[4]));
    e.reads = AsInt(r[5]);
    e.images = AsInt(r[6]);
    e.plates = AsInt(r[7]);
    if (!IsNull(r[8])) e.oldest = FromUnixMillis(AsInt(r[8]));
    if (!IsNull(r[9])) e.newest = FromUnixMillis(AsInt(r[9]));
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace custodian::store::internal
