// The governance tables: sessions and failed logons. Every statement on them that the
// governance files run (see governance_internal.h).
#include "policy/governance_internal.h"

namespace custodian::policy::governance_internal {

using store::AsInt;
using store::AsString;
using store::IsNull;
using store::SqlRow;
using store::Txn;

Result<std::optional<SessionRow>> FindSession(Txn& txn, const std::string& token_sha) {
  CUSTODIAN_ASSIGN_OR_RETURN(
      auto rows,
      txn.Query("SELECT s.created_ms, s.last_seen_ms, s.ended_ms, s.end_reason, " + std::string(kUserColumns) +
                    " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_sha = ?",
                {token_sha}));
  if (rows.empty()) return std::optional<SessionRow>();
  const SqlRow& r = rows[0];
  SessionRow s;
  s.created_ms = AsInt(r[0]);
  s.last_seen_ms = AsInt(r[1]);
  s.ended = !IsNull(r[2]);
  s.end_reason = AsString(r[3]);
  // The account matters only while the session is live.
  if (!s.ended) {
    SqlRow user_cols(r.begin() + 4, r.end());
    CUSTODIAN_ASSIGN_OR_RETURN(s.user, DecodeUser(user_cols));
  }
  return std::optional<SessionRow>(std::move(s));
}

Status InsertSession(Txn& txn, const std::string& token_sha, int64_t user_id, const std::string& source,
                     int64_t now_ms) {
  return Exec(txn, "INSERT INTO sessions (token_sha, user_id, source, created_ms, last_seen_ms) VALUES (?, ?, ?, ?, ?)",
              {token_sha, user_id, source, now_ms, now_ms});
}

Status TouchSession(Txn& txn, const std::string& token_sha, int64_t now_ms) {
  return Exec(txn, "UPDATE sessions SET last_seen_ms = ? WHERE token_sha = ?", {now_ms, token_sha});
}

Status EndSession(Txn& txn, const std::string& token_sha, int64_t now_ms, const std::string& reason) {
  return Exec(txn, "UPDATE sessions SET ended_ms = ?, end_reason = ? WHERE token_sha = ? AND ended_ms IS NULL",
              {now_ms, reason, token_sha});
}

Status EndSessions(Txn& txn, int64_t user_id, int64_t now_ms, const std::string& reason,
                   const std::string& except_sha) {
  if (!except_sha.empty()) {
    return Exec(txn,
                "UPDATE sessions SET ended_ms = ?, end_reason = ? WHERE user_id = ? AND token_sha <> ? AND ended_ms IS "
                "NULL",
                {now_ms, reason, user_id, except_sha});
  }
  return Exec(txn, "UPDATE sessions SET ended_ms = ?, end_reason = ? WHERE user_id = ? AND ended_ms IS NULL",
              {now_ms, reason, user_id});
}

Status InsertFailedLogon(Txn& txn, int64_t user_id, int64_t at_ms) {
  return Exec(txn, "INSERT INTO failed_logons (user_id, at_ms) VALUES (?, ?)", {user_id, at_ms});
}

Result<int64_t> FailedLogonsAfter(Txn& txn, int64_t user_id, int64_t after_ms) {
  CUSTODIAN_ASSIGN_OR_RETURN(
      auto n, txn.Query("SELECT COUNT(*) FROM failed_logons WHERE user_id = ? AND at_ms > ?", {user_id, after_ms}));
  return AsInt(n[0][0]);
}

Status ClearFailedLogons(Txn& txn, int64_t user_id) {
  return Exec(txn, "DELETE FROM failed_logons WHERE user_id = ?", {user_id});
}

}  // namespace custodian::policy::governance_internal
