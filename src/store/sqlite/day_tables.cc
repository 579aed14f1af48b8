#include "store/sqlite/day_tables.h"

#include <limits>
#include <map>

namespace custodian::store::internal {
namespace {

// The reads columns, as migration 1 made them (the view lists them by name, so a day table
// and reads_legacy line up whatever order their columns were added in).
constexpr const char* kReadsViewColumns =
    "id, event_id, camera_id, captured_ms, ingested_ms, plate_raw, plate, plate_rev, confusion_key, confidence, "
    "candidates, country, region, box_x, box_y, box_w, box_h, lat, lon, data_class, crop_sha, frame_sha";

// SQLite refuses a compound SELECT of more than 500 terms (SQLITE_MAX_COMPOUND_SELECT):
// past that the view is a compound of compounds.
constexpr size_t kViewGroup = 400;

std::string DayTableDdl(int64_t day, bool plates_by_hour) {
  const std::string t = DayTableName(day);
  const std::string from = std::to_string(day * kDayMs), to = std::to_string((day + 1) * kDayMs);
  // Migration 1's reads table, with the day's bounds checked, and its indexes (each ends in
  // captured_ms, so a search walks one newest first; the camera index, and an open day's
  // plate index, are led by the hour, see HourCondition). An event id is unique within the
  // table for its camera: within the day, as reads_by_event made it (migration 8), and per
  // camera since issue 23 (KeyEventsByCamera upgrades older tables). Tables made before
  // session 13 keep the camera index `<table>_by_camera` on (camera_id, captured_ms): the
  // searches' hour condition is then a filter on it, and their results the same.
  return "CREATE TABLE " + t +
         " (id INTEGER PRIMARY KEY, event_id TEXT, camera_id TEXT NOT NULL REFERENCES cameras (id), "
         "captured_ms INTEGER NOT NULL CHECK (captured_ms >= " + from + " AND captured_ms < " + to +
         "), ingested_ms INTEGER NOT NULL, plate_raw TEXT NOT NULL, plate TEXT NOT NULL, plate_rev TEXT NOT NULL, "
         "confusion_key TEXT NOT NULL, confidence REAL NOT NULL, candidates TEXT NOT NULL, country TEXT NOT NULL, "
         "region TEXT NOT NULL, box_x INTEGER, box_y INTEGER, box_w INTEGER, box_h INTEGER, lat REAL, lon REAL, "
         "data_class INTEGER NOT NULL CHECK (data_class IN (0, 1)), crop_sha TEXT, frame_sha TEXT);\n" +
         (plates_by_hour ? "CREATE INDEX " + t + "_by_hour_plate ON " + t + " (captured_ms / 3600000, plate, captured_ms);\n"
                         : "CREATE INDEX " + t + "_by_plate ON " + t + " (plate, captured_ms);\n") +
         "CREATE INDEX " + t + "_by_time ON " + t + " (captured_ms);\n"
         "CREATE INDEX " + t + "_by_hour_camera ON " + t + " (captured_ms / 3600000, camera_id, captured_ms);\n"
         "CREATE INDEX " + t + "_by_class ON " + t + " (data_class, captured_ms);\n"
         "CREATE UNIQUE INDEX " + t + "_by_event ON " + t + " (event_id, camera_id) WHERE event_id IS NOT NULL;\n";
}

// Closes an open day: its plate index led by the plate, built in one pass over the table
// (~0.2-0.4 s for a day of 333,000 reads), and the hour-led one dropped.
std::string CloseDayDdl(int64_t day) {
  const std::string t = DayTableName(day);
  return "CREATE INDEX " + t + "_by_plate ON " + t + " (plate, captured_ms);\nDROP INDEX " + t +
         "_by_hour_plate;\nUPDATE read_days SET plates_by_hour = 0 WHERE day = " + std::to_string(day) + ";\n";
}

Status RebuildReadsView(SqlDriver& driver) {
  CUSTODIAN_ASSIGN_OR_RETURN(std::vector<ReadDay> days, ListReadDayTables(driver));
  const std::string select = std::string("SELECT ") + kReadsViewColumns + " FROM ";
  std::vector<std::string> arms{select + kLegacyReadsTable};
  // An open day's arm names the day's hours (true of each of its rows): SQLite adds the
  // condition to a statement's own when it runs it on the arm, so that one looking reads
  // up by plate seeks the hour-led plate index hour by hour (UnindexUnusedPlates, the
  // retroactive hotlist hits), where without it the day would be scanned.
  for (auto it = days.rbegin(); it != days.rend(); ++it) {
    arms.push_back(select + DayTableName(it->day) +
                   (it->plates_by_hour ? " r WHERE " + HourCondition(it->day, std::numeric_limits<int64_t>::min(),
                                                                      std::numeric_limits<int64_t>::max())
                                       : ""));
  }
  std::string body;
  for (size_t g = 0; g < arms.size(); g += kViewGroup) {
    std::string group;
    for (size_t i = g; i < arms.size() && i < g + kViewGroup; ++i) group += (i > g ? " UNION ALL " : "") + arms[i];
    if (arms.size() <= kViewGroup) {
      body = group;
    } else {
      body += (g ? " UNION ALL " : "") + select + "(" + group + ")";
    }
  }
  return driver.ExecScript("DROP VIEW IF EXISTS reads; CREATE VIEW reads AS " + body);
}

}  // namespace

std::string DayTableName(int64_t day) { return "reads_d" + std::to_string(day); }

std::optional<int64_t> DayOfTableName(std::string_view table) {
  constexpr std::string_view kPrefix = "reads_d";
  if (table.size() <= kPrefix.size() || table.size() > kPrefix.size() + 10 || table.substr(0, kPrefix.size()) != kPrefix) {
    return std::nullopt;
  }
  int64_t day = 0;
  for (char c : table.substr(kPrefix.size())) {
    if (c < '0' || c > '9') return std::nullopt;
    day = day * 10 + (c - '0');
  }
  if (DayTableName(day) != table) return std::nullopt;  // leading zeros
  return day;
}

std::string HourCondition(int64_t day, int64_t from_ms, int64_t to_ms) {
  std::string hours;
  const int64_t first = day * (kDayMs / kHourMs);
  for (int64_t h = first + 23; h >= first; --h) {
    if (h * kHourMs >= to_ms || (h + 1) * kHourMs <= from_ms) continue;
    hours += (hours.empty() ? "" : ", ") + std::to_string(h);
  }
  return hours.empty() ? "0" : "r.captured_ms / 3600000 IN (" + hours + ")";
}

std::string ReadTableOfId(int64_t id) {
  auto day = DayOfReadId(id);
  return day ? DayTableName(*day) : kLegacyReadsTable;
}

Status KeyEventsByCamera(SqlDriver& driver) {
  // One look at the schema finds the day tables still keyed by event id alone.
  CUSTODIAN_ASSIGN_OR_RETURN(auto rows, driver.Query("SELECT tbl_name FROM sqlite_master WHERE type = 'index' AND name "
                                                     "LIKE 'reads_d%_by_event' AND sql NOT LIKE '%camera_id%'",
                                                     {}));
  std::string ddl;
  for (const auto& r : rows) {
    const std::string t = AsString(r[0]);
    if (!DayOfTableName(t)) continue;  // only names DayTableName made
    // (event_id) unique implies (event_id, camera_id) unique: the new index always builds.
    ddl += "DROP INDEX " + t + "_by_event;\nCREATE UNIQUE INDEX " + t + "_by_event ON " + t +
           " (event_id, camera_id) WHERE event_id IS NOT NULL;\n";
  }
  if (ddl.empty()) return Status::Ok();
  return driver.ExecScript("BEGIN;\n" + ddl + "COMMIT;\n");
}

Result<std::vector<ReadDay>> ListReadDayTables(SqlDriver& driver) {
  CUSTODIAN_ASSIGN_OR_RETURN(
      auto rows, driver.Query("SELECT day, plates_by_hour FROM read_days WHERE dropped = 0 ORDER BY day DESC", {}));
  std::vector<ReadDay> days;
  days.reserve(rows.size());
  for (const auto& r : rows) days.push_back({AsInt(r[0]), AsInt(r[1]) != 0});
  return days;
}

Result<std::vector<int64_t>> ListReadDays(SqlDriver& driver) {
  CUSTODIAN_ASSIGN_OR_RETURN(std::vector<ReadDay> tables, ListReadDayTables(driver));
  std::vector<int64_t> days;
  days.reserve(tables.size());
  for (const ReadDay& t : tables) days.push_back(t.day);
  return days;
}

Result<std::set<int64_t>> ExistingReadDays(SqlDriver& driver, const std::set<int64_t>& days) {
  std::set<int64_t> out;
  for (int64_t day : days) {
    CUSTODIAN_ASSIGN_OR_RETURN(auto found, driver.Query("SELECT 1 FROM read_days WHERE day = ? AND dropped = 0", {day}));
    if (!found.empty()) out.insert(day);
  }
  return out;
}

Status EnsureDayTables(SqlDriver& driver, const std::set<int64_t>& days) {
  std::map<int64_t, bool> made;  // day -> whether read_days has its row (a day a purge dropped)
  for (int64_t day : days) {
    if (day < 0 || day >= (int64_t{1} << 31)) return Status::InvalidArgument("capture day ", day, " is out of range");
    CUSTODIAN_ASSIGN_OR_RETURN(auto found, driver.Query("SELECT dropped FROM read_days WHERE day = ?", {day}));
    if (found.empty() || AsInt(found[0][0]) != 0) made[day] = !found.empty();
  }
  if (made.empty()) return Status::Ok();
  // The newest of the new days opens when it is newer than every day there is; then every
  // other open day closes. A late upload's older day is made closed.
  CUSTODIAN_ASSIGN_OR_RETURN(auto newest, driver.Query("SELECT max(day) FROM read_days WHERE dropped = 0", {}));
  const int64_t open_day = made.rbegin()->first;
  const bool opens = IsNull(newest[0][0]) || open_day > AsInt(newest[0][0]);
  std::string ddl;
  if (opens) {
    CUSTODIAN_ASSIGN_OR_RETURN(auto open,
                               driver.Query("SELECT day FROM read_days WHERE plates_by_hour = 1 AND dropped = 0", {}));
    for (const auto& row : open) ddl += CloseDayDdl(AsInt(row[0]));
  }
  for (const auto& [day, has_row] : made) {
    const bool by_hour = opens && day == open_day;
    const std::string d = std::to_string(day), h = by_hour ? "1" : "0";
    ddl += DayTableDdl(day, by_hour) +
           (has_row ? "UPDATE read_days SET dropped = 0, plates_by_hour = " + h + " WHERE day = " + d + ";\n"
                    : "INSERT INTO read_days (day, last_id, dropped, plates_by_hour) VALUES (" + d + ", " +
                          std::to_string(FirstIdOfDay(day)) + ", 0, " + h + ");\n");
  }
  CUSTODIAN_RETURN_IF_ERROR(driver.ExecScript(ddl));
  return RebuildReadsView(driver);
}

Status DropDayTable(SqlDriver& driver, int64_t day) {
  CUSTODIAN_RETURN_IF_ERROR(driver.ExecScript("DROP TABLE " + DayTableName(day) +
                                              "; UPDATE read_days SET dropped = 1, plates_by_hour = 0 WHERE day = " +
                                              std::to_string(day)));
  return RebuildReadsView(driver);
}

Result<int64_t> LastReadId(SqlDriver& driver, int64_t day) {
  CUSTODIAN_ASSIGN_OR_RETURN(auto rows, driver.Query("SELECT last_id FROM read_days WHERE day = ?", {day}));
  if (rows.empty()) return Status::Internal("day ", day, " has no row in read_days");
  return AsInt(rows[0][0]);
}

Status SetLastReadId(SqlDriver& driver, int64_t day, int64_t id) {
  return driver.Query("UPDATE read_days SET last_id = ? WHERE day = ? AND last_id < ?", {id, day, id}).status();
}

Result<bool> LegacyReadsLeft(SqlDriver& driver) {
  CUSTODIAN_ASSIGN_OR_RETURN(auto rows, driver.Query("SELECT 1 FROM reads_legacy LIMIT 1", {}));
  return !rows.empty();
}

Status FillAlertReadsFromDayTables(SqlDriver& driver, std::vector<SqlRow>& rows) {
  if (rows.empty()) return Status::Ok();
  // One read transaction: the day list and the tables agree (another process may purge).
  CUSTODIAN_RETURN_IF_ERROR(driver.ExecScript("BEGIN"));
  Status filled = [&]() -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(std::vector<int64_t> list, ListReadDays(driver));
    const std::set<int64_t> days(list.begin(), list.end());
    for (SqlRow& r : rows) {
      const int64_t id = AsInt(r[2]);
      if (auto day = DayOfReadId(id); day && !days.count(*day)) continue;
      CUSTODIAN_ASSIGN_OR_RETURN(auto read, driver.Query("SELECT plate, region, camera_id FROM " + ReadTableOfId(id) +
                                                             " WHERE id = ? AND captured_ms = ?",
                                                         {id, r[3]}));
      if (read.empty()) continue;
      for (size_t k = 0; k < 3; ++k) r[4 + k] = read[0][k];
    }
    return Status::Ok();
  }();
  Status ended = driver.ExecScript(filled.ok() ? "COMMIT" : "ROLLBACK");
  return filled.ok() ? ended : filled;
}

}  // namespace custodian::store::internal
