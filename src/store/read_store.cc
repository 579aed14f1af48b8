#include "custodian/store/read_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <utility>

#include "store/postgres/pg_driver.h"
#include "store/sql_read_store.h"
#include "store/sqlite/resident_file.h"
#include "store/sqlite/sqlite_driver.h"

namespace custodian::store {

std::string_view CameraKindName(CameraKind kind) {
  switch (kind) {
    case CameraKind::kFixed: return "fixed";
    case CameraKind::kMobile: return "mobile";
    case CameraKind::kParking: return "parking";
  }
  return "fixed";
}

Result<CameraKind> ParseCameraKind(std::string_view name) {
  if (name == "fixed") return CameraKind::kFixed;
  if (name == "mobile") return CameraKind::kMobile;
  if (name == "parking") return CameraKind::kParking;
  return Status::InvalidArgument("camera kind is fixed, mobile or parking");
}

std::string_view DataClassName(DataClass data_class) {
  return data_class == DataClass::kPublicSafety ? "public_safety" : "non_public_safety";
}

Result<DataClass> ParseDataClass(std::string_view name) {
  if (name == "public_safety") return DataClass::kPublicSafety;
  if (name == "non_public_safety") return DataClass::kNonPublicSafety;
  return Status::InvalidArgument("data class is public_safety or non_public_safety");
}

std::string_view PlateMatchName(PlateMatch match) {
  switch (match) {
    case PlateMatch::kAny: return "any";
    case PlateMatch::kExact: return "exact";
    case PlateMatch::kWildcard: return "wildcard";
    case PlateMatch::kFuzzy: return "fuzzy";
  }
  return "exact";
}

Result<PlateMatch> ParsePlateMatch(std::string_view name) {
  for (PlateMatch m : {PlateMatch::kAny, PlateMatch::kExact, PlateMatch::kWildcard, PlateMatch::kFuzzy}) {
    if (name == PlateMatchName(m)) return m;
  }
  return Status::InvalidArgument("match is any, exact, wildcard or fuzzy");
}

std::string_view HotlistCategoryName(HotlistCategory c) {
  switch (c) {
    case HotlistCategory::kStolenVehicle: return "stolen_vehicle";
    case HotlistCategory::kStolenPlate: return "stolen_plate";
    case HotlistCategory::kAmberMissingPerson: return "amber_missing_person";
    case HotlistCategory::kWanted: return "wanted";
    case HotlistCategory::kBolo: return "bolo";
    case HotlistCategory::kParkingScofflawPermit: return "parking_scofflaw_permit";
  }
  return "bolo";
}

Result<HotlistCategory> ParseHotlistCategory(std::string_view name) {
  for (auto c : {HotlistCategory::kStolenVehicle, HotlistCategory::kStolenPlate, HotlistCategory::kAmberMissingPerson,
                 HotlistCategory::kWanted, HotlistCategory::kBolo, HotlistCategory::kParkingScofflawPermit}) {
    if (HotlistCategoryName(c) == name) return c;
  }
  return Status::InvalidArgument(
      "hotlist category is stolen_vehicle, stolen_plate, amber_missing_person, wanted, bolo or "
      "parking_scofflaw_permit");
}

std::string_view AlertStateName(AlertState s) {
  switch (s) {
    case AlertState::kNew: return "new";
    case AlertState::kAcknowledged: return "acknowledged";
    case AlertState::kConfirmed: return "confirmed";
    case AlertState::kDismissed: return "dismissed";
  }
  return "new";
}

Result<AlertState> ParseAlertState(std::string_view name) {
  for (auto st : {AlertState::kNew, AlertState::kAcknowledged, AlertState::kConfirmed, AlertState::kDismissed}) {
    if (AlertStateName(st) == name) return st;
  }
  return Status::InvalidArgument("alert state is new, acknowledged, confirmed or dismissed");
}

Result<IngestResult> ReadStore::IngestOne(const ReadInput& read) {
  CUSTODIAN_ASSIGN_OR_RETURN(auto results, Ingest(std::span<const ReadInput>(&read, 1)));
  return results.at(0);
}

Result<ImageCheckReport> ReadStore::VerifyImages(const ImageCheckOptions& options) {
  ImageCheckReport report;
  std::vector<std::string> orphans;
  CUSTODIAN_RETURN_IF_ERROR(
      images_->ForEach(clock_->Now(), [&](const std::string& sha, std::chrono::milliseconds age) -> Status {
        ++report.files;
        if (age < options.grace) return Status::Ok();
        CUSTODIAN_ASSIGN_OR_RETURN(bool referenced, ImageReferenced(sha));
        if (!referenced) orphans.push_back(sha);
        return Status::Ok();
      }));
  report.orphans = int64_t(orphans.size());
  if (options.remove_orphans) {
    for (const auto& sha : orphans) {
      // Checked again just before deleting: a read may have come to refer to it since.
      CUSTODIAN_ASSIGN_OR_RETURN(bool referenced, ImageReferenced(sha));
      if (referenced) continue;
      CUSTODIAN_RETURN_IF_ERROR(images_->Remove(sha));
      ++report.orphans_removed;
    }
  }
  std::string after;
  for (;;) {
    CUSTODIAN_ASSIGN_OR_RETURN(auto page, ImageHashesAfter(after, 1000));
    for (const auto& sha : page) {
      if (!images_->Exists(sha)) ++report.missing;
    }
    if (page.size() < 1000) break;
    after = page.back();
  }
  return report;
}

// ---- Pending-image journal (see sql_read_store.h) ----

namespace internal {
namespace {

namespace fs = std::filesystem;

Status Errno(std::string_view what, const fs::path& p) {
  return Status::Unavailable(what, " ", p.string(), ": ", std::strerror(errno));
}

Status SyncDir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("open", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Errno("fsync", dir);
  return Status::Ok();
}

// Opens (creating) image_dir/.pending/lock and locks it: shared for an ingest, exclusive
// and non-blocking for the clean-up. Returns -1 (not an error) when `exclusive` and taken.
Result<int> LockPending(const fs::path& pending_dir, bool exclusive) {
  std::error_code ec;
  fs::create_directories(pending_dir, ec);
  if (ec) return Status::Unavailable("create ", pending_dir.string(), ": ", ec.message());
  fs::path lock = pending_dir / "lock";
  int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("open", lock);
  int rc;
  do {
    rc = ::flock(fd, exclusive ? LOCK_EX | LOCK_NB : LOCK_SH);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    int err = errno;
    ::close(fd);
    if (exclusive && err == EWOULDBLOCK) return -1;
    errno = err;
    return Errno("lock", lock);
  }
  return fd;
}

}  // namespace

Result<PendingImageJournal> PendingImageJournal::Begin(const fs::path& image_dir,
                                                       const std::vector<std::string>& shas) {
  PendingImageJournal j;
  if (shas.empty()) return j;
  const fs::path dir = image_dir / ".pending";
  CUSTODIAN_ASSIGN_OR_RETURN(j.lock_fd_, LockPending(dir, /*exclusive=*/false));
  static std::atomic<uint64_t> counter{0};
  j.file_ = dir / (std::to_string(::getpid()) + "-" + std::to_string(ToUnixMillis(SystemClock::Default().Now())) +
                   "-" + std::to_string(counter++) + ".list");
  std::string text;
  for (const auto& sha : shas) text += sha + "\n";
  int fd = ::open(j.file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("create", j.file_);
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return Errno("write", j.file_);
    }
    done += size_t(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    return Errno("fsync", j.file_);
  }
  ::close(fd);
  CUSTODIAN_RETURN_IF_ERROR(SyncDir(dir));
  return j;
}

PendingImageJournal& PendingImageJournal::operator=(PendingImageJournal&& other) noexcept {
  if (this != &other) {
    if (lock_fd_ >= 0) ::close(lock_fd_);
    file_ = std::move(other.file_);
    lock_fd_ = std::exchange(other.lock_fd_, -1);
    other.file_.clear();
  }
  return *this;
}

PendingImageJournal::~PendingImageJournal() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the shared lock
}

void PendingImageJournal::Committed() {
  // Not synced: a journal that survives a crash lists only images committed rows refer
  // to, which the clean-up keeps.
  if (!file_.empty()) ::unlink(file_.c_str());
  file_.clear();
}

Status RecoverPendingImages(ImageStore& images, const std::function<Result<bool>(const std::string&)>& referenced) {
  const fs::path dir = images.dir() / ".pending";
  std::error_code ec;
  if (!fs::exists(dir, ec)) return Status::Ok();
  CUSTODIAN_ASSIGN_OR_RETURN(int lock_fd, LockPending(dir, /*exclusive=*/true));
  if (lock_fd < 0) return Status::Ok();  // an ingest is in flight somewhere: not now
  struct CloseFd {
    int fd;
    ~CloseFd() { ::close(fd); }
  } close_lock{lock_fd};
  std::vector<fs::path> journals;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    if (it->path().extension() == ".list") journals.push_back(it->path());
  }
  if (ec) return Status::Unavailable("list ", dir.string(), ": ", ec.message());
  for (const auto& journal : journals) {
    std::ifstream in(journal);
    std::string sha;
    while (std::getline(in, sha)) {
      if (!ImageStore::IsSha256Hex(sha)) continue;  // a torn last line: its image was never written
      CUSTODIAN_ASSIGN_OR_RETURN(bool used, referenced(sha));
      if (!used) CUSTODIAN_RETURN_IF_ERROR(images.Remove(sha));
    }
    if (::unlink(journal.c_str()) != 0 && errno != ENOENT) return Errno("remove", journal);
  }
  if (!journals.empty()) CUSTODIAN_RETURN_IF_ERROR(SyncDir(dir));
  return Status::Ok();
}

}  // namespace internal

int LatestSchemaVersion(std::string_view backend) {
  if (backend == "sqlite") return int(internal::SqliteMigrations().size());
  if (backend == "postgresql") return int(internal::PostgresMigrations().size());
  return 0;
}

namespace {

struct OpenedDriver {
  std::unique_ptr<internal::SqlDriver> driver;
  std::string backend;
  std::unique_ptr<internal::ReadLayout> (*new_layout)() = nullptr;  // the backend's layout
};

// The file a sqlite:// URL names (empty for any other URL).
std::filesystem::path SqliteFileOf(std::string_view url) {
  constexpr std::string_view kScheme = "sqlite://";
  return url.starts_with(kScheme) ? std::filesystem::path(std::string(url.substr(kScheme.size())))
                                  : std::filesystem::path();
}

Result<OpenedDriver> OpenDriver(std::string_view url, bool create, int sqlite_cache_mib = StoreOptions{}.cache_mib) {
  if (url.starts_with("sqlite://")) {
    const std::filesystem::path file = SqliteFileOf(url);
    if (!file.is_absolute()) {
      return Status::InvalidArgument("a SQLite URL names an absolute path: sqlite:///abs/path/file.db");
    }
    CUSTODIAN_ASSIGN_OR_RETURN(auto driver, internal::OpenSqliteDriver(file, create, sqlite_cache_mib));
    return OpenedDriver{std::move(driver), "sqlite", internal::NewSqliteLayout};
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    CUSTODIAN_ASSIGN_OR_RETURN(auto driver, internal::OpenPostgresDriver(std::string(url)));
    return OpenedDriver{std::move(driver), "postgresql", internal::NewPostgresLayout};
  }
  // The URL is not echoed: it may hold a password.
  return Status::InvalidArgument("unknown store URL scheme (use sqlite:///path or postgresql://...)");
}

}  // namespace

Result<SchemaStatus> InspectDatabase(std::string_view url) {
  CUSTODIAN_ASSIGN_OR_RETURN(auto opened, OpenDriver(url, /*create=*/false));
  CUSTODIAN_ASSIGN_OR_RETURN(int version, internal::SchemaVersionOf(*opened.driver));
  return SchemaStatus{opened.backend, version, LatestSchemaVersion(opened.backend)};
}

Result<SchemaStatus> MigrateDatabase(std::string_view url, const Clock& clock) {
  CUSTODIAN_ASSIGN_OR_RETURN(auto opened, OpenDriver(url, /*create=*/true));
  CUSTODIAN_RETURN_IF_ERROR(internal::MigrateSchema(*opened.driver, /*apply=*/true, clock, opened.backend));
  CUSTODIAN_ASSIGN_OR_RETURN(int version, internal::SchemaVersionOf(*opened.driver));
  return SchemaStatus{opened.backend, version, LatestSchemaVersion(opened.backend)};
}

Result<DatabaseRole> InspectDatabaseRole(std::string_view url) {
  CUSTODIAN_ASSIGN_OR_RETURN(auto opened, OpenDriver(url, /*create=*/false));
  return opened.driver->InspectRole();
}

Status GrantServerRole(std::string_view owner_url, std::string_view role, const Clock& clock) {
  CUSTODIAN_ASSIGN_OR_RETURN(auto opened, OpenDriver(owner_url, /*create=*/false));
  CUSTODIAN_ASSIGN_OR_RETURN(int version, internal::SchemaVersionOf(*opened.driver));
  if (version < LatestSchemaVersion(opened.backend) && opened.backend == "postgresql") {
    return Status::InvalidArgument("the postgresql database is at schema version ", version, ", older than ",
                                   LatestSchemaVersion(opened.backend), "; run `custodian db migrate --db URL` first");
  }
  return opened.driver->GrantServerRole(role, clock);
}

Result<std::unique_ptr<ReadStore>> OpenStore(std::string_view url, const StoreOptions& options) {
  if (options.clock == nullptr) return Status::InvalidArgument("store options: clock is null");
  ImageStoreOptions image_options{.dir = options.image_dir, .key_file = options.key_file,
                                  .create_key = options.create_key};
  if (url.starts_with("sqlite://") && image_options.dir.empty()) {
    image_options.dir = SqliteFileOf(url).parent_path() / "images";
  }
  if (options.wal_checkpoint_pages < 100) {
    return Status::InvalidArgument("store options: wal_checkpoint_pages ", options.wal_checkpoint_pages,
                                   " is below 100");
  }
  if (options.cache_mib < 16 || options.cache_mib > 65536) {
    return Status::InvalidArgument("store options: cache_mib ", options.cache_mib, " is outside 16..65536");
  }
  if (options.resident_mib < 0 || options.resident_mib > (1 << 20)) {
    return Status::InvalidArgument("store options: resident_mib ", options.resident_mib, " is outside 0..1048576");
  }
  CUSTODIAN_ASSIGN_OR_RETURN(auto opened, OpenDriver(url, /*create=*/options.migrate, options.cache_mib));
  if (opened.backend == "sqlite" && !options.background_checkpoints) {
    CUSTODIAN_RETURN_IF_ERROR(opened.driver->ExecScript("PRAGMA wal_autocheckpoint = " +
                                                        std::to_string(options.wal_checkpoint_pages) + ";"));
  }
  if (image_options.dir.empty()) {
    return Status::InvalidArgument("a PostgreSQL store needs an image folder (StoreOptions::image_dir)");
  }
  CUSTODIAN_ASSIGN_OR_RETURN(auto images, ImageStore::Open(image_options));
  const std::string backend = opened.backend;
  CUSTODIAN_ASSIGN_OR_RETURN(auto store,
                             internal::SqlReadStore::Open(std::move(opened.driver), opened.new_layout(),
                                                          std::move(images), options, backend));
  if (backend == "sqlite") {
    auto* sql = static_cast<internal::SqlReadStore*>(store.get());
    if (options.background_checkpoints) {
      CUSTODIAN_RETURN_IF_ERROR(sql->StartBackgroundCheckpoints(
          SqliteFileOf(url),
          {.pages = options.wal_checkpoint_pages, .stall_pages = 4 * options.wal_checkpoint_pages}));
    }
    for (int i = 0; i < options.read_connections; ++i) {
      CUSTODIAN_ASSIGN_OR_RETURN(auto reader, OpenDriver(url, /*create=*/false, options.cache_mib));
      sql->AddReader(std::move(reader.driver));
    }
    if (options.resident_mib > 0) {
      CUSTODIAN_ASSIGN_OR_RETURN(auto resident,
                                 internal::ResidentFile::Start(SqliteFileOf(url), size_t(options.resident_mib) << 20,
                                                               std::chrono::seconds(10)));
      sql->KeepResident(std::move(resident));
    }
  }
  return store;
}

}  // namespace custodian::store
