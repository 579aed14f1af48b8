// SQLite's ReadLayout: a table per capture day (day_tables.h), the event id on the read's
// row, the plates' trigrams in FTS5, searches that walk the day tables newest first, purges
// that drop a day's table whole.
#include "store/sqlite/sqlite_layout.h"

#include <algorithm>
#include <atomic>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string_view>

#include "custodian/store/plate_key.h"
#include "store/sql_common.h"
#include "store/sql_search.h"
#include "store/sqlite/day_tables.h"

namespace custodian::store::internal {
namespace {

constexpr const char* kEventLookupPrefix = "SELECT event_id, camera_id, id FROM reads_legacy WHERE event_id IN ";
constexpr const char* kEventLookupSuffix = " AND captured_ms / 86400000 = ?";

// Cameras without a plate term: each day table's camera index, led by the hour
// (day_tables.h), is sought hour by hour, so the statement names the day's hours.
bool SeeksCamerasByHour(const SearchQuery& q) {
  return q.match == PlateMatch::kAny && !q.camera_ids.empty();
}

// A day table sought hour by hour (its camera index; an open day's plate index): the hours
// of `day` that the query's time range overlaps (HourCondition); the page is then ordered
// with the hour first (the same order: the hour is the capture time's), so that SQLite
// walks the hours newest first and the index within each in order, and stops once the
// page is full.
std::string QueryHours(int64_t day, const SearchQuery& q) {
  return HourCondition(day, q.from ? ToUnixMillis(*q.from) : std::numeric_limits<int64_t>::min(),
                       q.to ? ToUnixMillis(*q.to) : std::numeric_limits<int64_t>::max());
}

// The page's statement on `table` (see SqliteTableSearchSql).
SearchSql TableSearch(const SearchQuery& q, const SearchPlan& plan, const std::vector<std::string>* plates,
                      const std::string& table, bool plates_by_hour) {
  if (plates != nullptr) return plan.MergedPlates(table, *plates);
  const std::optional<int64_t> day = DayOfTableName(table);
  const bool by_hour = day && (SeeksCamerasByHour(q) || (plates_by_hour && !plan.plate_where.empty()));
  return by_hour ? plan.Page(table, QueryHours(*day, q), true) : plan.Page(table);
}

// The UTC day of a time in ms, rounding down before 1970 too.
// Times are clamped to +-2^62 ms first (a cursor or time range from a client may hold any
// 64-bit value; no read is outside 1970..2200).
int64_t FloorDay(int64_t ms) {
  constexpr int64_t kLimit = int64_t{1} << 62;
  ms = std::clamp(ms, -kLimit, kLimit);
  return ms >= 0 ? ms / kDayMs : -((-ms + kDayMs - 1) / kDayMs);
}

// The days a search can find reads on, from its time range and cursor: [first, last].
Status SearchDayBounds(const SearchQuery& q, int64_t* first_day, int64_t* last_day) {
  *first_day = std::numeric_limits<int64_t>::min();
  *last_day = std::numeric_limits<int64_t>::max();
  if (q.from) *first_day = FloorDay(ToUnixMillis(*q.from));
  if (q.to) *last_day = FloorDay(std::max(ToUnixMillis(*q.to), std::numeric_limits<int64_t>::min() + 1) - 1);
  if (!q.cursor.empty()) {
    int64_t ms = 0, id = 0;
    CUSTODIAN_RETURN_IF_ERROR(DecodeCursor(q.cursor, &ms, &id));
    *last_day = std::min(*last_day, FloorDay(ms));
  }
  return Status::Ok();
}

class SqliteReadWriter final : public ReadWriter {
 public:
  explicit SqliteReadWriter(SqlDriver& d) : d_(d) {}

  // The day's table, the id after the last one the day gave ((day + 1) * 2^32 + n); the
  // event id is on the row (reads_by_event).
  Result<int64_t> Insert(const std::vector<SqlValue>& values, int64_t captured_ms, const std::string&,
                         const std::string&) override {
    const int64_t day = DayOfMs(captured_ms);
    auto next = next_ids_.find(day);
    if (next == next_ids_.end()) {
      CUSTODIAN_ASSIGN_OR_RETURN(int64_t last, LastReadId(d_, day));
      next = next_ids_.emplace(day, last + 1).first;
    }
    const int64_t id = next->second++;
    row_.clear();
    row_.emplace_back(id);
    row_.insert(row_.end(), values.begin(), values.end());
    auto sql = insert_sql_.find(day);
    if (sql == insert_sql_.end()) {
      sql = insert_sql_
                .emplace(day, "INSERT INTO " + DayTableName(day) + " (id, " + kInsertColumns + ") VALUES " +
                                  InList(row_.size()))
                .first;
    }
    CUSTODIAN_RETURN_IF_ERROR(d_.Query(sql->second, row_).status());
    return id;
  }

  Status Finish() override {
    for (const auto& [day, next] : next_ids_) CUSTODIAN_RETURN_IF_ERROR(SetLastReadId(d_, day, next - 1));
    return Status::Ok();
  }

 private:
  SqlDriver& d_;
  std::map<int64_t, int64_t> next_ids_;        // day -> the next read id in its table
  std::map<int64_t, std::string> insert_sql_;  // day -> the INSERT into its table
  std::vector<SqlValue> row_;
};

class SqliteLayout final : public ReadLayout {
 public:
  Status AfterMigrate(SqlDriver& d) override { return KeyEventsByCamera(d); }
  bool OneWriterAtATime() const override { return true; }  // BEGIN IMMEDIATE

  // ---- Ingest ----
  // The day tables are made inside the ingest's transaction (FindStoredEvents): each comes
  // with a view rebuild and ids.
  Status EnsureReadPartitions(SqlDriver&, const std::vector<int64_t>&) override { return Status::Ok(); }
  // An event id is unique within its read's capture day and camera (reads_by_event,
  // migration 8; a retry is the same read, so the same capture time), which keeps that
  // index's writes and a purge's deletes in one stretch per day.
  int64_t EventScope(int64_t captured_ms) const override { return DayOfMs(captured_ms); }

  // Each capture day's table (made here when the batch brings its first read that is not a
  // retry) and its unique event ids; reads stored before migration 9 are in reads_legacy,
  // keyed by (day, event id).
  Result<KnownEvents> FindStoredEvents(SqlDriver& d, std::span<const ReadInput> batch) override {
    KnownEvents known;
    std::set<int64_t> days;
    std::map<int64_t, std::set<std::string>> by_day;
    for (const ReadInput& r : batch) {
      const int64_t day = DayOfMs(ToUnixMillis(r.captured_at));
      days.insert(day);
      if (!r.event_id.empty()) by_day[day].insert(r.event_id);
    }
    CUSTODIAN_ASSIGN_OR_RETURN(const std::set<int64_t> existing, ExistingReadDays(d, days));
    CUSTODIAN_ASSIGN_OR_RETURN(bool legacy, LegacyLeft(d));
    for (const auto& [day, ids] : by_day) {
      const std::vector<std::string> list(ids.begin(), ids.end());
      if (existing.count(day)) {
        CUSTODIAN_ASSIGN_OR_RETURN(
            auto rows,
            SelectIn(d, "SELECT event_id, camera_id, id FROM " + DayTableName(day) + " WHERE event_id IN ", "", list));
        for (const auto& row : rows) known[{day, AsString(row[0]), AsString(row[1])}] = AsInt(row[2]);
      }
      if (!legacy) continue;
      CUSTODIAN_ASSIGN_OR_RETURN(auto old_rows, SelectIn(d, kEventLookupPrefix, kEventLookupSuffix, list, {day}));
      for (const auto& row : old_rows) known[{day, AsString(row[0]), AsString(row[1])}] = AsInt(row[2]);
    }
    // Tables for the days of the reads that are not retries.
    std::set<int64_t> needed;
    for (const ReadInput& r : batch) {
      const int64_t day = DayOfMs(ToUnixMillis(r.captured_at));
      if (r.event_id.empty() || !known.count(EventKey(day, r.event_id, r.camera_id))) needed.insert(day);
    }
    for (int64_t day : existing) needed.erase(day);
    CUSTODIAN_RETURN_IF_ERROR(EnsureDayTables(d, needed));
    return known;
  }

  std::unique_ptr<ReadWriter> NewReadWriter(SqlDriver& d) override { return std::make_unique<SqliteReadWriter>(d); }

  // ---- Where reads live ----
  // Without the read's columns: a join with the view of all day tables would materialise
  // it; FillAlertReads adds them from each read's own table.
  const std::string& AlertSelectSql() const override {
    static const std::string sql = AlertSelect("NULL, NULL, NULL", "");
    return sql;
  }
  Status FillAlertReads(SqlDriver& d, std::vector<SqlRow>& rows) override {
    return FillAlertReadsFromDayTables(d, rows);
  }
  std::string ReadTableOfId(int64_t id) const override { return internal::ReadTableOfId(id); }

  // ---- The plate index ----
  // A plate's first day: a search by day starts there.
  std::optional<int64_t> PlateDayOf(int64_t captured_ms) const override { return DayOfMs(captured_ms); }

  Result<std::unordered_map<std::string, std::optional<int64_t>>> IndexedPlates(
      SqlDriver& d, const std::vector<std::string>& plates) override {
    std::unordered_map<std::string, std::optional<int64_t>> out;
    out.reserve(plates.size());
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows,
                               SelectIn(d, "SELECT plate, first_day FROM plates WHERE plate IN ", "", plates));
    for (const auto& row : rows) {
      out[AsString(row[0])] = IsNull(row[1]) ? std::nullopt : std::optional<int64_t>(AsInt(row[1]));
    }
    return out;
  }

  // The plate's trigrams are one row of plate_trigrams (FTS5, migration 10), at the rowid
  // after the last one given, named in plates.trigram_rowid for the purge. FTS5 writes what
  // it holds in memory as a new segment whenever a statement of the transaction opens a
  // savepoint (nearly every INSERT does), so a transaction adding many plates queues their
  // rows in `pending`, written by FlushPlateIndex in one statement: one segment per
  // transaction, not one per plate. Without `pending` the row is written at once.
  Status IndexPlate(SqlDriver& d, const std::string& plate, std::optional<int64_t> first_day,
                    PendingTrigrams* pending) override {
    if (pending == nullptr) {
      PendingTrigrams now;
      CUSTODIAN_RETURN_IF_ERROR(IndexPlate(d, plate, first_day, &now));
      return FlushPlateIndex(d, now);
    }
    const bool has_trigrams = plate.size() >= 3;
    if (has_trigrams && pending->next_rowid == 0) {
      CUSTODIAN_ASSIGN_OR_RETURN(auto last, d.Query("SELECT coalesce(max(id), 0) FROM plate_trigrams_content", {}));
      pending->next_rowid = AsInt(last[0][0]) + 1;
    }
    const SqlValue rowid = has_trigrams ? SqlValue(pending->next_rowid) : SqlValue();
    const SqlValue day = first_day ? SqlValue(*first_day) : SqlValue();
    CUSTODIAN_ASSIGN_OR_RETURN(
        auto added, d.Query("INSERT INTO plates (plate, plate_rev, confusion_key, first_day, trigram_rowid) VALUES "
                            "(?, ?, ?, ?, ?) ON CONFLICT (plate) DO NOTHING RETURNING plate",
                            {plate, Reversed(plate), ConfusionKey(plate), day, rowid}));
    if (added.empty()) return first_day ? LowerFirstDay(d, plate, *first_day) : Status::Ok();
    if (has_trigrams) pending->rows.emplace_back(pending->next_rowid++, plate);
    return Status::Ok();
  }

  Status FlushPlateIndex(SqlDriver& d, PendingTrigrams& pending) override {
    if (pending.rows.empty()) return Status::Ok();
    // One statement (one shape) for any number of rows: a JSON array of [rowid, plate].
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& [rowid, plate] : pending.rows) rows.push_back({rowid, plate});
    pending.rows.clear();
    return d
        .Query(
            "INSERT INTO plate_trigrams (rowid, plate) SELECT json_extract(value, '$[0]'), "
            "json_extract(value, '$[1]') FROM json_each(?)",
            {rows.dump()})
        .status();
  }

  Status LowerFirstDay(SqlDriver& d, const std::string& plate, int64_t day) override {
    return d.Query("UPDATE plates SET first_day = ? WHERE plate = ? AND first_day > ?", {day, plate, day}).status();
  }

  // The plates' plate_trigrams rows go by plates.trigram_rowid. FTS5 records a delete as a
  // marker in a newer segment, and until the segments are merged the older ones keep a
  // deleted plate's trigrams, from which the plate could be read back; `merge` merges them
  // whole (secure_delete zeroes the pages they free).
  Result<int64_t> UnindexUnusedPlates(SqlDriver& d, const std::vector<std::string>& plates, bool merge) override {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows,
                               SelectIn(d, "SELECT p.plate, p.trigram_rowid FROM plates p WHERE p.plate IN ",
                                        " AND NOT EXISTS (SELECT 1 FROM reads r WHERE r.plate = p.plate)", plates));
    std::set<std::string> dead;
    std::vector<SqlValue> trigram_rows;
    for (const auto& row : rows) {
      dead.insert(AsString(row[0]));
      if (!IsNull(row[1])) trigram_rows.push_back(row[1]);
    }
    if (dead.empty()) return int64_t{0};
    CUSTODIAN_RETURN_IF_ERROR(
        ForChunks(d, "DELETE FROM plates WHERE plate IN ", "", std::vector<SqlValue>(dead.begin(), dead.end()), {}));
    if (!trigram_rows.empty()) {
      CUSTODIAN_RETURN_IF_ERROR(ForChunks(d, "DELETE FROM plate_trigrams WHERE rowid IN ", "", trigram_rows, {}));
    }
    if (merge) {
      CUSTODIAN_RETURN_IF_ERROR(
          d.Query("INSERT INTO plate_trigrams (plate_trigrams) VALUES ('optimize')", {}).status());
    }
    return int64_t(dead.size());
  }

  // In order of selectivity: a known prefix of 3+ characters (a range on reads_by_plate); a
  // literal run of 3+ anywhere, a known suffix included (FTS5 answers the GLOB from the
  // trigrams of every literal run of 3+, migration 10; there is no plates_by_rev since
  // migration 12); a shorter prefix; one or two unknown characters then a literal (the
  // ranges of plates each prefix they can make starts); a suffix of 1 or 2 (a scan of the
  // distinct plates). With none, the other filters bound the scan. The GLOB pattern then
  // filters what the index yields.
  PlateTermSql WildcardSql(const std::string& term) const override {
    const size_t first = term.find_first_of("*?");
    const size_t last = term.find_last_of("*?");
    const size_t suffix_len = term.size() - 1 - last;
    const size_t run_len = LongestLiteralRun(term).second;
    const std::string& pattern = term;  // GLOB: letters, digits, '*' and '?'
    if (first >= 3) return PrefixRangeSql(term.substr(0, first), "GLOB", pattern);
    if (run_len >= 3) {
      return FromPlatesSql({"SELECT t.plate FROM plate_trigrams t WHERE t.plate GLOB ?", {pattern}}, "GLOB", pattern);
    }
    if (first > 0) return PrefixRangeSql(term.substr(0, first), "GLOB", pattern);
    if (const size_t lead = term.find_first_not_of('?'); lead >= 1 && lead <= 2 && term[lead] != '*') {
      // "?A?C?23": the plates sought by every prefix the unknown characters can make
      // (stored plates hold only 0-9 and A-Z, NormalisePlate) followed by the literal, 36
      // or 1,296 ranges of `plates`, instead of a scan of all.
      const std::string lit = term.substr(lead, term.find_first_of("*?", lead) - lead);  // npos: to the end
      static constexpr std::string_view kPlateAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
      std::vector<std::string> heads{""};
      for (size_t i = 0; i < lead; ++i) {
        std::vector<std::string> longer;
        for (const std::string& h : heads) {
          for (char c : kPlateAlphabet) longer.push_back(h + c);
        }
        heads = std::move(longer);
      }
      nlohmann::json ranges = nlohmann::json::array();
      for (const std::string& h : heads) ranges.push_back({h + lit, PrefixEnd(h + lit)});
      return FromPlatesSql({"SELECT p.plate FROM json_each(?) k CROSS JOIN plates p WHERE p.plate >= "
                            "json_extract(k.value, '$[0]') AND p.plate < json_extract(k.value, '$[1]') AND "
                            "p.plate GLOB ?",
                            {ranges.dump(), pattern}},
                           "GLOB", pattern);
    }
    if (suffix_len > 0) {
      return FromPlatesSql({"SELECT p.plate FROM plates p WHERE p.plate GLOB ?", {pattern}}, "GLOB", pattern);
    }
    return PatternOnlySql("GLOB", pattern);
  }

  // ---- Search ----
  Status InSnapshot(SqlDriver& d, const std::function<Status()>& fn) override {
    CUSTODIAN_RETURN_IF_ERROR(d.ExecScript("BEGIN"));
    Status st = fn();
    Status ended = d.ExecScript(st.ok() ? "COMMIT" : "ROLLBACK");
    return st.ok() ? ended : st;
  }

  // The day tables newest first, until a page is found; with more candidate plates than
  // kMaxMergedPlates, the one statement on the view of every day's table.
  Result<std::vector<SqlRow>> FindPage(SqlDriver& d, const SearchQuery& q, const SearchPlan& plan,
                                       const std::vector<std::string>* plates) override {
    if (plates != nullptr) return SearchDayTables(d, q, plan, *plates);
    if (plan.plate_source.sql.empty()) return SearchByDay(d, q, plan);
    const SearchSql s = plan.Page("reads");
    return d.Query(s.sql, s.params);
  }

  // ---- Purge ----
  Result<std::optional<DroppedDay>> DropExpiredDay(SqlDriver& d, int64_t every_ms) override {
    CUSTODIAN_ASSIGN_OR_RETURN(
        auto found, d.Query("SELECT d.day FROM read_days d WHERE d.dropped = 0 AND (d.day + 1) * 86400000 <= ? "
                            "AND NOT EXISTS "
                            "(SELECT 1 FROM held_reads hr JOIN holds h ON h.id = hr.hold_id WHERE "
                            "h.released_ms IS NULL AND hr.captured_ms >= d.day * 86400000 AND "
                            "hr.captured_ms < (d.day + 1) * 86400000) ORDER BY d.day LIMIT 1",
                            {every_ms}));
    if (found.empty()) return std::optional<DroppedDay>();
    const int64_t day = AsInt(found[0][0]);
    const std::string table = DayTableName(day);
    DroppedDay out;
    CUSTODIAN_ASSIGN_OR_RETURN(auto counts, d.Query("SELECT data_class, COUNT(*), MIN(captured_ms), "
                                                    "MAX(captured_ms) FROM " +
                                                        table + " GROUP BY data_class",
                                                    {}));
    for (const auto& c : counts) out.classes.push_back({AsInt(c[0]), AsInt(c[1]), AsInt(c[2]), AsInt(c[3])});
    CUSTODIAN_ASSIGN_OR_RETURN(auto plate_rows, d.Query("SELECT DISTINCT plate FROM " + table, {}));
    out.plates.reserve(plate_rows.size());
    for (const auto& row : plate_rows) out.plates.push_back(AsString(row[0]));
    CUSTODIAN_ASSIGN_OR_RETURN(auto image_rows, d.Query("SELECT crop_sha, frame_sha FROM " + table +
                                                            " WHERE crop_sha IS NOT NULL OR frame_sha IS NOT NULL",
                                                        {}));
    for (const auto& row : image_rows) {
      if (!IsNull(row[0])) ++out.image_refs[AsString(row[0])];
      if (!IsNull(row[1])) ++out.image_refs[AsString(row[1])];
    }
    const int64_t first_id = FirstIdOfDay(day), end_id = FirstIdOfDay(day + 1);
    CUSTODIAN_RETURN_IF_ERROR(
        d.Query("DELETE FROM alerts WHERE read_id > ? AND read_id < ?", {first_id, end_id}).status());
    // Only released holds' rows are left for the day's reads (an active one keeps the day).
    CUSTODIAN_RETURN_IF_ERROR(d.Query("DELETE FROM held_reads WHERE captured_ms >= ? AND captured_ms < ? AND "
                                      "read_id > ? AND read_id < ?",
                                      {day * kDayMs, (day + 1) * kDayMs, first_id, end_id})
                                  .status());
    CUSTODIAN_RETURN_IF_ERROR(DropDayTable(d, day));
    return std::optional<DroppedDay>(std::move(out));
  }

  bool DropsWholeDays() const override { return true; }
  Result<std::vector<std::string>> PurgeTables(SqlDriver& d, int64_t cutoff_ms) override {
    std::vector<std::string> tables;
    CUSTODIAN_ASSIGN_OR_RETURN(bool legacy, LegacyLeft(d));
    if (legacy) tables.emplace_back(kLegacyReadsTable);
    CUSTODIAN_ASSIGN_OR_RETURN(std::vector<int64_t> all_days, ListReadDays(d));
    for (auto it = all_days.rbegin(); it != all_days.rend() && *it * kDayMs < cutoff_ms; ++it) {
      tables.push_back(DayTableName(*it));
    }
    return tables;
  }

  // Each table's reads (their event ids go with the rows); day tables this emptied go (a
  // day whose reads went by batches: held ones released later, or a class with a shorter
  // period).
  Result<int64_t> DeleteReads(SqlDriver& d, const std::vector<PurgedRead>& reads) override {
    std::map<std::string, std::vector<SqlValue>> ids_by_table;
    for (const PurgedRead& r : reads) ids_by_table[internal::ReadTableOfId(r.id)].emplace_back(r.id);
    for (const auto& [table, ids] : ids_by_table) {
      CUSTODIAN_RETURN_IF_ERROR(ForChunks(d, "DELETE FROM " + table + " WHERE id IN ", "", ids, {}));
    }
    int64_t dropped = 0;
    for (const auto& [table, ids] : ids_by_table) {
      const std::optional<int64_t> day = DayOfReadId(AsInt(ids.front()));
      if (!day) continue;  // reads_legacy stays
      CUSTODIAN_ASSIGN_OR_RETURN(auto any, d.Query("SELECT 1 FROM " + table + " LIMIT 1", {}));
      if (!any.empty()) continue;
      CUSTODIAN_RETURN_IF_ERROR(DropDayTable(d, *day));
      ++dropped;
    }
    return dropped;
  }

  Result<int64_t> DropEmptyReadPartitions(SqlDriver&, const std::vector<int64_t>&) override { return int64_t{0}; }
  bool TidiesPlatesPerRun() const override { return true; }

 private:
  // Whether reads_legacy (reads stored before migration 9) still holds a read; once it is
  // empty it stays so (nothing is added to it), and is no longer asked.
  Result<bool> LegacyLeft(SqlDriver& d) {
    if (legacy_empty_.load()) return false;
    CUSTODIAN_ASSIGN_OR_RETURN(bool left, LegacyReadsLeft(d));
    if (!left) legacy_empty_.store(true);
    return left;
  }

  // `plates_by_hour`: the table is an open day's (day_tables.h).
  using DayTableAsk =
      std::function<Result<std::vector<SqlRow>>(const std::string& table, bool plates_by_hour, size_t limit)>;

  // A term without candidate plates (exact, a prefix range, none): the day tables newest
  // first, the search as one statement on each (it walks that table's index newest first
  // and stops after a page), until a page and one more are found: every read of a day is
  // newer than every read of the days before it. While reads_legacy holds reads, its page
  // is merged in. (Measured at 10M reads, exact p99 right after the bulk ingest: this
  // 4.4-5.0 ms, 4.0 with the walk ending at the plate's first day; one statement on the
  // view of every table, which SQLite runs as a lazy merge but which reads a row from every
  // day's table for any plate, 4.7; the same for (time, id) keys, then the rows by id, 5.1;
  // windows of 2, 4, 8 ... tables a statement, 6.1. bench/RESULTS.md.)
  Result<std::vector<SqlRow>> SearchByDay(SqlDriver& d, const SearchQuery& q, const SearchPlan& plan) {
    int64_t first_day = 0, last_day = 0;
    CUSTODIAN_RETURN_IF_ERROR(SearchDayBounds(q, &first_day, &last_day));
    if (q.match == PlateMatch::kExact) {
      // A plate's reads are on its first day or later (plates.first_day; unknown for plates
      // indexed before migration 9), and a plate not in the dictionary has none.
      CUSTODIAN_ASSIGN_OR_RETURN(auto known,
                                 d.Query("SELECT first_day FROM plates WHERE plate = ?", {plan.plate_params.front()}));
      if (known.empty()) return std::vector<SqlRow>{};
      if (!IsNull(known[0][0])) first_day = std::max(first_day, AsInt(known[0][0]));
    }
    // kReadColumns: captured_ms is column 3, id column 0.
    return WalkDayTables(
        d, first_day, last_day, size_t(q.limit) + 1, 3, 0,
        [&](const std::string& table, bool plates_by_hour, size_t limit) -> Result<std::vector<SqlRow>> {
          SearchSql s = TableSearch(q, plan, nullptr, table, plates_by_hour);
          s.params.back() = int64_t(limit);
          return d.Query(s.sql, s.params);
        });
  }

  // The day tables newest first (those in [first_day, last_day]), each asked by `ask` for
  // what the page still needs, until `want` rows are found: every read of a day is newer
  // than every read of the days before it. While reads_legacy holds reads, it is asked for
  // a whole page too and its rows merged in, newest first by (columns ms_col, id_col).
  Result<std::vector<SqlRow>> WalkDayTables(SqlDriver& d, int64_t first_day, int64_t last_day, size_t want,
                                            size_t ms_col, size_t id_col, const DayTableAsk& ask) {
    CUSTODIAN_ASSIGN_OR_RETURN(std::vector<ReadDay> days, ListReadDayTables(d));
    std::vector<SqlRow> rows;
    for (const ReadDay& day : days) {
      if (day.day > last_day) continue;
      if (day.day < first_day || rows.size() >= want) break;
      CUSTODIAN_ASSIGN_OR_RETURN(auto part, ask(DayTableName(day.day), day.plates_by_hour, want - rows.size()));
      for (auto& r : part) rows.push_back(std::move(r));
    }
    CUSTODIAN_ASSIGN_OR_RETURN(bool legacy, LegacyLeft(d));
    if (legacy) {
      CUSTODIAN_ASSIGN_OR_RETURN(auto part, ask(kLegacyReadsTable, false, want));
      for (auto& r : part) rows.push_back(std::move(r));
      std::stable_sort(rows.begin(), rows.end(), [&](const SqlRow& a, const SqlRow& b) {
        return std::pair(AsInt(a[ms_col]), AsInt(a[id_col])) > std::pair(AsInt(b[ms_col]), AsInt(b[id_col]));
      });
    }
    if (rows.size() > want) rows.resize(want);
    return rows;
  }

  // A term with candidate plates (from the plates dictionary): the day tables newest first
  // (those the time range and cursor allow), in each the (time, id) of the newest reads of
  // any of the plates that pass the other filters, from its plate index, until a page and
  // one more are found. (A day holds a 30th of a plate's reads or less, so sorting a day's
  // keys stays small; a frequent plate fills the page from its first days.) While
  // reads_legacy holds reads, its keys are merged in. Then the page's rows, fetched by id
  // from their tables.
  Result<std::vector<SqlRow>> SearchDayTables(SqlDriver& d, const SearchQuery& q, const SearchPlan& plan,
                                              const std::vector<std::string>& plates) {
    int64_t first_day = 0, last_day = 0;
    CUSTODIAN_RETURN_IF_ERROR(SearchDayBounds(q, &first_day, &last_day));
    std::vector<SqlValue> params;
    // The plates, padded to a power of two with the empty plate (never stored), so that few
    // statement shapes are cached.
    size_t n = 1;
    while (n < plates.size()) n *= 2;
    for (size_t i = 0; i < n; ++i) params.emplace_back(i < plates.size() ? plates[i] : std::string());
    params.insert(params.end(), plan.filter_params.begin(), plan.filter_params.end());
    const std::string filters = plan.filters.empty() ? "" : " AND " + plan.filters;
    const size_t want = size_t(q.limit) + 1;
    params.emplace_back(int64_t(want));
    // (captured_ms, id): columns 0 and 1.
    CUSTODIAN_ASSIGN_OR_RETURN(
        std::vector<SqlRow> keys,
        WalkDayTables(d, first_day, last_day, want, 0, 1,
                      [&](const std::string& table, bool plates_by_hour, size_t limit) -> Result<std::vector<SqlRow>> {
                        params.back() = int64_t(limit);
                        // An open day's plate index is sought hour by hour, newest first, each
                        // hour's keys sorted (day_tables.h).
                        const std::optional<int64_t> day = DayOfTableName(table);
                        const bool by_hour = plates_by_hour && day;
                        return d.Query("SELECT r.captured_ms, r.id FROM " + table + " r WHERE r.plate IN " + InList(n) +
                                           filters + (by_hour ? " AND " + QueryHours(*day, q) : "") +
                                           PageOrder(by_hour),
                                       params);
                      }));
    return FetchReadRows(d, keys);
  }

  // The rows (kReadColumns) of `keys` ((captured_ms, id), in page order), in that order,
  // each from its read's table (its day's, or reads_legacy): a statement per table.
  static Result<std::vector<SqlRow>> FetchReadRows(SqlDriver& d, const std::vector<SqlRow>& keys) {
    std::map<std::string, std::vector<SqlValue>> ids_by_table;
    for (const SqlRow& k : keys) ids_by_table[internal::ReadTableOfId(AsInt(k[1]))].emplace_back(AsInt(k[1]));
    std::map<int64_t, SqlRow> by_id;
    for (auto& [table, ids] : ids_by_table) {
      // Padded to a power of two by repeating an id, so that few statement shapes are
      // cached per table (a prepare per call was most of an exact search's time).
      size_t n = 1;
      while (n < ids.size()) n *= 2;
      ids.resize(n, ids.front());
      CUSTODIAN_ASSIGN_OR_RETURN(
          auto rows,
          d.Query(std::string("SELECT ") + kReadColumns + " FROM " + table + " r WHERE r.id IN " + InList(n), ids));
      for (auto& r : rows) {
        const int64_t id = AsInt(r[0]);
        by_id.emplace(id, std::move(r));
      }
    }
    std::vector<SqlRow> out;
    out.reserve(keys.size());
    for (const SqlRow& k : keys) {
      auto it = by_id.find(AsInt(k[1]));
      if (it != by_id.end()) out.push_back(std::move(it->second));
    }
    return out;
  }

  std::atomic<bool> legacy_empty_{false};
};

}  // namespace

std::unique_ptr<ReadLayout> NewSqliteLayout() {
  return std::make_unique<SqliteLayout>();
}

Result<SearchSql> SqliteTableSearchSql(const SearchQuery& q, const std::vector<std::string>* plates,
                                       SearchSql* plate_source, const std::string& table, bool plates_by_hour) {
  static const std::unique_ptr<ReadLayout> layout = NewSqliteLayout();
  CUSTODIAN_ASSIGN_OR_RETURN(SearchPlan plan, PlanSearch(q, *layout));
  if (plate_source != nullptr) *plate_source = plan.plate_source;
  return TableSearch(q, plan, plates, table, plates_by_hour);
}

std::string SqliteEventLookupSql(size_t n) {
  return kEventLookupPrefix + InList(n) + kEventLookupSuffix;
}

}  // namespace custodian::store::internal
