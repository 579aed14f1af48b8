// The records store conformance suite (read_store_test.h): Search.
#include "store/read_store_test.h"

namespace custodian::store {
namespace {

TYPED_TEST_SUITE(ReadStoreTest, Backends);

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

}  // namespace
}  // namespace custodian::store
