// The JSON of the domain types as the API answers them.
#include "server/domain_json.h"

#include <string>

#include "custodian/core/utc_time.h"

namespace custodian::server::internal {

using json = nlohmann::json;

json HoldJson(const store::Hold& h) {
  json j = {{"id", h.id},         {"case_number", h.case_number}, {"reason", h.reason}, {"placed_by", h.placed_by},
            {"placed_at", FormatUtcTime(h.placed_at)}, {"released_by", h.released_by}, {"reads", h.reads}};
  if (h.released_at) j["released_at"] = FormatUtcTime(*h.released_at);
  return j;
}

json UserJson(const policy::UserInfo& u) {
  json j = {{"username", u.username},
            {"full_name", u.full_name},
            {"agency_code", u.agency_code},
            {"role", std::string(policy::RoleName(u.role))},
            {"state", std::string(policy::UserStateName(u.state))},
            {"state_reason", u.state_reason},
            {"supervisor", u.supervisor},
            {"totp_enrolled", u.totp_enrolled},
            {"must_change_password", u.must_change_password},
            {"acknowledgment_signed", u.acknowledgment_signed},
            {"supervisor_approved", u.supervisor_approved},
            {"coordinator_approved", u.coordinator_approved},
            {"created_at", FormatUtcTime(u.created_at)}};
  if (u.last_logon) j["last_logon"] = FormatUtcTime(*u.last_logon);
  if (u.training_completed) j["training_completed"] = FormatUtcTime(*u.training_completed);
  if (u.access_expires) j["access_expires"] = FormatUtcTime(*u.access_expires);
  return j;
}

json LogJson(const policy::LogEntry& e) {
  return {{"seq", e.seq},
          {"at", FormatUtcTime(e.at)},
          {"at_ms", ToUnixMillis(e.at)},
          {"username", e.username},
          {"agency_code", e.agency_code},
          {"source", e.source},
          {"action", e.action},
          {"outcome", e.outcome},
          {"terms", json::parse(e.terms, nullptr, false)},
          {"purpose", e.purpose},
          {"case_number", e.case_number},
          {"records", e.records},
          {"detail", e.detail}};
}

json OptIso(const std::optional<TimePoint>& t) { return t ? json(FormatUtcTime(*t)) : json(); }

json SearchJson(const store::SearchQuery& q) {
  json j = {{"plate", q.plate}, {"match", std::string(store::PlateMatchName(q.match))}, {"extra_edits", q.extra_edits},
            {"from", OptIso(q.from)}, {"to", OptIso(q.to)}, {"cameras", q.camera_ids}};
  if (q.data_class) j["data_class"] = std::string(store::DataClassName(*q.data_class));
  return j;
}

json RequestJson(const policy::RecordsRequest& r) {
  const auto& f = r.form;
  return {{"id", r.id},
          {"number", r.number},
          {"state", std::string(policy::RequestStateName(r.state))},
          {"requester", f.requester},
          {"department", f.department},
          {"phone", f.phone},
          {"email", f.email},
          {"date_requested", FormatUtcTime(f.date_requested)},
          {"date_required", FormatUtcTime(f.date_required)},
          {"data_class", std::string(store::DataClassName(f.data_class))},
          {"description", f.description},
          {"reason", f.reason},
          {"search", SearchJson(f.search)},
          {"submitted_by", r.submitted_by},
          {"director", r.director},
          {"director_at", OptIso(r.director_at)},
          {"coordinator", r.coordinator},
          {"coordinator_at", OptIso(r.coordinator_at)},
          {"decision_note", r.decision_note},
          {"fulfilled_at", OptIso(r.fulfilled_at)},
          {"export_path", r.export_path}};
}

json CameraAccuracyJson(const policy::CameraAccuracy& a) {
  return {{"camera_id", a.camera_id}, {"sampled", a.sampled}, {"verified", a.verified}, {"correct", a.correct},
          {"accuracy", a.accuracy}};
}

json AuditJson(const policy::AuditResult& r) {
  json cams = json::array();
  for (const auto& a : r.cameras) cams.push_back(CameraAccuracyJson(a));
  json items = json::array();
  for (const auto& i : r.items) {
    items.push_back({{"read_id", i.read_id}, {"camera_id", i.camera_id}, {"plate", i.plate},
                     {"correct", i.correct ? json(*i.correct) : json()}, {"true_plate", i.true_plate},
                     {"verified_by", i.verified_by}});
  }
  return {{"id", r.audit_id}, {"case_number", policy::AuditCaseNumber(r.audit_id)}, {"cameras", cams},
          {"overall", CameraAccuracyJson(r.overall)}, {"items", items}};
}

json ClassPurgeJson(const policy::ClassPurgeSummary& s) {
  return {{"cutoff", FormatUtcTime(s.cutoff)}, {"reads", s.reads}, {"images", s.images}, {"plates", s.plates},
          {"partitions_dropped", s.partitions_dropped}, {"batches", s.batches}, {"oldest", OptIso(s.oldest)},
          {"newest", OptIso(s.newest)}, {"complete", s.complete}};
}

json AccessCountsJson(const std::vector<policy::AccessCount>& counts) {
  json out = json::array();
  for (const auto& a : counts) {
    out.push_back({{"key", a.key}, {"entries", a.entries}, {"allowed", a.allowed}, {"denied", a.denied},
                   {"records", a.records}});
  }
  return out;
}

json GrantJson(const policy::SharingGrant& g) {
  json classes = json::array();
  for (auto dc : g.data_classes) classes.push_back(std::string(store::DataClassName(dc)));
  return {{"id", g.id},         {"agency_code", g.agency_code}, {"data_classes", classes},
          {"cameras", g.camera_ids}, {"expires_at", FormatUtcTime(g.expires)},  {"created_by", g.created_by},
          {"created_at", FormatUtcTime(g.created_at)}, {"revoked_by", g.revoked_by}, {"revoked_at", OptIso(g.revoked_at)},
          {"attested_signatory", g.attested_signatory}, {"attested_on", OptIso(g.attested_on)},
          {"attested_by", g.attested_by}, {"in_force", g.in_force}};
}

}  // namespace custodian::server::internal
