// The governance services over both store backends: sharing grants, access reports and
// misuse flags, weekly log reviews, accuracy audits, records requests, breach notices.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "custodian/policy/accuracy_audit.h"
#include "custodian/policy/breach_incidents.h"
#include "custodian/policy/governed_ops.h"
#include "custodian/policy/records_requests.h"
#include "custodian/policy/reports.h"
#include "custodian/policy/sharing.h"
#include "custodian/store/evidence.h"
#include "custodian/store/read_json.h"
#include "policy/governance_fixture.h"

namespace custodian::policy {
namespace {

using std::chrono::days;
using std::chrono::hours;
using testing::GovernanceBackends;
using testing::kStart;

template <typename B>
class ServicesTest : public custodian::policy::testing::GovernanceFixture<B> {
 protected:
  // A search of the fixture's plate.
  store::SearchQuery Plate() { return {.match = store::PlateMatch::kExact, .plate = "7ABC123"}; }
  bool LastDenied() { return this->LastLog().outcome == kDenied; }
  // A records request for the public-safety reads of the fixture's plate on the day before kStart.
  RecordsRequestForm Request7ABC123() {
    return {.requester = "Dana Requester",
            .department = "Investigations",
            .phone = "(555) 010-0100",
            .email = "dana@city.example.gov",
            .date_requested = this->clock_.Now(),
            .date_required = this->clock_.Now() + days(7),
            .data_class = store::DataClass::kPublicSafety,
            .description = "Reads of 7ABC123 on 31 May 2026",
            .reason = "Court order 26-CV-0042",
            .search = {.match = store::PlateMatch::kExact, .plate = "7ABC123", .from = kStart - days(1), .to = kStart}};
  }
};

TYPED_TEST_SUITE(ServicesTest, GovernanceBackends);

// ---- Sharing (policy 5.D) ----

TYPED_TEST(ServicesTest, PartnerSeesOnlyWhatAGrantInForceShares) {
  auto& gov = *this->gov_;
  auto partner = this->Partner();
  // None by default.
  auto none = policy::SearchReads(gov, partner.who, this->kWhy, this->Plate());
  EXPECT_EQ(none.status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(this->LastDenied());
  // Public safety, one camera.
  auto id = this->Share(
                         {.agency_code = "COUNTYSO", .data_classes = {store::DataClass::kPublicSafety},
                          .camera_ids = {"cam-ps"}, .expires = this->clock_.Now() + days(30)});
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  auto page = policy::SearchReads(gov, partner.who, this->kWhy, this->Plate());
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->reads.size(), 1u);
  EXPECT_EQ(page->reads[0].camera_id, "cam-ps");
  auto other_class = policy::SearchReads(gov, partner.who, this->kWhy,
                                     {.match = store::PlateMatch::kExact, .plate = "7ABC123",
                                      .data_class = store::DataClass::kNonPublicSafety});
  EXPECT_FALSE(other_class.ok());
  EXPECT_TRUE(this->LastDenied());
  auto grants = ListGrants(gov, this->coord_.who, false);
  ASSERT_TRUE(grants.ok());
  ASSERT_EQ(grants->size(), 1u);
  EXPECT_TRUE((*grants)[0].in_force);
  // The report shows the partner's searches.
  auto report = SharingReport(gov, this->coord_.who, kStart - days(1), this->clock_.Now() + hours(1));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->partners.size(), 1u);
  EXPECT_EQ(report->partners[0].agency_code, "COUNTYSO");
  EXPECT_EQ(report->partners[0].searches, 3);
  EXPECT_EQ(report->partners[0].denied, 2);
  EXPECT_EQ(report->partners[0].users, std::vector<std::string>{"deputy"});
  EXPECT_EQ(report->partners[0].cases.at("26-CR-0117"), 3);
  // Revoked: refused at once.
  ASSERT_TRUE(RevokeSharing(gov, this->coord_.who, *id).ok());
  EXPECT_EQ(policy::SearchReads(gov, partner.who, this->kWhy, this->Plate()).status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(this->LastDenied());
  EXPECT_FALSE(RevokeSharing(gov, this->coord_.who, *id).ok());
  EXPECT_TRUE(this->LastDenied());
  // Expired: refused once the clock passes the expiry.
  ASSERT_TRUE(this->Share(
                           {.agency_code = "COUNTYSO", .data_classes = {store::DataClass::kPublicSafety},
                            .expires = this->clock_.Now() + days(2)})
                  .ok());
  ASSERT_TRUE(policy::SearchReads(gov, partner.who, this->kWhy, this->Plate()).ok());
  this->clock_.Advance(days(3));
  EXPECT_EQ(policy::SearchReads(gov, partner.who, this->kWhy, this->Plate()).status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(this->LastDenied());
}

TYPED_TEST(ServicesTest, GrantsAreRefusedToOwnAgencyNonCoordinatorsAndBadExpiry) {
  auto& gov = *this->gov_;
  const auto later = this->clock_.Now() + days(30);
  auto own = GrantSharing(gov, this->coord_.who,
                          {.agency_code = "CITYPD", .data_classes = {store::DataClass::kPublicSafety}, .expires = later});
  EXPECT_EQ(own.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(this->LastDenied());
  auto too_long = GrantSharing(gov, this->coord_.who,
                               {.agency_code = "COUNTYSO", .data_classes = {store::DataClass::kPublicSafety},
                                .expires = this->clock_.Now() + days(400)});
  EXPECT_EQ(too_long.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(this->LastDenied());
  auto past = GrantSharing(gov, this->coord_.who,
                           {.agency_code = "COUNTYSO", .data_classes = {store::DataClass::kPublicSafety},
                            .expires = this->clock_.Now() - hours(1)});
  EXPECT_EQ(past.status().code(), StatusCode::kInvalidArgument);
  auto unknown = GrantSharing(gov, this->coord_.who,
                              {.agency_code = "NOSUCH", .data_classes = {store::DataClass::kPublicSafety},
                               .expires = later});
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(this->LastDenied());
  auto pat = this->MakeUser("pat", Role::kPatrol);
  auto by_patrol = GrantSharing(gov, pat.who,
                                {.agency_code = "COUNTYSO", .data_classes = {store::DataClass::kPublicSafety},
                                 .expires = later});
  EXPECT_EQ(by_patrol.status().code(), StatusCode::kPermissionDenied);
  const LogEntry last = this->LastLog();
  EXPECT_EQ(last.outcome, kDenied);
  EXPECT_EQ(last.username, "pat");
  EXPECT_EQ(last.action, "grant_sharing");
}

// ---- Reports and misuse flags (policy 4.A.1, 5.C) ----

TYPED_TEST(ServicesTest, MisuseFlagsCatchStalkingOffHoursNoCaseAndMissingTraining) {
  auto& gov = *this->gov_;
  auto pat = this->MakeUser("pat", Role::kPatrol);
  auto newbie = this->MakeUser("newbie", Role::kPatrol, /*gates=*/false);
  // 2026-06-01 00:00Z is 16:00 Pacific: working hours. Three searches of one plate.
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(policy::SearchReads(gov, pat.who, this->kWhy, this->Plate()).ok());
  // No case number: refused, and flagged.
  EXPECT_FALSE(policy::SearchReads(gov, pat.who, {"stolen_vehicle", ""}, this->Plate()).ok());
  EXPECT_TRUE(this->LastDenied());
  // Untrained: refused, and flagged.
  EXPECT_FALSE(policy::SearchReads(gov, newbie.who, this->kWhy, {.match = store::PlateMatch::kExact, .plate = "8XYZ999"}).ok());
  EXPECT_TRUE(this->LastDenied());

  auto stalking = this->FlagsOf(this->coord_.who, FlagKind::kRepeatedPlate);
  ASSERT_EQ(stalking.size(), 1u);
  EXPECT_EQ(stalking[0].username, "pat");
  EXPECT_EQ(stalking[0].seqs.size(), 4u);  // three allowed, one denied
  auto no_case = this->FlagsOf(this->coord_.who, FlagKind::kNoCase);
  ASSERT_EQ(no_case.size(), 1u);
  EXPECT_EQ(no_case[0].username, "pat");
  auto training = this->FlagsOf(this->coord_.who, FlagKind::kTraining);
  ASSERT_EQ(training.size(), 1u);
  EXPECT_EQ(training[0].username, "newbie");
  EXPECT_TRUE(this->FlagsOf(this->coord_.who, FlagKind::kOffHours).empty());
  // 00:30 Pacific: off-hours.
  this->clock_.Advance(hours(8) + std::chrono::minutes(30));
  ASSERT_TRUE(policy::SearchReads(gov, pat.who, this->kWhy, {.match = store::PlateMatch::kExact, .plate = "5DEF456"}).ok());
  auto off = this->FlagsOf(this->coord_.who, FlagKind::kOffHours);
  ASSERT_EQ(off.size(), 1u);
  EXPECT_EQ(off[0].username, "pat");
  EXPECT_EQ(off[0].seqs.size(), 1u);
  // The flags were read, and that reading is logged.
  EXPECT_EQ(this->LastLog().action, "misuse_flags");
  // Access report grouped by user and plate.
  auto report = AccessReport(gov, this->coord_.who, {.username = "pat"});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->by_user.size(), 1u);
  EXPECT_EQ(report->by_user[0].entries, 5);
  EXPECT_EQ(report->by_user[0].denied, 1);
  ASSERT_EQ(report->by_plate.size(), 2u);
  EXPECT_EQ(report->by_plate[0].key, "5DEF456");
  EXPECT_EQ(report->by_plate[1].key, "7ABC123");
  EXPECT_EQ(report->by_plate[1].entries, 4);
  EXPECT_EQ(this->LastLog().action, "access_report");
  // A patrol officer reads no reports.
  EXPECT_EQ(AccessReport(gov, pat.who, {}).status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(this->LastDenied());
}

TYPED_TEST(ServicesTest, WeeklyReviewIsRecordedAndFallsOverdueAfterSevenDays) {
  auto& gov = *this->gov_;
  auto overdue = LastReviewOverdue(gov, this->coord_.who);
  ASSERT_TRUE(overdue.ok());
  EXPECT_TRUE(*overdue);
  auto id = RecordLogReview(gov, this->coord_.who, kStart - days(7), this->clock_.Now(), "no flags");
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_FALSE(*LastReviewOverdue(gov, this->coord_.who));
  auto reviews = ListLogReviews(gov, this->coord_.who);
  ASSERT_TRUE(reviews.ok());
  ASSERT_EQ(reviews->size(), 1u);
  EXPECT_EQ((*reviews)[0].reviewer, "coord");
  EXPECT_EQ((*reviews)[0].notes, "no flags");
  this->clock_.Advance(days(8));
  EXPECT_TRUE(*LastReviewOverdue(gov, this->coord_.who));
  // A review cannot cover the future.
  EXPECT_EQ(RecordLogReview(gov, this->coord_.who, this->clock_.Now(), this->clock_.Now() + days(1), "").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(this->LastDenied());
  auto pat = this->MakeUser("pat", Role::kPatrol);
  EXPECT_EQ(RecordLogReview(gov, pat.who, kStart, this->clock_.Now(), "x").status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_TRUE(this->LastDenied());
}

// ---- Accuracy audits (policy 4.A.4, 5.E) ----

TYPED_TEST(ServicesTest, AuditSamplesBySeedAndReportsAccuracyPerCamera) {
  auto& gov = *this->gov_;
  this->CoordinatorGates();
  const AuditSpec spec{.from = kStart - days(1), .to = kStart, .sample_size = 2, .seed = 7, .reference = "AA-2026-06"};
  auto a = StartAudit(gov, this->coord_.who, spec);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto b = StartAudit(gov, this->coord_.who, spec);
  ASSERT_TRUE(b.ok());
  auto ra = AuditAccuracy(gov, this->coord_.who, *a);
  auto rb = AuditAccuracy(gov, this->coord_.who, *b);
  ASSERT_TRUE(ra.ok()) << ra.status().ToString();
  ASSERT_TRUE(rb.ok());
  ASSERT_EQ(ra->items.size(), 2u);
  ASSERT_EQ(rb->items.size(), 2u);
  for (size_t i = 0; i < 2; ++i) EXPECT_EQ(ra->items[i].read_id, rb->items[i].read_id);  // same seed, same sample
  // A sample larger than the period holds everything.
  auto all = StartAudit(gov, this->coord_.who, {.from = kStart - days(1), .to = kStart, .sample_size = 10,
                                                .seed = 1, .reference = "AA-2026-07"});
  ASSERT_TRUE(all.ok());
  auto rall = AuditAccuracy(gov, this->coord_.who, *all);
  ASSERT_TRUE(rall.ok());
  ASSERT_EQ(rall->items.size(), 3u);
  // Verdicts: cam-ps right, cam-park wrong.
  ASSERT_TRUE(VerifyItem(gov, this->coord_.who, *all, this->read_ids_["cam-ps"], {.correct = true}).ok());
  ASSERT_TRUE(VerifyItem(gov, this->coord_.who, *all, this->read_ids_["cam-park"],
                         {.correct = false, .true_plate = "7ABC128"})
                  .ok());
  EXPECT_EQ(VerifyItem(gov, this->coord_.who, *all, this->read_ids_["cam-ps2"], {.correct = false}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(this->LastDenied());
  EXPECT_EQ(VerifyItem(gov, this->coord_.who, *a, 999999, {.correct = true}).code(), StatusCode::kNotFound);
  auto res = AuditAccuracy(gov, this->coord_.who, *all);
  ASSERT_TRUE(res.ok());
  ASSERT_EQ(res->cameras.size(), 3u);
  EXPECT_EQ(res->cameras[0].camera_id, "cam-park");
  EXPECT_EQ(res->cameras[0].verified, 1);
  EXPECT_EQ(res->cameras[0].correct, 0);
  EXPECT_DOUBLE_EQ(res->cameras[0].accuracy, 0.0);
  EXPECT_EQ(res->cameras[1].camera_id, "cam-ps");
  EXPECT_DOUBLE_EQ(res->cameras[1].accuracy, 1.0);
  EXPECT_EQ(res->cameras[2].verified, 0);
  EXPECT_EQ(res->overall.verified, 2);
  EXPECT_DOUBLE_EQ(res->overall.accuracy, 0.5);
  // Patrol may not audit.
  auto pat = this->MakeUser("pat", Role::kPatrol);
  EXPECT_EQ(StartAudit(gov, pat.who, spec).status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(this->LastDenied());
}

// ---- Records requests ----

TYPED_TEST(ServicesTest, RecordsRequestNeedsBothApprovalsAndIsConfidential) {
  auto& gov = *this->gov_;
  this->CoordinatorGates();
  auto inv = this->MakeUser("inv", Role::kInvestigator);
  auto cmd = this->MakeUser("cmd", Role::kCommandStaff);
  auto aud = this->MakeUser("aud", Role::kAuditor);
  RecordsRequestForm form = this->Request7ABC123();
  RecordsRequestForm bad = form;
  bad.email = "dana at city";
  EXPECT_EQ(SubmitRecordsRequest(gov, inv.who, bad).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(this->LastDenied());
  bad = form;
  bad.phone = "12345";
  EXPECT_EQ(SubmitRecordsRequest(gov, inv.who, bad).status().code(), StatusCode::kInvalidArgument);
  auto id = SubmitRecordsRequest(gov, inv.who, form);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  const auto out = this->dir_ / ("export-" + std::to_string(*id));
  // Not before both approvals.
  EXPECT_EQ(FulfilRecordsRequest(gov, this->coord_.who, *id, out).status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(this->LastDenied());
  EXPECT_FALSE(std::filesystem::exists(out));
  // The coordinator cannot approve before the director; the submitter cannot approve.
  EXPECT_FALSE(CoordinatorApprove(gov, this->coord_.who, *id, "ok").ok());
  EXPECT_TRUE(this->LastDenied());
  EXPECT_EQ(DirectorApprove(gov, inv.who, *id, "mine").code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(this->LastDenied());
  ASSERT_TRUE(DirectorApprove(gov, cmd.who, *id, "approved").ok());
  EXPECT_EQ(CoordinatorApprove(gov, cmd.who, *id, "me too").code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(this->LastDenied());
  EXPECT_EQ(FulfilRecordsRequest(gov, this->coord_.who, *id, out).status().code(), StatusCode::kPermissionDenied);
  ASSERT_TRUE(CoordinatorApprove(gov, this->coord_.who, *id, "approved").ok());
  // Confidential: the auditor may not read it; the submitter and approvers may.
  EXPECT_EQ(GetRecordsRequest(gov, aud.who, *id).status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(this->LastDenied());
  EXPECT_EQ(ListRecordsRequests(gov, aud.who).status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(this->LastDenied());
  auto mine = GetRecordsRequest(gov, inv.who, *id);
  ASSERT_TRUE(mine.ok()) << mine.status().ToString();
  EXPECT_EQ(mine->state, RequestState::kApproved);
  EXPECT_EQ(mine->director, "cmd");
  EXPECT_EQ(mine->coordinator, "coord");
  EXPECT_EQ(mine->form.search.plate, "7ABC123");
  // Fulfilled through the governed search, logged with the request number.
  auto done = FulfilRecordsRequest(gov, this->coord_.who, *id, out);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->reads, 2);  // both public-safety reads of the plate
  for (const char* f : {"reads.json", "request.json", "manifest.json", "manifest.sig"}) {
    EXPECT_TRUE(std::filesystem::exists(out / f)) << f;
  }
  std::ifstream reads(out / "reads.json");
  std::stringstream ss;
  ss << reads.rdbuf();
  EXPECT_NE(ss.str().find("7ABC123"), std::string::npos);
  auto searches = this->LogWhere({.action = "search_reads", .case_number = "RR-" + std::to_string(*id)});
  ASSERT_EQ(searches.size(), 1u);
  EXPECT_EQ(searches[0].purpose, "records_request");
  EXPECT_EQ(searches[0].outcome, kAllowed);
  auto after = GetRecordsRequest(gov, cmd.who, *id);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->state, RequestState::kFulfilled);
  EXPECT_TRUE(after->fulfilled_at.has_value());
  EXPECT_FALSE(after->export_path.empty());
}

TYPED_TEST(ServicesTest, ARecordsRequestPackageHoldsEachReadInTheOneShapeAndVerifies) {
  auto& gov = *this->gov_;
  this->CoordinatorGates();
  auto inv = this->MakeUser("inv", Role::kInvestigator);
  auto cmd = this->MakeUser("cmd", Role::kCommandStaff);
  const RecordsRequestForm form = this->Request7ABC123();
  auto id = SubmitRecordsRequest(gov, inv.who, form);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  ASSERT_TRUE(DirectorApprove(gov, cmd.who, *id, "approved").ok());
  ASSERT_TRUE(CoordinatorApprove(gov, this->coord_.who, *id, "approved").ok());
  const auto out = this->dir_ / ("package-" + std::to_string(*id));
  auto done = FulfilRecordsRequest(gov, this->coord_.who, *id, out);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  ASSERT_GT(done->reads, 0);

  std::ifstream manifest_file(out / "manifest.json");
  const auto manifest = nlohmann::json::parse(manifest_file);
  EXPECT_EQ(manifest["version"], store::kExportFormatVersion);
  std::ifstream reads_file(out / "reads.json");
  const auto reads = nlohmann::json::parse(reads_file);
  ASSERT_EQ(reads.size(), size_t(done->reads));
  for (const auto& r : reads) {
    auto stored = this->store_->GetRead(r["id"].get<int64_t>());
    ASSERT_TRUE(stored.ok()) << stored.status().ToString();
    EXPECT_EQ(r, store::ReadToJson(*stored, {.image_hashes = true}));
    auto back = store::ReadFromJson(r);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back->captured_at, stored->captured_at);
    EXPECT_EQ(back->plate, "7ABC123");
  }
  auto check = store::VerifyEvidence(out);
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_TRUE(check->ok());
  EXPECT_EQ(check->version, store::kExportFormatVersion);
}

// ---- Breach notices (policy 6) ----

TYPED_TEST(ServicesTest, BreachNoticeListsWhatTheAccountTouched) {
  auto& gov = *this->gov_;
  this->CoordinatorGates();  // a notice is plate data: its producer passes the gates
  auto pat = this->MakeUser("pat", Role::kPatrol);
  const auto from = this->clock_.Now();
  ASSERT_TRUE(policy::GetRead(gov, pat.who, this->kWhy, this->read_ids_["cam-ps"]).ok());
  ASSERT_TRUE(policy::SearchReads(gov, pat.who, this->kWhy, this->Plate()).ok());
  BreachIncident incident{.agency_name = "City Police Department",
                          .contact_name = "Records Unit",
                          .contact_phone = "555-0100",
                          .what_happened = "An account was used to look up plates without a case.",
                          .information_involved = {"License plate numbers", "Locations and times of vehicles"}};
  auto id = RecordIncident(gov, this->coord_.who, incident);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  BreachIncident empty;
  EXPECT_EQ(RecordIncident(gov, this->coord_.who, empty).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(this->LastDenied());
  auto notice = ProduceNotice(gov, this->coord_.who, *id, "pat", {from, this->clock_.Now()});
  ASSERT_TRUE(notice.ok()) << notice.status().ToString();
  EXPECT_NE(notice->text.find("7ABC123"), std::string::npos);
  EXPECT_NE(notice->html.find("7ABC123"), std::string::npos);
  for (const char* h : {"What Happened", "What Information Was Involved", "What We Are Doing", "What You Can Do",
                        "For More Information"}) {
    EXPECT_NE(notice->text.find(h), std::string::npos) << h;
    EXPECT_NE(notice->html.find(h), std::string::npos) << h;
  }
  // The viewed read, and the two public-safety reads the search returned (one already listed).
  EXPECT_EQ(notice->touched.size(), 2u);
  EXPECT_EQ(this->LastLog().action, "produce_breach_notice");
  EXPECT_EQ(ProduceNotice(gov, pat.who, *id, "pat", {from, this->clock_.Now()}).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_TRUE(this->LastDenied());
}

// ---- Read corrections (policy 4.A.4, 5.E) ----

TYPED_TEST(ServicesTest, CorrectingAReadKeepsItsOriginalAndLogsBothPlates) {
  auto& gov = *this->gov_;
  this->CoordinatorGates();
  const int64_t id = this->read_ids_["cam-park"];
  auto fixed = CorrectRead(gov, this->coord_.who, id, "7abc-128", "audit AA-2026-06: the 3 is an 8", "AA-2026-06");
  ASSERT_TRUE(fixed.ok()) << fixed.status().ToString();
  EXPECT_EQ(fixed->plate, "7ABC128");
  LogEntry last = this->LastLog();
  EXPECT_EQ(last.action, "read_correction");
  EXPECT_EQ(last.outcome, kAllowed);
  EXPECT_EQ(last.username, "coord");
  EXPECT_EQ(last.purpose, "accuracy_audit");
  EXPECT_EQ(last.case_number, "AA-2026-06");
  EXPECT_NE(last.terms.find("\"old_plate\":\"7ABC123\""), std::string::npos) << last.terms;
  EXPECT_NE(last.terms.find("\"new_plate\":\"7ABC128\""), std::string::npos) << last.terms;
  // The original stays in the read's history; reading it is logged.
  auto history = ReadHistory(gov, this->coord_.who, id, "AA-2026-06");
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].old_plate, "7ABC123");
  EXPECT_EQ((*history)[0].new_plate, "7ABC128");
  EXPECT_EQ((*history)[0].corrected_by, "coord");
  EXPECT_EQ(this->LastLog().action, "read_history");
  // The corrected plate is what searches find.
  auto page = policy::SearchReads(gov, this->coord_.who, this->kWhy, {.match = store::PlateMatch::kExact, .plate = "7ABC128"});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->reads.size(), 1u);
  EXPECT_EQ(page->reads[0].id, id);

  // Refusals, each logged and leaving the read as it is: no case reference, an unknown
  // read, a bad plate, the plate it already holds, and a role without accuracy_audit.
  EXPECT_EQ(CorrectRead(gov, this->coord_.who, id, "7ABC129", "x", "").status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(this->LastDenied());
  EXPECT_EQ(CorrectRead(gov, this->coord_.who, 999'999, "7ABC129", "x", "AA-2026-06").status().code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(this->LastDenied());
  EXPECT_EQ(CorrectRead(gov, this->coord_.who, id, "--", "x", "AA-2026-06").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(this->LastDenied());
  EXPECT_EQ(CorrectRead(gov, this->coord_.who, id, "7ABC128", "x", "AA-2026-06").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(this->LastDenied());
  auto pat = this->MakeUser("pat", Role::kPatrol);
  EXPECT_EQ(CorrectRead(gov, pat.who, this->read_ids_["cam-ps"], "7ABC129", "x", "AA-2026-06").status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_TRUE(this->LastDenied());
  EXPECT_EQ(this->LastLog().username, "pat");
  auto read = this->store_->GetRead(id);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->plate, "7ABC128");
  EXPECT_EQ(this->store_->GetRead(this->read_ids_["cam-ps"])->plate, "7ABC123");
  history = this->store_->ReadHistory(id);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 1u);
}

}  // namespace
}  // namespace custodian::policy
