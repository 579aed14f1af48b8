// custodian ack: the ALPR policy acknowledgment (policy 1-2, Forms).
//   custodian ack show                                   the statements to accept
//   custodian ack sign --name "FULL NAME" --accept-all   sign as the logged-in user
//   custodian ack approve --user NAME --as supervisor|coordinator
#include <iostream>

#include "commands.h"
#include "governed_subcommand.h"
#include "session.h"

namespace custodian::app {
namespace {

struct Args {
  GovFlags flags;
  std::string name, user, as;
  bool accept_all = false;
};

int RunShow() {
  std::cout << "ALPR policy acknowledgment; sign with: custodian ack sign --name \"FULL NAME\" --accept-all\n";
  for (int i = 0; i < 4; ++i) std::cout << "  " << i + 1 << ". " << policy::kAcknowledgmentStatements[i] << "\n";
  return 0;
}

int RunSign(const Args& a) {
  return RunAsUser("ack sign", a.flags, [&](Governed& g) -> Status {
    policy::AcknowledgmentSignature sig;
    for (bool& s : sig.statements) s = a.accept_all;
    sig.typed_name = a.name;
    CUSTODIAN_RETURN_IF_ERROR(g.gov->SignAcknowledgment(g.who, sig));
    std::cout << "acknowledgment signed by " << g.who.username << "; it awaits supervisor and coordinator approval\n";
    return Status::Ok();
  });
}

int RunApprove(const Args& a) {
  policy::Approval as;
  if (a.as == "supervisor") {
    as = policy::Approval::kSupervisor;
  } else if (a.as == "coordinator") {
    as = policy::Approval::kCoordinator;
  } else {
    return FailWith("ack approve", Status::InvalidArgument("--as is supervisor or coordinator"));
  }
  return RunAsUser("ack approve", a.flags, [&](Governed& g) -> Status {
    CUSTODIAN_RETURN_IF_ERROR(g.gov->ApproveAcknowledgment(g.who, a.user, as));
    std::cout << "acknowledgment of " << a.user << " approved by " << g.who.username << " as " << a.as << "\n";
    return Status::Ok();
  });
}

}  // namespace

void RegisterAck(CLI::App& app, Action* run) {
  CLI::App* cmd = AddCommandGroup(app, "ack", "The ALPR policy acknowledgment: show, sign, approve");
  CLI::App* show = cmd->add_subcommand("show", "Print the statements");
  show->callback([run] { *run = [] { return RunShow(); }; });

  auto [sign, sign_args] =
      AddGovSubcommand<Args>(cmd, "sign", "Sign the acknowledgment as the logged-in user", run, RunSign);
  sign->add_option("--name", sign_args->name, "Your full name, as on your account")->required();
  sign->add_flag("--accept-all", sign_args->accept_all, "Accept every statement (see custodian ack show)");

  auto [approve, approve_args] =
      AddGovSubcommand<Args>(cmd, "approve", "Approve a user's signed acknowledgment", run, RunApprove);
  approve->add_option("--user", approve_args->user, "The user")->required();
  approve->add_option("--as", approve_args->as, "supervisor or coordinator")->required();
}

}  // namespace custodian::app
