// custodian training: ALPR training records (policy 1-2; annual).
//   custodian training record --user NAME --course TEXT --completed DATE
//   custodian training report [--within-days N]     lapsed or due within N days
#include <iostream>

#include "commands.h"
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
  auto g = OpenAsUser(a.flags);
  if (!g.ok()) return FailWith("training record", g.status());
  Status st = g->gov->RecordTraining(g->who, a.user, a.course, *when);
  if (!st.ok()) return FailWith("training record", st);
  std::cout << "training recorded for " << a.user << ": " << a.course << ", completed " << FormatUtc(*when) << "\n";
  return 0;
}

int RunReport(const Args& a) {
  auto g = OpenAsUser(a.flags);
  if (!g.ok()) return FailWith("training report", g.status());
  auto report = g->gov->TrainingReport(g->who, std::chrono::days(a.within_days));
  if (!report.ok()) return FailWith("training report", report.status());
  if (report->empty()) std::cout << "no training lapsed or due within " << a.within_days << " days\n";
  for (const auto& t : *report) {
    std::cout << t.username << " (" << t.full_name << "): "
              << (t.completed ? "completed " + FormatUtc(*t.completed) : std::string("never trained"))
              << (t.due ? ", due " + FormatUtc(*t.due) : std::string()) << (t.lapsed ? " LAPSED" : "") << "\n";
  }
  return 0;
}

}  // namespace

void RegisterTraining(CLI::App& app, Action* run) {
  CLI::App* cmd = app.add_subcommand("training", "ALPR training: record, report");
  cmd->require_subcommand(1);
  auto rec = std::make_shared<Args>();
  CLI::App* r = cmd->add_subcommand("record", "Record a user's completed training");
  AddGovFlags(r, &rec->flags);
  r->add_option("--user", rec->user, "The user")->required();
  r->add_option("--course", rec->course, "The course")->required();
  r->add_option("--completed", rec->completed, "When (YYYY-MM-DD[THH:MM:SSZ], UTC)")->required();
  r->callback([rec, run] { *run = [rec] { return RunRecord(*rec); }; });
  auto rep = std::make_shared<Args>();
  CLI::App* p = cmd->add_subcommand("report", "Users whose training lapsed or is due soon");
  AddGovFlags(p, &rep->flags);
  p->add_option("--within-days", rep->within_days, "Due within this many days")->capture_default_str()->check(
      CLI::Range(0, 3650));
  p->callback([rep, run] { *run = [rep] { return RunReport(*rep); }; });
}

}  // namespace custodian::app
