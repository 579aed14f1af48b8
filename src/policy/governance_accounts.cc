// Governance: accounts (bootstrap, creation, roles, locks, separation, resets, inactivity).
#include <sodium.h>

#include <cctype>
#include <functional>
#include <tuple>

#include "policy/governance_internal.h"

namespace custodian::policy {

using json = nlohmann::json;
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
  static constexpr const char* kReserved[] = {"system", "root", "admin", "administrator", "unknown", "cli",
                                    "custodian", "anonymous", "null"};
  for (const char* r : kReserved) {
    if (u == r) return Status::InvalidArgument("'", u, "' is a reserved name and cannot be a username");
  }
  return Status::Ok();
}

// One administrative change to account `username` (ops::kManageUsers): authorised, then
// `change` applied to it and logged (action `action`, `detail`) in one transaction.
Status ChangeAccount(Governance& gov, const Principal& by, const std::string& username, std::string_view action,
                     const std::string& detail,
                     const std::function<Status(Txn& txn, const UserRow& u, int64_t now_ms)>& change) {
  LogEvent e = gov.Event(by, action, kDenied);
  e.terms = json{{"username", Clip(username)}}.dump();
  CUSTODIAN_RETURN_IF_ERROR(gov.Authorize(by, ops::kManageUsers, std::nullopt, e));
  e.Allow(1, detail);
  const int64_t now_ms = ToUnixMillis(gov.clock().Now());
  return gov.RecordWith(by, e, [&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto found, FindUser(txn, username));
    if (!found) return Status::NotFound("no user '", Clip(username), "'");
    return change(txn, *found, now_ms);
  });
}

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
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t n, CountUsers(txn));
    if (n != 0) return Status::InvalidArgument("accounts exist already; the coordinator creates more");
    CUSTODIAN_ASSIGN_OR_RETURN(bool agency, AgencyExists(txn, agency_code));
    if (!agency) return Status::NotFound("no agency '", Clip(agency_code), "'");
    CUSTODIAN_RETURN_IF_ERROR(MarkHomeAgency(txn, agency_code));
    return InsertFirstCoordinator(txn, username, full_name, agency_code, hash, now);
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
        CUSTODIAN_ASSIGN_OR_RETURN(auto found, AgencyStateAndKind(txn, spec.agency_code));
        if (!found) return Status::NotFound("no agency '", Clip(spec.agency_code), "'");
        std::tie(state, kind) = *found;
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
  e.Allow(1, "account created for " + spec.full_name + ", agency " + spec.agency_code);
  const int64_t now_ms = ToUnixMillis(now);
  CUSTODIAN_RETURN_IF_ERROR(RecordWith(by, e, [&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(bool taken, UsernameTaken(txn, spec.username));
    if (taken) {
      return Status::InvalidArgument("username '", spec.username, "' has been used before; usernames are never reused");
    }
    CUSTODIAN_ASSIGN_OR_RETURN(bool agency, AgencyExists(txn, spec.agency_code));
    if (!agency) return Status::NotFound("no agency '", Clip(spec.agency_code), "'");
    return InsertUser(txn, spec, hash, by.username, now_ms);
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
    CUSTODIAN_ASSIGN_OR_RETURN(std::vector<UserRow> users, AllUsers(txn));
    for (UserRow& u : users) {
      CUSTODIAN_RETURN_IF_ERROR(LoadGates(txn, u.info));
      out.push_back(std::move(u.info));
    }
    return Status::Ok();
  }));
  return out;
}

Status Governance::SetRole(const Principal& by, const std::string& username, Role role) {
  CUSTODIAN_ASSIGN_OR_RETURN(std::string home, HomeAgency());
  return ChangeAccount(
      *this, by, username, "set_role", "role set to " + std::string(RoleName(role)),
      [&](Txn& txn, const UserRow& u, int64_t now_ms) -> Status {
        if (u.info.state == UserState::kSeparated) {
          return Status::InvalidArgument("the account is separated");
        }
        if ((u.info.agency_code == home) == (role == Role::kPartnerAgency)) {
          return Status::InvalidArgument(role == Role::kPartnerAgency
                                             ? "the partner_agency role is for users of other agencies"
                                             : "users of another agency may hold only the partner_agency role");
        }
        CUSTODIAN_RETURN_IF_ERROR(UpdateRole(txn, u.info.id, role));
        return EndSessions(txn, u.info.id, now_ms, "role changed");
      });
}

Status Governance::Unlock(const Principal& by, const std::string& username) {
  return ChangeAccount(
      *this, by, username, "unlock", "account unlocked", [&](Txn& txn, const UserRow& u, int64_t now_ms) -> Status {
        if (u.info.state != UserState::kLocked && u.info.state != UserState::kDisabled) {
          return Status::InvalidArgument("the account is ", UserStateName(u.info.state), ", not locked or disabled");
        }
        CUSTODIAN_RETURN_IF_ERROR(ClearFailedLogons(txn, u.info.id));
        // A re-enabled inactive account starts its inactivity period again.
        return Reactivate(txn, u.info.id, now_ms);
      });
}

Status Governance::Separate(const Principal& by, const std::string& username, const std::string& reason) {
  return ChangeAccount(
      *this, by, username, "separate", "separated: " + Clip(reason),
      [&](Txn& txn, const UserRow& u, int64_t now_ms) -> Status {
        if (u.info.state == UserState::kSeparated) {
          return Status::InvalidArgument("the account is already separated");
        }
        CUSTODIAN_RETURN_IF_ERROR(UpdateState(txn, u.info.id, UserState::kSeparated,
                                              reason.empty() ? std::string("separation") : Clip(reason)));
        return EndSessions(txn, u.info.id, now_ms, "separated");
      });
}

Status Governance::FlagCompromised(const Principal& by, const std::string& username) {
  return ChangeAccount(*this, by, username, "flag_compromised", "password flagged compromised; change forced",
                       [&](Txn& txn, const UserRow& u, int64_t now_ms) -> Status {
                         CUSTODIAN_RETURN_IF_ERROR(ForcePasswordChange(txn, u.info.id));
                         return EndSessions(txn, u.info.id, now_ms, "password compromised");
                       });
}

Status Governance::ResetTotp(const Principal& by, const std::string& username) {
  return ChangeAccount(*this, by, username, "reset_mfa", "MFA reset; enrolment required at next logon",
                       [&](Txn& txn, const UserRow& u, int64_t now_ms) -> Status {
                         CUSTODIAN_RETURN_IF_ERROR(ClearTotpSecret(txn, u.info.id));
                         return EndSessions(txn, u.info.id, now_ms, "MFA reset");
                       });
}

Result<NewAccount> Governance::ResetPassword(const Principal& by, const std::string& username) {
  NewAccount out{username, RandomPassword()};
  CUSTODIAN_ASSIGN_OR_RETURN(std::string hash, HashPassword(out.initial_password));
  CUSTODIAN_RETURN_IF_ERROR(
      ChangeAccount(*this, by, username, "reset_password", "one-time password issued; change forced",
                    [&](Txn& txn, const UserRow& u, int64_t now_ms) -> Status {
                      CUSTODIAN_RETURN_IF_ERROR(UpdatePassword(txn, u.info.id, hash, now_ms, /*must_change=*/true));
                      return EndSessions(txn, u.info.id, now_ms, "password reset");
                    }));
  return out;
}

Result<int64_t> Governance::DisableInactiveAccounts(const Principal& by) {
  LogEvent e = Event(by, "disable_inactive", kDenied);
  CUSTODIAN_RETURN_IF_ERROR(Authorize(by, ops::kManageUsers, std::nullopt, e));
  const int64_t now_ms = ToUnixMillis(options_.clock->Now());
  const int64_t cutoff = now_ms - std::chrono::duration_cast<std::chrono::milliseconds>(options_.inactivity_limit).count();
  int64_t n = 0;
  e.outcome = std::string(kAllowed);
  CUSTODIAN_RETURN_IF_ERROR(LoggedTransact([&](Txn& txn, Heads& heads) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto idle, ActiveUsersIdleBefore(txn, cutoff));
    json names = json::array();
    for (const auto& [id, name] : idle) {
      CUSTODIAN_RETURN_IF_ERROR(
          UpdateState(txn, id, UserState::kDisabled,
                      "no logon for " + std::to_string(options_.inactivity_limit.count()) + " days"));
      CUSTODIAN_RETURN_IF_ERROR(EndSessions(txn, id, now_ms, "inactive"));
      names.push_back(name);
    }
    n = int64_t(idle.size());
    e.records = n;
    e.terms = json{{"usernames", names}}.dump();
    e.detail = std::to_string(n) + " inactive accounts disabled";
    return Append(txn, e, heads);
  }));
  return n;
}

}  // namespace custodian::policy
