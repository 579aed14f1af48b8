// custodian retention: the retention purge (policy section 3).
//   custodian retention purge --db URL [--public-safety-days N] [--non-public-safety-days N]
//                             [--batch-size N] [--max-batches N]
//   custodian retention check [--public-safety-days N] [--non-public-safety-days N]
//   custodian retention log [--limit N]
// The purge is a maintenance job run as the system (Governance::System("purge"), logged
// as such; no session): it deletes every read past its class's period (never a held one)
// in bounded batches and prints counts, never plates. check and log act as the logged-in
// user (manage_retention).
#include <iostream>
#include <optional>

#include "commands.h"
#include "custodian/policy/governed_ops.h"
#include "custodian/policy/retention.h"
#include "governed_subcommand.h"
#include "session.h"
#include "store_flags.h"

namespace custodian::app {
namespace {

// Defaults are the policy layer's, so the two cannot drift apart.
struct PurgeArgs {
  GovFlags flags;
  int public_safety_days = int(policy::RetentionPeriods{}.public_safety.count());
  int non_public_safety_days = int(policy::RetentionPeriods{}.non_public_safety.count());
  int batch_size = policy::PurgeOptions{}.batch_size;
  int max_batches = policy::PurgeOptions{}.max_batches;
};

struct LogArgs {
  GovFlags flags;
  int limit = 20;
};

policy::RetentionPeriods PeriodsOf(const PurgeArgs& a) {
  return {.public_safety = std::chrono::days(a.public_safety_days),
          .non_public_safety = std::chrono::days(a.non_public_safety_days)};
}

// "; captured OLDEST .. NEWEST" when both are known.
void PrintCaptured(const std::optional<TimePoint>& oldest, const std::optional<TimePoint>& newest) {
  if (oldest && newest) std::cout << "; captured " << FormatUtc(*oldest) << " .. " << FormatUtc(*newest);
}

void PrintClass(std::string_view name, const policy::ClassPurgeSummary& s) {
  std::cout << name << ": purged " << s.reads << " reads, " << s.images << " images, " << s.plates << " plates in "
            << s.batches << " batches; cutoff " << FormatUtc(s.cutoff);
  PrintCaptured(s.oldest, s.newest);
  if (s.partitions_dropped > 0) std::cout << "; " << s.partitions_dropped << " day partitions dropped";
  if (!s.complete) std::cout << " (stopped at --max-batches; more is due)";
  std::cout << "\n";
}

// The two --*-days options, shared by purge and check.
void AddPeriodOptions(CLI::App* cmd, PurgeArgs* a) {
  cmd->add_option("--public-safety-days", a->public_safety_days, "Retention of public-safety reads")
      ->capture_default_str();
  cmd->add_option("--non-public-safety-days", a->non_public_safety_days, "Retention of non-public-safety reads")
      ->capture_default_str();
}

int RunPurge(const PurgeArgs& a) {
  if (auto rules = policy::RetentionPolicy::Make(PeriodsOf(a)); !rules.ok()) {
    return FailWith("retention purge", rules.status());
  }
  return RunGoverned("retention purge", OpenAsSystem(a.flags, "purge"), [&](Governed& g) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(
        auto summary,
        policy::RunPurge(*g.gov, g.who, PeriodsOf(a), {.batch_size = a.batch_size, .max_batches = a.max_batches}));
    PrintClass("public_safety", summary.public_safety);
    PrintClass("non_public_safety", summary.non_public_safety);
    return Status::Ok();
  });
}

int RunCheck(const PurgeArgs& a) {
  return RunAsUser("retention check", a.flags, [&](Governed& g) -> Status {
    CUSTODIAN_RETURN_IF_ERROR(policy::CheckRetentionPeriods(*g.gov, g.who, PeriodsOf(a)).status());
    std::cout << "retention periods allowed: public_safety " << a.public_safety_days << " days, non_public_safety "
              << a.non_public_safety_days << " days\n";
    return Status::Ok();
  });
}

int RunLog(const LogArgs& a) {
  return RunAsUser("retention log", a.flags, [&](Governed& g) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto log, policy::PurgeLog(*g.gov, g.who, a.limit));
    PrintEach(log, "no purges recorded\n", [](const store::PurgeLogEntry& e) {
      std::cout << FormatUtc(e.run_at) << " " << e.run_by << " " << store::DataClassName(e.data_class) << ": "
                << e.reads << " reads, " << e.images << " images, " << e.plates << " plates; cutoff "
                << FormatUtc(e.cutoff);
      PrintCaptured(e.oldest, e.newest);
      std::cout << "\n";
    });
    return Status::Ok();
  });
}

}  // namespace

void RegisterRetention(CLI::App& app, Action* run) {
  CLI::App* cmd = AddCommandGroup(app, "retention", "Retention (policy section 3): purge, check, log");

  auto [purge, purge_args] = AddGovSubcommand<PurgeArgs>(
      cmd, "purge", "Delete reads past their class's retention (never held ones)", run, RunPurge);
  AddPeriodOptions(purge, purge_args.get());
  purge->add_option("--batch-size", purge_args->batch_size, "Reads deleted per transaction")
      ->capture_default_str()
      ->check(CLI::Range(1, store::kMaxPurgeBatch));
  purge->add_option("--max-batches", purge_args->max_batches, "Stop after this many batches per class (0: no limit)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);

  auto [check, check_args] =
      AddGovSubcommand<PurgeArgs>(cmd, "check", "Check retention periods against policy section 3", run, RunCheck);
  AddPeriodOptions(check, check_args.get());

  auto [log, log_args] =
      AddGovSubcommand<LogArgs>(cmd, "log", "Print the purge log (counts and time ranges), newest first", run, RunLog);
  log->add_option("--limit", log_args->limit, "Entries to print")
      ->capture_default_str()
      ->check(CLI::Range(1, store::kMaxPageSize));
}

}  // namespace custodian::app
