#include "custodian/policy/retention.h"

#include <algorithm>

namespace custodian::policy {
namespace {

Status CheckPeriod(std::string_view what, std::chrono::days d) {
  if (d < kMinRetention || d > kMaxRetention) {
    return Status::InvalidArgument("retention for ", what, " data is ", d.count(), " days; policy section 3 allows ",
                                   kMinRetention.count(), " days (Gov. Code 34090.7) to ", kMaxRetention.count(),
                                   " days (2 years)");
  }
  return Status::Ok();
}

}  // namespace

Result<RetentionPolicy> RetentionPolicy::Make(const RetentionPeriods& periods) {
  CUSTODIAN_RETURN_IF_ERROR(CheckPeriod("public-safety", periods.public_safety));
  CUSTODIAN_RETURN_IF_ERROR(CheckPeriod("non-public-safety", periods.non_public_safety));
  return RetentionPolicy(periods);
}

std::chrono::days RetentionPolicy::PeriodFor(store::DataClass data_class) const {
  return data_class == store::DataClass::kPublicSafety ? periods_.public_safety : periods_.non_public_safety;
}

TimePoint RetentionPolicy::CutoffFor(store::DataClass data_class, TimePoint now) const {
  return now - std::chrono::duration_cast<std::chrono::milliseconds>(PeriodFor(data_class));
}

Result<PurgeSummary> RunPurge(store::ReadStore& store, const RetentionPolicy& policy, const Clock& clock,
                              const PurgeOptions& options) {
  if (options.batch_size < 1 || options.batch_size > store::kMaxPurgeBatch) {
    return Status::InvalidArgument("purge batch size ", options.batch_size, " is not in 1..", store::kMaxPurgeBatch);
  }
  if (options.max_batches < 0) return Status::InvalidArgument("max_batches is negative");
  const TimePoint now = clock.Now();
  PurgeSummary summary;
  // Before this, every read is past its class's period: a store may drop such days whole.
  const TimePoint every_class_cutoff = std::min(policy.CutoffFor(store::DataClass::kPublicSafety, now),
                                                policy.CutoffFor(store::DataClass::kNonPublicSafety, now));
  for (store::DataClass c : {store::DataClass::kPublicSafety, store::DataClass::kNonPublicSafety}) {
    ClassPurgeSummary& s = c == store::DataClass::kPublicSafety ? summary.public_safety : summary.non_public_safety;
    ClassPurgeSummary& other = c == store::DataClass::kPublicSafety ? summary.non_public_safety : summary.public_safety;
    s.cutoff = policy.CutoffFor(c, now);
    for (;;) {
      if (options.max_batches > 0 && s.batches >= options.max_batches) break;
      CUSTODIAN_ASSIGN_OR_RETURN(auto b, store.PurgeBatch({.data_class = c,
                                                           .cutoff = s.cutoff,
                                                           .limit = options.batch_size,
                                                           .run_by = options.run_by,
                                                           .every_class_cutoff = every_class_cutoff}));
      s.plates += b.plates;  // a run's last call can tidy plates with no read purged (SQLite)
      other.reads += b.other_class_reads;  // a day dropped whole holds both classes
      if (b.reads > 0 || b.whole_day) {
        ++s.batches;
        s.reads += b.reads;
        s.images += b.images;
        s.partitions_dropped += b.partitions_dropped;
        if (!s.oldest || (b.oldest && *b.oldest < *s.oldest)) s.oldest = b.oldest;
        if (!s.newest || (b.newest && *b.newest > *s.newest)) s.newest = b.newest;
      }
      // A day dropped whole may hold fewer reads than a batch (or none of this class);
      // more may follow.
      if (b.reads < options.batch_size && !b.whole_day) {
        s.complete = true;
        break;
      }
    }
  }
  return summary;
}

}  // namespace custodian::policy
