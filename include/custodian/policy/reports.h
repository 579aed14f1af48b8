// Access reports, misuse flags and the weekly review of the access log (policy 4.A.1 and
// 5.C; CJIS: audit records reviewed at least weekly).
//
// Basic usage:
//   auto report = policy::AccessReport(gov, auditor, {.from = week_start, .to = now});
//   auto flags = policy::MisuseFlags(gov, auditor, week_start, now, {});
//   for (const auto& f : *flags) std::cout << policy::FlagKindName(f.kind) << " " << f.username << "\n";
//   auto id = policy::RecordLogReview(gov, auditor, week_start, now, "3 flags, all explained");
//   bool late = *policy::LastReviewOverdue(gov, auditor);
//
// Every reading of a report is itself logged (action "access_report", "misuse_flags", ...)
// and nothing is returned when that entry cannot be written; each refusal leaves a
// "denied" entry.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "custodian/core/clock.h"
#include "custodian/core/status.h"
#include "custodian/policy/access_log.h"
#include "custodian/policy/governance.h"
#include "custodian/policy/plate_data_actions.h"  // IsPlateDataAction: what reports and flags count
#include "custodian/store/database.h"

namespace custodian::policy {


// Every entry matching `filter` (all pages; filter.limit and after_seq are ignored).
Result<std::vector<LogEntry>> QueryAccessLogAll(store::Txn& txn, LogFilter filter);

// The plate named by an entry's terms ("plate"), normalised; "" when none.
std::string PlateOfTerms(const std::string& terms_json);

// Every plate an entry's terms name ("plate", "plates", "old_plate"), normalised, distinct,
// in order of appearance; empty when none.
std::vector<std::string> PlatesOfTerms(const std::string& terms_json);

struct AccessReportFilter {
  std::optional<TimePoint> from;  // inclusive
  std::optional<TimePoint> to;    // exclusive
  std::string username;           // "" for all
  std::string plate;              // entries whose terms name this plate, alone or among others ("" for all)
  std::string purpose;            // "" for all
  std::string case_number;        // "" for all
};

struct AccessCount {
  std::string key;  // the user name, plate, purpose or case number ("" when none given)
  int64_t entries = 0;
  int64_t allowed = 0;
  int64_t denied = 0;
  int64_t records = 0;  // records returned
};

// Plate-data entries matching the filter, counted four ways; each list sorted by key.
struct AccessReportResult {
  int64_t entries = 0;
  std::vector<AccessCount> by_user;
  std::vector<AccessCount> by_plate;
  std::vector<AccessCount> by_purpose;
  std::vector<AccessCount> by_case;
};

// Needs access_reports.
Result<AccessReportResult> AccessReport(Governance& gov, const Principal& by, const AccessReportFilter& filter);

enum class FlagKind {
  kNoCase,            // a plate-data entry without a (well-formed) case number
  kForbiddenPurpose,  // a plate-data entry stating a forbidden purpose
  kRepeatedPlate,     // one user, one plate, searched repeatedly (the stalking pattern)
  kBulkRecords,       // one search returned more than bulk_records records
  kBulkRate,          // more than searches_per_hour plate-data entries by a user in an hour
  kOffHours,          // plate data accessed outside working hours (local time)
  kTraining,          // plate data accessed (or tried) with training lapsed or missing
  kPartnerActivity,   // a partner agency's user accessed (or tried) plate data
  kDeniedBurst,       // many refusals for one user in a short time
};
// "no_case", "forbidden_purpose", "repeated_plate", "bulk_records", "bulk_rate",
// "off_hours", "training", "partner_activity", "denied_burst".
std::string_view FlagKindName(FlagKind kind);

struct MisuseOptions {
  // One user searching one plate at least this many times (allowed and denied entries)
  // in the window. Default: 3.
  int repeated_plate_searches = 3;
  // A single entry returning more than this many records. Default: 500.
  int64_t bulk_records = 500;
  // More than this many plate-data entries by one user within any hour. Default: 30.
  int searches_per_hour = 30;
  // Local time = store time (UTC) + utc_offset. Default: -8 hours (Pacific standard time).
  std::chrono::minutes utc_offset{-8 * 60};
  // Working hours, local: [work_day_start_hour, work_day_end_hour). Defaults: 6 and 22,
  // so 22:00-05:59 is off-hours.
  int work_day_start_hour = 6;
  int work_day_end_hour = 22;
  // At least this many denied entries for one user within denied_burst_window. Defaults:
  // 5 in 10 minutes.
  int denied_burst = 5;
  std::chrono::minutes denied_burst_window{10};
};

struct MisuseFlag {
  FlagKind kind = FlagKind::kNoCase;
  std::string username;
  std::string detail;          // a sentence for the reviewer
  std::vector<int64_t> seqs;   // the log entries behind the flag
};

// Flags over people's plate-data entries (IsPlateDataAction; not the system's webhook
// deliveries) in [from, to), ordered by kind then user name. Partner activity is any
// agency other than the caller's own. An action declared without a case number (hotlist
// alerts) is not flagged no_case. Needs access_reports.
Result<std::vector<MisuseFlag>> MisuseFlags(Governance& gov, const Principal& by, TimePoint from, TimePoint to,
                                            const MisuseOptions& options = {});

struct LogReview {
  int64_t id = 0;
  std::string reviewer;
  TimePoint at;
  TimePoint from, to;  // the period reviewed
  std::string notes;
};

// Records that `by` reviewed the log over [from, to) (from < to <= now; notes up to 4000
// characters). Needs record_log_review. Returns the review's id.
Result<int64_t> RecordLogReview(Governance& gov, const Principal& by, TimePoint from, TimePoint to,
                                const std::string& notes);

// Every review, newest first. Needs access_reports or record_log_review.
Result<std::vector<LogReview>> ListLogReviews(Governance& gov, const Principal& by);

// The weekly review (CJIS): true when no review was recorded within `within` of now.
// Default: 7 days. Needs access_reports or record_log_review.
Result<bool> LastReviewOverdue(Governance& gov, const Principal& by, std::chrono::days within = std::chrono::days(7));

}  // namespace custodian::policy
