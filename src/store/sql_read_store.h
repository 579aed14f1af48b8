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

// A search as one SQL statement with '?' placeholders; it asks for limit + 1 rows, the
// extra one telling whether there is a next page.
struct SearchSql {
  std::string sql;
  std::vector<SqlValue> params;
};
// kInvalidArgument for a malformed term, cursor, area, camera list or limit.
// When the term's candidate plates come from the plates table (a suffix, trigram or short
// prefix wildcard; a fuzzy key) and `plate_source` is given, it receives the statement
// that lists them (without a LIMIT; empty sql otherwise). With `plates` (those candidates,
// at most kMaxMergedPlates), the search is built as one bounded index walk per plate,
// merged, instead of one statement that sorts every read of those plates.
// `table`: the reads table or view the statement reads (SQLite: the view, or one day's
// table). `plates_by_hour`: that day's table is open (day_tables.h), so a plate term
// names the day's hours to seek its plate index by.
Result<SearchSql> BuildSearchSql(const SearchQuery& query, Dialect dialect,
                                 const std::vector<std::string>* plates = nullptr, SearchSql* plate_source = nullptr,
                                 const std::string& table = "reads", bool plates_by_hour = false);
inline constexpr size_t kMaxMergedPlates = 256;

// SQLite: the reads stored before migration 9 (reads_legacy) of a batch's event ids of one
// capture day, sought in reads_by_event: prefix + an IN list of `n` event ids + suffix (the
// day's parameter last). A day table has its own unique index on event_id.
// No "event_id IS NOT NULL": the IN implies it for the partial index, and with it SQLite
// walks the day's stretch of the index as a range instead of seeking each id.
inline constexpr const char* kSqliteEventLookupPrefix =
    "SELECT event_id, camera_id, id FROM reads_legacy WHERE event_id IN ";
inline constexpr const char* kSqliteEventLookupSuffix = " AND captured_ms / 86400000 = ?";
std::string SqliteEventLookupSql(size_t n);

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
  Dialect dialect() const override { return driver_.dialect(); }
  Result<std::vector<SqlRow>> Query(const std::string& sql, const std::vector<SqlValue>& params) override {
    return driver_.Query(sql, params);
  }
  Status Lock(int64_t key) override { return driver_.Lock(key); }

 private:
  SqlDriver& driver_;
};

// The distinct plates and their trigrams, the index of wildcard and fuzzy search
// (migrations 2, 6 and 10), as Ingest, PurgeBatch and CorrectRead keep it.
// Adds `plate` to plates (with its reverse and confusion key) and, when new, its trigrams.
// SQLite passes `first_day`, the capture day of the read being added: the plate's first
// day, lowered to it when the plate was known from a later day (SearchByDay starts there).
//
// SQLite keeps the trigrams in plate_trigrams (FTS5, migration 10). FTS5 writes what it
// holds in memory as a new segment whenever a statement of the transaction opens a
// savepoint (nearly every INSERT does), so a transaction adding many plates queues their
// rows in a PendingTrigrams and writes them with one statement at its end
// (WritePendingTrigrams): one segment per transaction, not one per plate. Without one
// (`trigrams` null) the row is written at once.
struct PendingTrigrams {
  int64_t next_rowid = 0;  // 0: not yet read from plate_trigrams
  std::vector<std::pair<int64_t, std::string>> rows;  // (rowid, plate)
};
Status IndexPlate(Txn& txn, const std::string& plate, std::optional<int64_t> first_day = std::nullopt,
                  PendingTrigrams* trigrams = nullptr);
// Writes the queued rows (SQLite), one statement for all of them, and empties the queue.
Status WritePendingTrigrams(Txn& txn, PendingTrigrams& trigrams);
// SQLite: sets plates.first_day to `day` where it was later (a late upload, a correction).
Status LowerFirstDay(Txn& txn, const std::string& plate, int64_t day);
// Removes from plates, with their trigrams, each of `plates` that no read holds any more,
// and returns how many: a statement per 100 plates (PostgreSQL: and per 50 trigram rows),
// not a round trip per plate (which was most of a PostgreSQL purge). SQLite deletes their
// plate_trigrams rows by plates.trigram_rowid.
Result<int64_t> UnindexUnusedPlates(Txn& txn, const std::vector<std::string>& plates);
// SQLite: merges plate_trigrams whole. FTS5 records a delete as a marker in a newer
// segment, and until the segments are merged the older ones keep a deleted plate's
// trigrams, from which the plate could be read back; merged, none is left (secure_delete
// zeroes the pages they free). A purge that removed plates merges in the same transaction
// (destroyed means destroyed); a correction does not (its old plate stays in
// read_corrections anyway; the next purge merges). PostgreSQL: nothing to do.
Status MergePlateTrigrams(Txn& txn);

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
  SqlReadStore(std::unique_ptr<SqlDriver> driver, std::unique_ptr<ImageStore> images, const Clock* clock,
               std::string_view backend)
      : ReadStore(std::move(images), clock), driver_(std::move(driver)), backend_(backend) {}

  // Runs fn inside a transaction, committing when it returns OK and rolling back otherwise.
  template <typename Fn>
  Status InTransaction(Fn&& fn);

  Result<SearchPage> SearchOn(SqlDriver& d, const SearchQuery& q, SearchSql query, SearchSql source);
  // The page's rows (limit + 1 at most) for `query` (BuildSearchSql without plates) and its
  // plate source; on SQLite from the day tables (SearchByDay, SearchDayTables).
  Result<std::vector<SqlRow>> SearchRows(SqlDriver& d, const SearchQuery& q, SearchSql query, const SearchSql& source);
  Result<std::vector<SqlRow>> SearchDayTables(SqlDriver& d, const SearchQuery& q,
                                              const std::vector<std::string>& plates);
  Result<std::vector<SqlRow>> FetchReadRows(SqlDriver& d, const std::vector<SqlRow>& keys);
  Result<std::vector<SqlRow>> SearchByDay(SqlDriver& d, const SearchQuery& q);
  // `plates_by_hour`: the table is an open day's (day_tables.h).
  using DayTableAsk =
      std::function<Result<std::vector<SqlRow>>(const std::string& table, bool plates_by_hour, size_t limit)>;
  Result<std::vector<SqlRow>> WalkDayTables(SqlDriver& d, int64_t first_day, int64_t last_day, size_t want,
                                            size_t ms_col, size_t id_col, const DayTableAsk& ask);
  // SQLite: whether reads_legacy (reads stored before migration 9) still holds a read; once
  // it is empty it stays so (nothing is added to it), and is no longer asked.
  Result<bool> LegacyLeft(SqlDriver& d);
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
  std::vector<std::unique_ptr<SqlDriver>> readers_;
  std::vector<std::unique_ptr<std::mutex>> reader_mu_;
  std::atomic<size_t> next_reader_{0};
  std::unique_ptr<ResidentFile> resident_;
  // Declared after driver_, so destroyed before it (it unhooks itself from the writer).
  std::unique_ptr<WalCheckpointer> checkpointer_;
  std::string backend_;

  // SQLite's hotlist filter (RefreshHotlistFilter in the .cc); under mu_.
  Status RefreshHotlistFilter();
  int64_t hot_filter_version_ = -1;
  std::atomic<bool> legacy_empty_{false};
  // The plates of every hotlist entry, and the confusion keys of those on fuzzy lists, as
  // Bloom filters: a batch looks up in SQL only the plates and keys that may be listed (a
  // false positive costs one lookup that finds nothing). 2^24 bits each (2 MiB): ~1.3% false
  // positives at a million entries, where hash sets of the strings took an estimated ~70 bytes an entry
  // (ingest speed measured the same either way, bench/RESULTS.md session 12).
  // Allocated by the first Clear or Insert (RefreshHotlistFilter clears before any use),
  // so a PostgreSQL store never holds one.
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
