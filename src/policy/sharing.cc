// Sharing grants to partner agencies (policy 5.D).
#include "policy/policy_util.h"
#include "custodian/policy/sharing.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "custodian/policy/reports.h"

namespace custodian::policy {

using json = nlohmann::json;

namespace {

using internal::Clip;

Result<std::vector<SharingGrant>> LoadGrants(Txn& txn, bool include_revoked, int64_t now_ms) {
  std::string sql =
      "SELECT g.id, g.agency_code, g.data_classes, g.cameras, g.expires_ms, g.created_by, g.created_ms, g.revoked_by, "
      "g.revoked_ms, g.attested_signatory, g.attested_date_ms, g.attested_by, a.state, a.kind "
      "FROM sharing_grants g JOIN agencies a ON a.code = g.agency_code";
  if (!include_revoked) sql += " WHERE g.revoked_ms IS NULL";
  sql += " ORDER BY g.id DESC";
  CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query(sql, {}));
  std::vector<SharingGrant> out;
  for (const auto& r : rows) {
    SharingGrant g;
    g.id = AsInt(r[0]);
    g.agency_code = AsString(r[1]);
    json classes = json::parse(AsString(r[2]), nullptr, false);
    json cams = json::parse(AsString(r[3]), nullptr, false);
    if (!classes.is_array() || !cams.is_array()) return Status::Internal("sharing grant ", g.id, " is malformed");
    for (const auto& c : classes) {
      auto dc = store::ParseDataClass(c.is_string() ? c.get<std::string>() : "");
      if (!dc.ok()) return Status::Internal("sharing grant ", g.id, " names an unknown data class");
      g.data_classes.push_back(*dc);
    }
    for (const auto& c : cams) {
      if (c.is_string()) g.camera_ids.push_back(c.get<std::string>());
    }
    store::ColumnsTo(r, 4, g.expires, g.created_by, g.created_at, g.revoked_by, g.revoked_at, g.attested_signatory,
                     g.attested_on, g.attested_by);
    g.in_force = !g.revoked_at && AsInt(r[4]) > now_ms && g.attested_on &&
                 MayReceiveSharing(AsString(r[12]), AsString(r[13])).ok();
    out.push_back(std::move(g));
  }
  return out;
}

}  // namespace

namespace {

bool Names(const std::vector<std::string>& cameras, const std::string& camera) {
  return cameras.empty() || std::find(cameras.begin(), cameras.end(), camera) != cameras.end();
}

}  // namespace

bool SharedScope::Covers(store::DataClass c, const std::string& camera_id) const {
  return std::any_of(scopes.begin(), scopes.end(),
                     [&](const store::AccessScope& s) { return s.data_class == c && Names(s.camera_ids, camera_id); });
}

bool SharedScope::SharesCamera(const std::string& camera_id) const {
  return std::any_of(scopes.begin(), scopes.end(),
                     [&](const store::AccessScope& s) { return Names(s.camera_ids, camera_id); });
}

Result<SharedScope> GrantsInForce(store::ReadStore& store, const std::string& agency_code, TimePoint now) {
  SharedScope s;
  std::vector<store::SqlRow> rows;
  CUSTODIAN_RETURN_IF_ERROR(store.ReadOnly([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(rows, txn.Query("SELECT g.data_classes, g.cameras, a.state, a.kind FROM sharing_grants g "
                                               "JOIN agencies a ON a.code = g.agency_code WHERE g.agency_code = ? "
                                               "AND g.revoked_ms IS NULL AND g.expires_ms > ? "
                                               "AND g.attested_ms IS NOT NULL",
                                               {agency_code, ToUnixMillis(now)}));
    return Status::Ok();
  }));
  for (const auto& r : rows) {
    if (!MayReceiveSharing(AsString(r[2]), AsString(r[3])).ok()) continue;
    json classes = json::parse(AsString(r[0]), nullptr, false);
    json cams = json::parse(AsString(r[1]), nullptr, false);
    if (!classes.is_array() || !cams.is_array()) return Status::Internal("a sharing grant row is malformed");
    std::vector<std::string> cam_ids;
    for (const auto& c : cams) {
      if (c.is_string()) cam_ids.push_back(c.get<std::string>());
    }
    for (const auto& c : classes) {
      auto dc = store::ParseDataClass(c.is_string() ? c.get<std::string>() : "");
      if (!dc.ok()) continue;
      s.classes.insert(*dc);
      s.scopes.push_back({*dc, cam_ids});
    }
  }
  return s;
}

Result<bool> AgencyMayReceive(Governance& gov, const std::string& agency_code, store::DataClass c,
                              const std::string& camera_id) {
  bool known = false;
  CUSTODIAN_RETURN_IF_ERROR(gov.store().ReadOnly([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT 1 FROM agencies WHERE code = ?", {agency_code}));
    known = !rows.empty();
    return Status::Ok();
  }));
  if (!known) return Status::NotFound("no agency '", Clip(agency_code, 64), "'");
  CUSTODIAN_ASSIGN_OR_RETURN(std::string home, gov.HomeAgency());
  if (agency_code == home) return true;
  CUSTODIAN_ASSIGN_OR_RETURN(SharedScope g, GrantsInForce(gov.store(), agency_code, gov.clock().Now()));
  return g.Covers(c, camera_id);
}

Result<int64_t> GrantSharing(Governance& gov, const Principal& by, const GrantSpec& spec) {
  json classes = json::array();
  for (auto c : spec.data_classes) classes.push_back(std::string(store::DataClassName(c)));
  json cams = json::array();
  for (const auto& c : spec.camera_ids) cams.push_back(Clip(c, 64));
  LogEvent e = gov.Event(by, "grant_sharing", kDenied);
  e.terms = json{{"agency_code", Clip(spec.agency_code, 64)},
                 {"data_classes", classes},
                 {"cameras", cams},
                 {"expires_ms", ToUnixMillis(spec.expires)}}
                .dump();
  CUSTODIAN_RETURN_IF_ERROR(gov.Authorize(by, ops::kManageGrants, std::nullopt, e));
  if (spec.agency_code == by.agency_code) {
    return LogOutcome(
        gov, by, e,
        Outcome::Refused(Status::InvalidArgument("agency ", Clip(spec.agency_code, 64),
                                                 " is the granting agency; grants go to other agencies")));
  }
  if (spec.data_classes.empty()) {
    return LogOutcome(gov, by, e,
                      Outcome::Refused(Status::InvalidArgument("a sharing grant names at least one data class")));
  }
  const TimePoint now = gov.clock().Now();
  if (spec.expires <= now) {
    return LogOutcome(gov, by, e,
                      Outcome::Refused(Status::InvalidArgument("a sharing grant's expiry must be in the future")));
  }
  if (spec.expires > now + kMaxGrantLength) {
    return LogOutcome(gov, by, e,
                      Outcome::Refused(Status::InvalidArgument("a sharing grant may run at most ",
                                                               kMaxGrantLength.count(), " days")));
  }
  std::set<store::DataClass> wanted(spec.data_classes.begin(), spec.data_classes.end());
  classes = json::array();
  for (auto c : wanted) classes.push_back(std::string(store::DataClassName(c)));
  std::set<std::string> cam_set(spec.camera_ids.begin(), spec.camera_ids.end());
  cams = json(std::vector<std::string>(cam_set.begin(), cam_set.end()));
  // Only to California public agencies that are not federal: a refusal is logged.
  {
    std::string state, kind;
    bool known = false;
    CUSTODIAN_RETURN_IF_ERROR(gov.store().ReadOnly([&](Txn& txn) -> Status {
      CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT state, kind FROM agencies WHERE code = ?", {spec.agency_code}));
      known = !rows.empty();
      if (known) {
        state = AsString(rows[0][0]);
        kind = AsString(rows[0][1]);
      }
      return Status::Ok();
    }));
    if (known) {
      if (Status ok = MayReceiveSharing(state, kind); !ok.ok()) return LogOutcome(gov, by, e, Outcome::Refused(ok));
    }
  }
  int64_t id = 0;
  e.Allow(1);
  e.detail = "sharing granted to " + Clip(spec.agency_code, 64) + "; in force once the partner's attestation is recorded";
  Status st = gov.RecordWith(by, e, [&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto ag, txn.Query("SELECT 1 FROM agencies WHERE code = ?", {spec.agency_code}));
    if (ag.empty()) return Status::NotFound("no agency '", Clip(spec.agency_code, 64), "'");
    for (const auto& cam : cam_set) {
      CUSTODIAN_ASSIGN_OR_RETURN(auto c, txn.Query("SELECT data_class FROM cameras WHERE id = ?", {cam}));
      if (c.empty()) return Status::NotFound("no camera '", Clip(cam, 64), "'");
      const auto cls = AsInt(c[0][0]) == 0 ? store::DataClass::kPublicSafety : store::DataClass::kNonPublicSafety;
      if (!wanted.count(cls)) {
        return Status::InvalidArgument("camera ", Clip(cam, 64), " is ", store::DataClassName(cls),
                                       ", a class the grant does not share");
      }
    }
    CUSTODIAN_ASSIGN_OR_RETURN(
        id, InsertReturningId(txn,
                              "INSERT INTO sharing_grants (agency_code, data_classes, cameras, expires_ms, created_by, "
                              "created_ms) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                              {spec.agency_code, classes.dump(), cams.dump(), ToUnixMillis(spec.expires), by.username,
                               ToUnixMillis(now)},
                              "grant"));
    return Status::Ok();
  });
  if (IsRefusal(st)) return LogOutcome(gov, by, e, Outcome::Refused(st));
  CUSTODIAN_RETURN_IF_ERROR(st);
  return id;
}

Status AttestSharing(Governance& gov, const Principal& by, int64_t id, const Attestation& a) {
  LogEvent e = gov.Event(by, "attest_sharing", kDenied);
  e.terms = json{{"grant_id", id}, {"signatory", Clip(a.signatory, 128)}}.dump();
  CUSTODIAN_RETURN_IF_ERROR(gov.Authorize(by, ops::kManageGrants, std::nullopt, e));
  const TimePoint now = gov.clock().Now();
  const std::string text = a.text.empty() ? std::string(kStandardAttestation) : a.text;
  if (a.signatory.empty() || a.signatory.size() > 128) {
    return LogOutcome(
        gov, by, e,
        Outcome::Refused(Status::InvalidArgument("the attestation names its signatory (1..128 characters)")));
  }
  if (a.signed_on > now) {
    return LogOutcome(gov, by, e,
                      Outcome::Refused(Status::InvalidArgument("the attestation cannot be signed in the future")));
  }
  if (text.size() < 40 || text.size() > 20000) {
    return LogOutcome(gov, by, e,
                      Outcome::Refused(Status::InvalidArgument("the attestation text has 40..20000 characters")));
  }
  std::string lower = text;
  for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
  for (const char* word : {"immigration", "reproductive", "gender-affirming", "shar"}) {
    if (lower.find(word) == std::string::npos) {
      return LogOutcome(gov, by, e,
                        Outcome::Refused(Status::InvalidArgument(
                            "the attestation must commit to no use for immigration enforcement, none "
                            "for investigating lawful reproductive or gender-affirming care, and no "
                            "onward sharing (it does not mention '",
                            word, "')")));
    }
  }
  e.Allow(1);
  e.detail = "attestation by " + Clip(a.signatory, 128) + " recorded; grant " + std::to_string(id) + " in force";
  Status st = gov.RecordWith(by, e, [&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT revoked_ms, expires_ms, attested_ms FROM sharing_grants "
                                                    "WHERE id = ?",
                                                    {id}));
    if (rows.empty()) return Status::NotFound("no sharing grant ", id);
    if (!IsNull(rows[0][0])) return Status::InvalidArgument("sharing grant ", id, " was revoked");
    if (AsInt(rows[0][1]) <= ToUnixMillis(now)) return Status::InvalidArgument("sharing grant ", id, " has expired");
    if (!IsNull(rows[0][2])) return Status::InvalidArgument("sharing grant ", id, " is attested already");
    return txn
        .Query("UPDATE sharing_grants SET attested_signatory = ?, attested_date_ms = ?, attestation_text = ?, "
               "attested_by = ?, attested_ms = ? WHERE id = ?",
               {a.signatory, ToUnixMillis(a.signed_on), text, by.username, ToUnixMillis(now), id})
        .status();
  });
  return IsRefusal(st) ? LogOutcome(gov, by, e, Outcome::Refused(st)) : st;
}

Status RevokeSharing(Governance& gov, const Principal& by, int64_t id) {
  LogEvent e = gov.Event(by, "revoke_sharing", kDenied);
  e.terms = json{{"grant_id", id}}.dump();
  CUSTODIAN_RETURN_IF_ERROR(gov.Authorize(by, ops::kManageGrants, std::nullopt, e));
  e.Allow(1, "sharing grant " + std::to_string(id) + " revoked");
  Status st = gov.RecordWith(by, e, [&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT revoked_ms FROM sharing_grants WHERE id = ?", {id}));
    if (rows.empty()) return Status::NotFound("no sharing grant ", id);
    if (!IsNull(rows[0][0])) return Status::InvalidArgument("sharing grant ", id, " was revoked already");
    return txn
        .Query("UPDATE sharing_grants SET revoked_by = ?, revoked_ms = ? WHERE id = ?",
               {by.username, ToUnixMillis(gov.clock().Now()), id})
        .status();
  });
  return IsRefusal(st) ? LogOutcome(gov, by, e, Outcome::Refused(st)) : st;
}

Result<std::vector<SharingGrant>> ListGrants(Governance& gov, const Principal& by, bool include_revoked) {
  LogEvent e = gov.Event(by, "list_grants", kDenied);
  e.terms = json{{"include_revoked", include_revoked}}.dump();
  CUSTODIAN_RETURN_IF_ERROR(gov.Authorize(by, ops::kManageGrants, std::nullopt, e));
  std::vector<SharingGrant> out;
  CUSTODIAN_RETURN_IF_ERROR(gov.store().Transact([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(out, LoadGrants(txn, include_revoked, ToUnixMillis(gov.clock().Now())));
    return Status::Ok();
  }));
  CUSTODIAN_RETURN_IF_ERROR(LogOutcome(gov, by, e, Outcome::Released(int64_t(out.size()))));
  return out;
}

Result<SharingSummary> SharingReport(Governance& gov, const Principal& by, TimePoint from, TimePoint to) {
  LogEvent e = gov.Event(by, "sharing_report", kDenied);
  e.terms = json{{"from_ms", ToUnixMillis(from)}, {"to_ms", ToUnixMillis(to)}}.dump();
  CUSTODIAN_RETURN_IF_ERROR(gov.Authorize(by, ops::kAccessReports, std::nullopt, e));
  if (!(from < to)) return Status::InvalidArgument("the report period must start before it ends");
  SharingSummary out;
  std::vector<LogEntry> entries;
  CUSTODIAN_RETURN_IF_ERROR(gov.store().Transact([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(out.grants, LoadGrants(txn, true, ToUnixMillis(gov.clock().Now())));
    CUSTODIAN_ASSIGN_OR_RETURN(entries, QueryAccessLogAll(txn, {.from = from, .to = to}));
    return Status::Ok();
  }));
  std::map<std::string, PartnerActivity> partners;
  std::map<std::string, std::set<std::string>> users;
  for (const auto& en : entries) {
    if (!IsPlateDataAction(en.action) || en.agency_code.empty() || en.agency_code == by.agency_code) continue;
    PartnerActivity& p = partners[en.agency_code];
    p.agency_code = en.agency_code;
    ++p.searches;
    if (en.outcome == kDenied) ++p.denied;
    p.records += en.records;
    users[en.agency_code].insert(en.username);
    p.terms.push_back(en.terms);
    ++p.purposes[en.purpose];
    ++p.cases[en.case_number];
    p.seqs.push_back(en.seq);
  }
  for (auto& [code, p] : partners) {
    p.users.assign(users[code].begin(), users[code].end());
    out.partners.push_back(std::move(p));
  }
  CUSTODIAN_RETURN_IF_ERROR(
      LogOutcome(gov, by, e, Outcome::Released(int64_t(out.grants.size() + out.partners.size()))));
  return out;
}

}  // namespace custodian::policy
