// Governance: accounts (bootstrap, creation, roles, locks, separation, resets, inactivity).
#include "policy/governance_internal.h"

#include <sodium.h>

#include <cctype>

namespace custodian::policy {

using json = nlohmann::json;
using store::AsInt;
using store::AsString;
using store::SqlValue;
using store::Txn;
using namespace governance_internal;

namespace {

// 80 random bits as four groups of lower-case letters and digits: "k3v9-q2m8-...".
std::string RandomPassword() {
  static constexpr char kAlphabet[] = "abcdefghijkmnpqrstuvwxyz23456789";
  std::string out;
  for (int g = 0; g < 4; ++g) {
    if (g) out += '-';
    for (int i = 0; i < 5; ++i) out += kAlphabet[randombytes_uniform(sizeof kAlphabet - 1)];
  }
  return out;
}

Status CheckUsername(const std::string& u) {
  bool ok = u.size() >= 3 && u.size() <= 64;
  for (char c : u) {
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '.' ||
          c == '_' || c == '-')) {
      ok = false;
    }
  }
  if (!ok) return Status::InvalidArgument("a username is 3..64 of a-z, 0-9, '.', '_' and '-'");
  // Names the log and the system use for themselves, or that read as an authority.
  static const char* kReserved[] = {"system", "root", "admin", "administrator", "unknown", "cli",
                                    "custodian", "anonymous", "null"};
  for (const char* r : kReserved) {
    if (u == r) return Status::InvalidArgument("'", u, "' is a reserved name and cannot be a username");
  }
  return Status::Ok();
}

SqlValue OptMs(const std::optional<TimePoint>& t) { return t ? SqlValue(ToUnixMillis(*t)) : SqlValue(); }

}  // namespace

// ---- Accounts ----

Result<NewAccount> Governance::Bootstrap(const std::string& username, const std::string& full_name,
                                         const std::string& agency_code) {
  CUSTODIAN_RETURN_IF_ERROR(CheckUsername(username));
  CUSTODIAN_RETURN_IF_ERROR(CheckText("full name", full_name, 128));
  NewAccount out{username, RandomPassword()};
  CUSTODIAN_ASSIGN_OR_RETURN(std::string hash, HashPassword(out.initial_password));
  Principal sys = System("bootstrap");
  LogEvent e = Event(sys, "create_user", kAllowed);
  e.terms = json{{"username", username}, {"role", "coordinator"}}.dump();
  e.detail = "first coordinator account created at installation";
  e.records = 1;
  const int64_t now = ToUnixMillis(options_.clock->Now());
  CUSTODIAN_RETURN_IF_ERROR(RecordWith(sys, e, [&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto n, txn.Query("SELECT COUNT(*) FROM users", {}));
    if (AsInt(n[0][0]) != 0) return Status::InvalidArgument("accounts exist already; the coordinator creates more");
    CUSTODIAN_ASSIGN_OR_RETURN(auto ag, txn.Query("SELECT 1 FROM agencies WHERE code = ?", {agency_code}));
    if (ag.empty()) return Status::NotFound("no agency '", Clip(agency_code), "'");
    CUSTODIAN_RETURN_IF_ERROR(txn.Query("UPDATE agencies SET home = 1 WHERE code = ?", {agency_code}).status());
    return txn
        .Query("INSERT INTO users (username, full_name, agency_code, role, state, password_hash, password_set_ms, "
               "must_change_password, created_by, created_ms) VALUES (?, ?, ?, 'coordinator', 'active', ?, ?, 1, "
               "'system', ?)",
               {username, full_name, agency_code, hash, now, now})
        .status();
  }));
  return out;
}

Result<NewAccount> Governance::CreateUser(const Principal& by, const UserSpec& spec) {
  LogEvent e = Event(by, "create_user", kDenied);
  e.terms = json{{"username", Clip(spec.username)}, {"role", std::string(RoleName(spec.role))}}.dump();
  CUSTODIAN_RETURN_IF_ERROR(Authorize(by, ops::kManageUsers, std::nullopt, e));
  CUSTODIAN_RETURN_IF_ERROR(CheckUsername(spec.username));
  CUSTODIAN_RETURN_IF_ERROR(CheckText("full name", spec.full_name, 128));
  const TimePoint now = options_.clock->Now();
  if (spec.role == Role::kVendorSupport) {
    if (!spec.background_check || !spec.cjis_addendum || !spec.access_expires) {
      return Status::InvalidArgument(
          "vendor support accounts need a background check date, a CJIS security addendum date and an access "
          "expiry (policy 5.B)");
    }
  }
  {
    // The installation's own agency holds every role but the partner one; every other
    // agency holds only the partner role, and only if it may receive sharing at all.
    CUSTODIAN_ASSIGN_OR_RETURN(std::string home, HomeAgency());
    if (spec.agency_code == home && spec.role == Role::kPartnerAgency) {
      return Status::InvalidArgument("a partner-agency user belongs to another agency");
    }
    if (spec.agency_code != home) {
      if (spec.role != Role::kPartnerAgency) {
        const std::string why = "users of another agency may hold only the partner_agency role";
        return LogOutcome(*this, by, e,
                          Outcome::Refused(Status::InvalidArgument(why, " (agency ", Clip(spec.agency_code), ")"))
                              .Detail(why));
      }
      std::string state, kind;
      CUSTODIAN_RETURN_IF_ERROR(store_.ReadOnly([&](Txn& txn) -> Status {
        CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT state, kind FROM agencies WHERE code = ?", {spec.agency_code}));
        if (rows.empty()) return Status::NotFound("no agency '", Clip(spec.agency_code), "'");
        state = AsString(rows[0][0]);
        kind = AsString(rows[0][1]);
        return Status::Ok();
      }));
      if (Status ok = MayReceiveSharing(state, kind); !ok.ok()) {
        return LogOutcome(*this, by, e, Outcome::Refused(ok).Detail("partner account refused: " + ok.message()));
      }
    }
  }
  if (spec.access_expires && *spec.access_expires <= now) {
    return Status::InvalidArgument("the access expiry is in the past");
  }
  NewAccount out{spec.username, RandomPassword()};
  CUSTODIAN_ASSIGN_OR_RETURN(std::string hash, HashPassword(out.initial_password));
  e.outcome = std::string(kAllowed);
  e.records = 1;
  e.detail = "account created for " + spec.full_name + ", agency " + spec.agency_code;
  const int64_t now_ms = ToUnixMillis(now);
  CUSTODIAN_RETURN_IF_ERROR(RecordWith(by, e, [&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto have, txn.Query("SELECT 1 FROM users WHERE username = ?", {spec.username}));
    if (!have.empty()) {
      return Status::InvalidArgument("username '", spec.username, "' has been used before; usernames are never reused");
    }
    CUSTODIAN_ASSIGN_OR_RETURN(auto ag, txn.Query("SELECT 1 FROM agencies WHERE code = ?", {spec.agency_code}));
    if (ag.empty()) return Status::NotFound("no agency '", Clip(spec.agency_code), "'");
    return txn
        .Query("INSERT INTO users (username, full_name, agency_code, role, state, password_hash, password_set_ms, "
               "must_change_password, supervisor, created_by, created_ms, access_expires_ms, background_check_ms, "
               "cjis_addendum_ms) VALUES (?, ?, ?, ?, 'active', ?, ?, 1, ?, ?, ?, ?, ?, ?)",
               {spec.username, spec.full_name, spec.agency_code, std::string(RoleName(spec.role)), hash, now_ms,
                spec.supervisor, by.username, now_ms, OptMs(spec.access_expires), OptMs(spec.background_check),
                OptMs(spec.cjis_addendum)})
        .status();
  }));
  return out;
}

Result<UserInfo> Governance::GetUser(const Principal& by, const std::string& username) {
  if (by.username != username || by.system) {
    LogEvent e = Event(by, "view_user", kDenied);
    e.terms = json{{"username", Clip(username)}}.dump();
    CUSTODIAN_RETURN_IF_ERROR(Authorize(by, ops::kManageUsers, std::nullopt, e));
  }
  UserInfo out;
  CUSTODIAN_RETURN_IF_ERROR(store_.Transact([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto u, FindUser(txn, username));
    if (!u) return Status::NotFound("no user '", Clip(username), "'");
    out = u->info;
    return LoadGates(txn, out);
  }));
  return out;
}

Result<std::vector<UserInfo>> Governance::ListUsers(const Principal& by) {
  CUSTODIAN_RETURN_IF_ERROR(Authorize(by, ops::kManageUsers, std::nullopt, Event(by, "list_users", kDenied)));
  std::vector<UserInfo> out;
  CUSTODIAN_RETURN_IF_ERROR(store_.Transact([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows,
                               txn.Query(std::string("SELECT ") + kUserColumns + " FROM users u ORDER BY u.username", {}));
    for (const auto& r : rows) {
      CUSTODIAN_ASSIGN_OR_RETURN(UserRow u, DecodeUser(r));
      CUSTODIAN_RETURN_IF_ERROR(LoadGates(txn, u.info));
      out.push_back(std::move(u.info));
    }
    return Status::Ok();
  }));
  return out;
}

namespace {
Status EndSessions(Txn& txn, int64_t user_id, int64_t now_ms, const std::string& reason) {
  return txn
      .Query("UPDATE sessions SET ended_ms = ?, end_reason = ? WHERE user_id = ? AND ended_ms IS NULL",
             {now_ms, reason, user_id})
      .status();
}
}  // namespace

// One administrative change to an account: authorised, applied and logged together.
#define CUSTODIAN_ACCOUNT_CHANGE(action, detail_text, body)                                              \
  LogEvent e = Event(by, action, kDenied);                                                              \
  e.terms = json{{"username", Clip(username)}}.dump();                                                  \
  CUSTODIAN_RETURN_IF_ERROR(Authorize(by, ops::kManageUsers, std::nullopt, e));                          \
  e.outcome = std::string(kAllowed);                                                                    \
  e.records = 1;                                                                                        \
  e.detail = detail_text;                                                                               \
  const int64_t now_ms = ToUnixMillis(options_.clock->Now());                                           \
  return RecordWith(by, e, [&](Txn& txn) -> Status {                                                    \
    CUSTODIAN_ASSIGN_OR_RETURN(auto found, FindUser(txn, username));                                    \
    if (!found) return Status::NotFound("no user '", Clip(username), "'");                              \
    const UserRow& u = *found;                                                                          \
    (void)u;                                                                                            \
    body                                                                                                \
  })

Status Governance::SetRole(const Principal& by, const std::string& username, Role role) {
  CUSTODIAN_ASSIGN_OR_RETURN(std::string home, HomeAgency());
  CUSTODIAN_ACCOUNT_CHANGE("set_role", "role set to " + std::string(RoleName(role)), {
    if (u.info.state == UserState::kSeparated) return Status::InvalidArgument("the account is separated");
    if ((u.info.agency_code == home) == (role == Role::kPartnerAgency)) {
      return Status::InvalidArgument(role == Role::kPartnerAgency
                                         ? "the partner_agency role is for users of other agencies"
                                         : "users of another agency may hold only the partner_agency role");
    }
    CUSTODIAN_RETURN_IF_ERROR(txn.Query("UPDATE users SET role = ? WHERE id = ?",
                                        {std::string(RoleName(role)), u.info.id})
                                  .status());
    return EndSessions(txn, u.info.id, now_ms, "role changed");
  });
}

Status Governance::Unlock(const Principal& by, const std::string& username) {
  CUSTODIAN_ACCOUNT_CHANGE("unlock", "account unlocked", {
    if (u.info.state != UserState::kLocked && u.info.state != UserState::kDisabled) {
      return Status::InvalidArgument("the account is ", UserStateName(u.info.state), ", not locked or disabled");
    }
    CUSTODIAN_RETURN_IF_ERROR(txn.Query("DELETE FROM failed_logons WHERE user_id = ?", {u.info.id}).status());
    // A re-enabled inactive account starts its inactivity period again.
    return txn
        .Query("UPDATE users SET state = 'active', state_reason = '', last_logon_ms = ? WHERE id = ?",
               {now_ms, u.info.id})
        .status();
  });
}

Status Governance::Separate(const Principal& by, const std::string& username, const std::string& reason) {
  CUSTODIAN_ACCOUNT_CHANGE("separate", "separated: " + Clip(reason), {
    if (u.info.state == UserState::kSeparated) return Status::InvalidArgument("the account is already separated");
    CUSTODIAN_RETURN_IF_ERROR(txn.Query("UPDATE users SET state = 'separated', state_reason = ? WHERE id = ?",
                                        {reason.empty() ? std::string("separation") : Clip(reason), u.info.id})
                                  .status());
    return EndSessions(txn, u.info.id, now_ms, "separated");
  });
}

Status Governance::FlagCompromised(const Principal& by, const std::string& username) {
  CUSTODIAN_ACCOUNT_CHANGE("flag_compromised", "password flagged compromised; change forced", {
    CUSTODIAN_RETURN_IF_ERROR(txn.Query("UPDATE users SET must_change_password = 1 WHERE id = ?", {u.info.id}).status());
    return EndSessions(txn, u.info.id, now_ms, "password compromised");
  });
}

Status Governance::ResetTotp(const Principal& by, const std::string& username) {
  CUSTODIAN_ACCOUNT_CHANGE("reset_mfa", "MFA reset; enrolment required at next logon", {
    CUSTODIAN_RETURN_IF_ERROR(txn.Query("UPDATE users SET totp_secret = NULL WHERE id = ?", {u.info.id}).status());
    return EndSessions(txn, u.info.id, now_ms, "MFA reset");
  });
}

Result<NewAccount> Governance::ResetPassword(const Principal& by, const std::string& username) {
  NewAccount out{username, RandomPassword()};
  CUSTODIAN_ASSIGN_OR_RETURN(std::string hash, HashPassword(out.initial_password));
  auto apply = [&]() -> Status {
    CUSTODIAN_ACCOUNT_CHANGE("reset_password", "one-time password issued; change forced", {
      CUSTODIAN_RETURN_IF_ERROR(txn.Query("UPDATE users SET password_hash = ?, password_set_ms = ?, "
                                          "must_change_password = 1 WHERE id = ?",
                                          {hash, now_ms, u.info.id})
                                    .status());
      return EndSessions(txn, u.info.id, now_ms, "password reset");
    });
  };
  CUSTODIAN_RETURN_IF_ERROR(apply());
  return out;
}

#undef CUSTODIAN_ACCOUNT_CHANGE

Result<int64_t> Governance::DisableInactiveAccounts(const Principal& by) {
  LogEvent e = Event(by, "disable_inactive", kDenied);
  CUSTODIAN_RETURN_IF_ERROR(Authorize(by, ops::kManageUsers, std::nullopt, e));
  const int64_t now_ms = ToUnixMillis(options_.clock->Now());
  const int64_t cutoff = now_ms - std::chrono::duration_cast<std::chrono::milliseconds>(options_.inactivity_limit).count();
  int64_t n = 0;
  e.outcome = std::string(kAllowed);
  CUSTODIAN_RETURN_IF_ERROR(LoggedTransact([&](Txn& txn, Heads& heads) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT id, username FROM users WHERE state = 'active' AND "
                                                    "COALESCE(last_logon_ms, created_ms) < ?",
                                                    {cutoff}));
    json names = json::array();
    for (const auto& r : rows) {
      CUSTODIAN_RETURN_IF_ERROR(txn.Query("UPDATE users SET state = 'disabled', state_reason = ? WHERE id = ?",
                                          {std::string("no logon for ") + std::to_string(options_.inactivity_limit.count()) +
                                               " days",
                                           AsInt(r[0])})
                                    .status());
      CUSTODIAN_RETURN_IF_ERROR(EndSessions(txn, AsInt(r[0]), now_ms, "inactive"));
      names.push_back(AsString(r[1]));
    }
    n = int64_t(rows.size());
    e.records = n;
    e.terms = json{{"usernames", names}}.dump();
    e.detail = std::to_string(n) + " inactive accounts disabled";
    return Append(txn, e, heads);
  }));
  return n;
}

}  // namespace custodian::policy
