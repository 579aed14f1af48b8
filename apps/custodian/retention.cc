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

#include "commands.h"
#include "custodian/policy/retention.h"
#include "custodian/policy/governed_ops.h"
#include "session.h"
#include "store_flags.h"

namespace custodian::app {
namespace {

// Defaults are the policy layer's, so the two cannot drift apart.
struct PurgeArgs {
  GovFlags store;
  int public_safety_days = int(policy::RetentionPeriods{}.public_safety.count());
  int non_public_safety_days = int(policy::RetentionPeriods{}.non_public_safety.count());
  int batch_size = policy::PurgeOptions{}.batch_size;
  int max_batches = policy::PurgeOptions{}.max_batches;
};

struct LogArgs {
  GovFlags store;
  int limit = 20;
};

int Fail(std::string_view what, const Status& st) { return FailWith("retention " + std::string(what), st); }

policy::RetentionPeriods PeriodsOf(const PurgeArgs& a) {
  return {.public_safety = std::chrono::days(a.public_safety_days),
          .non_public_safety = std::chrono::days(a.non_public_safety_days)};
}

void PrintClass(std::string_view name, const policy::ClassPurgeSummary& s) {
  std::cout << name << ": purged " << s.reads << " reads, " << s.images << " images, " << s.plates << " plates in "
            << s.batches << " batches; cutoff " << FormatUtc(s.cutoff);
  if (s.oldest && s.newest) std::cout << "; captured " << FormatUtc(*s.oldest) << " .. " << FormatUtc(*s.newest);
  if (s.partitions_dropped > 0) std::cout << "; " << s.partitions_dropped << " day partitions dropped";
  if (!s.complete) std::cout << " (stopped at --max-batches; more is due)";
  std::cout << "\n";
}

int RunPurge(const PurgeArgs& a) {
  if (auto rules = policy::RetentionPolicy::Make(PeriodsOf(a)); !rules.ok()) return Fail("purge", rules.status());
  auto g = OpenAsSystem(a.store, "purge");
  if (!g.ok()) return Fail("purge", g.status());
  auto summary = policy::RunPurge(*g->gov, g->who, PeriodsOf(a), {.batch_size = a.batch_size, .max_batches = a.max_batches});
  if (!summary.ok()) return Fail("purge", summary.status());
  PrintClass("public_safety", summary->public_safety);
  PrintClass("non_public_safety", summary->non_public_safety);
  return 0;
}

int RunCheck(const PurgeArgs& a) {
  auto g = OpenAsUser(a.store);
  if (!g.ok()) return Fail("check", g.status());
  auto rules = policy::CheckRetentionPeriods(*g->gov, g->who, PeriodsOf(a));
  if (!rules.ok()) return Fail("check", rules.status());
  std::cout << "retention periods allowed: public_safety " << a.public_safety_days << " days, non_public_safety "
            << a.non_public_safety_days << " days\n";
  return 0;
}

int RunLog(const LogArgs& a) {
  auto g = OpenAsUser(a.store);
  if (!g.ok()) return Fail("log", g.status());
  auto log = policy::PurgeLog(*g->gov, g->who, a.limit);
  if (!log.ok()) return Fail("log", log.status());
  if (log->empty()) std::cout << "no purges recorded\n";
  for (const auto& e : *log) {
    std::cout << FormatUtc(e.run_at) << " " << e.run_by << " " << store::DataClassName(e.data_class) << ": "
              << e.reads << " reads, " << e.images << " images, " << e.plates << " plates; cutoff "
              << FormatUtc(e.cutoff);
    if (e.oldest && e.newest) std::cout << "; captured " << FormatUtc(*e.oldest) << " .. " << FormatUtc(*e.newest);
    std::cout << "\n";
  }
  return 0;
}

}  // namespace

void RegisterRetention(CLI::App& app, Action* run) {
  CLI::App* cmd = app.add_subcommand("retention", "Retention (policy section 3): purge, check, log");
  cmd->require_subcommand(1);

  auto purge_args = std::make_shared<PurgeArgs>();
  CLI::App* purge = cmd->add_subcommand("purge", "Delete reads past their class's retention (never held ones)");
  AddGovFlags(purge, &purge_args->store);
  purge->add_option("--public-safety-days", purge_args->public_safety_days, "Retention of public-safety reads")
      ->capture_default_str();
  purge->add_option("--non-public-safety-days", purge_args->non_public_safety_days,
                    "Retention of non-public-safety reads")
      ->capture_default_str();
  purge->add_option("--batch-size", purge_args->batch_size, "Reads deleted per transaction")
      ->capture_default_str()
      ->check(CLI::Range(1, store::kMaxPurgeBatch));
  purge->add_option("--max-batches", purge_args->max_batches, "Stop after this many batches per class (0: no limit)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  purge->callback([purge_args, run] { *run = [purge_args] { return RunPurge(*purge_args); }; });

  auto check_args = std::make_shared<PurgeArgs>();
  CLI::App* check = cmd->add_subcommand("check", "Check retention periods against policy section 3");
  AddGovFlags(check, &check_args->store);
  check->add_option("--public-safety-days", check_args->public_safety_days, "Retention of public-safety reads")
      ->capture_default_str();
  check->add_option("--non-public-safety-days", check_args->non_public_safety_days,
                    "Retention of non-public-safety reads")
      ->capture_default_str();
  check->callback([check_args, run] { *run = [check_args] { return RunCheck(*check_args); }; });

  auto log_args = std::make_shared<LogArgs>();
  CLI::App* log = cmd->add_subcommand("log", "Print the purge log (counts and time ranges), newest first");
  AddGovFlags(log, &log_args->store);
  log->add_option("--limit", log_args->limit, "Entries to print")->capture_default_str()->check(
      CLI::Range(1, store::kMaxPageSize));
  log->callback([log_args, run] { *run = [log_args] { return RunLog(*log_args); }; });
}

}  // namespace custodian::app
