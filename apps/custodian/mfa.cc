// custodian mfa: multi-factor authentication (CJIS) for the logged-in user.
//   custodian mfa enrol              prints the secret and the otpauth:// URI once
//   custodian mfa confirm --code CODE
// After confirm the same session is a full one; no second logon is needed.
#include <iostream>

#include "commands.h"
#include "governed_subcommand.h"
#include "session.h"

namespace custodian::app {
namespace {

struct ConfirmArgs {
  GovFlags flags;
  std::string code;
};

int RunEnrol(const GovArgs& a) {
  return RunAsUser("mfa enrol", a.flags, [](Governed& g) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto e, g.gov->BeginTotpEnrolment(g.who));
    std::cout << "secret: " << e.secret_base32 << "\nuri: " << e.uri
              << "\n(shown once; add it to your authenticator, then run: custodian mfa confirm --code CODE)\n";
    return Status::Ok();
  });
}

int RunConfirm(const ConfirmArgs& a) {
  return RunAsUser("mfa confirm", a.flags, [&](Governed& g) -> Status {
    CUSTODIAN_RETURN_IF_ERROR(g.gov->ConfirmTotpEnrolment(g.who, a.code));
    std::cout << "multi-factor authentication enrolled for " << g.who.username << "\n";
    return Status::Ok();
  });
}

}  // namespace

void RegisterMfa(CLI::App& app, Action* run) {
  CLI::App* cmd = AddCommandGroup(app, "mfa", "Multi-factor authentication: enrol, confirm");
  AddGovSubcommand<GovArgs>(cmd, "enrol", "Start enrolment: prints the secret and URI once", run, RunEnrol);
  auto [confirm, confirm_args] = AddGovSubcommand<ConfirmArgs>(
      cmd, "confirm", "Finish enrolment with a code from the authenticator", run, RunConfirm);
  confirm->add_option("--code", confirm_args->code, "The current one-time code")->required();
}

}  // namespace custodian::app
