// custodian training: ALPR training records (policy 1-2; annual).
//   custodian training record --user NAME --course TEXT --completed DATE
//   custodian training report [--within-days N]     lapsed or due within N days
#include <iostream>

#include "commands.h"
#include "governed_subcommand.h"
#include "session.h"

namespace custodian::app {
namespace {

struct Args {
  GovFlags flags;
  std::string user, course, completed;
  int within_days = 30;
};

int RunRecord(const Args& a) {
  auto when = ParseUtc(a.completed);
  if (!when.ok()) return FailWith("training record", when.status());
  return RunAsUser("training record", a.flags, [&](Governed& g) -> Status {
    CUSTODIAN_RETURN_IF_ERROR(g.gov->RecordTraining(g.who, a.user, a.course, *when));
    std::cout << "training recorded for " << a.user << ": " << a.course << ", completed " << FormatUtc(*when) << "\n";
    return Status::Ok();
  });
}

int RunReport(const Args& a) {
  return RunAsUser("training report", a.flags, [&](Governed& g) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto report, g.gov->TrainingReport(g.who, std::chrono::days(a.within_days)));
    const std::string none = "no training lapsed or due within " + std::to_string(a.within_days) + " days\n";
    PrintEach(report, none, [](const policy::TrainingStatus& t) {
      std::cout << t.username << " (" << t.full_name
                << "): " << (t.completed ? "completed " + FormatUtc(*t.completed) : std::string("never trained"))
                << (t.due ? ", due " + FormatUtc(*t.due) : std::string()) << (t.lapsed ? " LAPSED" : "") << "\n";
    });
    return Status::Ok();
  });
}

}  // namespace

void RegisterTraining(CLI::App& app, Action* run) {
  CLI::App* cmd = AddCommandGroup(app, "training", "ALPR training: record, report");
  auto [r, rec] = AddGovSubcommand<Args>(cmd, "record", "Record a user's completed training", run, RunRecord);
  r->add_option("--user", rec->user, "The user")->required();
  r->add_option("--course", rec->course, "The course")->required();
  r->add_option("--completed", rec->completed, "When (YYYY-MM-DD[THH:MM:SSZ], UTC)")->required();
  auto [p, rep] = AddGovSubcommand<Args>(cmd, "report", "Users whose training lapsed or is due soon", run, RunReport);
  p->add_option("--within-days", rep->within_days, "Due within this many days")
      ->capture_default_str()
      ->check(CLI::Range(0, 3650));
}

}  // namespace custodian::app
