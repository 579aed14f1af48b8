// SQLite's ReadLayout (read_layout.h): day tables, the event id on the read's row, FTS5
// trigrams. The statements it builds are here for the plan tests (search_plan_test.cc).
// Internal.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "store/read_layout.h"

namespace custodian::store::internal {

// The statement SQLite's search runs on one table (`table`: a day's table, reads_legacy or
// the view `reads`), the query planned once (PlanSearch) with that table's hours named
// where its index is led by the hour: a camera without a plate term, or a plate term on an
// open day's table (`plates_by_hour`). With `plates`, one bounded walk per plate, merged.
// `plate_source`, when given, receives the plan's candidate plates statement.
Result<SearchSql> SqliteTableSearchSql(const SearchQuery& q, const std::vector<std::string>* plates,
                                       SearchSql* plate_source, const std::string& table = "reads",
                                       bool plates_by_hour = false);

// The reads stored before migration 9 (reads_legacy) of a batch's event ids of one capture
// day, sought in reads_by_event: an IN list of `n` event ids, the day's parameter last. No
// "event_id IS NOT NULL": the IN implies it for the partial index, and with it SQLite walks
// the day's stretch of the index as a range instead of seeking each id.
std::string SqliteEventLookupSql(size_t n);

}  // namespace custodian::store::internal
