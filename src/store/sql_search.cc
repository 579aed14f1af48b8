// Search: the statement for a query, paging, SQLite's search by day.
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

// The longest run of literal characters in a wildcard term, as [start, start + length).
std::pair<size_t, size_t> LongestLiteralRun(const std::string& term) {
  size_t best_start = 0, best_len = 0;
  for (size_t i = 0; i < term.size();) {
    if (term[i] == '*' || term[i] == '?') {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < term.size() && term[j] != '*' && term[j] != '?') ++j;
    if (j - i > best_len) {
      best_start = i;
      best_len = j - i;
    }
    i = j;
  }
  return {best_start, best_len};
}

}  // namespace

std::string SqliteEventLookupSql(size_t n) {
  return kSqliteEventLookupPrefix + InList(n) + kSqliteEventLookupSuffix;
}

namespace {

// The query's filters other than the plate (time range, cameras, area, data class, the
// cursor) as conditions on reads r: each through `add`, its parameters onto `params`.
Status AppendSearchFilters(const SearchQuery& q, const std::function<void(std::string)>& add,
                           std::vector<SqlValue>& params) {
  if (q.from) {
    add("r.captured_ms >= ?");
    params.push_back(ToUnixMillis(*q.from));
  }
  if (q.to) {
    add("r.captured_ms < ?");
    params.push_back(ToUnixMillis(*q.to));
  }
  if (!q.camera_ids.empty()) {
    if (q.camera_ids.size() > kMaxCameraFilter) {
      return Status::InvalidArgument(q.camera_ids.size(), " cameras in a filter; the limit is ", kMaxCameraFilter);
    }
    std::string in = "r.camera_id IN (";
    for (size_t i = 0; i < q.camera_ids.size(); ++i) {
      CUSTODIAN_RETURN_IF_ERROR(CheckText("camera id", q.camera_ids[i], kMaxIdLength, false));
      in += i ? ", ?" : "?";
      params.push_back(q.camera_ids[i]);
    }
    add(in + ")");
  }
  if (q.area) {
    const GeoBox& b = *q.area;
    CUSTODIAN_RETURN_IF_ERROR(CheckPoint("area corner", {b.min_lat, b.min_lon}));
    CUSTODIAN_RETURN_IF_ERROR(CheckPoint("area corner", {b.max_lat, b.max_lon}));
    if (b.min_lat > b.max_lat || b.min_lon > b.max_lon) return Status::InvalidArgument("area corners are swapped");
    add("r.lat >= ? AND r.lat <= ? AND r.lon >= ? AND r.lon <= ?");
    params.insert(params.end(), {b.min_lat, b.max_lat, b.min_lon, b.max_lon});
  }
  if (!q.scopes.empty()) {
    // Sharing: visible where one scope covers both the read's class and its camera.
    std::string any;
    size_t cameras = 0;
    for (const AccessScope& s : q.scopes) {
      std::string one = "+r.data_class = ?";
      params.push_back(int64_t(s.data_class == DataClass::kPublicSafety ? 0 : 1));
      if (!s.camera_ids.empty()) {
        one += " AND r.camera_id IN (";
        for (size_t i = 0; i < s.camera_ids.size(); ++i) {
          CUSTODIAN_RETURN_IF_ERROR(CheckText("camera id", s.camera_ids[i], kMaxIdLength, false));
          one += i ? ", ?" : "?";
          params.push_back(s.camera_ids[i]);
        }
        one += ")";
        cameras += s.camera_ids.size();
      }
      any += (any.empty() ? "(" : " OR (") + one + ")";
    }
    if (cameras > kMaxCameraFilter) {
      return Status::InvalidArgument(cameras, " cameras in the sharing scopes; the limit is ", kMaxCameraFilter);
    }
    add("(" + any + ")");
  }
  if (q.data_class) {
    // Beside a plate term or cameras, their index leads: "+" keeps SQLite from walking the
    // class's index in time order instead, filtering every read of the class by plate
    // (it chose that on an open day's table, whose plate order is by hour).
    add(q.match != PlateMatch::kAny || !q.camera_ids.empty() ? "+r.data_class = ?" : "r.data_class = ?");
    params.push_back(int64_t(*q.data_class == DataClass::kPublicSafety ? 0 : 1));
  }
  if (!q.cursor.empty()) {
    int64_t ms = 0, id = 0;
    CUSTODIAN_RETURN_IF_ERROR(DecodeCursor(q.cursor, &ms, &id));
    add("(r.captured_ms < ? OR (r.captured_ms = ? AND r.id < ?))");
    params.insert(params.end(), {ms, ms, id});
  }
  return Status::Ok();
}

// Cameras without a plate term: on SQLite each day table's camera index, led by the hour
// (day_tables.h), is sought hour by hour, so the statement names the day's hours.
bool SeeksCamerasByHour(const SearchQuery& q) { return q.match == PlateMatch::kAny && !q.camera_ids.empty(); }

// A day table sought hour by hour (its camera index; an open day's plate index): the hours
// of `day` that the query's time range overlaps (HourCondition), and the page's order with
// the hour first (the same order: the hour is the capture time's), so that SQLite walks the
// hours newest first and the index within each in order, and stops once the page is full.
std::string QueryHours(int64_t day, const SearchQuery& q) {
  return HourCondition(day, q.from ? ToUnixMillis(*q.from) : std::numeric_limits<int64_t>::min(),
                       q.to ? ToUnixMillis(*q.to) : std::numeric_limits<int64_t>::max());
}
const char* PageOrder(bool by_hour) {
  return by_hour ? " ORDER BY r.captured_ms / 3600000 DESC, r.captured_ms DESC, r.id DESC LIMIT ?"
                 : " ORDER BY r.captured_ms DESC, r.id DESC LIMIT ?";
}

}  // namespace

Result<SearchSql> BuildSearchSql(const SearchQuery& q, Dialect dialect, const std::vector<std::string>* plates,
                                 SearchSql* plate_source, const std::string& table, bool plates_by_hour) {
  if (q.limit < 1 || q.limit > kMaxPageSize) {
    return Status::InvalidArgument("page size ", q.limit, " is not in 1..", kMaxPageSize);
  }
  std::string where;
  std::vector<SqlValue> params;
  auto add = [&](std::string cond) {
    where += where.empty() ? " WHERE " : " AND ";
    where += cond;
  };
  // Where the term's candidate plates come from a query on plates or the trigrams, that
  // query (for plate_source) and the condition on reads it makes.
  SearchSql source;
  auto from_plates = [&](std::string source_sql, std::vector<SqlValue> source_params) {
    add("r.plate IN (" + source_sql + ")");
    params.insert(params.end(), source_params.begin(), source_params.end());
    source = {std::move(source_sql), std::move(source_params)};
  };
  switch (q.match) {
    case PlateMatch::kAny:
      if (!q.plate.empty()) return Status::InvalidArgument("a plate term needs a match kind other than kAny");
      break;
    case PlateMatch::kExact: {
      CUSTODIAN_ASSIGN_OR_RETURN(std::string term, NormaliseSearchTerm(q.plate, /*allow_wildcards=*/false));
      add("r.plate = ?");
      params.push_back(term);
      break;
    }
    case PlateMatch::kWildcard: {
      CUSTODIAN_ASSIGN_OR_RETURN(std::string term, NormaliseSearchTerm(q.plate, /*allow_wildcards=*/true));
      size_t first = term.find_first_of("*?");
      if (first == std::string::npos) {
        add("r.plate = ?");
        params.push_back(term);
        break;
      }
      if (term == "*") break;  // matches every plate
      // The index to narrow by, in order of selectivity: a known prefix of 3+ characters
      // (range on reads_by_plate), a known suffix of 3+ (PostgreSQL: range on
      // plates_by_rev, then the reads of those plates; SQLite: the trigrams, next), a
      // literal run of 3+ anywhere (the plates holding its trigrams, then their reads), a
      // shorter prefix or suffix (SQLite: a suffix by a scan of plates); with none, the
      // other filters bound the scan. The pattern itself then filters what the index yields.
      const size_t last = term.find_last_of("*?");
      const size_t prefix_len = first;
      const size_t suffix_len = term.size() - 1 - last;
      const auto [run_start, run_len] = LongestLiteralRun(term);
      std::string pattern = term;  // GLOB: only letters, digits, '*' and '?'
      if (dialect == Dialect::kPostgres) {  // LIKE: only letters, digits, '%' and '_'
        for (char& c : pattern) c = c == '*' ? '%' : c == '?' ? '_' : c;
      }
      const char* match_op = dialect == Dialect::kSqlite ? "GLOB" : "LIKE";
      auto prefix_range = [&] {
        std::string prefix = term.substr(0, prefix_len);
        add("r.plate >= ? AND r.plate < ?");
        params.push_back(prefix);
        params.push_back(PrefixEnd(prefix));
        source = {std::string("SELECT p.plate FROM plates p WHERE p.plate >= ? AND p.plate < ? AND p.plate ") +
                      match_op + " ?",
                  {prefix, PrefixEnd(prefix), pattern}};
      };
      auto suffix_range = [&] {
        std::string suffix_rev = Reversed(term.substr(last + 1));
        from_plates(std::string("SELECT p.plate FROM plates p WHERE p.plate_rev >= ? AND p.plate_rev < ? AND p.plate ") +
                        match_op + " ?",
                    {suffix_rev, PrefixEnd(suffix_rev), pattern});
      };
      const bool sqlite = dialect == Dialect::kSqlite;
      if (prefix_len >= 3) {
        prefix_range();
      } else if (suffix_len >= 3 && !sqlite) {
        suffix_range();
      } else if (run_len >= 3 && sqlite) {
        // FTS5 answers the GLOB from the trigrams of every literal run of 3+ (migration 10),
        // a known suffix of 3+ included (SQLite has no plates_by_rev since migration 12).
        from_plates("SELECT t.plate FROM plate_trigrams t WHERE t.plate GLOB ?", {pattern});
      } else if (run_len >= 3) {
        from_plates(std::string("SELECT g.plate FROM plate_grams g WHERE g.gram = ? AND g.plate ") + match_op + " ?",
                    {term.substr(run_start, 3), pattern});
      } else if (prefix_len > 0) {
        prefix_range();
      } else if (const size_t lead = term.find_first_not_of('?'); sqlite && lead >= 1 && lead <= 2 && term[lead] != '*') {
        // One or two unknown characters, then a literal ("?A?C?23"): the plates sought by
        // every prefix those characters can make (stored plates hold only 0-9 and A-Z,
        // NormalisePlate) followed by the literal, 36 or 1,296 ranges of `plates`, instead
        // of a scan of all (SQLite has no plates_by_rev for the suffix since migration 12).
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
        from_plates("SELECT p.plate FROM json_each(?) k CROSS JOIN plates p WHERE p.plate >= json_extract(k.value, "
                    "'$[0]') AND p.plate < json_extract(k.value, '$[1]') AND p.plate GLOB ?",
                    {ranges.dump(), pattern});
      } else if (suffix_len > 0 && sqlite) {
        // A suffix of 1 or 2, behind a '*' or three unknown characters, and no run of 3+:
        // the distinct plates scanned (migration 12).
        from_plates("SELECT p.plate FROM plates p WHERE p.plate GLOB ?", {pattern});
      } else if (suffix_len > 0) {
        suffix_range();
      }
      add(std::string("r.plate ") + match_op + " ?");
      params.push_back(pattern);
      break;
    }
    case PlateMatch::kFuzzy: {
      if (q.extra_edits < 0 || q.extra_edits > 1) return Status::InvalidArgument("extra_edits must be 0 or 1");
      CUSTODIAN_ASSIGN_OR_RETURN(std::string term, NormaliseSearchTerm(q.plate, /*allow_wildcards=*/false));
      std::string key = ConfusionKey(term);
      // The plates of the key (plates_by_confusion), then their reads.
      if (q.extra_edits == 0) {
        from_plates("SELECT p.plate FROM plates p WHERE p.confusion_key = ?", {key});
      } else {
        auto keys = ConfusionKeysWithinOneEdit(key);
        std::string in = "SELECT p.plate FROM plates p WHERE p.confusion_key IN (";
        std::vector<SqlValue> key_params;
        for (size_t i = 0; i < keys.size(); ++i) {
          in += i ? ", ?" : "?";
          key_params.push_back(keys[i]);
        }
        from_plates(in + ")", std::move(key_params));
      }
      break;
    }
  }
  const std::string plate_where = where;
  const size_t plate_params = params.size();
  CUSTODIAN_RETURN_IF_ERROR(AppendSearchFilters(q, add, params));
  // A day table's camera index is led by the hour, as is an open day's plate index: a
  // search by camera without a plate, or by plate on an open day, names the hours to seek
  // (no sort of a frequent plate's or camera's every read of the day).
  const std::optional<int64_t> day = DayOfTableName(table);
  const bool by_hour =
      day && plates == nullptr && (SeeksCamerasByHour(q) || (plates_by_hour && !plate_where.empty()));
  if (by_hour) add(QueryHours(*day, q));
  if (plate_source != nullptr) *plate_source = std::move(source);
  if (plates == nullptr) {
    std::string sql = std::string("SELECT ") + kReadColumns + " FROM " + table + " r" + where + PageOrder(by_hour);
    params.push_back(int64_t(q.limit) + 1);
    return SearchSql{std::move(sql), std::move(params)};
  }
  // One arm per candidate plate, each walking reads_by_plate newest first and stopping
  // after a page, merged: the cost follows plates x page, never the plates' read counts.
  // The arms yield only (time, id), which the index holds (without other filters no row
  // is read there), and the page's rows are fetched once the merge has chosen them: many
  // frequent plates cost a page of index entries each, not a page of rows each. The arms
  // are padded to a power of two with the empty plate (never stored), so few statement
  // shapes are cached.
  std::string filters = where.substr(plate_where.size());
  std::vector<SqlValue> filter_params(params.begin() + std::ptrdiff_t(plate_params), params.end());
  size_t arms = 1;
  while (arms < plates->size()) arms *= 2;
  std::string sql = std::string("SELECT ") + kReadColumns + " FROM " + table + " r WHERE r.id IN (SELECT u.id FROM (";
  std::vector<SqlValue> union_params;
  for (size_t i = 0; i < arms; ++i) {
    if (i) sql += " UNION ALL ";
    sql += "SELECT * FROM (SELECT r.captured_ms, r.id FROM " + table + " r WHERE r.plate = ?" + filters +
           " ORDER BY r.captured_ms DESC, r.id DESC LIMIT ?) a" + std::to_string(i);
    union_params.push_back(i < plates->size() ? (*plates)[i] : std::string());
    union_params.insert(union_params.end(), filter_params.begin(), filter_params.end());
    union_params.push_back(int64_t(q.limit) + 1);
  }
  sql += ") u ORDER BY u.captured_ms DESC, u.id DESC LIMIT ?) ORDER BY r.captured_ms DESC, r.id DESC";
  union_params.push_back(int64_t(q.limit) + 1);
  return SearchSql{std::move(sql), std::move(union_params)};
}

Result<SearchPage> SqlReadStore::Search(const SearchQuery& q) {
  SearchSql source;
  CUSTODIAN_ASSIGN_OR_RETURN(SearchSql query, BuildSearchSql(q, driver_->dialect(), nullptr, &source));
  return WithReader([&](SqlDriver& d) -> Result<SearchPage> { return SearchOn(d, q, std::move(query), source); });
}

Result<SearchPage> SqlReadStore::SearchOn(SqlDriver& d, const SearchQuery& q, SearchSql query, SearchSql source) {
  // SQLite: one read transaction, so that the list of day tables and the tables agree
  // (a purge may drop a day meanwhile).
  const bool snapshot = d.dialect() == Dialect::kSqlite;
  if (snapshot) CUSTODIAN_RETURN_IF_ERROR(d.ExecScript("BEGIN"));
  Result<std::vector<SqlRow>> found = SearchRows(d, q, std::move(query), source);
  if (snapshot) {
    Status ended = d.ExecScript(found.ok() ? "COMMIT" : "ROLLBACK");
    if (found.ok() && !ended.ok()) return ended;
  }
  if (!found.ok()) return found.status();
  const std::vector<SqlRow>& rows = *found;
  SearchPage page;
  for (size_t i = 0; i < rows.size() && int(i) < q.limit; ++i) page.reads.push_back(DecodeRead(rows[i]));
  if (int(rows.size()) > q.limit) {
    const StoredRead& last = page.reads.back();
    page.next_cursor = EncodeCursor(ToUnixMillis(last.captured_at), last.id);
  }
  return page;
}

Result<std::vector<SqlRow>> SqlReadStore::SearchRows(SqlDriver& d, const SearchQuery& q, SearchSql query,
                                                     const SearchSql& source) {
  std::optional<std::vector<std::string>> plates;
  if (!source.sql.empty()) {
    // Few candidate plates: one bounded walk per plate (see BuildSearchSql). Many: the
    // one statement, which sorts their reads.
    std::vector<SqlValue> params = source.params;
    params.push_back(int64_t(kMaxMergedPlates) + 1);
    CUSTODIAN_ASSIGN_OR_RETURN(auto plate_rows, d.Query(source.sql + " LIMIT ?", params));
    if (plate_rows.size() <= kMaxMergedPlates) {
      if (plate_rows.empty()) return std::vector<SqlRow>{};
      plates.emplace();
      plates->reserve(plate_rows.size());
      for (const auto& row : plate_rows) plates->push_back(AsString(row[0]));
    }
  }
  // SQLite: the day tables newest first, until a page is found. With more candidate plates
  // than kMaxMergedPlates, the one statement on the view of every day's table.
  if (d.dialect() == Dialect::kSqlite) {
    if (plates) return SearchDayTables(d, q, *plates);
    if (source.sql.empty()) return SearchByDay(d, q);
  }
  if (plates && d.dialect() != Dialect::kSqlite) {
    CUSTODIAN_ASSIGN_OR_RETURN(query, BuildSearchSql(q, d.dialect(), &*plates, nullptr));
  }
  return d.Query(query.sql, query.params);
}

namespace {

// The UTC day of a time in ms, rounding down before 1970 too.
// Times are clamped to +-2^62 ms first (a cursor or time range from a client may hold any
// 64-bit value; no read is outside 1970..2200).
int64_t FloorDay(int64_t ms) {
  constexpr int64_t kLimit = int64_t{1} << 62;
  ms = std::clamp(ms, -kLimit, kLimit);
  return ms >= 0 ? ms / kDayMs : -((-ms + kDayMs - 1) / kDayMs);
}

}  // namespace

namespace {

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

}  // namespace

// SQLite, a term without candidate plates (exact, a prefix range, none): the day tables
// newest first, the search as one statement on each (it walks that table's index newest
// first and stops after a page), until a page and one more are found: every read of a day
// is newer than every read of the days before it. While reads_legacy holds reads, its page
// is merged in. (Measured at 10M reads, exact p99 right after the bulk ingest: this 4.4-5.0
// ms, 4.0 with the walk ending at the plate's first day; one statement on the view of every
// table, which SQLite runs as a lazy merge but which
// reads a row from every day's table for any plate, 4.7; the same for (time, id) keys, then
// the rows by id, 5.1; windows of 2, 4, 8 ... tables a statement, 6.1. bench/RESULTS.md.)
Result<std::vector<SqlRow>> SqlReadStore::SearchByDay(SqlDriver& d, const SearchQuery& q) {
  int64_t first_day = 0, last_day = 0;
  CUSTODIAN_RETURN_IF_ERROR(SearchDayBounds(q, &first_day, &last_day));
  if (q.match == PlateMatch::kExact) {
    // A plate's reads are on its first day or later (plates.first_day; unknown for plates
    // indexed before migration 9), and a plate not in the dictionary has none.
    CUSTODIAN_ASSIGN_OR_RETURN(std::string term, NormaliseSearchTerm(q.plate, /*allow_wildcards=*/false));
    CUSTODIAN_ASSIGN_OR_RETURN(auto known, d.Query("SELECT first_day FROM plates WHERE plate = ?", {term}));
    if (known.empty()) return std::vector<SqlRow>{};
    if (!IsNull(known[0][0])) first_day = std::max(first_day, AsInt(known[0][0]));
  }
  // Where the statement names a day's hours (cameras; a plate on an open day), it is built
  // for that table.
  auto by_hours = [&](const std::string& table, bool plates_by_hour, size_t limit) -> Result<std::vector<SqlRow>> {
    CUSTODIAN_ASSIGN_OR_RETURN(SearchSql s, BuildSearchSql(q, Dialect::kSqlite, nullptr, nullptr, table, plates_by_hour));
    s.params.back() = int64_t(limit);
    return d.Query(s.sql, s.params);
  };
  if (SeeksCamerasByHour(q)) return WalkDayTables(d, first_day, last_day, size_t(q.limit) + 1, 3, 0, by_hours);
  // The statement once, its table name filled in per table; its last parameter is the LIMIT.
  CUSTODIAN_ASSIGN_OR_RETURN(SearchSql s, BuildSearchSql(q, Dialect::kSqlite, nullptr, nullptr, kLegacyReadsTable));
  const std::string from = std::string(" FROM ") + kLegacyReadsTable + " r";
  const size_t at = s.sql.find(from);
  if (at == std::string::npos || s.params.empty()) return Status::Internal("unexpected search statement shape");
  const std::string head = s.sql.substr(0, at) + " FROM ", tail = s.sql.substr(at + from.size() - 2);
  // kReadColumns: captured_ms is column 3, id column 0.
  return WalkDayTables(d, first_day, last_day, size_t(q.limit) + 1, 3, 0,
                       [&](const std::string& table, bool plates_by_hour, size_t limit) -> Result<std::vector<SqlRow>> {
                         if (plates_by_hour) return by_hours(table, plates_by_hour, limit);
                         s.params.back() = int64_t(limit);
                         return d.Query(head + table + tail, s.params);
                       });
}

// SQLite: the day tables newest first (those in [first_day, last_day]), each asked by `ask`
// for what the page still needs, until `want` rows are found: every read of a day is newer
// than every read of the days before it. While reads_legacy holds reads, it is asked for a
// whole page too and its rows merged in, newest first by (columns ms_col, id_col).
Result<std::vector<SqlRow>> SqlReadStore::WalkDayTables(SqlDriver& d, int64_t first_day, int64_t last_day, size_t want,
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

// SQLite, a term with candidate plates (from the plates dictionary): the day tables newest
// first (those the time range and cursor allow), in each the (time, id) of the newest reads
// of any of the plates that pass the other filters, from its plate index, until a page and
// one more are found: every read of a day is newer than every read of the days before it.
// (A day holds a 30th of a plate's reads or less, so sorting a day's keys stays small; a
// frequent plate fills the page from its first days.) While reads_legacy holds reads, its
// keys are merged in. Then the page's rows, fetched by id from their tables.
Result<std::vector<SqlRow>> SqlReadStore::SearchDayTables(SqlDriver& d, const SearchQuery& q,
                                                          const std::vector<std::string>& plates) {
  int64_t first_day = 0, last_day = 0;
  CUSTODIAN_RETURN_IF_ERROR(SearchDayBounds(q, &first_day, &last_day));
  std::string filters;
  std::vector<SqlValue> params;
  // The plates, padded to a power of two with the empty plate (never stored), so that few
  // statement shapes are cached.
  size_t n = 1;
  while (n < plates.size()) n *= 2;
  for (size_t i = 0; i < n; ++i) params.push_back(i < plates.size() ? plates[i] : std::string());
  CUSTODIAN_RETURN_IF_ERROR(AppendSearchFilters(q, [&](std::string cond) { filters += " AND " + cond; }, params));
  const size_t want = size_t(q.limit) + 1;
  params.push_back(int64_t(want));
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
                                         filters + (by_hour ? " AND " + QueryHours(*day, q) : "") + PageOrder(by_hour),
                                     params);
                    }));
  return FetchReadRows(d, keys);
}

// SQLite: the rows (kReadColumns) of `keys` ((captured_ms, id), in page order), in that
// order, each from its read's table (its day's, or reads_legacy): a statement per table.
Result<std::vector<SqlRow>> SqlReadStore::FetchReadRows(SqlDriver& d, const std::vector<SqlRow>& keys) {
  std::map<std::string, std::vector<SqlValue>> ids_by_table;
  for (const SqlRow& k : keys) ids_by_table[ReadTableOfId(AsInt(k[1]))].push_back(AsInt(k[1]));
  std::map<int64_t, SqlRow> by_id;
  for (auto& [table, ids] : ids_by_table) {
    // Padded to a power of two by repeating an id, so that few statement shapes are cached
    // per table (a prepare per call was most of an exact search's time).
    size_t n = 1;
    while (n < ids.size()) n *= 2;
    ids.resize(n, ids.front());
    CUSTODIAN_ASSIGN_OR_RETURN(
        auto rows, d.Query(std::string("SELECT ") + kReadColumns + " FROM " + table + " r WHERE r.id IN " + InList(n),
                           ids));
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

Result<bool> SqlReadStore::LegacyLeft(SqlDriver& d) {
  if (legacy_empty_.load()) return false;
  CUSTODIAN_ASSIGN_OR_RETURN(bool left, LegacyReadsLeft(d));
  if (!left) legacy_empty_.store(true);
  return left;
}

}  // namespace custodian::store::internal
