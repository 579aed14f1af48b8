// What the governance files share (governance.cc and governance_*.cc: accounts, sessions,
// MFA, gates, plate access, the access log). Internal to src/policy.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "custodian/policy/governance.h"
#include "custodian/store/database.h"
#include "policy/policy_util.h"

namespace custodian::policy {

namespace governance_internal {

using internal::LogOutcome;
using internal::Outcome;

constexpr int64_t kMsPerMinute = 60'000;

// OK when `s` has 1..max characters and no control character.
Status CheckText(std::string_view what, const std::string& s, size_t max);

// A value safe to repeat in a log entry: at most 64 bytes of what was given.
inline std::string Clip(std::string_view s) { return std::string(s.substr(0, 64)); }

// ---- The governance tables: the statements the governance files run on accounts,
// sessions and the gates' records, one file per table group; each runs in the caller's
// transaction ----

// Accounts and agencies (governance_sql_users.cc).

// An account as stored, with what never leaves the governance layer.
struct UserRow {
  UserInfo info;
  std::string password_hash;
  std::string totp_secret;  // sealed; "" when none
  int64_t totp_last_step = 0;
};

// The account named `username`; nullopt when none.
Result<std::optional<UserRow>> FindUser(store::Txn& txn, const std::string& username);
// Every account, by username.
Result<std::vector<UserRow>> AllUsers(store::Txn& txn);
Result<int64_t> CountUsers(store::Txn& txn);
// Whether `username` was ever used (usernames are never reused).
Result<bool> UsernameTaken(store::Txn& txn, const std::string& username);
// The installation's first account: a coordinator who must change the password.
Status InsertFirstCoordinator(store::Txn& txn, const std::string& username, const std::string& full_name,
                              const std::string& agency_code, const std::string& password_hash, int64_t now_ms);
// An account created by `created_by`, who must change the password.
Status InsertUser(store::Txn& txn, const UserSpec& spec, const std::string& password_hash,
                  const std::string& created_by, int64_t now_ms);
Status UpdateRole(store::Txn& txn, int64_t user_id, Role role);
Status UpdateState(store::Txn& txn, int64_t user_id, UserState state, const std::string& reason);
// Back to active (no reason), its inactivity period starting again at `now_ms`.
Status Reactivate(store::Txn& txn, int64_t user_id, int64_t now_ms);
// Locks the account when it is active. Whether this call locked it.
Result<bool> LockIfActive(store::Txn& txn, int64_t user_id, const std::string& reason);
// The active accounts with no logon (or creation, when never) before `cutoff_ms`: ids and
// usernames.
Result<std::vector<std::pair<int64_t, std::string>>> ActiveUsersIdleBefore(store::Txn& txn, int64_t cutoff_ms);
Status ForcePasswordChange(store::Txn& txn, int64_t user_id);
// A new password hash, set at `now_ms`; `must_change`: a change is forced at next logon.
Status UpdatePassword(store::Txn& txn, int64_t user_id, const std::string& password_hash, int64_t now_ms,
                      bool must_change);
// The password hash; nullopt when the account is gone.
Result<std::optional<std::string>> PasswordHashOf(store::Txn& txn, int64_t user_id);
// The full name; "" when the account is gone.
Result<std::string> FullNameOf(store::Txn& txn, int64_t user_id);
// The logon of an active account at `now_ms` with one-time code step `step`. With
// `step_unused`, only while the step is later than the last one used (of two logons with
// one code, one wins). Whether the account was still active (and the step unused).
Result<bool> RecordLogon(store::Txn& txn, int64_t user_id, int64_t now_ms, int64_t step, bool step_unused);
// The sealed MFA secret ("" when none, or the account is gone).
Result<std::string> TotpSecretOf(store::Txn& txn, int64_t user_id);
// Sets the sealed MFA secret ("pending:..." while enrolling).
Status SetTotpSecret(store::Txn& txn, int64_t user_id, const std::string& sealed);
Status ClearTotpSecret(store::Txn& txn, int64_t user_id);
// The enrolled secret and the step of the code that confirmed it.
Status ConfirmTotpSecret(store::Txn& txn, int64_t user_id, const std::string& sealed, int64_t step);
// The secret resealed, unless it changed meanwhile (still `was`).
Status ResealTotpSecret(store::Txn& txn, int64_t user_id, const std::string& sealed, const std::string& was);
// Active accounts other than `a` and `b` that could give an approval: coordinators, and
// `supervisor` when given.
Result<int64_t> CountOtherApprovers(store::Txn& txn, const std::string& a, const std::string& b,
                                    const std::optional<std::string>& supervisor);
Result<bool> AgencyExists(store::Txn& txn, const std::string& code);
// The agency's recorded state and kind; nullopt when there is no such agency.
Result<std::optional<std::pair<std::string, std::string>>> AgencyStateAndKind(store::Txn& txn,
                                                                              const std::string& code);
Status MarkHomeAgency(store::Txn& txn, const std::string& code);
// The home agency's code; "" while none.
Result<std::string> HomeAgencyCode(store::Txn& txn);

// What the table files share: the columns of an account (of `users u`) and their decoding,
// and a nullable millisecond column as a time.
inline constexpr const char* kUserColumns =
    "u.id, u.username, u.full_name, u.agency_code, u.role, u.state, u.state_reason, u.password_hash, "
    "u.password_set_ms, u.must_change_password, u.totp_secret, u.totp_last_step, u.supervisor, u.created_ms, "
    "u.last_logon_ms, u.access_expires_ms, u.background_check_ms, u.cjis_addendum_ms";
Result<UserRow> DecodeUser(const store::SqlRow& r);
std::optional<TimePoint> OptTime(const store::SqlValue& v);

// Sessions and failed logons (governance_sql_sessions.cc).

struct SessionRow {
  int64_t created_ms = 0, last_seen_ms = 0;
  bool ended = false;
  std::string end_reason;
  UserRow user;
};

// The session whose token hashes to `token_sha`, with its account; nullopt when none.
Result<std::optional<SessionRow>> FindSession(store::Txn& txn, const std::string& token_sha);
Status InsertSession(store::Txn& txn, const std::string& token_sha, int64_t user_id, const std::string& source,
                     int64_t now_ms);
Status TouchSession(store::Txn& txn, const std::string& token_sha, int64_t now_ms);
// Ends the session, unless it ended already.
Status EndSession(store::Txn& txn, const std::string& token_sha, int64_t now_ms, const std::string& reason);
// Ends every live session of the account (but `except_sha`'s, when given).
Status EndSessions(store::Txn& txn, int64_t user_id, int64_t now_ms, const std::string& reason,
                   const std::string& except_sha = "");
Status InsertFailedLogon(store::Txn& txn, int64_t user_id, int64_t at_ms);
Result<int64_t> FailedLogonsAfter(store::Txn& txn, int64_t user_id, int64_t after_ms);
Status ClearFailedLogons(store::Txn& txn, int64_t user_id);

// Acknowledgments and training records (governance_sql_gates.cc).

// Fills the gate fields of `u` (acknowledgment and training).
Status LoadGates(store::Txn& txn, UserInfo& u);
Status InsertAcknowledgment(store::Txn& txn, int64_t user_id, const std::string& statements_json,
                            const std::string& typed_name, const std::string& policy_sha256, int64_t signed_ms);
struct AcknowledgmentRow {
  int64_t id = 0;
  std::optional<std::string> supervisor, coordinator;  // who approved
};
// The account's latest acknowledgment; nullopt when it signed none.
Result<std::optional<AcknowledgmentRow>> LatestAcknowledgment(store::Txn& txn, int64_t user_id);
Status RecordApproval(store::Txn& txn, int64_t acknowledgment_id, Approval as, const std::string& by, int64_t at_ms);
Status InsertTraining(store::Txn& txn, int64_t user_id, const std::string& course, int64_t completed_ms,
                      const std::string& recorded_by, int64_t recorded_ms);
struct TrainingRow {
  std::string username, full_name;
  std::optional<TimePoint> completed;  // the latest
};
// The latest training of every active or locked account, by username.
Result<std::vector<TrainingRow>> LatestTraining(store::Txn& txn);

// The key that seals MFA secrets at rest: 32 random bytes in a file of their own (mode
// 0600), created when absent (also when GovernanceOptions::create_key is false: an
// installation upgraded from a release without it gets one at its first open). It is not
// derived from the log-signing key (issue 23, finding 2), so holding the signing key does
// not open the secrets. A new key is written in full under a temporary name and linked
// into place, never over an existing one: two processes starting at once keep the first.
Result<std::vector<unsigned char>> LoadOrCreateSealKey(const std::filesystem::path& file);

}  // namespace governance_internal

// Secrets at rest (TOTP seeds), sealed with the MFA seal key (its own file; see
// LoadOrCreateSealKey).
//
// Releases before it sealed them with a key derived from the log-signing key
// (LegacyKey). Those secrets keep working: Open falls back to the legacy derivation when
// the seal key cannot open a secret, says so (`legacy`), and Logon and MFA enrolment
// reseal such a secret with the seal key. Until an account next logs on (or its MFA is
// reset), its legacy secret can still be opened by whoever holds the signing key.
struct Governance::Impl {
  static std::vector<unsigned char> LegacyKey(const LogSigner& signer);
  static std::string Seal(const std::vector<unsigned char>& key, const std::string& plain);
  struct Opened {
    std::string plain;
    bool legacy = false;  // opened with the legacy key: reseal it
  };
  static Result<Opened> Open(const std::vector<unsigned char>& key, const LogSigner& signer,
                             const std::string& sealed_hex);
};

}  // namespace custodian::policy
