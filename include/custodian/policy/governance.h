// Governance: the only way to plate data. Accounts with MFA (CJIS), roles and the
// permission matrix, the gates before any plate data (signed acknowledgment, training,
// purpose and case number), sharing grants for partner agencies, and the access log that
// records every access and every refusal (Civil Code 1798.90.51-.55; ../shared/POLICY.md
// sections 1, 2, 4, 5, 7).
//
// Basic usage:
//   auto gov = policy::Governance::Open(*store, {.signing_key_file = dir / "agency.key"});
//   auto first = (*gov)->Bootstrap("coord", "Casey Coordinator", "CITYPD");   // once
//   auto logon = (*gov)->Logon({.username = "jdoe", .password = pw, .totp_code = "123456",
//                               .notice_accepted = true, .source = "10.0.0.7"});
//   auto who = (*gov)->Authenticate(logon->token, "10.0.0.7");
//   auto page = policy::SearchReads(**gov, *who, {.purpose = "stolen_vehicle", .case_number = "24-CR-0117"},
//                                   {.match = store::PlateMatch::kExact, .plate = "7ABC123"});
//
// One calling style: what this class owns (accounts, sessions, the gates, the access log)
// are its members; every operation on data it governs (plate searches and reads, holds,
// alerts, hotlists, sharing, requests, audits, reports) is a free function
// policy::Op(gov, who, ...) in its service's header (governed_ops.h, sharing.h, ...), built
// on the members below (Authorize, AuthorizePlateData, LogOutcome in policy_util.h).
//
// Every method that acts for a person takes the Principal that Authenticate returned; each
// refusal returns kPermissionDenied (kUnauthenticated for logons and sessions) and leaves a
// "denied" entry in the access log. When the log cannot be written the action does not
// happen: the caller gets kUnavailable and no data.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "custodian/core/clock.h"
#include "custodian/core/group_commit.h"
#include "custodian/core/status.h"
#include "custodian/policy/access_log.h"
#include "custodian/policy/password.h"
#include "custodian/policy/roles.h"
#include "custodian/policy/totp.h"
#include "custodian/store/read_store.h"

namespace custodian::policy {

struct GovernanceOptions {
  // The time source for every rule below. Must outlive the Governance. Default: system.
  const Clock* clock = &SystemClock::Default();
  // The agency's Ed25519 key (signs log checkpoints and evidence). REQUIRED.
  std::filesystem::path signing_key_file;
  // Create the signing key when absent. Default: true.
  bool create_key = true;
  // The key that seals MFA (TOTP) secrets at rest: 32 random bytes, not derived from the
  // signing key. Created (mode 0600) when absent, whatever create_key says; a file readable
  // by others is refused. Secrets sealed by earlier releases (with a key derived from the
  // signing key) still open and are resealed at the next logon. Default (empty):
  // mfa-seal.key in the signing key's folder.
  std::filesystem::path mfa_seal_key_file;
  // Called with every signed checkpoint (the log's signed head), after the transaction
  // that wrote it committed, on the thread that wrote it; must not call back into the
  // Governance. Publish it where the database's owner cannot rewrite it:
  // policy::PublishHeadToSyslog, as `custodian serve` and the CLI install. Default: none.
  std::function<void(const SignedHead&)> on_checkpoint;
  // Replacement data files; empty: the ones built into the binary (policy/ in the source).
  std::filesystem::path roles_file;
  std::filesystem::path purposes_file;
  std::filesystem::path banned_passwords_file;
  PasswordRules password_rules;
  TotpOptions totp;
  // CJIS: this many failed logons within `failed_logon_window` lock the account until the
  // coordinator unlocks it. Defaults: 5 in 15 minutes.
  int max_failed_logons = 5;
  std::chrono::minutes failed_logon_window{15};
  // Sessions end after this long without use, and this long after logon. Defaults: 30
  // minutes, 12 hours.
  std::chrono::minutes idle_timeout{30};
  std::chrono::hours session_lifetime{12};
  // A password must be changed this long after it was set. Default: 365 days.
  std::chrono::days password_max_age{365};
  // An account with no logon for this long is disabled. Default: 90 days.
  std::chrono::days inactivity_limit{90};
  // Training counts for this long after completion. Default: 365 days.
  std::chrono::days training_valid_for{365};
  // The system-use notice shown (and accepted) before every logon.
  std::string system_use_notice =
      "You are accessing a government information system of a law-enforcement agency. Use is limited to "
      "authorized users for official law-enforcement and parking-enforcement purposes under the agency's "
      "ALPR policy. Every action is logged with your user name, time, source address, search terms and "
      "purpose, and is reviewed. Unauthorized use is prohibited and may result in discipline and criminal "
      "and civil penalties (California Civil Code 1798.90.51-.55, Penal Code 502). By logging on you "
      "consent to these terms.";
  // The text of the ALPR policy version users acknowledge; its SHA-256 is recorded with
  // each signature. Default: the acknowledgment statements themselves.
  std::string policy_text;
  LogOptions log;
};

// The four statements of the acknowledgment form (policy 1-2, Forms).
inline constexpr const char* kAcknowledgmentStatements[4] = {
    "I have read the City's ALPR policy and will comply with it.",
    "ALPR data is for official use only and may be exempt from disclosure under the California Public Records Act.",
    "I will access ALPR data only as my job duties require.",
    "I will not disclose ALPR data except to those with a right and a need to know.",
};

// OK when an agency recorded with `state` and `kind` may receive shared ALPR data: a
// California public agency that is not federal (Civil Code 1798.90.5(f), 1798.90.55(b):
// kinds "local", "county", "state"). Else kPermissionDenied saying why.
Status MayReceiveSharing(std::string_view state, std::string_view kind);

// Who acts. Built by Authenticate (a person) or Governance::System (a maintenance job).
struct Principal {
  int64_t user_id = 0;  // 0 for the system
  std::string username;
  std::string agency_code;
  Role role = Role::kPatrol;
  std::string source;  // IP address, "cli" or "system"
  bool system = false;
  // A session that may only change the password / enrol MFA until it does.
  bool must_change_password = false;
  bool must_enrol_totp = false;
  std::string token_sha;  // the session ("" for the system)
};

// Why plate data is being accessed: a configured purpose code and a case number.
struct AccessPurpose {
  std::string purpose;
  std::string case_number;
};

struct UserSpec {
  std::string username;   // 3..64 of a-z 0-9 . _ -; never reused
  std::string full_name;  // 1..128 characters
  std::string agency_code;
  Role role = Role::kPatrol;
  std::string supervisor;  // username of the manager who approves the acknowledgment
  // Vendor support and partner users: when access ends (REQUIRED for vendor support).
  std::optional<TimePoint> access_expires;
  // Vendor support: dates of the background check and CJIS security addendum (REQUIRED).
  std::optional<TimePoint> background_check;
  std::optional<TimePoint> cjis_addendum;
};

struct NewAccount {
  std::string username;
  std::string initial_password;  // shown once; a change is forced at first logon
};

enum class UserState { kActive, kLocked, kDisabled, kSeparated };
std::string_view UserStateName(UserState s);

struct UserInfo {
  int64_t id = 0;
  std::string username, full_name, agency_code, supervisor;
  Role role = Role::kPatrol;
  UserState state = UserState::kActive;
  std::string state_reason;
  bool totp_enrolled = false;
  bool must_change_password = false;
  TimePoint created_at, password_set_at;
  std::optional<TimePoint> last_logon, access_expires, background_check, cjis_addendum;
  // Gates.
  bool acknowledgment_signed = false, supervisor_approved = false, coordinator_approved = false;
  std::optional<TimePoint> training_completed;  // the latest
};

struct LogonRequest {
  std::string username;
  std::string password;
  std::string totp_code;  // "" only for an account that has not enrolled yet
  bool notice_accepted = false;
  std::string source = "cli";
};

struct LogonResult {
  std::string token;  // the session; keep it secret
  Principal principal;
  TimePoint expires_at;  // the session's hard end (idle timeout aside)
};

struct TotpEnrolment {
  std::string secret_base32;  // shown once
  std::string uri;            // otpauth:// for an authenticator app
};

struct AcknowledgmentSignature {
  bool statements[4] = {false, false, false, false};  // each must be accepted
  std::string typed_name;                              // must match the account's full name
};

enum class Approval { kSupervisor, kCoordinator };

struct TrainingStatus {
  std::string username, full_name;
  std::optional<TimePoint> completed;  // the latest
  std::optional<TimePoint> due;        // completed + training_valid_for
  bool lapsed = false;
};

// The gates a principal has not passed yet (empty when plate data is open to it).
struct GateReport {
  std::vector<std::string> missing;
};

// Thread-safe.
class Governance {
 public:
  static Result<std::unique_ptr<Governance>> Open(store::ReadStore& store, GovernanceOptions options);
  ~Governance();

  // The principal for maintenance jobs (migrate, purge, verify): logged as "system".
  static Principal System(std::string_view job);

  // Creates the first coordinator when no account exists (kInvalidArgument otherwise).
  Result<NewAccount> Bootstrap(const std::string& username, const std::string& full_name,
                               const std::string& agency_code);

  // ---- Accounts (manage_users) ----
  Result<NewAccount> CreateUser(const Principal& by, const UserSpec& spec);
  Result<UserInfo> GetUser(const Principal& by, const std::string& username);
  Result<std::vector<UserInfo>> ListUsers(const Principal& by);
  Status SetRole(const Principal& by, const std::string& username, Role role);
  Status Unlock(const Principal& by, const std::string& username);
  // Disables the account at once and ends its live sessions.
  Status Separate(const Principal& by, const std::string& username, const std::string& reason);
  // Forces a password change at next logon and ends live sessions.
  Status FlagCompromised(const Principal& by, const std::string& username);
  // A new one-time password (change forced); ends live sessions.
  Result<NewAccount> ResetPassword(const Principal& by, const std::string& username);
  // Re-enrols MFA at next logon.
  Status ResetTotp(const Principal& by, const std::string& username);
  // Disables every active account with no logon within inactivity_limit (by last logon,
  // or creation when never). Returns how many.
  Result<int64_t> DisableInactiveAccounts(const Principal& by);

  // ---- Logon and sessions ----
  const std::string& system_use_notice() const { return options_.system_use_notice; }
  Result<LogonResult> Logon(const LogonRequest& request);
  // The principal of a live session; refreshes its idle timer. kUnauthenticated when the
  // token is unknown or the session ended (idle, lifetime, logout, account change).
  Result<Principal> Authenticate(const std::string& token, const std::string& source);
  // As Authenticate, but the check does not count as use (the idle timer is not
  // refreshed): for a live alert stream re-checking its session on each wake-up.
  Result<Principal> Revalidate(const std::string& token, const std::string& source);
  Status Logout(const Principal& who);
  Result<TotpEnrolment> BeginTotpEnrolment(const Principal& who);
  Status ConfirmTotpEnrolment(const Principal& who, const std::string& code);
  Status ChangePassword(const Principal& who, const std::string& current, const std::string& next);

  // ---- Gates ----
  Status SignAcknowledgment(const Principal& who, const AcknowledgmentSignature& signature);
  Status ApproveAcknowledgment(const Principal& by, const std::string& username, Approval as);
  Status RecordTraining(const Principal& by, const std::string& username, const std::string& course,
                        TimePoint completed);
  Result<std::vector<TrainingStatus>> TrainingReport(const Principal& by, std::chrono::days due_within);
  Result<GateReport> Gates(const Principal& who);

  // ---- The access log (view_access_log); every read of it is itself logged ----
  Result<std::vector<LogEntry>> ReadLog(const Principal& by, const LogFilter& filter);
  // Verifies the chain, its checkpoints (one required at every multiple of
  // options().log.checkpoint_every) and, when given, heads saved earlier.
  Result<LogVerification> VerifyLog(const Principal& by, const std::vector<SignedHead>& against = {});
  Result<int64_t> CheckpointLog(const Principal& by);
  // The newest signed checkpoint (public: no plate data; not logged). nullopt while none.
  Result<std::optional<SignedHead>> LatestHead();
  std::string public_key_hex() const { return signer_.public_key_hex(); }

  // ---- For the other governance services (sharing, audits, requests, reports) ----
  // Checks the role (and data class), and the account's standing; logs a denial.
  Status Authorize(const Principal& who, std::string_view op, std::optional<store::DataClass> data_class,
                   const LogEvent& on_denial);
  // Authorize plus the plate-data gates (acknowledgment, training, purpose, case).
  Status AuthorizePlateData(const Principal& who, std::string_view op, const AccessPurpose& why,
                            std::optional<store::DataClass> data_class, const std::string& terms_json);
  // The plate-data gates alone (signed acknowledgment with both approvals, current
  // training); a refusal is logged as `on_denial` with outcome denied.
  Status CheckGates(const Principal& who, LogEvent on_denial);
  // The installation's own agency (its first coordinator's). Users of every other agency
  // are partner users, narrowed by their agency's grants whatever their role.
  Result<std::string> HomeAgency();
  // Whether `who` belongs to an agency other than the installation's.
  Result<bool> IsOutsider(const Principal& who);
  // Appends one entry in its own transaction (the principal fills username, agency, source).
  Status Record(const Principal& who, LogEvent event);
  // Runs fn and appends `event` in the same transaction: both commit or neither.
  Status RecordWith(const Principal& who, LogEvent event, const std::function<Status(store::Txn&)>& fn);
  // An event for `who` now, with action and outcome.
  LogEvent Event(const Principal& who, std::string_view action, std::string_view outcome) const;

  store::ReadStore& store() { return store_; }
  const Clock& clock() const { return *options_.clock; }
  const GovernanceOptions& options() const { return options_; }
  const PermissionMatrix& matrix() const { return matrix_; }
  const PurposeList& purposes() const { return purposes_; }

 private:
  Governance(store::ReadStore& store, GovernanceOptions options, PermissionMatrix matrix, PurposeList purposes,
             BannedPasswords banned, LogSigner signer, std::vector<unsigned char> seal_key);

  // The checkpoints a transaction wrote, published (options_.on_checkpoint) once it commits.
  using Heads = std::vector<SignedHead>;
  // Appends `event` in `txn`; a checkpoint it writes joins `heads`.
  Status Append(store::Txn& txn, const LogEvent& event, Heads& heads);
  // Runs fn in a store transaction, then publishes the checkpoints it wrote.
  Status LoggedTransact(const std::function<Status(store::Txn&, Heads&)>& fn);

  struct Impl;
  Result<Principal> Session(const std::string& token, const std::string& source, bool refresh);
  // Counts a wrong password (logon or password change) toward the lockout: inserts the
  // failure and locks the account at max_failed_logons in the window; logs `e` (and the
  // lockout) in the same transaction. Returns whether the account is now locked.
  // `reserved`: the failure row is in already (a logon reserves its attempt up front).
  Result<bool> CountFailure(const Principal& tried, int64_t user_id, LogEvent e, bool reserved = false);
  std::mutex home_mu_;
  std::string home_agency_;  // cached once known
  // Group commit of log entries that carry no other change (Record): concurrent callers'
  // entries are appended in one transaction (one sync), each caller returning only after
  // its entry committed.
  struct PendingEntry;
  GroupCommit<PendingEntry> log_group_;

  store::ReadStore& store_;
  GovernanceOptions options_;
  PermissionMatrix matrix_;
  PurposeList purposes_;
  BannedPasswords banned_;
  LogSigner signer_;
  std::vector<unsigned char> seal_key_;  // seals MFA secrets (see GovernanceOptions::mfa_seal_key_file)
};

}  // namespace custodian::policy
