// The records store conformance suite (read_store_test.h): Migrations.
#include "store/read_store_test.h"

namespace custodian::store {
namespace {

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

}  // namespace
}  // namespace custodian::store
