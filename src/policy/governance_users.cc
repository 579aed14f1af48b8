// The account rows the governance layer reads (users, with their acknowledgment and
// training gates).
#include "policy/governance_internal.h"

namespace custodian::policy {

using store::AsInt;
using store::AsString;
using store::IsNull;
using store::SqlRow;
using store::SqlValue;
using store::Txn;
using namespace governance_internal;

namespace governance_internal {

Status CheckText(std::string_view what, const std::string& s, size_t max) {
  if (s.empty() || s.size() > max) return Status::InvalidArgument(what, " must have 1..", max, " characters");
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return Status::InvalidArgument(what, " contains a control character");
  }
  return Status::Ok();
}

std::optional<TimePoint> OptTime(const SqlValue& v) {
  if (IsNull(v)) return std::nullopt;
  return FromUnixMillis(AsInt(v));
}

namespace {

Result<UserState> ParseState(const std::string& s) {
  if (s == "active") return UserState::kActive;
  if (s == "locked") return UserState::kLocked;
  if (s == "disabled") return UserState::kDisabled;
  if (s == "separated") return UserState::kSeparated;
  return Status::Internal("unknown account state '", s, "'");
}

}  // namespace

Result<UserRow> DecodeUser(const SqlRow& r) {
  UserRow u;
  u.info.id = AsInt(r[0]);
  u.info.username = AsString(r[1]);
  u.info.full_name = AsString(r[2]);
  u.info.agency_code = AsString(r[3]);
  CUSTODIAN_ASSIGN_OR_RETURN(u.info.role, ParseRole(AsString(r[4])));
  CUSTODIAN_ASSIGN_OR_RETURN(u.info.state, ParseState(AsString(r[5])));
  u.info.state_reason = AsString(r[6]);
  u.password_hash = AsString(r[7]);
  u.info.password_set_at = FromUnixMillis(AsInt(r[8]));
  u.info.must_change_password = AsInt(r[9]) != 0;
  u.totp_secret = AsString(r[10]);
  u.totp_last_step = AsInt(r[11]);
  u.info.supervisor = AsString(r[12]);
  u.info.created_at = FromUnixMillis(AsInt(r[13]));
  u.info.last_logon = OptTime(r[14]);
  u.info.access_expires = OptTime(r[15]);
  u.info.background_check = OptTime(r[16]);
  u.info.cjis_addendum = OptTime(r[17]);
  u.info.totp_enrolled = !u.totp_secret.empty() && u.totp_secret.rfind("pending:", 0) != 0;
  return u;
}

Result<std::optional<UserRow>> FindUser(Txn& txn, const std::string& username) {
  CUSTODIAN_ASSIGN_OR_RETURN(
      auto rows, txn.Query(std::string("SELECT ") + kUserColumns + " FROM users u WHERE u.username = ?", {username}));
  if (rows.empty()) return std::optional<UserRow>();
  CUSTODIAN_ASSIGN_OR_RETURN(UserRow u, DecodeUser(rows[0]));
  return std::optional<UserRow>(std::move(u));
}

Status LoadGates(Txn& txn, UserInfo& u) {
  CUSTODIAN_ASSIGN_OR_RETURN(auto ack, txn.Query("SELECT supervisor_ms, coordinator_ms FROM acknowledgments "
                                                 "WHERE user_id = ? ORDER BY id DESC LIMIT 1",
                                                 {u.id}));
  u.acknowledgment_signed = !ack.empty();
  u.supervisor_approved = !ack.empty() && !IsNull(ack[0][0]);
  u.coordinator_approved = !ack.empty() && !IsNull(ack[0][1]);
  CUSTODIAN_ASSIGN_OR_RETURN(auto tr, txn.Query("SELECT MAX(completed_ms) FROM training_records WHERE user_id = ?",
                                                {u.id}));
  u.training_completed = tr.empty() ? std::nullopt : OptTime(tr[0][0]);
  return Status::Ok();
}

}  // namespace governance_internal

}  // namespace custodian::policy
