// custodian passwd: change your password (policy 5.A; NIST 800-63B rules, see
// include/custodian/policy/password.h). Reads the current and the new password from the
// terminal without echo (the new one twice), or as two lines of stdin. The same session
// is a full one afterwards.
#include <unistd.h>

#include <iostream>

#include "commands.h"
#include "governed_subcommand.h"
#include "session.h"

namespace custodian::app {
namespace {

int RunPasswd(const GovArgs& a) {
  return RunAsUser("passwd", a.flags, [](Governed& g) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(std::string current, ReadSecret("Current password: "));
    CUSTODIAN_ASSIGN_OR_RETURN(std::string next, ReadSecret("New password: "));
    if (::isatty(0)) {
      CUSTODIAN_ASSIGN_OR_RETURN(std::string again, ReadSecret("New password again: "));
      if (again != next) return Status::InvalidArgument("the new passwords differ");
    }
    CUSTODIAN_RETURN_IF_ERROR(g.gov->ChangePassword(g.who, current, next));
    std::cout << "password changed for " << g.who.username << "\n";
    return Status::Ok();
  });
}

}  // namespace

void RegisterPasswd(CLI::App& app, Action* run) {
  AddGovSubcommand<GovArgs>(&app, "passwd", "Change your password (current and new from the terminal or stdin)", run,
                            RunPasswd);
}

}  // namespace custodian::app
