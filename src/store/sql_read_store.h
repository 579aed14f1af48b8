// The ReadStore on any SqlDriver: validation, ingest, search and migrations written once
// for both backends. Internal.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>
#include <string>
#include <string_view>

#include "custodian/core/group_commit.h"
#include "custodian/store/read_store.h"
#include "store/read_layout.h"
#include "store/sql_driver.h"
#include "store/sqlite/resident_file.h"
#include "store/sqlite/wal_checkpointer.h"

namespace custodian::store::internal {

// Valid UTF-8 without NUL bytes: what both backends store byte for byte.
bool IsCleanUtf8(std::string_view s);

// The schema version of the database behind `driver` (0 when it has none).
Result<int> SchemaVersionOf(SqlDriver& driver);
// Checks the schema version, and applies pending migrations when `apply` (see OpenStore).
Status MigrateSchema(SqlDriver& driver, bool apply, const Clock& clock, std::string_view backend);

// ---- Pending-image journal: no orphan image after a crash ----
//
// Ingest writes a batch's image files before the rows that refer to them commit, so a
// process killed in between would leave files no read refers to. To make that
// impossible to leave behind, Ingest first writes the batch's image hashes to a journal
// file in image_dir/.pending (fsynced, with its folder), holding a shared lock on
// image_dir/.pending/lock until the batch has committed or failed; after a commit it
// deletes the journal. At open, when no ingest anywhere holds the lock (an exclusive
// non-blocking lock succeeds), every journal left behind belongs to an ingest that
// died: each hash in it that no read refers to is deleted, then the journal. An image
// shared with a committed read is referred to, so it stays. While another process
// ingests, the clean-up is skipped (the next open, or `custodian db verify-images
// --remove-orphans` after its grace period, does it). The locks are flock(2) locks, so
// the image folder must be on a local file system or one that honours them.
class PendingImageJournal {
 public:
  // Records `shas` as pending (durably) and takes the shared lock. Empty `shas`: no-op.
  static Result<PendingImageJournal> Begin(const std::filesystem::path& image_dir,
                                           const std::vector<std::string>& shas);
  PendingImageJournal() = default;
  PendingImageJournal(PendingImageJournal&& other) noexcept { *this = std::move(other); }
  PendingImageJournal& operator=(PendingImageJournal&& other) noexcept;
  // Releases the lock; the journal stays unless Committed() was called.
  ~PendingImageJournal();
  // The rows referring to the images committed: deletes the journal.
  void Committed();

 private:
  std::filesystem::path file_;
  int lock_fd_ = -1;
};

// The clean-up at open described above. `referenced(sha)` says whether a read refers to it.
Status RecoverPendingImages(ImageStore& images, const std::function<Result<bool>(const std::string&)>& referenced);

// A Txn over one driver (the caller owns the transaction, if any).
class DriverTxn final : public Txn {
 public:
  explicit DriverTxn(SqlDriver& driver) : driver_(driver) {}
  Result<std::vector<SqlRow>> Query(const std::string& sql, const std::vector<SqlValue>& params) override {
    return driver_.Query(sql, params);
  }
  Status Lock(int64_t key) override { return driver_.Lock(key); }

 private:
  SqlDriver& driver_;
};

// A mutex that hands itself over in arrival order, except that short governance
// transactions (access-log entries, sessions: Transact) go before waiting ingests, purges
// and other long calls. A search's log entry then waits for at most the transaction in
// progress, not for a queue of ingest batches.
class FairMutex {
 public:
  void lock() {
    std::unique_lock l(m_);
    const uint64_t ticket = next_++;
    cv_.wait(l, [&] { return !held_ && priority_waiting_ == 0 && serving_ == ticket; });
    held_ = true;
    ++serving_;
  }
  void lock_priority() {
    std::unique_lock l(m_);
    ++priority_waiting_;
    cv_.wait(l, [&] { return !held_; });
    --priority_waiting_;
    held_ = true;
  }
  void unlock() {
    {
      std::lock_guard l(m_);
      held_ = false;
    }
    cv_.notify_all();
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  bool held_ = false;
  int priority_waiting_ = 0;
  uint64_t next_ = 0;
  uint64_t serving_ = 0;
};

// Thread-safe: one mutex serialises every call on the driver's connection.
class SqlReadStore final : public ReadStore {
 public:
  // Checks the schema version and migrates when `migrate` is set (see OpenStore).
  static Result<std::unique_ptr<ReadStore>> Open(std::unique_ptr<SqlDriver> driver,
                                                 std::unique_ptr<ReadLayout> layout,
                                                 std::unique_ptr<ImageStore> images, const StoreOptions& options,
                                                 std::string_view backend);

  std::string_view backend() const override { return backend_; }
  Result<int> SchemaVersion() override;
  Status PutAgency(const Agency& agency) override;
  Status PutCamera(const Camera& camera) override;
  Result<Camera> GetCamera(std::string_view id) override;
  Result<std::vector<IngestResult>> Ingest(std::span<const ReadInput> batch) override;
  Result<StoredRead> GetRead(int64_t id) override;
  Result<SearchPage> Search(const SearchQuery& query) override;
  Result<StoredRead> CorrectRead(int64_t read_id, std::string_view new_plate, std::string_view reason,
                                 std::string_view by) override;                 // sql_corrections.cc
  Result<std::vector<ReadCorrection>> ReadHistory(int64_t read_id) override;  // sql_corrections.cc
  Result<Hold> PlaceHold(const HoldRequest& request) override;
  Status ReleaseHold(int64_t id, std::string_view released_by) override;
  Result<Hold> GetHold(int64_t id) override;
  Result<std::vector<Hold>> ListHolds(bool include_released) override;
  Result<std::vector<int64_t>> HeldReadIds(int64_t id) override;
  Result<PurgeBatchResult> PurgeBatch(const PurgeBatchRequest& request) override;
  Result<std::vector<PurgeLogEntry>> PurgeLog(int limit) override;
  Result<Hotlist> PutHotlist(const HotlistSpec& spec) override;
  Result<std::vector<Hotlist>> ListHotlists() override;
  Result<HotlistImportResult> ImportHotlistEntries(const HotlistImport& import) override;
  Result<std::vector<Alert>> ListAlerts(const AlertQuery& query) override;
  Result<Alert> GetAlert(int64_t id) override;
  Status AcknowledgeAlert(int64_t id, std::string_view by) override;
  Status ConfirmAlert(int64_t id, const AlertConfirmation& confirmation) override;
  Status DismissAlert(int64_t id, std::string_view by, std::string_view note) override;
  Status Transact(const std::function<Status(Txn&)>& fn) override;  // sql_transact.cc
  Status ReadOnly(const std::function<Status(Txn&)>& fn) override;  // sql_read_store.cc
  // Adds a read-only connection for Search and GetRead (SQLite WAL readers).
  void AddReader(std::unique_ptr<SqlDriver> reader);
  // Keeps the database file in memory while the store is open (SQLite; see ResidentFile).
  void KeepResident(std::unique_ptr<ResidentFile> resident) { resident_ = std::move(resident); }
  // Runs the writer's WAL checkpoints on their own thread while the store is open (SQLite,
  // `file` being the database; see WalCheckpointer). The store owns both the writer and the
  // checkpointer, which is destroyed first.
  Status StartBackgroundCheckpoints(const std::filesystem::path& file, const WalCheckpointer::Options& options) {
    CUSTODIAN_ASSIGN_OR_RETURN(checkpointer_, WalCheckpointer::Start(*driver_, file, options));
    return Status::Ok();
  }
  Status Flush() override { return checkpointer_ ? checkpointer_->Drain() : Status::Ok(); }

 protected:
  Result<bool> ImageReferenced(const std::string& sha256) override;
  Result<std::vector<std::string>> ImageHashesAfter(const std::string& after, int limit) override;

 private:
  SqlReadStore(std::unique_ptr<SqlDriver> driver, std::unique_ptr<ReadLayout> layout,
               std::unique_ptr<ImageStore> images, const Clock* clock, std::string_view backend)
      : ReadStore(std::move(images), clock), driver_(std::move(driver)), layout_(std::move(layout)),
        backend_(backend) {}

  // Runs fn inside a transaction, committing when it returns OK and rolling back otherwise.
  template <typename Fn>
  Status InTransaction(Fn&& fn);

  // The page's rows (limit + 1 at most) for `plan`: its candidate plates, then the layout's
  // FindPage (sql_search.cc).
  Result<std::vector<SqlRow>> SearchRows(SqlDriver& d, const SearchQuery& q, const SearchPlan& plan);
  Result<std::optional<PurgeBatchResult>> PurgeWholeDay(const PurgeBatchRequest& req, int64_t now_ms);
  Status RemoveImageFiles(const std::vector<std::string>& dead_images, int64_t purged);
  // Runs fn(driver) on a free reader connection (or, without readers, on the writer under
  // mu_).
  template <typename Fn>
  auto WithReader(Fn&& fn) -> decltype(fn(std::declval<SqlDriver&>()));

  // Ingest's group commit (see RunIngestJob in the .cc).
  struct IngestJob;
  Status RunIngestJob(IngestJob& job);
  void WriteIngestGroup(std::vector<IngestJob*>& jobs);
  Status WriteIngestJob(IngestJob& job, PendingTrigrams& trigrams);
  GroupCommit<IngestJob> ingest_group_;

  FairMutex mu_;
  std::unique_ptr<SqlDriver> driver_;
  std::unique_ptr<ReadLayout> layout_;  // shared by driver_ and readers_
  std::vector<std::unique_ptr<SqlDriver>> readers_;
  std::vector<std::unique_ptr<std::mutex>> reader_mu_;
  std::atomic<size_t> next_reader_{0};
  std::unique_ptr<ResidentFile> resident_;
  // Declared after driver_, so destroyed before it (it unhooks itself from the writer).
  std::unique_ptr<WalCheckpointer> checkpointer_;
  std::string backend_;

  // The hotlist filter where the layout has one writer at a time (RefreshHotlistFilter in
  // sql_ingest.cc); under mu_.
  Status RefreshHotlistFilter();
  int64_t hot_filter_version_ = -1;
  // The plates of every hotlist entry, and the confusion keys of those on fuzzy lists, as
  // Bloom filters: a batch looks up in SQL only the plates and keys that may be listed (a
  // false positive costs one lookup that finds nothing). 2^24 bits each (2 MiB): ~1.3% false
  // positives at a million entries, where hash sets of the strings took an estimated ~70 bytes an entry
  // (ingest speed measured the same either way, bench/RESULTS.md session 12).
  // Allocated by the first Clear or Insert (RefreshHotlistFilter clears before any use),
  // so a store with several writers (PostgreSQL) never holds one.
  class HotFilter {
   public:
    void Clear() { bits_.assign(kBits / 64, 0); }
    void Insert(std::string_view s) {
      if (bits_.empty()) Clear();
      const auto [a, b] = Slots(s);
      bits_[a >> 6] |= uint64_t{1} << (a & 63);
      bits_[b >> 6] |= uint64_t{1} << (b & 63);
    }
    bool MayContain(std::string_view s) const {
      if (bits_.empty()) return true;  // never filled: no false negative
      const auto [a, b] = Slots(s);
      return (bits_[a >> 6] >> (a & 63) & 1) && (bits_[b >> 6] >> (b & 63) & 1);
    }

   private:
    static constexpr uint64_t kBits = uint64_t{1} << 24;
    static std::pair<uint64_t, uint64_t> Slots(std::string_view s) {
      const uint64_t h = std::hash<std::string_view>{}(s);
      return {h & (kBits - 1), ((h >> 32) ^ (h * 0x9E3779B97F4A7C15ull)) >> 40 & (kBits - 1)};
    }
    std::vector<uint64_t> bits_;
  };
  HotFilter hot_plates_, hot_fuzzy_keys_;
};

}  // namespace custodian::store::internal
