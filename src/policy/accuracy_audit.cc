// Accuracy audits (policy 4.A.4, 5.E).
#include "policy/policy_util.h"
#include "custodian/policy/accuracy_audit.h"
#include "custodian/policy/plate_data_actions.h"

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include <nlohmann/json.hpp>

#include "custodian/store/plate_key.h"

namespace custodian::policy {

using json = nlohmann::json;
using store::SqlValue;

namespace {

using internal::Clip;

constexpr std::string_view kPurpose = "accuracy_audit";

store::DataClass ClassOf(int64_t v) {
  return v == 0 ? store::DataClass::kPublicSafety : store::DataClass::kNonPublicSafety;
}

// The data classes of an audit's sampled reads.
Result<std::set<store::DataClass>> AuditClasses(Governance& gov, int64_t audit_id, bool& exists) {
  std::set<store::DataClass> out;
  CUSTODIAN_RETURN_IF_ERROR(gov.store().Transact([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto a, txn.Query("SELECT id FROM accuracy_audits WHERE id = ?", {audit_id}));
    exists = !a.empty();
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT DISTINCT c.data_class FROM accuracy_audit_items i "
                                                    "JOIN cameras c ON c.id = i.camera_id WHERE i.audit_id = ?",
                                                    {audit_id}));
    for (const auto& r : rows) out.insert(ClassOf(AsInt(r[0])));
    return Status::Ok();
  }));
  return out;
}

}  // namespace

std::string AuditCaseNumber(int64_t audit_id) { return "AA-" + std::to_string(audit_id); }

Result<int64_t> StartAudit(Governance& gov, const Principal& by, const AuditSpec& spec) {
  std::set<std::string> cams(spec.camera_ids.begin(), spec.camera_ids.end());
  json terms = {{"from_ms", ToUnixMillis(spec.from)},
                {"to_ms", ToUnixMillis(spec.to)},
                {"sample_size", spec.sample_size},
                {"seed", spec.seed}};
  json cam_list = json::array();
  for (const auto& c : cams) cam_list.push_back(Clip(c, 64));
  terms["cameras"] = cam_list;
  const AccessPurpose why{std::string(kPurpose), spec.reference};
  LogEvent e = gov.Event(by, actions::kAuditStart, kDenied);
  e.terms = terms.dump();
  e.purpose = std::string(kPurpose);
  e.case_number = Clip(spec.reference, 64);
  // The classes of the cameras audited; each must pass the gates.
  std::set<store::DataClass> classes;
  bool unknown_camera = false;
  std::string missing;
  CUSTODIAN_RETURN_IF_ERROR(gov.store().Transact([&](Txn& txn) -> Status {
    if (cams.empty()) {
      CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT DISTINCT data_class FROM cameras", {}));
      for (const auto& r : rows) classes.insert(ClassOf(AsInt(r[0])));
    }
    for (const auto& c : cams) {
      CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT data_class FROM cameras WHERE id = ?", {c}));
      if (rows.empty()) {
        unknown_camera = true;
        missing = c;
      } else {
        classes.insert(ClassOf(AsInt(rows[0][0])));
      }
    }
    return Status::Ok();
  }));
  if (classes.empty()) classes.insert(store::DataClass::kPublicSafety);  // nothing to audit; still gated
  for (auto cls : classes) {
    CUSTODIAN_RETURN_IF_ERROR(gov.AuthorizePlateData(by, ops::kAccuracyAudit, why, cls, e.terms));
  }
  if (unknown_camera) {
    return LogOutcome(gov, by, e, Outcome::Refused(Status::NotFound("no camera '", Clip(missing, 64), "'")));
  }
  if (!(spec.from < spec.to)) {
    return LogOutcome(gov, by, e, Outcome::Refused(Status::InvalidArgument("the period must start before it ends")));
  }
  if (spec.sample_size < 1 || spec.sample_size > 10000) {
    return LogOutcome(gov, by, e, Outcome::Refused(Status::InvalidArgument("the sample size must be 1..10000")));
  }
  std::vector<store::SqlRow> rows;
  CUSTODIAN_RETURN_IF_ERROR(gov.store().Transact([&](Txn& txn) -> Status {
    std::string sql = "SELECT id, camera_id, plate FROM reads WHERE captured_ms >= ? AND captured_ms < ?";
    std::vector<SqlValue> params = {ToUnixMillis(spec.from), ToUnixMillis(spec.to)};
    if (!cams.empty()) {
      sql += " AND camera_id IN (";
      bool first = true;
      for (const auto& c : cams) {
        sql += first ? "?" : ", ?";
        first = false;
        params.push_back(c);
      }
      sql += ")";
    }
    sql += " ORDER BY id";
    CUSTODIAN_ASSIGN_OR_RETURN(rows, txn.Query(sql, params));
    return Status::Ok();
  }));
  // A partial Fisher-Yates shuffle over the reads in id order: uniform, and fixed by the seed.
  std::mt19937_64 rng(spec.seed);
  const size_t n = std::min(rows.size(), size_t(spec.sample_size));
  for (size_t i = 0; i < n; ++i) {
    std::uniform_int_distribution<size_t> pick(i, rows.size() - 1);
    std::swap(rows[i], rows[pick(rng)]);
  }
  rows.resize(n);
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return AsInt(a[0]) < AsInt(b[0]); });
  json ids = json::array();
  for (const auto& r : rows) ids.push_back(AsInt(r[0]));
  terms["read_ids"] = ids;
  e.terms = terms.dump();
  e.Allow(int64_t(rows.size()), "accuracy audit started: " + std::to_string(rows.size()) + " reads sampled");
  int64_t id = 0;
  CUSTODIAN_RETURN_IF_ERROR(gov.RecordWith(by, e, [&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(
        id, InsertReturningId(txn,
                              "INSERT INTO accuracy_audits (created_by, created_ms, camera_ids, from_ms, to_ms, "
                              "sample_size) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                              {by.username, ToUnixMillis(gov.clock().Now()), cam_list.dump(), ToUnixMillis(spec.from),
                               ToUnixMillis(spec.to), int64_t(spec.sample_size)},
                              "audit"));
    for (const auto& r : rows) {
      CUSTODIAN_RETURN_IF_ERROR(txn.Query("INSERT INTO accuracy_audit_items (audit_id, read_id, camera_id, plate) "
                                          "VALUES (?, ?, ?, ?)",
                                          {id, AsInt(r[0]), AsString(r[1]), AsString(r[2])})
                                    .status());
    }
    return Status::Ok();
  }));
  return id;
}

Status VerifyItem(Governance& gov, const Principal& by, int64_t audit_id, int64_t read_id, const Verdict& verdict) {
  const std::string case_number = AuditCaseNumber(audit_id);
  const AccessPurpose why{std::string(kPurpose), case_number};
  json terms = {{"audit_id", audit_id}, {"read_id", read_id}, {"verdict", verdict.correct ? "correct" : "wrong"}};
  LogEvent e = gov.Event(by, actions::kAuditVerify, kDenied);
  e.purpose = std::string(kPurpose);
  e.case_number = case_number;
  // The item's class (public safety when the item is unknown: the refusal is still gated).
  std::optional<std::string> plate;
  store::DataClass cls = store::DataClass::kPublicSafety;
  CUSTODIAN_RETURN_IF_ERROR(gov.store().Transact([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT i.plate, c.data_class FROM accuracy_audit_items i "
                                                    "LEFT JOIN cameras c ON c.id = i.camera_id "
                                                    "WHERE i.audit_id = ? AND i.read_id = ?",
                                                    {audit_id, read_id}));
    if (!rows.empty()) {
      plate = AsString(rows[0][0]);
      cls = ClassOf(AsInt(rows[0][1]));
    }
    return Status::Ok();
  }));
  if (plate) terms["plate"] = *plate;
  e.terms = terms.dump();
  CUSTODIAN_RETURN_IF_ERROR(gov.AuthorizePlateData(by, ops::kAccuracyAudit, why, cls, e.terms));
  if (!plate) {
    return LogOutcome(
        gov, by, e, Outcome::Refused(Status::NotFound("read ", read_id, " is not in the sample of audit ", audit_id)));
  }
  std::string true_plate;
  if (!verdict.correct) {
    auto norm = store::NormalisePlate(verdict.true_plate);
    if (!norm.ok() || norm->empty()) {
      return LogOutcome(
          gov, by, e,
          Outcome::Refused(Status::InvalidArgument("a wrong read needs the true plate (letters and digits)")));
    }
    true_plate = *norm;
    terms["true_plate"] = true_plate;
    e.terms = terms.dump();
  }
  e.Allow(1, verdict.correct ? "read verified correct" : "read verified wrong");
  return gov.RecordWith(by, e, [&](Txn& txn) -> Status {
    return txn
        .Query("UPDATE accuracy_audit_items SET verdict = ?, true_plate = ?, verified_by = ?, verified_ms = ? "
               "WHERE audit_id = ? AND read_id = ?",
               {std::string(verdict.correct ? "correct" : "wrong"),
                verdict.correct ? SqlValue(std::monostate{}) : SqlValue(true_plate), by.username,
                ToUnixMillis(gov.clock().Now()), audit_id, read_id})
        .status();
  });
}

Result<AuditResult> AuditAccuracy(Governance& gov, const Principal& by, int64_t audit_id) {
  LogEvent e = gov.Event(by, actions::kAuditReport, kDenied);
  e.terms = json{{"audit_id", audit_id}}.dump();
  e.purpose = std::string(kPurpose);
  e.case_number = AuditCaseNumber(audit_id);
  bool exists = false;
  CUSTODIAN_ASSIGN_OR_RETURN(auto classes, AuditClasses(gov, audit_id, exists));
  if (classes.empty()) classes.insert(store::DataClass::kPublicSafety);
  // The report lists sampled plates: plate data, gated per class.
  for (auto cls : classes) {
    CUSTODIAN_RETURN_IF_ERROR(
        gov.AuthorizePlateData(by, ops::kAccuracyAudit, {std::string(kPurpose), e.case_number}, cls, e.terms));
  }
  if (!exists) return LogOutcome(gov, by, e, Outcome::Refused(Status::NotFound("no accuracy audit ", audit_id)));
  AuditResult out;
  out.audit_id = audit_id;
  CUSTODIAN_RETURN_IF_ERROR(gov.store().Transact([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT read_id, camera_id, plate, verdict, true_plate, verified_by "
                                                    "FROM accuracy_audit_items WHERE audit_id = ? ORDER BY read_id",
                                                    {audit_id}));
    for (const auto& r : rows) {
      AuditItem it;
      store::ColumnsTo(r, 0, it.read_id, it.camera_id, it.plate);
      if (!IsNull(r[3])) it.correct = AsString(r[3]) == "correct";
      store::ColumnsTo(r, 4, it.true_plate, it.verified_by);
      out.items.push_back(std::move(it));
    }
    return Status::Ok();
  }));
  std::map<std::string, CameraAccuracy> per;
  auto count = [](CameraAccuracy& c, const AuditItem& it) {
    ++c.sampled;
    if (it.correct) {
      ++c.verified;
      if (*it.correct) ++c.correct;
    }
  };
  for (const auto& it : out.items) {
    CameraAccuracy& c = per[it.camera_id];
    c.camera_id = it.camera_id;
    count(c, it);
    count(out.overall, it);
  }
  auto finish = [](CameraAccuracy& c) { c.accuracy = c.verified ? double(c.correct) / double(c.verified) : 0.0; };
  for (auto& [id, c] : per) {
    finish(c);
    out.cameras.push_back(c);
  }
  finish(out.overall);
  // The entry names the plates the report releases.
  std::set<std::string> plates;
  for (const auto& it : out.items) plates.insert(it.plate);
  e.terms = json{{"audit_id", audit_id}, {"plates", plates}}.dump();
  CUSTODIAN_RETURN_IF_ERROR(LogOutcome(gov, by, e, Outcome::Released(int64_t(out.items.size()))));
  return out;
}

namespace {

// The data class and plate of read `read_id` (nullopt when there is none).
Result<std::optional<std::pair<store::DataClass, std::string>>> ReadClass(Governance& gov, int64_t read_id) {
  std::optional<std::pair<store::DataClass, std::string>> out;
  CUSTODIAN_RETURN_IF_ERROR(gov.store().Transact([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT data_class, plate FROM reads WHERE id = ?", {read_id}));
    if (!rows.empty()) out.emplace(ClassOf(AsInt(rows[0][0])), AsString(rows[0][1]));
    return Status::Ok();
  }));
  return out;
}

}  // namespace

Result<store::StoredRead> CorrectRead(Governance& gov, const Principal& by, int64_t read_id,
                                      const std::string& new_plate, const std::string& reason,
                                      const std::string& case_reference) {
  const AccessPurpose why{std::string(kPurpose), case_reference};
  json terms = {{"read_id", read_id}, {"new_plate", Clip(new_plate, 64)}, {"reason", Clip(reason)}};
  LogEvent e = gov.Event(by, actions::kReadCorrection, kDenied);
  e.purpose = std::string(kPurpose);
  e.case_number = Clip(case_reference, 64);
  CUSTODIAN_ASSIGN_OR_RETURN(auto read, ReadClass(gov, read_id));
  if (read) terms["old_plate"] = read->second;
  e.terms = terms.dump();
  // An unknown read is still gated (as public safety) before it is reported.
  CUSTODIAN_RETURN_IF_ERROR(gov.AuthorizePlateData(by, ops::kAccuracyAudit, why,
                                                   read ? read->first : store::DataClass::kPublicSafety, e.terms));
  if (!read) return LogOutcome(gov, by, e, Outcome::Refused(Status::NotFound("no read ", read_id)));
  auto norm = store::NormalisePlate(new_plate);
  if (!norm.ok()) return LogOutcome(gov, by, e, Outcome::Refused(norm.status()));
  if (*norm == read->second) {
    return LogOutcome(gov, by, e, Outcome::Refused(Status::InvalidArgument("the read already holds ", *norm)));
  }
  if (reason.empty()) {
    return LogOutcome(gov, by, e, Outcome::Refused(Status::InvalidArgument("a correction needs a reason")));
  }
  terms["new_plate"] = *norm;
  e.terms = terms.dump();
  e.records = 1;
  e.detail = "read " + std::to_string(read_id) + " corrected from " + read->second + " to " + *norm;
  CUSTODIAN_RETURN_IF_ERROR(LogOutcome(gov, by, e, Outcome::Allowed()));
  auto fixed = gov.store().CorrectRead(read_id, new_plate, reason, by.username);
  if (!fixed.ok()) return LogOutcome(gov, by, e, Outcome::Failed(fixed.status()));
  return fixed;
}

Result<std::vector<store::ReadCorrection>> ReadHistory(Governance& gov, const Principal& by, int64_t read_id,
                                                       const std::string& case_reference) {
  const AccessPurpose why{std::string(kPurpose), case_reference};
  LogEvent e = gov.Event(by, actions::kReadHistory, kDenied);
  e.purpose = std::string(kPurpose);
  e.case_number = Clip(case_reference, 64);
  e.terms = json{{"read_id", read_id}}.dump();
  CUSTODIAN_ASSIGN_OR_RETURN(auto read, ReadClass(gov, read_id));
  CUSTODIAN_RETURN_IF_ERROR(gov.AuthorizePlateData(by, ops::kAccuracyAudit, why,
                                                   read ? read->first : store::DataClass::kPublicSafety, e.terms));
  if (!read) return LogOutcome(gov, by, e, Outcome::Refused(Status::NotFound("no read ", read_id)));
  CUSTODIAN_ASSIGN_OR_RETURN(auto history, gov.store().ReadHistory(read_id));
  CUSTODIAN_RETURN_IF_ERROR(LogOutcome(gov, by, e, Outcome::Released(int64_t(history.size()))));
  return history;
}

}  // namespace custodian::policy
