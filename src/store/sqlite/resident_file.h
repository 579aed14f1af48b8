// Keeps a SQLite database file in memory: maps it read-only and touches its pages, so the
// kernel holds them as mapped page cache (the pages are shared with every connection's
// reads; nothing is copied). Some hosts page out file pages nobody has mapped once they have
// been idle for a minute (DAMON reclaim, as on this project's build machine); a search
// then reads each row from disk. Mapped pages are left alone by that reclaim and are still
// reclaimed under real memory pressure, like any clean page cache.
//
// A background thread refreshes the map at once and then every `interval`: it follows the
// file's growth up to `limit_bytes` and touches every page (pages already mapped cost a
// memory read; the others are read from disk, ahead, by the kernel). Stopping (the
// destructor) interrupts a refresh within a few hundred pages. The file
// must not shrink while mapped (SQLite shrinks a database only by VACUUM or auto-vacuum,
// which Custodian never runs); the same holds for SQLite's own PRAGMA mmap_size.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include "custodian/core/status.h"

namespace custodian::store::internal {

class ResidentFile {
 public:
  // interval 0: no thread; Start refreshes once and the owner calls Refresh() (tests).
  static Result<std::unique_ptr<ResidentFile>> Start(const std::filesystem::path& file, size_t limit_bytes,
                                                     std::chrono::milliseconds interval);
  ~ResidentFile();
  ResidentFile(const ResidentFile&) = delete;
  ResidentFile& operator=(const ResidentFile&) = delete;

  // Maps the file up to min(its size, the limit) and touches each page. Returns the bytes
  // now mapped. One refresh at a time.
  Result<size_t> Refresh();
  // Bytes mapped (the file only grows, so: up to its size at the last Refresh).
  size_t mapped_bytes() const;

 private:
  ResidentFile(int fd, size_t limit, std::chrono::milliseconds interval);
  void Run();

  const int fd_;
  const size_t limit_;
  const std::chrono::milliseconds interval_;
  std::atomic<bool> stop_{false};
  std::mutex wait_mu_;  // for cv_
  std::condition_variable cv_;
  mutable std::mutex mu_;  // one Refresh at a time; guards the fields below
  void* map_ = nullptr;
  size_t map_len_ = 0;  // bytes mapped (a multiple of the page size)
  std::thread thread_;
};

}  // namespace custodian::store::internal
