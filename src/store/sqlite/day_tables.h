// SQLite's reads, one table per UTC capture day (migration 9). Internal.
//
// A read captured on day D (days since the epoch) lives in `reads_d<D>` with the id
// (D + 1) * 2^32 + n, so its table follows from its id (day 0 too: every id of a day table
// is above those of reads_legacy); read_days lists the days, the last id each was given (an
// id is never given twice, even after the day's table was dropped and made again by a late
// upload) and whether its table is there now; the view
// `reads` joins them all (with reads_legacy, the reads stored before migration 9, whose
// ids are below 2^32) for the statements that find reads by id or plate. The hot paths go
// to the day tables themselves: ingest writes a day's table, a search walks them newest
// first and stops after a page, and the retention purge drops a day's table whole once
// every read in it is past its period and none is held.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "store/sql_driver.h"

namespace custodian::store::internal {

inline constexpr int64_t kDayMs = 86'400'000;
inline constexpr int kDayIdShift = 32;
inline constexpr const char* kLegacyReadsTable = "reads_legacy";

inline int64_t DayOfMs(int64_t captured_ms) { return captured_ms / kDayMs; }
// The ids of day `day`'s reads are above this and below FirstIdOfDay(day + 1).
inline int64_t FirstIdOfDay(int64_t day) { return (day + 1) << kDayIdShift; }
// The day whose table holds read `id`; nullopt for ids below 2^32 (reads_legacy).
inline std::optional<int64_t> DayOfReadId(int64_t id) {
  if (id < (int64_t{1} << kDayIdShift)) return std::nullopt;
  return (id >> kDayIdShift) - 1;
}
// "reads_d<day>"; made from an integer, never from input text.
std::string DayTableName(int64_t day);
// The day of a table DayTableName made; nullopt for any other name (reads_legacy).
std::optional<int64_t> DayOfTableName(std::string_view table);

// A day table's camera index is led by the capture hour (since session 13:
// `<table>_by_hour_camera` on (captured_ms / 3600000, camera_id, captured_ms)), so that a
// batch of reads from hundreds of cameras adds its entries within the hour's stretch of
// the index, not at each camera's own place (measured at 10M reads: ~300 index pages
// written per 1,000-read commit fewer). SQLite seeks it only through its leading column:
// `HourCondition` is the condition that names the hours to seek.
inline constexpr int64_t kHourMs = 3'600'000;
// "r.captured_ms / 3600000 IN (...)": the hours of `day` that overlap [from_ms, to_ms),
// newest first, as literal integers; "0" (false) when none does.
std::string HourCondition(int64_t day, int64_t from_ms, int64_t to_ms);
// The table holding read `id`: its day's table, or reads_legacy. It may not exist (a day
// that was never written, or was purged).
std::string ReadTableOfId(int64_t id);

// The newest day's table is open (migration 11): its plate index is led by the hour too,
// `<table>_by_hour_plate` on (captured_ms / 3600000, plate, captured_ms), which a batch of
// reads fills within the hour's stretch (measured at 10M reads, session 14: 42.7k -> 49.3k
// reads a second, the day closes included). EnsureDayTables closes it when it makes a
// newer day's table: builds `<table>_by_plate` (plate, captured_ms) and drops the hour-led
// one. A statement that seeks reads by plate names the hours of an open day's table
// (HourCondition); through the view `reads`, whose arm for an open day names them.
struct ReadDay {
  int64_t day = 0;
  bool plates_by_hour = false;  // open: its plate index is led by the hour
};
// Day tables made before issue 23 keep an event id unique within the day whatever its
// camera; this rebuilds their `<table>_by_event` index on (event_id, camera_id), so that two
// cameras' reads with the same event id are two reads. Idempotent; run by a migrating open.
Status KeyEventsByCamera(SqlDriver& driver);

// Columns 4-6 of the alert list's rows (the read's plate, region and camera; see
// ReadLayout::AlertSelectSql), each from its read's day table, in one read transaction;
// left NULL for a read that is gone.
Status FillAlertReadsFromDayTables(SqlDriver& driver, std::vector<SqlRow>& rows);
// Days that have a table, newest first, and whether each is open.
Result<std::vector<ReadDay>> ListReadDayTables(SqlDriver& driver);
// Days that have a table, newest first.
Result<std::vector<int64_t>> ListReadDays(SqlDriver& driver);
// Those of `days` that have a table.
Result<std::set<int64_t>> ExistingReadDays(SqlDriver& driver, const std::set<int64_t>& days);
// Inside a write transaction: creates the tables of those of `days` that have none (and
// rebuilds the view when it did). The newest of them is made open when it is newer than
// every day with a table, and then the open day before it is closed; any other is made
// closed. kInvalidArgument for a day outside 0..2^31.
Status EnsureDayTables(SqlDriver& driver, const std::set<int64_t>& days);
// Inside a write transaction: drops day `day`'s table and rebuilds the view. The day's
// last id is kept.
Status DropDayTable(SqlDriver& driver, int64_t day);
// The last id given to a read of `day` (FirstIdOfDay(day) when none was), and, inside the
// write transaction that used them, recording a later one.
Result<int64_t> LastReadId(SqlDriver& driver, int64_t day);
Status SetLastReadId(SqlDriver& driver, int64_t day, int64_t id);
// Whether reads_legacy still holds a read (it only ever empties: nothing is added to it).
Result<bool> LegacyReadsLeft(SqlDriver& driver);

}  // namespace custodian::store::internal
