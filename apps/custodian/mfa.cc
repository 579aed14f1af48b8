// custodian mfa: multi-factor authentication (CJIS) for the logged-in user.
//   custodian mfa enrol              prints the secret and the otpauth:// URI once
//   custodian mfa confirm --code CODE
// After confirm the same session is a full one; no second logon is needed.
#include <iostream>

#include "commands.h"
#include "session.h"

namespace custodian::app {
namespace {

struct ConfirmArgs {
  GovFlags flags;
  std::string code;
};

int RunEnrol(const GovFlags& flags) {
  auto g = OpenAsUser(flags);
  if (!g.ok()) return FailWith("mfa enrol", g.status());
  auto e = g->gov->BeginTotpEnrolment(g->who);
  if (!e.ok()) return FailWith("mfa enrol", e.status());
  std::cout << "secret: " << e->secret_base32 << "\nuri: " << e->uri
            << "\n(shown once; add it to your authenticator, then run: custodian mfa confirm --code CODE)\n";
  return 0;
}

int RunConfirm(const ConfirmArgs& a) {
  auto g = OpenAsUser(a.flags);
  if (!g.ok()) return FailWith("mfa confirm", g.status());
  Status st = g->gov->ConfirmTotpEnrolment(g->who, a.code);
  if (!st.ok()) return FailWith("mfa confirm", st);
  std::cout << "multi-factor authentication enrolled for " << g->who.username << "\n";
  return 0;
}

}  // namespace

void RegisterMfa(CLI::App& app, Action* run) {
  CLI::App* cmd = app.add_subcommand("mfa", "Multi-factor authentication: enrol, confirm");
  cmd->require_subcommand(1);
  auto enrol_args = std::make_shared<GovFlags>();
  CLI::App* enrol = cmd->add_subcommand("enrol", "Start enrolment: prints the secret and URI once");
  AddGovFlags(enrol, enrol_args.get());
  enrol->callback([enrol_args, run] { *run = [enrol_args] { return RunEnrol(*enrol_args); }; });
  auto confirm_args = std::make_shared<ConfirmArgs>();
  CLI::App* confirm = cmd->add_subcommand("confirm", "Finish enrolment with a code from the authenticator");
  AddGovFlags(confirm, &confirm_args->flags);
  confirm->add_option("--code", confirm_args->code, "The current one-time code")->required();
  confirm->callback([confirm_args, run] { *run = [confirm_args] { return RunConfirm(*confirm_args); }; });
}

}  // namespace custodian::app
