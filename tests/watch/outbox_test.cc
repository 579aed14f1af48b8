// The outbox on a real SQLite file: reads survive a restart, leave only when acknowledged,
// are queued once per event id, wait with backoff after a failure (an injected clock), and
// a full outbox refuses more without dropping any. Delivered into a real records store,
// a retry of a read that had arrived is a duplicate, not a second read.
#include "custodian/watch/outbox.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "custodian/store/read_store.h"
#include "test_dirs.h"

namespace custodian::watch {
namespace {

namespace fs = std::filesystem;
const TimePoint kT0 = FromUnixMillis(1'767'225'600'000);

store::ReadInput Read(int n, const std::string& camera = "cam1") {
  return {.event_id = camera + "-pass-" + std::to_string(n),
          .camera_id = camera,
          .captured_at = kT0 + std::chrono::seconds(n),
          .plate = "7ABC" + std::to_string(100 + n),
          .confidence = 0.9f,
          .candidates = {{"7ABC" + std::to_string(100 + n), 0.9f}},
          .country = "us",
          .box = store::Box{10, 20, 120, 40},
          .plate_crop = {0xFF, 0xD8, uint8_t(n)}};
}

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = FreshTestDir("custodian_outbox"); }
  void TearDown() override { fs::remove_all(dir_); }
  std::unique_ptr<Outbox> Open(int64_t max_reads = 1000) {
    auto box = Outbox::Open({.file = dir_ / "outbox.db", .clock = &clock_, .max_reads = max_reads});
    EXPECT_TRUE(box.ok()) << box.status().ToString();
    return box.ok() ? std::move(*box) : nullptr;
  }
  fs::path dir_;
  FakeClock clock_{kT0};
};

TEST_F(OutboxTest, ReadsSurviveARestartAndLeaveOnlyWhenAcknowledgedInOrder) {
  {
    auto box = Open();
    for (int n = 0; n < 5; ++n) ASSERT_TRUE(box->Put(Read(n)).ok());
    EXPECT_EQ(box->figures().reads, 5);
  }  // watch stops (or is killed) here; the reads are on disk
  auto box = Open();
  EXPECT_EQ(box->figures().reads, 5);
  EXPECT_EQ(box->figures().oldest, kT0);
  std::vector<std::string> got;
  auto sent = box->Deliver(
      [&](std::span<const store::ReadInput> reads) {
        for (const auto& r : reads) got.push_back(r.event_id);
        return Status::Ok();
      },
      2);
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  EXPECT_EQ(*sent, 5);
  EXPECT_EQ(got, (std::vector<std::string>{"cam1-pass-0", "cam1-pass-1", "cam1-pass-2", "cam1-pass-3", "cam1-pass-4"}));
  EXPECT_EQ(box->figures().reads, 0);
  EXPECT_FALSE(box->figures().oldest.has_value());
}

TEST_F(OutboxTest, AReadComesBackWholeImagesIncluded) {
  auto box = Open();
  ASSERT_TRUE(box->Put(Read(7)).ok());
  std::vector<store::ReadInput> got;
  ASSERT_TRUE(box->Deliver([&](std::span<const store::ReadInput> reads) {
                   got.assign(reads.begin(), reads.end());
                   return Status::Ok();
                 })
                  .ok());
  ASSERT_EQ(got.size(), 1u);
  const store::ReadInput want = Read(7);
  EXPECT_EQ(got[0].plate, want.plate);
  EXPECT_EQ(got[0].captured_at, want.captured_at);
  EXPECT_EQ(got[0].plate_crop, want.plate_crop);
  ASSERT_TRUE(got[0].box.has_value());
  EXPECT_EQ(got[0].box->width, 120);
}

TEST_F(OutboxTest, AReadIsQueuedOncePerEventIdAndCameraAndNeedsAnEventId) {
  auto box = Open();
  ASSERT_TRUE(box->Put(Read(1)).ok());
  ASSERT_TRUE(box->Put(Read(1)).ok());
  ASSERT_TRUE(box->Put(Read(1, "cam2")).ok());  // the same id from another camera is another read
  EXPECT_EQ(box->figures().reads, 2);
  store::ReadInput anonymous = Read(2);
  anonymous.event_id.clear();
  EXPECT_EQ(box->Put(anonymous).code(), StatusCode::kInvalidArgument);
}

TEST_F(OutboxTest, AFailedSendKeepsTheReadsAndWaitsLongerEachTime) {
  auto box = Open();
  ASSERT_TRUE(box->Put(Read(1)).ok());
  int calls = 0;
  auto down = [&](std::span<const store::ReadInput>) {
    ++calls;
    return Status::Unavailable("server down");
  };
  EXPECT_EQ(*box->Deliver(down), 0);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(box->figures().failures_in_a_row, 1);
  EXPECT_EQ(box->figures().next_try, kT0 + std::chrono::seconds(1));
  EXPECT_EQ(*box->Deliver(down), 0);
  EXPECT_EQ(calls, 1) << "no try before the retry time";
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(*box->Deliver(down), 0);
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(box->figures().next_try, clock_.Now() + std::chrono::seconds(2)) << "doubled";
  for (int i = 0; i < 10; ++i) {
    clock_.Advance(std::chrono::minutes(2));
    (void)box->Deliver(down);
  }
  EXPECT_EQ(box->figures().next_try, clock_.Now() + std::chrono::seconds(60)) << "at most max_retry";
  EXPECT_EQ(box->figures().reads, 1);
  clock_.Advance(std::chrono::minutes(1));
  EXPECT_EQ(*box->Deliver([](std::span<const store::ReadInput>) { return Status::Ok(); }), 1);
  EXPECT_EQ(box->figures().failures_in_a_row, 0);
  EXPECT_EQ(box->figures().reads, 0);
}

TEST_F(OutboxTest, AFullOutboxRefusesMoreAndDropsNothingAndWarnsBefore) {
  auto box = Open(/*max_reads=*/5);
  for (int n = 0; n < 3; ++n) ASSERT_TRUE(box->Put(Read(n)).ok());
  EXPECT_FALSE(box->near_full());
  ASSERT_TRUE(box->Put(Read(3)).ok());
  EXPECT_TRUE(box->near_full()) << "4 of 5 is the warning share";
  ASSERT_TRUE(box->Put(Read(4)).ok());
  Status full = box->Put(Read(5));
  EXPECT_EQ(full.code(), StatusCode::kUnavailable);
  EXPECT_NE(full.message().find("full"), std::string::npos) << full.ToString();
  EXPECT_EQ(box->figures().reads, 5);
  std::vector<std::string> got;
  ASSERT_TRUE(box->Deliver([&](std::span<const store::ReadInput> reads) {
                   for (const auto& r : reads) got.push_back(r.event_id);
                   return Status::Ok();
                 })
                  .ok());
  EXPECT_EQ(got.front(), "cam1-pass-0") << "the oldest were kept";
  EXPECT_EQ(got.size(), 5u);
  EXPECT_TRUE(box->Put(Read(5)).ok());
}

TEST_F(OutboxTest, ARetryOfAReadThatHadArrivedIsADuplicateInTheStoreNotASecondRead) {
  auto st = store::OpenStore("sqlite://" + (dir_ / "store.db").string(),
                             {.image_dir = dir_ / "images", .migrate = true, .clock = &clock_});
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  store::ReadStore& db = **st;
  ASSERT_TRUE(db.PutAgency({.code = "CITYPD", .name = "City Police"}).ok());
  ASSERT_TRUE(db.PutCamera({.id = "cam1", .name = "Main St", .agency_code = "CITYPD"}).ok());
  auto box = Open();
  for (int n = 0; n < 3; ++n) ASSERT_TRUE(box->Put(Read(n)).ok());
  // The store takes the batch, but its answer is lost (a server killed before it replied).
  auto lost_answer = [&](std::span<const store::ReadInput> reads) -> Status {
    CUSTODIAN_RETURN_IF_ERROR(db.Ingest(reads).status());
    return Status::Unavailable("connection reset");
  };
  EXPECT_EQ(*box->Deliver(lost_answer), 0);
  EXPECT_EQ(box->figures().reads, 3);
  clock_.Advance(std::chrono::seconds(1));
  int duplicates = 0;
  auto store_send = [&](std::span<const store::ReadInput> reads) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto results, db.Ingest(reads));
    for (const auto& r : results) duplicates += r.duplicate ? 1 : 0;
    return Status::Ok();
  };
  EXPECT_EQ(*box->Deliver(store_send), 3);
  EXPECT_EQ(duplicates, 3);
  auto all = db.Search({.match = store::PlateMatch::kAny, .limit = 100});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->reads.size(), 3u) << "each pass stored once";
}

TEST(Outbox, OpenRefusesMissingOptionsAndAnUnusablePath) {
  FakeClock clock(kT0);
  EXPECT_EQ(Outbox::Open({.file = "/tmp/x.db"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Outbox::Open({.clock = &clock}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Outbox::Open({.file = "/proc/custodian/outbox.db", .clock = &clock}).status().code(),
            StatusCode::kUnavailable);
}

}  // namespace
}  // namespace custodian::watch
