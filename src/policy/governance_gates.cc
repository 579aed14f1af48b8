// Governance: authorisation and the plate-data gates (signed acknowledgment with two
// approvals, current training, purpose and case number).
#include "policy/governance_internal.h"

#include <algorithm>
#include <cctype>

#include "custodian/policy/plate_data_actions.h"

namespace custodian::policy {

using json = nlohmann::json;
using store::Txn;
using namespace governance_internal;
using internal::Sha256Hex;

Status Governance::Authorize(const Principal& who, std::string_view op, std::optional<store::DataClass> data_class,
                             const LogEvent& on_denial) {
  auto deny = [&](const std::string& why) {
    return LogOutcome(*this, who, on_denial, Outcome::Refused(Status::PermissionDenied(why)));
  };
  if (who.system) {
    // Maintenance jobs administer; they never read plate data.
    if (op == ops::kManageRetention || op == ops::kViewAccessLog || op == ops::kSystemAdmin ||
        op == ops::kManageUsers) {
      return Status::Ok();
    }
    return deny("the system account may not " + std::string(op));
  }
  if (who.must_change_password) return deny("the password must be changed before anything else");
  if (who.must_enrol_totp) return deny("multi-factor authentication must be enrolled before anything else");
  if (!matrix_.Allows(who.role, op, data_class)) {
    std::string why = "role " + std::string(RoleName(who.role)) + " may not " + std::string(op);
    if (matrix_.Scoped(op) && data_class) why += " on " + std::string(store::DataClassName(*data_class)) + " data";
    return deny(why);
  }
  return Status::Ok();
}

Status Governance::AuthorizePlateData(const Principal& who, std::string_view op, const AccessPurpose& why,
                                      std::optional<store::DataClass> data_class, const std::string& terms_json) {
  // Refusals are logged under `op`, which reports and flags must count: a declared gate.
  if (op.empty() || std::none_of(std::begin(kPlateDataActions), std::end(kPlateDataActions),
                                 [&](const PlateDataAction& a) { return a.gate == op; })) {
    return Status::Internal("operation '", op, "' is not the gate of a plate-data action in plate_data_actions.h");
  }
  LogEvent e = Event(who, op, kDenied);
  e.terms = terms_json;
  e.purpose = Clip(why.purpose);
  e.case_number = Clip(why.case_number);
  CUSTODIAN_RETURN_IF_ERROR(Authorize(who, op, data_class, e));
  if (Status p = purposes_.Check(why.purpose, why.case_number); !p.ok()) {
    return LogOutcome(*this, who, e, Outcome::Refused(p));
  }
  return CheckGates(who, e);
}

Status Governance::CheckGates(const Principal& who, LogEvent e) {
  auto deny = [&](Status denial) { return LogOutcome(*this, who, e, Outcome::Refused(std::move(denial))); };
  if (who.system) return deny(Status::PermissionDenied("the system account never reads plate data"));
  UserInfo u;
  Status st = store_.ReadOnly([&](Txn& txn) -> Status {
    u.id = who.user_id;
    return LoadGates(txn, u);
  });
  if (!st.ok()) return st;
  if (!u.acknowledgment_signed) {
    return deny(Status::PermissionDenied("the ALPR policy acknowledgment has not been signed"));
  }
  if (!u.supervisor_approved || !u.coordinator_approved) {
    return deny(Status::PermissionDenied("the acknowledgment awaits ",
                                         !u.supervisor_approved ? "supervisor" : "coordinator", " approval"));
  }
  const TimePoint now = options_.clock->Now();
  if (!u.training_completed || *u.training_completed + options_.training_valid_for <= now) {
    return deny(Status::PermissionDenied(u.training_completed ? "ALPR training lapsed; annual training is due"
                                                              : "ALPR training has not been completed"));
  }
  return Status::Ok();
}

// ---- Gates ----

Status Governance::SignAcknowledgment(const Principal& who, const AcknowledgmentSignature& s) {
  if (who.system || who.user_id == 0) return Status::PermissionDenied("the system account signs nothing");
  LogEvent e = Event(who, "sign_acknowledgment", kDenied);
  for (int i = 0; i < 4; ++i) {
    if (!s.statements[i]) {
      return LogOutcome(*this, who, e,
                        Outcome::Refused(Status::InvalidArgument("every statement of the acknowledgment must be "
                                                                 "accepted (statement ",
                                                                 i + 1, " was not)"))
                            .Detail("statement " + std::to_string(i + 1) + " not accepted"));
    }
  }
  std::string full_name;
  CUSTODIAN_RETURN_IF_ERROR(store_.Transact([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(full_name, FullNameOf(txn, who.user_id));
    return Status::Ok();
  }));
  auto fold = [](const std::string& x) {
    std::string out;
    for (unsigned char c : x) {
      if (!std::isspace(c)) out += char(std::tolower(c));
    }
    return out;
  };
  if (s.typed_name.empty() || fold(s.typed_name) != fold(full_name)) {
    Status refusal = Status::InvalidArgument("type your full name as on your account (", full_name, ")");
    return LogOutcome(*this, who, e, Outcome::Refused(refusal).Detail("typed name does not match the account"));
  }
  json statements = json::array();
  for (const char* st : kAcknowledgmentStatements) statements.push_back(st);
  const std::string policy_sha = Sha256Hex(options_.policy_text);
  e.outcome = std::string(kAllowed);
  e.detail = "acknowledgment signed (policy text sha256 " + policy_sha.substr(0, 16) + "...)";
  return RecordWith(who, e, [&](Txn& txn) {
    return InsertAcknowledgment(txn, who.user_id, statements.dump(), Clip(s.typed_name), policy_sha,
                                ToUnixMillis(e.at));
  });
}

Status Governance::ApproveAcknowledgment(const Principal& by, const std::string& username, Approval as) {
  const char* action = as == Approval::kSupervisor ? "approve_acknowledgment_supervisor"
                                                   : "approve_acknowledgment_coordinator";
  LogEvent e = Event(by, action, kDenied);
  e.terms = json{{"username", Clip(username)}}.dump();
  if (as == Approval::kCoordinator && by.role != Role::kCoordinator) {
    return LogOutcome(*this, by, e,
                      Outcome::Refused(Status::PermissionDenied(
                          "only the ALPR coordinator gives the coordinator approval")));
  }
  CUSTODIAN_RETURN_IF_ERROR(Authorize(by, ops::kApproveAcknowledgments, std::nullopt, e));
  if (by.username == username) {
    return LogOutcome(*this, by, e,
                      Outcome::Refused(Status::PermissionDenied("a user cannot approve their own acknowledgment")));
  }
  e.Allow(1, as == Approval::kSupervisor ? "supervisor approval" : "coordinator approval");
  Status st = RecordWith(by, e, [&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto u, FindUser(txn, username));
    if (!u) return Status::NotFound("no user '", Clip(username), "'");
    if (as == Approval::kSupervisor && !u->info.supervisor.empty() && u->info.supervisor != by.username &&
        by.role != Role::kCoordinator) {
      return Status::PermissionDenied("the supervisor of record (", u->info.supervisor, ") approves this acknowledgment");
    }
    CUSTODIAN_ASSIGN_OR_RETURN(auto ack, LatestAcknowledgment(txn, u->info.id));
    if (!ack) return Status::InvalidArgument(username, " has not signed the acknowledgment");
    // Two people approve: whoever gave the other approval of this acknowledgment may not
    // give this one too while someone else could (another active coordinator; for the
    // supervisor approval also the supervisor of record).
    const bool supervisor = as == Approval::kSupervisor;
    const std::optional<std::string>& other = supervisor ? ack->coordinator : ack->supervisor;
    if (other && *other == by.username) {
      CUSTODIAN_ASSIGN_OR_RETURN(int64_t n, CountOtherApprovers(txn, by.username, username,
                                                                supervisor ? std::optional(u->info.supervisor)
                                                                           : std::nullopt));
      if (n > 0) {
        return Status::PermissionDenied(by.username, " gave the other approval of this acknowledgment; a second "
                                        "approver gives this one");
      }
    }
    return RecordApproval(txn, ack->id, as, by.username, ToUnixMillis(e.at));
  });
  if (st.code() == StatusCode::kPermissionDenied) return LogOutcome(*this, by, e, Outcome::Refused(st));
  return st;
}

Status Governance::RecordTraining(const Principal& by, const std::string& username, const std::string& course,
                                  TimePoint completed) {
  LogEvent e = Event(by, "record_training", kDenied);
  e.terms = json{{"username", Clip(username)}, {"course", Clip(course)}}.dump();
  CUSTODIAN_RETURN_IF_ERROR(Authorize(by, ops::kRecordTraining, std::nullopt, e));
  CUSTODIAN_RETURN_IF_ERROR(CheckText("course", course, 200));
  if (completed > options_.clock->Now()) return Status::InvalidArgument("training cannot be completed in the future");
  e.Allow(1, "training completed " + std::to_string(ToUnixMillis(completed)));
  return RecordWith(by, e, [&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto u, FindUser(txn, username));
    if (!u) return Status::NotFound("no user '", Clip(username), "'");
    return InsertTraining(txn, u->info.id, course, ToUnixMillis(completed), by.username, ToUnixMillis(e.at));
  });
}

Result<std::vector<TrainingStatus>> Governance::TrainingReport(const Principal& by, std::chrono::days due_within) {
  LogEvent e = Event(by, "training_report", kDenied);
  if (!matrix_.Allows(by.role, ops::kRecordTraining) || by.system) {
    CUSTODIAN_RETURN_IF_ERROR(Authorize(by, ops::kAccessReports, std::nullopt, e));
  } else {
    CUSTODIAN_RETURN_IF_ERROR(Authorize(by, ops::kRecordTraining, std::nullopt, e));
  }
  const TimePoint now = options_.clock->Now();
  std::vector<TrainingStatus> out;
  e.outcome = std::string(kAllowed);
  CUSTODIAN_RETURN_IF_ERROR(LoggedTransact([&](Txn& txn, Heads& heads) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(std::vector<TrainingRow> rows, LatestTraining(txn));
    for (TrainingRow& r : rows) {
      TrainingStatus s{std::move(r.username), std::move(r.full_name), r.completed, std::nullopt, false};
      if (s.completed) s.due = *s.completed + options_.training_valid_for;
      s.lapsed = !s.due || *s.due <= now;
      if (s.lapsed || *s.due <= now + due_within) out.push_back(std::move(s));
    }
    e.records = int64_t(out.size());
    e.detail = "training due within " + std::to_string(due_within.count()) + " days";
    return Append(txn, e, heads);
  }));
  return out;
}

Result<GateReport> Governance::Gates(const Principal& who) {
  GateReport g;
  if (who.system) {
    g.missing.push_back("the system account never reads plate data");
    return g;
  }
  if (who.must_change_password) g.missing.push_back("change your password");
  if (who.must_enrol_totp) g.missing.push_back("enrol multi-factor authentication");
  UserInfo u;
  u.id = who.user_id;
  CUSTODIAN_RETURN_IF_ERROR(store_.ReadOnly([&](Txn& txn) { return LoadGates(txn, u); }));
  if (!u.acknowledgment_signed) g.missing.push_back("sign the ALPR policy acknowledgment");
  if (u.acknowledgment_signed && !u.supervisor_approved) g.missing.push_back("supervisor approval of the acknowledgment");
  if (u.acknowledgment_signed && !u.coordinator_approved) {
    g.missing.push_back("coordinator approval of the acknowledgment");
  }
  if (!u.training_completed || *u.training_completed + options_.training_valid_for <= options_.clock->Now()) {
    g.missing.push_back(u.training_completed ? "annual ALPR training (lapsed)" : "ALPR training");
  }
  return g;
}

}  // namespace custodian::policy
