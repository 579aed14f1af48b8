// The records store conformance suite (read_store_test.h): Hostile input.
#include "store/read_store_test.h"

namespace custodian::store {
namespace {

TYPED_TEST_SUITE(ReadStoreTest, Backends);

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

}  // namespace
}  // namespace custodian::store
