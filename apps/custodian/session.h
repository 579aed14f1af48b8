// The CLI's session: every subcommand that touches the records store acts as a logged-in
// user (or, for maintenance jobs, as the system) through the governance layer.
//   custodian login [--user NAME] [--password-stdin] [--code CODE] [--accept-notice]
//   custodian logout
//   custodian whoami
// The session file ($CUSTODIAN_SESSION, else ~/.config/custodian/session; mode 0600) holds
// the session token and the database (and image folder, keys) it belongs to.
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "commands.h"
#include "custodian/policy/governance.h"
#include "store_flags.h"

namespace custodian::app {

// Store flags plus --signing-key (default $CUSTODIAN_SIGNING_KEY, else agency.key beside
// the SQLite file or the image folder; a PostgreSQL store without --images needs one).
struct GovFlags {
  StoreFlags store;
  std::string signing_key;
};
void AddGovFlags(CLI::App* cmd, GovFlags* flags);

// An opened store with its governance layer; the store outlives the layer.
struct Governed {
  std::unique_ptr<store::ReadStore> store;
  std::unique_ptr<policy::Governance> gov;
  policy::Principal who;
};

// Opens the store and the governance layer named by `flags` (session file values fill
// what the flags leave out), and authenticates the session. kUnauthenticated, with a
// line telling the user to log in, when there is no session or it ended.
Result<Governed> OpenAsUser(const GovFlags& flags);
// Opens them for a maintenance job acting as Governance::System(job). `create_key`:
// create the agency key when absent (installation only).
Result<Governed> OpenAsSystem(const GovFlags& flags, std::string_view job, bool create_key = false);

// Prints "custodian WHAT: STATUS" on stderr (with a hint to log in again for an ended
// session) and returns 1.
int FailWith(std::string_view what, const Status& st);

// What a governed subcommand does once its store is open: prints its answer on stdout, or
// returns the error that stopped it.
using GovernedBody = std::function<Status(Governed& g)>;

// Runs `body` on the store `opened` (from OpenAsUser or OpenAsSystem) and returns the exit
// status: 0 when it succeeds; when `opened` or `body` fails, FailWith(what, status), 1.
int RunGoverned(std::string_view what, Result<Governed> opened, const GovernedBody& body);
// RunGoverned(what, OpenAsUser(flags), body): `body` acts as the logged-in user.
int RunAsUser(std::string_view what, const GovFlags& flags, const GovernedBody& body);

// Reads a secret: from the terminal without echo when stdin is a TTY (after `prompt` on
// stderr), else one line of stdin. kInvalidArgument at end of input.
Result<std::string> ReadSecret(std::string_view prompt);

void RegisterSession(CLI::App& app, Action* run);

}  // namespace custodian::app
