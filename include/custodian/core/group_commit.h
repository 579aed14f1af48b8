// GroupCommit: leader/follower batching of writes that each end in a sync, so that
// concurrent callers share one transaction (and one sync) instead of queueing for one each.
//
// Basic usage:
//   custodian::GroupCommit<Entry> group;
//   Entry e{...};
//   group.Run(e, /*max_weight=*/200, [](const Entry& x) { return x.size; },
//             [&](std::vector<Entry*>& batch) { WriteAllInOneTransaction(batch); });
//   // here e has been written (write set its result), alone or with others
//
// One caller at a time leads: it takes the queued jobs in arrival order while their weights
// add up to at most max_weight (always at least one), writes them with `write` outside the
// queue's lock, marks them done and wakes the rest. Jobs that arrive meanwhile queue for
// the next leader. Run returns only after the call of `write` that held the job returned,
// so a caller answers only once its job is durable. `write` reports each job's outcome in
// the job itself. Thread-safe.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <vector>

namespace custodian {

template <typename Job>
class GroupCommit {
 public:
  template <typename Weight, typename Write>
  void Run(Job& job, size_t max_weight, Weight&& weight, Write&& write) {
    Waiter me{&job};
    std::unique_lock lock(mu_);
    queue_.push_back(&me);
    while (!me.done) {
      if (leading_) {
        cv_.wait(lock);
        continue;
      }
      leading_ = true;
      std::vector<Waiter*> taken;
      std::vector<Job*> group;
      size_t total = 0;
      while (!queue_.empty()) {
        const size_t w = weight(*queue_.front()->job);
        if (!group.empty() && total + w > max_weight) break;
        total += w;
        taken.push_back(queue_.front());
        group.push_back(queue_.front()->job);
        queue_.pop_front();
      }
      lock.unlock();
      write(group);
      lock.lock();
      for (Waiter* t : taken) t->done = true;
      leading_ = false;
      cv_.notify_all();
    }
  }

 private:
  struct Waiter {
    Job* job;
    bool done = false;
  };
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Waiter*> queue_;
  bool leading_ = false;
};

}  // namespace custodian
