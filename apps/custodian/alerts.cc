// custodian alerts: hotlist alerts and their review (policy 4.A.3).
// Acts as the logged-in user (view_alerts, review_alerts on the alert's read's data class);
// the reviewer is always that user.
//   custodian alerts list [--unreviewed] [--state S] [--limit N]
//   custodian alerts overdue [--hours H]     unreviewed alerts older than H hours
//   custodian alerts ack --id N
//   custodian alerts confirm --id N --image-checked --action TEXT
//   custodian alerts dismiss --id N --note TEXT
#include <iostream>

#include "commands.h"
#include "custodian/policy/governed_ops.h"
#include "session.h"
#include "store_flags.h"

namespace custodian::app {
namespace {

struct ListArgs {
  GovFlags store;
  bool unreviewed = false;
  std::string state;
  int limit = 100;
};

struct OverdueArgs {
  GovFlags store;
  double hours = 24;
};

struct StepArgs {
  GovFlags store;
  int64_t id = 0;
  std::string text;
  bool image_checked = false;
};

int Fail(std::string_view what, const Status& st) { return FailWith("alerts " + std::string(what), st); }

void PrintAlert(const store::Alert& a) {
  std::cout << "alert " << a.id << " [" << store::AlertStateName(a.state) << "] " << FormatUtc(a.created_at) << " "
            << a.hotlist << " (" << store::HotlistCategoryName(a.category) << "): read " << a.read_id << " "
            << a.read_plate << (a.read_region.empty() ? "" : " " + a.read_region) << " at " << a.camera_id << " "
            << FormatUtc(a.captured_at) << " ~ entry " << a.entry_plate
            << (a.entry_state.empty() ? "" : " " + a.entry_state) << (a.exact ? "" : " (OCR look-alike)")
            << (a.retroactive ? " (retroactive)" : "");
  if (a.acknowledged_at) std::cout << "; acknowledged by " << a.acknowledged_by << " " << FormatUtc(*a.acknowledged_at);
  if (a.resolved_at) {
    std::cout << "; " << store::AlertStateName(a.state) << " by " << a.resolved_by << " " << FormatUtc(*a.resolved_at)
              << (a.image_checked ? ", image checked" : "") << ": " << a.action;
  }
  std::cout << "\n";
}

int RunList(const ListArgs& a) {
  store::AlertQuery q{.unreviewed_only = a.unreviewed, .limit = a.limit};
  if (!a.state.empty()) {
    auto st = store::ParseAlertState(a.state);
    if (!st.ok()) return Fail("list", st.status());
    q.state = *st;
  }
  auto g = OpenAsUser(a.store);
  if (!g.ok()) return Fail("list", g.status());
  auto alerts = policy::ListAlerts(*g->gov, g->who, q);
  if (!alerts.ok()) return Fail("list", alerts.status());
  if (alerts->empty()) std::cout << "no alerts\n";
  for (const auto& al : *alerts) PrintAlert(al);
  return 0;
}

int RunOverdue(const OverdueArgs& a) {
  auto g = OpenAsUser(a.store);
  if (!g.ok()) return Fail("overdue", g.status());
  auto late = policy::OverdueAlerts(*g->gov, g->who, std::chrono::milliseconds(int64_t(a.hours * 3'600'000)));
  if (!late.ok()) return Fail("overdue", late.status());
  for (const auto& al : *late) PrintAlert(al);
  std::cout << late->size() << " alerts unreviewed for more than " << a.hours << " hours\n";
  return late->empty() ? 0 : 1;
}

int RunStep(const StepArgs& a, std::string_view step) {
  auto g = OpenAsUser(a.store);
  if (!g.ok()) return Fail(step, g.status());
  Result<store::Alert> al = Status::Internal("no step");
  if (step == "ack") {
    al = policy::AcknowledgeAlert(*g->gov, g->who, a.id);
  } else if (step == "confirm") {
    al = policy::ConfirmAlert(*g->gov, g->who, a.id, a.image_checked, a.text);
  } else {
    al = policy::DismissAlert(*g->gov, g->who, a.id, a.text);
  }
  if (!al.ok()) return Fail(step, al.status());
  PrintAlert(*al);
  return 0;
}

void AddStep(CLI::App* parent, Action* run, const std::string& name, const std::string& help) {
  auto args = std::make_shared<StepArgs>();
  CLI::App* cmd = parent->add_subcommand(name, help);
  AddGovFlags(cmd, &args->store);
  cmd->add_option("--id", args->id, "The alert")->required();
  if (name == "confirm") {
    cmd->add_flag("--image-checked", args->image_checked,
                  "The plate image was checked against the hotlist record (required)");
    cmd->add_option("--action", args->text, "The action taken")->required();
  } else if (name == "dismiss") {
    cmd->add_option("--note", args->text, "Why (e.g. the plate was misread)")->required();
  }
  cmd->callback([args, run, name] { *run = [args, name] { return RunStep(*args, name); }; });
}

}  // namespace

void RegisterAlerts(CLI::App& app, Action* run) {
  CLI::App* cmd = app.add_subcommand("alerts", "Hotlist alerts: list, overdue, ack, confirm, dismiss");
  cmd->require_subcommand(1);

  auto list_args = std::make_shared<ListArgs>();
  CLI::App* list = cmd->add_subcommand("list", "Alerts, oldest first");
  AddGovFlags(list, &list_args->store);
  list->add_flag("--unreviewed", list_args->unreviewed, "Only alerts not yet confirmed or dismissed");
  list->add_option("--state", list_args->state, "new, acknowledged, confirmed or dismissed");
  list->add_option("--limit", list_args->limit, "At most this many")->capture_default_str()->check(
      CLI::Range(1, store::kMaxPageSize));
  list->callback([list_args, run] { *run = [list_args] { return RunList(*list_args); }; });

  auto overdue_args = std::make_shared<OverdueArgs>();
  CLI::App* overdue = cmd->add_subcommand("overdue", "Unreviewed alerts older than --hours; exit status 1 if any");
  AddGovFlags(overdue, &overdue_args->store);
  overdue->add_option("--hours", overdue_args->hours, "The review deadline")->capture_default_str()->check(
      CLI::NonNegativeNumber);
  overdue->callback([overdue_args, run] { *run = [overdue_args] { return RunOverdue(*overdue_args); }; });

  AddStep(cmd, run, "ack", "Acknowledge a new alert");
  AddStep(cmd, run, "confirm", "Confirm an acknowledged alert (image checked, action taken)");
  AddStep(cmd, run, "dismiss", "Dismiss an acknowledged alert as a misread");
}

}  // namespace custodian::app
