// Access reports, misuse flags and log reviews (policy 4.A.1, 5.C).
#include "policy/policy_util.h"
#include "custodian/policy/reports.h"

#include <algorithm>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "custodian/store/plate_key.h"

namespace custodian::policy {

using json = nlohmann::json;

namespace {

using internal::Clip;

constexpr int64_t kMsPerHour = 3'600'000;
constexpr int64_t kMsPerDay = 24 * kMsPerHour;

// The op a reader of reviews needs: access_reports, else record_log_review.
std::string_view ReviewReadOp(Governance& gov, const Principal& by) {
  return gov.matrix().Allows(by.role, ops::kAccessReports) ? ops::kAccessReports : ops::kRecordLogReview;
}

std::vector<AccessCount> Sorted(std::map<std::string, AccessCount>& m) {
  std::vector<AccessCount> out;
  out.reserve(m.size());
  for (auto& [k, v] : m) out.push_back(std::move(v));
  return out;
}

}  // namespace

Result<std::vector<LogEntry>> QueryAccessLogAll(Txn& txn, LogFilter filter) {
  std::vector<LogEntry> out;
  filter.after_seq = 0;
  filter.limit = 1000;
  for (;;) {
    CUSTODIAN_ASSIGN_OR_RETURN(auto page, QueryAccessLog(txn, filter));
    if (page.empty()) break;
    filter.after_seq = page.back().seq;
    const bool last = page.size() < size_t(filter.limit);
    out.insert(out.end(), std::make_move_iterator(page.begin()), std::make_move_iterator(page.end()));
    if (last) break;
  }
  return out;
}

std::string PlateOfTerms(const std::string& terms_json) {
  json t = json::parse(terms_json, nullptr, false);
  if (!t.is_object() || !t.contains("plate") || !t["plate"].is_string()) return "";
  const std::string raw = t["plate"].get<std::string>();
  auto norm = store::NormaliseSearchTerm(raw, /*allow_wildcards=*/true);
  return norm.ok() ? *norm : raw;
}

std::vector<std::string> PlatesOfTerms(const std::string& terms_json) {
  std::vector<std::string> out;
  json t = json::parse(terms_json, nullptr, false);
  if (!t.is_object()) return out;
  auto add = [&](const json& v) {
    if (!v.is_string()) return;
    const std::string raw = v.get<std::string>();
    auto norm = store::NormaliseSearchTerm(raw, /*allow_wildcards=*/true);
    std::string p = norm.ok() ? *norm : raw;
    if (!p.empty() && std::find(out.begin(), out.end(), p) == out.end()) out.push_back(std::move(p));
  };
  if (t.contains("plate")) add(t["plate"]);
  if (t.contains("plates") && t["plates"].is_array()) {
    for (const auto& p : t["plates"]) add(p);
  }
  if (t.contains("old_plate")) add(t["old_plate"]);
  return out;
}

std::string_view FlagKindName(FlagKind kind) {
  switch (kind) {
    case FlagKind::kNoCase: return "no_case";
    case FlagKind::kForbiddenPurpose: return "forbidden_purpose";
    case FlagKind::kRepeatedPlate: return "repeated_plate";
    case FlagKind::kBulkRecords: return "bulk_records";
    case FlagKind::kBulkRate: return "bulk_rate";
    case FlagKind::kOffHours: return "off_hours";
    case FlagKind::kTraining: return "training";
    case FlagKind::kPartnerActivity: return "partner_activity";
    case FlagKind::kDeniedBurst: return "denied_burst";
  }
  return "unknown";
}

Result<AccessReportResult> AccessReport(Governance& gov, const Principal& by, const AccessReportFilter& filter) {
  LogEvent e = gov.Event(by, "access_report", kDenied);
  json t = json::object();
  if (filter.from) t["from_ms"] = ToUnixMillis(*filter.from);
  if (filter.to) t["to_ms"] = ToUnixMillis(*filter.to);
  if (!filter.username.empty()) t["username"] = Clip(filter.username, 64);
  if (!filter.plate.empty()) t["plate"] = Clip(filter.plate, 16);
  if (!filter.purpose.empty()) t["purpose"] = Clip(filter.purpose, 64);
  if (!filter.case_number.empty()) t["case_number"] = Clip(filter.case_number, 64);
  e.terms = t.dump();
  CUSTODIAN_RETURN_IF_ERROR(gov.Authorize(by, ops::kAccessReports, std::nullopt, e));
  std::string plate;
  if (!filter.plate.empty()) {
    auto norm = store::NormaliseSearchTerm(filter.plate, true);
    if (!norm.ok()) return LogOutcome(gov, by, e, Outcome::Refused(norm.status()));
    plate = *norm;
  }
  std::vector<LogEntry> entries;
  CUSTODIAN_RETURN_IF_ERROR(gov.store().Transact([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(
        entries, QueryAccessLogAll(txn, {.from = filter.from, .to = filter.to, .username = filter.username,
                                         .case_number = filter.case_number}));
    return Status::Ok();
  }));
  std::map<std::string, AccessCount> users, plates, purposes, cases;
  AccessReportResult out;
  for (const auto& en : entries) {
    if (!IsPlateDataAction(en.action)) continue;
    if (!filter.purpose.empty() && en.purpose != filter.purpose) continue;
    // An entry may name several plates (an alert listing, an evidence export): it counts
    // once per plate, and matches a plate filter when it names that plate.
    std::vector<std::string> named = PlatesOfTerms(en.terms);
    if (!plate.empty() && std::find(named.begin(), named.end(), plate) == named.end()) continue;
    if (named.empty()) named.push_back("");
    ++out.entries;
    auto count = [&](std::map<std::string, AccessCount>& m, const std::string& key) {
      AccessCount& c = m[key];
      c.key = key;
      ++c.entries;
      if (en.outcome == kAllowed) ++c.allowed;
      if (en.outcome == kDenied) ++c.denied;
      c.records += en.records;
    };
    count(users, en.username);
    for (const auto& p : named) count(plates, p);
    count(purposes, en.purpose);
    count(cases, en.case_number);
  }
  out.by_user = Sorted(users);
  out.by_plate = Sorted(plates);
  out.by_purpose = Sorted(purposes);
  out.by_case = Sorted(cases);
  CUSTODIAN_RETURN_IF_ERROR(LogOutcome(gov, by, e, Outcome::Released(out.entries)));
  return out;
}

Result<std::vector<MisuseFlag>> MisuseFlags(Governance& gov, const Principal& by, TimePoint from, TimePoint to,
                                            const MisuseOptions& options) {
  LogEvent e = gov.Event(by, "misuse_flags", kDenied);
  e.terms = json{{"from_ms", ToUnixMillis(from)}, {"to_ms", ToUnixMillis(to)}}.dump();
  CUSTODIAN_RETURN_IF_ERROR(gov.Authorize(by, ops::kAccessReports, std::nullopt, e));
  if (!(from < to)) {
    return LogOutcome(gov, by, e, Outcome::Refused(Status::InvalidArgument("the period must start before it ends")));
  }
  if (options.work_day_start_hour < 0 || options.work_day_start_hour > 24 || options.work_day_end_hour < 0 ||
      options.work_day_end_hour > 24 || options.repeated_plate_searches < 1 || options.searches_per_hour < 1 ||
      options.denied_burst < 1) {
    return LogOutcome(gov, by, e, Outcome::Refused(Status::InvalidArgument("misuse options out of range")));
  }
  std::vector<LogEntry> entries;
  // username -> latest training completion (ms), for users that exist.
  std::map<std::string, std::optional<int64_t>> training;
  CUSTODIAN_RETURN_IF_ERROR(gov.store().Transact([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(entries, QueryAccessLogAll(txn, {.from = from, .to = to}));
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows,
                               txn.Query("SELECT u.username, (SELECT MAX(t.completed_ms) FROM training_records t "
                                         "WHERE t.user_id = u.id) FROM users u",
                                         {}));
    for (const auto& r : rows) {
      training[AsString(r[0])] = IsNull(r[1]) ? std::nullopt : std::optional<int64_t>(AsInt(r[1]));
    }
    return Status::Ok();
  }));
  // People's plate-data entries: the system's webhook deliveries are decided by sharing
  // grants, not by a person (access and sharing reports show them).
  std::erase_if(entries, [](const LogEntry& en) {
    return !IsPlateDataAction(en.action) || (en.username == "system" && en.source == "system");
  });

  std::vector<MisuseFlag> flags;
  auto add = [&](FlagKind kind, const std::string& user, std::string detail, std::vector<int64_t> seqs) {
    flags.push_back({kind, user, std::move(detail), std::move(seqs)});
  };
  const int64_t offset_ms = int64_t(options.utc_offset.count()) * 60'000;
  const int64_t valid_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(gov.options().training_valid_for).count();
  const int64_t burst_ms = int64_t(options.denied_burst_window.count()) * 60'000;

  std::map<std::string, std::vector<int64_t>> no_case, forbidden, off_hours, untrained, partner, bulk_records;
  std::map<std::pair<std::string, std::string>, std::vector<int64_t>> per_plate;  // (user, plate)
  std::map<std::string, std::vector<const LogEntry*>> by_user, denied_by_user;
  for (const auto& en : entries) {
    const int64_t at = ToUnixMillis(en.at);
    by_user[en.username].push_back(&en);
    if (en.outcome == kDenied) denied_by_user[en.username].push_back(&en);
    // A case number as the purpose list wants it; a forbidden purpose is flagged apart.
    // Operations declared without one (hotlist alerts: the alerts are the reason) are not
    // flagged for its absence.
    const PlateDataAction* declared = PlateDataActionOf(en.action);
    const bool needs_case = declared == nullptr || declared->case_number;
    if (gov.purposes().Forbidden(en.purpose)) {
      forbidden[en.username].push_back(en.seq);
    } else if (needs_case &&
               (en.case_number.empty() ||
                gov.purposes()
                        .Check(gov.purposes().allowed().count(en.purpose) ? en.purpose : "criminal_investigation",
                               en.case_number)
                        .code() != StatusCode::kOk)) {
      no_case[en.username].push_back(en.seq);
    }
    if (en.action == actions::kSearchReads) {
      const std::string plate = PlateOfTerms(en.terms);
      if (!plate.empty()) per_plate[{en.username, plate}].push_back(en.seq);
    }
    if (en.records > options.bulk_records) bulk_records[en.username].push_back(en.seq);
    int64_t local = at + offset_ms;
    int64_t hour = ((local % kMsPerDay) + kMsPerDay) % kMsPerDay / kMsPerHour;
    const bool on_hours = options.work_day_start_hour <= options.work_day_end_hour
                              ? hour >= options.work_day_start_hour && hour < options.work_day_end_hour
                              : hour >= options.work_day_start_hour || hour < options.work_day_end_hour;
    if (!on_hours) off_hours[en.username].push_back(en.seq);
    auto tr = training.find(en.username);
    if (tr != training.end() && (!tr->second || *tr->second + valid_ms <= at)) untrained[en.username].push_back(en.seq);
    if (!en.agency_code.empty() && en.agency_code != by.agency_code) partner[en.username].push_back(en.seq);
  }
  for (auto& [user, seqs] : no_case) {
    add(FlagKind::kNoCase, user, std::to_string(seqs.size()) + " plate-data access(es) without a valid case number",
        seqs);
  }
  for (auto& [user, seqs] : forbidden) {
    add(FlagKind::kForbiddenPurpose, user, std::to_string(seqs.size()) + " access(es) stating a forbidden purpose",
        seqs);
  }
  for (auto& [key, seqs] : per_plate) {
    if (int64_t(seqs.size()) >= options.repeated_plate_searches) {
      add(FlagKind::kRepeatedPlate, key.first,
          "plate " + key.second + " searched " + std::to_string(seqs.size()) + " times", seqs);
    }
  }
  for (auto& [user, seqs] : bulk_records) {
    add(FlagKind::kBulkRecords, user,
        std::to_string(seqs.size()) + " search(es) returning more than " + std::to_string(options.bulk_records) +
            " records",
        seqs);
  }
  // More than searches_per_hour entries within any 60-minute span (sliding window).
  for (auto& [user, list] : by_user) {
    size_t lo = 0;
    std::set<int64_t> hit;
    for (size_t hi = 0; hi < list.size(); ++hi) {
      while (ToUnixMillis(list[hi]->at) - ToUnixMillis(list[lo]->at) >= kMsPerHour) ++lo;
      if (int64_t(hi - lo + 1) > options.searches_per_hour) {
        for (size_t i = lo; i <= hi; ++i) hit.insert(list[i]->seq);
      }
    }
    if (!hit.empty()) {
      add(FlagKind::kBulkRate, user,
          "more than " + std::to_string(options.searches_per_hour) + " plate-data accesses within an hour",
          std::vector<int64_t>(hit.begin(), hit.end()));
    }
  }
  for (auto& [user, seqs] : off_hours) {
    add(FlagKind::kOffHours, user, std::to_string(seqs.size()) + " access(es) outside working hours", seqs);
  }
  for (auto& [user, seqs] : untrained) {
    add(FlagKind::kTraining, user,
        std::to_string(seqs.size()) + " access(es) or attempt(s) with ALPR training lapsed or missing", seqs);
  }
  for (auto& [user, seqs] : partner) {
    add(FlagKind::kPartnerActivity, user, std::to_string(seqs.size()) + " access(es) by a partner-agency user", seqs);
  }
  for (auto& [user, list] : denied_by_user) {
    size_t lo = 0;
    std::set<int64_t> hit;
    for (size_t hi = 0; hi < list.size(); ++hi) {
      while (ToUnixMillis(list[hi]->at) - ToUnixMillis(list[lo]->at) > burst_ms) ++lo;
      if (int64_t(hi - lo + 1) >= options.denied_burst) {
        for (size_t i = lo; i <= hi; ++i) hit.insert(list[i]->seq);
      }
    }
    if (!hit.empty()) {
      add(FlagKind::kDeniedBurst, user,
          std::to_string(hit.size()) + " refusals in bursts of at least " + std::to_string(options.denied_burst) +
              " within " + std::to_string(options.denied_burst_window.count()) + " minutes",
          std::vector<int64_t>(hit.begin(), hit.end()));
    }
  }
  std::stable_sort(flags.begin(), flags.end(), [](const MisuseFlag& a, const MisuseFlag& b) {
    return a.kind != b.kind ? a.kind < b.kind : a.username < b.username;
  });
  CUSTODIAN_RETURN_IF_ERROR(LogOutcome(gov, by, e, Outcome::Released(int64_t(flags.size()))));
  return flags;
}

Result<int64_t> RecordLogReview(Governance& gov, const Principal& by, TimePoint from, TimePoint to,
                                const std::string& notes) {
  LogEvent e = gov.Event(by, "record_log_review", kDenied);
  e.terms = json{{"from_ms", ToUnixMillis(from)}, {"to_ms", ToUnixMillis(to)}}.dump();
  CUSTODIAN_RETURN_IF_ERROR(gov.Authorize(by, ops::kRecordLogReview, std::nullopt, e));
  const TimePoint now = gov.clock().Now();
  if (!(from < to) || to > now) {
    return LogOutcome(
        gov, by, e,
        Outcome::Refused(Status::InvalidArgument("the period reviewed must start before it ends, and not end "
                                                 "in the future")));
  }
  if (notes.size() > 4000) {
    return LogOutcome(gov, by, e,
                      Outcome::Refused(Status::InvalidArgument("review notes are at most 4000 characters")));
  }
  int64_t id = 0;
  e.Allow(1, "weekly access-log review recorded");
  CUSTODIAN_RETURN_IF_ERROR(gov.RecordWith(by, e, [&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(
        id, InsertReturningId(txn,
                              "INSERT INTO log_reviews (reviewer, at_ms, from_ms, to_ms, notes) "
                              "VALUES (?, ?, ?, ?, ?) RETURNING id",
                              {by.username, ToUnixMillis(now), ToUnixMillis(from), ToUnixMillis(to), notes}, "review"));
    return Status::Ok();
  }));
  return id;
}

Result<std::vector<LogReview>> ListLogReviews(Governance& gov, const Principal& by) {
  LogEvent e = gov.Event(by, "list_log_reviews", kDenied);
  CUSTODIAN_RETURN_IF_ERROR(gov.Authorize(by, ReviewReadOp(gov, by), std::nullopt, e));
  std::vector<LogReview> out;
  CUSTODIAN_RETURN_IF_ERROR(gov.store().Transact([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(
        auto rows, txn.Query("SELECT id, reviewer, at_ms, from_ms, to_ms, notes FROM log_reviews ORDER BY at_ms DESC, "
                             "id DESC",
                             {}));
    for (const auto& r : rows) {
      out.push_back({AsInt(r[0]), AsString(r[1]), FromUnixMillis(AsInt(r[2])), FromUnixMillis(AsInt(r[3])),
                     FromUnixMillis(AsInt(r[4])), AsString(r[5])});
    }
    return Status::Ok();
  }));
  CUSTODIAN_RETURN_IF_ERROR(LogOutcome(gov, by, e, Outcome::Released(int64_t(out.size()))));
  return out;
}

Result<bool> LastReviewOverdue(Governance& gov, const Principal& by, std::chrono::days within) {
  LogEvent e = gov.Event(by, "log_review_status", kDenied);
  CUSTODIAN_RETURN_IF_ERROR(gov.Authorize(by, ReviewReadOp(gov, by), std::nullopt, e));
  const int64_t since = ToUnixMillis(gov.clock().Now() - within);
  bool overdue = true;
  CUSTODIAN_RETURN_IF_ERROR(gov.store().Transact([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT COUNT(*) FROM log_reviews WHERE at_ms > ?", {since}));
    overdue = rows.empty() || AsInt(rows[0][0]) == 0;
    return Status::Ok();
  }));
  e.detail = overdue ? "weekly review overdue" : "weekly review current";
  CUSTODIAN_RETURN_IF_ERROR(LogOutcome(gov, by, e, Outcome::Released(0)));
  return overdue;
}

}  // namespace custodian::policy
