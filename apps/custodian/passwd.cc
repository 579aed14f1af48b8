// custodian passwd: change your password (policy 5.A; NIST 800-63B rules, see
// include/custodian/policy/password.h). Reads the current and the new password from the
// terminal without echo (the new one twice), or as two lines of stdin. The same session
// is a full one afterwards.
#include <unistd.h>

#include <iostream>

#include "commands.h"
#include "session.h"

namespace custodian::app {
namespace {

int RunPasswd(const GovFlags& flags) {
  auto g = OpenAsUser(flags);
  if (!g.ok()) return FailWith("passwd", g.status());
  auto current = ReadSecret("Current password: ");
  if (!current.ok()) return FailWith("passwd", current.status());
  auto next = ReadSecret("New password: ");
  if (!next.ok()) return FailWith("passwd", next.status());
  if (::isatty(0)) {
    auto again = ReadSecret("New password again: ");
    if (!again.ok()) return FailWith("passwd", again.status());
    if (*again != *next) return FailWith("passwd", Status::InvalidArgument("the new passwords differ"));
  }
  Status st = g->gov->ChangePassword(g->who, *current, *next);
  if (!st.ok()) return FailWith("passwd", st);
  std::cout << "password changed for " << g->who.username << "\n";
  return 0;
}

}  // namespace

void RegisterPasswd(CLI::App& app, Action* run) {
  auto args = std::make_shared<GovFlags>();
  CLI::App* cmd = app.add_subcommand("passwd", "Change your password (current and new from the terminal or stdin)");
  AddGovFlags(cmd, args.get());
  cmd->callback([args, run] { *run = [args] { return RunPasswd(*args); }; });
}

}  // namespace custodian::app
