// The governed subcommands' registration (AddSubcommand with the store and governance
// flags) and their list printing.
//
// Basic usage:
//   struct RevokeArgs {
//     GovFlags flags;
//     int64_t id = 0;
//   };
//   int RunRevoke(const RevokeArgs& a);
//   auto revoke = AddGovSubcommand<RevokeArgs>(keys, "revoke", "Revoke a key at once", run, RunRevoke);
//   revoke.cmd->add_option("--id", revoke.args->id, "The key's id")->required();
//   PrintEach(keys, "no keys\n", PrintKey);
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <iostream>
#include <string>
#include <string_view>
#include <utility>

#include "commands.h"
#include "session.h"

namespace custodian::app {

// The arguments of a subcommand that takes only the store and governance flags.
struct GovArgs {
  GovFlags flags;
};

// AddSubcommand with the store and governance flags (AddGovFlags) parsed into `args->flags`.
// REQUIRES: Args has a member `GovFlags flags`.
template <typename Args>
Subcommand<Args> AddGovSubcommand(CLI::App* parent, const std::string& name, const std::string& help, Action* run,
                                  std::function<int(const Args&)> body) {
  Subcommand<Args> sub = AddSubcommand<Args>(parent, name, help, run, std::move(body));
  AddGovFlags(sub.cmd, &sub.args->flags);
  return sub;
}

// --purpose and --case into `why`: the statement the plate-data gates require (a purpose
// code and a case number, policy 4.A). Not required by the parser: the governance layer
// refuses a missing one with its own message and logs the refusal.
inline void AddPurposeFlags(CLI::App* cmd, policy::AccessPurpose* why) {
  cmd->add_option("--purpose", why->purpose, "Why: a purpose code (see custodian roles); required by policy");
  cmd->add_option("--case", why->case_number, "The case or incident number; required by policy");
}

// Prints `none` when `items` is empty, else `print(item)` for each item in order.
template <typename Items, typename Print>
void PrintEach(const Items& items, std::string_view none, Print&& print) {
  if (items.empty()) std::cout << none;
  for (const auto& item : items) print(item);
}

}  // namespace custodian::app
