// The parts of a search that every layout shares: the plan (PlanSearch), its filters, the
// page's order, a plate prefix's range. Internal.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "custodian/store/read_store.h"
#include "store/read_layout.h"

namespace custodian::store::internal {

// The query turned into SQL once: kInvalidArgument for a malformed term, cursor, area,
// camera list or limit. `layout` narrows a wildcard term by its plate index.
Result<SearchPlan> PlanSearch(const SearchQuery& query, const ReadLayout& layout);

// The query's filters other than the plate (time range, cameras, area, data class, the
// cursor) as conditions on reads r: each through `add`, its parameters onto `params`.
Status AppendSearchFilters(const SearchQuery& q, const std::function<void(const std::string&)>& add,
                           std::vector<SqlValue>& params);

// " ORDER BY ... LIMIT ?", newest first; `by_hour`: the capture hour first (the same order),
// for an index led by the hour.
const char* PageOrder(bool by_hour);

// The longest run of literal characters in a wildcard term, as [start, start + length).
std::pair<size_t, size_t> LongestLiteralRun(const std::string& term);

// A wildcard term's conditions, the pattern (in `match_op`'s syntax) filtering last:
// - PrefixRangeSql: plates starting with `prefix`, a range of reads_by_plate (and, as its
//   candidate plates, the same range of plates);
// - FromPlatesSql: the plates `source` lists, then their reads;
// - PatternOnlySql: nothing to narrow by (the other filters bound the scan).
PlateTermSql PrefixRangeSql(const std::string& prefix, const char* match_op, const std::string& pattern);
PlateTermSql FromPlatesSql(SearchSql source, const char* match_op, const std::string& pattern);
PlateTermSql PatternOnlySql(const char* match_op, const std::string& pattern);

}  // namespace custodian::store::internal
