// Legal holds and retention purge batches: the store operations that policy section 3
// needs. The rules (periods per data class, when to purge) live in custodian::policy.
//
// Basic usage:
//   auto hold = store->PlaceHold({.case_number = "24-CR-0117", .reason = "hit and run",
//                                 .placed_by = "det.alvarez", .read_ids = {4711},
//                                 .matching = store::SearchQuery{.plate = "7ABC123"}});
//   auto batch = store->PurgeBatch({.data_class = store::DataClass::kPublicSafety,
//                                   .cutoff = cutoff, .limit = 1000, .run_by = "system"});
//   (void)store->ReleaseHold(hold->id, "det.alvarez");
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "custodian/core/clock.h"
#include "custodian/store/types.h"

namespace custodian::store {

// The most reads one hold may cover; a larger search is refused (narrow it).
inline constexpr int64_t kMaxReadsPerHold = 100'000;
// The most reads one purge batch may delete.
inline constexpr int kMaxPurgeBatch = 10'000;
inline constexpr size_t kMaxReasonLength = 1'024;

struct HoldRequest {
  std::string case_number;  // 1..kMaxIdLength bytes, e.g. "24-CR-0117"
  std::string reason;       // 1..kMaxReasonLength bytes
  std::string placed_by;    // the user; 1..kMaxIdLength bytes
  // Reads to hold by id. Each must exist (kNotFound otherwise, nothing written).
  std::vector<int64_t> read_ids;
  // Also hold every read matching this search when the hold is placed (all pages; its
  // cursor and limit are ignored); reads stored later are not covered. More than
  // kMaxReadsPerHold matches is kInvalidArgument, nothing written.
  std::optional<SearchQuery> matching;
};

struct Hold {
  int64_t id = 0;
  std::string case_number;
  std::string reason;
  std::string placed_by;
  TimePoint placed_at;
  std::string released_by;               // empty while in force
  std::optional<TimePoint> released_at;  // unset while in force
  int64_t reads = 0;                     // reads it covers (that still exist)
};

struct PurgeBatchRequest {
  DataClass data_class = DataClass::kPublicSafety;
  // Reads of the class captured strictly before this are past retention.
  TimePoint cutoff;
  // Reads to delete at most, 1..kMaxPurgeBatch. Default: 1000.
  int limit = 1000;
  // Who runs the purge, recorded in purge_log; 1..kMaxIdLength bytes. Default: "system".
  std::string run_by = "system";
  // When set, every read captured before it is past the period of every data class (the
  // earliest of the classes' cutoffs; policy::RunPurge sets it). A store that keeps each
  // capture day in a table of its own (SQLite) then drops the oldest such day whole, both
  // classes at once, when no active hold covers a read of it: that day is the batch,
  // whatever `limit` (`reads` and `other_class_reads`). Unset (default): reads one by one.
  std::optional<TimePoint> every_class_cutoff;
};

// What one batch deleted. No plate appears here or in purge_log.
struct PurgeBatchResult {
  int64_t reads = 0;
  int64_t images = 0;   // image files deleted with their last read
  int64_t plates = 0;   // distinct plates (and their trigrams) deleted with their last read
  int64_t partitions_dropped = 0;  // day partitions (PostgreSQL) or day tables (SQLite) dropped
  int64_t other_class_reads = 0;   // reads of the other class in a day dropped whole
  bool whole_day = false;          // a day dropped whole (every_class_cutoff): more may follow
  std::optional<TimePoint> oldest;  // capture-time range of the deleted reads
  std::optional<TimePoint> newest;
};

// One purge_log row.
struct PurgeLogEntry {
  int64_t id = 0;
  TimePoint run_at;
  std::string run_by;
  DataClass data_class = DataClass::kPublicSafety;
  TimePoint cutoff;
  int64_t reads = 0;
  int64_t images = 0;
  int64_t plates = 0;
  std::optional<TimePoint> oldest;
  std::optional<TimePoint> newest;
};

}  // namespace custodian::store
