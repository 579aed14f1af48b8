// The governance tables: acknowledgments and training records. Every statement on them
// that the governance files run (see governance_internal.h).
#include "policy/governance_internal.h"

namespace custodian::policy::governance_internal {

using store::AsInt;
using store::AsString;
using store::IsNull;
using store::Txn;

Status LoadGates(Txn& txn, UserInfo& u) {
  CUSTODIAN_ASSIGN_OR_RETURN(auto ack, txn.Query("SELECT supervisor_ms, coordinator_ms FROM acknowledgments "
                                                 "WHERE user_id = ? ORDER BY id DESC LIMIT 1",
                                                 {u.id}));
  u.acknowledgment_signed = !ack.empty();
  u.supervisor_approved = !ack.empty() && !IsNull(ack[0][0]);
  u.coordinator_approved = !ack.empty() && !IsNull(ack[0][1]);
  CUSTODIAN_ASSIGN_OR_RETURN(auto tr,
                             txn.Query("SELECT MAX(completed_ms) FROM training_records WHERE user_id = ?", {u.id}));
  u.training_completed = tr.empty() ? std::nullopt : OptTime(tr[0][0]);
  return Status::Ok();
}

Status InsertAcknowledgment(Txn& txn, int64_t user_id, const std::string& statements_json,
                            const std::string& typed_name, const std::string& policy_sha256, int64_t signed_ms) {
  return Exec(txn,
              "INSERT INTO acknowledgments (user_id, statements, typed_name, policy_sha256, signed_ms) "
              "VALUES (?, ?, ?, ?, ?)",
              {user_id, statements_json, typed_name, policy_sha256, signed_ms});
}

Result<std::optional<AcknowledgmentRow>> LatestAcknowledgment(Txn& txn, int64_t user_id) {
  CUSTODIAN_ASSIGN_OR_RETURN(auto ack, txn.Query("SELECT id, supervisor, coordinator FROM acknowledgments WHERE "
                                                 "user_id = ? ORDER BY id DESC LIMIT 1",
                                                 {user_id}));
  if (ack.empty()) return std::optional<AcknowledgmentRow>();
  AcknowledgmentRow a;
  a.id = AsInt(ack[0][0]);
  if (!IsNull(ack[0][1])) a.supervisor = AsString(ack[0][1]);
  if (!IsNull(ack[0][2])) a.coordinator = AsString(ack[0][2]);
  return std::optional<AcknowledgmentRow>(std::move(a));
}

Status RecordApproval(Txn& txn, int64_t acknowledgment_id, Approval as, const std::string& by, int64_t at_ms) {
  const char* sql = as == Approval::kSupervisor
                        ? "UPDATE acknowledgments SET supervisor = ?, supervisor_ms = ? WHERE id = ?"
                        : "UPDATE acknowledgments SET coordinator = ?, coordinator_ms = ? WHERE id = ?";
  return Exec(txn, sql, {by, at_ms, acknowledgment_id});
}

Status InsertTraining(Txn& txn, int64_t user_id, const std::string& course, int64_t completed_ms,
                      const std::string& recorded_by, int64_t recorded_ms) {
  return Exec(txn,
              "INSERT INTO training_records (user_id, course, completed_ms, recorded_by, recorded_ms) VALUES (?, ?, ?, "
              "?, ?)",
              {user_id, course, completed_ms, recorded_by, recorded_ms});
}

Result<std::vector<TrainingRow>> LatestTraining(Txn& txn) {
  CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT u.username, u.full_name, MAX(t.completed_ms) FROM users u "
                                                  "LEFT JOIN training_records t ON t.user_id = u.id WHERE u.state "
                                                  "IN ('active', 'locked') GROUP BY u.username, u.full_name "
                                                  "ORDER BY u.username",
                                                  {}));
  std::vector<TrainingRow> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back({AsString(r[0]), AsString(r[1]), OptTime(r[2])});
  return out;
}

}  // namespace custodian::policy::governance_internal
