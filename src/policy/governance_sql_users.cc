// The governance tables: accounts (users) and agencies. Every statement on them that the
// governance files run (see governance_internal.h).
#include "policy/governance_internal.h"

namespace custodian::policy::governance_internal {

using store::AsInt;
using store::AsString;
using store::IsNull;
using store::SqlRow;
using store::SqlValue;
using store::Txn;

namespace {

Result<UserState> ParseState(const std::string& s) {
  if (s == "active") return UserState::kActive;
  if (s == "locked") return UserState::kLocked;
  if (s == "disabled") return UserState::kDisabled;
  if (s == "separated") return UserState::kSeparated;
  return Status::Internal("unknown account state '", s, "'");
}

SqlValue OptMs(const std::optional<TimePoint>& t) {
  return t ? SqlValue(ToUnixMillis(*t)) : SqlValue();
}

}  // namespace

std::optional<TimePoint> OptTime(const SqlValue& v) {
  if (IsNull(v)) return std::nullopt;
  return FromUnixMillis(AsInt(v));
}

Result<UserRow> DecodeUser(const SqlRow& r) {
  UserRow u;
  store::ColumnsTo(r, 0, u.info.id, u.info.username, u.info.full_name, u.info.agency_code);
  CUSTODIAN_ASSIGN_OR_RETURN(u.info.role, ParseRole(AsString(r[4])));
  CUSTODIAN_ASSIGN_OR_RETURN(u.info.state, ParseState(AsString(r[5])));
  store::ColumnsTo(r, 6, u.info.state_reason, u.password_hash, u.info.password_set_at, u.info.must_change_password,
                   u.totp_secret, u.totp_last_step, u.info.supervisor, u.info.created_at);
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

Result<std::vector<UserRow>> AllUsers(Txn& txn) {
  CUSTODIAN_ASSIGN_OR_RETURN(
      auto rows, txn.Query(std::string("SELECT ") + kUserColumns + " FROM users u ORDER BY u.username", {}));
  std::vector<UserRow> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    CUSTODIAN_ASSIGN_OR_RETURN(UserRow u, DecodeUser(r));
    out.push_back(std::move(u));
  }
  return out;
}

Result<int64_t> CountUsers(Txn& txn) {
  CUSTODIAN_ASSIGN_OR_RETURN(auto n, txn.Query("SELECT COUNT(*) FROM users", {}));
  return AsInt(n[0][0]);
}

Result<bool> UsernameTaken(Txn& txn, const std::string& username) {
  CUSTODIAN_ASSIGN_OR_RETURN(auto have, txn.Query("SELECT 1 FROM users WHERE username = ?", {username}));
  return !have.empty();
}

Status InsertFirstCoordinator(Txn& txn, const std::string& username, const std::string& full_name,
                              const std::string& agency_code, const std::string& password_hash, int64_t now_ms) {
  return Exec(txn,
              "INSERT INTO users (username, full_name, agency_code, role, state, password_hash, password_set_ms, "
              "must_change_password, created_by, created_ms) VALUES (?, ?, ?, 'coordinator', 'active', ?, ?, 1, "
              "'system', ?)",
              {username, full_name, agency_code, password_hash, now_ms, now_ms});
}

Status InsertUser(Txn& txn, const UserSpec& spec, const std::string& password_hash, const std::string& created_by,
                  int64_t now_ms) {
  return Exec(txn,
              "INSERT INTO users (username, full_name, agency_code, role, state, password_hash, password_set_ms, "
              "must_change_password, supervisor, created_by, created_ms, access_expires_ms, background_check_ms, "
              "cjis_addendum_ms) VALUES (?, ?, ?, ?, 'active', ?, ?, 1, ?, ?, ?, ?, ?, ?)",
              {spec.username, spec.full_name, spec.agency_code, std::string(RoleName(spec.role)), password_hash, now_ms,
               spec.supervisor, created_by, now_ms, OptMs(spec.access_expires), OptMs(spec.background_check),
               OptMs(spec.cjis_addendum)});
}

Status UpdateRole(Txn& txn, int64_t user_id, Role role) {
  return Exec(txn, "UPDATE users SET role = ? WHERE id = ?", {std::string(RoleName(role)), user_id});
}

Status UpdateState(Txn& txn, int64_t user_id, UserState state, const std::string& reason) {
  return Exec(txn, "UPDATE users SET state = ?, state_reason = ? WHERE id = ?",
              {std::string(UserStateName(state)), reason, user_id});
}

Status Reactivate(Txn& txn, int64_t user_id, int64_t now_ms) {
  return Exec(txn, "UPDATE users SET state = 'active', state_reason = '', last_logon_ms = ? WHERE id = ?",
              {now_ms, user_id});
}

Result<bool> LockIfActive(Txn& txn, int64_t user_id, const std::string& reason) {
  CUSTODIAN_ASSIGN_OR_RETURN(
      auto changed,
      txn.Query("UPDATE users SET state = 'locked', state_reason = ? WHERE id = ? AND state = 'active' RETURNING id",
                {reason, user_id}));
  return !changed.empty();
}

Result<std::vector<std::pair<int64_t, std::string>>> ActiveUsersIdleBefore(Txn& txn, int64_t cutoff_ms) {
  CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT id, username FROM users WHERE state = 'active' AND "
                                                  "COALESCE(last_logon_ms, created_ms) < ?",
                                                  {cutoff_ms}));
  std::vector<std::pair<int64_t, std::string>> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.emplace_back(AsInt(r[0]), AsString(r[1]));
  return out;
}

Status ForcePasswordChange(Txn& txn, int64_t user_id) {
  return Exec(txn, "UPDATE users SET must_change_password = 1 WHERE id = ?", {user_id});
}

Status UpdatePassword(Txn& txn, int64_t user_id, const std::string& password_hash, int64_t now_ms, bool must_change) {
  return Exec(txn, "UPDATE users SET password_hash = ?, password_set_ms = ?, must_change_password = ? WHERE id = ?",
              {password_hash, now_ms, int64_t(must_change ? 1 : 0), user_id});
}

Result<std::optional<std::string>> PasswordHashOf(Txn& txn, int64_t user_id) {
  CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT password_hash FROM users WHERE id = ?", {user_id}));
  if (rows.empty()) return std::optional<std::string>();
  return std::optional<std::string>(AsString(rows[0][0]));
}

Result<std::string> FullNameOf(Txn& txn, int64_t user_id) {
  CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT full_name FROM users WHERE id = ?", {user_id}));
  return rows.empty() ? std::string() : AsString(rows[0][0]);
}

Result<bool> RecordLogon(Txn& txn, int64_t user_id, int64_t now_ms, int64_t step, bool step_unused) {
  CUSTODIAN_ASSIGN_OR_RETURN(
      auto changed,
      txn.Query(
          std::string("UPDATE users SET last_logon_ms = ?, totp_last_step = ? WHERE id = ? AND state = 'active'") +
              (step_unused ? " AND totp_last_step < ?" : "") + " RETURNING id",
          step_unused ? std::vector<SqlValue>{now_ms, step, user_id, step}
                      : std::vector<SqlValue>{now_ms, step, user_id}));
  return !changed.empty();
}

Result<std::string> TotpSecretOf(Txn& txn, int64_t user_id) {
  CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT totp_secret FROM users WHERE id = ?", {user_id}));
  return rows.empty() ? std::string() : AsString(rows[0][0]);
}

Status SetTotpSecret(Txn& txn, int64_t user_id, const std::string& sealed) {
  return Exec(txn, "UPDATE users SET totp_secret = ? WHERE id = ?", {sealed, user_id});
}

Status ClearTotpSecret(Txn& txn, int64_t user_id) {
  return Exec(txn, "UPDATE users SET totp_secret = NULL WHERE id = ?", {user_id});
}

Status ConfirmTotpSecret(Txn& txn, int64_t user_id, const std::string& sealed, int64_t step) {
  return Exec(txn, "UPDATE users SET totp_secret = ?, totp_last_step = ? WHERE id = ?", {sealed, step, user_id});
}

Status ResealTotpSecret(Txn& txn, int64_t user_id, const std::string& sealed, const std::string& was) {
  return Exec(txn, "UPDATE users SET totp_secret = ? WHERE id = ? AND totp_secret = ?", {sealed, user_id, was});
}

Result<int64_t> CountOtherApprovers(Txn& txn, const std::string& a, const std::string& b,
                                    const std::optional<std::string>& supervisor) {
  CUSTODIAN_ASSIGN_OR_RETURN(
      auto n, txn.Query(std::string("SELECT COUNT(*) FROM users WHERE state = 'active' AND username <> ? AND "
                                    "username <> ? AND (role = 'coordinator'") +
                            (supervisor ? " OR username = ?)" : ")"),
                        supervisor ? std::vector<SqlValue>{a, b, *supervisor} : std::vector<SqlValue>{a, b}));
  return AsInt(n[0][0]);
}

Result<bool> AgencyExists(Txn& txn, const std::string& code) {
  CUSTODIAN_ASSIGN_OR_RETURN(auto ag, txn.Query("SELECT 1 FROM agencies WHERE code = ?", {code}));
  return !ag.empty();
}

Result<std::optional<std::pair<std::string, std::string>>> AgencyStateAndKind(Txn& txn, const std::string& code) {
  using Found = std::optional<std::pair<std::string, std::string>>;
  CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT state, kind FROM agencies WHERE code = ?", {code}));
  if (rows.empty()) return Found();
  return Found(std::make_pair(AsString(rows[0][0]), AsString(rows[0][1])));
}

Status MarkHomeAgency(Txn& txn, const std::string& code) {
  return Exec(txn, "UPDATE agencies SET home = 1 WHERE code = ?", {code});
}

Result<std::string> HomeAgencyCode(Txn& txn) {
  CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT code FROM agencies WHERE home = 1", {}));
  return rows.empty() ? std::string() : AsString(rows[0][0]);
}

}  // namespace custodian::policy::governance_internal
