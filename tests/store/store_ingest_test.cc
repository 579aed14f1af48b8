// The records store conformance suite (read_store_test.h): Ingest.
#include "store/read_store_test.h"

namespace custodian::store {
namespace {

TYPED_TEST_SUITE(ReadStoreTest, Backends);

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

}  // namespace
}  // namespace custodian::store
