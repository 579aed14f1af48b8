// custodian ack: the ALPR policy acknowledgment (policy 1-2, Forms).
//   custodian ack show                                   the statements to accept
//   custodian ack sign --name "FULL NAME" --accept-all   sign as the logged-in user
//   custodian ack approve --user NAME --as supervisor|coordinator
#include <iostream>

#include "commands.h"
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
  auto g = OpenAsUser(a.flags);
  if (!g.ok()) return FailWith("ack sign", g.status());
  policy::AcknowledgmentSignature sig;
  for (bool& s : sig.statements) s = a.accept_all;
  sig.typed_name = a.name;
  Status st = g->gov->SignAcknowledgment(g->who, sig);
  if (!st.ok()) return FailWith("ack sign", st);
  std::cout << "acknowledgment signed by " << g->who.username << "; it awaits supervisor and coordinator approval\n";
  return 0;
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
  auto g = OpenAsUser(a.flags);
  if (!g.ok()) return FailWith("ack approve", g.status());
  Status st = g->gov->ApproveAcknowledgment(g->who, a.user, as);
  if (!st.ok()) return FailWith("ack approve", st);
  std::cout << "acknowledgment of " << a.user << " approved by " << g->who.username << " as " << a.as << "\n";
  return 0;
}

}  // namespace

void RegisterAck(CLI::App& app, Action* run) {
  CLI::App* cmd = app.add_subcommand("ack", "The ALPR policy acknowledgment: show, sign, approve");
  cmd->require_subcommand(1);
  CLI::App* show = cmd->add_subcommand("show", "Print the statements");
  show->callback([run] { *run = [] { return RunShow(); }; });

  auto sign_args = std::make_shared<Args>();
  CLI::App* sign = cmd->add_subcommand("sign", "Sign the acknowledgment as the logged-in user");
  AddGovFlags(sign, &sign_args->flags);
  sign->add_option("--name", sign_args->name, "Your full name, as on your account")->required();
  sign->add_flag("--accept-all", sign_args->accept_all, "Accept every statement (see custodian ack show)");
  sign->callback([sign_args, run] { *run = [sign_args] { return RunSign(*sign_args); }; });

  auto approve_args = std::make_shared<Args>();
  CLI::App* approve = cmd->add_subcommand("approve", "Approve a user's signed acknowledgment");
  AddGovFlags(approve, &approve_args->flags);
  approve->add_option("--user", approve_args->user, "The user")->required();
  approve->add_option("--as", approve_args->as, "supervisor or coordinator")->required();
  approve->callback([approve_args, run] { *run = [approve_args] { return RunApprove(*approve_args); }; });
}

}  // namespace custodian::app
