// The misuse suite (the access-governance issue's bar): each way of misusing the system
// is refused or flagged, and each leaves its entry in the access log. Both backends, real
// accounts made the way people make them, an injected clock.
#include <gtest/gtest.h>

#include <set>

#include "custodian/policy/governed_ops.h"
#include "custodian/policy/reports.h"
#include "custodian/policy/sharing.h"
#include "policy/governance_fixture.h"

namespace custodian::policy {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using testing::GovernanceBackends;
using testing::GovernanceFixture;
using testing::kStart;
using testing::Person;

template <typename Backend>
class MisuseTest : public GovernanceFixture<Backend> {
 protected:
  store::SearchQuery Plate(const std::string& plate = "7ABC123") {
    return {.match = store::PlateMatch::kExact, .plate = plate};
  }

  // The newest log entry with this action (and user, when given).
  LogEntry Last(const std::string& action, const std::string& username = "") {
    LogEntry found;
    int64_t after = 0;
    for (;;) {
      auto page = this->LogWhere({.username = username, .action = action, .after_seq = after, .limit = 1000});
      if (page.empty()) break;
      after = page.back().seq;
      found = page.back();
    }
    return found;
  }

  // The newest entry of `action` is `username`'s, refused, and says why (`because`).
  void ExpectDeniedEntry(const std::string& action, const std::string& username, const std::string& because) {
    LogEntry e = Last(action);
    EXPECT_EQ(e.username, username) << action;
    EXPECT_EQ(e.outcome, kDenied) << action;
    EXPECT_NE(e.detail.find(because), std::string::npos) << action << ": " << e.detail;
  }

  std::vector<MisuseFlag> Flags(FlagKind kind) { return this->FlagsOf(this->coord_.who, kind); }

  // Every entry of `username`, by sequence number.
  std::map<int64_t, LogEntry> EntriesOf(const std::string& username) {
    std::map<int64_t, LogEntry> out;
    int64_t after = 0;
    for (;;) {
      auto page = this->LogWhere({.username = username, .after_seq = after, .limit = 1000});
      if (page.empty()) break;
      after = page.back().seq;
      for (auto& e : page) out[e.seq] = e;
    }
    return out;
  }
};

TYPED_TEST_SUITE(MisuseTest, GovernanceBackends);

TYPED_TEST(MisuseTest, StalkingOnePlateRepeatedlyWithoutACaseIsFlagged) {
  auto& gov = *this->gov_;
  Person pat = this->MakeUser("pat", Role::kPatrol);
  // One user, one plate, again and again; the last try has no case and is refused.
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(policy::SearchReads(gov, pat.who, this->kWhy, this->Plate()).ok());
    this->clock_.Advance(minutes(10));
  }
  auto no_case = policy::SearchReads(gov, pat.who, {"stolen_vehicle", ""}, this->Plate());
  EXPECT_EQ(no_case.status().code(), StatusCode::kInvalidArgument);
  this->ExpectDeniedEntry("search_reads", "pat", "case");

  auto entries = this->EntriesOf("pat");
  auto repeated = this->Flags(FlagKind::kRepeatedPlate);
  ASSERT_EQ(repeated.size(), 1u);
  EXPECT_EQ(repeated[0].username, "pat");
  ASSERT_EQ(repeated[0].seqs.size(), 4u);  // three allowed, one denied
  int denied = 0;
  for (int64_t seq : repeated[0].seqs) {
    ASSERT_TRUE(entries.count(seq)) << "flag points at no entry of pat's: " << seq;
    const LogEntry& e = entries[seq];
    EXPECT_EQ(e.action, "search_reads");
    EXPECT_NE(e.terms.find("7ABC123"), std::string::npos) << e.terms;
    denied += e.outcome == kDenied;
  }
  EXPECT_EQ(denied, 1);
  auto flagged_no_case = this->Flags(FlagKind::kNoCase);
  ASSERT_EQ(flagged_no_case.size(), 1u);
  EXPECT_EQ(flagged_no_case[0].username, "pat");
  ASSERT_EQ(flagged_no_case[0].seqs.size(), 1u);
  ASSERT_TRUE(entries.count(flagged_no_case[0].seqs[0]));
  EXPECT_EQ(entries[flagged_no_case[0].seqs[0]].outcome, kDenied);
  EXPECT_TRUE(entries[flagged_no_case[0].seqs[0]].case_number.empty());
  // Reading the flags is itself logged.
  EXPECT_EQ(this->LastLog().action, "misuse_flags");
}

TYPED_TEST(MisuseTest, AForbiddenPurposeIsRefusedAndFlagged) {
  auto& gov = *this->gov_;
  Person pat = this->MakeUser("pat", Role::kPatrol);
  auto r = policy::SearchReads(gov, pat.who, {"immigration_enforcement", "26-CR-0117"}, this->Plate());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  this->ExpectDeniedEntry("search_reads", "pat", "forbidden");
  EXPECT_EQ(this->Last("search_reads").purpose, "immigration_enforcement");
  auto flags = this->Flags(FlagKind::kForbiddenPurpose);
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].username, "pat");
  ASSERT_EQ(flags[0].seqs.size(), 1u);
  EXPECT_EQ(flags[0].seqs[0], this->Last("search_reads", "pat").seq);
}

TYPED_TEST(MisuseTest, ASearchWithoutACaseIsRefused) {
  auto& gov = *this->gov_;
  Person pat = this->MakeUser("pat", Role::kPatrol);
  for (const std::string case_number : {"", "none"}) {
    auto r = policy::SearchReads(gov, pat.who, {"stolen_vehicle", case_number}, this->Plate());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << case_number;
    this->ExpectDeniedEntry("search_reads", "pat", "case");
    EXPECT_EQ(this->Last("search_reads").case_number, case_number);
  }
  EXPECT_EQ(this->Flags(FlagKind::kNoCase).size(), 1u);
}

TYPED_TEST(MisuseTest, ARevokedGrantIsRefused) {
  auto& gov = *this->gov_;
  Person deputy = this->Partner();
  auto grant = this->ShareCountyPublicSafety(this->clock_.Now() + days(30));
  ASSERT_TRUE(grant.ok()) << grant.status().ToString();
  ASSERT_TRUE(policy::SearchReads(gov, deputy.who, this->kWhy, this->Plate()).ok());
  ASSERT_TRUE(RevokeSharing(gov, this->coord_.who, *grant).ok());
  auto r = policy::SearchReads(gov, deputy.who, this->kWhy, this->Plate());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  LogEntry e = this->Last("search_reads");
  EXPECT_EQ(e.username, "deputy");
  EXPECT_EQ(e.outcome, kDenied);
  EXPECT_EQ(e.agency_code, "COUNTYSO");
}

TYPED_TEST(MisuseTest, AnExpiredGrantIsRefused) {
  auto& gov = *this->gov_;
  Person deputy = this->Partner();
  auto grant = this->ShareCountyPublicSafety(this->clock_.Now() + hours(2));
  ASSERT_TRUE(grant.ok()) << grant.status().ToString();
  ASSERT_TRUE(policy::SearchReads(gov, deputy.who, this->kWhy, this->Plate()).ok());
  this->clock_.Advance(hours(3));
  auto logon = this->LogOn(deputy);  // the earlier session has idled out
  ASSERT_TRUE(logon.ok()) << logon.status().ToString();
  auto r = policy::SearchReads(gov, logon->principal, this->kWhy, this->Plate());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  LogEntry e = this->Last("search_reads");
  EXPECT_EQ(e.username, "deputy");
  EXPECT_EQ(e.outcome, kDenied);
}

TYPED_TEST(MisuseTest, LapsedTrainingIsRefusedAndFlagged) {
  auto& gov = *this->gov_;
  Person pat = this->MakeUser("pat", Role::kPatrol, /*gates=*/false);
  ASSERT_TRUE(gov.SignAcknowledgment(pat.who, {{true, true, true, true}, pat.full_name}).ok());
  ASSERT_TRUE(gov.ApproveAcknowledgment(this->coord_.who, "pat", Approval::kSupervisor).ok());
  ASSERT_TRUE(gov.ApproveAcknowledgment(this->coord_.who, "pat", Approval::kCoordinator).ok());
  // Trained, but more than a year ago.
  ASSERT_TRUE(gov.RecordTraining(this->coord_.who, "pat", "ALPR user training", this->clock_.Now() - days(366)).ok());
  auto r = policy::SearchReads(gov, pat.who, this->kWhy, this->Plate());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  this->ExpectDeniedEntry("search_reads", "pat", "training");
  auto flags = this->Flags(FlagKind::kTraining);
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].username, "pat");
}

TYPED_TEST(MisuseTest, AnUnsignedAcknowledgmentIsRefused) {
  auto& gov = *this->gov_;
  Person pat = this->MakeUser("pat", Role::kPatrol, /*gates=*/false);
  ASSERT_TRUE(gov.RecordTraining(this->coord_.who, "pat", "ALPR user training", this->clock_.Now()).ok());
  auto r = policy::SearchReads(gov, pat.who, this->kWhy, this->Plate());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  this->ExpectDeniedEntry("search_reads", "pat", "acknowledgment");
}

TYPED_TEST(MisuseTest, ALockedAccountIsRefusedEvenWithTheRightPassword) {
  auto& gov = *this->gov_;
  Person pat = this->MakeUser("pat", Role::kPatrol);
  for (int i = 0; i < 5; ++i) {
    auto r = gov.Logon({.username = "pat", .password = "guess " + std::to_string(i), .totp_code = "000000",
                        .notice_accepted = true, .source = "10.9.9.9"});
    ASSERT_EQ(r.status().code(), StatusCode::kUnauthenticated);
    this->clock_.Advance(minutes(1));
  }
  LogEntry lock = this->Last("lockout");
  EXPECT_EQ(lock.username, "pat");
  auto r = this->LogOn(pat);
  EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated);
  this->ExpectDeniedEntry("logon", "pat", "locked");
  // Its live session ended with the lock.
  EXPECT_EQ(gov.Authenticate(pat.token, "10.0.0.7").status().code(), StatusCode::kUnauthenticated);
}

TYPED_TEST(MisuseTest, AVendorAfterExpiryIsRefused) {
  Person vend = this->MakeUser("vend", Role::kVendorSupport);  // access for 30 days
  this->clock_.Advance(days(31));
  auto r = this->LogOn(vend);
  EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated);
  this->ExpectDeniedEntry("logon", "vend", "expired");
}

TYPED_TEST(MisuseTest, AReusedTotpCodeIsRefused) {
  auto& gov = *this->gov_;
  Person pat = this->MakeUser("pat", Role::kPatrol);
  const std::string code = this->Code(pat.totp_secret);
  LogonRequest req{.username = "pat", .password = pat.password, .totp_code = code, .notice_accepted = true,
                   .source = "10.0.0.7"};
  ASSERT_TRUE(gov.Logon(req).ok());
  auto replay = gov.Logon(req);
  EXPECT_EQ(replay.status().code(), StatusCode::kUnauthenticated);
  this->ExpectDeniedEntry("logon", "pat", "already used");
}

TYPED_TEST(MisuseTest, APasswordFromTheBannedListIsRefused) {
  auto& gov = *this->gov_;
  Person pat = this->MakeUser("pat", Role::kPatrol);
  Status st = gov.ChangePassword(pat.who, pat.password, "password1");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message().find("password1"), std::string::npos) << "a refusal never echoes the password";
  LogEntry e = this->Last("change_password");
  EXPECT_EQ(e.username, "pat");
  EXPECT_EQ(e.outcome, kDenied);
  EXPECT_EQ(e.terms.find("password1"), std::string::npos) << "the log never holds the password";
  EXPECT_EQ(e.detail.find("password1"), std::string::npos);
  // The old password still works.
  EXPECT_TRUE(this->LogOn(pat).ok());
}

}  // namespace
}  // namespace custodian::policy
