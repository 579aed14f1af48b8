#include "custodian/core/group_commit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace custodian {
namespace {

struct Job {
  int id = 0;
  size_t weight = 1;
  bool written = false;
};

// Every caller's job is written exactly once, by a write that ran before the caller
// returned, and no group passes the weight limit unless it is a single job.
TEST(GroupCommit, EachJobIsWrittenOnceBeforeItsCallerReturnsAndGroupsKeepTheLimit) {
  GroupCommit<Job> group;
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50;
  std::mutex seen_mu;
  std::vector<int> times_written(kThreads * kPerThread, 0);
  std::atomic<int> over_limit{0}, returned_unwritten{0}, groups{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        Job job{t * kPerThread + i, size_t(1 + (i % 4)), false};
        group.Run(job, 6, [](const Job& j) { return j.weight; }, [&](std::vector<Job*>& batch) {
          ++groups;
          size_t total = 0;
          for (Job* j : batch) total += j->weight;
          if (batch.size() > 1 && total > 6) ++over_limit;
          std::lock_guard lock(seen_mu);
          for (Job* j : batch) {
            ++times_written[size_t(j->id)];
            j->written = true;
          }
        });
        if (!job.written) ++returned_unwritten;
      }
    });
  }
  for (auto& th : threads) th.join();
  for (size_t k = 0; k < times_written.size(); ++k) EXPECT_EQ(times_written[k], 1) << "job " << k;
  EXPECT_EQ(over_limit.load(), 0);
  EXPECT_EQ(returned_unwritten.load(), 0);
  EXPECT_LE(groups.load(), kThreads * kPerThread);
}

TEST(GroupCommit, AJobHeavierThanTheLimitIsWrittenAlone) {
  GroupCommit<Job> group;
  Job big{1, 10, false};
  size_t batch_size = 0;
  group.Run(big, 6, [](const Job& j) { return j.weight; }, [&](std::vector<Job*>& batch) {
    batch_size = batch.size();
    for (Job* j : batch) j->written = true;
  });
  EXPECT_TRUE(big.written);
  EXPECT_EQ(batch_size, 1u);
}

}  // namespace
}  // namespace custodian
