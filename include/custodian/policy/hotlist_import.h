// Hotlist files: parsing the formats agencies send, and importing them into the store.
// A malformed line is reported with its line number; the other lines are imported.
//
// Basic usage:
//   auto parsed = policy::ParseHotlistCsv(file_text);
//   for (const auto& e : parsed.errors) std::cerr << "line " << e.line << ": " << e.message << "\n";
//   auto result = policy::ImportHotlist(*store, "ca-svs", parsed.entries, std::chrono::hours(72));
//
// CSV (RFC 4180 quoting, "" for a quote inside a quoted field), one entry per line:
//   plate,state,reason,expires
// Fields are ASCII text. A first line whose first field is "plate" is a header and skipped. state, reason and
// expires may be empty; expires is YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC). Blank lines
// are skipped.
//
// California DOJ SVS fixed-column lines; the columns used (0-based, end exclusive):
//   [0, 8)   plate, left-aligned, padded with spaces
//   [8, 10)  state, two letters (e.g. "CA"); blank for unknown
// Columns from 10 on (record type, dates, agency codes) are not used. The reason is
// "CA DOJ SVS"; entries carry no expiry (the next import replaces the list's view).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "custodian/core/status.h"
#include "custodian/store/read_store.h"

namespace custodian::policy {

// Lines longer than this are malformed.
inline constexpr size_t kMaxHotlistLineLength = 4'096;

struct HotlistLineError {
  int64_t line = 0;  // 1-based
  std::string message;
};

struct ParsedHotlist {
  std::vector<store::HotlistEntryInput> entries;
  std::vector<int64_t> entry_lines;  // the line each entry came from
  std::vector<HotlistLineError> errors;
};

// Never fails as a whole: each bad line becomes an error, each good one an entry. An
// entry is good when the store would accept it (same plate, state and reason limits).
ParsedHotlist ParseHotlistCsv(std::string_view text);
ParsedHotlist ParseHotlistSvs(std::string_view text);

// Imports `entries` into the list named `list` in batches of store::kMaxHotlistBatch
// (each atomic), matching them against reads of the last `retro_window`.
Result<store::HotlistImportResult> ImportHotlist(store::ReadStore& store, const std::string& list,
                                                 const std::vector<store::HotlistEntryInput>& entries,
                                                 std::chrono::milliseconds retro_window);

// Alerts neither confirmed nor dismissed that were raised more than `max_age` before
// clock.Now(), oldest first (policy 4.A.3: alerts are reviewed and acted on).
Result<std::vector<store::Alert>> UnreviewedAlertsOlderThan(store::ReadStore& store, const Clock& clock,
                                                            std::chrono::milliseconds max_age);

}  // namespace custodian::policy
