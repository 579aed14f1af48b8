// custodian retention: the retention purge (policy section 3).
//   custodian retention purge --db URL [--public-safety-days N] [--non-public-safety-days N]
//                             [--batch-size N] [--max-batches N]
//   custodian retention log --db URL [--limit N]
// The purge runs as the system: it deletes every read past its class's period (never a
// held one) in bounded batches and prints counts, never plates.
#include <iostream>

#include "commands.h"
#include "custodian/policy/retention.h"
#include "store_flags.h"

namespace custodian::app {
namespace {

// Defaults are the policy layer's, so the two cannot drift apart.
struct PurgeArgs {
  StoreFlags store;
  int public_safety_days = int(policy::RetentionPeriods{}.public_safety.count());
  int non_public_safety_days = int(policy::RetentionPeriods{}.non_public_safety.count());
  int batch_size = policy::PurgeOptions{}.batch_size;
  int max_batches = policy::PurgeOptions{}.max_batches;
};

struct LogArgs {
  StoreFlags store;
  int limit = 20;
};

int Fail(std::string_view what, const Status& st) {
  std::cerr << "custodian retention " << what << ": " << st.ToString() << "\n";
  return 1;
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
  auto rules = policy::RetentionPolicy::Make({.public_safety = std::chrono::days(a.public_safety_days),
                                              .non_public_safety = std::chrono::days(a.non_public_safety_days)});
  if (!rules.ok()) return Fail("purge", rules.status());
  auto s = OpenStoreFromFlags(a.store);
  if (!s.ok()) return Fail("purge", s.status());
  auto summary = policy::RunPurge(**s, *rules, SystemClock::Default(),
                                  {.batch_size = a.batch_size, .max_batches = a.max_batches, .run_by = "system"});
  if (!summary.ok()) return Fail("purge", summary.status());
  PrintClass("public_safety", summary->public_safety);
  PrintClass("non_public_safety", summary->non_public_safety);
  return 0;
}

int RunLog(const LogArgs& a) {
  auto s = OpenStoreFromFlags(a.store);
  if (!s.ok()) return Fail("log", s.status());
  auto log = (*s)->PurgeLog(a.limit);
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
  CLI::App* cmd = app.add_subcommand("retention", "Retention (policy section 3): purge, log");
  cmd->require_subcommand(1);

  auto purge_args = std::make_shared<PurgeArgs>();
  CLI::App* purge = cmd->add_subcommand("purge", "Delete reads past their class's retention (never held ones)");
  AddStoreFlags(purge, &purge_args->store);
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

  auto log_args = std::make_shared<LogArgs>();
  CLI::App* log = cmd->add_subcommand("log", "Print the purge log (counts and time ranges), newest first");
  AddStoreFlags(log, &log_args->store);
  log->add_option("--limit", log_args->limit, "Entries to print")->capture_default_str()->check(
      CLI::Range(1, store::kMaxPageSize));
  log->callback([log_args, run] { *run = [log_args] { return RunLog(*log_args); }; });
}

}  // namespace custodian::app
