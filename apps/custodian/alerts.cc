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
#include "governed_subcommand.h"
#include "session.h"
#include "store_flags.h"

namespace custodian::app {
namespace {

struct ListArgs {
  GovFlags flags;
  bool unreviewed = false;
  std::string state;
  int limit = 100;
};

struct OverdueArgs {
  GovFlags flags;
  double hours = 24;
};

struct StepArgs {
  GovFlags flags;
  int64_t id = 0;
  std::string text;
  bool image_checked = false;
};

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
    if (!st.ok()) return FailWith("alerts list", st.status());
    q.state = *st;
  }
  return RunAsUser("alerts list", a.flags, [&](Governed& g) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto alerts, policy::ListAlerts(*g.gov, g.who, q));
    PrintEach(alerts, "no alerts\n", PrintAlert);
    return Status::Ok();
  });
}

int RunOverdue(const OverdueArgs& a) {
  size_t late_count = 0;
  int rc = RunAsUser("alerts overdue", a.flags, [&](Governed& g) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(
        auto late, policy::OverdueAlerts(*g.gov, g.who, std::chrono::milliseconds(int64_t(a.hours * 3'600'000))));
    for (const auto& al : late) PrintAlert(al);
    std::cout << late.size() << " alerts unreviewed for more than " << a.hours << " hours\n";
    late_count = late.size();
    return Status::Ok();
  });
  return rc != 0 || late_count > 0 ? 1 : 0;
}

int RunStep(const StepArgs& a, const std::string& step) {
  return RunAsUser("alerts " + step, a.flags, [&](Governed& g) -> Status {
    Result<store::Alert> al = Status::Internal("no step");
    if (step == "ack") {
      al = policy::AcknowledgeAlert(*g.gov, g.who, a.id);
    } else if (step == "confirm") {
      al = policy::ConfirmAlert(*g.gov, g.who, a.id, a.image_checked, a.text);
    } else {
      al = policy::DismissAlert(*g.gov, g.who, a.id, a.text);
    }
    if (!al.ok()) return al.status();
    PrintAlert(*al);
    return Status::Ok();
  });
}

void AddStep(CLI::App* parent, Action* run, const std::string& name, const std::string& help) {
  auto [cmd, args] =
      AddGovSubcommand<StepArgs>(parent, name, help, run, [name](const StepArgs& a) { return RunStep(a, name); });
  cmd->add_option("--id", args->id, "The alert")->required();
  if (name == "confirm") {
    cmd->add_flag("--image-checked", args->image_checked,
                  "The plate image was checked against the hotlist record (required)");
    cmd->add_option("--action", args->text, "The action taken")->required();
  } else if (name == "dismiss") {
    cmd->add_option("--note", args->text, "Why (e.g. the plate was misread)")->required();
  }
}

}  // namespace

void RegisterAlerts(CLI::App& app, Action* run) {
  CLI::App* cmd = AddCommandGroup(app, "alerts", "Hotlist alerts: list, overdue, ack, confirm, dismiss");

  auto [list, list_args] = AddGovSubcommand<ListArgs>(cmd, "list", "Alerts, oldest first", run, RunList);
  list->add_flag("--unreviewed", list_args->unreviewed, "Only alerts not yet confirmed or dismissed");
  list->add_option("--state", list_args->state, "new, acknowledged, confirmed or dismissed");
  list->add_option("--limit", list_args->limit, "At most this many")
      ->capture_default_str()
      ->check(CLI::Range(1, store::kMaxPageSize));

  auto [overdue, overdue_args] = AddGovSubcommand<OverdueArgs>(
      cmd, "overdue", "Unreviewed alerts older than --hours; exit status 1 if any", run, RunOverdue);
  overdue->add_option("--hours", overdue_args->hours, "The review deadline")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);

  AddStep(cmd, run, "ack", "Acknowledge a new alert");
  AddStep(cmd, run, "confirm", "Confirm an acknowledged alert (image checked, action taken)");
  AddStep(cmd, run, "dismiss", "Dismiss an acknowledged alert as a misread");
}

}  // namespace custodian::app
