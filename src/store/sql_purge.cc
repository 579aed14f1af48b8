// Retention: purge batches, whole days, the purge log.
#include "store/sql_common.h"


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

// The deferred tidying of the plates dictionary (ReadLayout::TidiesPlatesPerRun; see PurgeBatch): plates whose reads
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
Result<int64_t> CollectPlateGarbage(SqlDriver& driver, ReadLayout& layout, int64_t data_class,
                                    const std::set<std::string>& plates) {
  CUSTODIAN_ASSIGN_OR_RETURN(auto queued,
                             driver.Query("SELECT DISTINCT plate FROM plate_gc WHERE data_class = ?", {data_class}));
  std::set<std::string> all = plates;
  for (const auto& row : queued) all.insert(AsString(row[0]));
  CUSTODIAN_ASSIGN_OR_RETURN(
      int64_t gone, layout.UnindexUnusedPlates(driver, std::vector<std::string>(all.begin(), all.end()), /*merge=*/true));
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

// The oldest day all of whose reads are past every class's period (`every_class_cutoff`)
// and none held by an active hold, dropped whole in one transaction (where the layout can:
// SQLite's day tables) with what refers to its reads (alerts, released holds' rows, image
// references, plates no read holds any more), and a purge_log row per class. nullopt when
// there is no such day: the batch then deletes reads one by one.
Result<std::optional<PurgeBatchResult>> SqlReadStore::PurgeWholeDay(const PurgeBatchRequest& req, int64_t now_ms) {
  // Never past this call's own class cutoff, whatever the caller says of every class.
  const int64_t every_ms = std::min(ToUnixMillis(*req.every_class_cutoff), ToUnixMillis(req.cutoff));
  const int64_t own_class = ClassValue(req.data_class);
  std::optional<PurgeBatchResult> result;
  std::vector<std::string> dead_images;
  Status written = InTransaction([&]() -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(std::optional<DroppedDay> dropped, layout_->DropExpiredDay(*driver_, every_ms));
    if (!dropped) return Status::Ok();
    PurgeBatchResult r;
    CUSTODIAN_RETURN_IF_ERROR(DropImageReferences(*driver_, dropped->image_refs, &dead_images));
    r.partitions_dropped = 1;
    CUSTODIAN_ASSIGN_OR_RETURN(r.plates, layout_->UnindexUnusedPlates(*driver_, dropped->plates, /*merge=*/true));
    r.images = int64_t(dead_images.size());
    for (const auto& c : dropped->classes) {
      if (c.data_class == own_class) {
        r.reads = c.reads;
        r.oldest = FromUnixMillis(c.oldest_ms);
        r.newest = FromUnixMillis(c.newest_ms);
      } else {
        r.other_class_reads = c.reads;
      }
    }
    // A row per class the day held; the images and plates on this class's row, or on the
    // only one.
    const bool own_present = r.reads > 0;
    for (const auto& c : dropped->classes) {
      const bool carries = own_present ? c.data_class == own_class : true;
      CUSTODIAN_RETURN_IF_ERROR(driver_
                                    ->Query("INSERT INTO purge_log (run_ms, run_by, data_class, cutoff_ms, reads, "
                                            "images, plates, oldest_ms, newest_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                            {now_ms, req.run_by, c.data_class, every_ms, c.reads,
                                             carries ? r.images : 0, carries ? r.plates : 0, c.oldest_ms, c.newest_ms})
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
  if (req.every_class_cutoff && layout_->DropsWholeDays()) {
    CUSTODIAN_ASSIGN_OR_RETURN(std::optional<PurgeBatchResult> whole, PurgeWholeDay(req, now_ms));
    if (whole) return *whole;
  }
  PurgeBatchResult result;
  std::vector<std::string> dead_images;
  std::set<int64_t> days;
  Status written = InTransaction([&]() -> Status {
    CUSTODIAN_RETURN_IF_ERROR(LockHolds(*driver_));
    // The held reads are one uncorrelated set (built once per statement from the few rows
    // of active holds before the cutoff), not a probe per candidate read. The layout's
    // tables in order, until the batch is full.
    CUSTODIAN_ASSIGN_OR_RETURN(std::vector<std::string> tables, layout_->PurgeTables(*driver_, cutoff_ms));
    std::vector<SqlRow> rows;
    for (const auto& table : tables) {
      CUSTODIAN_ASSIGN_OR_RETURN(
          auto part,
          driver_->Query("SELECT r.id, r.captured_ms, r.plate, r.event_id, r.crop_sha, r.frame_sha FROM " + table +
                             " r WHERE r.data_class = ? AND r.captured_ms < ? AND r.id NOT IN (SELECT hr.read_id "
                             "FROM held_reads hr JOIN holds h ON h.id = hr.hold_id WHERE h.released_ms IS NULL AND "
                             "hr.captured_ms < ?) ORDER BY r.captured_ms, r.id LIMIT ?",
                         {ClassValue(req.data_class), cutoff_ms, cutoff_ms, req.limit - int64_t(rows.size())}));
      for (auto& r : part) rows.push_back(std::move(r));
      if (int64_t(rows.size()) >= req.limit) break;
    }
    // Where the layout says so (SQLite), the plates dictionary is tidied once at the end of
    // a run (this class's last batch, the one short of the limit): a plate's rows (plates,
    // its reverse and key indexes, its trigrams) sit at random keys, so tidying per batch
    // wrote ~8 pages per plate per batch; once per run, each page is written once. Full
    // batches queue their plates in plate_gc (appended, so crash-safe: a run cut short
    // leaves them for the next run's end). The run's last call writes a purge_log row for
    // what it tidied even when it purged no read (no time range then).
    const bool defer_gc = layout_->TidiesPlatesPerRun();
    const bool last_batch = int64_t(rows.size()) < req.limit;
    std::set<std::string> plates;
    if (rows.empty()) {
      if (!defer_gc) return Status::Ok();
      CUSTODIAN_ASSIGN_OR_RETURN(result.plates,
                                 CollectPlateGarbage(*driver_, *layout_, ClassValue(req.data_class), plates));
      if (result.plates == 0) return Status::Ok();
      return driver_
          ->Query("INSERT INTO purge_log (run_ms, run_by, data_class, cutoff_ms, reads, images, plates) "
                  "VALUES (?, ?, ?, ?, 0, 0, ?)",
                  {now_ms, req.run_by, ClassValue(req.data_class), cutoff_ms, result.plates})
          .status();
    }
    std::vector<SqlValue> ids;
    std::vector<PurgedRead> purged;
    purged.reserve(rows.size());
    std::map<std::string, int64_t> image_refs;
    int64_t oldest = AsInt(rows.front()[1]), newest = oldest;
    for (const auto& r : rows) {
      ids.emplace_back(AsInt(r[0]));
      purged.push_back({AsInt(r[0]), AsInt(r[1]), IsNull(r[3]) ? std::nullopt : std::optional(AsString(r[3]))});
      oldest = std::min(oldest, AsInt(r[1]));
      newest = std::max(newest, AsInt(r[1]));
      days.insert(AsInt(r[1]) / kMsPerDay);  // partitions that may have emptied
      plates.insert(AsString(r[2]));
      if (!IsNull(r[4])) ++image_refs[AsString(r[4])];
      if (!IsNull(r[5])) ++image_refs[AsString(r[5])];
    }
    CUSTODIAN_ASSIGN_OR_RETURN(result.partitions_dropped, layout_->DeleteReads(*driver_, purged));
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
    CUSTODIAN_RETURN_IF_ERROR(DropImageReferences(*driver_, image_refs, &dead_images));
    // Plates none of whose reads is left go, with their trigrams (or at the run's end: above).
    if (!defer_gc) {
      CUSTODIAN_ASSIGN_OR_RETURN(result.plates,
                                 layout_->UnindexUnusedPlates(
                                     *driver_, std::vector<std::string>(plates.begin(), plates.end()), /*merge=*/false));
    } else if (last_batch) {
      CUSTODIAN_ASSIGN_OR_RETURN(result.plates,
                                 CollectPlateGarbage(*driver_, *layout_, ClassValue(req.data_class), plates));
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
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t emptied, layout_->DropEmptyReadPartitions(
                                                    *driver_, std::vector<int64_t>(days.begin(), days.end())));
    result.partitions_dropped += emptied;
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
    ColumnsTo(r, 0, e.id, e.run_at, e.run_by);
    e.data_class = AsInt(r[3]) == 0 ? DataClass::kPublicSafety : DataClass::kNonPublicSafety;
    ColumnsTo(r, 4, e.cutoff, e.reads, e.images, e.plates, e.oldest, e.newest);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace custodian::store::internal
