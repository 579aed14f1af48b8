// The records store conformance suite (read_store_test.h): Corrections of wrong reads (policy 4.A.4, 5.E).
#include "store/read_store_test.h"

namespace custodian::store {
namespace {

TYPED_TEST_SUITE(ReadStoreTest, Backends);

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

}  // namespace
}  // namespace custodian::store
