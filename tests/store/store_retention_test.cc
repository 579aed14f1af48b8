// The records store conformance suite (read_store_test.h): Retention and legal holds (policy section 3).
#include "store/read_store_test.h"

namespace custodian::store {
namespace {

TYPED_TEST_SUITE(ReadStoreTest, Backends);

// ---- Retention and legal holds (policy section 3) ----

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

}  // namespace
}  // namespace custodian::store
