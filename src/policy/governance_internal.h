// What the governance files share (governance.cc and governance_*.cc: accounts, sessions,
// MFA, gates, plate access, the access log). Internal to src/policy.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
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

// A nullable millisecond column as a time.
std::optional<TimePoint> OptTime(const store::SqlValue& v);

// The columns DecodeUser reads, of `users u`.
constexpr const char* kUserColumns =
    "u.id, u.username, u.full_name, u.agency_code, u.role, u.state, u.state_reason, u.password_hash, "
    "u.password_set_ms, u.must_change_password, u.totp_secret, u.totp_last_step, u.supervisor, u.created_ms, "
    "u.last_logon_ms, u.access_expires_ms, u.background_check_ms, u.cjis_addendum_ms";

// An account as stored, with what never leaves the governance layer.
struct UserRow {
  UserInfo info;
  std::string password_hash;
  std::string totp_secret;  // sealed; "" when none
  int64_t totp_last_step = 0;
};

Result<UserRow> DecodeUser(const store::SqlRow& r);
// The account named `username`; nullopt when none.
Result<std::optional<UserRow>> FindUser(store::Txn& txn, const std::string& username);
// Fills the gate fields of `u` (acknowledgment and training).
Status LoadGates(store::Txn& txn, UserInfo& u);

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
