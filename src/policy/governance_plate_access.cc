// Access to plate data (policy::SearchReads, GetRead, GetReadImage), narrowed by role
// and sharing grant, and the workflow purposes' cases.
#include "policy/governance_internal.h"

#include <algorithm>
#include <cctype>

#include "custodian/policy/breach_incidents.h"
#include "custodian/policy/governed_ops.h"
#include "custodian/policy/plate_data_actions.h"
#include "custodian/policy/sharing.h"

namespace custodian::policy {

using json = nlohmann::json;
using store::SqlValue;
using store::Txn;
using namespace governance_internal;

namespace {

json QueryTerms(const store::SearchQuery& q) {
  json t = json::object();
  if (!q.plate.empty()) t["plate"] = q.plate;
  t["match"] = std::string(store::PlateMatchName(q.match));
  if (q.extra_edits) t["extra_edits"] = q.extra_edits;
  if (q.from) t["from_ms"] = ToUnixMillis(*q.from);
  if (q.to) t["to_ms"] = ToUnixMillis(*q.to);
  if (!q.camera_ids.empty()) t["cameras"] = q.camera_ids;
  if (q.area) t["area"] = {q.area->min_lat, q.area->min_lon, q.area->max_lat, q.area->max_lon};
  if (q.data_class) t["data_class"] = std::string(store::DataClassName(*q.data_class));
  if (!q.cursor.empty()) t["page"] = true;
  return t;
}

// OK when read `read_id` may go to `who`. When it could not be loaded, `e` is logged as
// failed; when `who` belongs to another agency whose grants in force do not cover the
// read's class and camera, as refused.
Status MayRelease(Governance& gov, const Principal& who, const LogEvent& e, int64_t read_id,
                  const Result<store::StoredRead>& read) {
  if (!read.ok()) return LogOutcome(gov, who, e, Outcome::Failed(read.status()));
  CUSTODIAN_ASSIGN_OR_RETURN(bool outsider, gov.IsOutsider(who));
  if (outsider) {
    CUSTODIAN_ASSIGN_OR_RETURN(SharedScope g, GrantsInForce(gov.store(), who.agency_code, gov.clock().Now()));
    if (!g.Covers(read->data_class, read->camera_id)) {
      return LogOutcome(gov, who, e,
                        Outcome::Refused(Status::PermissionDenied("read " + std::to_string(read_id) +
                                                                  " is not shared with agency " + who.agency_code)));
    }
  }
  return Status::Ok();
}

// The workflow purposes (records_request, accuracy_audit, legal_hold, breach_notice) belong
// to their workflows: a direct search, read or image under one must name a request
// ("RR-<id>"), an audit ("AA-<id>"), a hold's case number or a breach incident ("BI-<id>")
// that exists.
Status CheckWorkflowCase(Governance& gov, const AccessPurpose& why) {
  auto id_of = [&](std::string_view prefix) -> int64_t {
    if (why.case_number.rfind(prefix, 0) != 0) return 0;
    const std::string digits = why.case_number.substr(prefix.size());
    if (digits.empty() || digits.size() > 18 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
      return 0;
    }
    return std::stoll(digits);
  };
  std::string sql;
  SqlValue key;
  if (why.purpose == "records_request") {
    sql = "SELECT 1 FROM records_requests WHERE id = ? AND state IN ('approved', 'fulfilled')";
    key = id_of("RR-");
  } else if (why.purpose == "accuracy_audit") {
    sql = "SELECT 1 FROM accuracy_audits WHERE id = ?";
    key = id_of("AA-");
  } else if (why.purpose == "legal_hold") {
    sql = "SELECT 1 FROM holds WHERE case_number = ? AND released_ms IS NULL";
    key = why.case_number;
  } else if (why.purpose == kBreachNoticePurpose) {
    sql = "SELECT 1 FROM breach_incidents WHERE id = ?";
    key = id_of("BI-");
  } else {
    return Status::Ok();
  }
  bool found = false;
  CUSTODIAN_RETURN_IF_ERROR(gov.store().ReadOnly([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query(sql, {key}));
    found = !rows.empty();
    return Status::Ok();
  }));
  if (!found) {
    return Status::PermissionDenied("purpose ", why.purpose, " is reserved for its workflow; case '",
                                    Clip(why.case_number), "' names no ",
                                    why.purpose == "records_request"      ? "approved records request"
                                    : why.purpose == "accuracy_audit"     ? "accuracy audit"
                                    : why.purpose == kBreachNoticePurpose ? "breach incident"
                                                                          : "open legal hold");
  }
  return Status::Ok();
}

// CheckWorkflowCase, its refusal logged as `action` with the request's terms.
Status RefuseWithoutWorkflowCase(Governance& gov, const Principal& who, std::string_view action,
                                 const AccessPurpose& why, const std::string& terms_json) {
  Status w = CheckWorkflowCase(gov, why);
  if (w.ok()) return w;
  LogEvent d = gov.Event(who, action, kDenied);
  d.terms = terms_json;
  d.purpose = Clip(why.purpose);
  d.case_number = Clip(why.case_number);
  return LogOutcome(gov, who, d, Outcome::Refused(w));
}

}  // namespace

Result<store::SearchPage> SearchReads(Governance& gov, const Principal& who, const AccessPurpose& why,
                                      store::SearchQuery q) {
  json terms = QueryTerms(q);
  LogEvent e = gov.Event(who, ops::kSearchReads, kDenied);
  e.terms = terms.dump();
  e.purpose = Clip(why.purpose);
  e.case_number = Clip(why.case_number);
  auto deny = [&](const std::string& detail) -> Status {
    return LogOutcome(gov, who, e, Outcome::Refused(Status::PermissionDenied(detail)));
  };
  CUSTODIAN_RETURN_IF_ERROR(RefuseWithoutWorkflowCase(gov, who, ops::kSearchReads, why, e.terms));
  // The classes the role may search; for users of any other agency (whatever their role),
  // what their agency's grants in force allow, grant by grant.
  std::vector<store::DataClass> classes = who.system ? std::vector<store::DataClass>{}
                                                     : gov.matrix().ClassesFor(who.role, ops::kSearchReads);
  std::optional<SharedScope> grant;
  CUSTODIAN_ASSIGN_OR_RETURN(bool outsider, gov.IsOutsider(who));
  if (outsider) {
    CUSTODIAN_ASSIGN_OR_RETURN(SharedScope g, GrantsInForce(gov.store(), who.agency_code, gov.clock().Now()));
    std::erase_if(classes, [&](store::DataClass c) { return !g.classes.count(c); });
    if (classes.empty()) return deny("no sharing grant in force for agency " + who.agency_code);
    std::erase_if(g.scopes, [&](const store::AccessScope& s) {
      return std::find(classes.begin(), classes.end(), s.data_class) == classes.end();
    });
    grant = g;
  }
  if (q.data_class && std::find(classes.begin(), classes.end(), *q.data_class) == classes.end()) {
    // Authorize logs the refusal for this class.
    CUSTODIAN_RETURN_IF_ERROR(gov.AuthorizePlateData(who, ops::kSearchReads, why, q.data_class, e.terms));
    return deny("data class " + std::string(store::DataClassName(*q.data_class)) + " is not shared with agency " +
                who.agency_code);
  }
  if (!q.data_class && classes.size() == 1) q.data_class = classes[0];
  CUSTODIAN_RETURN_IF_ERROR(gov.AuthorizePlateData(
      who, ops::kSearchReads, why, q.data_class ? q.data_class : (classes.empty() ? std::nullopt : std::optional(classes[0])),
      e.terms));
  if (grant) {
    for (const auto& c : q.camera_ids) {
      if (!grant->SharesCamera(c)) return deny("camera " + Clip(c) + " is not shared with agency " + who.agency_code);
    }
    q.scopes = grant->scopes;  // one grant must cover both a read's class and its camera
  }
  auto page = gov.store().Search(q);
  if (!page.ok()) return LogOutcome(gov, who, e, Outcome::Failed(page.status()));
  CUSTODIAN_RETURN_IF_ERROR(LogOutcome(gov, who, e, Outcome::Released(int64_t(page->reads.size()))));
  return page;
}

Result<store::StoredRead> GetRead(Governance& gov, const Principal& who, const AccessPurpose& why, int64_t read_id) {
  json terms = {{"read_id", read_id}};
  CUSTODIAN_RETURN_IF_ERROR(RefuseWithoutWorkflowCase(gov, who, actions::kViewRead, why, terms.dump()));
  auto read = gov.store().GetRead(read_id);
  std::optional<store::DataClass> cls;
  if (read.ok()) cls = read->data_class;
  CUSTODIAN_RETURN_IF_ERROR(gov.AuthorizePlateData(who, ops::kSearchReads, why,
                                               cls.value_or(store::DataClass::kPublicSafety), terms.dump()));
  LogEvent e = gov.Event(who, actions::kViewRead, kDenied);
  e.terms = terms.dump();
  e.purpose = why.purpose;
  e.case_number = why.case_number;
  CUSTODIAN_RETURN_IF_ERROR(MayRelease(gov, who, e, read_id, read));
  e.terms = json{{"read_id", read_id}, {"plate", read->plate}}.dump();
  CUSTODIAN_RETURN_IF_ERROR(LogOutcome(gov, who, e, Outcome::Released(1)));
  return read;
}

Result<std::vector<uint8_t>> GetReadImage(Governance& gov, const Principal& who, const AccessPurpose& why,
                                          int64_t read_id, bool frame) {
  json terms = {{"read_id", read_id}, {"image", frame ? "frame" : "crop"}};
  CUSTODIAN_RETURN_IF_ERROR(RefuseWithoutWorkflowCase(gov, who, ops::kViewImages, why, terms.dump()));
  auto read = gov.store().GetRead(read_id);
  CUSTODIAN_RETURN_IF_ERROR(gov.AuthorizePlateData(
      who, ops::kViewImages, why, read.ok() ? read->data_class : store::DataClass::kPublicSafety, terms.dump()));
  LogEvent e = gov.Event(who, ops::kViewImages, kFailed);
  e.terms = terms.dump();
  e.purpose = why.purpose;
  e.case_number = why.case_number;
  CUSTODIAN_RETURN_IF_ERROR(MayRelease(gov, who, e, read_id, read));
  const std::string& sha = frame ? read->frame_sha256 : read->plate_crop_sha256;
  if (sha.empty()) {
    Status missing = Status::NotFound("read ", read_id, " has no ", frame ? "full frame" : "plate crop");
    return LogOutcome(gov, who, e,
                      Outcome::Failed(missing).Detail(std::string("read has no ") + (frame ? "frame" : "plate crop")));
  }
  auto bytes = gov.store().GetImage(sha);
  if (!bytes.ok()) return LogOutcome(gov, who, e, Outcome::Failed(bytes.status()));
  e.terms = json{{"read_id", read_id}, {"plate", read->plate}, {"image", frame ? "frame" : "crop"}}.dump();
  CUSTODIAN_RETURN_IF_ERROR(LogOutcome(gov, who, e, Outcome::Released(1)));
  return bytes;
}

}  // namespace custodian::policy
