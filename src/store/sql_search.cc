// Search: a query turned into SQL once (PlanSearch), its candidate plates, the page. The
// layout (read_layout.h) names the tables and finds the page.
#include "store/sql_search.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "custodian/store/plate_key.h"
#include "store/sql_common.h"

namespace custodian::store::internal {

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

// The query's filters other than the plate (time range, cameras, area, data class, the
// cursor) as conditions on reads r: each through `add`, its parameters onto `params`.
Status AppendSearchFilters(const SearchQuery& q, const std::function<void(const std::string&)>& add,
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

const char* PageOrder(bool by_hour) {
  return by_hour ? " ORDER BY r.captured_ms / 3600000 DESC, r.captured_ms DESC, r.id DESC LIMIT ?"
                 : " ORDER BY r.captured_ms DESC, r.id DESC LIMIT ?";
}

Result<SearchPlan> PlanSearch(const SearchQuery& q, const ReadLayout& layout) {
  if (q.limit < 1 || q.limit > kMaxPageSize) {
    return Status::InvalidArgument("page size ", q.limit, " is not in 1..", kMaxPageSize);
  }
  SearchPlan plan;
  plan.limit = q.limit;
  auto add_plate = [&](const std::string& cond) {
    if (!plan.plate_where.empty()) plan.plate_where += " AND ";
    plan.plate_where += cond;
  };
  // The term's candidate plates from a statement on the plates dictionary, and the
  // condition on reads it makes.
  auto from_plates = [&](std::string source_sql, std::vector<SqlValue> source_params) {
    add_plate("r.plate IN (" + source_sql + ")");
    plan.plate_params.insert(plan.plate_params.end(), source_params.begin(), source_params.end());
    plan.plate_source = {std::move(source_sql), std::move(source_params)};
  };
  switch (q.match) {
    case PlateMatch::kAny:
      if (!q.plate.empty()) return Status::InvalidArgument("a plate term needs a match kind other than kAny");
      break;
    case PlateMatch::kExact: {
      CUSTODIAN_ASSIGN_OR_RETURN(std::string term, NormaliseSearchTerm(q.plate, /*allow_wildcards=*/false));
      add_plate("r.plate = ?");
      plan.plate_params.emplace_back(term);
      break;
    }
    case PlateMatch::kWildcard: {
      CUSTODIAN_ASSIGN_OR_RETURN(std::string term, NormaliseSearchTerm(q.plate, /*allow_wildcards=*/true));
      if (term.find_first_of("*?") == std::string::npos) {
        add_plate("r.plate = ?");
        plan.plate_params.emplace_back(term);
        break;
      }
      if (term == "*") break;  // matches every plate
      PlateTermSql narrowed = layout.WildcardSql(term);
      add_plate(narrowed.where);
      plan.plate_params = std::move(narrowed.params);
      plan.plate_source = std::move(narrowed.source);
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
        std::vector<SqlValue> key_params(keys.begin(), keys.end());
        from_plates("SELECT p.plate FROM plates p WHERE p.confusion_key IN " + InList(keys.size()),
                    std::move(key_params));
      }
      break;
    }
  }
  CUSTODIAN_RETURN_IF_ERROR(AppendSearchFilters(
      q,
      [&](const std::string& cond) {
        if (!plan.filters.empty()) plan.filters += " AND ";
        plan.filters += cond;
      },
      plan.filter_params));
  return plan;
}

SearchSql SearchPlan::Page(const std::string& table, const std::string& extra, bool by_hour) const {
  std::string where;
  for (const std::string* part : {&plate_where, &filters, &extra}) {
    if (part->empty()) continue;
    where += where.empty() ? " WHERE " : " AND ";
    where += *part;
  }
  SearchSql out{std::string("SELECT ") + kReadColumns + " FROM " + table + " r" + where + PageOrder(by_hour),
                plate_params};
  out.params.insert(out.params.end(), filter_params.begin(), filter_params.end());
  out.params.emplace_back(int64_t(limit) + 1);
  return out;
}

// One arm per candidate plate, each walking reads_by_plate newest first and stopping after a
// page, merged. The arms yield only (time, id), which the index holds (without other filters
// no row is read there), and the page's rows are fetched once the merge has chosen them:
// many frequent plates cost a page of index entries each, not a page of rows each. The arms
// are padded to a power of two with the empty plate (never stored), so few statement shapes
// are cached.
SearchSql SearchPlan::MergedPlates(const std::string& table, const std::vector<std::string>& plates) const {
  const std::string and_filters = filters.empty() ? "" : " AND " + filters;
  size_t arms = 1;
  while (arms < plates.size()) arms *= 2;
  SearchSql out{std::string("SELECT ") + kReadColumns + " FROM " + table + " r WHERE r.id IN (SELECT u.id FROM (", {}};
  const std::string arm = "SELECT * FROM (SELECT r.captured_ms, r.id FROM " + table + " r WHERE r.plate = ?" +
                          and_filters + " ORDER BY r.captured_ms DESC, r.id DESC LIMIT ?) a";
  for (size_t i = 0; i < arms; ++i) {
    if (i) out.sql += " UNION ALL ";
    out.sql += arm;
    out.sql += std::to_string(i);
    out.params.emplace_back(i < plates.size() ? plates[i] : std::string());
    out.params.insert(out.params.end(), filter_params.begin(), filter_params.end());
    out.params.emplace_back(int64_t(limit) + 1);
  }
  out.sql += ") u ORDER BY u.captured_ms DESC, u.id DESC LIMIT ?) ORDER BY r.captured_ms DESC, r.id DESC";
  out.params.emplace_back(int64_t(limit) + 1);
  return out;
}

PlateTermSql PrefixRangeSql(const std::string& prefix, const char* match_op, const std::string& pattern) {
  const std::string op = match_op;
  return {"r.plate >= ? AND r.plate < ? AND r.plate " + op + " ?",
          {prefix, PrefixEnd(prefix), pattern},
          {"SELECT p.plate FROM plates p WHERE p.plate >= ? AND p.plate < ? AND p.plate " + op + " ?",
           {prefix, PrefixEnd(prefix), pattern}}};
}

PlateTermSql FromPlatesSql(SearchSql source, const char* match_op, const std::string& pattern) {
  PlateTermSql out{"r.plate IN (" + source.sql + ") AND r.plate " + match_op + " ?", source.params, {}};
  out.params.emplace_back(pattern);
  out.source = std::move(source);
  return out;
}

PlateTermSql PatternOnlySql(const char* match_op, const std::string& pattern) {
  return {std::string("r.plate ") + match_op + " ?", {pattern}, {}};
}

Result<SearchPage> SqlReadStore::Search(const SearchQuery& q) {
  CUSTODIAN_ASSIGN_OR_RETURN(SearchPlan plan, PlanSearch(q, *layout_));
  return WithReader([&](SqlDriver& d) -> Result<SearchPage> {
    Result<std::vector<SqlRow>> found = std::vector<SqlRow>{};
    CUSTODIAN_RETURN_IF_ERROR(layout_->InSnapshot(d, [&]() -> Status {
      found = SearchRows(d, q, plan);
      return found.status();
    }));
    const std::vector<SqlRow>& rows = *found;
    SearchPage page;
    for (size_t i = 0; i < rows.size() && int(i) < q.limit; ++i) page.reads.push_back(DecodeRead(rows[i]));
    if (int(rows.size()) > q.limit) {
      const StoredRead& last = page.reads.back();
      page.next_cursor = EncodeCursor(ToUnixMillis(last.captured_at), last.id);
    }
    return page;
  });
}

Result<std::vector<SqlRow>> SqlReadStore::SearchRows(SqlDriver& d, const SearchQuery& q, const SearchPlan& plan) {
  if (plan.plate_source.sql.empty()) return layout_->FindPage(d, q, plan, nullptr);
  // Few candidate plates: one bounded walk per plate. Many: the one statement, which sorts
  // their reads.
  std::vector<SqlValue> params = plan.plate_source.params;
  params.emplace_back(int64_t(kMaxMergedPlates) + 1);
  CUSTODIAN_ASSIGN_OR_RETURN(auto plate_rows, d.Query(plan.plate_source.sql + " LIMIT ?", params));
  if (plate_rows.size() > kMaxMergedPlates) return layout_->FindPage(d, q, plan, nullptr);
  if (plate_rows.empty()) return std::vector<SqlRow>{};
  std::vector<std::string> plates;
  plates.reserve(plate_rows.size());
  for (const auto& row : plate_rows) plates.push_back(AsString(row[0]));
  return layout_->FindPage(d, q, plan, &plates);
}

}  // namespace custodian::store::internal
