// custodian users: accounts (policy 5.A, CJIS). Every subcommand but bootstrap acts as the
// logged-in user and needs manage_users.
//   custodian users bootstrap --agency CODE --agency-name NAME --user NAME --full-name TEXT
//   custodian users create --user NAME --full-name TEXT --role ROLE --agency CODE --supervisor NAME
//                          [--expires DATE] [--background-check DATE] [--cjis-addendum DATE]
//   custodian users list | show --user NAME | unlock --user NAME | separate --user NAME --reason TEXT
//   custodian users set-role --user NAME --role ROLE | flag-compromised --user NAME
//   custodian users reset-password --user NAME | reset-mfa --user NAME | disable-inactive
// bootstrap runs without a session, as the system, and only while no account exists; it
// prints the first coordinator's one-time password once.
#include <iostream>

#include "commands.h"
#include "custodian/policy/governed_ops.h"
#include "governed_subcommand.h"
#include "session.h"

namespace custodian::app {
namespace {

struct Args {
  GovFlags flags;
  std::string user, full_name, role, agency, agency_name, supervisor, expires, background_check, cjis_addendum,
      reason;
};

std::string Opt(const std::optional<TimePoint>& t) { return t ? FormatUtc(*t) : "-"; }

void PrintUser(const policy::UserInfo& u) {
  std::cout << u.username << ": " << u.full_name << ", " << policy::RoleName(u.role) << ", agency " << u.agency_code
            << ", " << policy::UserStateName(u.state) << (u.state_reason.empty() ? "" : " (" + u.state_reason + ")")
            << "; supervisor " << (u.supervisor.empty() ? "-" : u.supervisor) << "; MFA "
            << (u.totp_enrolled ? "enrolled" : "not enrolled") << (u.must_change_password ? "; password change due" : "")
            << "; acknowledgment " << (u.acknowledgment_signed ? "signed" : "not signed")
            << (u.acknowledgment_signed ? std::string(", supervisor ") + (u.supervisor_approved ? "approved" : "pending") +
                                              ", coordinator " + (u.coordinator_approved ? "approved" : "pending")
                                        : "")
            << "; training " << Opt(u.training_completed) << "; last logon " << Opt(u.last_logon);
  if (u.access_expires) std::cout << "; access expires " << FormatUtc(*u.access_expires);
  std::cout << "\n";
}

Result<std::optional<TimePoint>> OptDate(const std::string& text) {
  if (text.empty()) return std::optional<TimePoint>();
  CUSTODIAN_ASSIGN_OR_RETURN(TimePoint t, ParseUtc(text));
  return std::optional<TimePoint>(t);
}

// Prints a new account's one-time password, which is shown only this once.
void PrintOneTimePassword(const policy::NewAccount& acct, std::string_view first) {
  std::cout << acct.initial_password << "\n(shown once; a change is forced at " << first << " logon)\n";
}

int RunBootstrap(const Args& a) {
  return RunGoverned(
      "users bootstrap", OpenAsSystem(a.flags, "bootstrap", /*create_key=*/true), [&](Governed& g) -> Status {
        CUSTODIAN_ASSIGN_OR_RETURN(auto acct,
                                   policy::BootstrapInstallation(*g.gov, a.agency, a.agency_name, a.user, a.full_name));
        std::cout << "created coordinator " << acct.username << " in agency " << a.agency << "\none-time password: ";
        PrintOneTimePassword(acct, "first");
        return Status::Ok();
      });
}

Status CreateUser(policy::Governance& gov, const policy::Principal& who, const Args& a) {
  CUSTODIAN_ASSIGN_OR_RETURN(policy::Role role, policy::ParseRole(a.role));
  policy::UserSpec spec{
      .username = a.user, .full_name = a.full_name, .agency_code = a.agency, .role = role, .supervisor = a.supervisor};
  auto exp = OptDate(a.expires);
  auto bg = OptDate(a.background_check);
  auto cjis = OptDate(a.cjis_addendum);
  for (const auto* r : {&exp, &bg, &cjis}) {
    if (!r->ok()) return r->status();
  }
  spec.access_expires = *exp;
  spec.background_check = *bg;
  spec.cjis_addendum = *cjis;
  CUSTODIAN_ASSIGN_OR_RETURN(auto acct, gov.CreateUser(who, spec));
  std::cout << "created " << acct.username << " (" << a.role << ")\none-time password: ";
  PrintOneTimePassword(acct, "first");
  return Status::Ok();
}

// The account actions that answer "STEP: USER done".
Status ChangeAccount(policy::Governance& gov, const policy::Principal& who, const Args& a, const std::string& step) {
  if (step == "unlock") return gov.Unlock(who, a.user);
  if (step == "separate") return gov.Separate(who, a.user, a.reason);
  if (step == "set-role") {
    auto role = policy::ParseRole(a.role);
    return role.ok() ? gov.SetRole(who, a.user, *role) : role.status();
  }
  if (step == "flag-compromised") return gov.FlagCompromised(who, a.user);
  if (step == "reset-mfa") return gov.ResetTotp(who, a.user);
  return Status::Ok();
}

int Run(const Args& a, const std::string& step) {
  return RunAsUser("users " + step, a.flags, [&](Governed& g) -> Status {
    policy::Governance& gov = *g.gov;
    const policy::Principal& who = g.who;
    if (step == "create") return CreateUser(gov, who, a);
    if (step == "list") {
      CUSTODIAN_ASSIGN_OR_RETURN(auto users, gov.ListUsers(who));
      for (const auto& u : users) PrintUser(u);
      return Status::Ok();
    }
    if (step == "show") {
      CUSTODIAN_ASSIGN_OR_RETURN(auto u, gov.GetUser(who, a.user));
      PrintUser(u);
      return Status::Ok();
    }
    if (step == "reset-password") {
      CUSTODIAN_ASSIGN_OR_RETURN(auto acct, gov.ResetPassword(who, a.user));
      std::cout << "new one-time password for " << acct.username << ": ";
      PrintOneTimePassword(acct, "next");
      return Status::Ok();
    }
    if (step == "disable-inactive") {
      CUSTODIAN_ASSIGN_OR_RETURN(auto n, gov.DisableInactiveAccounts(who));
      std::cout << "disabled " << n << " inactive accounts\n";
      return Status::Ok();
    }
    CUSTODIAN_RETURN_IF_ERROR(ChangeAccount(gov, who, a, step));
    std::cout << step << ": " << a.user << " done\n";
    return Status::Ok();
  });
}

}  // namespace

void RegisterUsers(CLI::App& app, Action* run) {
  CLI::App* cmd = AddCommandGroup(app, "users", "User accounts: bootstrap, create, list, show, unlock, separate, ...");

  auto [b, boot] = AddGovSubcommand<Args>(
      cmd, "bootstrap", "Create the agency and the first coordinator (no accounts yet)", run, RunBootstrap);
  b->add_option("--agency", boot->agency, "The agency's code, e.g. CITYPD")->required();
  b->add_option("--agency-name", boot->agency_name, "The agency's name")->required();
  b->add_option("--user", boot->user, "The coordinator's username")->required();
  b->add_option("--full-name", boot->full_name, "The coordinator's full name")->required();

  auto add = [&](const std::string& name, const std::string& help, bool user, auto extra) {
    auto [c, args] = AddGovSubcommand<Args>(cmd, name, help, run, [name](const Args& a) { return Run(a, name); });
    if (user) c->add_option("--user", args->user, "The account")->required();
    extra(c, args.get());
  };
  auto none = [](CLI::App*, Args*) {};
  add("create", "Create an account; prints its one-time password once", true, [](CLI::App* c, Args* a) {
    c->add_option("--full-name", a->full_name, "Full name")->required();
    c->add_option("--role", a->role, "Role (see custodian roles)")->required();
    c->add_option("--agency", a->agency, "Agency code")->required();
    c->add_option("--supervisor", a->supervisor, "Username of the supervisor who approves the acknowledgment")
        ->required();
    c->add_option("--expires", a->expires, "When access ends (YYYY-MM-DD; vendor support and partners)");
    c->add_option("--background-check", a->background_check, "Date of the background check (vendor support)");
    c->add_option("--cjis-addendum", a->cjis_addendum, "Date of the CJIS security addendum (vendor support)");
  });
  add("list", "Every account and its gates", false, none);
  add("show", "One account and its gates", true, none);
  add("unlock", "Unlock an account locked by failed logons", true, none);
  add("separate", "Disable an account at once (separation) and end its sessions", true, [](CLI::App* c, Args* a) {
    c->add_option("--reason", a->reason, "Why")->required();
  });
  add("set-role", "Change an account's role", true,
      [](CLI::App* c, Args* a) { c->add_option("--role", a->role, "The new role")->required(); });
  add("flag-compromised", "Force a password change and end live sessions", true, none);
  add("reset-password", "Issue a new one-time password (shown once)", true, none);
  add("reset-mfa", "Make the account enrol MFA again at next logon", true, none);
  add("disable-inactive", "Disable accounts with no logon within the inactivity limit", false, none);
}

}  // namespace custodian::app
