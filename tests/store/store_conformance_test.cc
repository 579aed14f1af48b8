// The records store conformance suite: written once, run against SQLite and PostgreSQL.
// The PostgreSQL instances need the pg_cluster CTest fixture (label pg); without it they
// fail when CI=true and skip otherwise.
#include <fcntl.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <thread>
#include <tuple>

#include "custodian/policy/hotlist_import.h"
#include "custodian/policy/retention.h"
#include "custodian/store/evidence.h"
#include "custodian/store/plate_key.h"
#include "custodian/store/read_store.h"
#include "store/store_backends.h"

namespace custodian::store {
namespace {

namespace fs = std::filesystem;
using testing::PostgresBackend;
using testing::SqliteBackend;

// 2026-01-01T00:00:00Z.
const TimePoint kT0 = FromUnixMillis(1'767'225'600'000);

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

// Fake JPEG-ish bytes, distinct per seed.
std::vector<uint8_t> FakeImage(uint32_t seed, size_t size = 2048) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> out(size);
  for (auto& b : out) b = uint8_t(rng());
  out[0] = 0xFF;
  out[1] = 0xD8;
  return out;
}

bool InCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string_view(ci) == "true";
}

policy::RetentionPolicy Retention(int public_safety_days, int non_public_safety_days);  // below

template <typename Backend>
class ReadStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("custodian_store_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto url = Backend::NewDatabase(dir_);
    if (!url.ok()) {
      if (InCi()) FAIL() << url.status().ToString();
      GTEST_SKIP() << url.status().ToString() << " (run through ctest, or set CI=true to make this a failure)";
    }
    url_ = *url;
    auto as_server = Backend::AsServer(url_);  // PostgreSQL: the server's role from here on
    ASSERT_TRUE(as_server.ok()) << as_server.status().ToString();
    url_ = *as_server;
    auto s = Open();
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->PutAgency({.code = "CITYPD", .name = "City Police"}).ok());
    ASSERT_TRUE(store_->PutAgency({.code = "PARKING", .name = "Parking Enforcement"}).ok());
    ASSERT_TRUE(store_
                    ->PutCamera({.id = "cam-a",
                                 .name = "Main & 3rd",
                                 .kind = CameraKind::kFixed,
                                 .location = GeoPoint{37.7749, -122.4194},
                                 .heading_deg = 90,
                                 .agency_code = "CITYPD"})
                    .ok());
    ASSERT_TRUE(store_->PutCamera({.id = "cam-b", .name = "Patrol 12", .kind = CameraKind::kMobile,
                                   .agency_code = "CITYPD"})
                    .ok());
    ASSERT_TRUE(store_
                    ->PutCamera({.id = "cam-p",
                                 .name = "Garage level 2",
                                 .kind = CameraKind::kParking,
                                 .location = GeoPoint{37.8044, -122.2712},
                                 .agency_code = "PARKING",
                                 .data_class = DataClass::kNonPublicSafety})
                    .ok());
  }

  void TearDown() override {
    store_.reset();
    if (!url_.empty()) Backend::DropDatabase(url_);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  StoreOptions Options() {
    return {.image_dir = dir_ / "images", .key_file = dir_ / "keys" / "image.key", .migrate = true, .clock = &clock_};
  }
  Result<std::unique_ptr<ReadStore>> Open() { return OpenStore(url_, Options()); }
  Result<std::unique_ptr<ReadStore>> Open(StoreOptions o) { return OpenStore(url_, o); }
  // As the schema's owner (the tests that rewind the schema migrate it forward again).
  Result<std::unique_ptr<ReadStore>> OpenAsOwner() { return OpenStore(Backend::OwnerUrl(url_), Options()); }

  // A child process opens the store with `options`, ingests batches of `batch` reads (each
  // with its own crop image) and reports each acknowledged id through a pipe, then SIGKILLs
  // itself after `batches` batches. The parent reopens the store: every acknowledged read is
  // there with its image, and no image is missing.
  // On SQLite, `*main_file_growth` (if given) gets how much the main database file grew
  // while the child ran, before the store is reopened: the child's checkpoints' work.
  void KillWhileIngestingThenCheck(StoreOptions options, int batch, int batches,
                                   std::intmax_t* main_file_growth = nullptr) {
    store_.reset();
    const fs::path db_file = Backend::FileOf(url_);
    const bool sqlite = !db_file.empty();
    const std::intmax_t size_before = sqlite ? std::intmax_t(fs::file_size(db_file)) : 0;
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      auto s = Open(options);
      if (!s.ok()) ::_exit(3);
      for (int b = 0, i = 0;; ++b) {
        std::vector<ReadInput> reads;
        for (int k = 0; k < batch; ++k, ++i) {
          ReadInput r = MakeRead("kill-" + std::to_string(i), "cam-a", "KIL" + std::to_string(1000 + i), i);
          r.plate_crop = FakeImage(uint32_t(100 + i), 512);
          reads.push_back(std::move(r));
        }
        auto res = (*s)->Ingest(reads);
        if (!res.ok()) ::_exit(4);
        for (const auto& one : *res) {
          if (::write(fds[1], &one.read_id, sizeof one.read_id) != sizeof one.read_id) ::_exit(5);
        }
        if (b + 1 == batches) ::raise(SIGKILL);
      }
    }
    ::close(fds[1]);
    std::vector<int64_t> acked;
    int64_t id = 0;
    while (::read(fds[0], &id, sizeof id) == sizeof id) acked.push_back(id);
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
    ASSERT_EQ(acked.size(), size_t(batch) * size_t(batches));
    if (main_file_growth != nullptr && sqlite) *main_file_growth = std::intmax_t(fs::file_size(db_file)) - size_before;

    auto s = Open();
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    for (size_t i = 0; i < acked.size(); ++i) {
      auto r = (*s)->GetRead(acked[i]);
      ASSERT_TRUE(r.ok()) << "acknowledged read " << acked[i] << ": " << r.status().ToString();
      EXPECT_EQ(r->plate, "KIL" + std::to_string(1000 + i));
      EXPECT_TRUE((*s)->GetImage(r->plate_crop_sha256).ok());
    }
    auto report = (*s)->VerifyImages({});
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(report->missing, 0);
  }

  static ReadInput MakeRead(std::string event_id, std::string camera, std::string plate, int minutes_after_t0) {
    return {.event_id = std::move(event_id),
            .camera_id = std::move(camera),
            .captured_at = kT0 + std::chrono::minutes(minutes_after_t0),
            .plate = std::move(plate),
            .confidence = 0.9f};
  }

  int64_t Ingest(const ReadInput& r) {
    auto res = store_->IngestOne(r);
    EXPECT_TRUE(res.ok()) << res.status().ToString();
    return res.ok() ? res->read_id : -1;
  }

  std::vector<std::string> Plates(const SearchQuery& q) {
    auto page = store_->Search(q);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    std::vector<std::string> out;
    if (page.ok()) {
      for (const auto& r : page->reads) out.push_back(r.plate);
    }
    return out;
  }

  // Every page of `q` (following next_cursor, at most `max_pages`), each read as
  // `key(read) + "@" + its minute after kT0`.
  std::vector<std::string> AllPages(SearchQuery q, const std::function<std::string(const StoredRead&)>& key,
                                    int max_pages = 100) {
    std::vector<std::string> seen;
    for (int n = 0; n < max_pages; ++n) {
      auto page = store_->Search(q);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok()) break;
      for (const auto& r : page->reads) {
        seen.push_back(key(r) + "@" + std::to_string((r.captured_at - kT0) / std::chrono::minutes(1)));
      }
      if (page->next_cursor.empty()) break;
      q.cursor = page->next_cursor;
    }
    return seen;
  }

  // Plates(q) in alphabetical order, for comparing result sets.
  std::vector<std::string> SortedPlates(const SearchQuery& q) {
    auto v = Plates(q);
    std::sort(v.begin(), v.end());
    return v;
  }

  // `n` reads on cam-b of plates prefix + (first + i), a minute apart from kT0; then, at
  // kT0 + 120 days, a 90-day purge run stopped after one batch of 10.
  Result<policy::PurgeSummary> IngestThenPurgeOneBatchOfTen(const std::string& prefix, int first, int n) {
    std::vector<ReadInput> batch;
    for (int i = 0; i < n; ++i) batch.push_back(MakeRead("", "cam-b", prefix + std::to_string(first + i), i));
    EXPECT_TRUE(store_->Ingest(batch).ok());
    // The cutoff falls inside the reads' capture day, so none of them has a whole day past
    // its period: they go in batches on both backends (a day wholly past every period goes
    // at once where the store keeps days apart: PastDaysGoWholeBothClassesHeldReadsStay).
    clock_.Set(kT0 + std::chrono::days(90) + std::chrono::hours(12));
    return policy::RunPurge(*store_, Retention(90, 90), clock_, {.batch_size = 10, .max_batches = 1});
  }

  int64_t CountAll() {
    int64_t n = 0;
    SearchQuery q{.match = PlateMatch::kAny, .limit = kMaxPageSize};
    for (;;) {
      auto page = store_->Search(q);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok()) return -1;
      n += int64_t(page->reads.size());
      if (page->next_cursor.empty()) return n;
      q.cursor = page->next_cursor;
    }
  }

  // The capture times of every page of `q`, in the order served (at most 100 pages).
  std::vector<TimePoint> CaptureTimesOfAllPages(SearchQuery q) {
    std::vector<TimePoint> seen;
    for (int pages = 0; pages < 100; ++pages) {
      auto page = store_->Search(q);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok()) break;
      for (const auto& r : page->reads) seen.push_back(r.captured_at);
      if (page->next_cursor.empty()) break;
      q.cursor = page->next_cursor;
    }
    return seen;
  }

  FakeClock clock_{kT0 + std::chrono::days(1)};
  fs::path dir_;
  std::string url_;
  std::unique_ptr<ReadStore> store_;
};

// The order matters to tests/CMakeLists.txt: ReadStoreTest/0.* is SQLite, /1.* PostgreSQL.
using Backends = ::testing::Types<SqliteBackend, PostgresBackend>;
TYPED_TEST_SUITE(ReadStoreTest, Backends);

// ---- Migrations ----

TYPED_TEST(ReadStoreTest, FreshDatabaseIsMigratedToTheLatestVersion) {
  auto v = this->store_->SchemaVersion();
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(*v, LatestSchemaVersion(this->store_->backend()));
  EXPECT_GE(*v, 1);
}

TYPED_TEST(ReadStoreTest, ReopeningAMigratedDatabaseIsANoOpAndKeepsData) {
  int64_t id = this->Ingest(this->MakeRead("e1", "cam-a", "7ABC123", 0));
  this->store_.reset();
  StoreOptions o = this->Options();
  o.migrate = false;  // the version check alone: the schema is current
  auto again = this->Open(o);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*(*again)->SchemaVersion(), LatestSchemaVersion((*again)->backend()));
  EXPECT_TRUE((*again)->GetRead(id).ok());
  auto rows = TypeParam::QueryInt(this->url_, "SELECT COUNT(*) FROM schema_version");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, LatestSchemaVersion((*again)->backend()));
}

TYPED_TEST(ReadStoreTest, DatabaseNewerThanTheBinaryIsRefused) {
  this->store_.reset();
  int future = LatestSchemaVersion(TypeParam::kPartitioned ? "postgresql" : "sqlite") + 1;
  ASSERT_TRUE(TypeParam::Exec(this->url_, "INSERT INTO schema_version (version, name, applied_ms) VALUES (" +
                                              std::to_string(future) + ", 'from_the_future', 0)")
                  .ok());
  for (bool migrate : {false, true}) {
    StoreOptions o = this->Options();
    o.migrate = migrate;
    auto s = this->Open(o);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(s.status().message().find("newer than this binary"), std::string::npos) << s.status().message();
  }
}

// Migration 2 adds the plate trigram index (and migration 6 the plates' reverse and
// confusion key); a database that was at version 1 with reads in it gets them indexed on
// upgrade.
TYPED_TEST(ReadStoreTest, UpgradeFromVersionOneIndexesExistingPlates) {
  this->Ingest(this->MakeRead("", "cam-a", "7ABC123", 0));
  this->Ingest(this->MakeRead("", "cam-b", "9XABCY", 1));
  this->Ingest(this->MakeRead("", "cam-b", "7ABD123", 2));
  this->store_.reset();
  // Back to version 1, as a database written by the release before it would be.
  ASSERT_TRUE(TypeParam::Exec(this->url_, TypeParam::kUndoSharingJurisdiction).ok());
  ASSERT_TRUE(TypeParam::Exec(this->url_, TypeParam::kUndoPlateTrigrams).ok());  // migration 10 (SQLite)
  ASSERT_TRUE(TypeParam::Exec(this->url_, TypeParam::kUndoDayTables).ok());  // migration 9 (SQLite)
  ASSERT_TRUE(TypeParam::Exec(this->url_,
                              "DROP TABLE failed_logons; DROP TABLE sessions; DROP TABLE acknowledgments; "
                              "DROP TABLE training_records; DROP TABLE access_log; DROP TABLE access_log_checkpoints; "
                              "DROP TABLE log_reviews; DROP TABLE sharing_grants; DROP TABLE accuracy_audit_items; "
                              "DROP TABLE accuracy_audits; DROP TABLE read_corrections; DROP TABLE records_requests; "
                              "DROP TABLE breach_incidents; DROP TABLE api_keys; DROP TABLE users; "  // migration 5
                              "CREATE INDEX reads_by_plate_rev ON reads (plate_rev, captured_ms); "  // migration 6
                              "CREATE INDEX reads_by_confusion ON reads (confusion_key, captured_ms); "
                              "DROP TABLE alerts; DROP TABLE hotlist_entries; DROP TABLE hotlists; "  // migration 4
                              "DROP TABLE IF EXISTS plate_gc; DROP INDEX IF EXISTS reads_by_event; "  // migration 8 (SQLite)
                              "DROP TABLE IF EXISTS hotlist_version; "  // migration 7 (SQLite)
                              "DROP TABLE purge_log; DROP INDEX holds_active; "  // migration 3
                              "DROP TABLE plate_grams; DROP TABLE plates; DELETE FROM schema_version WHERE version >= 2")
                  .ok());
  StoreOptions o = this->Options();
  o.migrate = false;
  EXPECT_FALSE(this->Open(o).ok());  // older than the binary: refused until migrated
  auto s = this->OpenAsOwner();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  this->store_ = std::move(*s);
  auto page = this->store_->Search({.match = PlateMatch::kWildcard, .plate = "*ABC*"});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  std::vector<std::string> plates;
  for (const auto& r : page->reads) plates.push_back(r.plate);
  EXPECT_EQ(plates, (std::vector<std::string>{"9XABCY", "7ABC123"}));
  auto grams = TypeParam::QueryInt(this->url_, TypeParam::TrigramRowsSql("WHERE plate = '9XABCY'"));
  ASSERT_TRUE(grams.ok());
  EXPECT_EQ(*grams, TypeParam::TrigramRows(4));
  // Migration 6 gave the existing plates their reverse and confusion key.
  auto fuzzy = this->store_->Search({.match = PlateMatch::kFuzzy, .plate = "7A8C123"});
  ASSERT_TRUE(fuzzy.ok()) << fuzzy.status().ToString();
  ASSERT_EQ(fuzzy->reads.size(), 1u);
  EXPECT_EQ(fuzzy->reads[0].plate, "7ABC123");
  auto suffix = this->store_->Search({.match = PlateMatch::kWildcard, .plate = "*D123"});
  ASSERT_TRUE(suffix.ok()) << suffix.status().ToString();
  ASSERT_EQ(suffix->reads.size(), 1u);
  EXPECT_EQ(suffix->reads[0].plate, "7ABD123");
}

TYPED_TEST(ReadStoreTest, UnmigratedDatabaseIsRefusedWithoutMigrate) {
  this->store_.reset();
  this->TearDown();
  this->url_.clear();
  fs::create_directories(this->dir_);
  auto url = TypeParam::NewDatabase(this->dir_);
  ASSERT_TRUE(url.ok());
  this->url_ = *url;
  StoreOptions o = this->Options();
  o.migrate = false;
  auto s = this->Open(o);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("custodian db migrate"), std::string::npos) << s.status().ToString();
}

TYPED_TEST(ReadStoreTest, TooSmallACheckpointIntervalIsRefused) {
  this->store_.reset();
  StoreOptions o = this->Options();
  o.wal_checkpoint_pages = 99;
  auto s = this->Open(o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("wal_checkpoint_pages"), std::string::npos) << s.status().message();
  o.wal_checkpoint_pages = 100;
  EXPECT_TRUE(this->Open(o).ok());
}

TYPED_TEST(ReadStoreTest, MemorySettingsOutsideTheirRangeAreRefused) {
  this->store_.reset();
  for (auto [cache, resident, field] :
       {std::tuple{15, 0, "cache_mib"}, std::tuple{65537, 0, "cache_mib"}, std::tuple{512, -1, "resident_mib"},
        std::tuple{512, (1 << 20) + 1, "resident_mib"}}) {
    StoreOptions o = this->Options();
    o.cache_mib = cache;
    o.resident_mib = resident;
    auto s = this->Open(o);
    ASSERT_FALSE(s.ok()) << field;
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(s.status().message().find(field), std::string::npos) << s.status().message();
  }
}

// The smallest page cache, with the file kept mapped (SQLite) and without; the second
// store opens the first one's database and adds as many reads again.
TYPED_TEST(ReadStoreTest, ASmallCacheWithOrWithoutAResidentFileFindsWhatItsWriterCommitted) {
  size_t round = 0;
  for (int resident : {64, 0}) {
    ++round;
    this->store_.reset();
    StoreOptions o = this->Options();
    o.cache_mib = 16;
    o.resident_mib = resident;
    auto opened = this->Open(o);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    this->store_ = std::move(*opened);
    for (int i = 0; i < 50; ++i) {
      std::string plate = i % 2 ? "7MAP" + std::to_string(100 + i) : "8MAP123";
      auto in = this->MakeRead("mm-" + std::to_string(round) + "-" + std::to_string(i), "cam-a", plate, i);
      ASSERT_TRUE(this->store_->IngestOne(in).ok());
    }
    auto exact = this->store_->Search({.match = PlateMatch::kExact, .plate = "8MAP123"});
    ASSERT_TRUE(exact.ok()) << exact.status().ToString();
    EXPECT_EQ(exact->reads.size(), 25 * round);
    auto wild = this->store_->Search({.match = PlateMatch::kWildcard, .plate = "7MAP1?9"});
    ASSERT_TRUE(wild.ok()) << wild.status().ToString();
    std::map<std::string, size_t> got;
    for (const auto& r : wild->reads) ++got[r.plate];
    const std::map<std::string, size_t> want = {
        {"7MAP109", round}, {"7MAP119", round}, {"7MAP129", round}, {"7MAP139", round}, {"7MAP149", round}};
    EXPECT_EQ(got, want);
  }
}

// ---- Ingest ----

TYPED_TEST(ReadStoreTest, IngestedReadComesBackWithEveryField) {
  ReadInput in = this->MakeRead("cam-a-000001", "cam-a", "7abc 123", 5);
  in.confidence = 0.875f;
  in.candidates = {{"7ABC123", 0.875f}, {"7A8C123", 0.1f}};
  in.country = "us";
  in.region = "CA";
  in.box = Box{10, 20, 120, 40};
  in.plate_crop = FakeImage(1);
  in.frame = FakeImage(2, 10000);
  auto res = this->store_->IngestOne(in);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_FALSE(res->duplicate);

  auto r = this->store_->GetRead(res->read_id);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->id, res->read_id);
  EXPECT_EQ(r->event_id, "cam-a-000001");
  EXPECT_EQ(r->camera_id, "cam-a");
  EXPECT_EQ(r->captured_at, kT0 + std::chrono::minutes(5));
  EXPECT_EQ(r->ingested_at, this->clock_.Now());
  EXPECT_EQ(r->plate_raw, "7abc 123");
  EXPECT_EQ(r->plate, "7ABC123");
  EXPECT_FLOAT_EQ(r->confidence, 0.875f);
  ASSERT_EQ(r->candidates.size(), 2u);
  EXPECT_EQ(r->candidates[1].plate, "7A8C123");
  EXPECT_FLOAT_EQ(r->candidates[1].confidence, 0.1f);
  EXPECT_EQ(r->country, "us");
  EXPECT_EQ(r->region, "CA");
  ASSERT_TRUE(r->box.has_value());
  EXPECT_EQ(r->box->width, 120);
  ASSERT_TRUE(r->location.has_value());  // the fixed camera's location
  EXPECT_DOUBLE_EQ(r->location->lat, 37.7749);
  EXPECT_DOUBLE_EQ(r->location->lon, -122.4194);
  EXPECT_EQ(r->data_class, DataClass::kPublicSafety);
  auto crop = this->store_->GetImage(r->plate_crop_sha256);
  ASSERT_TRUE(crop.ok()) << crop.status().ToString();
  EXPECT_EQ(*crop, in.plate_crop);
  auto frame = this->store_->GetImage(r->frame_sha256);
  ASSERT_TRUE(frame.ok());
  EXPECT_EQ(*frame, in.frame);

  auto cam = this->store_->GetCamera("cam-p");
  ASSERT_TRUE(cam.ok());
  EXPECT_EQ(cam->kind, CameraKind::kParking);
  EXPECT_EQ(cam->data_class, DataClass::kNonPublicSafety);
  EXPECT_EQ(cam->agency_code, "PARKING");
  EXPECT_EQ(this->store_->GetRead(res->read_id + 1000).status().code(), StatusCode::kNotFound);
}

TYPED_TEST(ReadStoreTest, RetryWithTheSameEventIdReturnsTheOriginalReadAndWritesNothing) {
  ReadInput in = this->MakeRead("evt-42", "cam-a", "7ABC123", 0);
  in.plate_crop = FakeImage(7);
  auto first = this->store_->IngestOne(in);
  ASSERT_TRUE(first.ok());
  in.plate = "XXX999";  // a retry carrying other content still maps to the original
  auto retry = this->store_->IngestOne(in);
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->read_id, first->read_id);
  EXPECT_EQ(this->CountAll(), 1);
  EXPECT_EQ(this->store_->GetRead(first->read_id)->plate, "7ABC123");

  // Within one batch, too.
  std::vector<ReadInput> batch = {this->MakeRead("evt-43", "cam-a", "1AAA111", 1),
                                  this->MakeRead("evt-43", "cam-a", "1AAA111", 1),
                                  this->MakeRead("evt-42", "cam-a", "7ABC123", 0),
                                  this->MakeRead("", "cam-b", "2BBB222", 2), this->MakeRead("", "cam-b", "2BBB222", 2)};
  auto res = this->store_->Ingest(batch);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  ASSERT_EQ(res->size(), batch.size());
  EXPECT_FALSE((*res)[0].duplicate);
  EXPECT_TRUE((*res)[1].duplicate);
  EXPECT_EQ((*res)[1].read_id, (*res)[0].read_id);
  EXPECT_TRUE((*res)[2].duplicate);
  EXPECT_EQ((*res)[2].read_id, first->read_id);
  EXPECT_NE((*res)[3].read_id, (*res)[4].read_id);  // no event id: no idempotency
  EXPECT_EQ(this->CountAll(), 4);
}

// A retry is the same read, so the same capture time. The same event id on a read of
// another capture day: SQLite keys event ids within the day (reads_by_event), so it is a
// new read there; PostgreSQL (read_events) keys them outright, so a duplicate.
TYPED_TEST(ReadStoreTest, AnEventIdIsKeyedWithinItsCaptureDayOnSqlite) {
  using std::chrono::days;
  ReadInput r = this->MakeRead("cam-a-77", "cam-a", "7ABC123", 0);
  auto first = this->store_->IngestOne(r);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto retry = this->store_->IngestOne(r);
  ASSERT_TRUE(retry.ok());
  EXPECT_TRUE(retry->duplicate);
  r.captured_at += days(1);
  auto next_day = this->store_->IngestOne(r);
  ASSERT_TRUE(next_day.ok()) << next_day.status().ToString();
  EXPECT_EQ(next_day->duplicate, !TypeParam::kEventIdsPerDay);
  EXPECT_EQ(this->CountAll(), TypeParam::kEventIdsPerDay ? 2 : 1);
  // Its own retry is a duplicate on both.
  auto again = this->store_->IngestOne(r);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->read_id, next_day->read_id);
}

// Issue 23, finding 14: an event id is its camera's own. Camera B's read that reuses camera
// A's event id (same day, even in the same batch) is a read of its own, not A's duplicate;
// each camera's retry is still its own duplicate, and a purge of one keeps the other's key.
TYPED_TEST(ReadStoreTest, TwoCamerasMayUseTheSameEventId) {
  auto a = this->store_->IngestOne(this->MakeRead("evt-1", "cam-a", "7ABC123", 0));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto b = this->store_->IngestOne(this->MakeRead("evt-1", "cam-b", "8XYZ999", 1));
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_FALSE(b->duplicate) << "camera b's read was taken as camera a's duplicate";
  EXPECT_NE(b->read_id, a->read_id);
  std::vector<ReadInput> reads = {this->MakeRead("evt-2", "cam-a", "1AAA111", 2),
                                  this->MakeRead("evt-2", "cam-b", "2BBB222", 2),
                                  this->MakeRead("evt-1", "cam-b", "8XYZ999", 1)};
  auto batch = this->store_->Ingest(reads);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_FALSE((*batch)[0].duplicate);
  EXPECT_FALSE((*batch)[1].duplicate);
  EXPECT_TRUE((*batch)[2].duplicate);
  EXPECT_EQ((*batch)[2].read_id, b->read_id);
  EXPECT_EQ(this->CountAll(), 4);
  EXPECT_EQ(this->store_->GetRead(b->read_id)->plate, "8XYZ999");
}

// SQLite: a day table made before issue 23 kept its event ids unique within the day
// whatever the camera; a migrating open rebuilds its index per camera.
TYPED_TEST(ReadStoreTest, AnOlderDayTableIsRekeyedPerCameraAtOpen) {
  if (!TypeParam::kEventIdsPerDay) GTEST_SKIP() << "SQLite's day tables only (PostgreSQL: migration 12)";
  ASSERT_TRUE(this->store_->IngestOne(this->MakeRead("evt-1", "cam-a", "7ABC123", 0)).ok());
  this->store_.reset();
  const std::string t = TypeParam::DayTableName(2026, 1, 1);
  ASSERT_TRUE(TypeParam::Exec(this->url_, "DROP INDEX " + t + "_by_event; CREATE UNIQUE INDEX " + t + "_by_event ON " +
                                              t + " (event_id) WHERE event_id IS NOT NULL")
                  .ok());
  auto reopened = this->Open();
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  this->store_ = std::move(*reopened);
  auto b = this->store_->IngestOne(this->MakeRead("evt-1", "cam-b", "8XYZ999", 1));
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_FALSE(b->duplicate);
  EXPECT_EQ(this->CountAll(), 2);
}

TYPED_TEST(ReadStoreTest, BatchWithOneInvalidReadWritesNothing) {
  std::vector<ReadInput> batch = {this->MakeRead("b1", "cam-a", "7ABC123", 0),
                                  this->MakeRead("b2", "cam-a", "---", 1),  // no letter or digit
                                  this->MakeRead("b3", "cam-a", "7ABC124", 2)};
  auto res = this->store_->Ingest(batch);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(res.status().message().find("read 1"), std::string::npos) << res.status().message();

  batch[1] = this->MakeRead("b2", "no-such-camera", "7ABC125", 1);
  res = this->store_->Ingest(batch);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(this->CountAll(), 0);
  // The event ids were not consumed: the corrected batch goes in whole.
  batch[1] = this->MakeRead("b2", "cam-b", "7ABC125", 1);
  res = this->store_->Ingest(batch);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  for (const auto& r : *res) EXPECT_FALSE(r.duplicate);
  EXPECT_EQ(this->CountAll(), 3);
}

TYPED_TEST(ReadStoreTest, CameraOfAnUnknownAgencyIsNotFound) {
  auto st = this->store_->PutCamera({.id = "cam-x", .name = "x", .agency_code = "NOPE"});
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_EQ(this->store_->GetCamera("cam-x").status().code(), StatusCode::kNotFound);
}

// A child process ingests reads one at a time and reports each acknowledged id through a
// pipe, then is killed with SIGKILL mid-stream (no destructors, no flush). Every read it
// acknowledged must be in the database afterwards, whole.
TYPED_TEST(ReadStoreTest, AcknowledgedReadsSurviveTheIngestingProcessBeingKilled) {
  this->KillWhileIngestingThenCheck(this->Options(), /*batch=*/1, /*batches=*/25);
}

// The same with SQLite's WAL copied back every 100 pages on the checkpointer's thread, so the
// kill lands while checkpoints are running beside the commits (PostgreSQL ignores the option).
TYPED_TEST(ReadStoreTest, AcknowledgedReadsSurviveAKillWhileTheWalIsBeingCopied) {
  StoreOptions o = this->Options();
  o.wal_checkpoint_pages = 100;
  std::intmax_t growth = 0;
  this->KillWhileIngestingThenCheck(o, /*batch=*/40, /*batches=*/30, &growth);
  // The child's checkpointer had copied pages into the main file before the kill (with
  // checkpoints left to the close that never came, the file would not have grown).
  if (!TypeParam::FileOf(this->url_).empty()) EXPECT_GT(growth, 100 * 4096) << "no checkpoint ran before the kill";
}

TYPED_TEST(ReadStoreTest, ThreadsIngestingTheSameEventsConcurrentlyStoreEachOnce) {
  constexpr int kThreads = 4;
  constexpr int kEvents = 40;
  std::vector<std::vector<int64_t>> ids(kThreads, std::vector<int64_t>(kEvents, -1));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEvents; ++i) {
        int e = (i + t * 7) % kEvents;  // each thread in its own order
        auto res = this->store_->IngestOne(this->MakeRead("shared-" + std::to_string(e), "cam-a",
                                                          "THR" + std::to_string(e), e));
        if (res.ok()) ids[t][e] = res->read_id;
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int e = 0; e < kEvents; ++e) {
    ASSERT_GT(ids[0][e], 0) << "event " << e;
    for (int t = 1; t < kThreads; ++t) EXPECT_EQ(ids[t][e], ids[0][e]) << "event " << e << " thread " << t;
  }
  EXPECT_EQ(this->CountAll(), kEvents);
}

// Concurrent batches share transactions (group commit): each caller still gets the ids
// of its own reads, in its own order, and a bad batch fails alone.
TYPED_TEST(ReadStoreTest, ConcurrentBatchesEachGetTheirOwnReadsAndABadBatchFailsAlone) {
  constexpr int kThreads = 6;
  constexpr int kBatches = 12;
  constexpr int kPerBatch = 5;
  std::vector<std::vector<std::pair<int64_t, std::string>>> got(kThreads);
  std::vector<int> refused(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < kBatches; ++b) {
        std::vector<ReadInput> batch;
        for (int i = 0; i < kPerBatch; ++i) {
          std::string plate = "G" + std::to_string(t) + "B" + std::to_string(b) + "R" + std::to_string(i);
          batch.push_back(this->MakeRead("", i % 2 ? "cam-a" : "cam-p", plate, b));
        }
        // Every third batch of thread 0 names a camera that does not exist.
        if (t == 0 && b % 3 == 0) batch[2].camera_id = "no-such-camera";
        auto res = this->store_->Ingest(batch);
        if (!res.ok()) {
          ++refused[t];
          continue;
        }
        if (res->size() != batch.size()) continue;
        for (size_t i = 0; i < batch.size(); ++i) got[t].push_back({(*res)[i].read_id, batch[i].plate});
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(refused[0], kBatches / 3);
  int64_t stored = 0;
  std::set<int64_t> ids;
  for (int t = 0; t < kThreads; ++t) {
    if (t) {
      EXPECT_EQ(refused[t], 0);
    }
    for (const auto& [id, plate] : got[t]) {
      EXPECT_TRUE(ids.insert(id).second) << "read id " << id << " given twice";
      auto r = this->store_->GetRead(id);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      EXPECT_EQ(r->plate, plate);
      ++stored;
    }
  }
  EXPECT_EQ(stored, (kThreads * kBatches - kBatches / 3) * kPerBatch);
  EXPECT_EQ(this->CountAll(), stored);
}

// ---- Search ----

TYPED_TEST(ReadStoreTest, ExactSearchMatchesTheNormalisedPlateNewestFirst) {
  this->Ingest(this->MakeRead("", "cam-a", "7ABC123", 0));
  this->Ingest(this->MakeRead("", "cam-b", "7abc-123", 10));
  this->Ingest(this->MakeRead("", "cam-a", "7ABC124", 5));
  this->Ingest(this->MakeRead("", "cam-p", "7 ABC 123", 20));
  auto page = this->store_->Search({.match = PlateMatch::kExact, .plate = "7abc 123"});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->reads.size(), 3u);
  EXPECT_EQ(page->reads[0].camera_id, "cam-p");
  EXPECT_EQ(page->reads[1].camera_id, "cam-b");
  EXPECT_EQ(page->reads[2].camera_id, "cam-a");
  EXPECT_TRUE(page->next_cursor.empty());
  EXPECT_TRUE(this->Plates({.match = PlateMatch::kExact, .plate = "7ABC12"}).empty());
}

TYPED_TEST(ReadStoreTest, WildcardSearchHandlesPrefixSuffixAndSingleCharacters) {
  int t = 0;
  for (const char* p : {"7ABC123", "7ABD999", "7AB1", "8ABC123", "17ABC123", "7XBC123", "ABC123"}) {
    this->Ingest(this->MakeRead("", "cam-a", p, t++));
  }
  using V = std::vector<std::string>;
  EXPECT_EQ(this->SortedPlates({.match = PlateMatch::kWildcard, .plate = "7AB*"}), (V{"7AB1", "7ABC123", "7ABD999"}));
  EXPECT_EQ(this->SortedPlates({.match = PlateMatch::kWildcard, .plate = "7AB?123"}), (V{"7ABC123"}));
  EXPECT_EQ(this->SortedPlates({.match = PlateMatch::kWildcard, .plate = "?ABC123"}), (V{"7ABC123", "8ABC123"}));
  EXPECT_EQ(this->SortedPlates({.match = PlateMatch::kWildcard, .plate = "*BC123"}),
            (V{"17ABC123", "7ABC123", "7XBC123", "8ABC123", "ABC123"}));
  EXPECT_EQ(this->SortedPlates({.match = PlateMatch::kWildcard, .plate = "*ABC*"}),
            (V{"17ABC123", "7ABC123", "8ABC123", "ABC123"}));
  EXPECT_EQ(this->SortedPlates({.match = PlateMatch::kWildcard, .plate = "7?B*3"}), (V{"7ABC123", "7XBC123"}));
  EXPECT_EQ(this->SortedPlates({.match = PlateMatch::kWildcard, .plate = "?ABC?2?"}), (V{"7ABC123", "8ABC123"}));
  EXPECT_EQ(this->SortedPlates({.match = PlateMatch::kWildcard, .plate = "*BD9*"}), (V{"7ABD999"}));
  // Suffixes of 1 and 2 characters with no literal run of 3+ (SQLite: a scan of plates).
  EXPECT_EQ(this->SortedPlates({.match = PlateMatch::kWildcard, .plate = "*23"}),
            (V{"17ABC123", "7ABC123", "7XBC123", "8ABC123", "ABC123"}));
  EXPECT_EQ(this->SortedPlates({.match = PlateMatch::kWildcard, .plate = "*1"}), (V{"7AB1"}));
  EXPECT_EQ(this->SortedPlates({.match = PlateMatch::kWildcard, .plate = "?X*3"}), (V{"7XBC123"}));
  // One or two unknown characters, then a literal (SQLite: every prefix they can make).
  EXPECT_EQ(this->SortedPlates({.match = PlateMatch::kWildcard, .plate = "?AB?1?3"}), (V{"7ABC123", "8ABC123"}));
  EXPECT_EQ(this->SortedPlates({.match = PlateMatch::kWildcard, .plate = "??BC*"}),
            (V{"7ABC123", "7XBC123", "8ABC123"}));
  EXPECT_EQ(this->SortedPlates({.match = PlateMatch::kWildcard, .plate = "??B?"}), (V{"7AB1"}));
  EXPECT_EQ(this->SortedPlates({.match = PlateMatch::kWildcard, .plate = "7AB???"}), (V{}));
  EXPECT_EQ(this->SortedPlates({.match = PlateMatch::kWildcard, .plate = "7ab c123"}), (V{"7ABC123"}));
  EXPECT_EQ(this->Plates({.match = PlateMatch::kWildcard, .plate = "*"}).size(), 7u);
}

TYPED_TEST(ReadStoreTest, FuzzySearchTreatsOcrConfusionsAsEqual) {
  int t = 0;
  for (const char* p : {"8OS1ZG", "B0S1ZG", "BD5I26", "8QSL2G", "8OS1ZX", "80S1Z"}) {
    this->Ingest(this->MakeRead("", "cam-a", p, t++));
  }
  using V = std::vector<std::string>;
  EXPECT_EQ(this->SortedPlates({.match = PlateMatch::kFuzzy, .plate = "BOSIZG"}),
            (V{"8OS1ZG", "8QSL2G", "B0S1ZG", "BD5I26"}));
  EXPECT_EQ(this->SortedPlates({.match = PlateMatch::kFuzzy, .plate = "BOSIZG", .extra_edits = 1}),
            (V{"80S1Z", "8OS1ZG", "8OS1ZX", "8QSL2G", "B0S1ZG", "BD5I26"}));
  EXPECT_EQ(this->store_->Search({.match = PlateMatch::kFuzzy, .plate = "BOSIZG", .extra_edits = 2}).status().code(),
            StatusCode::kInvalidArgument);
}

TYPED_TEST(ReadStoreTest, FiltersByTimeRangeCamerasAreaAndDataClass) {
  this->Ingest(this->MakeRead("", "cam-a", "7ABC123", 0));
  this->Ingest(this->MakeRead("", "cam-a", "7ABC123", 60));
  ReadInput mobile = this->MakeRead("", "cam-b", "7ABC123", 120);
  mobile.location = GeoPoint{34.0522, -118.2437};  // the patrol car was in Los Angeles
  this->Ingest(mobile);
  this->Ingest(this->MakeRead("", "cam-p", "7ABC123", 180));
  auto cams = [&](SearchQuery q) {
    q.match = PlateMatch::kExact;
    q.plate = "7ABC123";
    auto page = this->store_->Search(q);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    std::vector<std::string> out;
    for (const auto& r : page->reads) out.push_back(r.camera_id + "@" + std::to_string((r.captured_at - kT0) / std::chrono::minutes(1)));
    return out;
  };
  using V = std::vector<std::string>;
  using std::chrono::minutes;
  EXPECT_EQ(cams({.from = kT0 + minutes(60), .to = kT0 + minutes(180)}), (V{"cam-b@120", "cam-a@60"}));
  EXPECT_EQ(cams({.camera_ids = {"cam-a", "cam-p"}}), (V{"cam-p@180", "cam-a@60", "cam-a@0"}));
  EXPECT_EQ(cams({.area = GeoBox{37.7, -122.5, 37.9, -122.2}}), (V{"cam-p@180", "cam-a@60", "cam-a@0"}));
  EXPECT_EQ(cams({.area = GeoBox{33.9, -118.5, 34.2, -118.0}}), (V{"cam-b@120"}));
  EXPECT_EQ(cams({.data_class = DataClass::kNonPublicSafety}), (V{"cam-p@180"}));
  EXPECT_EQ(cams({.from = kT0 + minutes(1), .camera_ids = {"cam-a"}, .data_class = DataClass::kPublicSafety}),
            (V{"cam-a@60"}));
  // Filters alone, without a plate.
  auto page = this->store_->Search({.match = PlateMatch::kAny, .camera_ids = {"cam-b"}});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->reads.size(), 1u);
  EXPECT_EQ(this->store_->Search({.match = PlateMatch::kAny, .area = GeoBox{38, -122, 37, -121}}).status().code(),
            StatusCode::kInvalidArgument);
}

// Reads of a plate spread over many capture days (PostgreSQL: many partitions): every
// page in order, none lost at a day boundary, with a time range and for each kind of
// plate term.
TYPED_TEST(ReadStoreTest, PagesOverManyDaysKeepTheirOrder) {
  using std::chrono::days;
  std::vector<ReadInput> batch;
  for (int d = 0; d < 150; ++d) {
    if (d % 3 == 1) continue;  // days without a read of it
    batch.push_back(this->MakeRead("", "cam-a", "6DAY001", d * 24 * 60 + d % 5));
    if (d % 7 == 0) batch.push_back(this->MakeRead("", "cam-b", "6DAY001", d * 24 * 60 + 23 * 60 + 59));
    batch.push_back(this->MakeRead("", "cam-a", "OTHER" + std::to_string(d), d * 24 * 60));
  }
  this->clock_.Set(kT0 + days(151));
  ASSERT_TRUE(this->store_->Ingest(batch).ok());
  std::vector<TimePoint> want;
  for (const auto& r : batch) {
    if (r.plate == "6DAY001") want.push_back(r.captured_at);
  }
  std::sort(want.rbegin(), want.rend());
  for (SearchQuery q : {SearchQuery{.match = PlateMatch::kExact, .plate = "6DAY001", .limit = 7},
                        SearchQuery{.match = PlateMatch::kWildcard, .plate = "6DAY00?", .limit = 7},
                        SearchQuery{.match = PlateMatch::kWildcard, .plate = "*DAY0*", .limit = 7},
                        SearchQuery{.match = PlateMatch::kFuzzy, .plate = "GDAYO01", .limit = 7}}) {
    EXPECT_EQ(this->CaptureTimesOfAllPages(q), want) << q.plate;
  }
  // A time range: days 40 to 99 only.
  std::vector<TimePoint> in_range;
  for (const auto& t : want) {
    if (t >= kT0 + days(40) && t < kT0 + days(100)) in_range.push_back(t);
  }
  EXPECT_EQ(this->CaptureTimesOfAllPages({.match = PlateMatch::kExact, .plate = "6DAY001", .from = kT0 + days(40),
                                          .to = kT0 + days(100), .limit = 5}),
            in_range);
}

// A search by cameras alone (on SQLite the day tables' camera index is led by the capture
// hour and sought hour by hour, day_tables.h): every page in order over hours and days,
// and a time range that cuts into hours at both ends.
TYPED_TEST(ReadStoreTest, CameraSearchesPageOverHoursAndDays) {
  using std::chrono::days;
  using std::chrono::minutes;
  std::vector<ReadInput> batch;
  int i = 0;
  for (int d = 0; d < 4; ++d) {
    for (int h : {0, 1, 7, 22, 23}) {
      for (int m : {0, 30, 59}) {
        const int at = d * 24 * 60 + h * 60 + m;
        batch.push_back(this->MakeRead("", ++i % 2 ? "cam-a" : "cam-b", "CAM" + std::to_string(i % 5), at));
        if (m == 30) batch.push_back(this->MakeRead("", "cam-p", "CAM9", at));
      }
    }
  }
  this->clock_.Set(kT0 + days(5));
  ASSERT_TRUE(this->store_->Ingest(batch).ok());
  auto pages = [&](const SearchQuery& q) {
    return this->AllPages(q, [](const StoredRead& r) { return r.camera_id; });
  };
  auto expected = [&](const std::set<std::string>& cams, TimePoint from, TimePoint to) {
    std::vector<std::pair<TimePoint, std::string>> want;
    for (const auto& r : batch) {
      if (cams.count(r.camera_id) && r.captured_at >= from && r.captured_at < to) {
        want.emplace_back(r.captured_at, r.camera_id + "@" + std::to_string((r.captured_at - kT0) / minutes(1)));
      }
    }
    // Newest first; reads at the same time (cam-p beside another camera) in the reverse of
    // their order in the batch (ids ascend through a batch).
    std::stable_sort(want.begin(), want.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::string> out;
    for (auto it = want.rbegin(); it != want.rend(); ++it) out.push_back(it->second);
    return out;
  };
  const TimePoint all_from = kT0 - days(1), all_to = kT0 + days(5);
  for (const std::set<std::string>& cams :
       {std::set<std::string>{"cam-a"}, {"cam-a", "cam-p"}, {"cam-b", "cam-p", "cam-unknown"}}) {
    SearchQuery q{.match = PlateMatch::kAny, .camera_ids = {cams.begin(), cams.end()}, .limit = 4};
    const auto want = expected(cams, all_from, all_to);
    EXPECT_EQ(want.size(), cams.count("cam-p") ? 50u : 30u);
    EXPECT_EQ(pages(q), want) << *cams.begin();
    // From 07:30 on the second day to 00:30 on the fourth.
    q.from = kT0 + days(1) + minutes(7 * 60 + 30);
    q.to = kT0 + days(3) + minutes(30);
    const auto in_range = expected(cams, *q.from, *q.to);
    EXPECT_FALSE(in_range.empty());
    EXPECT_LT(in_range.size(), want.size());
    EXPECT_EQ(pages(q), in_range) << *cams.begin();
  }
}

TYPED_TEST(ReadStoreTest, PagesFollowTheCursorWithoutGapsOrRepeats) {
  std::vector<ReadInput> batch;
  for (int i = 0; i < 25; ++i) batch.push_back(this->MakeRead("", "cam-a", "PAGE" + std::to_string(i % 3), i / 2));
  ASSERT_TRUE(this->store_->Ingest(batch).ok());  // pairs share a capture time: ties broken by id
  SearchQuery q{.match = PlateMatch::kWildcard, .plate = "PAGE*", .limit = 10};
  std::vector<int64_t> seen;
  int pages = 0;
  for (;;) {
    auto page = this->store_->Search(q);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    ++pages;
    for (const auto& r : page->reads) seen.push_back(r.id);
    if (pages == 1) {
      // A newer read arriving between pages does not shift the later pages.
      this->Ingest(this->MakeRead("", "cam-a", "PAGE9", 1000));
    }
    if (page->next_cursor.empty()) break;
    q.cursor = page->next_cursor;
  }
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(seen.size(), 25u);
  std::set<int64_t> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), 25u);
  for (size_t i = 1; i < seen.size(); ++i) {
    auto a = this->store_->GetRead(seen[i - 1]), b = this->store_->GetRead(seen[i]);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_TRUE(a->captured_at > b->captured_at || (a->captured_at == b->captured_at && a->id > b->id));
  }
  for (const char* bad : {"garbage", "c1.x.1", "c1.5", "c1.5.6.7", "'; DROP TABLE reads;--"}) {
    EXPECT_EQ(this->store_->Search({.match = PlateMatch::kAny, .cursor = bad}).status().code(),
              StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_EQ(this->store_->Search({.match = PlateMatch::kAny, .limit = 0}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(this->store_->Search({.match = PlateMatch::kAny, .limit = kMaxPageSize + 1}).status().code(),
            StatusCode::kInvalidArgument);
}

// ---- Images ----

TYPED_TEST(ReadStoreTest, ImagesAreEncryptedAtRestAndTheKeyFileIsPrivate) {
  std::vector<uint8_t> crop = Bytes(std::string("JPEG-PLAINTEXT-MARKER ") + std::string(4000, 'x'));
  ReadInput in = this->MakeRead("img-1", "cam-a", "7ABC123", 0);
  in.plate_crop = crop;
  int64_t id = this->Ingest(in);
  auto r = this->store_->GetRead(id);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->plate_crop_sha256, ImageStore::Sha256Hex(crop));
  EXPECT_TRUE(r->frame_sha256.empty());

  struct stat st {};
  ASSERT_EQ(::stat((this->dir_ / "keys" / "image.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  // No file under the image folder holds the plaintext.
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(this->dir_ / "images")) {
    if (!e.is_regular_file()) continue;
    std::ifstream f(e.path(), std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    EXPECT_EQ(content.find("PLAINTEXT-MARKER"), std::string::npos) << e.path();
    ++files;
  }
  EXPECT_GE(files, 2);  // the image and the key check
  auto back = this->store_->GetImage(r->plate_crop_sha256);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, crop);
}

TYPED_TEST(ReadStoreTest, BatchWithManyImagesStoresEachOnceAndDurably) {
  std::vector<ReadInput> batch;
  for (int i = 0; i < 20; ++i) {
    ReadInput r = this->MakeRead("imgs-" + std::to_string(i), "cam-a", "IMG" + std::to_string(i), i);
    r.plate_crop = FakeImage(uint32_t(500 + i));
    r.frame = FakeImage(uint32_t(600 + i % 5), 8192);  // five frames, each shared by four reads
    batch.push_back(std::move(r));
  }
  auto res = this->store_->Ingest(batch);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  for (size_t i = 0; i < batch.size(); ++i) {
    auto r = this->store_->GetRead((*res)[i].read_id);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*this->store_->GetImage(r->plate_crop_sha256), batch[i].plate_crop);
    EXPECT_EQ(*this->store_->GetImage(r->frame_sha256), batch[i].frame);
  }
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(this->dir_ / "images")) {
    if (e.is_regular_file() && ImageStore::IsSha256Hex(e.path().filename().string())) ++files;
    EXPECT_EQ(e.path().string().find(".tmp."), std::string::npos) << e.path();  // no temporary left
  }
  EXPECT_EQ(files, 25);
  // Every file old enough to be judged: none is an orphan, none is missing.
  auto old = std::chrono::time_point_cast<std::chrono::system_clock::duration>(this->clock_.Now() -
                                                                                std::chrono::hours(2));
  for (const auto& e : fs::recursive_directory_iterator(this->dir_ / "images")) {
    if (e.is_regular_file()) fs::last_write_time(e.path(), std::chrono::file_clock::from_sys(old));
  }
  auto report = this->store_->VerifyImages({.grace = std::chrono::hours(1)});
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->orphans, 0);
  EXPECT_EQ(report->missing, 0);
}

TYPED_TEST(ReadStoreTest, WrongKeyIsAClearErrorNeverGarbage) {
  ReadInput in = this->MakeRead("img-1", "cam-a", "7ABC123", 0);
  in.plate_crop = FakeImage(9);
  int64_t id = this->Ingest(in);
  std::string sha = this->store_->GetRead(id)->plate_crop_sha256;
  this->store_.reset();

  // Another agency's key.
  fs::path other = this->dir_ / "other.key";
  {
    std::vector<uint8_t> k = FakeImage(1234, 32);
    int fd = ::open(other.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, k.data(), k.size()), 32);
    ::close(fd);
  }
  StoreOptions o = this->Options();
  o.key_file = other;
  auto s = this->Open(o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(s.status().message().find("wrong image key"), std::string::npos) << s.status().message();

  // The ImageStore alone, past the key check: decryption fails, nothing is returned.
  fs::remove(this->dir_ / "images" / "key-check");
  auto images = ImageStore::Open({.dir = this->dir_ / "images", .key_file = other});
  ASSERT_TRUE(images.ok()) << images.status().ToString();
  auto got = (*images)->Get(sha);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(got.status().message().find("wrong key"), std::string::npos) << got.status().message();
}

TYPED_TEST(ReadStoreTest, AlteredImageFileFailsAuthentication) {
  ReadInput in = this->MakeRead("img-1", "cam-a", "7ABC123", 0);
  in.plate_crop = FakeImage(11);
  std::string sha = this->store_->GetRead(this->Ingest(in))->plate_crop_sha256;
  fs::path file = this->dir_ / "images" / sha.substr(0, 2) / sha.substr(2, 2) / sha;
  ASSERT_TRUE(fs::exists(file));
  {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(100);
    f.put('\x5a');
  }
  auto got = this->store_->GetImage(sha);
  EXPECT_EQ(got.status().code(), StatusCode::kPermissionDenied);
}

TYPED_TEST(ReadStoreTest, LostKeyIsRefusedAndNotSilentlyReplaced) {
  ReadInput in = this->MakeRead("img-1", "cam-a", "7ABC123", 0);
  in.plate_crop = FakeImage(12);
  this->Ingest(in);
  this->store_.reset();
  fs::remove(this->dir_ / "keys" / "image.key");
  auto s = this->Open();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(s.status().message().find("missing"), std::string::npos) << s.status().message();
  EXPECT_FALSE(fs::exists(this->dir_ / "keys" / "image.key"));
}

TYPED_TEST(ReadStoreTest, KeyFileReadableByOthersIsRefused) {
  this->store_.reset();
  fs::permissions(this->dir_ / "keys" / "image.key", fs::perms::group_read, fs::perm_options::add);
  auto s = this->Open();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kPermissionDenied);
}

TYPED_TEST(ReadStoreTest, OrphanImagesOlderThanTheGraceAreRemovedAndMissingOnesCounted) {
  ReadInput in = this->MakeRead("img-1", "cam-a", "7ABC123", 0);
  in.plate_crop = FakeImage(21);
  in.frame = FakeImage(22);
  auto read = this->store_->GetRead(this->Ingest(in));
  ASSERT_TRUE(read.ok());
  // An orphan: stored, then the ingest "crashed" before its read committed.
  auto orphan = this->store_->images().Put(FakeImage(23));
  auto young = this->store_->images().Put(FakeImage(24));
  ASSERT_TRUE(orphan.ok() && young.ok());
  // File ages are set explicitly: everything two hours old except the young orphan.
  auto set_age = [&](const std::string& sha, std::chrono::milliseconds age) {
    fs::path p = this->dir_ / "images" / sha.substr(0, 2) / sha.substr(2, 2) / sha;
    auto sys = std::chrono::time_point_cast<std::chrono::system_clock::duration>(this->clock_.Now() - age);
    fs::last_write_time(p, std::chrono::file_clock::from_sys(sys));
  };
  using std::chrono::hours;
  using std::chrono::minutes;
  set_age(read->plate_crop_sha256, hours(2));
  set_age(read->frame_sha256, hours(2));
  set_age(*orphan, hours(2));
  set_age(*young, minutes(5));

  auto report = this->store_->VerifyImages({.remove_orphans = false, .grace = hours(1)});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->files, 4);
  EXPECT_EQ(report->orphans, 1);
  EXPECT_EQ(report->orphans_removed, 0);
  EXPECT_TRUE(this->store_->images().Exists(*orphan));

  report = this->store_->VerifyImages({.remove_orphans = true, .grace = hours(1)});
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->orphans_removed, 1);
  EXPECT_FALSE(this->store_->images().Exists(*orphan));
  EXPECT_TRUE(this->store_->images().Exists(*young));
  EXPECT_TRUE(this->store_->GetImage(read->plate_crop_sha256).ok());
  EXPECT_EQ(report->missing, 0);

  ASSERT_TRUE(this->store_->images().Remove(read->frame_sha256).ok());
  report = this->store_->VerifyImages({});
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->missing, 1);
  EXPECT_EQ(this->store_->GetImage(read->frame_sha256).status().code(), StatusCode::kNotFound);
}

// ---- Hostile input ----

TYPED_TEST(ReadStoreTest, SqlMetacharactersInStoredTextAreData) {
  const std::string hostile_camera = "cam'; DROP TABLE reads;--";
  ASSERT_TRUE(this->store_->PutAgency({.code = "A'\"%_;--", .name = "Robert'); DROP TABLE agencies;--"}).ok());
  ASSERT_TRUE(this->store_->PutCamera({.id = hostile_camera, .name = "%_\\'\"", .agency_code = "A'\"%_;--"}).ok());
  ReadInput in = this->MakeRead("evt'; DELETE FROM read_events;--", hostile_camera, "7AB'%_;--C", 0);
  in.candidates = {{"7AB' OR '1'='1", 0.5f}};
  in.region = "';--";
  int64_t id = this->Ingest(in);
  auto r = this->store_->GetRead(id);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->plate_raw, "7AB'%_;--C");
  EXPECT_EQ(r->plate, "7ABC");
  EXPECT_EQ(r->event_id, "evt'; DELETE FROM read_events;--");
  EXPECT_EQ(r->camera_id, hostile_camera);
  EXPECT_EQ(r->region, "';--");
  ASSERT_EQ(r->candidates.size(), 1u);
  EXPECT_EQ(r->candidates[0].plate, "7AB' OR '1'='1");
  EXPECT_EQ(this->store_->GetCamera(hostile_camera)->name, "%_\\'\"");
  // The event id still guards against duplicates, and every table is intact.
  auto retry = this->store_->IngestOne(in);
  ASSERT_TRUE(retry.ok());
  EXPECT_TRUE(retry->duplicate);
  auto page = this->store_->Search({.match = PlateMatch::kAny, .camera_ids = {hostile_camera}});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->reads.size(), 1u);
  EXPECT_EQ(this->CountAll(), 1);
}

TYPED_TEST(ReadStoreTest, SearchTermsWithSqlMetacharactersAreRefusedNotInterpreted) {
  this->Ingest(this->MakeRead("", "cam-a", "7ABC123", 0));
  this->Ingest(this->MakeRead("", "cam-a", "7ABD123", 1));
  for (PlateMatch m : {PlateMatch::kExact, PlateMatch::kWildcard, PlateMatch::kFuzzy}) {
    for (const char* term : {"7AB%", "7AB_123", "' OR 1=1 --", "7ABC123'", "7AB[CD]123", "7ABC;123"}) {
      auto page = this->store_->Search({.match = m, .plate = term});
      EXPECT_EQ(page.status().code(), StatusCode::kInvalidArgument) << term;
    }
  }
  EXPECT_EQ(this->store_->Search({.match = PlateMatch::kAny, .camera_ids = {"x' OR '1'='1"}})->reads.size(), 0u);
}

TYPED_TEST(ReadStoreTest, NulBytesAndOversizedFieldsAreRefusedAndChangeNothing) {
  this->Ingest(this->MakeRead("ok", "cam-a", "7ABC123", 0));
  const std::string big(10 * 1024, 'A');
  const std::string nul("7AB\0C12", 7);
  std::vector<ReadInput> bad;
  bad.push_back(this->MakeRead("n1", "cam-a", nul, 1));
  bad.push_back(this->MakeRead("n2", "cam-a", big, 1));
  bad.push_back(this->MakeRead(big, "cam-a", "7ABC123", 1));
  bad.push_back(this->MakeRead(std::string("e\0v", 3), "cam-a", "7ABC123", 1));
  bad.push_back(this->MakeRead("n5", big, "7ABC123", 1));
  bad.push_back(this->MakeRead("n6", "cam-a", "7ABC123", 1));
  bad.back().region = big;
  bad.push_back(this->MakeRead("n7", "cam-a", "7ABC123", 1));
  bad.back().candidates = {{big, 0.5f}};
  bad.push_back(this->MakeRead("n8", "cam-a", "7ABC123", 1));
  bad.back().country = "\xff\xfe";  // not UTF-8
  bad.push_back(this->MakeRead("n9", "cam-a", "7ABC123", 1));
  bad.back().confidence = 1.5f;
  bad.push_back(this->MakeRead("n10", "cam-a", "7ABC123", 1));
  bad.back().captured_at = FromUnixMillis(-1);
  bad.push_back(this->MakeRead("n11", "cam-a", "7ABC123", 1));
  bad.back().location = GeoPoint{91, 0};
  bad.push_back(this->MakeRead("n12", "cam-a", "7ABC123", 1));
  bad.back().captured_at = this->clock_.Now() + std::chrono::hours(25);  // a broken camera clock
  for (size_t i = 0; i < bad.size(); ++i) {
    auto res = this->store_->IngestOne(bad[i]);
    EXPECT_EQ(res.status().code(), StatusCode::kInvalidArgument) << "case " << i << ": " << res.status().ToString();
  }
  EXPECT_EQ(this->store_->PutCamera({.id = "c", .name = big, .agency_code = "CITYPD"}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(this->store_->PutAgency({.code = std::string("A\0B", 3), .name = "x"}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(this->store_->Search({.match = PlateMatch::kExact, .plate = big}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(this->store_->Search({.match = PlateMatch::kExact, .plate = nul}).status().code(),
            StatusCode::kInvalidArgument);
  std::vector<ReadInput> too_many(kMaxBatchSize + 1, this->MakeRead("", "cam-a", "7ABC123", 2));
  EXPECT_EQ(this->store_->Ingest(too_many).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(this->CountAll(), 1);
}

// ---- Backend specifics checked through the same suite ----

// Reads are kept by UTC capture day on both backends: PostgreSQL partitions, SQLite a
// table per day (migration 9), each made by the first read of its day.
TYPED_TEST(ReadStoreTest, ReadsAreKeptByCaptureDay) {
  using std::chrono::days;
  using std::chrono::hours;
  const std::string first = TypeParam::DayTableName(2026, 1, 1), fourth = TypeParam::DayTableName(2026, 1, 4);
  EXPECT_EQ(*TypeParam::QueryInt(this->url_, TypeParam::TableCountSql(first)), 0);
  this->Ingest(this->MakeRead("", "cam-a", "7ABC123", 0));
  ReadInput later = this->MakeRead("", "cam-a", "7ABC123", 0);
  this->clock_.Advance(days(3));
  later.captured_at = kT0 + days(3) + hours(23);
  int64_t id = this->Ingest(later);
  EXPECT_EQ(*TypeParam::QueryInt(this->url_, TypeParam::TableCountSql(first)), 1);
  EXPECT_EQ(*TypeParam::QueryInt(this->url_, TypeParam::TableCountSql(fourth)), 1);
  auto in_day = TypeParam::QueryInt(this->url_, "SELECT COUNT(*) FROM " + fourth + " WHERE id = " + std::to_string(id));
  ASSERT_TRUE(in_day.ok()) << in_day.status().ToString();
  EXPECT_EQ(*in_day, 1);
  EXPECT_EQ(*TypeParam::QueryInt(this->url_, "SELECT COUNT(*) FROM " + first), 1);
  EXPECT_EQ(this->Plates({.match = PlateMatch::kExact, .plate = "7ABC123"}).size(), 2u);
  auto read = this->store_->GetRead(id);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->captured_at, later.captured_at);
}

// A database server restart or a killed session: the call that finds the connection gone
// reports kUnavailable (retrying may help), and the next call reconnects.
TYPED_TEST(ReadStoreTest, LostServerConnectionIsUnavailableThenRecovers) {
  if (!TypeParam::kPartitioned) GTEST_SKIP() << "SQLite has no server connection";
  int64_t id = this->Ingest(this->MakeRead("before", "cam-a", "7ABC123", 0));
  auto killed = TypeParam::QueryInt(this->url_,
                                    "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                    "WHERE datname = current_database() AND pid <> pg_backend_pid()");
  ASSERT_TRUE(killed.ok()) << killed.status().ToString();
  ASSERT_EQ(*killed, 1);
  auto first = this->store_->GetRead(id);
  if (!first.ok()) {
    EXPECT_EQ(first.status().code(), StatusCode::kUnavailable) << first.status().ToString();
  }
  auto again = this->store_->GetRead(id);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  auto more = this->store_->IngestOne(this->MakeRead("after", "cam-a", "7ABC124", 1));
  ASSERT_TRUE(more.ok()) << more.status().ToString();
  EXPECT_EQ(this->CountAll(), 2);
}


// ---- Retention and legal holds (policy section 3) ----

policy::RetentionPolicy Retention(int public_safety_days, int non_public_safety_days) {
  auto p = policy::RetentionPolicy::Make({.public_safety = std::chrono::days(public_safety_days),
                                          .non_public_safety = std::chrono::days(non_public_safety_days)});
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return *p;
}

// The retention purge with 90 days for both data classes, run with the clock set to `at`.
Result<policy::PurgeSummary> PurgeNinetyDaysAt(ReadStore& store, FakeClock& clock, TimePoint at) {
  clock.Set(at);
  return policy::RunPurge(store, Retention(90, 90), clock);
}

// SQLite keeps the newest day's plate index led by the hour until the next day's first
// read closes it (src/store/sqlite/day_tables.h): every plate search pages through the same
// reads while the day is open as after it closed, and a purge's tidying of the plates
// dictionary sees the open day's reads. (PostgreSQL: the same results, one index shape.)
TYPED_TEST(ReadStoreTest, PlateSearchesAgreeWhileTheirDayIsOpenAndAfterItCloses) {
  using std::chrono::days;
  using std::chrono::minutes;
  const int d60 = 60 * 24 * 60;  // minutes from kT0 to day 60
  const std::vector<ReadInput> day0 = {this->MakeRead("", "cam-a", "SHUT111", 5 * 60),
                                       this->MakeRead("", "cam-a", "OPEN123", 6 * 60)};
  ASSERT_TRUE(this->store_->Ingest(day0).ok());
  this->clock_.Set(kT0 + days(61));
  const std::vector<ReadInput> day60 = {
      this->MakeRead("", "cam-a", "OPEN123", d60), this->MakeRead("", "cam-b", "0PEN125", d60 + 3 * 60),
      this->MakeRead("", "cam-a", "OPEN123", d60 + 7 * 60 + 10), this->MakeRead("", "cam-b", "OPEN124", d60 + 12 * 60),
      this->MakeRead("", "cam-a", "OPEN123", d60 + 23 * 60 + 59)};
  ASSERT_TRUE(this->store_->Ingest(day60).ok());
  const std::vector<SearchQuery> queries = {
      {.match = PlateMatch::kExact, .plate = "OPEN123", .limit = 2},
      {.match = PlateMatch::kExact, .plate = "OPEN123", .from = kT0 + minutes(d60 + 7 * 60),
       .to = kT0 + minutes(d60 + 8 * 60)},
      {.match = PlateMatch::kExact, .plate = "OPEN123", .camera_ids = {"cam-a"}, .limit = 3},
      {.match = PlateMatch::kWildcard, .plate = "OPEN12*", .limit = 2},  // prefix range
      {.match = PlateMatch::kWildcard, .plate = "*N124"},                // suffix: candidate plates
      {.match = PlateMatch::kWildcard, .plate = "?PEN12?", .limit = 3},  // trigrams: candidate plates
      {.match = PlateMatch::kFuzzy, .plate = "OPEN125"},
  };
  auto results = [&] {
    std::vector<std::vector<std::string>> all;
    for (const SearchQuery& q : queries) {
      all.push_back(this->AllPages(q, [](const StoredRead& r) { return r.plate; }, 20));
    }
    return all;
  };
  auto at = [&](const char* plate, int minute) { return std::string(plate) + "@" + std::to_string(minute); };
  const std::vector<std::vector<std::string>> open_day = {
      {at("OPEN123", d60 + 1439), at("OPEN123", d60 + 430), at("OPEN123", d60), at("OPEN123", 360)},
      {at("OPEN123", d60 + 430)},
      {at("OPEN123", d60 + 1439), at("OPEN123", d60 + 430), at("OPEN123", d60), at("OPEN123", 360)},
      {at("OPEN123", d60 + 1439), at("OPEN124", d60 + 720), at("OPEN123", d60 + 430), at("OPEN123", d60),
       at("OPEN123", 360)},
      {at("OPEN124", d60 + 720)},
      {at("OPEN123", d60 + 1439), at("OPEN124", d60 + 720), at("OPEN123", d60 + 430), at("0PEN125", d60 + 180),
       at("OPEN123", d60), at("OPEN123", 360)},
      {at("0PEN125", d60 + 180)},
  };
  EXPECT_EQ(results(), open_day);
  // The purge of day 0 tidies the dictionary: SHUT111 goes, OPEN123 (read on day 60) stays.
  auto purged = PurgeNinetyDaysAt(*this->store_, this->clock_, kT0 + days(91));
  ASSERT_TRUE(purged.ok()) << purged.status().ToString();
  EXPECT_EQ(purged->public_safety.reads, 2);
  EXPECT_EQ(purged->public_safety.plates, 1);
  EXPECT_EQ(*TypeParam::QueryInt(this->url_, "SELECT COUNT(*) FROM plates WHERE plate = 'SHUT111'"), 0);
  EXPECT_EQ(*TypeParam::QueryInt(this->url_, "SELECT COUNT(*) FROM plates WHERE plate = 'OPEN123'"), 1);
  auto without_day0 = open_day;
  for (auto& r : without_day0) std::erase(r, at("OPEN123", 360));
  EXPECT_EQ(results(), without_day0);
  // The next day's first read closes day 60: the same pages.
  this->Ingest(this->MakeRead("", "cam-b", "NEXT999", d60 + 24 * 60 + 1));
  EXPECT_EQ(results(), without_day0);
}

TYPED_TEST(ReadStoreTest, RetentionOutsideNinetyDaysToTwoYearsIsRefused) {
  for (int days : {0, 30, 89, 731, 3650}) {
    auto ps = policy::RetentionPolicy::Make({.public_safety = std::chrono::days(days)});
    ASSERT_FALSE(ps.ok()) << days;
    EXPECT_EQ(ps.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(ps.status().message().find("public-safety"), std::string::npos) << ps.status().message();
    EXPECT_NE(ps.status().message().find("90 days"), std::string::npos) << ps.status().message();
    EXPECT_NE(ps.status().message().find("730 days"), std::string::npos) << ps.status().message();
    auto nps = policy::RetentionPolicy::Make({.non_public_safety = std::chrono::days(days)});
    ASSERT_FALSE(nps.ok()) << days;
    EXPECT_NE(nps.status().message().find("non-public-safety"), std::string::npos) << nps.status().message();
  }
  for (int days : {90, 365, 730}) {
    auto p = policy::RetentionPolicy::Make({.public_safety = std::chrono::days(days),
                                            .non_public_safety = std::chrono::days(days)});
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    EXPECT_EQ(p->PeriodFor(DataClass::kNonPublicSafety), std::chrono::days(days));
  }
}

TYPED_TEST(ReadStoreTest, PurgeDeletesOnlyReadsPastTheirClassPeriod) {
  using std::chrono::days;
  auto retention = Retention(365, 90);
  int64_t old_ps = this->Ingest(this->MakeRead("ps-old", "cam-a", "7ABC123", 0));
  int64_t edge_ps = this->Ingest(this->MakeRead("ps-edge", "cam-a", "7ABC124", 1));
  int64_t old_np = this->Ingest(this->MakeRead("np-old", "cam-p", "PARK001", 0));
  this->clock_.Set(kT0 + days(21));
  ReadInput newer = this->MakeRead("np-new", "cam-p", "PARK002", 0);
  newer.captured_at = kT0 + days(20);
  int64_t new_np = this->Ingest(newer);

  // Day 100: only the non-public-safety read from day 0 is past its 90 days.
  this->clock_.Set(kT0 + days(100));
  auto s = policy::RunPurge(*this->store_, retention, this->clock_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->public_safety.reads, 0);
  EXPECT_EQ(s->non_public_safety.reads, 1);
  EXPECT_EQ(this->store_->GetRead(old_np).status().code(), StatusCode::kNotFound);
  for (int64_t id : {old_ps, edge_ps, new_np}) EXPECT_TRUE(this->store_->GetRead(id).ok()) << id;

  // Day 365 + 1 minute: the cut-off is exactly the capture time of edge_ps, which is kept
  // (only reads captured strictly before the cut-off are past retention).
  this->clock_.Set(kT0 + days(365) + std::chrono::minutes(1));
  s = policy::RunPurge(*this->store_, retention, this->clock_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->public_safety.reads, 1);
  EXPECT_EQ(s->non_public_safety.reads, 1);
  EXPECT_EQ(this->store_->GetRead(old_ps).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(this->store_->GetRead(new_np).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(this->store_->GetRead(edge_ps).ok());
  EXPECT_EQ(this->Plates({.match = PlateMatch::kExact, .plate = "7ABC123"}).size(), 0u);
  EXPECT_EQ(this->CountAll(), 1);
}

// More plates than one clean-up statement takes (100 plates, 50 trigrams a statement): every
// plate whose last read goes is forgotten with all its trigrams, and none of the others.
TYPED_TEST(ReadStoreTest, PurgeForgetsManyPlatesAndKeepsThoseStillRead) {
  using std::chrono::days;
  std::vector<ReadInput> batch;
  for (int i = 0; i < 230; ++i) {
    char plate[16];
    std::snprintf(plate, sizeof plate, "%dQK%04d", 1 + i % 9, i);
    batch.push_back(this->MakeRead("many-" + std::to_string(i), "cam-a", plate, i));
  }
  ReadInput kept = this->MakeRead("kept", "cam-a", "1QK0009", 0);  // plate 9 is read again later
  kept.captured_at = kT0 + days(5);
  batch.push_back(kept);
  this->clock_.Set(kT0 + days(6));
  auto res = this->store_->Ingest(batch);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  ASSERT_EQ(*TypeParam::QueryInt(this->url_, "SELECT COUNT(*) FROM plates"), 230);
  auto s = PurgeNinetyDaysAt(*this->store_, this->clock_, kT0 + days(92));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->public_safety.reads, 230);
  EXPECT_EQ(s->public_safety.plates, 229);
  EXPECT_EQ(*TypeParam::QueryInt(this->url_, "SELECT COUNT(*) FROM plates"), 1);
  EXPECT_EQ(*TypeParam::QueryInt(this->url_, TypeParam::TrigramRowsSql("WHERE plate <> '1QK0009'")), 0);
  EXPECT_EQ(*TypeParam::QueryInt(this->url_, TypeParam::TrigramRowsSql("WHERE plate = '1QK0009'")),
            TypeParam::TrigramRows(5));
  EXPECT_EQ(this->Plates({.match = PlateMatch::kWildcard, .plate = "*QK0*"}), std::vector<std::string>{"1QK0009"});
}

// More images than one reference-count statement takes (100): each purged read's images lose
// their references; an image two purged reads share loses both; one a younger read shares
// stays, with its file.
TYPED_TEST(ReadStoreTest, PurgeReleasesManyImagesAndKeepsThoseStillReferenced) {
  using std::chrono::days;
  std::vector<ReadInput> batch;
  for (int i = 0; i < 150; ++i) {
    ReadInput r = this->MakeRead("img-" + std::to_string(i), "cam-a", "7IMG" + std::to_string(100 + i), i);
    r.plate_crop = FakeImage(1000 + (i == 2 ? 1 : i));  // reads 1 and 2 share a crop
    batch.push_back(std::move(r));
  }
  ReadInput young = this->MakeRead("img-young", "cam-a", "7IMG999", 0);
  young.captured_at = kT0 + days(5);
  young.plate_crop = FakeImage(1000);  // read 0's crop
  batch.push_back(young);
  this->clock_.Set(kT0 + days(6));
  auto res = this->store_->Ingest(batch);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  auto r0 = this->store_->GetRead((*res)[0].read_id);
  auto r1 = this->store_->GetRead((*res)[1].read_id);
  auto r149 = this->store_->GetRead((*res)[149].read_id);
  ASSERT_TRUE(r0.ok() && r1.ok() && r149.ok());
  ASSERT_EQ(*TypeParam::QueryInt(this->url_, "SELECT COUNT(*) FROM images"), 149);
  auto s = PurgeNinetyDaysAt(*this->store_, this->clock_, kT0 + days(92));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->public_safety.reads, 150);
  EXPECT_EQ(s->public_safety.images, 148);
  EXPECT_EQ(*TypeParam::QueryInt(this->url_, "SELECT COUNT(*) FROM images"), 1);
  EXPECT_EQ(*TypeParam::QueryInt(this->url_, "SELECT refs FROM images"), 1);
  EXPECT_TRUE(this->store_->images().Exists(r0->plate_crop_sha256));
  EXPECT_FALSE(this->store_->images().Exists(r1->plate_crop_sha256));
  EXPECT_FALSE(this->store_->images().Exists(r149->plate_crop_sha256));
  auto check = this->store_->VerifyImages({.grace = std::chrono::milliseconds(0)});
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_EQ(check->orphans, 0);
  EXPECT_EQ(check->missing, 0);
}

TYPED_TEST(ReadStoreTest, PurgeDeletesImagesPlatesAndEventIdsWithTheirLastRead) {
  using std::chrono::days;
  auto shared = FakeImage(7);
  ReadInput a = this->MakeRead("ev-a", "cam-a", "8XYZ789", 0);
  a.plate_crop = shared;
  a.frame = FakeImage(8);
  ReadInput b = this->MakeRead("ev-b", "cam-a", "8XYZ780", 0);
  b.captured_at = kT0 + days(5);
  b.plate_crop = shared;  // the same file, two references
  this->clock_.Set(kT0 + days(6));
  int64_t ia = this->Ingest(a);
  int64_t ib = this->Ingest(b);
  auto ra = this->store_->GetRead(ia);
  ASSERT_TRUE(ra.ok());
  const std::string shared_sha = ra->plate_crop_sha256, frame_sha = ra->frame_sha256;

  this->clock_.Set(kT0 + days(92));  // a is past 90 days, b is not
  auto s = policy::RunPurge(*this->store_, Retention(90, 90), this->clock_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->public_safety.reads, 1);
  EXPECT_EQ(s->public_safety.images, 1);  // the frame; the shared crop is still b's
  EXPECT_EQ(s->public_safety.plates, 1);
  EXPECT_FALSE(this->store_->images().Exists(frame_sha));
  EXPECT_TRUE(this->store_->images().Exists(shared_sha));
  EXPECT_TRUE(this->store_->GetImage(shared_sha).ok());
  EXPECT_EQ(*TypeParam::QueryInt(this->url_, "SELECT COUNT(*) FROM plates WHERE plate = '8XYZ789'"), 0);
  EXPECT_EQ(*TypeParam::QueryInt(this->url_, TypeParam::TrigramRowsSql("WHERE plate = '8XYZ789'")), 0);
  EXPECT_GT(*TypeParam::QueryInt(this->url_, TypeParam::TrigramRowsSql("WHERE plate = '8XYZ780'")), 0);
  // The wildcard index forgets the plate: a trigram search finds only b.
  EXPECT_EQ(this->Plates({.match = PlateMatch::kWildcard, .plate = "*XYZ*"}),
            std::vector<std::string>{"8XYZ780"});
  // The event id went with its read: sending it again stores a new read.
  a.captured_at = kT0 + days(91);
  auto again = this->store_->IngestOne(a);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->duplicate);

  this->clock_.Set(kT0 + days(200));
  s = policy::RunPurge(*this->store_, Retention(90, 90), this->clock_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->public_safety.reads, 2);
  EXPECT_EQ(this->store_->GetRead(ib).status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(this->store_->images().Exists(shared_sha));
  EXPECT_EQ(*TypeParam::QueryInt(this->url_, "SELECT COUNT(*) FROM images"), 0);
  EXPECT_EQ(*TypeParam::QueryInt(this->url_, "SELECT COUNT(*) FROM plates"), 0);
  EXPECT_EQ(*TypeParam::QueryInt(this->url_, TypeParam::TrigramRowsSql("")), 0);
  EXPECT_EQ(*TypeParam::QueryInt(this->url_, "SELECT COUNT(*) FROM reads WHERE event_id IS NOT NULL"), 0);
  auto check = this->store_->VerifyImages({.grace = std::chrono::milliseconds(0)});
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(check->files, 0);
  EXPECT_EQ(check->missing, 0);
}

// The purge's tidying of the plates dictionary keeps a plate while any read of it is left,
// whichever of its reads goes first: a newest read that goes first, by its class's shorter
// period, while an older read of another class stays; an older read uploaded after a newer
// one; a read corrected to a plate whose other reads are older. (Written for the day-led
// index of branch sqlite-day-index-last-day, which seeks a plate from its newest read's day
// down; it holds for every store.)
TYPED_TEST(ReadStoreTest, PurgeKeepsAPlateWhileAnyOfItsReadsIsLeftWhicheverWentFirst) {
  using std::chrono::days;
  const auto retention = Retention(365, 90);
  auto dictionary = [&] {  // the plates table's rows, in order, space-separated
    std::string out;
    int found = 0;
    for (const char* p : {"4LAST01", "4LAST02", "4LAST03", "4LAST04", "4LAST05", "4LAST09"}) {
      if (*TypeParam::QueryInt(this->url_, std::string("SELECT COUNT(*) FROM plates WHERE plate = '") + p + "'") == 0) {
        continue;
      }
      out += (found++ ? " " : "") + std::string(p);
    }
    if (*TypeParam::QueryInt(this->url_, "SELECT COUNT(*) FROM plates") != found) out += " and others";
    return out;
  };
  auto read_on = [&](const char* event, const char* camera, const char* plate, int day) {
    ReadInput r = this->MakeRead(event, camera, plate, 0);
    r.captured_at = kT0 + days(day);
    return this->Ingest(r);
  };
  this->clock_.Set(kT0 + days(31));
  read_on("a-0", "cam-a", "4LAST01", 0);   // public safety, 365 days
  read_on("a-20", "cam-p", "4LAST01", 20);  // non-public safety, 90 days
  read_on("b-30", "cam-a", "4LAST02", 30);
  read_on("b-1", "cam-a", "4LAST02", 1);  // uploaded after the day-30 read
  read_on("c-1", "cam-a", "4LAST03", 1);
  const int64_t corrected = read_on("d-5", "cam-a", "4LAST09", 5);
  read_on("e-1", "cam-a", "4LAST05", 1);
  read_on("e-6", "cam-a", "4LAST05", 6);  // a later day in a later batch
  std::vector<ReadInput> batch = {this->MakeRead("f-1", "cam-a", "4LAST04", 0),
                                  this->MakeRead("f-6", "cam-a", "4LAST04", 0)};
  batch[0].captured_at = kT0 + days(1);
  batch[1].captured_at = kT0 + days(6);  // and in the batch that adds the plate
  ASSERT_TRUE(this->store_->Ingest(batch).ok());

  auto purge_at = [&](std::chrono::milliseconds at) {
    this->clock_.Set(kT0 + at);
    auto s = policy::RunPurge(*this->store_, retention, this->clock_);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : policy::PurgeSummary{};
  };
  // Day 111: the day-20 read is past its 90 days; the plate's day-0 read is not past 365.
  auto s = purge_at(days(111));
  EXPECT_EQ(s.non_public_safety.reads, 1);
  EXPECT_EQ(s.non_public_safety.plates, 0);
  EXPECT_EQ(dictionary(), "4LAST01 4LAST02 4LAST03 4LAST04 4LAST05 4LAST09");

  // The day-5 read now reads 4LAST03 (whose other read is of day 1); 4LAST09 goes with it.
  ASSERT_TRUE(this->store_->CorrectRead(corrected, "4LAST03", "misread", "auditor").ok());
  EXPECT_EQ(dictionary(), "4LAST01 4LAST02 4LAST03 4LAST04 4LAST05");

  // Then the public-safety purges, each with the reads and plates it deletes and the
  // dictionary it leaves.
  struct Step {
    std::chrono::milliseconds at;
    int64_t reads, plates;
    const char* dictionary;
  };
  for (const Step& step : {
           // The day-0 read goes, and 4LAST01 with it.
           Step{days(365) + std::chrono::hours(12), 1, 1, "4LAST02 4LAST03 4LAST04 4LAST05"},
           // The day-1 reads go; the day-30, day-6 and corrected day-5 reads keep their plates.
           Step{days(367), 4, 0, "4LAST02 4LAST03 4LAST04 4LAST05"},
           Step{days(371), 1, 1, "4LAST02 4LAST04 4LAST05"},  // the corrected read, and 4LAST03
           Step{days(372), 2, 2, "4LAST02"},                  // the day-6 reads
           Step{days(396), 1, 1, ""},                         // the day-30 read
       }) {
    s = purge_at(step.at);
    EXPECT_EQ(s.public_safety.reads, step.reads) << step.at.count();
    EXPECT_EQ(s.public_safety.plates, step.plates) << step.at.count();
    EXPECT_EQ(dictionary(), step.dictionary) << step.at.count();
  }
  EXPECT_EQ(*TypeParam::QueryInt(this->url_, TypeParam::TrigramRowsSql("")), 0);
}

// A purged read leaves no copy of its plate in the SQLite file: deleted cells and freed
// pages are overwritten with zeros (secure_delete, which the driver sets), so the plate
// cannot be recovered from free space with a forensic tool. (PostgreSQL drops or empties
// the day's partition; a dead tuple's bytes stay until VACUUM: see docs/threat-model.md.)
TYPED_TEST(ReadStoreTest, APurgedPlateLeavesNoBytesInTheDatabaseFile) {
  if (TypeParam::kPartitioned) GTEST_SKIP() << "PostgreSQL keeps dead tuples until VACUUM";
  using std::chrono::days;
  std::vector<ReadInput> batch;
  for (int i = 0; i < 400; ++i) {  // enough rows for whole pages to be freed, not only cells
    ReadInput r = this->MakeRead("gone-" + std::to_string(i), "cam-a", "9QZX" + std::to_string(100 + i % 7), i);
    r.candidates = {{r.plate, 0.9f}, {"9QZY" + std::to_string(100 + i % 7), 0.1f}};
    batch.push_back(r);
  }
  ASSERT_TRUE(this->store_->Ingest(batch).ok());
  ReadInput kept = this->MakeRead("kept", "cam-a", "7KEEP77", 0);
  kept.captured_at = kT0 + days(60);
  this->clock_.Set(kT0 + days(61));
  this->Ingest(kept);
  auto file_bytes = [&] {
    this->store_.reset();  // the last connection checkpoints the WAL into the file and removes it
    const std::string path = TypeParam::FileOf(this->url_);
    EXPECT_FALSE(fs::exists(path + "-wal"));
    std::ifstream in(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_GT(bytes.size(), 0u);
    auto reopened = this->Open();
    EXPECT_TRUE(reopened.ok()) << reopened.status().ToString();
    if (reopened.ok()) this->store_ = std::move(*reopened);
    return bytes;
  };
  auto has = [](const std::string& bytes, const char* needle) { return bytes.find(needle) != std::string::npos; };
  std::string before = file_bytes();
  ASSERT_TRUE(has(before, "9QZX10"));  // the plates are in the file before the purge
  ASSERT_TRUE(has(before, "9QZY10"));
  if (!TypeParam::kPartitioned) ASSERT_TRUE(has(before, "QZX"));  // SQLite: a term of the FTS5 trigram index
  auto s = PurgeNinetyDaysAt(*this->store_, this->clock_, kT0 + days(92));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->public_safety.reads, 400);
  std::string after = file_bytes();
  EXPECT_FALSE(has(after, "9QZX10"));  // neither plate, candidate, nor dictionary entry
  EXPECT_FALSE(has(after, "9QZY10"));
  EXPECT_FALSE(has(after, "XZQ9"));  // the reversed plate's start
  EXPECT_FALSE(has(after, "QZX"));   // a trigram only the purged plates have (SQLite: FTS5 segments)
  EXPECT_TRUE(has(after, "7KEEP77"));
}

TYPED_TEST(ReadStoreTest, PurgeNeverDeletesAHeldRead) {
  using std::chrono::days;
  int64_t by_id = this->Ingest(this->MakeRead("", "cam-a", "7ABC123", 0));
  int64_t by_search1 = this->Ingest(this->MakeRead("", "cam-b", "5SUS555", 1));
  int64_t by_search2 = this->Ingest(this->MakeRead("", "cam-p", "5SUS555", 2));
  int64_t free_read = this->Ingest(this->MakeRead("", "cam-a", "7ABC999", 3));
  auto h1 = this->store_->PlaceHold(
      {.case_number = "24-CR-0117", .reason = "hit and run", .placed_by = "det.alvarez", .read_ids = {by_id}});
  ASSERT_TRUE(h1.ok()) << h1.status().ToString();
  EXPECT_EQ(h1->reads, 1);
  EXPECT_EQ(h1->placed_at, this->clock_.Now());
  auto h2 = this->store_->PlaceHold({.case_number = "24-CV-0042",
                                     .reason = "civil action",
                                     .placed_by = "counsel.kim",
                                     .matching = SearchQuery{.match = PlateMatch::kExact, .plate = "5SUS555"}});
  ASSERT_TRUE(h2.ok()) << h2.status().ToString();
  EXPECT_EQ(h2->reads, 2);
  auto ids = this->store_->HeldReadIds(h2->id);
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, (std::vector<int64_t>{std::min(by_search1, by_search2), std::max(by_search1, by_search2)}));

  this->clock_.Set(kT0 + days(800));
  auto s = policy::RunPurge(*this->store_, Retention(90, 90), this->clock_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->public_safety.reads + s->non_public_safety.reads, 1);
  EXPECT_EQ(this->store_->GetRead(free_read).status().code(), StatusCode::kNotFound);
  for (int64_t id : {by_id, by_search1, by_search2}) EXPECT_TRUE(this->store_->GetRead(id).ok()) << id;
  // A second run finds nothing more to do.
  s = policy::RunPurge(*this->store_, Retention(90, 90), this->clock_);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->public_safety.reads + s->non_public_safety.reads, 0);
  auto list = this->store_->ListHolds(false);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].case_number, "24-CV-0042");  // newest first
  EXPECT_EQ((*list)[1].placed_by, "det.alvarez");
}

TYPED_TEST(ReadStoreTest, ReleasingAHoldReturnsReadsToRetention) {
  using std::chrono::days;
  int64_t id = this->Ingest(this->MakeRead("", "cam-a", "7ABC123", 0));
  int64_t twice = this->Ingest(this->MakeRead("", "cam-a", "7ABC124", 1));
  auto h1 = this->store_->PlaceHold({.case_number = "C-1", .reason = "r", .placed_by = "u1", .read_ids = {id, twice}});
  auto h2 = this->store_->PlaceHold({.case_number = "C-2", .reason = "r", .placed_by = "u2", .read_ids = {twice}});
  ASSERT_TRUE(h1.ok() && h2.ok());
  this->clock_.Set(kT0 + days(400));
  auto s = policy::RunPurge(*this->store_, Retention(90, 90), this->clock_);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->public_safety.reads, 0);

  ASSERT_TRUE(this->store_->ReleaseHold(h1->id, "u1").ok());
  auto released = this->store_->GetHold(h1->id);
  ASSERT_TRUE(released.ok());
  EXPECT_EQ(released->released_by, "u1");
  ASSERT_TRUE(released->released_at.has_value());
  EXPECT_EQ(*released->released_at, this->clock_.Now());
  auto again = this->store_->ReleaseHold(h1->id, "u1");
  EXPECT_EQ(again.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(this->store_->ReleaseHold(999'999, "u1").code(), StatusCode::kNotFound);

  s = policy::RunPurge(*this->store_, Retention(90, 90), this->clock_);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->public_safety.reads, 1);  // `twice` is still under hold 2
  EXPECT_EQ(this->store_->GetRead(id).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(this->store_->GetRead(twice).ok());
  auto active = this->store_->ListHolds(false);
  ASSERT_TRUE(active.ok());
  ASSERT_EQ(active->size(), 1u);
  EXPECT_EQ((*active)[0].id, h2->id);
  auto all = this->store_->ListHolds(true);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);

  ASSERT_TRUE(this->store_->ReleaseHold(h2->id, "u2").ok());
  s = policy::RunPurge(*this->store_, Retention(90, 90), this->clock_);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->public_safety.reads, 1);
  EXPECT_EQ(this->CountAll(), 0);
  auto h1_after = this->store_->GetHold(h1->id);  // the record of the hold stays
  ASSERT_TRUE(h1_after.ok());
  EXPECT_EQ(h1_after->case_number, "C-1");
  EXPECT_EQ(h1_after->reads, 0);
}

TYPED_TEST(ReadStoreTest, PurgeRecordsCountsNotPlates) {
  using std::chrono::days;
  for (int i = 0; i < 3; ++i) {
    ReadInput r = this->MakeRead("", "cam-a", "7QQQ00" + std::to_string(i), 10 * i);
    r.frame = FakeImage(uint32_t(100 + i));
    this->Ingest(r);
  }
  this->clock_.Set(kT0 + days(120));
  auto s = policy::RunPurge(*this->store_, Retention(90, 90), this->clock_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto log = this->store_->PurgeLog(10);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ASSERT_EQ(log->size(), 1u);
  const PurgeLogEntry& e = (*log)[0];
  EXPECT_EQ(e.reads, 3);
  EXPECT_EQ(e.images, 3);
  EXPECT_EQ(e.plates, 3);
  EXPECT_EQ(e.run_by, "system");
  EXPECT_EQ(e.run_at, this->clock_.Now());
  EXPECT_EQ(e.data_class, DataClass::kPublicSafety);
  EXPECT_EQ(e.cutoff, kT0 + days(30));
  ASSERT_TRUE(e.oldest && e.newest);
  EXPECT_EQ(*e.oldest, kT0);
  EXPECT_EQ(*e.newest, kT0 + std::chrono::minutes(20));
  // No column of the log holds a plate: its text is only who ran it.
  EXPECT_EQ(*TypeParam::QueryInt(this->url_, "SELECT COUNT(*) FROM purge_log WHERE run_by LIKE '%QQQ%'"), 0);
  // A run that purges nothing writes no row.
  s = policy::RunPurge(*this->store_, Retention(90, 90), this->clock_);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(this->store_->PurgeLog(10)->size(), 1u);
}

TYPED_TEST(ReadStoreTest, PurgeWorksInBoundedBatchesEachLogged) {
  auto part = this->IngestThenPurgeOneBatchOfTen("4BAT", 100, 25);
  ASSERT_TRUE(part.ok()) << part.status().ToString();
  EXPECT_EQ(part->public_safety.reads, 10);
  EXPECT_FALSE(part->public_safety.complete);
  EXPECT_EQ(this->CountAll(), 15);
  EXPECT_EQ(this->Plates({.match = PlateMatch::kExact, .plate = "4BAT109"}).size(), 0u);  // oldest first
  EXPECT_EQ(this->Plates({.match = PlateMatch::kExact, .plate = "4BAT110"}).size(), 1u);

  auto rest = policy::RunPurge(*this->store_, Retention(90, 90), this->clock_, {.batch_size = 10});
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->public_safety.reads, 15);
  EXPECT_EQ(rest->public_safety.batches, 2);
  EXPECT_TRUE(rest->public_safety.complete);
  EXPECT_EQ(this->CountAll(), 0);
  auto log = this->store_->PurgeLog(10);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 3u);
  EXPECT_EQ((*log)[0].reads, 5);
  EXPECT_EQ((*log)[1].reads, 10);
  EXPECT_EQ((*log)[2].reads, 10);
  EXPECT_EQ(this->store_->PurgeBatch({.cutoff = this->clock_.Now(), .limit = 0}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(this->store_->PurgeBatch({.cutoff = this->clock_.Now(), .limit = kMaxPurgeBatch + 1}).status().code(),
            StatusCode::kInvalidArgument);
}

// A purge run cut short (max_batches) may leave the purged reads' plates in the dictionary
// (SQLite tidies it at a run's end): the reads are gone at once, and by the end of the next
// run every plate without a read has gone, while one read again meanwhile stays.
// The trigram index follows the plates through a purge (whose last plate's row number the
// next new plate takes again on SQLite), a correction and plates too short for a trigram.
TYPED_TEST(ReadStoreTest, TheTrigramIndexFollowsPurgesCorrectionsAndShortPlates) {
  using std::chrono::days;
  auto consistent = [&] {
    EXPECT_EQ(*TypeParam::QueryInt(this->url_, TypeParam::kTrigramsMatchPlatesSql), 1);
    EXPECT_TRUE(TypeParam::Exec(this->url_, TypeParam::kTrigramIndexCheck).ok());
  };
  std::vector<ReadInput> old_reads{this->MakeRead("o1", "cam-a", "4AB", 0), this->MakeRead("o2", "cam-a", "Z9", 1),
                                   this->MakeRead("o3", "cam-a", "7QRS111", 2)};  // the last plate indexed
  ASSERT_TRUE(this->store_->Ingest(old_reads).ok());
  ReadInput later = this->MakeRead("l1", "cam-a", "5TUV222", 0);
  later.captured_at = kT0 + days(60);
  this->clock_.Set(kT0 + days(61));
  const int64_t later_id = this->Ingest(later);
  consistent();
  EXPECT_EQ(this->Plates({.match = PlateMatch::kWildcard, .plate = "*QRS*"}), std::vector<std::string>{"7QRS111"});
  auto s = PurgeNinetyDaysAt(*this->store_, this->clock_, kT0 + days(92));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->public_safety.plates, 3);
  consistent();
  ReadInput fresh = this->MakeRead("f1", "cam-a", "8QRS333", 0);
  fresh.captured_at = kT0 + days(91);
  this->Ingest(fresh);
  consistent();
  EXPECT_EQ(this->Plates({.match = PlateMatch::kWildcard, .plate = "*QRS*"}), std::vector<std::string>{"8QRS333"});
  EXPECT_TRUE(this->Plates({.match = PlateMatch::kWildcard, .plate = "*AB"}).empty());
  ASSERT_TRUE(this->store_->CorrectRead(later_id, "5TUV229", "misread", "auditor").ok());
  consistent();
  EXPECT_EQ(this->Plates({.match = PlateMatch::kWildcard, .plate = "*TUV*"}), std::vector<std::string>{"5TUV229"});
  ASSERT_TRUE(this->store_->CorrectRead(later_id, "Z8", "misread", "auditor").ok());  // too short for a trigram
  consistent();
  EXPECT_TRUE(this->Plates({.match = PlateMatch::kWildcard, .plate = "*TUV*"}).empty());
  EXPECT_EQ(this->Plates({.match = PlateMatch::kWildcard, .plate = "Z?"}), std::vector<std::string>{"Z8"});
}

TYPED_TEST(ReadStoreTest, PlatesOfAPurgeRunCutShortAreTidiedByTheNextRunsEnd) {
  auto part = this->IngestThenPurgeOneBatchOfTen("5GC", 1000, 20);
  ASSERT_TRUE(part.ok()) << part.status().ToString();
  EXPECT_EQ(part->public_safety.reads, 10);
  EXPECT_TRUE(this->Plates({.match = PlateMatch::kWildcard, .plate = "5GC100*"}).empty());
  this->Ingest(this->MakeRead("", "cam-b", "5GC1001", 90 * 24 * 60));  // a purged plate, read again

  auto rest = policy::RunPurge(*this->store_, Retention(90, 90), this->clock_, {.batch_size = 10});
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  EXPECT_EQ(rest->public_safety.reads, 10);
  EXPECT_TRUE(rest->public_safety.complete);
  EXPECT_EQ(*TypeParam::QueryInt(this->url_, "SELECT COUNT(*) FROM plates"), 1);
  EXPECT_EQ(*TypeParam::QueryInt(this->url_, "SELECT COUNT(*) FROM plates WHERE plate = '5GC1001'"), 1);
  EXPECT_EQ(*TypeParam::QueryInt(this->url_, TypeParam::TrigramRowsSql("WHERE plate <> '5GC1001'")), 0);
  EXPECT_EQ(this->Plates({.match = PlateMatch::kWildcard, .plate = "*GC1*"}), std::vector<std::string>{"5GC1001"});
  EXPECT_EQ(this->Plates({.match = PlateMatch::kFuzzy, .plate = "5GC1O01"}), std::vector<std::string>{"5GC1001"});
}

TYPED_TEST(ReadStoreTest, BadHoldRequestsAreRefusedAndWriteNothing) {
  int64_t id = this->Ingest(this->MakeRead("", "cam-a", "7ABC123", 0));
  const std::string huge(kMaxReasonLength + 1, 'x');
  struct Case {
    HoldRequest req;
    StatusCode code;
  };
  std::vector<Case> cases = {
      {{.case_number = "", .reason = "r", .placed_by = "u", .read_ids = {id}}, StatusCode::kInvalidArgument},
      {{.case_number = "C", .reason = huge, .placed_by = "u", .read_ids = {id}}, StatusCode::kInvalidArgument},
      {{.case_number = "C", .reason = "r", .placed_by = std::string("u\0x", 3), .read_ids = {id}},
       StatusCode::kInvalidArgument},
      {{.case_number = "C", .reason = "r", .placed_by = "u"}, StatusCode::kInvalidArgument},
      {{.case_number = "C", .reason = "r", .placed_by = "u", .read_ids = {id, 987'654}}, StatusCode::kNotFound},
      {{.case_number = "C", .reason = "r", .placed_by = "u",
        .matching = SearchQuery{.match = PlateMatch::kExact, .plate = "7ABC'; DELETE FROM reads; --"}},
       StatusCode::kInvalidArgument},
  };
  for (const auto& c : cases) {
    auto h = this->store_->PlaceHold(c.req);
    ASSERT_FALSE(h.ok());
    EXPECT_EQ(h.status().code(), c.code) << h.status().ToString();
  }
  EXPECT_EQ(*TypeParam::QueryInt(this->url_, "SELECT COUNT(*) FROM holds"), 0);
  EXPECT_EQ(*TypeParam::QueryInt(this->url_, "SELECT COUNT(*) FROM held_reads"), 0);
  // SQL metacharacters in the case number and reason are kept as data.
  auto h = this->store_->PlaceHold(
      {.case_number = "X'); DROP TABLE holds; --", .reason = "a \"quoted\" reason; %_", .placed_by = "u",
       .read_ids = {id}});
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  auto back = this->store_->GetHold(h->id);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->case_number, "X'); DROP TABLE holds; --");
  EXPECT_EQ(back->reason, "a \"quoted\" reason; %_");
  EXPECT_EQ(this->store_->GetHold(h->id + 100).status().code(), StatusCode::kNotFound);
}

// Days wholly past every class's period go at once (SQLite drops the day's table, both
// classes; PostgreSQL deletes them and drops the emptied partition), with what refers to
// their reads: alerts, released holds' rows, images no other read uses, plates no other read
// holds. A day with a read under an active hold keeps that read (and so its table) until
// the hold is released; a day not yet wholly past is untouched.
TYPED_TEST(ReadStoreTest, PastDaysGoWholeBothClassesHeldReadsStay) {
  using std::chrono::days;
  using std::chrono::minutes;
  ASSERT_TRUE(this->store_->PutHotlist({.name = "s", .agency_code = "CITYPD"}).ok());
  std::vector<HotlistEntryInput> entries = {{.plate = "1DAY001"}};
  ASSERT_TRUE(this->store_->ImportHotlistEntries({.list = "s", .entries = entries}).ok());
  auto at = [&](ReadInput r, TimePoint t) {
    r.captured_at = t;
    return r;
  };
  ReadInput a = this->MakeRead("a", "cam-a", "1DAY001", 0);  // day 0, public safety, on the hotlist
  a.plate_crop = FakeImage(71);
  ReadInput b = this->MakeRead("b", "cam-p", "1DAY002", 5);  // day 0, non-public-safety
  b.plate_crop = FakeImage(72);
  this->clock_.Set(kT0 + days(6));
  const int64_t ia = this->Ingest(a), ib = this->Ingest(b);
  const int64_t ic = this->Ingest(at(this->MakeRead("c", "cam-a", "1HLD003", 0), kT0 + days(1)));   // held
  const int64_t id = this->Ingest(at(this->MakeRead("d", "cam-b", "1DAY001", 0), kT0 + days(1) + minutes(9)));
  ReadInput e = at(this->MakeRead("e", "cam-a", "1NEW004", 0), kT0 + days(5) + minutes(1));  // not yet past
  e.plate_crop = FakeImage(71);  // a's image too
  const int64_t ie = this->Ingest(e);
  ASSERT_EQ(this->store_->ListAlerts({})->size(), 2u);  // a and d
  auto released = this->store_->PlaceHold({.case_number = "R-1", .reason = "r", .placed_by = "u", .read_ids = {ia}});
  auto active = this->store_->PlaceHold({.case_number = "A-1", .reason = "r", .placed_by = "u", .read_ids = {ic}});
  ASSERT_TRUE(released.ok() && active.ok());
  ASSERT_TRUE(this->store_->ReleaseHold(released->id, "u").ok());
  const std::string crop_a = this->store_->GetRead(ia)->plate_crop_sha256;
  const std::string crop_b = this->store_->GetRead(ib)->plate_crop_sha256;

  this->clock_.Set(kT0 + days(95));  // cut-off kT0 + 5 days: days 0-4 are wholly past it
  auto s = policy::RunPurge(*this->store_, Retention(90, 90), this->clock_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->public_safety.reads, 2);      // a, d
  EXPECT_EQ(s->non_public_safety.reads, 1);  // b
  EXPECT_TRUE(s->public_safety.complete && s->non_public_safety.complete);
  for (int64_t gone : {ia, ib, id}) EXPECT_EQ(this->store_->GetRead(gone).status().code(), StatusCode::kNotFound);
  for (int64_t kept : {ic, ie}) EXPECT_TRUE(this->store_->GetRead(kept).ok()) << kept;
  EXPECT_EQ(*TypeParam::QueryInt(this->url_, TypeParam::TableCountSql(TypeParam::DayTableName(2026, 1, 1))), 0);
  EXPECT_EQ(*TypeParam::QueryInt(this->url_, TypeParam::TableCountSql(TypeParam::DayTableName(2026, 1, 2))), 1);
  EXPECT_EQ(this->store_->ListAlerts({})->size(), 0u);
  EXPECT_EQ(*TypeParam::QueryInt(this->url_, "SELECT COUNT(*) FROM plates WHERE plate IN ('1DAY001', '1DAY002')"), 0);
  EXPECT_EQ(this->Plates({.match = PlateMatch::kWildcard, .plate = "1*"}),
            (std::vector<std::string>{"1NEW004", "1HLD003"}));
  EXPECT_TRUE(this->store_->GetImage(crop_a).ok());  // e still refers to it
  EXPECT_EQ(this->store_->GetImage(crop_b).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(this->store_->GetHold(released->id)->reads, 0);
  EXPECT_EQ(this->store_->GetHold(active->id)->reads, 1);
  int64_t logged_ps = 0, logged_nps = 0;
  for (const auto& entry : *this->store_->PurgeLog(10)) {
    (entry.data_class == DataClass::kPublicSafety ? logged_ps : logged_nps) += entry.reads;
  }
  EXPECT_EQ(logged_ps, 2);
  EXPECT_EQ(logged_nps, 1);

  // Released, the held read goes with its day.
  ASSERT_TRUE(this->store_->ReleaseHold(active->id, "u").ok());
  s = policy::RunPurge(*this->store_, Retention(90, 90), this->clock_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->public_safety.reads, 1);
  EXPECT_EQ(this->store_->GetRead(ic).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(*TypeParam::QueryInt(this->url_, TypeParam::TableCountSql(TypeParam::DayTableName(2026, 1, 2))), 0);
  EXPECT_EQ(this->Plates({.match = PlateMatch::kWildcard, .plate = "1*"}), std::vector<std::string>{"1NEW004"});
}

// An exact search finds every read of its plate whatever order they came in: a late upload
// of an older read, reads of one batch out of time order, a read corrected to the plate
// (SQLite starts an exact search's walk of the days at the plate's first day).
TYPED_TEST(ReadStoreTest, ExactSearchFindsLateUploadsOutOfOrderBatchesAndCorrections) {
  using std::chrono::days;
  auto at = [&](std::string plate, int day) {
    ReadInput r = this->MakeRead("", "cam-a", plate, 0);
    r.captured_at = kT0 + days(day);
    return r;
  };
  this->clock_.Set(kT0 + days(6));
  this->Ingest(at("3LAT001", 5));
  this->Ingest(at("3LAT001", 1));  // late
  ASSERT_TRUE(this->store_->Ingest(std::vector<ReadInput>{at("3OOO002", 4), at("3OOO002", 2), at("3OOO002", 3)}).ok());
  const int64_t wrong = this->Ingest(at("3WRG003", 0));
  EXPECT_EQ(this->Plates({.match = PlateMatch::kExact, .plate = "3LAT001"}).size(), 2u);
  EXPECT_EQ(this->Plates({.match = PlateMatch::kExact, .plate = "3OOO002"}).size(), 3u);
  ASSERT_TRUE(this->store_->CorrectRead(wrong, "3LAT001", "misread", "u").ok());
  auto page = this->store_->Search({.match = PlateMatch::kExact, .plate = "3LAT001"});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->reads.size(), 3u);
  EXPECT_EQ(page->reads.back().id, wrong);  // the oldest, newest first
  EXPECT_TRUE(this->Plates({.match = PlateMatch::kExact, .plate = "3NEVER0"}).empty());
}

// A day that held reads of one class only goes under that class, with its images, in the
// summary and the purge log, whichever class's pass removed it.
TYPED_TEST(ReadStoreTest, ADayOfOneClassIsLoggedUnderThatClass) {
  ReadInput parked = this->MakeRead("p", "cam-p", "1PRK001", 0);  // non-public-safety only
  parked.plate_crop = FakeImage(81);
  this->Ingest(parked);
  this->clock_.Set(kT0 + std::chrono::days(100));
  auto s = policy::RunPurge(*this->store_, Retention(90, 90), this->clock_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->public_safety.reads, 0);
  EXPECT_EQ(s->non_public_safety.reads, 1);
  EXPECT_FALSE(s->public_safety.oldest.has_value());
  int64_t images = 0, reads_ps = 0, reads_nps = 0;
  for (const auto& e : *this->store_->PurgeLog(10)) {
    images += e.images;
    (e.data_class == DataClass::kPublicSafety ? reads_ps : reads_nps) += e.reads;
    EXPECT_EQ(e.data_class, DataClass::kNonPublicSafety) << "a row for a class the day did not hold";
  }
  EXPECT_EQ(images, 1);
  EXPECT_EQ(reads_nps, 1);
}

// Reads stored before SQLite kept a table per day (migration 9 moved them, untouched, to
// reads_legacy) are found, paged and merged with newer ones, recognised as duplicates,
// corrected and purged like any other. (On PostgreSQL nothing is undone: the same
// behaviour, on its partitions.)
TYPED_TEST(ReadStoreTest, ReadsStoredBeforeDayTablesStayFullyUsable) {
  using std::chrono::days;
  using std::chrono::minutes;
  const int64_t old1 = TypeParam::UndoneId(this->Ingest(this->MakeRead("old-1", "cam-a", "2OLD001", 10)));
  const int64_t old2 = TypeParam::UndoneId(this->Ingest(this->MakeRead("old-2", "cam-a", "2OLD002", 30)));
  this->store_.reset();
  ASSERT_TRUE(TypeParam::Exec(this->url_, TypeParam::kUndoSharingJurisdiction).ok());
  ASSERT_TRUE(TypeParam::Exec(this->url_, TypeParam::kUndoPlateTrigrams).ok());
  ASSERT_TRUE(TypeParam::Exec(this->url_, TypeParam::kUndoDayTables).ok());
  EXPECT_EQ(*TypeParam::QueryInt(this->url_, "SELECT COUNT(*) FROM reads WHERE id IN (" + std::to_string(old1) + ", " +
                                                 std::to_string(old2) + ")"),
            2);
  auto reopened = this->OpenAsOwner();
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  this->store_ = std::move(*reopened);
  // Same day, between the old two; and a later day.
  const int64_t mid = this->Ingest(this->MakeRead("new-1", "cam-a", "2OLD003", 20));
  this->clock_.Set(kT0 + days(3));
  ReadInput later = this->MakeRead("new-2", "cam-a", "2OLD004", 0);
  later.captured_at = kT0 + days(2);
  const int64_t late = this->Ingest(later);
  std::vector<int64_t> ids;
  SearchQuery q{.match = PlateMatch::kWildcard, .plate = "2OLD*", .limit = 1};
  for (int page = 0; page < 10; ++page) {
    auto p = this->store_->Search(q);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    for (const auto& r : p->reads) ids.push_back(r.id);
    if (p->next_cursor.empty()) break;
    q.cursor = p->next_cursor;
  }
  EXPECT_EQ(ids, (std::vector<int64_t>{late, old2, mid, old1}));
  auto dup = this->store_->IngestOne(this->MakeRead("old-2", "cam-a", "2OLD002", 30));
  ASSERT_TRUE(dup.ok()) << dup.status().ToString();
  EXPECT_TRUE(dup->duplicate);
  EXPECT_EQ(dup->read_id, old2);
  auto fixed = this->store_->CorrectRead(old1, "2OLD009", "misread", "u");
  ASSERT_TRUE(fixed.ok()) << fixed.status().ToString();
  EXPECT_EQ(this->Plates({.match = PlateMatch::kExact, .plate = "2OLD009"}), std::vector<std::string>{"2OLD009"});
  this->clock_.Set(kT0 + days(91) + std::chrono::hours(12));  // cut-off: day 1, noon
  auto s = policy::RunPurge(*this->store_, Retention(90, 90), this->clock_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->public_safety.reads, 3);
  EXPECT_EQ(this->Plates({.match = PlateMatch::kWildcard, .plate = "2OLD*"}), std::vector<std::string>{"2OLD004"});
  EXPECT_EQ(*TypeParam::QueryInt(this->url_, "SELECT COUNT(*) FROM plates"), 1);
}

TYPED_TEST(ReadStoreTest, PurgeDropsTheDayPartitionsItEmpties) {
  using std::chrono::days;
  const std::string day = TypeParam::DayTableName(2026, 1, 1);
  const int64_t purged = this->Ingest(this->MakeRead("", "cam-a", "7ABC123", 0));
  this->clock_.Set(kT0 + days(100));
  auto s = policy::RunPurge(*this->store_, Retention(90, 90), this->clock_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->public_safety.partitions_dropped, 1);
  EXPECT_EQ(s->public_safety.reads, 1);
  EXPECT_EQ(*TypeParam::QueryInt(this->url_, TypeParam::TableCountSql(day)), 0);
  // The store forgot the partition: a late upload for that day recreates it.
  int64_t late = this->Ingest(this->MakeRead("", "cam-a", "7ABC124", 5));
  EXPECT_GT(late, 0);
  EXPECT_NE(late, purged);  // an id is never given twice
  EXPECT_EQ(*TypeParam::QueryInt(this->url_, "SELECT COUNT(*) FROM " + day), 1);
  EXPECT_EQ(this->Plates({.match = PlateMatch::kExact, .plate = "7ABC124"}).size(), 1u);
}


// ---- Hotlists and alerts (policy 4.A.3) ----

TYPED_TEST(ReadStoreTest, ReadMatchingAHotlistEntryRaisesAnAlertOnArrival) {
  auto list = this->store_->PutHotlist(
      {.name = "stolen", .agency_code = "CITYPD", .category = HotlistCategory::kStolenVehicle});
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  std::vector<HotlistEntryInput> entries = {{.plate = "7abc-123", .state = "ca", .reason = "stolen 2025-12-30"}};
  auto im = this->store_->ImportHotlistEntries({.list = "stolen", .entries = entries});
  ASSERT_TRUE(im.ok()) << im.status().ToString();
  EXPECT_EQ(im->added, 1);

  ReadInput hit = this->MakeRead("hit", "cam-a", "7ABC123", 5);
  hit.region = "CA";
  auto r = this->store_->IngestOne(hit);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->alerts, 1);
  ReadInput other_state = this->MakeRead("nv", "cam-a", "7ABC123", 6);
  other_state.region = "NV";
  EXPECT_EQ(this->store_->IngestOne(other_state)->alerts, 0);
  EXPECT_EQ(this->store_->IngestOne(this->MakeRead("unknown-state", "cam-b", "7ABC123", 7))->alerts, 1);
  // An exact list ignores OCR look-alikes.
  EXPECT_EQ(this->store_->IngestOne(this->MakeRead("lookalike", "cam-a", "7A8C123", 8))->alerts, 0);
  // A retry of the same event raises nothing new.
  EXPECT_EQ(this->store_->IngestOne(hit)->alerts, 0);

  auto alerts = this->store_->ListAlerts({});
  ASSERT_TRUE(alerts.ok()) << alerts.status().ToString();
  ASSERT_EQ(alerts->size(), 2u);
  const Alert& a = (*alerts)[0];
  EXPECT_EQ(a.read_id, r->read_id);
  EXPECT_EQ(a.state, AlertState::kNew);
  EXPECT_EQ(a.hotlist, "stolen");
  EXPECT_EQ(a.category, HotlistCategory::kStolenVehicle);
  EXPECT_EQ(a.entry_plate, "7ABC123");
  EXPECT_EQ(a.entry_state, "CA");
  EXPECT_EQ(a.entry_reason, "stolen 2025-12-30");
  EXPECT_EQ(a.read_plate, "7ABC123");
  EXPECT_EQ(a.camera_id, "cam-a");
  EXPECT_EQ(a.captured_at, hit.captured_at);
  EXPECT_TRUE(a.exact);
  EXPECT_FALSE(a.retroactive);
  EXPECT_EQ(a.created_at, this->clock_.Now());
}

TYPED_TEST(ReadStoreTest, FuzzyListMatchesOcrConfusionsAndExpiredEntriesMatchNothing) {
  ASSERT_TRUE(this->store_->PutHotlist({.name = "amber", .agency_code = "CITYPD",
                                        .category = HotlistCategory::kAmberMissingPerson, .fuzzy = true})
                  .ok());
  std::vector<HotlistEntryInput> entries = {
      {.plate = "7ABC123", .reason = "AMBER 26-001"},
      {.plate = "5XYZ555", .reason = "expired", .expires = kT0 + std::chrono::minutes(10)}};
  ASSERT_TRUE(this->store_->ImportHotlistEntries({.list = "amber", .entries = entries}).ok());
  auto r = this->store_->IngestOne(this->MakeRead("", "cam-a", "7A8C1Z3", 1));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->alerts, 1);
  EXPECT_EQ(this->store_->IngestOne(this->MakeRead("", "cam-a", "5XYZ555", 9))->alerts, 1);   // before expiry
  EXPECT_EQ(this->store_->IngestOne(this->MakeRead("", "cam-a", "5XYZ555", 10))->alerts, 0);  // at expiry
  auto alerts = this->store_->ListAlerts({});
  ASSERT_TRUE(alerts.ok());
  ASSERT_EQ(alerts->size(), 2u);
  EXPECT_FALSE((*alerts)[0].exact);
  EXPECT_EQ((*alerts)[0].read_plate, "7A8C1Z3");
  EXPECT_EQ((*alerts)[0].category, HotlistCategory::kAmberMissingPerson);
}

// A hotlist changed through another process (here a second store on the same database)
// is matched by this store's next ingest: SQLite's in-memory hotlist filter notices the
// change (hotlist_version) and reloads; a list made fuzzy later matches confusions too.
TYPED_TEST(ReadStoreTest, HotlistChangedByAnotherProcessIsMatchedAtTheNextIngest) {
  ASSERT_TRUE(this->store_->PutHotlist({.name = "svs", .agency_code = "CITYPD",
                                        .category = HotlistCategory::kStolenVehicle})
                  .ok());
  const std::vector<HotlistEntryInput> first = {{.plate = "1AAA111"}}, second = {{.plate = "2BBB222"}};
  ASSERT_TRUE(this->store_->ImportHotlistEntries({.list = "svs", .entries = first}).ok());
  EXPECT_EQ(this->store_->IngestOne(this->MakeRead("", "cam-a", "1AAA111", 1))->alerts, 1);  // filter loaded
  EXPECT_EQ(this->store_->IngestOne(this->MakeRead("", "cam-a", "2BBB222", 2))->alerts, 0);
  {
    auto other = this->Open(this->Options());
    ASSERT_TRUE(other.ok()) << other.status().ToString();
    ASSERT_TRUE((*other)->ImportHotlistEntries({.list = "svs", .entries = second}).ok());
  }
  EXPECT_EQ(this->store_->IngestOne(this->MakeRead("", "cam-a", "2BBB222", 3))->alerts, 1);
  EXPECT_EQ(this->store_->IngestOne(this->MakeRead("", "cam-a", "2B8B222", 4))->alerts, 0);  // exact-only list
  {
    auto other = this->Open(this->Options());
    ASSERT_TRUE(other.ok()) << other.status().ToString();
    ASSERT_TRUE((*other)->PutHotlist({.name = "svs", .agency_code = "CITYPD",
                                      .category = HotlistCategory::kStolenVehicle, .fuzzy = true})
                    .ok());
  }
  EXPECT_EQ(this->store_->IngestOne(this->MakeRead("", "cam-a", "2B8B222", 5))->alerts, 1);
}

TYPED_TEST(ReadStoreTest, ImportedEntriesMatchReadsInTheRetroactiveWindow) {
  using std::chrono::hours;
  // Clock: kT0 + 1 day. Reads 30 hours and 2 hours before now.
  ReadInput old_read = this->MakeRead("", "cam-a", "6GHI789", 0);
  old_read.captured_at = this->clock_.Now() - hours(30);
  ReadInput recent = this->MakeRead("", "cam-b", "6GHI789", 0);
  recent.captured_at = this->clock_.Now() - hours(2);
  int64_t old_id = this->Ingest(old_read);
  int64_t recent_id = this->Ingest(recent);
  ASSERT_TRUE(this->store_->PutHotlist({.name = "wanted", .agency_code = "CITYPD", .category = HotlistCategory::kWanted})
                  .ok());
  std::vector<HotlistEntryInput> entries = {{.plate = "6GHI789", .reason = "warrant"}};
  auto im = this->store_->ImportHotlistEntries({.list = "wanted", .entries = entries, .retro_window = hours(24)});
  ASSERT_TRUE(im.ok()) << im.status().ToString();
  EXPECT_EQ(im->retro_alerts, 1);
  auto alerts = this->store_->ListAlerts({});
  ASSERT_TRUE(alerts.ok());
  ASSERT_EQ(alerts->size(), 1u);
  EXPECT_EQ((*alerts)[0].read_id, recent_id);
  EXPECT_TRUE((*alerts)[0].retroactive);
  // Importing the entry again with a wider window updates it and adds only the older hit.
  im = this->store_->ImportHotlistEntries({.list = "wanted", .entries = entries, .retro_window = hours(48)});
  ASSERT_TRUE(im.ok());
  EXPECT_EQ(im->updated, 1);
  EXPECT_EQ(im->added, 0);
  EXPECT_EQ(im->retro_alerts, 1);
  alerts = this->store_->ListAlerts({});
  ASSERT_EQ(alerts->size(), 2u);
  EXPECT_EQ((*alerts)[1].read_id, old_id);
  // A window of 0 matches nothing already stored.
  std::vector<HotlistEntryInput> more = {{.plate = "6GHI789", .state = "CA", .reason = "warrant 2"}};
  im = this->store_->ImportHotlistEntries({.list = "wanted", .entries = more, .retro_window = hours(0)});
  ASSERT_TRUE(im.ok());
  EXPECT_EQ(im->retro_alerts, 0);
}

TYPED_TEST(ReadStoreTest, AlertMovesFromNewThroughAcknowledgedToConfirmedOrDismissed) {
  ASSERT_TRUE(this->store_->PutHotlist({.name = "bolo", .agency_code = "CITYPD", .category = HotlistCategory::kBolo})
                  .ok());
  std::vector<HotlistEntryInput> entries = {{.plate = "1BOL000", .reason = "bolo"}};
  ASSERT_TRUE(this->store_->ImportHotlistEntries({.list = "bolo", .entries = entries}).ok());
  this->Ingest(this->MakeRead("", "cam-a", "1BOL000", 1));
  this->Ingest(this->MakeRead("", "cam-b", "1BOL000", 2));
  auto alerts = this->store_->ListAlerts({});
  ASSERT_TRUE(alerts.ok());
  ASSERT_EQ(alerts->size(), 2u);
  const int64_t a = (*alerts)[0].id, b = (*alerts)[1].id;

  // Confirming or dismissing needs an acknowledgement first.
  EXPECT_EQ(this->store_->ConfirmAlert(a, {.by = "ofc.ng", .image_checked = true, .action = "stop"}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(this->store_->DismissAlert(a, "ofc.ng", "misread").code(), StatusCode::kInvalidArgument);
  this->clock_.Advance(std::chrono::minutes(3));
  ASSERT_TRUE(this->store_->AcknowledgeAlert(a, "ofc.ng").ok());
  EXPECT_EQ(this->store_->AcknowledgeAlert(a, "ofc.ng").code(), StatusCode::kInvalidArgument);
  // Confirming records that the image was checked (policy 4.A.3) and the action taken.
  auto unchecked = this->store_->ConfirmAlert(a, {.by = "ofc.ng", .image_checked = false, .action = "stop"});
  EXPECT_EQ(unchecked.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unchecked.message().find("image was checked"), std::string::npos) << unchecked.message();
  EXPECT_EQ(this->store_->ConfirmAlert(a, {.by = "ofc.ng", .image_checked = true, .action = ""}).code(),
            StatusCode::kInvalidArgument);
  this->clock_.Advance(std::chrono::minutes(4));
  ASSERT_TRUE(
      this->store_->ConfirmAlert(a, {.by = "sgt.lee", .image_checked = true, .action = "vehicle stopped; towed"}).ok());
  auto got = this->store_->GetAlert(a);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->state, AlertState::kConfirmed);
  EXPECT_EQ(got->acknowledged_by, "ofc.ng");
  EXPECT_EQ(*got->acknowledged_at, kT0 + std::chrono::days(1) + std::chrono::minutes(3));
  EXPECT_EQ(got->resolved_by, "sgt.lee");
  EXPECT_EQ(*got->resolved_at, kT0 + std::chrono::days(1) + std::chrono::minutes(7));
  EXPECT_TRUE(got->image_checked);
  EXPECT_EQ(got->action, "vehicle stopped; towed");
  EXPECT_EQ(this->store_->DismissAlert(a, "x", "late").code(), StatusCode::kInvalidArgument);

  ASSERT_TRUE(this->store_->AcknowledgeAlert(b, "ofc.ng").ok());
  EXPECT_EQ(this->store_->DismissAlert(b, "ofc.ng", "").code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(this->store_->DismissAlert(b, "ofc.ng", "misread: 1BOL006").ok());
  got = this->store_->GetAlert(b);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->state, AlertState::kDismissed);
  EXPECT_FALSE(got->image_checked);
  EXPECT_EQ(got->action, "misread: 1BOL006");
  EXPECT_EQ(this->store_->AcknowledgeAlert(999'999, "u").code(), StatusCode::kNotFound);
  EXPECT_EQ(this->store_->GetAlert(999'999).status().code(), StatusCode::kNotFound);
}

TYPED_TEST(ReadStoreTest, UnreviewedAlertsOlderThanTheConfiguredAgeAreReported) {
  using std::chrono::hours;
  ASSERT_TRUE(this->store_->PutHotlist({.name = "s", .agency_code = "CITYPD", .category = HotlistCategory::kStolenPlate})
                  .ok());
  std::vector<HotlistEntryInput> entries = {{.plate = "2PLT222"}};
  ASSERT_TRUE(this->store_->ImportHotlistEntries({.list = "s", .entries = entries}).ok());
  this->Ingest(this->MakeRead("", "cam-a", "2PLT222", 1));  // alert 1, raised at now
  this->clock_.Advance(hours(5));
  this->Ingest(this->MakeRead("", "cam-a", "2PLT222", 2));  // alert 2, raised 5 h later
  this->Ingest(this->MakeRead("", "cam-b", "2PLT222", 3));  // alert 3
  auto all = this->store_->ListAlerts({});
  ASSERT_EQ(all->size(), 3u);
  ASSERT_TRUE(this->store_->AcknowledgeAlert((*all)[2].id, "u").ok());
  ASSERT_TRUE(this->store_->DismissAlert((*all)[2].id, "u", "misread").ok());
  this->clock_.Advance(hours(2));
  // Older than 4 hours: only alert 1. Older than 1 hour: 1 and 2 (3 was reviewed).
  auto late = policy::UnreviewedAlertsOlderThan(*this->store_, this->clock_, hours(4));
  ASSERT_TRUE(late.ok()) << late.status().ToString();
  ASSERT_EQ(late->size(), 1u);
  EXPECT_EQ((*late)[0].id, (*all)[0].id);
  late = policy::UnreviewedAlertsOlderThan(*this->store_, this->clock_, hours(1));
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->size(), 2u);
  ASSERT_TRUE(this->store_->AcknowledgeAlert((*all)[0].id, "u").ok());  // acknowledged is not yet reviewed
  EXPECT_EQ(policy::UnreviewedAlertsOlderThan(*this->store_, this->clock_, hours(4))->size(), 1u);
}

TYPED_TEST(ReadStoreTest, HotlistImportReportsMalformedLinesAndImportsTheRest) {
  ASSERT_TRUE(this->store_->PutHotlist({.name = "csv", .agency_code = "PARKING",
                                        .category = HotlistCategory::kParkingScofflawPermit})
                  .ok());
  const std::string csv =
      "plate,state,reason,expires\n"                         // 1 header
      "7ABC123,CA,unpaid citations,2027-01-01\n"             // 2
      "\"8DEF 456\",CA,\"says \"\"hi\"\", then\",\n"         // 3 quoted
      "!!!,CA,no plate,\n"                                   // 4 bad plate
      "9GHI789,CA,reason,tomorrow\n"                         // 5 bad date
      "1JKL012,CA,a,b,c\n"                                   // 6 too many fields
      "\n"                                                   // 7 blank
      "2MN'; DROP x,CA,sql,\n"                              // 8 punctuation dropped: data
      "3PQR345,C4,bad state,\n"                              // 9 state not letters
      "\"4STU678,CA,unterminated\n"                          // 10
      "5VWX901,CA," + std::string(kMaxHotlistReasonLength + 1, 'r') + ",\n"  // 11 oversized
      "6YZA234\n";                                           // 12 plate only
  auto parsed = policy::ParseHotlistCsv(csv);
  std::vector<int64_t> bad_lines;
  for (const auto& e : parsed.errors) bad_lines.push_back(e.line);
  EXPECT_EQ(bad_lines, (std::vector<int64_t>{4, 5, 6, 9, 10, 11}));
  EXPECT_EQ(parsed.entry_lines, (std::vector<int64_t>{2, 3, 8, 12}));
  ASSERT_EQ(parsed.entries.size(), 4u);
  EXPECT_EQ(parsed.entries[1].reason, "says \"hi\", then");
  auto im = policy::ImportHotlist(*this->store_, "csv", parsed.entries, std::chrono::hours(72));
  ASSERT_TRUE(im.ok()) << im.status().ToString();
  EXPECT_EQ(im->added, 4);
  auto lists = this->store_->ListHotlists();
  ASSERT_TRUE(lists.ok());
  ASSERT_EQ(lists->size(), 1u);
  EXPECT_EQ((*lists)[0].entries, 4);
  EXPECT_EQ(this->store_->IngestOne(this->MakeRead("", "cam-p", "2MNDROPX", 1))->alerts, 1);
  EXPECT_EQ(*TypeParam::QueryInt(this->url_, "SELECT COUNT(*) FROM hotlists"), 1);
  // SVS fixed columns: plate 0-8, state 8-10.
  auto svs = policy::ParseHotlistSvs("7ABC123 CA0001 more columns\nSHORT\n        CA\n8XYZ    NV\n");
  ASSERT_EQ(svs.entries.size(), 2u);
  EXPECT_EQ(svs.entries[0].plate, "7ABC123");
  EXPECT_EQ(svs.entries[0].state, "CA");
  EXPECT_EQ(svs.entries[1].plate, "8XYZ");
  EXPECT_EQ(svs.entries[1].state, "NV");
  ASSERT_EQ(svs.errors.size(), 2u);
  EXPECT_EQ(svs.errors[0].line, 2);
  EXPECT_EQ(svs.errors[1].line, 3);
  // An import naming an unknown list writes nothing; a bad entry refuses its batch.
  EXPECT_EQ(policy::ImportHotlist(*this->store_, "nope", svs.entries, {}).status().code(), StatusCode::kNotFound);
  std::vector<HotlistEntryInput> bad = {{.plate = "1GOOD11"}, {.plate = std::string("x\0y", 3)}};
  EXPECT_EQ(this->store_->ImportHotlistEntries({.list = "csv", .entries = bad}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ((*this->store_->ListHotlists())[0].entries, 4);
}

TYPED_TEST(ReadStoreTest, PurgeDeletesAReadsAlertsWithIt) {
  ASSERT_TRUE(this->store_->PutHotlist({.name = "s", .agency_code = "CITYPD"}).ok());
  std::vector<HotlistEntryInput> entries = {{.plate = "3PUR333"}};
  ASSERT_TRUE(this->store_->ImportHotlistEntries({.list = "s", .entries = entries}).ok());
  this->Ingest(this->MakeRead("", "cam-a", "3PUR333", 0));
  ASSERT_EQ(this->store_->ListAlerts({})->size(), 1u);
  this->clock_.Set(kT0 + std::chrono::days(100));
  ASSERT_TRUE(policy::RunPurge(*this->store_, Retention(90, 90), this->clock_).ok());
  EXPECT_EQ(this->store_->ListAlerts({})->size(), 0u);
  EXPECT_EQ(*TypeParam::QueryInt(this->url_, "SELECT COUNT(*) FROM alerts"), 0);
}


// ---- Evidence export (policy section 3) ----

TYPED_TEST(ReadStoreTest, EvidenceExportVerifiesAndDetectsChangedAddedOrMissingFiles) {
  ReadInput a = this->MakeRead("ev1", "cam-a", "7ABC123", 0);
  a.plate_crop = FakeImage(1);
  a.frame = FakeImage(2);
  ReadInput b = this->MakeRead("ev2", "cam-b", "7ABC123", 1);
  b.plate_crop = FakeImage(3);
  int64_t ia = this->Ingest(a), ib = this->Ingest(b);
  auto hold = this->store_->PlaceHold(
      {.case_number = "24-CR-0117", .reason = "hit and run", .placed_by = "det.alvarez", .read_ids = {ia, ib}});
  ASSERT_TRUE(hold.ok()) << hold.status().ToString();
  const fs::path out = this->dir_ / "evidence", key = this->dir_ / "keys" / "evidence.key";
  auto ex = ExportEvidence(*this->store_, hold->id, {.out_dir = out, .signing_key_file = key}, this->clock_);
  ASSERT_TRUE(ex.ok()) << ex.status().ToString();
  EXPECT_EQ(ex->reads, 2);
  EXPECT_EQ(ex->images, 3);
  EXPECT_EQ(fs::status(key).permissions() & fs::perms::group_all, fs::perms::none);
  EXPECT_EQ(fs::status(key).permissions() & fs::perms::others_all, fs::perms::none);
  EXPECT_TRUE(fs::exists(out / "hold.json"));
  EXPECT_TRUE(fs::exists(out / ("reads/" + std::to_string(ia) + ".json")));
  auto crop = this->store_->GetRead(ia)->plate_crop_sha256;
  ASSERT_TRUE(fs::exists(out / ("images/" + crop + ".jpg")));
  {
    std::ifstream in(out / ("images/" + crop + ".jpg"), std::ios::binary);
    std::vector<uint8_t> got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(got, FakeImage(1));  // decrypted, byte for byte
  }
  auto pub = EvidencePublicKey(key);
  ASSERT_TRUE(pub.ok());
  EXPECT_EQ(*pub, ex->public_key_hex);
  {
    std::ofstream(this->dir_ / "agency.pub") << *pub << "\n";
  }
  auto check = VerifyEvidence(out, {.public_key_file = this->dir_ / "agency.pub"});
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_TRUE(check->ok());
  EXPECT_TRUE(check->key_pinned);

  // A changed record, an added file and a missing image are each named.
  { std::ofstream(out / ("reads/" + std::to_string(ib) + ".json"), std::ios::app) << " "; }
  { std::ofstream(out / "images" / "extra.jpg") << "x"; }
  fs::remove(out / ("images/" + crop + ".jpg"));
  check = VerifyEvidence(out);
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_FALSE(check->ok());
  EXPECT_TRUE(check->signature_ok);
  EXPECT_EQ(check->changed, std::vector<std::string>{"reads/" + std::to_string(ib) + ".json"});
  EXPECT_EQ(check->added, std::vector<std::string>{"images/extra.jpg"});
  EXPECT_EQ(check->missing, std::vector<std::string>{"images/" + crop + ".jpg"});

  // An edited manifest fails its signature; so does a manifest signed by another key.
  { std::ofstream(out / "manifest.json", std::ios::app) << "\n"; }
  check = VerifyEvidence(out);
  ASSERT_TRUE(check.ok());
  EXPECT_FALSE(check->signature_ok);
  const fs::path out2 = this->dir_ / "evidence2";
  ASSERT_TRUE(ExportEvidence(*this->store_, hold->id, {.out_dir = out2, .signing_key_file = this->dir_ / "other.key"},
                             this->clock_)
                  .ok());
  check = VerifyEvidence(out2, {.public_key_file = this->dir_ / "agency.pub"});
  ASSERT_TRUE(check.ok());
  EXPECT_FALSE(check->signature_ok);

  // Refusals: a non-empty folder, an unknown hold, a folder with no manifest.
  EXPECT_EQ(ExportEvidence(*this->store_, hold->id, {.out_dir = out, .signing_key_file = key}, this->clock_)
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ExportEvidence(*this->store_, hold->id + 100, {.out_dir = this->dir_ / "e3", .signing_key_file = key},
                           this->clock_)
                .status()
                .code(),
            StatusCode::kNotFound);
  EXPECT_EQ(VerifyEvidence(this->dir_ / "keys").status().code(), StatusCode::kInvalidArgument);
}

// ---- Corrections of wrong reads (policy 4.A.4, 5.E) ----

TYPED_TEST(ReadStoreTest, CorrectedReadIsFoundByItsNewPlateAndKeepsTheOriginalInItsHistory) {
  const int64_t id = this->Ingest(this->MakeRead("c-1", "cam-a", "7ABC128", 1));
  const int64_t other = this->Ingest(this->MakeRead("c-2", "cam-b", "6XYZ999", 2));
  auto fixed = this->store_->CorrectRead(id, "7abc-123", "accuracy audit AA-1: 8 was a 3", "auditor");
  ASSERT_TRUE(fixed.ok()) << fixed.status().ToString();
  EXPECT_EQ(fixed->id, id);
  EXPECT_EQ(fixed->plate, "7ABC123");
  EXPECT_EQ(fixed->plate_raw, "7ABC128");  // what the camera sent stays

  // Exact, fuzzy, wildcard and suffix searches find it by the new plate...
  EXPECT_EQ(this->Plates({.match = PlateMatch::kExact, .plate = "7ABC123"}), std::vector<std::string>{"7ABC123"});
  EXPECT_EQ(this->Plates({.match = PlateMatch::kFuzzy, .plate = "7A8C123"}), std::vector<std::string>{"7ABC123"});
  EXPECT_EQ(this->Plates({.match = PlateMatch::kWildcard, .plate = "*C123"}), std::vector<std::string>{"7ABC123"});
  // ...and no longer by the old one, which no other read holds.
  EXPECT_TRUE(this->Plates({.match = PlateMatch::kExact, .plate = "7ABC128"}).empty());
  EXPECT_TRUE(this->Plates({.match = PlateMatch::kWildcard, .plate = "*C128"}).empty());
  EXPECT_TRUE(this->Plates({.match = PlateMatch::kWildcard, .plate = "*BC12?"}) == std::vector<std::string>{"7ABC123"});

  auto history = this->store_->ReadHistory(id);
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].read_id, id);
  EXPECT_EQ((*history)[0].old_plate, "7ABC128");
  EXPECT_EQ((*history)[0].new_plate, "7ABC123");
  EXPECT_EQ((*history)[0].reason, "accuracy audit AA-1: 8 was a 3");
  EXPECT_EQ((*history)[0].corrected_by, "auditor");
  EXPECT_EQ((*history)[0].corrected_at, this->clock_.Now());

  // A second correction adds to the history; the first stays.
  this->clock_.Advance(std::chrono::minutes(5));
  ASSERT_TRUE(this->store_->CorrectRead(id, "7ABC124", "second look", "auditor2").ok());
  history = this->store_->ReadHistory(id);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].new_plate, "7ABC123");
  EXPECT_EQ((*history)[1].old_plate, "7ABC123");
  EXPECT_EQ((*history)[1].new_plate, "7ABC124");
  EXPECT_TRUE(this->Plates({.match = PlateMatch::kExact, .plate = "7ABC123"}).empty());
  // A read never corrected has an empty history.
  history = this->store_->ReadHistory(other);
  ASSERT_TRUE(history.ok());
  EXPECT_TRUE(history->empty());
}

TYPED_TEST(ReadStoreTest, CorrectionToAPlateAnotherReadHoldsKeepsThatPlateIndexed) {
  const int64_t a = this->Ingest(this->MakeRead("s-1", "cam-a", "5SAM001", 1));
  const int64_t b = this->Ingest(this->MakeRead("s-2", "cam-b", "5SAM001", 2));
  ASSERT_TRUE(this->store_->CorrectRead(a, "5SAM007", "misread", "auditor").ok());
  // The old plate still has read b; the new plate has read a.
  auto page = this->store_->Search({.match = PlateMatch::kExact, .plate = "5SAM001"});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->reads.size(), 1u);
  EXPECT_EQ(page->reads[0].id, b);
  EXPECT_EQ(this->Plates({.match = PlateMatch::kWildcard, .plate = "*SAM001"}), std::vector<std::string>{"5SAM001"});
  page = this->store_->Search({.match = PlateMatch::kExact, .plate = "5SAM007"});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->reads.size(), 1u);
  EXPECT_EQ(page->reads[0].id, a);
}

TYPED_TEST(ReadStoreTest, CorrectionRefusesABadPlateOrReasonWithNothingChanged) {
  const int64_t id = this->Ingest(this->MakeRead("b-1", "cam-a", "8BAD000", 1));
  for (std::string_view bad : std::initializer_list<std::string_view>{"", "---", "TOO LONG PLATE TEXT FOR ANY STATE OF ALL", std::string_view("7A\0B", 4)}) {
    EXPECT_EQ(this->store_->CorrectRead(id, bad, "misread", "auditor").status().code(), StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_EQ(this->store_->CorrectRead(id, "8BAD001", "", "auditor").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(this->store_->CorrectRead(id, "8BAD001", std::string(kMaxCorrectionReasonLength + 1, 'x'), "auditor")
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(this->store_->CorrectRead(id, "8BAD001", "misread", "").status().code(), StatusCode::kInvalidArgument);
  // The plate it already holds is no correction.
  EXPECT_EQ(this->store_->CorrectRead(id, "8bad-000", "misread", "auditor").status().code(),
            StatusCode::kInvalidArgument);
  auto read = this->store_->GetRead(id);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->plate, "8BAD000");
  EXPECT_EQ(this->Plates({.match = PlateMatch::kExact, .plate = "8BAD000"}), std::vector<std::string>{"8BAD000"});
  EXPECT_TRUE(this->Plates({.match = PlateMatch::kExact, .plate = "8BAD001"}).empty());
  auto history = this->store_->ReadHistory(id);
  ASSERT_TRUE(history.ok());
  EXPECT_TRUE(history->empty());
}

TYPED_TEST(ReadStoreTest, CorrectionOfAnUnknownReadIsNotFound) {
  EXPECT_EQ(this->store_->CorrectRead(987'654, "7ABC123", "misread", "auditor").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(this->store_->ReadHistory(987'654).status().code(), StatusCode::kNotFound);
}

TYPED_TEST(ReadStoreTest, CorrectedPlateOnAHotlistRaisesAnAlert) {
  ASSERT_TRUE(this->store_->PutHotlist({.name = "stolen", .agency_code = "CITYPD", .category = HotlistCategory::kStolenPlate})
                  .ok());
  std::vector<HotlistEntryInput> entries = {{.plate = "4HOT444", .reason = "stolen"}};
  ASSERT_TRUE(this->store_->ImportHotlistEntries({.list = "stolen", .entries = entries}).ok());
  const int64_t id = this->Ingest(this->MakeRead("h-1", "cam-a", "4HOT449", 1));
  auto alerts = this->store_->ListAlerts({});
  ASSERT_TRUE(alerts.ok());
  EXPECT_TRUE(alerts->empty());
  ASSERT_TRUE(this->store_->CorrectRead(id, "4HOT444", "misread 9 for 4", "auditor").ok());
  alerts = this->store_->ListAlerts({});
  ASSERT_TRUE(alerts.ok());
  ASSERT_EQ(alerts->size(), 1u);
  EXPECT_EQ((*alerts)[0].read_id, id);
}


// ---- The server's database role (issue 23, finding 2; PostgreSQL migration 13) ----
// Every PostgreSQL test in this suite and the governance suites runs as the server's role
// (PostgresBackend::AsServer); these show what that role may not do. Before migration 13
// the server connected as the schema's owner: the owner's half of each test shows that the
// same statements go through there.

TYPED_TEST(ReadStoreTest, TheServersRoleMayNotAlterTheSchemaOrRewriteTheAccessLog) {
  if constexpr (!TypeParam::kPartitioned) {
    auto role = InspectDatabaseRole(this->url_);
    ASSERT_TRUE(role.ok()) << role.status().ToString();
    EXPECT_FALSE(role->confined);  // SQLite: whoever writes the file may do anything
    EXPECT_NE(role->why.find("no roles"), std::string::npos) << role->why;
    EXPECT_EQ(GrantServerRole(this->url_, "custodian_server").code(), StatusCode::kInvalidArgument);
  } else {
    // Reads of two days (each day's partition made through the owner's function) and a
    // log entry, as the server writes them.
    this->Ingest(this->MakeRead("a", "cam-a", "7ABC123", 0));
    this->Ingest(this->MakeRead("b", "cam-a", "7ABC124", 24 * 60));
    const std::string day = TypeParam::DayTableName(2026, 1, 1);
    EXPECT_EQ(*TypeParam::QueryInt(this->url_, TypeParam::TableCountSql(day)), 1);
    // The server's role appends to the log and reads it.
    EXPECT_EQ(TypeParam::ErrorAs(this->url_,
                                 "INSERT INTO access_log (seq, at_ms, username, agency_code, source, action, outcome, "
                                 "terms, purpose, case_number, records, detail, prev_hash, hash) VALUES (1, 0, 'u', "
                                 "'CITYPD', 'cli', 'search', 'allowed', '{}', 'p', '', 0, '', '', 'h'); "
                                 "SELECT COUNT(*) FROM access_log; SELECT COUNT(*) FROM access_log_checkpoints"),
              "");

    auto role = InspectDatabaseRole(this->url_);
    ASSERT_TRUE(role.ok()) << role.status().ToString();
    EXPECT_EQ(role->name, "custodian_server");
    EXPECT_TRUE(role->confined) << role->why;
    auto owner = InspectDatabaseRole(TypeParam::OwnerUrl(this->url_));
    ASSERT_TRUE(owner.ok()) << owner.status().ToString();
    EXPECT_FALSE(owner->confined);

    // What an attacker holding the server's connection would try; each is refused by the
    // database's privileges (not only by the append-only triggers).
    const std::vector<std::string> refused = {
        "UPDATE access_log SET purpose = 'x'",
        "DELETE FROM access_log",
        "TRUNCATE access_log",
        "UPDATE access_log_checkpoints SET signature = 'x'",
        "DELETE FROM access_log_checkpoints",
        "TRUNCATE access_log_checkpoints",
        "ALTER TABLE access_log DISABLE TRIGGER access_log_append_only",
        "DROP TRIGGER access_log_append_only ON access_log",
        "DROP TABLE access_log",
        "ALTER TABLE access_log RENAME TO old_log",
        "CREATE TABLE access_log_copy (x INT)",
        "DROP TABLE " + day,
        "ALTER TABLE reads DETACH PARTITION " + day,
        "CREATE OR REPLACE FUNCTION custodian_access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RETURN NULL; END $$",
        "ALTER FUNCTION custodian_drop_empty_read_partition(BIGINT) SECURITY INVOKER",
        "INSERT INTO schema_version (version, name, applied_ms) VALUES (99, 'x', 0)",
        "DELETE FROM schema_version",
        "INSERT INTO server_roles (name, granted_ms) VALUES ('intruder', 0)",
        "CREATE TRIGGER t BEFORE INSERT ON access_log FOR EACH ROW EXECUTE FUNCTION "
        "custodian_access_log_append_only()",
    };
    for (const std::string& sql : refused) {
      const std::string err = TypeParam::ErrorAs(this->url_, sql);
      EXPECT_TRUE(err.find("permission denied") != std::string::npos || err.find("must be owner") != std::string::npos)
          << sql << " -> " << (err.empty() ? "ran" : err);
      if (sql.starts_with("ALTER TABLE access_log DISABLE") || sql.starts_with("DROP TABLE " + day) ||
          sql.starts_with("CREATE TABLE")) {
        // The owner (the server's connection before migration 13) could.
        EXPECT_EQ(TypeParam::ErrorAs(TypeParam::OwnerUrl(this->url_), sql), "") << sql;
      }
    }
    // A GRANT from the server's role to itself gives nothing.
    (void)TypeParam::ErrorAs(this->url_, "GRANT UPDATE, DELETE ON access_log TO custodian_server");
    EXPECT_EQ(*TypeParam::QueryInt(this->url_,
                                   "SELECT COUNT(*) FROM information_schema.role_table_grants WHERE grantee = "
                                   "'custodian_server' AND table_name IN ('access_log', 'access_log_checkpoints') "
                                   "AND privilege_type NOT IN ('SELECT', 'INSERT')"),
              0);
    // The owner's functions: an occupied day is not dropped; nor is a table that is not a
    // partition of reads; a day out of range is an error; a temporary table named reads
    // does not stand in for the real one.
    EXPECT_EQ(TypeParam::ErrorAs(this->url_, "SELECT custodian_drop_empty_read_partition(20454)"), "");
    EXPECT_EQ(*TypeParam::QueryInt(this->url_, TypeParam::TableCountSql(day)), 1);
    EXPECT_NE(TypeParam::ErrorAs(this->url_, "SELECT custodian_ensure_read_partition(99999999)").find("outside"),
              std::string::npos);
    {
      pqxx::connection c(this->url_);
      pqxx::work tx(c);
      tx.exec("CREATE TEMP TABLE reads (x INT); CREATE TEMP TABLE reads_p20300101 (x INT)");
      EXPECT_FALSE(tx.exec1("SELECT custodian_drop_empty_read_partition(21915)")[0].as<bool>());  // not a partition
      tx.exec("SELECT custodian_ensure_read_partition(21915)");  // 2030-01-01, of the real reads
      tx.commit();
    }
    EXPECT_EQ(*TypeParam::QueryInt(this->url_,
                                   "SELECT COUNT(*) FROM pg_inherits WHERE inhparent = 'public.reads'::regclass AND "
                                   "inhrelid = 'public.reads_p20300101'::regclass"),
              1);
    {
      pqxx::connection c(this->url_);
      pqxx::work tx(c);
      tx.exec("CREATE TEMP TABLE reads (x INT)");
      EXPECT_TRUE(tx.exec1("SELECT custodian_drop_empty_read_partition(21915)")[0].as<bool>());
      tx.commit();
    }
    EXPECT_EQ(*TypeParam::QueryInt(this->url_, TypeParam::TableCountSql("reads_p20300101")), 0);  // empty: dropped
  }
}

TYPED_TEST(ReadStoreTest, OnlyAConfinedRoleIsGrantedTheServersPrivilegesAndLaterMigrationsGrantItToo) {
  if constexpr (!TypeParam::kPartitioned) {
    GTEST_SKIP() << "SQLite has no database roles";
  } else {
    const std::string owner = TypeParam::OwnerUrl(this->url_);
    EXPECT_EQ(GrantServerRole(owner, "custodian_server; DROP TABLE reads").code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(GrantServerRole(owner, "\"Quoted\"").code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(GrantServerRole(owner, "no_such_role_here").code(), StatusCode::kNotFound);
    // The server's role cannot grant itself anything (nor record a role).
    EXPECT_EQ(GrantServerRole(this->url_, "custodian_server").code(), StatusCode::kPermissionDenied);
    // The owner itself (the test cluster's superuser) is refused.
    auto me = InspectDatabaseRole(owner);
    ASSERT_TRUE(me.ok());
    Status as_owner = GrantServerRole(owner, me->name);
    EXPECT_EQ(as_owner.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(as_owner.message().find("superuser"), std::string::npos) << as_owner.ToString();
    // A role that may create in the schema, or that is a member of the owner's role.
    const std::string creator = "ct_creator_" + std::to_string(::getpid());
    ASSERT_TRUE(TypeParam::Exec(owner, "DROP ROLE IF EXISTS " + creator + "; CREATE ROLE " + creator +
                                           " LOGIN; GRANT CREATE ON SCHEMA public TO " + creator)
                    .ok());
    Status creates = GrantServerRole(owner, creator);
    EXPECT_EQ(creates.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(creates.message().find("may create"), std::string::npos) << creates.ToString();
    ASSERT_TRUE(TypeParam::Exec(owner, "REVOKE CREATE ON SCHEMA public FROM " + creator + "; ALTER TABLE hotlists "
                                       "OWNER TO " + creator)
                    .ok());
    Status owns = GrantServerRole(owner, creator);
    EXPECT_EQ(owns.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(owns.message().find("owns table hotlists"), std::string::npos) << owns.ToString();
    ASSERT_TRUE(TypeParam::Exec(owner, "ALTER TABLE hotlists OWNER TO CURRENT_USER; DROP ROLE " + creator).ok());
    // The way around the grants: a role given UPDATE on the log and made a member of the
    // server's role's group passes its privilege on; the server's URL is then unconfined
    // (serve refuses it) and granting it is refused.
    const std::string writer = "ct_writer_" + std::to_string(::getpid());
    ASSERT_TRUE(TypeParam::Exec(owner, "DROP ROLE IF EXISTS " + writer + "; CREATE ROLE " + writer +
                                           "; GRANT UPDATE ON access_log TO " + writer + "; GRANT " + writer +
                                           " TO custodian_server")
                    .ok());
    auto inherited = InspectDatabaseRole(this->url_);
    ASSERT_TRUE(inherited.ok()) << inherited.status().ToString();
    EXPECT_FALSE(inherited->confined);
    EXPECT_NE(inherited->why.find("may UPDATE access_log"), std::string::npos) << inherited->why;
    EXPECT_EQ(GrantServerRole(owner, "custodian_server").code(), StatusCode::kInvalidArgument);
    ASSERT_TRUE(TypeParam::Exec(owner, "REVOKE " + writer + " FROM custodian_server; REVOKE ALL ON access_log FROM " +
                                           writer + "; DROP ROLE " + writer)
                    .ok());
    auto back = InspectDatabaseRole(this->url_);
    ASSERT_TRUE(back.ok());
    EXPECT_TRUE(back->confined) << back->why;

    // A migration that adds a table: `db migrate` grants it to the recorded server role.
    // (Simulated: migration 13 taken back and the server's grant on hotlists revoked.)
    this->store_.reset();
    ASSERT_TRUE(TypeParam::Exec(owner, "REVOKE ALL ON hotlists FROM custodian_server; "
                                       "DELETE FROM schema_version WHERE version = 13")
                    .ok());
    EXPECT_NE(TypeParam::ErrorAs(this->url_, "SELECT COUNT(*) FROM hotlists").find("permission denied"),
              std::string::npos);
    auto opened = this->Open();  // the server's role cannot migrate
    ASSERT_FALSE(opened.ok());
    auto migrated = MigrateDatabase(owner);
    ASSERT_TRUE(migrated.ok()) << migrated.status().ToString();
    EXPECT_EQ(TypeParam::ErrorAs(this->url_, "SELECT COUNT(*) FROM hotlists"), "");
    auto again = this->Open();
    ASSERT_TRUE(again.ok()) << again.status().ToString();
  }
}

}  // namespace
}  // namespace custodian::store
