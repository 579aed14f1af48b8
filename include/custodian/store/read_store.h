// ReadStore: plate reads and their images, on SQLite or PostgreSQL behind one interface.
//
// Basic usage:
//   auto store = store::OpenStore("sqlite:///var/lib/custodian/custodian.db",
//                                 {.image_dir = "/var/lib/custodian/images", .migrate = true});
//   if (!store.ok()) return store.status();
//   (*store)->PutAgency({.code = "CITYPD", .name = "City Police"});
//   (*store)->PutCamera({.id = "cam7", .name = "Main & 3rd", .agency_code = "CITYPD"});
//   auto r = (*store)->IngestOne({.event_id = "cam7-1", .camera_id = "cam7",
//                                 .captured_at = clock.Now(), .plate = "7ABC123", .confidence = 0.9f});
//   auto page = (*store)->Search({.match = store::PlateMatch::kFuzzy, .plate = "7A8C123"});
//
// URLs: "sqlite:///abs/path/file.db" (WAL, synchronous=FULL: a commit is on disk when it
// returns) or a libpq URI "postgresql://user@host/db", "postgresql:///db?host=/socket/dir".
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "custodian/core/clock.h"
#include "custodian/core/status.h"
#include "custodian/store/database.h"
#include "custodian/store/holds.h"
#include "custodian/store/hotlists.h"
#include "custodian/store/image_store.h"
#include "custodian/store/types.h"

namespace custodian::store {

// StoreOptions::resident_mib of the long-running server (and of `custodian bench store`,
// which measures the store as the server runs it).
inline constexpr int kServerResidentMib = 8192;

struct StoreOptions {
  // Folder for the encrypted images. Default (empty): "images" beside the SQLite file;
  // REQUIRED for PostgreSQL.
  std::filesystem::path image_dir;
  // The image key file. Default (empty): image_dir.parent_path() / "image.key".
  std::filesystem::path key_file;
  // Create the image key on first use. Default: true.
  bool create_key = true;
  // Apply pending schema migrations at open. When false, a schema older than this binary
  // is refused with a message that says to run `custodian db migrate`. Default: false.
  bool migrate = false;
  // SQLite only: extra read-only connections that serve Search and GetRead, so searches
  // run beside an ingest (WAL readers) instead of queueing behind it. 0: every call shares
  // the one writer connection. PostgreSQL always uses its one connection. Default: 2.
  int read_connections = 2;
  // SQLite only: pages of WAL (4 KiB each) that start a copy into the database file (a
  // checkpoint). With background_checkpoints (below) a thread copies them beside the
  // writer's commits, and a commit waits only when the WAL reaches 4x this; without, the
  // commit that crosses it copies them itself and every write queued behind waits, including
  // the access-log entry each search waits for (4096 pages: ~50 ms every second or so under
  // a 5,000 reads/s ingest at 10M reads, 16384: ~120 ms; bench/RESULTS.md). Larger speeds
  // bulk ingest and purges (a page dirtied by many batches is copied once per checkpoint) and
  // makes each page look-up in the WAL a little slower. Minimum 100. Default: 4096 (16 MiB).
  int wal_checkpoint_pages = 4096;
  // SQLite only: checkpoints run on a thread and connection of their own (a second core)
  // instead of in the commit that crosses wal_checkpoint_pages, so no write copies the WAL.
  // The WAL starts again from its beginning only at a transaction that finds every frame
  // copied, which a writer that never pauses may not give it, so a commit that leaves
  // 4 x wal_checkpoint_pages frames in it waits for one pass. See
  // src/store/sqlite/wal_checkpointer.h. Default: true.
  bool background_checkpoints = true;
  // SQLite only: the page cache of each connection (the writer and each reader), MiB,
  // allocated as pages are used. Random plate keys touch index pages all over the file, so
  // a cache that holds the hot indexes keeps an insert or a search from re-reading them
  // through the kernel. 16..65536. Default: 512.
  int cache_mib = 512;
  // SQLite only: keep up to this much of the database file in memory, MiB: a background
  // thread maps the file read-only and touches its pages at once and every 10 seconds,
  // following its growth. Some hosts (this project's build machine among them: DAMON
  // reclaim) page out file pages nobody has mapped after a minute idle, so a search at 10M
  // reads went to disk for each row; mapped pages are spared by that reclaim and still given
  // back under real memory pressure like any clean page cache. The cost is page cache,
  // shared with SQLite's own reads, up to the file's size, and a first pass that reads the
  // file. For long-running processes: `custodian serve` uses kServerResidentMib.
  // 0..1048576. Default: 0 (off; a short-lived command gains nothing from it).
  int resident_mib = 0;
  // The time source for ingest stamps and image clean-up. Default: the system clock.
  // Must outlive the store.
  const Clock* clock = &SystemClock::Default();
};

// What VerifyImages found.
struct ImageCheckReport {
  int64_t files = 0;            // image files on disk
  int64_t orphans = 0;          // files no read refers to, older than the grace period
  int64_t orphans_removed = 0;  // of those, deleted (when asked)
  int64_t missing = 0;          // images the database refers to whose file is gone
};

// One correction of a wrong read (policy 4.A.4, 5.E): the plate before and after, why,
// and who made it. The reads row holds the corrected plate; the original stays here.
struct ReadCorrection {
  int64_t id = 0;
  int64_t read_id = 0;
  std::string old_plate;  // normalised, as the read held it before this correction
  std::string new_plate;  // normalised
  std::string reason;
  std::string corrected_by;
  TimePoint corrected_at;
};
// The longest correction reason, in bytes.
inline constexpr size_t kMaxCorrectionReasonLength = 1'000;

struct ImageCheckOptions {
  // Delete orphan files. Default: false (only count them).
  bool remove_orphans = false;
  // Files younger than this are never orphans: an ingest may be writing them and not yet
  // have committed the read. Default: 1 hour.
  std::chrono::milliseconds grace = std::chrono::hours(1);
};

// Thread-safe: calls may come from several threads; each backend serialises them on its
// connection. Every method that can fail returns a Status; nothing throws.
class ReadStore {
 public:
  virtual ~ReadStore() = default;

  // "sqlite" or "postgresql".
  virtual std::string_view backend() const = 0;

  // The schema version the database is at.
  virtual Result<int> SchemaVersion() = 0;

  // Inserts or updates (by code) an agency.
  virtual Status PutAgency(const Agency& agency) = 0;
  // Inserts or updates (by id) a camera. kNotFound when its agency does not exist.
  virtual Status PutCamera(const Camera& camera) = 0;
  virtual Result<Camera> GetCamera(std::string_view id) = 0;

  // Ingests a batch atomically: every read is checked first, and one invalid read
  // (kInvalidArgument, naming its index) or unknown camera (kNotFound) refuses the whole
  // batch with nothing written. Images are stored (durably) before the rows that refer to
  // them commit, their hashes journaled before that (image_dir/.pending): if the process
  // dies before the commit, the next OpenStore deletes those not referred to. The rows are
  // committed and synced before this returns. Results are in
  // input order. A read whose event id was ingested before (see ReadInput::event_id), or
  // repeats earlier in the batch, is not written again: its result holds the original id
  // and duplicate = true.
  // REQUIRES: batch.size() <= kMaxBatchSize.
  virtual Result<std::vector<IngestResult>> Ingest(std::span<const ReadInput> batch) = 0;
  Result<IngestResult> IngestOne(const ReadInput& read);

  // kNotFound when there is no read `id`.
  virtual Result<StoredRead> GetRead(int64_t id) = 0;
  // Blocks until everything committed before the call is in the database's main file
  // (SQLite with background checkpoints: the WAL copied back); a no-op elsewhere. For
  // measurements and tests; durability never needs it (a commit is durable when it returns).
  virtual Status Flush() { return Status::Ok(); }

  // Reads matching `query`, newest first, one page at a time (keyset cursor). The plate
  // term and every filter are bound parameters. kInvalidArgument for a malformed term,
  // cursor, area or limit.
  virtual Result<SearchPage> Search(const SearchQuery& query) = 0;

  // ---- Corrections of wrong reads (policy 4.A.4, 5.E; sql_corrections.cc) ----

  // Replaces read `read_id`'s plate with `new_plate` (checked and normalised as Ingest
  // does), in one transaction: records a ReadCorrection (old plate, new plate, reason,
  // `by`, the store clock's time), updates the read and its plate keys, indexes the new
  // plate for exact, fuzzy, wildcard and suffix searches, and drops the old plate from the
  // plate index when no other read holds it (as PurgeBatch does). The corrected read is
  // matched against the hotlists as a new read would be: an entry in force at its capture
  // time raises an alert (alerts the old plate raised stay, with their review record).
  // Returns the read after the correction. kNotFound for no read `read_id`;
  // kInvalidArgument for a bad plate, the plate the read already holds, an empty or
  // over-long reason (kMaxCorrectionReasonLength) or an empty `by`, with nothing changed.
  // The plate_raw the camera sent is kept as it was.
  virtual Result<StoredRead> CorrectRead(int64_t read_id, std::string_view new_plate, std::string_view reason,
                                         std::string_view by) = 0;
  // Read `read_id`'s corrections, oldest first (empty when never corrected). kNotFound
  // for no read `read_id`.
  virtual Result<std::vector<ReadCorrection>> ReadHistory(int64_t read_id) = 0;

  // ---- Legal holds and retention (policy section 3; see holds.h) ----

  // Places a legal hold on the requested reads, atomically: a bad field
  // (kInvalidArgument), an unknown read (kNotFound) or too large a search refuses the
  // whole request with nothing written. A held read is never purged until its every
  // hold is released.
  virtual Result<Hold> PlaceHold(const HoldRequest& request) = 0;
  // Releases hold `id`: its reads return to normal retention (unless another hold still
  // covers them). kNotFound for an unknown hold; kInvalidArgument when already released.
  virtual Status ReleaseHold(int64_t id, std::string_view released_by) = 0;
  // kNotFound for an unknown hold.
  virtual Result<Hold> GetHold(int64_t id) = 0;
  // Holds newest first; released ones only when `include_released`.
  virtual Result<std::vector<Hold>> ListHolds(bool include_released) = 0;
  // The ids of the reads hold `id` covers, ascending.
  virtual Result<std::vector<int64_t>> HeldReadIds(int64_t id) = 0;

  // Deletes, in one transaction, up to request.limit reads of the class captured before
  // the cutoff, oldest first, skipping every read under a hold in force; with them their
  // event ids, the images no remaining read refers to (rows, then files after the
  // commit), and the plates and trigrams no remaining read holds. Writes one purge_log
  // row (counts and time range, never plates) in the same transaction when it deleted
  // anything. Where reads are partitioned by day, drops the day partitions it emptied.
  // Fewer reads than the limit means nothing more is due. On SQLite the plates of a
  // full batch are queued and tidied by the run's last call (the one with fewer reads
  // than the limit, possibly none), whose `plates` counts them; a run stopped early
  // leaves them queued for the next run's end.
  virtual Result<PurgeBatchResult> PurgeBatch(const PurgeBatchRequest& request) = 0;
  // purge_log rows, newest first, at most `limit` (1..kMaxPageSize).
  virtual Result<std::vector<PurgeLogEntry>> PurgeLog(int limit) = 0;

  // ---- Hotlists and alerts (policy 4.A.3; see hotlists.h) ----
  //
  // Ingest matches every new read against every hotlist entry in force at its capture
  // time: the same plate (or, on a fuzzy list, the same OCR confusion key) and the same
  // state where both are known. Each match raises one alert, in the read's transaction.

  // Inserts or updates (by name) a hotlist. kNotFound for an unknown agency.
  virtual Result<Hotlist> PutHotlist(const HotlistSpec& spec) = 0;
  virtual Result<std::vector<Hotlist>> ListHotlists() = 0;
  // Adds or updates entries atomically (one bad entry, kInvalidArgument naming its
  // index, refuses the batch) and raises alerts for reads in the retroactive window.
  virtual Result<HotlistImportResult> ImportHotlistEntries(const HotlistImport& import) = 0;

  virtual Result<std::vector<Alert>> ListAlerts(const AlertQuery& query) = 0;
  virtual Result<Alert> GetAlert(int64_t id) = 0;
  // new -> acknowledged. kInvalidArgument from any other state; kNotFound if no alert.
  virtual Status AcknowledgeAlert(int64_t id, std::string_view by) = 0;
  // acknowledged -> confirmed. kInvalidArgument unless acknowledged, unless
  // confirmation.image_checked, or without an action.
  virtual Status ConfirmAlert(int64_t id, const AlertConfirmation& confirmation) = 0;
  // acknowledged -> dismissed (a misread). kInvalidArgument unless acknowledged or
  // without a note.
  virtual Status DismissAlert(int64_t id, std::string_view by, std::string_view note) = 0;

  // ---- The layers above the store ----

  // Runs `fn` in one transaction on the store's database, serialised with every other
  // call: it commits when `fn` returns OK, and rolls back on any error (which it
  // returns). For the governance tables; plate data is read through the methods above.
  virtual Status Transact(const std::function<Status(Txn&)>& fn) = 0;
  // Runs `fn`'s queries (reads only: no transaction is opened, so each statement sees
  // the latest commit) on a read connection where the backend has them, so they do not
  // wait behind writers. `fn` must not write.
  virtual Status ReadOnly(const std::function<Status(Txn&)>& fn) = 0;

  // The decrypted image `sha256` (see ImageStore::Get for errors).
  Result<std::vector<uint8_t>> GetImage(std::string_view sha256) const { return images_->Get(sha256); }

  // Counts image files no read refers to (and optionally deletes them) and images the
  // database refers to whose file is missing.
  Result<ImageCheckReport> VerifyImages(const ImageCheckOptions& options);

  ImageStore& images() { return *images_; }

 protected:
  ReadStore(std::unique_ptr<ImageStore> images, const Clock* clock) : images_(std::move(images)), clock_(clock) {}
  // Whether the database refers to image `sha256`.
  virtual Result<bool> ImageReferenced(const std::string& sha256) = 0;
  // Every image hash the database refers to, in pages after `after` (empty: from the start).
  virtual Result<std::vector<std::string>> ImageHashesAfter(const std::string& after, int limit) = 0;

  std::unique_ptr<ImageStore> images_;
  const Clock* clock_;
};

// Opens the store at `url` ("sqlite://..." or "postgresql://..."/"postgres://..."), checks
// its schema version, and applies pending migrations when options.migrate is set. Unless
// an ingest is in flight (in any process sharing the image folder), deletes the images
// that an ingest killed before its commit wrote and no read refers to.
// Errors: kInvalidArgument for an unknown URL scheme or a database whose schema is newer
// than this binary; kUnavailable when the database cannot be reached; kInvalidArgument
// when the schema is older and options.migrate is false; image key errors as
// ImageStore::Open.
Result<std::unique_ptr<ReadStore>> OpenStore(std::string_view url, const StoreOptions& options = {});

struct SchemaStatus {
  std::string backend;  // "sqlite" or "postgresql"
  int version = 0;      // the database's; 0 when it has no schema yet
  int latest = 0;       // this binary's
};

// The schema version of the database at `url`, without changing it or touching images.
// kNotFound for a SQLite file that does not exist.
Result<SchemaStatus> InspectDatabase(std::string_view url);

// Applies pending migrations to the database at `url` (creating a SQLite file), each in
// its own transaction, and returns the status after. On PostgreSQL, when it applied any,
// it grants the recorded server roles (GrantServerRole) the tables they added. Safe to run while other processes
// do the same (they wait). kInvalidArgument when the schema is newer than this binary.
Result<SchemaStatus> MigrateDatabase(std::string_view url, const Clock& clock = SystemClock::Default());

// The newest schema version this binary knows for `backend` ("sqlite" or "postgresql").
int LatestSchemaVersion(std::string_view backend);

// The database role a store URL connects as, and whether it is confined: may neither alter
// the schema (DDL: e.g. drop the access log's append-only triggers) nor rewrite the access
// log (UPDATE, DELETE, TRUNCATE). SQLite has no roles, so a SQLite store is never confined.
struct DatabaseRole {
  std::string backend;     // "sqlite" or "postgresql"
  std::string name;        // the PostgreSQL role; "" on SQLite
  bool confined = false;
  std::string why;         // when not confined, what the role may do (e.g. "owns table access_log")
};
Result<DatabaseRole> InspectDatabaseRole(std::string_view url);

// PostgreSQL: grants `role` (an existing role, e.g. made with CREATE ROLE custodian_server
// LOGIN) what `custodian serve` needs and no more (migrations/postgres/0013_server_role.sql
// lists it), and records it so that every later MigrateDatabase grants it the new tables.
// Run as the schema's owner on a migrated database. kInvalidArgument on SQLite, for a name
// other than lower-case letters, digits and _, on an unmigrated schema, or for a role that
// is not confined (a superuser, an owner of the schema's tables or a member of the owner's
// role, or one that may create in the schema); kNotFound when the role does not exist.
Status GrantServerRole(std::string_view owner_url, std::string_view role,
                       const Clock& clock = SystemClock::Default());

}  // namespace custodian::store
