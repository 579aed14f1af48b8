// Breach incidents and their notices (policy 6).
#include "policy/policy_util.h"
#include "custodian/policy/breach_incidents.h"

#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "custodian/policy/plate_data_actions.h"
#include "custodian/policy/reports.h"

namespace custodian::policy {

using json = nlohmann::json;

namespace {

json OptMs(const std::optional<TimePoint>& t) { return t ? json(ToUnixMillis(*t)) : json(); }
std::optional<TimePoint> MsOpt(const json& j) {
  return j.is_number_integer() ? std::optional(FromUnixMillis(j.get<int64_t>())) : std::nullopt;
}

json ToJson(const BreachIncident& b) {
  json j = {{"title", b.title},
            {"agency_name", b.agency_name},
            {"contact_name", b.contact_name},
            {"contact_phone", b.contact_phone},
            {"contact_email", b.contact_email},
            {"contact_address", b.contact_address},
            {"what_happened", b.what_happened},
            {"information_involved", b.information_involved},
            {"what_we_are_doing", b.what_we_are_doing},
            {"what_you_can_do", b.what_you_can_do},
            {"breach_date_ms", OptMs(b.breach_date)},
            {"estimated_date_ms", OptMs(b.estimated_date)},
            {"delayed_for_law_enforcement", b.delayed_for_law_enforcement},
            {"notice_date_ms", ToUnixMillis(b.notice_date) == 0 ? json() : json(ToUnixMillis(b.notice_date))}};
  j["date_range_ms"] = b.date_range ? json::array({ToUnixMillis(b.date_range->first), ToUnixMillis(b.date_range->second)})
                                    : json();
  return j;
}

Result<BreachIncident> FromJson(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return Status::Internal("a breach incident record is malformed");
  BreachIncident b;
  auto str = [&](const char* k) { return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string(); };
  b.title = str("title");
  b.agency_name = str("agency_name");
  b.contact_name = str("contact_name");
  b.contact_phone = str("contact_phone");
  b.contact_email = str("contact_email");
  b.contact_address = str("contact_address");
  b.what_happened = str("what_happened");
  if (j.contains("information_involved") && j["information_involved"].is_array()) {
    for (const auto& s : j["information_involved"]) {
      if (s.is_string()) b.information_involved.push_back(s.get<std::string>());
    }
  }
  b.what_we_are_doing = str("what_we_are_doing");
  b.what_you_can_do = str("what_you_can_do");
  b.breach_date = MsOpt(j.value("breach_date_ms", json()));
  b.estimated_date = MsOpt(j.value("estimated_date_ms", json()));
  json r = j.value("date_range_ms", json());
  if (r.is_array() && r.size() == 2 && r[0].is_number_integer() && r[1].is_number_integer()) {
    b.date_range = std::pair(FromUnixMillis(r[0].get<int64_t>()), FromUnixMillis(r[1].get<int64_t>()));
  }
  b.delayed_for_law_enforcement = j.value("delayed_for_law_enforcement", false);
  if (auto nd = MsOpt(j.value("notice_date_ms", json()))) b.notice_date = *nd;
  return b;
}

}  // namespace

Result<int64_t> RecordIncident(Governance& gov, const Principal& by, const BreachIncident& incident) {
  LogEvent e = gov.Event(by, "record_breach_incident", kDenied);
  e.terms = json{{"agency_name", incident.agency_name.substr(0, 128)}}.dump();
  CUSTODIAN_RETURN_IF_ERROR(gov.Authorize(by, ops::kBreachNotices, std::nullopt, e));
  BreachIncident facts = incident;
  facts.account.clear();
  facts.account_window.reset();
  facts.touched.clear();
  BreachIncident check = facts;
  if (ToUnixMillis(check.notice_date) == 0) check.notice_date = gov.clock().Now();
  if (auto r = RenderBreachNoticeText(check); !r.ok()) return LogOutcome(gov, by, e, Outcome::Refused(r.status()));
  const std::string record = ToJson(facts).dump();
  int64_t id = 0;
  e.Allow(1, "breach incident recorded");
  CUSTODIAN_RETURN_IF_ERROR(gov.RecordWith(by, e, [&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(id,
                               InsertReturningId(txn,
                                                 "INSERT INTO breach_incidents (created_by, created_ms, record) "
                                                 "VALUES (?, ?, ?) RETURNING id",
                                                 {by.username, ToUnixMillis(gov.clock().Now()), record}, "incident"));
    return Status::Ok();
  }));
  return id;
}

namespace {

// The reads an account touched, gathered entry by entry; each read once.
class Touched {
 public:
  explicit Touched(Txn& txn) : txn_(txn) {}

  // Read `id`, accessed at `at`; `plate` names it when the read is gone (purged).
  Status Read(int64_t id, const std::string& plate, TimePoint at) {
    if (id == 0 || seen_.count(id)) return Status::Ok();
    CUSTODIAN_ASSIGN_OR_RETURN(auto rd, txn_.Query("SELECT captured_ms, camera_id, plate FROM reads WHERE id = ?", {id}));
    TouchedRead r{.read_id = id, .plate = plate, .accessed_at = at};
    if (!rd.empty()) {
      r.captured_at = FromUnixMillis(AsInt(rd[0][0]));
      r.camera_id = AsString(rd[0][1]);
      if (r.plate.empty()) r.plate = AsString(rd[0][2]);
    } else if (plate.empty()) {
      return Status::Ok();  // gone, and nothing names it
    }
    seen_.insert(id);
    out_.push_back(std::move(r));
    return Status::Ok();
  }
  // The reads a query of one id column answers (held reads, an audit's sample, alerts').
  Status ReadsOf(const std::string& sql, int64_t key, TimePoint at) {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn_.Query(sql, {key}));
    for (const auto& r : rows) CUSTODIAN_RETURN_IF_ERROR(Read(AsInt(r[0]), "", at));
    return Status::Ok();
  }
  // A search term that matched no stored read (or not exactly): the term itself.
  void Term(const std::string& plate, TimePoint at) { out_.push_back({0, plate, at, "", at}); }
  Txn& txn() { return txn_; }
  std::vector<TouchedRead> Take() { return std::move(out_); }

 private:
  Txn& txn_;
  std::set<int64_t> seen_;
  std::vector<TouchedRead> out_;
};

std::vector<int64_t> Ids(const json& t, const char* key) {
  std::vector<int64_t> out;
  if (t.contains(key) && t[key].is_array()) {
    for (const auto& v : t[key]) {
      if (v.is_number_integer()) out.push_back(v.get<int64_t>());
    }
  }
  return out;
}

int64_t Id(const json& t, const char* key) {
  return t.contains(key) && t[key].is_number_integer() ? t[key].get<int64_t>() : 0;
}

// A search's reads: for an exact search, the reads of the plate it could return (its
// filters, the classes `classes`, captured before it ran); else the search term itself.
Status SearchReads(Touched& touched, const LogEntry& en, const json& t, const std::vector<store::DataClass>& classes) {
  const std::string plate = PlateOfTerms(en.terms);
  if (plate.empty() || en.records == 0) return Status::Ok();
  if (t.value("match", std::string()) == "exact" && !classes.empty()) {
    std::string sql = "SELECT id FROM reads WHERE plate = ?";
    std::vector<store::SqlValue> params = {plate};
    if (t.contains("from_ms") && t["from_ms"].is_number_integer()) {
      sql += " AND captured_ms >= ?";
      params.push_back(t["from_ms"].get<int64_t>());
    }
    if (t.contains("to_ms") && t["to_ms"].is_number_integer()) {
      sql += " AND captured_ms < ?";
      params.push_back(t["to_ms"].get<int64_t>());
    }
    if (t.contains("cameras") && t["cameras"].is_array() && !t["cameras"].empty()) {
      sql += " AND camera_id IN (";
      for (size_t i = 0; i < t["cameras"].size(); ++i) {
        sql += i ? ", ?" : "?";
        params.push_back(t["cameras"][i].is_string() ? t["cameras"][i].get<std::string>() : std::string());
      }
      sql += ")";
    }
    std::string cls_sql;
    for (auto c : classes) {
      cls_sql += cls_sql.empty() ? "?" : ", ?";
      params.push_back(int64_t(c == store::DataClass::kPublicSafety ? 0 : 1));
    }
    sql += " AND data_class IN (" + cls_sql + ") AND captured_ms <= ? ORDER BY id";
    params.push_back(ToUnixMillis(en.at));
    CUSTODIAN_ASSIGN_OR_RETURN(auto rd, touched.txn().Query(sql, params));
    for (const auto& r : rd) CUSTODIAN_RETURN_IF_ERROR(touched.Read(AsInt(r[0]), plate, en.at));
    if (!rd.empty()) return Status::Ok();
  }
  touched.Term(plate, en.at);
  return Status::Ok();
}

// What entry `en` (of a declared plate-data action) released, by what its terms name.
Status Gather(Touched& touched, const LogEntry& en, const PlateDataAction& action,
              const std::vector<store::DataClass>& classes) {
  json t = json::parse(en.terms, nullptr, false);
  if (!t.is_object()) return Status::Ok();
  auto reads = [&]() -> Status {
    const std::string plate = t.contains("plate") && t["plate"].is_string() ? t["plate"].get<std::string>()
                              : t.contains("old_plate") && t["old_plate"].is_string() ? t["old_plate"].get<std::string>()
                                                                                       : std::string();
    CUSTODIAN_RETURN_IF_ERROR(touched.Read(Id(t, "read_id"), plate, en.at));
    for (int64_t id : Ids(t, "read_ids")) CUSTODIAN_RETURN_IF_ERROR(touched.Read(id, "", en.at));
    return Status::Ok();
  };
  switch (action.released) {
    case ReleaseKind::kSearch:
      return SearchReads(touched, en, t, classes);
    case ReleaseKind::kReads:
      return reads();
    case ReleaseKind::kAlerts:
      for (int64_t id : Ids(t, "alert_ids")) {
        CUSTODIAN_RETURN_IF_ERROR(touched.ReadsOf("SELECT read_id FROM alerts WHERE id = ?", id, en.at));
      }
      return Status::Ok();
    case ReleaseKind::kHold:
      CUSTODIAN_RETURN_IF_ERROR(reads());
      if (int64_t hold = Id(t, "hold"); hold != 0) {
        return touched.ReadsOf("SELECT read_id FROM held_reads WHERE hold_id = ? ORDER BY read_id", hold, en.at);
      }
      return Status::Ok();
    case ReleaseKind::kAudit:
      return touched.ReadsOf("SELECT read_id FROM accuracy_audit_items WHERE audit_id = ? ORDER BY read_id",
                             Id(t, "audit_id"), en.at);
    case ReleaseKind::kRequest:
      return Status::Ok();  // its searches are search_reads entries of their own
  }
  return Status::Ok();
}

}  // namespace

std::string IncidentCaseNumber(int64_t incident_id) { return "BI-" + std::to_string(incident_id); }

Result<BreachNotice> ProduceNotice(Governance& gov, const Principal& by, int64_t incident_id,
                                   const std::string& account, std::pair<TimePoint, TimePoint> window) {
  // Plate data (the reads and plates the account touched): gated and logged like a search,
  // under purpose breach_notice with the incident as its case.
  const AccessPurpose why{std::string(kBreachNoticePurpose), IncidentCaseNumber(incident_id)};
  LogEvent e = gov.Event(by, actions::kProduceBreachNotice, kDenied);
  json terms = {{"incident_id", incident_id},
                {"account", account.substr(0, 64)},
                {"from_ms", ToUnixMillis(window.first)},
                {"to_ms", ToUnixMillis(window.second)}};
  e.terms = terms.dump();
  e.purpose = why.purpose;
  e.case_number = why.case_number;
  CUSTODIAN_RETURN_IF_ERROR(gov.AuthorizePlateData(by, ops::kBreachNotices, why, std::nullopt, e.terms));
  if (account.empty()) {
    return LogOutcome(gov, by, e, Outcome::Refused(Status::InvalidArgument("the notice names the account")));
  }
  if (window.second < window.first) {
    return LogOutcome(gov, by, e, Outcome::Refused(Status::InvalidArgument("the window runs backwards")));
  }
  std::string record;
  std::vector<TouchedRead> touched;
  Status st = gov.store().Transact([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT record FROM breach_incidents WHERE id = ?", {incident_id}));
    if (rows.empty()) return Status::NotFound("no breach incident ", incident_id);
    record = AsString(rows[0][0]);
    CUSTODIAN_ASSIGN_OR_RETURN(auto entries, QueryAccessLogAll(txn, {.from = window.first,
                                                                     .to = window.second + std::chrono::milliseconds(1),
                                                                     .username = account,
                                                                     .outcome = std::string(kAllowed)}));
    // The classes the account's role may search: the reads its searches could return.
    std::vector<store::DataClass> classes = {store::DataClass::kPublicSafety, store::DataClass::kNonPublicSafety};
    CUSTODIAN_ASSIGN_OR_RETURN(auto role_rows, txn.Query("SELECT role FROM users WHERE username = ?", {account}));
    if (!role_rows.empty()) {
      if (auto role = ParseRole(AsString(role_rows[0][0])); role.ok()) {
        classes = gov.matrix().ClassesFor(*role, ops::kSearchReads);
      }
    }
    Touched t(txn);
    for (const auto& en : entries) {
      // Every declared plate-data action, by what its terms name (plate_data_actions.h).
      if (const PlateDataAction* a = PlateDataActionOf(en.action)) CUSTODIAN_RETURN_IF_ERROR(Gather(t, en, *a, classes));
    }
    touched = t.Take();
    return Status::Ok();
  });
  if (st.code() == StatusCode::kNotFound) return LogOutcome(gov, by, e, Outcome::Refused(st));
  CUSTODIAN_RETURN_IF_ERROR(st);
  CUSTODIAN_ASSIGN_OR_RETURN(BreachIncident incident, FromJson(record));
  if (ToUnixMillis(incident.notice_date) == 0) incident.notice_date = gov.clock().Now();
  incident.account = account;
  incident.account_window = window;
  incident.touched = touched;
  BreachNotice out;
  auto text = RenderBreachNoticeText(incident);
  if (!text.ok()) return LogOutcome(gov, by, e, Outcome::Refused(text.status()));
  CUSTODIAN_ASSIGN_OR_RETURN(out.html, RenderBreachNoticeHtml(incident));
  out.text = std::move(*text);
  out.touched = std::move(touched);
  // The entry names what the notice releases: its plates, the reads of each, their ids.
  std::map<std::string, int64_t> per_plate;
  json read_ids = json::array();
  for (const auto& r : out.touched) {
    ++per_plate[r.plate];
    if (r.read_id != 0) read_ids.push_back(r.read_id);
  }
  json plates = json::array(), counts = json::object();
  for (const auto& [plate, n] : per_plate) {
    plates.push_back(plate);
    counts[plate] = n;
  }
  terms["plates"] = plates;
  terms["reads_per_plate"] = counts;
  terms["read_ids"] = read_ids;
  e.terms = terms.dump(-1, ' ', false, json::error_handler_t::replace);
  e.detail = "breach notice produced";
  CUSTODIAN_RETURN_IF_ERROR(LogOutcome(gov, by, e, Outcome::Released(int64_t(out.touched.size()))));
  return out;
}

}  // namespace custodian::policy
