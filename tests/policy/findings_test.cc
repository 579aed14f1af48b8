// Issue 23: the findings of the independent review, each as the attacker or auditor met
// it, on both backends. Each test failed on the code before its fix (bf84ecc).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include <nlohmann/json.hpp>

#include "custodian/policy/governed_ops.h"
#include "custodian/policy/sharing.h"
#include "policy/governance_fixture.h"

namespace custodian::policy {
namespace {

using testing::GovernanceBackends;
using testing::GovernanceFixture;
using testing::Person;
using json = nlohmann::json;

template <typename Backend>
class FindingsTest : public GovernanceFixture<Backend> {
 protected:
  Status Exec(const std::string& sql) { return Backend::Exec(this->url_, sql); }
  int64_t Count(const LogFilter& f) { return int64_t(this->LogWhere(f).size()); }
  store::SearchQuery Plate() { return {.plate = "7ABC123"}; }
  // Records the partner's attestation on every grant not yet attested.
  void AttestAll() {
    auto grants = ListGrants(*this->gov_, this->coord_.who, false);
    ASSERT_TRUE(grants.ok()) << grants.status().ToString();
    for (const auto& g : *grants) {
      if (g.attested_on) continue;
      Status st = AttestSharing(*this->gov_, this->coord_.who, g.id,
                                {.signatory = "Sheriff Dana Ortiz", .signed_on = this->clock_.Now()});
      ASSERT_TRUE(st.ok()) << st.ToString();
    }
  }
  std::set<std::string> CamerasOf(const store::SearchPage& page) {
    std::set<std::string> out;
    for (const auto& r : page.reads) out.insert(r.camera_id);
    return out;
  }
};

TYPED_TEST_SUITE(FindingsTest, GovernanceBackends);

// ---- Finding 3: a partner agency got the union of its grants ----

TYPED_TEST(FindingsTest, GrantsDoNotAddUpAcrossClassAndCamera) {
  auto& gov = *this->gov_;
  Person deputy = this->Partner();
  const TimePoint until = this->clock_.Now() + std::chrono::days(30);
  // Grant A: public safety, camera cam-ps only. Grant B: non-public safety, every camera.
  auto a = GrantSharing(gov, this->coord_.who,
                        {.agency_code = "COUNTYSO", .data_classes = {store::DataClass::kPublicSafety},
                         .camera_ids = {"cam-ps"}, .expires = until});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto b = GrantSharing(gov, this->coord_.who,
                        {.agency_code = "COUNTYSO", .data_classes = {store::DataClass::kNonPublicSafety}, .expires = until});
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  this->AttestAll();
  // Public safety from cam-ps (grant A) and non-public safety from cam-park (grant B); not
  // public safety from cam-ps2, which A does not name and B does not share.
  auto page = policy::SearchReads(gov, deputy.who, this->kWhy, this->Plate());
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(this->CamerasOf(*page), (std::set<std::string>{"cam-ps", "cam-park"}));
  // Naming the class or the camera does not widen it.
  auto named = policy::SearchReads(gov, deputy.who, this->kWhy,
                               {.plate = "7ABC123", .data_class = store::DataClass::kPublicSafety});
  ASSERT_TRUE(named.ok()) << named.status().ToString();
  EXPECT_EQ(this->CamerasOf(*named), std::set<std::string>{"cam-ps"});
  // Read by id and image: cam-ps2 is public safety, covered by no single grant.
  const int64_t other = this->read_ids_["cam-ps2"];
  EXPECT_EQ(policy::GetRead(gov, deputy.who, this->kWhy, other).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(policy::GetReadImage(gov, deputy.who, this->kWhy, other, false).status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(policy::GetRead(gov, deputy.who, this->kWhy, this->read_ids_["cam-ps"]).ok());
}

// ---- Finding 4: nothing limited sharing to California public agencies ----

TYPED_TEST(FindingsTest, SharingIsOnlyWithCaliforniaPublicNonFederalAgencies) {
  auto& gov = *this->gov_;
  const TimePoint until = this->clock_.Now() + std::chrono::days(30);
  ASSERT_TRUE(PutAgency(gov, this->coord_.who, {.code = "FEDTF", .name = "Federal Task Force", .state = "CA",
                                                .kind = "federal"}).ok());
  ASSERT_TRUE(PutAgency(gov, this->coord_.who, {.code = "RENOPD", .name = "Reno Police", .state = "NV",
                                                .kind = "local"}).ok());
  EXPECT_FALSE(PutAgency(gov, this->coord_.who, {.code = "NOKIND", .name = "No kind"}).ok())
      << "an agency without its state and kind was recorded";
  for (const char* code : {"FEDTF", "RENOPD"}) {
    const int64_t before = this->LastLog().seq;
    auto g = GrantSharing(gov, this->coord_.who,
                          {.agency_code = code, .data_classes = {store::DataClass::kPublicSafety}, .expires = until});
    EXPECT_EQ(g.status().code(), StatusCode::kPermissionDenied) << code;
    auto entries = this->LogWhere({.action = "grant_sharing", .outcome = "denied", .after_seq = before});
    EXPECT_EQ(entries.size(), 1u) << code << ": the refusal is logged";
    // No partner account either.
    auto u = gov.CreateUser(this->coord_.who, {.username = std::string("p_") + (code[0] == 'F' ? "fed" : "reno"),
                                               .full_name = "Partner", .agency_code = code,
                                               .role = Role::kPartnerAgency, .supervisor = "coord",
                                               .access_expires = until});
    EXPECT_FALSE(u.ok()) << code;
  }
  // A California county agency: the grant is made, but in force only after the attestation.
  Person deputy = this->Partner();
  auto g = GrantSharing(gov, this->coord_.who,
                        {.agency_code = "COUNTYSO", .data_classes = {store::DataClass::kPublicSafety}, .expires = until});
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(policy::SearchReads(gov, deputy.who, this->kWhy, this->Plate()).status().code(), StatusCode::kPermissionDenied)
      << "the grant was in force before the partner's attestation";
  // An attestation that leaves out a commitment is refused.
  EXPECT_FALSE(AttestSharing(gov, this->coord_.who, *g,
                             {.signatory = "Sheriff", .signed_on = this->clock_.Now(),
                              .text = "We will use the data only for law enforcement purposes and keep it secure."})
                   .ok());
  ASSERT_TRUE(AttestSharing(gov, this->coord_.who, *g, {.signatory = "Sheriff Dana Ortiz", .signed_on = this->clock_.Now()})
                  .ok());
  EXPECT_TRUE(policy::SearchReads(gov, deputy.who, this->kWhy, this->Plate()).ok());
  // Recording the agency as federal later stops the grant at once.
  ASSERT_TRUE(PutAgency(gov, this->coord_.who, {.code = "COUNTYSO", .name = "County Sheriff", .state = "CA",
                                                .kind = "federal"}).ok());
  EXPECT_EQ(policy::SearchReads(gov, deputy.who, this->kWhy, this->Plate()).status().code(), StatusCode::kPermissionDenied);
}

// ---- Finding 5: narrowing followed the role, not the agency ----

TYPED_TEST(FindingsTest, AnOutsideAgencyUserIsNarrowedByItsGrantsWhateverTheRole) {
  auto& gov = *this->gov_;
  // Outside agencies may hold only the partner role.
  auto made = gov.CreateUser(this->coord_.who, {.username = "outsider", .full_name = "Out Sider",
                                                .agency_code = "COUNTYSO", .role = Role::kPatrol, .supervisor = "coord"});
  EXPECT_EQ(made.status().code(), StatusCode::kInvalidArgument) << "a patrol account for another agency was created";
  // An account from before the rule (or edited in the database) is still narrowed.
  Person deputy = this->Partner();
  ASSERT_TRUE(this->Exec("UPDATE users SET role = 'investigator' WHERE username = 'deputy'").ok());
  auto again = this->LogOn(deputy);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  auto none = policy::SearchReads(gov, again->principal, this->kWhy, this->Plate());
  EXPECT_EQ(none.status().code(), StatusCode::kPermissionDenied) << "searched with no grant in force";
  // With a grant, narrowed to it; revoking it stops them.
  auto g = GrantSharing(gov, this->coord_.who, {.agency_code = "COUNTYSO", .data_classes = {store::DataClass::kPublicSafety},
                                                .camera_ids = {"cam-ps"}, .expires = this->clock_.Now() + std::chrono::days(9)});
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  this->AttestAll();
  auto page = policy::SearchReads(gov, again->principal, this->kWhy, this->Plate());
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(this->CamerasOf(*page), std::set<std::string>{"cam-ps"});
  ASSERT_TRUE(RevokeSharing(gov, this->coord_.who, *g).ok());
  EXPECT_FALSE(policy::SearchReads(gov, again->principal, this->kWhy, this->Plate()).ok());
  // Setting another role on a partner user is refused.
  EXPECT_FALSE(gov.SetRole(this->coord_.who, "deputy", Role::kInvestigator).ok());
}

// ---- Finding 10: a password change left other sessions alive ----

TYPED_TEST(FindingsTest, APasswordChangeEndsTheOtherSessions) {
  auto& gov = *this->gov_;
  Person pat = this->MakeUser("pat", Role::kPatrol);
  auto other = this->LogOn(pat);  // a second browser
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(gov.ChangePassword(pat.who, pat.password, "a brand new passphrase for pat").ok());
  EXPECT_FALSE(gov.Authenticate(other->token, "10.0.0.8").ok()) << "the other session survived the change";
  EXPECT_TRUE(gov.Authenticate(pat.token, "10.0.0.7").ok()) << "the session that changed it is ended too";
}

TYPED_TEST(FindingsTest, WrongCurrentPasswordsCountTowardTheLockout) {
  auto& gov = *this->gov_;
  Person pat = this->MakeUser("pat", Role::kPatrol);
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(gov.ChangePassword(pat.who, "guess number " + std::to_string(i), "a brand new passphrase").ok());
  }
  auto info = gov.GetUser(this->coord_.who, "pat");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->state, UserState::kLocked);
  EXPECT_FALSE(this->LogOn(pat).ok());
}

// ---- Finding 8: logon races and enumeration ----

TYPED_TEST(FindingsTest, ALockedAccountGetsTheSameAnswerAsAWrongPassword) {
  auto& gov = *this->gov_;
  Person pat = this->MakeUser("pat", Role::kPatrol);
  auto wrong = gov.Logon({.username = "pat", .password = "wrong", .totp_code = "000000", .notice_accepted = true});
  auto unknown = gov.Logon({.username = "nobody", .password = "wrong", .totp_code = "000000", .notice_accepted = true});
  for (int i = 0; i < 5; ++i) (void)gov.Logon({.username = "pat", .password = "wrong", .notice_accepted = true});
  auto locked = this->LogOn(pat);  // the right password and code, on a locked account
  ASSERT_FALSE(locked.ok());
  EXPECT_EQ(wrong.status().message(), unknown.status().message());
  EXPECT_EQ(locked.status().message(), wrong.status().message());
  // An expired account too.
  UserSpec spec{.access_expires = this->clock_.Now() + std::chrono::hours(1)};
  Person temp = this->MakeUser("temp", Role::kPatrol, true, &spec);
  this->clock_.Advance(std::chrono::hours(2));
  auto expired = this->LogOn(temp);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.status().message(), wrong.status().message());
}

TYPED_TEST(FindingsTest, ParallelGuessesAreCheckedAtMostFiveTimes) {
  auto& gov = *this->gov_;
  Person pat = this->MakeUser("pat", Role::kPatrol);
  const int64_t before = this->LastLog().seq;
  std::vector<std::thread> threads;
  std::atomic<int> go{0};
  for (int i = 0; i < 12; ++i) {
    threads.emplace_back([&, i] {
      while (go.load() == 0) std::this_thread::yield();
      (void)gov.Logon({.username = "pat", .password = "guess " + std::to_string(i), .totp_code = "000000",
                       .notice_accepted = true, .source = "10.9.9.9"});
    });
  }
  go = 1;
  for (auto& t : threads) t.join();
  int64_t checked = 0;
  for (const auto& e : this->LogWhere({.action = "logon", .after_seq = before, .limit = 1000})) {
    if (e.detail == "wrong password") ++checked;
  }
  EXPECT_LE(checked, 5) << "guesses checked after the lockout threshold";
  EXPECT_FALSE(this->LogOn(pat).ok());
  // Twelve logons at once never ran more Argon2id hashes at once than the cap.
  EXPECT_LE(PasswordHashPeak(), PasswordHashLimit());
}

TYPED_TEST(FindingsTest, OneCodeOpensOneSessionEvenInParallel) {
  auto& gov = *this->gov_;
  Person pat = this->MakeUser("pat", Role::kPatrol);
  const std::string code = this->Code(pat.totp_secret);
  std::vector<std::thread> threads;
  std::atomic<int> go{0}, ok{0};
  // Four at once (below the lockout's five: each attempt counts until one succeeds).
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      while (go.load() == 0) std::this_thread::yield();
      auto r = gov.Logon({.username = "pat", .password = pat.password, .totp_code = code, .notice_accepted = true});
      if (r.ok()) ++ok;
    });
  }
  go = 1;
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
}

// ---- Finding 6: alerts skipped the plate-data gates ----

TYPED_TEST(FindingsTest, AlertsNeedThePlateDataGates) {
  auto& gov = *this->gov_;
  ASSERT_TRUE(this->store_->PutHotlist({.name = "stolen", .agency_code = "CITYPD"}).ok());
  std::vector<store::HotlistEntryInput> entries{{"8HOT777", "", "stolen", std::nullopt}};
  ASSERT_TRUE(this->store_->ImportHotlistEntries({.list = "stolen", .entries = entries}).ok());
  ASSERT_TRUE(this->store_->IngestOne({.event_id = "hot", .camera_id = "cam-ps", .captured_at = this->clock_.Now(),
                                       .plate = "8HOT777", .confidence = 0.9f}).ok());
  Person fresh = this->MakeUser("fresh", Role::kPatrol, /*gates=*/false);
  auto listed = ListAlerts(gov, fresh.who, {.unreviewed_only = true});
  EXPECT_EQ(listed.status().code(), StatusCode::kPermissionDenied) << "alerts listed without the acknowledgment";
  // A user who passed the gates sees it, and the entry names the alert and its plate.
  Person pat = this->MakeUser("pat", Role::kPatrol);
  auto seen = ListAlerts(gov, pat.who, {.unreviewed_only = true});
  ASSERT_TRUE(seen.ok()) << seen.status().ToString();
  ASSERT_EQ(seen->size(), 1u);
  LogEntry e = this->LastLog();
  EXPECT_EQ(e.action, "list_alerts");
  EXPECT_NE(e.terms.find("8HOT777"), std::string::npos) << e.terms;
  EXPECT_EQ(e.purpose, "hotlist_alert");
}

TYPED_TEST(FindingsTest, AConfirmNeedsTheReviewersImageViewInTheLog) {
  auto& gov = *this->gov_;
  ASSERT_TRUE(this->store_->PutHotlist({.name = "stolen", .agency_code = "CITYPD"}).ok());
  std::vector<store::HotlistEntryInput> entries{{"8HOT777", "", "stolen", std::nullopt}};
  ASSERT_TRUE(this->store_->ImportHotlistEntries({.list = "stolen", .entries = entries}).ok());
  auto read = this->store_->IngestOne({.event_id = "hot", .camera_id = "cam-ps", .captured_at = this->clock_.Now(),
                                       .plate = "8HOT777", .confidence = 0.9f, .plate_crop = {0xFF, 0xD8, 0xFF, 0xE0, 9}});
  ASSERT_TRUE(read.ok());
  Person pat = this->MakeUser("pat", Role::kPatrol);
  auto alerts = ListAlerts(gov, pat.who, {.unreviewed_only = true});
  ASSERT_TRUE(alerts.ok());
  ASSERT_EQ(alerts->size(), 1u);
  const int64_t id = (*alerts)[0].id;
  ASSERT_TRUE(AcknowledgeAlert(gov, pat.who, id).ok());
  // The client says it checked the image; the log says it never viewed it.
  auto claimed = ConfirmAlert(gov, pat.who, id, /*image_checked=*/true, "stopped the vehicle");
  EXPECT_FALSE(claimed.ok()) << "confirmed without viewing the image";
  // Someone else's view, or the reviewer's own refused attempt, does not count.
  Person other = this->MakeUser("other", Role::kPatrol);
  ASSERT_TRUE(policy::GetReadImage(gov, other.who, {"hotlist_alert", "ALERT-" + std::to_string(id)}, read->read_id, false).ok());
  EXPECT_FALSE(policy::GetReadImage(gov, pat.who, {"hotlist_alert", ""}, read->read_id, false).ok());
  EXPECT_FALSE(ConfirmAlert(gov, pat.who, id, /*image_checked=*/true, "stopped the vehicle").ok())
      << "another user's view, or a refused one, counted as the reviewer's";
  ASSERT_TRUE(policy::GetReadImage(gov, pat.who, {"hotlist_alert", "ALERT-" + std::to_string(id)}, read->read_id, false).ok());
  auto confirmed = ConfirmAlert(gov, pat.who, id, /*image_checked=*/true, "stopped the vehicle");
  EXPECT_TRUE(confirmed.ok()) << confirmed.status().ToString();
}

TYPED_TEST(FindingsTest, TheAlertClassFilterRunsBeforeThePageLimit) {
  auto& gov = *this->gov_;
  ASSERT_TRUE(this->store_->PutHotlist({.name = "stolen", .agency_code = "CITYPD"}).ok());
  std::vector<store::HotlistEntryInput> entries{{"8HOT777", "", "stolen", std::nullopt}};
  ASSERT_TRUE(this->store_->ImportHotlistEntries({.list = "stolen", .entries = entries}).ok());
  // 100 unreviewed parking alerts, then one public-safety alert.
  std::vector<store::ReadInput> batch;
  for (int i = 0; i < 100; ++i) {
    batch.push_back({.event_id = "p" + std::to_string(i), .camera_id = "cam-park",
                     .captured_at = this->clock_.Now() + std::chrono::seconds(i), .plate = "8HOT777", .confidence = 0.9f});
  }
  ASSERT_TRUE(this->store_->Ingest(batch).ok());
  ASSERT_TRUE(this->store_->IngestOne({.event_id = "ps", .camera_id = "cam-ps", .captured_at = this->clock_.Now(),
                                       .plate = "8HOT777", .confidence = 0.9f}).ok());
  Person pat = this->MakeUser("pat", Role::kPatrol);  // public safety only
  auto seen = ListAlerts(gov, pat.who, {.unreviewed_only = true});
  ASSERT_TRUE(seen.ok()) << seen.status().ToString();
  EXPECT_EQ(seen->size(), 1u) << "the new public-safety alert is hidden behind 100 parking alerts";
}

// ---- Finding 12: holds were listed to every role and released by anyone ----

TYPED_TEST(FindingsTest, HoldsFollowTheirClassesAndTheirOwner) {
  auto& gov = *this->gov_;
  this->CoordinatorGates();
  Person inv = this->MakeUser("inv", Role::kInvestigator);
  Person inv2 = this->MakeUser("inv2", Role::kInvestigator);
  auto hold = PlaceHold(gov, inv.who, "criminal_investigation",
                        {.case_number = "26-CR-0117", .reason = "hit and run", .read_ids = {this->read_ids_["cam-ps"]}});
  ASSERT_TRUE(hold.ok()) << hold.status().ToString();
  Person park = this->MakeUser("park", Role::kParkingEnforcement);
  auto seen = ListHolds(gov, park.who, false);
  if (seen.ok()) {
    for (const auto& h : *seen) EXPECT_NE(h.case_number, "26-CR-0117") << "a parking user sees a criminal case's hold";
  }
  EXPECT_FALSE(ReleaseHold(gov, inv2.who, "legal_hold", hold->id).ok()) << "another investigator released the hold";
  EXPECT_TRUE(ReleaseHold(gov, inv.who, "legal_hold", hold->id).ok());
}

// ---- Finding 11: workflow purposes were accepted on any search ----

TYPED_TEST(FindingsTest, WorkflowPurposesAreReservedForTheirWorkflows) {
  auto& gov = *this->gov_;
  Person inv = this->MakeUser("inv", Role::kInvestigator);
  for (const char* purpose : {"records_request", "accuracy_audit", "legal_hold"}) {
    auto page = policy::SearchReads(gov, inv.who, {purpose, "RR-999"}, this->Plate());
    EXPECT_EQ(page.status().code(), StatusCode::kPermissionDenied) << purpose << " accepted on a plain search";
  }
}

// ---- Finding 14: two people approve an acknowledgment ----

TYPED_TEST(FindingsTest, TheCoordinatorCannotGiveBothApprovalsWhereASecondApproverExists) {
  auto& gov = *this->gov_;
  Person pat = this->MakeUser("pat", Role::kPatrol, /*gates=*/false);
  ASSERT_TRUE(gov.SignAcknowledgment(pat.who, {{true, true, true, true}, pat.full_name}).ok());
  ASSERT_TRUE(gov.ApproveAcknowledgment(this->coord_.who, "pat", Approval::kSupervisor).ok());
  // Alone, the coordinator gives both (there is no one else).
  Person pat2 = this->MakeUser("pat2", Role::kPatrol, /*gates=*/false);
  ASSERT_TRUE(gov.SignAcknowledgment(pat2.who, {{true, true, true, true}, pat2.full_name}).ok());
  ASSERT_TRUE(gov.ApproveAcknowledgment(this->coord_.who, "pat2", Approval::kSupervisor).ok());
  ASSERT_TRUE(gov.ApproveAcknowledgment(this->coord_.who, "pat2", Approval::kCoordinator).ok());
  // With a second coordinator, the second approval of pat's is theirs.
  Person second = this->MakeUser("coord2", Role::kCoordinator, /*gates=*/false);
  auto both = gov.ApproveAcknowledgment(this->coord_.who, "pat", Approval::kCoordinator);
  EXPECT_EQ(both.code(), StatusCode::kPermissionDenied) << "one person gave both approvals";
  EXPECT_EQ(this->LastLog().outcome, "denied");
  EXPECT_TRUE(gov.ApproveAcknowledgment(second.who, "pat", Approval::kCoordinator).ok());
}

// ---- Finding 14: reserved names ----

TYPED_TEST(FindingsTest, ReservedNamesCannotBeUserNames) {
  for (const char* name : {"system", "root", "admin", "unknown"}) {
    auto made = this->gov_->CreateUser(this->coord_.who, {.username = name, .full_name = "Someone",
                                                          .agency_code = "CITYPD", .role = Role::kPatrol});
    EXPECT_EQ(made.status().code(), StatusCode::kInvalidArgument) << name;
  }
}

// The access log's term filter (QueryAccessLog, `strpos` on both backends: PostgreSQL's own,
// SQLite's added by the store's driver) matches the text literally: a LIKE wildcard in the
// term matches only itself, never every entry, and the filter finds the searched plate.
TYPED_TEST(FindingsTest, TheLogsTermFilterMatchesTextLiterally) {
  auto& gov = *this->gov_;
  // Allowed or refused, each search is logged with its terms.
  (void)policy::SearchReads(gov, this->coord_.who, this->kWhy, {.plate = "7ABC123"});
  (void)policy::SearchReads(gov, this->coord_.who, this->kWhy, {.plate = "8XYZ999"});
  EXPECT_GE(this->Count({.term = "8XYZ999", .limit = 1000}), 1);
  EXPECT_GE(this->Count({.term = "7ABC123", .limit = 1000}), 1);
  for (const auto& e : this->LogWhere({.term = "7ABC123", .limit = 1000})) {
    EXPECT_NE(e.terms.find("7ABC123"), std::string::npos) << e.terms;
  }
  EXPECT_EQ(this->Count({.term = "%", .limit = 1000}), 0);
  EXPECT_EQ(this->Count({.term = "7ABC%", .limit = 1000}), 0);
  EXPECT_EQ(this->Count({.term = "7abc123", .limit = 1000}), 0);  // case matters on both
}

}  // namespace
}  // namespace custodian::policy
