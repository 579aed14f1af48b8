// Copies a SQLite writer's WAL into the database file on a thread of its own (a
// checkpoint), so that the writer's commits do not wait for it. Internal.
//
// Without it the writer checkpoints itself (wal_autocheckpoint): the commit that takes
// the WAL past the threshold also reads every page of the WAL back and writes it into the
// database file, and every write queued behind it waits (an ingest batch, the access-log
// entry a search waits for). Here a second connection does that work on another core with
// PASSIVE checkpoints, which run beside the writer's commits: a commit appends to the WAL
// while the checkpointer copies the frames committed before it began.
//
// The WAL starts again from its beginning only at a write transaction that finds every
// frame copied, and a writer that commits without pause could stay ahead of the copier, so
// the WAL is bounded: a commit that leaves it at `stall_pages` or more waits (in SQLite's
// WAL hook, after its commit is durable) until a checkpoint pass that began after it has
// finished; with no new frames meanwhile, that pass copies them all.
//
// Durability is SQLite's: a COMMIT is in the fsynced WAL before it returns; a checkpoint
// fsyncs the WAL before and the database file after copying (synchronous = FULL), and is
// safe to interrupt at any point (SQLite restarts it from the WAL).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include "custodian/core/status.h"
#include "store/sql_driver.h"

struct sqlite3;

namespace custodian::store::internal {

class WalCheckpointer {
 public:
  struct Options {
    // A pass starts when a commit leaves at least this many frames (pages) in the WAL.
    int pages = 4096;
    // A commit that leaves this many waits for a pass (see above). Must be >= pages.
    int stall_pages = 16384;
  };
  // Takes over `writer`'s checkpoints (its wal_autocheckpoint is turned off and a WAL hook
  // installed) and opens a connection of its own on `file`. `writer` must outlive the
  // checkpointer, which gives the checkpoints back to it when destroyed.
  static Result<std::unique_ptr<WalCheckpointer>> Start(SqlDriver& writer, const std::filesystem::path& file,
                                                        const Options& options);
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Blocks until a pass that began after the call has finished, and as many more as copy
  // something, so that every frame committed before the call and not held by a reader's
  // snapshot is in the database file. Returns the last pass's error, if any.
  Status Drain();

  struct Stats {
    int64_t passes = 0;        // checkpoint passes run
    int64_t frames_copied = 0; // frames backfilled, summed over passes
    int64_t stalls = 0;        // commits that waited for a pass (WAL at stall_pages)
    int64_t errors = 0;        // passes that failed (busy or I/O); the next commit retries
  };
  Stats stats() const;

 private:
  WalCheckpointer(sqlite3* writer, std::unique_ptr<SqlDriver> own, const Options& options);
  static int Hook(void* self, sqlite3* db, const char* name, int frames);
  void Run();
  // Waits until a pass numbered after the current one has finished. mu_ held by `lock`.
  void WaitForNextPass(std::unique_lock<std::mutex>& lock);

  sqlite3* const writer_;
  const std::unique_ptr<SqlDriver> own_driver_;  // the checkpointer's connection
  sqlite3* const own_;                            // its handle
  const Options options_;

  mutable std::mutex mu_;
  std::condition_variable wake_;   // to the thread: a pass is wanted, or stop
  std::condition_variable passed_; // from the thread: a pass finished
  bool wanted_ = false;
  bool stopping_ = false;
  int64_t begun_ = 0;     // passes begun
  int64_t finished_ = 0;  // passes finished
  int last_rc_ = 0;       // SQLite result of the last pass
  Stats stats_;           // but passes, which is finished_
  std::thread thread_;
};

}  // namespace custodian::store::internal
