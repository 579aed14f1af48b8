// Retention (policy section 3): how long each class of data is kept, and the purge job
// that destroys it on schedule. Pure rules over the store; no database code here.
//
// Basic usage:
//   auto policy = policy::RetentionPolicy::Make({.public_safety = std::chrono::days{365},
//                                                .non_public_safety = std::chrono::days{90}});
//   if (!policy.ok()) return policy.status();   // e.g. 30 days: refused, with the reason
//   auto summary = policy::RunPurge(*store, *policy, clock, {.batch_size = 1000});
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "custodian/core/clock.h"
#include "custodian/core/status.h"
#include "custodian/store/read_store.h"

namespace custodian::policy {

// Gov. Code 34090.7 and the city's policy: data and images are kept at least 90 days
// and at most 2 years.
inline constexpr std::chrono::days kMinRetention{90};
inline constexpr std::chrono::days kMaxRetention{730};

struct RetentionPeriods {
  // How long public-safety reads are kept. Default: 365 days.
  std::chrono::days public_safety{365};
  // How long non-public-safety (e.g. parking) reads are kept. Default: 365 days.
  std::chrono::days non_public_safety{365};
};

// Immutable after Make; thread-safe to share.
class RetentionPolicy {
 public:
  // kInvalidArgument, naming the class and the allowed range, when a period lies outside
  // kMinRetention..kMaxRetention.
  static Result<RetentionPolicy> Make(const RetentionPeriods& periods);

  std::chrono::days PeriodFor(store::DataClass data_class) const;
  // Reads of the class captured strictly before this instant are past retention at `now`.
  TimePoint CutoffFor(store::DataClass data_class, TimePoint now) const;

 private:
  explicit RetentionPolicy(const RetentionPeriods& periods) : periods_(periods) {}
  RetentionPeriods periods_;
};

struct PurgeOptions {
  // Reads deleted per transaction, 1..store::kMaxPurgeBatch. Default: 1000.
  int batch_size = 1000;
  // Stop after this many batches per class (the next run continues). 0: until done.
  // Default: 0.
  int max_batches = 0;
  // Recorded in purge_log. Default: "system".
  std::string run_by = "system";
};

// What a purge run deleted for one data class.
struct ClassPurgeSummary {
  TimePoint cutoff;
  int64_t reads = 0;
  int64_t images = 0;
  int64_t plates = 0;
  int64_t partitions_dropped = 0;
  int64_t batches = 0;  // batches that deleted something
  std::optional<TimePoint> oldest;
  std::optional<TimePoint> newest;
  bool complete = false;  // false when max_batches stopped it with more due
};

struct PurgeSummary {
  ClassPurgeSummary public_safety;
  ClassPurgeSummary non_public_safety;
};

// Deletes every read past its class's retention at clock.Now(), in batches of
// options.batch_size (one transaction each, one purge_log row each), never a read
// under a hold in force. The cut-offs are taken once, at the start. Stops at the first
// error; batches committed before it stay done (and logged).
Result<PurgeSummary> RunPurge(store::ReadStore& store, const RetentionPolicy& policy, const Clock& clock,
                              const PurgeOptions& options = {});

}  // namespace custodian::policy
