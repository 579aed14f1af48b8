// ReadLayout: how one backend lays out reads, their event ids and the plate index, behind
// one interface, so that the generic SQL store (sql_*.cc) has no backend test of its own.
// Internal.
//
//   SQLite (sqlite/sqlite_layout.cc): a table per capture day with an hour-led open day
//   (sqlite/day_tables.h), the event id on the read's row, trigrams in FTS5, a search that
//   walks the day tables newest first, a purge that drops a day's table whole.
//   PostgreSQL (postgres/pg_layout.cc): reads partitioned by capture day, event ids in
//   read_events, trigrams in plate_grams, a search as one statement, partitions dropped
//   once a purge has emptied them.
//
// One instance per store, shared by its connections: each call names the connection it
// works on. Calls that say "inside a transaction" run in the caller's.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "custodian/store/read_store.h"
#include "store/sql_driver.h"

namespace custodian::store::internal {

// A search as one SQL statement with '?' placeholders; it asks for limit + 1 rows, the
// extra one telling whether there is a next page.
struct SearchSql {
  std::string sql;
  std::vector<SqlValue> params;
};

// A search query turned into SQL once (PlanSearch, sql_search.cc); the layout names the
// tables. Conditions are on reads `r`, each part joined with " AND ".
struct SearchPlan {
  std::string plate_where;  // the plate term's conditions; empty for none
  std::vector<SqlValue> plate_params;
  std::string filters;  // time range, cameras, area, scopes, data class, cursor; may be empty
  std::vector<SqlValue> filter_params;
  // Where the term's candidate plates come from the plates dictionary (a suffix, trigram
  // or short-prefix wildcard; a fuzzy key): the statement that lists them (no LIMIT).
  SearchSql plate_source;
  int limit = 0;

  // SELECT kReadColumns FROM `table` r WHERE <plate term> AND <filters> [AND `extra`]
  // ORDER BY time (hour first when `by_hour`), id, newest first, LIMIT limit + 1.
  SearchSql Page(const std::string& table, const std::string& extra = "", bool by_hour = false) const;
  // The page as one bounded index walk per candidate plate (at most kMaxMergedPlates),
  // merged: the cost follows plates x page, never the plates' read counts.
  SearchSql MergedPlates(const std::string& table, const std::vector<std::string>& plates) const;
};
inline constexpr size_t kMaxMergedPlates = 256;

// A wildcard term's conditions on the read's plate, and its candidate plates' statement
// (see SearchPlan), as a plate index narrows it.
struct PlateTermSql {
  std::string where;
  std::vector<SqlValue> params;
  SearchSql source;
};

// The plate index rows that a transaction adding many plates writes at its end, in one
// statement (SQLite's FTS5 trigrams: one segment per transaction, not one per plate).
struct PendingTrigrams {
  int64_t next_rowid = 0;                             // 0: not yet read from plate_trigrams
  std::vector<std::pair<int64_t, std::string>> rows;  // (rowid, plate)
};

// A read the ingest writes: its values in kInsertColumns' order (sql_ingest.cc).
inline constexpr const char* kInsertColumns =
    "event_id, camera_id, captured_ms, ingested_ms, plate_raw, plate, plate_rev, confusion_key, confidence, "
    "candidates, country, region, box_x, box_y, box_w, box_h, lat, lon, data_class, crop_sha, frame_sha";

// Reads stored before, keyed by (event scope, event id, camera): an event id is a camera's
// own, and a retry of one is the same read.
using EventKey = std::tuple<int64_t, std::string, std::string>;
using KnownEvents = std::map<EventKey, int64_t, std::less<>>;

// Writes one ingest transaction's reads (ReadLayout::NewReadWriter).
class ReadWriter {
 public:
  virtual ~ReadWriter() = default;
  // Writes the row (`values` in kInsertColumns' order) and its event id, returns its id.
  virtual Result<int64_t> Insert(const std::vector<SqlValue>& values, int64_t captured_ms, const std::string& event_id,
                                 const std::string& camera_id) = 0;
  // Before the commit: records what the inserts used (SQLite: each day's last id).
  virtual Status Finish() = 0;
};

// A read a purge batch deletes.
struct PurgedRead {
  int64_t id = 0;
  int64_t captured_ms = 0;
  std::optional<std::string> event_id;
};

// What dropping a whole day (ReadLayout::DropExpiredDay) took with it.
struct DroppedDay {
  struct ClassCount {
    int64_t data_class, reads, oldest_ms, newest_ms;
  };
  std::vector<ClassCount> classes;
  std::vector<std::string> plates;            // the distinct plates of its reads
  std::map<std::string, int64_t> image_refs;  // references its reads held, by image
};

class ReadLayout {
 public:
  virtual ~ReadLayout() = default;

  // ---- Opening ----
  // At a migrating open, after the migrations: brings older storage up to date.
  virtual Status AfterMigrate(SqlDriver& d) = 0;

  // ---- Writers ----
  // Whether the database admits one write transaction at a time (SQLite): then what a
  // write transaction reads at its start (the hotlist filter's version) stays true to its
  // end, and an in-process cache checked there is exact.
  virtual bool OneWriterAtATime() const = 0;

  // ---- Ingest ----
  // Outside a transaction: makes sure reads captured on these UTC days can be inserted
  // (PostgreSQL's partitions; SQLite makes its day tables in FindStoredEvents).
  virtual Status EnsureReadPartitions(SqlDriver& d, const std::vector<int64_t>& days) = 0;
  // The scope within which a camera's event id names one read (SQLite: the capture day,
  // as reads_by_event is keyed; PostgreSQL: the whole store, read_events).
  virtual int64_t EventScope(int64_t captured_ms) const = 0;
  // Inside the ingest's transaction: the stored reads of the batch's event ids, and room
  // made for the batch's reads that are not retries of them (SQLite's day tables).
  virtual Result<KnownEvents> FindStoredEvents(SqlDriver& d, std::span<const ReadInput> batch) = 0;
  virtual std::unique_ptr<ReadWriter> NewReadWriter(SqlDriver& d) = 0;

  // ---- Where reads live ----
  // The alert list's SELECT, with DecodeAlert's columns (sql_hotlists.cc); a WHERE clause
  // follows it. Columns 4-6 (the read's plate, region, camera) may be NULL, for
  // FillAlertReads to complete from each read's own table.
  virtual const std::string& AlertSelectSql() const = 0;
  virtual Status FillAlertReads(SqlDriver& d, std::vector<SqlRow>& rows) = 0;
  // The table an UPDATE of read `id` names ("reads" where that is a table).
  virtual std::string ReadTableOfId(int64_t id) const = 0;

  // ---- The plate index (the distinct plates, their reverse, confusion key and trigrams) ----
  // The capture day IndexPlate records as a plate's first (a search by day starts there),
  // or nothing where the layout has no use for it.
  virtual std::optional<int64_t> PlateDayOf(int64_t captured_ms) const = 0;
  // Those of `plates` in the index, with the first day each has (nullopt where none).
  virtual Result<std::unordered_map<std::string, std::optional<int64_t>>> IndexedPlates(
      SqlDriver& d, const std::vector<std::string>& plates) = 0;
  // Adds `plate` (new to the index) read on `first_day` (PlateDayOf). With `pending`,
  // rows that are cheaper written together wait there for FlushPlateIndex.
  virtual Status IndexPlate(SqlDriver& d, const std::string& plate, std::optional<int64_t> first_day,
                            PendingTrigrams* pending) = 0;
  virtual Status FlushPlateIndex(SqlDriver& d, PendingTrigrams& pending) = 0;
  // Sets a plate's first day to `day` where it was later (a late upload, a correction).
  virtual Status LowerFirstDay(SqlDriver& d, const std::string& plate, int64_t day) = 0;
  // Removes each of `plates` that no read holds any more, with its trigrams; returns how
  // many went. With `merge`, no trace of them is left in the index's storage (SQLite: the
  // FTS5 segments merged; a purge: destroyed means destroyed).
  virtual Result<int64_t> UnindexUnusedPlates(SqlDriver& d, const std::vector<std::string>& plates, bool merge) = 0;
  // A wildcard term (normalised, with '*' or '?', not "*") as this index narrows it.
  virtual PlateTermSql WildcardSql(const std::string& term) const = 0;

  // ---- Search ----
  // Runs `fn` in one read snapshot where the layout's page spans statements (SQLite: the
  // list of day tables and the tables agree while a purge may drop one).
  virtual Status InSnapshot(SqlDriver& d, const std::function<Status()>& fn) = 0;
  // The page's rows (kReadColumns, limit + 1 at most, newest first). `plates`: the term's
  // candidate plates when they are few (<= kMaxMergedPlates), else null.
  virtual Result<std::vector<SqlRow>> FindPage(SqlDriver& d, const SearchQuery& q, const SearchPlan& plan,
                                               const std::vector<std::string>* plates) = 0;

  // ---- Purge ----
  // Inside the purge's transaction: drops the oldest day all of whose reads were captured
  // before `every_class_cutoff_ms` and none held by an active hold, with its reads' alerts
  // and released holds' rows (the caller drops the image references and plates); nullopt
  // when there is none or the layout cannot drop a day whole.
  virtual Result<std::optional<DroppedDay>> DropExpiredDay(SqlDriver& d, int64_t every_class_cutoff_ms) = 0;
  // Whether DropExpiredDay can ever drop a day (a day's reads in a table of their own that
  // can go whole); where not, the purge opens no transaction for it.
  virtual bool DropsWholeDays() const = 0;
  // The tables a purge batch takes reads from, in order (SQLite: reads_legacy while it
  // holds reads, then the day tables before `cutoff_ms`, oldest first).
  virtual Result<std::vector<std::string>> PurgeTables(SqlDriver& d, int64_t cutoff_ms) = 0;
  // Inside the purge's transaction: deletes the reads (and their event ids); returns how
  // many day tables it dropped because they emptied.
  virtual Result<int64_t> DeleteReads(SqlDriver& d, const std::vector<PurgedRead>& reads) = 0;
  // Outside a transaction, after a purge: drops the partitions of these days that hold no
  // read; returns how many.
  virtual Result<int64_t> DropEmptyReadPartitions(SqlDriver& d, const std::vector<int64_t>& days) = 0;
  // Whether a purge run tidies the plate index once at its end (plates queued in plate_gc
  // by its full batches) rather than per batch: SQLite, where a plate's index rows sit at
  // random pages and per-batch tidying wrote ~8 pages per plate per batch.
  virtual bool TidiesPlatesPerRun() const = 0;
};

// The alert list's SELECT (DecodeAlert's columns, sql_hotlists.cc) with `read_columns` as the
// read's plate, region and camera, and `read_join` after the hotlist joins.
std::string AlertSelect(std::string_view read_columns, std::string_view read_join);

std::unique_ptr<ReadLayout> NewSqliteLayout();    // sqlite/sqlite_layout.cc
std::unique_ptr<ReadLayout> NewPostgresLayout();  // postgres/pg_layout.cc

}  // namespace custodian::store::internal
