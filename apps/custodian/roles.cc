// custodian roles: the permission matrix in force and the purposes a query may state
// (policy/roles.json and policy/purposes.json as built into the binary). Needs no session.
#include <iostream>

#include "commands.h"
#include "custodian/policy/roles.h"

namespace custodian::app {

void RegisterRoles(CLI::App& app, Action* run) {
  CLI::App* cmd = app.add_subcommand("roles", "Print the permission matrix and the allowed purposes");
  cmd->callback([run] {
    *run = [] {
      std::cout << policy::PermissionMatrix::Default().Describe() << "\npurposes (--purpose):\n";
      for (const auto& [code, title] : policy::PurposeList::Default().allowed()) {
        std::cout << "  " << code << ": " << title << "\n";
      }
      std::cout << "forbidden purposes:\n";
      for (const auto& [code, title] : policy::PurposeList::Default().forbidden()) {
        std::cout << "  " << code << ": " << title << "\n";
      }
      return 0;
    };
  });
}

}  // namespace custodian::app
