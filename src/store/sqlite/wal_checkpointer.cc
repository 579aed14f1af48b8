#include "store/sqlite/wal_checkpointer.h"

#include <sqlite3.h>

#include "store/sqlite/sqlite_driver.h"

namespace custodian::store::internal {

Result<std::unique_ptr<WalCheckpointer>> WalCheckpointer::Start(SqlDriver& writer, const std::filesystem::path& file,
                                                                const Options& options) {
  sqlite3* w = SqliteHandleOf(writer);
  if (w == nullptr) return Status::Internal("WAL checkpointer: the writer is not a SQLite connection");
  if (options.pages < 1 || options.stall_pages < options.pages) {
    return Status::InvalidArgument("WAL checkpointer: pages ", options.pages, " and stall_pages ",
                                   options.stall_pages, " (want 1 <= pages <= stall_pages)");
  }
  // A connection like every other (synchronous = FULL: a pass fsyncs the WAL before copying
  // and the database file after); a checkpoint reads no pages through its cache.
  CUSTODIAN_ASSIGN_OR_RETURN(auto own, OpenSqliteDriver(file, /*create=*/false, /*cache_mib=*/16));
  std::unique_ptr<WalCheckpointer> cp(new WalCheckpointer(w, std::move(own), options));
  sqlite3_wal_autocheckpoint(w, 0);  // also clears any WAL hook
  sqlite3_wal_hook(w, &WalCheckpointer::Hook, cp.get());
  cp->thread_ = std::thread([p = cp.get()] { p->Run(); });
  return cp;
}

WalCheckpointer::WalCheckpointer(sqlite3* writer, std::unique_ptr<SqlDriver> own, const Options& options)
    : writer_(writer), own_driver_(std::move(own)), own_(SqliteHandleOf(*own_driver_)), options_(options) {}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  passed_.notify_all();
  if (thread_.joinable()) thread_.join();
  // The writer checkpoints for itself again (it may be used after this, e.g. while the
  // store closes).
  sqlite3_wal_hook(writer_, nullptr, nullptr);
  sqlite3_wal_autocheckpoint(writer_, options_.pages);
}

// SQLite calls this on the writer's thread after each commit, with the frames now in the
// WAL (copied or not; the count falls only when the WAL starts again from its beginning).
int WalCheckpointer::Hook(void* arg, sqlite3*, const char*, int frames) {
  auto* self = static_cast<WalCheckpointer*>(arg);
  if (frames < self->options_.pages) return SQLITE_OK;
  std::unique_lock lock(self->mu_);
  self->wanted_ = true;
  self->wake_.notify_one();
  if (frames >= self->options_.stall_pages) {
    ++self->stats_.stalls;
    self->WaitForNextPass(lock);
  }
  return SQLITE_OK;
}

void WalCheckpointer::WaitForNextPass(std::unique_lock<std::mutex>& lock) {
  const int64_t target = begun_ + 1;
  wanted_ = true;
  wake_.notify_one();
  passed_.wait(lock, [&] { return finished_ >= target || stopping_; });
}

void WalCheckpointer::Run() {
  std::unique_lock lock(mu_);
  int prev_log = -1, prev_ckpt = -1;
  for (;;) {
    wake_.wait(lock, [&] { return wanted_ || stopping_; });
    if (stopping_) break;
    wanted_ = false;
    ++begun_;
    lock.unlock();
    int log = -1, ckpt = -1;
    const int rc = sqlite3_wal_checkpoint_v2(own_, "main", SQLITE_CHECKPOINT_PASSIVE, &log, &ckpt);
    lock.lock();
    ++finished_;
    last_rc_ = rc;
    if (rc != SQLITE_OK) {
      ++stats_.errors;  // e.g. another process's checkpoint: the next commit asks again
    } else if (log >= 0 && ckpt >= 0) {
      // The WAL started again (fewer frames than before): every frame copied is new.
      const bool restarted = log < prev_log || ckpt < prev_ckpt;
      stats_.frames_copied += restarted ? ckpt : ckpt - prev_ckpt;
      // Frames left, and this pass got somewhere: go again at once (the writer committed
      // meanwhile). No progress means a reader's snapshot holds the rest: wait for a commit.
      if (ckpt < log && (restarted || ckpt != prev_ckpt || log != prev_log)) wanted_ = true;
      prev_log = log;
      prev_ckpt = ckpt;
    }
    passed_.notify_all();
  }
}

Status WalCheckpointer::Drain() {
  std::unique_lock lock(mu_);
  for (int i = 0; i < 1000 && !stopping_; ++i) {
    WaitForNextPass(lock);
    if (last_rc_ != SQLITE_OK || !wanted_) break;
  }
  if (last_rc_ != SQLITE_OK) return Status::Unavailable("sqlite: checkpoint: ", sqlite3_errstr(last_rc_));
  return Status::Ok();
}

WalCheckpointer::Stats WalCheckpointer::stats() const {
  std::lock_guard lock(mu_);
  Stats s = stats_;
  s.passes = finished_;
  return s;
}

}  // namespace custodian::store::internal
