// The records store conformance suite's fixture: each store_*_test.cc holds one concern's
// tests, written once and run against SQLite and PostgreSQL (one binary,
// store_conformance_test). The PostgreSQL instances need the pg_cluster CTest fixture
// (label pg); without it they fail when CI=true and skip otherwise.
#pragma once

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
#include "test_dirs.h"

namespace custodian::store {

namespace fs = std::filesystem;
using testing::PostgresBackend;
using testing::SqliteBackend;

// 2026-01-01T00:00:00Z.
inline const TimePoint kT0 = FromUnixMillis(1'767'225'600'000);

inline std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

// Fake JPEG-ish bytes, distinct per seed.
inline std::vector<uint8_t> FakeImage(uint32_t seed, size_t size = 2048) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> out(size);
  for (auto& b : out) b = uint8_t(rng());
  out[0] = 0xFF;
  out[1] = 0xD8;
  return out;
}


inline policy::RetentionPolicy Retention(int public_safety_days, int non_public_safety_days) {
  auto p = policy::RetentionPolicy::Make({.public_safety = std::chrono::days(public_safety_days),
                                          .non_public_safety = std::chrono::days(non_public_safety_days)});
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return *p;
}

// The retention purge with 90 days for both data classes, run with the clock set to `at`.
inline Result<policy::PurgeSummary> PurgeNinetyDaysAt(ReadStore& store, FakeClock& clock, TimePoint at) {
  clock.Set(at);
  return policy::RunPurge(store, Retention(90, 90), clock);
}

template <typename Backend>
class ReadStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("custodian_store_test");
    testing::NewServerDatabase<Backend>(dir_, &url_);  // PostgreSQL: the server's role from here on
    if (url_.empty()) return;
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

}  // namespace custodian::store
