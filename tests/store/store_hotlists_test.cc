// The records store conformance suite (read_store_test.h): Hotlists and alerts (policy 4.A.3).
#include "store/read_store_test.h"

namespace custodian::store {
namespace {

TYPED_TEST_SUITE(ReadStoreTest, Backends);

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

}  // namespace
}  // namespace custodian::store
