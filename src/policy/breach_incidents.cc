// Breach incidents and their notices (policy 6).
#include "policy/policy_util.h"
#include "custodian/policy/breach_incidents.h"

#include <map>

#include <nlohmann/json.hpp>

#include "custodian/policy/reports.h"

namespace custodian::policy {

using json = nlohmann::json;
using store::AsInt;
using store::AsString;
using store::Txn;

namespace {

using internal::Refuse;


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
  if (auto r = RenderBreachNoticeText(check); !r.ok()) return Refuse(gov, by, e, r.status());
  const std::string record = ToJson(facts).dump();
  int64_t id = 0;
  e.outcome = std::string(kAllowed);
  e.records = 1;
  e.detail = "breach incident recorded";
  CUSTODIAN_RETURN_IF_ERROR(gov.RecordWith(by, e, [&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("INSERT INTO breach_incidents (created_by, created_ms, record) "
                                                    "VALUES (?, ?, ?) RETURNING id",
                                                    {by.username, ToUnixMillis(gov.clock().Now()), record}));
    if (rows.empty()) return Status::Internal("the incident was not stored");
    id = AsInt(rows[0][0]);
    return Status::Ok();
  }));
  return id;
}

Result<BreachNotice> ProduceNotice(Governance& gov, const Principal& by, int64_t incident_id,
                                   const std::string& account, std::pair<TimePoint, TimePoint> window) {
  LogEvent e = gov.Event(by, "produce_breach_notice", kDenied);
  e.terms = json{{"incident_id", incident_id},
                 {"account", account.substr(0, 64)},
                 {"from_ms", ToUnixMillis(window.first)},
                 {"to_ms", ToUnixMillis(window.second)}}
                .dump();
  CUSTODIAN_RETURN_IF_ERROR(gov.Authorize(by, ops::kBreachNotices, std::nullopt, e));
  if (account.empty()) return Refuse(gov, by, e, Status::InvalidArgument("the notice names the account"));
  if (window.second < window.first) return Refuse(gov, by, e, Status::InvalidArgument("the window runs backwards"));
  std::string record;
  std::vector<LogEntry> entries;
  std::vector<TouchedRead> touched;
  Status st = gov.store().Transact([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT record FROM breach_incidents WHERE id = ?", {incident_id}));
    if (rows.empty()) return Status::NotFound("no breach incident ", incident_id);
    record = AsString(rows[0][0]);
    CUSTODIAN_ASSIGN_OR_RETURN(entries, QueryAccessLogAll(txn, {.from = window.first,
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
    std::map<int64_t, size_t> seen;  // read id -> index in touched
    auto add = [&](TouchedRead t) {
      if (t.read_id != 0 && seen.count(t.read_id)) return;
      if (t.read_id != 0) seen[t.read_id] = touched.size();
      touched.push_back(std::move(t));
    };
    for (const auto& en : entries) {
      if (!IsPlateDataAction(en.action)) continue;
      json t = json::parse(en.terms, nullptr, false);
      if (!t.is_object()) continue;
      if (en.action == "view_read" || en.action == "view_images") {
        if (!t.contains("read_id") || !t["read_id"].is_number_integer()) continue;
        TouchedRead r;
        r.read_id = t["read_id"].get<int64_t>();
        r.plate = t.value("plate", std::string());
        r.accessed_at = en.at;
        CUSTODIAN_ASSIGN_OR_RETURN(auto rd, txn.Query("SELECT captured_ms, camera_id, plate FROM reads WHERE id = ?",
                                                      {r.read_id}));
        if (!rd.empty()) {
          r.captured_at = FromUnixMillis(AsInt(rd[0][0]));
          r.camera_id = AsString(rd[0][1]);
          if (r.plate.empty()) r.plate = AsString(rd[0][2]);
        }
        add(std::move(r));
        continue;
      }
      // A search: the reads of the plate for an exact search, else the term itself.
      const std::string plate = PlateOfTerms(en.terms);
      if (plate.empty() || en.records == 0) continue;
      if (t.value("match", std::string()) == "exact") {
        std::string sql = "SELECT id, captured_ms, camera_id FROM reads WHERE plate = ?";
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
        if (cls_sql.empty()) continue;
        sql += " AND data_class IN (" + cls_sql + ") AND captured_ms <= ? ORDER BY id";
        params.push_back(ToUnixMillis(en.at));
        CUSTODIAN_ASSIGN_OR_RETURN(auto rd, txn.Query(sql, params));
        for (const auto& r : rd) {
          add({AsInt(r[0]), plate, FromUnixMillis(AsInt(r[1])), AsString(r[2]), en.at});
        }
        if (!rd.empty()) continue;
      }
      add({0, plate, en.at, "", en.at});
    }
    return Status::Ok();
  });
  if (st.code() == StatusCode::kNotFound) return Refuse(gov, by, e, st);
  CUSTODIAN_RETURN_IF_ERROR(st);
  CUSTODIAN_ASSIGN_OR_RETURN(BreachIncident incident, FromJson(record));
  if (ToUnixMillis(incident.notice_date) == 0) incident.notice_date = gov.clock().Now();
  incident.account = account;
  incident.account_window = window;
  incident.touched = touched;
  BreachNotice out;
  auto text = RenderBreachNoticeText(incident);
  if (!text.ok()) return Refuse(gov, by, e, text.status());
  CUSTODIAN_ASSIGN_OR_RETURN(out.html, RenderBreachNoticeHtml(incident));
  out.text = std::move(*text);
  out.touched = std::move(touched);
  e.outcome = std::string(kAllowed);
  e.records = int64_t(out.touched.size());
  e.detail = "breach notice produced";
  if (Status rs = gov.Record(by, e); !rs.ok()) {
    return Status::Unavailable("the access log cannot be written (", rs.message(), "); nothing was released");
  }
  return out;
}

}  // namespace custodian::policy
