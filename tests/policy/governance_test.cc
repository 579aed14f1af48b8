// The governance layer on both backends: accounts and CJIS figures, gates, purposes,
// data classes, the access log and its tamper evidence, and the authorization matrix.
// Every test uses real accounts made the way people make them, and an injected clock.
#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/stat.h>

#include <fstream>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "custodian/policy/api_keys.h"
#include "custodian/policy/governed_ops.h"
#include "custodian/policy/reports.h"
#include "custodian/policy/sharing.h"
#include "custodian/store/evidence.h"
#include "policy/governance_fixture.h"

namespace custodian::policy {
namespace {

using testing::GovernanceBackends;
using testing::GovernanceFixture;
using testing::Person;
using testing::PostgresBackend;
using json = nlohmann::json;

template <typename Backend>
class GovernanceTest : public GovernanceFixture<Backend> {
 protected:
  // The newest log entry with this action.
  LogEntry Last(const std::string& action) {
    LogEntry found;
    int64_t after = 0;
    for (;;) {
      auto page = this->LogWhere({.action = action, .after_seq = after, .limit = 1000});
      if (page.empty()) break;
      after = page.back().seq;
      found = page.back();
    }
    return found;
  }
  int64_t CountLog(const std::string& action, const std::string& outcome, const std::string& username = "") {
    return int64_t(this->LogWhere({.username = username, .action = action, .outcome = outcome, .limit = 1000}).size());
  }
  static constexpr bool kPostgres = std::is_same_v<Backend, PostgresBackend>;
  // `sql` run on the database directly, as anyone with a connection may (the triggers of
  // the append-only migration still stand).
  Status Tamper(const std::string& sql) { return Backend::Exec(this->url_, sql); }
  // `sql` run as the database's owner attacking the log: the owner may drop the triggers
  // that refuse UPDATE and DELETE, so they go first.
  Status TamperAsOwner(const std::string& sql) {
    const std::string drop =
        kPostgres ? "DROP TRIGGER IF EXISTS access_log_append_only ON access_log; "
                    "DROP TRIGGER IF EXISTS access_log_checkpoints_append_only ON access_log_checkpoints; "
                  : "DROP TRIGGER IF EXISTS access_log_no_update; DROP TRIGGER IF EXISTS access_log_no_delete; "
                    "DROP TRIGGER IF EXISTS access_log_checkpoints_no_update; "
                    "DROP TRIGGER IF EXISTS access_log_checkpoints_no_delete; ";
    return Backend::Exec(this->url_, drop + sql);
  }
  // Every entry, oldest first.
  std::vector<LogEntry> AllLog() {
    std::vector<LogEntry> all;
    for (int64_t after = 0;;) {
      auto page = this->LogWhere({.after_seq = after, .limit = 1000});
      if (page.empty()) break;
      after = page.back().seq;
      all.insert(all.end(), page.begin(), page.end());
    }
    return all;
  }
  // Appends system entries until the newest is entry `seq`.
  void FillLogTo(int64_t seq) {
    const Principal sys = Governance::System("test fill");
    for (int64_t at = this->LastLog().seq; at < seq; ++at) {
      ASSERT_TRUE(this->gov_->Record(sys, this->gov_->Event(sys, "test_fill", kAllowed)).ok());
    }
    ASSERT_EQ(this->LastLog().seq, seq);
  }
  // The owner's rewrite: entry `seq` gets a new detail and every hash from it on is
  // recomputed (the hash is unkeyed), so the chain links again.
  void RewriteAndRehashFrom(int64_t seq) {
    std::vector<LogEntry> all = AllLog();
    ASSERT_GE(int64_t(all.size()), seq);
    std::string prev = all[size_t(seq - 1)].prev_hash;
    for (size_t i = size_t(seq - 1); i < all.size(); ++i) {
      LogEntry e = all[i];
      if (e.seq == seq) e.detail = "nothing to see";
      e.prev_hash = prev;
      e.hash = EntryHash(e.seq, e.prev_hash, e);
      prev = e.hash;
      ASSERT_TRUE(TamperAsOwner(std::string("UPDATE access_log SET ") +
                                (e.seq == seq ? "detail = 'nothing to see', " : "") + "prev_hash = '" + e.prev_hash +
                                "', hash = '" + e.hash + "' WHERE seq = " + std::to_string(e.seq))
                      .ok());
    }
  }
  Result<LogVerification> Verify() { return this->gov_->VerifyLog(Governance::System("verify")); }
  // Flags of `kind` for `user` over the last day, read by the coordinator.
  std::vector<MisuseFlag> Flags(FlagKind kind, const std::string& user, const MisuseOptions& options = {}) {
    auto flags = MisuseFlags(*this->gov_, this->coord_.who, this->clock_.Now() - std::chrono::days(1),
                             this->clock_.Now() + std::chrono::minutes(1), options);
    EXPECT_TRUE(flags.ok()) << flags.status().ToString();
    std::vector<MisuseFlag> out;
    if (!flags.ok()) return out;
    for (const auto& f : *flags) {
      if (f.kind == kind && f.username == user) out.push_back(f);
    }
    return out;
  }
};

TYPED_TEST_SUITE(GovernanceTest, GovernanceBackends);

// ---- Logon ----

TYPED_TEST(GovernanceTest, LogonNeedsTheSystemUseNotice) {
  Person p = this->MakeUser("pat", Role::kPatrol);
  auto r = this->gov_->Logon({.username = "pat", .password = p.password, .totp_code = this->Code(p.totp_secret),
                              .notice_accepted = false, .source = "10.1.1.1"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(r.status().message().find("system-use notice"), std::string::npos);
  LogEntry e = this->Last("logon");
  EXPECT_EQ(e.outcome, "denied");
  EXPECT_EQ(e.username, "pat");
  EXPECT_EQ(e.source, "10.1.1.1");
  EXPECT_NE(e.detail.find("notice"), std::string::npos);
}

TYPED_TEST(GovernanceTest, FiveFailedLogonsWithinFifteenMinutesLockUntilTheCoordinatorUnlocks) {
  Person p = this->MakeUser("pat", Role::kPatrol);
  for (int i = 0; i < 5; ++i) {
    auto r = this->gov_->Logon({.username = "pat", .password = "wrong password " + std::to_string(i),
                                .totp_code = "000000", .notice_accepted = true, .source = "10.1.1.1"});
    ASSERT_FALSE(r.ok());
    this->clock_.Advance(std::chrono::minutes(2));
  }
  EXPECT_EQ(this->CountLog("lockout", "allowed", "pat"), 1);
  // The right password no longer opens it, an hour later either.
  this->clock_.Advance(std::chrono::hours(1));
  auto r = this->LogOn(p);
  ASSERT_FALSE(r.ok());
  // The caller is told what every refused logon is told; the log says why.
  EXPECT_NE(r.status().message().find("logon refused"), std::string::npos);
  EXPECT_NE(this->Last("logon").detail.find("locked"), std::string::npos) << this->Last("logon").detail;
  // Live sessions of a locked account end too.
  EXPECT_FALSE(this->gov_->Authenticate(p.token, "10.1.1.1").ok());
  ASSERT_TRUE(this->gov_->Unlock(this->coord_.who, "pat").ok());
  EXPECT_TRUE(this->LogOn(p).ok());
  EXPECT_EQ(this->Last("unlock").username, "coord");
}

TYPED_TEST(GovernanceTest, FailuresSpreadBeyondTheWindowDoNotLock) {
  Person p = this->MakeUser("pat", Role::kPatrol);
  for (int i = 0; i < 8; ++i) {
    ASSERT_FALSE(this->gov_->Logon({.username = "pat", .password = "nope nope", .notice_accepted = true}).ok());
    this->clock_.Advance(std::chrono::minutes(4));  // at most 4 fall in any 15 minutes
  }
  EXPECT_EQ(this->CountLog("lockout", "allowed", "pat"), 0);
  EXPECT_TRUE(this->LogOn(p).ok());
}

TYPED_TEST(GovernanceTest, AOneTimeCodeIsAcceptedOnce) {
  Person p = this->MakeUser("pat", Role::kPatrol);
  const std::string code = this->Code(p.totp_secret);
  auto first = this->gov_->Logon({.username = "pat", .password = p.password, .totp_code = code, .notice_accepted = true});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto replay = this->gov_->Logon({.username = "pat", .password = p.password, .totp_code = code, .notice_accepted = true});
  ASSERT_FALSE(replay.ok());
  EXPECT_EQ(replay.status().code(), StatusCode::kUnauthenticated);
  LogEntry e = this->Last("logon");
  EXPECT_EQ(e.outcome, "denied");
  EXPECT_NE(e.detail.find("already used"), std::string::npos) << e.detail;
  // A wrong code is refused too, and counts toward the lockout.
  auto wrong = this->gov_->Logon({.username = "pat", .password = p.password, .totp_code = "12345", .notice_accepted = true});
  EXPECT_FALSE(wrong.ok());
}

TYPED_TEST(GovernanceTest, SessionsEndAfterThirtyMinutesIdleAndTwelveHoursInAll) {
  Person p = this->MakeUser("pat", Role::kPatrol);
  // Kept alive by use every 29 minutes, until 12 hours after logon.
  int minutes = 0;
  bool ended = false;
  for (int i = 0; i < 40 && !ended; ++i) {
    this->clock_.Advance(std::chrono::minutes(29));
    minutes += 29;
    auto who = this->gov_->Authenticate(p.token, "10.0.0.7");
    if (!who.ok()) {
      ended = true;
      EXPECT_NE(who.status().message().find("older than 12 hours"), std::string::npos) << who.status().ToString();
      EXPECT_GE(minutes, 12 * 60);
      EXPECT_LT(minutes, 12 * 60 + 29);
    }
  }
  EXPECT_TRUE(ended);
  Person q = this->MakeUser("dana", Role::kDispatch);
  this->clock_.Advance(std::chrono::minutes(31));
  auto idle = this->gov_->Authenticate(q.token, "10.0.0.7");
  ASSERT_FALSE(idle.ok());
  EXPECT_EQ(idle.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(idle.status().message().find("idle"), std::string::npos);
}

TYPED_TEST(GovernanceTest, PasswordsFromTheBannedListOrTooShortAreRefused) {
  auto made = this->gov_->CreateUser(this->coord_.who, {.username = "pat", .full_name = "Pat Patrol",
                                                        .agency_code = "CITYPD", .role = Role::kPatrol});
  ASSERT_TRUE(made.ok());
  Person p{"pat", "Pat Patrol", made->initial_password, {}, "", {}};
  auto first = this->LogOn(p);
  ASSERT_TRUE(first.ok());
  for (const char* bad : {"password1", "P@ssw0rd", "x7#q", "qwertyuiop"}) {
    Status st = this->gov_->ChangePassword(first->principal, p.password, bad);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(st.message().find(bad), std::string::npos) << "a refusal never echoes the password";
  }
  EXPECT_GE(this->CountLog("change_password", "denied", "pat"), 4);
  // A long passphrase of any printable characters is fine; no composition rules.
  EXPECT_TRUE(this->gov_->ChangePassword(first->principal, p.password, "the quick brown fox jumps over").ok());
}

TYPED_TEST(GovernanceTest, FirstLogonSessionMayOnlyEnrolAndChangePassword) {
  auto made = this->gov_->CreateUser(this->coord_.who, {.username = "pat", .full_name = "Pat Patrol",
                                                        .agency_code = "CITYPD", .role = Role::kPatrol});
  ASSERT_TRUE(made.ok());
  Person p{"pat", "Pat Patrol", made->initial_password, {}, "", {}};
  auto first = this->LogOn(p);
  ASSERT_TRUE(first.ok());
  auto r = policy::SearchReads(*this->gov_, first->principal, this->kWhy, {.plate = "7ABC123"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(this->Last("search_reads").outcome, "denied");
}

TYPED_TEST(GovernanceTest, PasswordChangeIsForcedYearlyAndWhenFlaggedCompromised) {
  Person p = this->MakeUser("pat", Role::kPatrol);
  // Keep the account active (logons) while a year passes.
  for (int i = 0; i < 5; ++i) {
    this->clock_.Advance(std::chrono::days(80));
    ASSERT_TRUE(this->LogOn(p).ok());
  }
  auto r = this->LogOn(p);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->principal.must_change_password);
  ASSERT_TRUE(this->gov_->ChangePassword(r->principal, p.password, "a whole new passphrase here").ok());
  p.password = "a whole new passphrase here";
  auto fresh = this->LogOn(p);
  ASSERT_TRUE(fresh.ok());
  EXPECT_FALSE(fresh->principal.must_change_password);
  ASSERT_TRUE(this->gov_->FlagCompromised(this->coord_.who, "pat").ok());
  EXPECT_FALSE(this->gov_->Authenticate(fresh->token, "x").ok()) << "flagging ends live sessions";
  auto after = this->LogOn(p);
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->principal.must_change_password);
}

TYPED_TEST(GovernanceTest, AccountsWithoutLogonForNinetyDaysAreDisabled) {
  Person p = this->MakeUser("pat", Role::kPatrol);
  Person q = this->MakeUser("dana", Role::kDispatch);
  this->clock_.Advance(std::chrono::days(89));
  ASSERT_TRUE(this->LogOn(q).ok());
  // The sweep, run as the system job, disables pat only.
  this->clock_.Advance(std::chrono::days(2));
  auto n = this->gov_->DisableInactiveAccounts(Governance::System("inactivity sweep"));
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 2);  // pat, and the coordinator, who last logged on at setup 91 days ago
  auto users = this->gov_->ListUsers(Governance::System("check"));
  ASSERT_TRUE(users.ok()) << users.status().ToString();
  for (const auto& u : *users) {
    if (u.username == "pat") {
      EXPECT_EQ(u.state, UserState::kDisabled);
    }
    if (u.username == "dana") {
      EXPECT_EQ(u.state, UserState::kActive);
    }
  }
  EXPECT_FALSE(this->LogOn(p).ok());
  EXPECT_EQ(this->Last("disable_inactive").username, "system");
}

TYPED_TEST(GovernanceTest, SeparationDisablesAtOnceAndEndsLiveSessionsAndTheNameIsNeverReused) {
  Person p = this->MakeUser("pat", Role::kPatrol);
  ASSERT_TRUE(this->gov_->Authenticate(p.token, "10.0.0.7").ok());
  ASSERT_TRUE(this->gov_->Separate(this->coord_.who, "pat", "left the department").ok());
  auto live = this->gov_->Authenticate(p.token, "10.0.0.7");
  ASSERT_FALSE(live.ok());
  EXPECT_FALSE(this->LogOn(p).ok());
  auto again = this->gov_->CreateUser(this->coord_.who, {.username = "pat", .full_name = "Another Pat",
                                                         .agency_code = "CITYPD", .role = Role::kPatrol});
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.status().message().find("never reused"), std::string::npos);
}

TYPED_TEST(GovernanceTest, VendorSupportNeedsChecksNeverSeesPlateDataAndExpires) {
  auto no_checks = this->gov_->CreateUser(this->coord_.who, {.username = "vend", .full_name = "Vic Vendor",
                                                             .agency_code = "CITYPD", .role = Role::kVendorSupport});
  EXPECT_EQ(no_checks.status().code(), StatusCode::kInvalidArgument);
  Person v = this->MakeUser("vend", Role::kVendorSupport);
  auto s = policy::SearchReads(*this->gov_, v.who, this->kWhy, {.plate = "7ABC123"});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(this->Last("search_reads").username, "vend");
  this->clock_.Advance(std::chrono::days(31));
  auto after = this->LogOn(v);
  ASSERT_FALSE(after.ok());
  EXPECT_NE(this->Last("logon").detail.find("expired"), std::string::npos);
}

// ---- Gates before plate data ----

TYPED_TEST(GovernanceTest, NoPlateDataWithoutASignedAndApprovedAcknowledgment) {
  Person p = this->MakeUser("pat", Role::kPatrol, /*gates=*/false);
  ASSERT_TRUE(this->gov_->RecordTraining(this->coord_.who, "pat", "ALPR user training", this->clock_.Now()).ok());
  auto r = policy::SearchReads(*this->gov_, p.who, this->kWhy, {.plate = "7ABC123"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("acknowledgment"), std::string::npos);
  // All four statements and the typed name are required.
  AcknowledgmentSignature partial{{true, true, false, true}, p.full_name};
  EXPECT_FALSE(this->gov_->SignAcknowledgment(p.who, partial).ok());
  AcknowledgmentSignature wrong_name{{true, true, true, true}, "Someone Else"};
  EXPECT_FALSE(this->gov_->SignAcknowledgment(p.who, wrong_name).ok());
  ASSERT_TRUE(this->gov_->SignAcknowledgment(p.who, {{true, true, true, true}, p.full_name}).ok());
  // Signed but not approved: still refused; one approval is not enough.
  EXPECT_FALSE(policy::SearchReads(*this->gov_, p.who, this->kWhy, {.plate = "7ABC123"}).ok());
  ASSERT_TRUE(this->gov_->ApproveAcknowledgment(this->coord_.who, "pat", Approval::kSupervisor).ok());
  EXPECT_FALSE(policy::SearchReads(*this->gov_, p.who, this->kWhy, {.plate = "7ABC123"}).ok());
  // Nobody approves their own.
  EXPECT_FALSE(this->gov_->ApproveAcknowledgment(p.who, "pat", Approval::kCoordinator).ok());
  ASSERT_TRUE(this->gov_->ApproveAcknowledgment(this->coord_.who, "pat", Approval::kCoordinator).ok());
  auto ok = policy::SearchReads(*this->gov_, p.who, this->kWhy, {.plate = "7ABC123"});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->reads.size(), 2u);
  EXPECT_GE(this->CountLog("search_reads", "denied", "pat"), 3);
}

TYPED_TEST(GovernanceTest, TrainingLapsesAfterAYearAndTheReportShowsWhoIsDue) {
  Person p = this->MakeUser("pat", Role::kPatrol);
  ASSERT_TRUE(policy::SearchReads(*this->gov_, p.who, this->kWhy, {.plate = "7ABC123"}).ok());
  for (int i = 0; i < 4; ++i) {  // logons keep the account active through the year
    this->clock_.Advance(std::chrono::days(85));
    ASSERT_TRUE(this->LogOn(p).ok());
  }
  auto due = this->gov_->TrainingReport(this->coord_.who, std::chrono::days(30));
  ASSERT_TRUE(due.ok()) << due.status().ToString();
  bool listed = false;
  for (const auto& t : *due) listed |= t.username == "pat" && !t.lapsed;
  EXPECT_TRUE(listed);
  this->clock_.Advance(std::chrono::days(26));
  auto logon = this->LogOn(p);
  ASSERT_TRUE(logon.ok()) << logon.status().ToString();
  // A year on, the password is due too; change it so training is what remains.
  ASSERT_TRUE(logon->principal.must_change_password);
  ASSERT_TRUE(this->gov_->ChangePassword(logon->principal, p.password, "another long passphrase").ok());
  auto who = this->gov_->Authenticate(logon->token, "10.0.0.7");
  ASSERT_TRUE(who.ok());
  auto r = policy::SearchReads(*this->gov_, *who, this->kWhy, {.plate = "7ABC123"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("training"), std::string::npos);
  EXPECT_NE(this->Last("search_reads").detail.find("training"), std::string::npos);
}

TYPED_TEST(GovernanceTest, EveryQueryStatesAConfiguredPurposeAndACaseNumber) {
  Person p = this->MakeUser("pat", Role::kPatrol);
  struct Case {
    AccessPurpose why;
    StatusCode code;
  };
  for (const Case& c : {Case{{"immigration_enforcement", "26-CR-0117"}, StatusCode::kPermissionDenied},
                        Case{{"reproductive_health_care", "26-CR-0117"}, StatusCode::kPermissionDenied},
                        Case{{"checking on my ex", "26-CR-0117"}, StatusCode::kInvalidArgument},
                        Case{{"stolen_vehicle", ""}, StatusCode::kInvalidArgument},
                        Case{{"stolen_vehicle", "none"}, StatusCode::kInvalidArgument},
                        Case{{"", ""}, StatusCode::kInvalidArgument}}) {
    auto r = policy::SearchReads(*this->gov_, p.who, c.why, {.plate = "7ABC123"});
    ASSERT_FALSE(r.ok()) << c.why.purpose;
    EXPECT_EQ(r.status().code(), c.code) << c.why.purpose << ": " << r.status().ToString();
    LogEntry e = this->Last("search_reads");
    EXPECT_EQ(e.outcome, "denied");
    EXPECT_EQ(e.purpose, c.why.purpose.substr(0, 64));
  }
}

// ---- Data classes ----

TYPED_TEST(GovernanceTest, ParkingSeesOnlyNonPublicSafetyAndPatrolOnlyPublicSafety) {
  Person park = this->MakeUser("parker", Role::kParkingEnforcement);
  Person pat = this->MakeUser("pat", Role::kPatrol);
  const AccessPurpose parking{"parking_enforcement", "CIT-2026-0042"};
  auto mine = policy::SearchReads(*this->gov_, park.who, parking, {.plate = "7ABC123"});
  ASSERT_TRUE(mine.ok()) << mine.status().ToString();
  ASSERT_EQ(mine->reads.size(), 1u);
  EXPECT_EQ(mine->reads[0].camera_id, "cam-park");
  auto ps = policy::SearchReads(*this->gov_, park.who, parking,
                                    {.plate = "7ABC123", .data_class = store::DataClass::kPublicSafety});
  ASSERT_FALSE(ps.ok());
  EXPECT_EQ(ps.status().code(), StatusCode::kPermissionDenied);
  auto one = policy::GetRead(*this->gov_, park.who, parking, this->read_ids_["cam-ps"]);
  EXPECT_EQ(one.status().code(), StatusCode::kPermissionDenied);
  auto pats = policy::SearchReads(*this->gov_, pat.who, this->kWhy, {.plate = "7ABC123"});
  ASSERT_TRUE(pats.ok());
  EXPECT_EQ(pats->reads.size(), 2u);
  for (const auto& r : pats->reads) EXPECT_NE(r.camera_id, "cam-park");
  auto img = policy::GetReadImage(*this->gov_, pat.who, this->kWhy, this->read_ids_["cam-park"], /*frame=*/false);
  EXPECT_EQ(img.status().code(), StatusCode::kPermissionDenied);
  auto own = policy::GetReadImage(*this->gov_, pat.who, this->kWhy, this->read_ids_["cam-ps"], /*frame=*/false);
  ASSERT_TRUE(own.ok()) << own.status().ToString();
  EXPECT_EQ(own->size(), 7u);
}

TYPED_TEST(GovernanceTest, AnAuditorReadsTheLogButNeverPlates) {
  Person aud = this->MakeUser("audrey", Role::kAuditor);
  auto s = policy::SearchReads(*this->gov_, aud.who, this->kWhy, {.plate = "7ABC123"});
  EXPECT_EQ(s.status().code(), StatusCode::kPermissionDenied);
  auto log = this->gov_->ReadLog(aud.who, {.action = "search_reads"});
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  EXPECT_FALSE(log->empty());
  // Reading the log is itself logged.
  LogEntry e = this->Last("read_access_log");
  EXPECT_EQ(e.username, "audrey");
  EXPECT_EQ(e.records, int64_t(log->size()));
  auto pat = this->MakeUser("pat", Role::kPatrol);
  EXPECT_EQ(this->gov_->ReadLog(pat.who, {}).status().code(), StatusCode::kPermissionDenied);
}

// ---- The access log ----

TYPED_TEST(GovernanceTest, EverySearchIsLoggedWithUserTimeSourceTermsPurposeCaseAndCount) {
  Person p = this->MakeUser("pat", Role::kPatrol);
  auto who = this->gov_->Authenticate(p.token, "192.0.2.44");
  ASSERT_TRUE(who.ok());
  auto r = policy::SearchReads(*this->gov_, *who, this->kWhy, {.match = store::PlateMatch::kWildcard, .plate = "7AB*"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  LogEntry e = this->Last("search_reads");
  EXPECT_EQ(e.outcome, "allowed");
  EXPECT_EQ(e.username, "pat");
  EXPECT_EQ(e.agency_code, "CITYPD");
  EXPECT_EQ(e.source, "192.0.2.44");
  EXPECT_EQ(e.purpose, "stolen_vehicle");
  EXPECT_EQ(e.case_number, "26-CR-0117");
  EXPECT_EQ(e.records, int64_t(r->reads.size()));
  EXPECT_EQ(ToUnixMillis(e.at), ToUnixMillis(this->clock_.Now()));
  json terms = json::parse(e.terms);
  EXPECT_EQ(terms["plate"], "7AB*");
  EXPECT_EQ(terms["match"], "wildcard");
}

TYPED_TEST(GovernanceTest, WhenTheLogCannotBeWrittenNoDataIsReleased) {
  Person p = this->MakeUser("pat", Role::kPatrol);
  ASSERT_TRUE(this->Tamper("ALTER TABLE access_log RENAME TO access_log_gone").ok());
  auto r = policy::SearchReads(*this->gov_, p.who, this->kWhy, {.plate = "7ABC123"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  auto img = policy::GetReadImage(*this->gov_, p.who, this->kWhy, this->read_ids_["cam-ps"], false);
  EXPECT_FALSE(img.ok());
  ASSERT_TRUE(this->Tamper("ALTER TABLE access_log_gone RENAME TO access_log").ok());
  EXPECT_TRUE(policy::SearchReads(*this->gov_, p.who, this->kWhy, {.plate = "7ABC123"}).ok());
}


TYPED_TEST(GovernanceTest, AuditVerifyPassesOnAnIntactLog) {
  Person p = this->MakeUser("pat", Role::kPatrol);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(policy::SearchReads(*this->gov_, p.who, this->kWhy, {.plate = "7ABC123"}).ok());
  ASSERT_TRUE(this->gov_->CheckpointLog(Governance::System("checkpoint")).ok());
  auto v = this->Verify();
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_GT(v->entries, 20 + 10);
  EXPECT_GE(v->checkpoints, 1);
}

TYPED_TEST(GovernanceTest, AuditVerifyCatchesAnEditedEntry) {
  Person p = this->MakeUser("pat", Role::kPatrol);
  ASSERT_TRUE(policy::SearchReads(*this->gov_, p.who, this->kWhy, {.plate = "7ABC123"}).ok());
  const int64_t seq = this->Last("search_reads").seq;
  ASSERT_TRUE(this->TamperAsOwner("UPDATE access_log SET case_number = '26-CR-9999' WHERE seq = " + std::to_string(seq)).ok());
  auto v = this->Verify();
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->ok);
  EXPECT_EQ(v->first_bad_seq, seq);
  EXPECT_NE(v->problem.find("changed"), std::string::npos) << v->problem;
}

TYPED_TEST(GovernanceTest, AuditVerifyCatchesADeletedEntry) {
  Person p = this->MakeUser("pat", Role::kPatrol);
  ASSERT_TRUE(policy::SearchReads(*this->gov_, p.who, this->kWhy, {.plate = "7ABC123"}).ok());
  ASSERT_TRUE(policy::SearchReads(*this->gov_, p.who, this->kWhy, {.plate = "7XYZ999"}).ok());
  const int64_t seq = this->Last("search_reads").seq - 1;
  ASSERT_TRUE(this->TamperAsOwner("DELETE FROM access_log WHERE seq = " + std::to_string(seq)).ok());
  auto v = this->Verify();
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->ok);
  EXPECT_EQ(v->first_bad_seq, seq);
  EXPECT_NE(v->problem.find("missing"), std::string::npos) << v->problem;
}

TYPED_TEST(GovernanceTest, AuditVerifyCatchesAnInsertedEntry) {
  Person p = this->MakeUser("pat", Role::kPatrol);
  ASSERT_TRUE(policy::SearchReads(*this->gov_, p.who, this->kWhy, {.plate = "7ABC123"}).ok());
  LogEntry last = this->LastLog();
  // A forged entry shifted in before the last one: every later seq moves up by one.
  ASSERT_TRUE(this->TamperAsOwner("UPDATE access_log SET seq = seq + 1000000 WHERE seq >= " + std::to_string(last.seq)).ok());
  ASSERT_TRUE(this->TamperAsOwner("UPDATE access_log SET seq = seq - 1000000 + 1 WHERE seq >= 1000000").ok());
  ASSERT_TRUE(this->TamperAsOwner("INSERT INTO access_log (seq, at_ms, username, agency_code, source, action, outcome, terms, "
                           "purpose, case_number, records, detail, prev_hash, hash) VALUES (" +
                           std::to_string(last.seq) + ", " + std::to_string(ToUnixMillis(last.at)) +
                           ", 'pat', 'CITYPD', 'cli', 'search_reads', 'allowed', '{}', 'stolen_vehicle', "
                           "'26-CR-0117', 0, '', '" + last.prev_hash + "', 'forged')")
                  .ok());
  auto v = this->Verify();
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->ok);
  EXPECT_EQ(v->first_bad_seq, last.seq);
}

TYPED_TEST(GovernanceTest, AuditVerifyCatchesReorderedEntries) {
  Person p = this->MakeUser("pat", Role::kPatrol);
  ASSERT_TRUE(policy::SearchReads(*this->gov_, p.who, this->kWhy, {.plate = "7ABC123"}).ok());
  ASSERT_TRUE(policy::SearchReads(*this->gov_, p.who, this->kWhy, {.plate = "7XYZ999"}).ok());
  const int64_t b = this->Last("search_reads").seq;
  const int64_t a = b - 1;
  const std::string sa = std::to_string(a), sb = std::to_string(b);
  ASSERT_TRUE(this->TamperAsOwner("UPDATE access_log SET seq = -1 WHERE seq = " + sa).ok());
  ASSERT_TRUE(this->TamperAsOwner("UPDATE access_log SET seq = " + sa + " WHERE seq = " + sb).ok());
  ASSERT_TRUE(this->TamperAsOwner("UPDATE access_log SET seq = " + sb + " WHERE seq = -1").ok());
  auto v = this->Verify();
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->ok);
  EXPECT_EQ(v->first_bad_seq, a);
}

TYPED_TEST(GovernanceTest, AuditVerifyCatchesARewrittenChainThroughTheSignedCheckpoint) {
  Person p = this->MakeUser("pat", Role::kPatrol);
  ASSERT_TRUE(policy::SearchReads(*this->gov_, p.who, this->kWhy, {.plate = "7ABC123"}).ok());
  auto cp = this->gov_->CheckpointLog(Governance::System("checkpoint"));
  ASSERT_TRUE(cp.ok());
  // An insider rewrites one entry and recomputes every hash after it, so the chain links;
  // only the signed checkpoint can tell.
  std::vector<LogEntry> all;
  for (int64_t after = 0;;) {
    auto page = this->LogWhere({.after_seq = after, .limit = 1000});
    if (page.empty()) break;
    after = page.back().seq;
    all.insert(all.end(), page.begin(), page.end());
  }
  ASSERT_GT(all.size(), 5u);
  std::string prev = all[2].prev_hash;
  for (size_t i = 2; i < all.size(); ++i) {
    LogEntry e = all[i];
    if (i == 2) e.detail = "nothing to see";
    e.prev_hash = prev;
    e.hash = EntryHash(e.seq, e.prev_hash, e);
    prev = e.hash;
    ASSERT_TRUE(this->TamperAsOwner(std::string("UPDATE access_log SET ") + (i == 2 ? "detail = 'nothing to see', " : "") +
                             "prev_hash = '" + e.prev_hash + "', hash = '" + e.hash +
                             "' WHERE seq = " + std::to_string(e.seq))
                    .ok());
  }
  auto v = this->Verify();
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->ok);
  EXPECT_NE(v->problem.find("checkpoint"), std::string::npos) << v->problem;
}

// Issue 23, finding 2: the owner of the database deletes the signed checkpoints, edits an
// entry and recomputes every hash after it (the hash is unkeyed). The chain links, and no
// checkpoint is left to disagree; the checkpoints required at every multiple of the
// interval are what tell.
TYPED_TEST(GovernanceTest, AuditVerifyFailsWhenEveryCheckpointIsDeletedAndTheChainRehashed) {
  this->FillLogTo(205);
  auto before = this->Verify();
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  ASSERT_TRUE(before->ok) << before->problem;
  EXPECT_EQ(before->checkpoints, 2);  // at 100 and 200
  ASSERT_TRUE(this->TamperAsOwner("DELETE FROM access_log_checkpoints").ok());
  this->RewriteAndRehashFrom(3);
  auto v = this->Verify();
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_FALSE(v->ok) << "a rewritten, rehashed log without checkpoints passed as intact";
  EXPECT_EQ(v->first_bad_seq, 100);
  EXPECT_NE(v->problem.find("checkpoint"), std::string::npos) << v->problem;
}

TYPED_TEST(GovernanceTest, AuditVerifyFailsWhenACheckpointAtAMultipleOfTheIntervalIsMissing) {
  this->FillLogTo(230);
  ASSERT_TRUE(this->TamperAsOwner("DELETE FROM access_log_checkpoints WHERE seq = 200").ok());
  auto v = this->Verify();
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_FALSE(v->ok) << "a log missing its checkpoint at entry 200 passed as intact";
  EXPECT_EQ(v->first_bad_seq, 200);
  EXPECT_NE(v->problem.find("checkpoint at entry 200 is missing"), std::string::npos) << v->problem;
}

// A checkpoint signed on request (audit checkpoint) is recorded in the log by the entry it
// signs: deleting it is caught too, on a log shorter than the interval.
TYPED_TEST(GovernanceTest, AuditVerifyFailsWhenARequestedCheckpointIsDeleted) {
  auto cp = this->gov_->CheckpointLog(Governance::System("checkpoint"));
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  ASSERT_LT(*cp, 100);
  ASSERT_TRUE(this->TamperAsOwner("DELETE FROM access_log_checkpoints").ok());
  auto v = this->Verify();
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_FALSE(v->ok);
  EXPECT_EQ(v->first_bad_seq, *cp);
  EXPECT_NE(v->problem.find("checkpoint"), std::string::npos) << v->problem;
}

// The database itself refuses to change or remove what the log holds (triggers, migration
// 13); appending goes on.
TYPED_TEST(GovernanceTest, TheDatabaseRefusesUpdateAndDeleteOnTheAccessLogAndItsCheckpoints) {
  auto cp = this->gov_->CheckpointLog(Governance::System("checkpoint"));
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  std::vector<std::string> refused = {
      "UPDATE access_log SET detail = 'nothing to see' WHERE seq = 1",
      "DELETE FROM access_log WHERE seq = " + std::to_string(*cp),
      "DELETE FROM access_log",
      "UPDATE access_log_checkpoints SET hash = 'forged'",
      "DELETE FROM access_log_checkpoints",
  };
  if (this->kPostgres) {
    refused.push_back("TRUNCATE access_log");
    refused.push_back("TRUNCATE access_log_checkpoints");
  }
  for (const auto& sql : refused) {
    Status st = this->Tamper(sql);
    EXPECT_FALSE(st.ok()) << sql << " was not refused";
    if (!st.ok()) {
      EXPECT_NE(st.message().find("append-only"), std::string::npos) << sql << ": " << st.message();
    }
  }
  const std::vector<LogEntry> all = this->AllLog();
  ASSERT_FALSE(all.empty()) << "the log was emptied";
  ASSERT_EQ(all.back().seq, *cp);
  auto v = this->Verify();
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_EQ(v->checkpoints, 1);
  Person p = this->MakeUser("pat", Role::kPatrol);
  EXPECT_TRUE(policy::SearchReads(*this->gov_, p.who, this->kWhy, {.plate = "7ABC123"}).ok());
}

// Every signed checkpoint reaches GovernanceOptions::on_checkpoint (what `custodian serve`
// and the CLI send to the system journal) once committed: the one at each multiple of the
// interval and each requested one, each a head whose signature is the agency key's over
// the entry the log holds at that seq.
TYPED_TEST(GovernanceTest, EverySignedCheckpointReachesTheHookAsAVerifiableHead) {
  std::vector<SignedHead> published;
  this->gov_.reset();
  auto g = Governance::Open(*this->store_, {.clock = &this->clock_,
                                            .signing_key_file = this->dir_ / "agency.key",
                                            .on_checkpoint = [&](const SignedHead& h) { published.push_back(h); }});
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  this->gov_ = std::move(*g);
  this->FillLogTo(150);
  auto cp = this->gov_->CheckpointLog(Governance::System("checkpoint"));
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  this->FillLogTo(201);
  ASSERT_EQ(published.size(), 3u);
  EXPECT_EQ(published[0].seq, 100);
  EXPECT_EQ(published[1].seq, *cp);
  EXPECT_EQ(published[2].seq, 200);
  const std::vector<LogEntry> all = this->AllLog();
  for (const SignedHead& h : published) {
    EXPECT_EQ(h.hash, all[size_t(h.seq - 1)].hash) << h.seq;
    EXPECT_EQ(h.public_key_hex, this->gov_->public_key_hex());
    unsigned char sig[crypto_sign_BYTES], pk[crypto_sign_PUBLICKEYBYTES];
    ASSERT_EQ(sodium_hex2bin(sig, sizeof sig, h.signature_hex.c_str(), h.signature_hex.size(), nullptr, nullptr, nullptr), 0);
    ASSERT_EQ(sodium_hex2bin(pk, sizeof pk, h.public_key_hex.c_str(), h.public_key_hex.size(), nullptr, nullptr, nullptr), 0);
    const std::string msg = CheckpointMessage(h.seq, h.hash);
    EXPECT_EQ(crypto_sign_verify_detached(sig, reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), pk), 0);
  }
  // The newest is what the transparency page publishes.
  auto latest = this->gov_->LatestHead();
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->seq, 200);
  EXPECT_EQ((*latest)->signature_hex, published[2].signature_hex);
  // A transaction that fails publishes nothing.
  ASSERT_TRUE(this->Tamper("ALTER TABLE access_log RENAME TO access_log_gone").ok());
  EXPECT_FALSE(this->gov_->CheckpointLog(Governance::System("checkpoint")).ok());
  ASSERT_TRUE(this->Tamper("ALTER TABLE access_log_gone RENAME TO access_log").ok());
  EXPECT_EQ(published.size(), 3u);
}

// The owner cuts the log back to before its newest signed head, checkpoint and all: what
// is left is a valid log, so the database alone cannot tell. A head kept outside can.
TYPED_TEST(GovernanceTest, ACutOffTailIsCaughtByAHeadSavedEarlier) {
  Person p = this->MakeUser("pat", Role::kPatrol);
  auto first = this->gov_->CheckpointLog(Governance::System("checkpoint"));
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(policy::SearchReads(*this->gov_, p.who, this->kWhy, {.plate = "7ABC123"}).ok());
  auto cut = this->gov_->CheckpointLog(Governance::System("checkpoint"));
  ASSERT_TRUE(cut.ok());
  auto saved = this->gov_->LatestHead();
  ASSERT_TRUE(saved.ok() && saved->has_value());
  ASSERT_EQ((*saved)->seq, *cut);
  const std::string s = std::to_string(*cut);
  ASSERT_TRUE(this->TamperAsOwner("DELETE FROM access_log_checkpoints WHERE seq >= " + s +
                                  "; DELETE FROM access_log WHERE seq >= " + s)
                  .ok());
  auto alone = this->gov_->VerifyLog(Governance::System("verify"));
  ASSERT_TRUE(alone.ok());
  EXPECT_TRUE(alone->ok) << alone->problem;
  // (That verify appended an entry at the cut's seq, as the log goes on after a cut.)
  ASSERT_TRUE(this->TamperAsOwner("DELETE FROM access_log WHERE seq >= " + s).ok());
  auto v = this->gov_->VerifyLog(Governance::System("verify"), {**saved});
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_FALSE(v->ok);
  EXPECT_EQ(v->first_bad_seq, *cut);
  EXPECT_NE(v->problem.find("beyond the log's end"), std::string::npos) << v->problem;
  // Once the log has gone on past the cut, the head names an entry that differs from it.
  this->FillLogTo(*cut + 2);
  auto later = this->gov_->VerifyLog(Governance::System("verify"), {**saved});
  ASSERT_TRUE(later.ok());
  EXPECT_FALSE(later->ok);
  EXPECT_EQ(later->first_bad_seq, *cut);
  EXPECT_NE(later->problem.find("differs from the head saved for it"), std::string::npos) << later->problem;
}

// A log shorter than the interval, rewritten and rehashed with every checkpoint deleted
// and the entries that recorded them changed too: only a saved head tells.
TYPED_TEST(GovernanceTest, ARewrittenLogIsCaughtByAHeadSavedEarlierAndAForgedHeadFails) {
  Person p = this->MakeUser("pat", Role::kPatrol);
  ASSERT_TRUE(this->gov_->CheckpointLog(Governance::System("checkpoint")).ok());
  auto saved = this->gov_->LatestHead();
  ASSERT_TRUE(saved.ok() && saved->has_value());
  const int64_t at = (*saved)->seq;
  auto ok = this->gov_->VerifyLog(Governance::System("verify"), {**saved});
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->ok) << ok->problem;
  EXPECT_EQ(ok->heads, 1);
  ASSERT_TRUE(this->TamperAsOwner("DELETE FROM access_log_checkpoints; UPDATE access_log SET action = 'logout' "
                                  "WHERE action = 'checkpoint_access_log'")
                  .ok());
  this->RewriteAndRehashFrom(3);
  auto alone = this->gov_->VerifyLog(Governance::System("verify"));
  ASSERT_TRUE(alone.ok());
  EXPECT_TRUE(alone->ok) << "the database alone cannot tell here: " << alone->problem;
  auto v = this->gov_->VerifyLog(Governance::System("verify"), {**saved});
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->ok);
  EXPECT_EQ(v->first_bad_seq, at);
  EXPECT_NE(v->problem.find("differs from the head saved for it"), std::string::npos) << v->problem;
  // A head the agency key did not sign proves nothing, and says so.
  SignedHead forged = **saved;
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(pk, sk);
  LogSigner other(std::vector<unsigned char>(sk, sk + sizeof sk));
  forged.signature_hex = other.SignHex(CheckpointMessage(forged.seq, forged.hash));
  forged.public_key_hex = other.public_key_hex();
  auto f = this->gov_->VerifyLog(Governance::System("verify"), {forged});
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->ok);
  EXPECT_EQ(f->first_bad_seq, at);
  EXPECT_NE(f->problem.find("not signed by the agency key"), std::string::npos) << f->problem;
}

// ---- The MFA seal key (issue 23, finding 2): not the log-signing key ----

namespace {
// A secret as the releases before the separate seal key sealed it: with a key derived from
// the agency's signing key.
std::string LegacySeal(const LogSigner& signer, const std::string& plain) {
  std::vector<unsigned char> key(crypto_secretbox_KEYBYTES);
  const std::string context = "custodian-totp-seal-v1:" + signer.SignHex("custodian-totp-seal-v1");
  crypto_generichash(key.data(), key.size(), reinterpret_cast<const unsigned char*>(context.data()), context.size(),
                     nullptr, 0);
  std::vector<unsigned char> out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plain.size());
  randombytes_buf(out.data(), crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(out.data() + crypto_secretbox_NONCEBYTES, reinterpret_cast<const unsigned char*>(plain.data()),
                        plain.size(), out.data(), key.data());
  std::string hex(out.size() * 2, '0');
  sodium_bin2hex(hex.data(), hex.size() + 1, out.data(), out.size());
  return hex;
}
}  // namespace

TYPED_TEST(GovernanceTest, TheMfaSealKeyIsAFileOfItsOwnNotDerivedFromTheSigningKey) {
  const std::filesystem::path seal = this->dir_ / "mfa-seal.key";
  struct stat st {};
  EXPECT_EQ(::stat(seal.c_str(), &st), 0) << seal << " was not created beside the signing key";
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  Person p = this->MakeUser("pat", Role::kPatrol);
  ASSERT_TRUE(this->LogOn(p).ok());
  // Someone who holds the signing key (and the database) but not the seal key: the secret
  // stays shut, and the logon is refused.
  this->gov_.reset();
  std::error_code ec;
  std::filesystem::remove(seal, ec);
  {
    unsigned char other[32];
    randombytes_buf(other, sizeof other);
    std::ofstream out(seal, std::ios::binary);
    out.write(reinterpret_cast<const char*>(other), sizeof other);
  }
  std::filesystem::permissions(seal, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, std::filesystem::perm_options::replace, ec);
  auto g = Governance::Open(*this->store_, {.clock = &this->clock_, .signing_key_file = this->dir_ / "agency.key"});
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  this->gov_ = std::move(*g);
  auto r = this->LogOn(p);
  EXPECT_FALSE(r.ok()) << "the MFA secret opened without its seal key (derivable from the signing key)";
}

TYPED_TEST(GovernanceTest, MfaSecretsSealedByEarlierReleasesStillOpenAndAreResealed) {
  Person p = this->MakeUser("pat", Role::kPatrol);
  auto sk = store::LoadSigningKey(this->dir_ / "agency.key", /*create=*/false);
  ASSERT_TRUE(sk.ok()) << sk.status().ToString();
  const std::string legacy = LegacySeal(LogSigner(*sk), Base32Encode(p.totp_secret));
  ASSERT_TRUE(this->Tamper("UPDATE users SET totp_secret = '" + legacy + "' WHERE username = 'pat'").ok());
  auto r = this->LogOn(p);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::string now_sealed;
  ASSERT_TRUE(this->store_
                  ->Transact([&](store::Txn& txn) -> Status {
                    auto rows = txn.Query("SELECT totp_secret FROM users WHERE username = 'pat'", {});
                    if (!rows.ok()) return rows.status();
                    now_sealed = store::AsString((*rows)[0][0]);
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_NE(now_sealed, legacy) << "a legacy-sealed secret was not resealed with the seal key at logon";
  EXPECT_TRUE(this->LogOn(p).ok());
}

// ---- Misuse flags for the weekly review (5.C) ----

TYPED_TEST(GovernanceTest, BulkSearchesAndHighSearchRatesAreFlagged) {
  Person p = this->MakeUser("pat", Role::kPatrol);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(policy::SearchReads(*this->gov_, p.who, this->kWhy, {.match = store::PlateMatch::kWildcard, .plate = "7*"}).ok());
  }
  auto bulk = this->Flags(FlagKind::kBulkRecords, "pat", {.bulk_records = 1});
  ASSERT_EQ(bulk.size(), 1u);
  EXPECT_EQ(bulk[0].seqs.size(), 4u) << "each search returned 2 records, more than 1";
  EXPECT_TRUE(this->Flags(FlagKind::kBulkRecords, "pat").empty()) << "2 records is not bulk at the default 500";
  EXPECT_EQ(this->Flags(FlagKind::kBulkRate, "pat", {.searches_per_hour = 3}).size(), 1u);
  EXPECT_TRUE(this->Flags(FlagKind::kBulkRate, "pat").empty());
}

TYPED_TEST(GovernanceTest, ForbiddenPurposesAndDeniedBurstsAreFlagged) {
  Person p = this->MakeUser("pat", Role::kPatrol);
  for (int i = 0; i < 5; ++i) {
    auto r = policy::SearchReads(*this->gov_, p.who, {"immigration_enforcement", "26-CR-0117"}, {.plate = "7ABC123"});
    ASSERT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  }
  auto forbidden = this->Flags(FlagKind::kForbiddenPurpose, "pat");
  ASSERT_EQ(forbidden.size(), 1u);
  EXPECT_EQ(forbidden[0].seqs.size(), 5u);
  EXPECT_EQ(this->Flags(FlagKind::kDeniedBurst, "pat").size(), 1u);
}

TYPED_TEST(GovernanceTest, PartnerAgencyActivityIsFlagged) {
  Person partner = this->Partner();
  ASSERT_TRUE(this->ShareCountyPublicSafety(this->clock_.Now() + std::chrono::days(30)).ok());
  auto r = policy::SearchReads(*this->gov_, partner.who, this->kWhy, {.plate = "7ABC123"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto flags = this->Flags(FlagKind::kPartnerActivity, "deputy");
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_FALSE(flags[0].seqs.empty());
  EXPECT_EQ(this->LogWhere({.username = "deputy", .action = "search_reads", .outcome = "allowed"})[0].agency_code,
            "COUNTYSO");
}

// ---- The authorization matrix ----

// Written out here, independently of policy/roles.json: what each role may do. Scoped
// operations: "PS", "NPS", "PS+NPS"; others "yes". Anything absent must be denied.
const std::map<Role, std::map<std::string, std::string>>& Expected() {
  static const auto* m = new std::map<Role, std::map<std::string, std::string>>{
      {Role::kCoordinator,
       {{"search_reads", "PS+NPS"}, {"view_images", "PS+NPS"}, {"view_alerts", "PS+NPS"}, {"review_alerts", "PS+NPS"},
        {"place_holds", "PS+NPS"}, {"export_evidence", "PS+NPS"}, {"accuracy_audit", "PS+NPS"},
        {"view_hotlists", "yes"}, {"manage_hotlists", "yes"}, {"manage_users", "yes"},
        {"approve_acknowledgments", "yes"}, {"record_training", "yes"}, {"manage_cameras", "yes"}, {"view_cameras", "yes"},
        {"manage_retention", "yes"}, {"manage_grants", "yes"}, {"view_access_log", "yes"}, {"access_reports", "yes"},
        {"record_log_review", "yes"}, {"submit_records_request", "yes"}, {"approve_records_request", "yes"},
        {"breach_notices", "yes"}, {"system_admin", "yes"}}},
      {Role::kPatrol,
       {{"view_cameras", "yes"}, {"search_reads", "PS"}, {"view_images", "PS"}, {"view_alerts", "PS"}, {"review_alerts", "PS"},
        {"view_hotlists", "yes"}}},
      {Role::kInvestigator,
       {{"view_cameras", "yes"}, {"search_reads", "PS"}, {"view_images", "PS"}, {"view_alerts", "PS"}, {"review_alerts", "PS"},
        {"place_holds", "PS"}, {"export_evidence", "PS"}, {"view_hotlists", "yes"}, {"submit_records_request", "yes"}}},
      {Role::kDispatch,
       {{"view_cameras", "yes"}, {"search_reads", "PS"}, {"view_images", "PS"}, {"view_alerts", "PS"}, {"review_alerts", "PS"},
        {"view_hotlists", "yes"}}},
      {Role::kCrimeAnalyst,
       {{"view_cameras", "yes"}, {"search_reads", "PS"}, {"view_images", "PS"}, {"view_alerts", "PS"}, {"view_hotlists", "yes"},
        {"submit_records_request", "yes"}}},
      {Role::kParkingEnforcement,
       {{"view_cameras", "yes"}, {"search_reads", "NPS"}, {"view_images", "NPS"}, {"view_alerts", "NPS"}, {"review_alerts", "NPS"},
        {"place_holds", "NPS"}, {"export_evidence", "NPS"}, {"view_hotlists", "yes"},
        {"submit_records_request", "yes"}}},
      {Role::kCommandStaff,
       {{"view_cameras", "yes"}, {"search_reads", "PS"}, {"view_images", "PS"}, {"view_alerts", "PS"}, {"view_hotlists", "yes"},
        {"approve_acknowledgments", "yes"}, {"access_reports", "yes"}, {"approve_records_request", "yes"},
        {"submit_records_request", "yes"}}},
      {Role::kAuditor, {{"view_cameras", "yes"}, {"view_access_log", "yes"}, {"access_reports", "yes"}, {"record_log_review", "yes"}}},
      {Role::kVendorSupport, {{"system_admin", "yes"}}},
      {Role::kPartnerAgency, {{"search_reads", "PS+NPS"}, {"view_images", "PS+NPS"}}},
  };
  return *m;
}

TEST(PermissionMatrixTest, EveryOperationTimesEveryRoleTimesBothClassesHasNoUnexpectedAllow) {
  const PermissionMatrix& m = PermissionMatrix::Default();
  int checked = 0;
  ASSERT_EQ(m.operations().size(), 23u) << "a new operation needs its row in this test";
  for (Role role : kAllRoles) {
    const auto& expect = Expected().at(role);
    for (const auto& op : m.operations()) {
      auto it = expect.find(op.name);
      const std::string want = it == expect.end() ? "" : it->second;
      if (op.scoped) {
        EXPECT_EQ(m.Allows(role, op.name, store::DataClass::kPublicSafety), want == "PS" || want == "PS+NPS")
            << RoleName(role) << " " << op.name << " PS";
        EXPECT_EQ(m.Allows(role, op.name, store::DataClass::kNonPublicSafety), want == "NPS" || want == "PS+NPS")
            << RoleName(role) << " " << op.name << " NPS";
        EXPECT_FALSE(m.Allows(role, op.name)) << "a scoped operation without a class is denied";
        checked += 2;
      } else {
        EXPECT_EQ(m.Allows(role, op.name), want == "yes") << RoleName(role) << " " << op.name;
        for (auto c : {store::DataClass::kPublicSafety, store::DataClass::kNonPublicSafety}) {
          EXPECT_EQ(m.Allows(role, op.name, c), want == "yes") << RoleName(role) << " " << op.name;
          ++checked;
        }
      }
    }
    EXPECT_FALSE(m.Allows(role, "drop_everything")) << "unknown operations are denied";
  }
  EXPECT_EQ(checked, 10 * 23 * 2);
}

TEST(PermissionMatrixTest, ReplacementFilesAreCheckedAndVendorsNeverGetPlateData) {
  EXPECT_FALSE(PermissionMatrix::Parse("{}").ok());
  EXPECT_FALSE(PermissionMatrix::Parse(R"({"operations": {"search_reads": {"scoped": true}},
      "roles": {"sheriff": {"allow": {}}}})")
                   .ok());
  EXPECT_FALSE(PermissionMatrix::Parse(R"({"operations": {"search_reads": {"scoped": true}},
      "roles": {"patrol": {"allow": {"search_reads": true}}}})")
                   .ok());
  EXPECT_FALSE(PermissionMatrix::Parse(R"({"operations": {"search_reads": {"scoped": true}},
      "roles": {"vendor_support": {"allow": {"search_reads": ["public_safety"]}}}})")
                   .ok());
  auto ok = PermissionMatrix::Parse(R"({"operations": {"search_reads": {"scoped": true}},
      "roles": {"patrol": {"allow": {"search_reads": ["non_public_safety"]}}}})");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_TRUE(ok->Allows(Role::kPatrol, "search_reads", store::DataClass::kNonPublicSafety));
  EXPECT_FALSE(ok->Allows(Role::kPatrol, "search_reads", store::DataClass::kPublicSafety));
  EXPECT_FALSE(ok->Allows(Role::kCoordinator, "search_reads", store::DataClass::kPublicSafety));
}

// The permission list (GET /api/v1/me) and the check at an API route's door agree with
// Allows, class by class.
TEST(PermissionMatrixTest, PermissionsAndAllowsAnyAgreeWithAllows) {
  const PermissionMatrix& m = PermissionMatrix::Default();
  for (Role role : kAllRoles) {
    const std::vector<std::string> perms = m.Permissions(role);
    auto listed = [&](const std::string& p) { return std::find(perms.begin(), perms.end(), p) != perms.end(); };
    size_t expected = 0;
    for (const auto& op : m.operations()) {
      bool any = false;
      if (op.scoped) {
        for (auto c : {store::DataClass::kPublicSafety, store::DataClass::kNonPublicSafety}) {
          const bool allowed = m.Allows(role, op.name, c);
          EXPECT_EQ(listed(op.name + ":" + std::string(store::DataClassName(c))), allowed) << RoleName(role) << " " << op.name;
          any = any || allowed;
          expected += allowed;
        }
      } else {
        any = m.Allows(role, op.name);
        EXPECT_EQ(listed(op.name), any) << RoleName(role) << " " << op.name;
        expected += any;
      }
      EXPECT_EQ(m.AllowsAny(role, op.name), any) << RoleName(role) << " " << op.name;
    }
    EXPECT_EQ(perms.size(), expected) << RoleName(role);
    EXPECT_FALSE(m.AllowsAny(role, "drop_everything"));
  }
}

TEST(PurposeListTest, ForbiddenPurposesAreNeverAcceptedEvenIfAlsoListedAsAllowed) {
  auto p = PurposeList::Parse(R"({"allowed": {"immigration_enforcement": "x", "stolen_vehicle": "y"},
                                  "forbidden": {"immigration_enforcement": "SB 54"}})");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->Check("immigration_enforcement", "26-1").code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(p->Check("stolen_vehicle", "26-CR-1").ok());
  EXPECT_FALSE(p->Check("stolen_vehicle", "'; DROP TABLE reads;--").ok());
}

// The matrix enforced end to end: for each role, a real user and real calls.
TYPED_TEST(GovernanceTest, EachRoleMeetsTheMatrixThroughTheRealCalls) {
  this->CoordinatorGates();
  for (Role role : kAllRoles) {
    if (role == Role::kCoordinator) continue;
    UserSpec spec;
    if (role == Role::kPartnerAgency) spec.agency_code = "COUNTYSO";
    Person p = this->MakeUser(std::string("u_") + std::string(RoleName(role)), role, true, &spec);
    const AccessPurpose why = role == Role::kParkingEnforcement ? AccessPurpose{"parking_enforcement", "CIT-26-1"}
                                                                : this->kWhy;
    const auto classes = this->gov_->matrix().ClassesFor(role, ops::kSearchReads);
    auto s = policy::SearchReads(*this->gov_, p.who, why, {.plate = "7ABC123"});
    if (role == Role::kPartnerAgency) {
      EXPECT_EQ(s.status().code(), StatusCode::kPermissionDenied) << "no grant, no data";
    } else if (classes.empty()) {
      EXPECT_EQ(s.status().code(), StatusCode::kPermissionDenied) << RoleName(role);
    } else {
      ASSERT_TRUE(s.ok()) << RoleName(role) << ": " << s.status().ToString();
      for (const auto& r : s->reads) {
        EXPECT_TRUE(std::find(classes.begin(), classes.end(), r.data_class) != classes.end()) << RoleName(role);
      }
    }
    auto users = this->gov_->ListUsers(p.who);
    EXPECT_EQ(users.ok(), this->gov_->matrix().Allows(role, ops::kManageUsers)) << RoleName(role);
    auto log = this->gov_->ReadLog(p.who, {});
    EXPECT_EQ(log.ok(), this->gov_->matrix().Allows(role, ops::kViewAccessLog)) << RoleName(role);
  }
}

// An API route's door: a role that may not perform the route's operation on any class is
// refused and the refusal logged with the route; a role that may passes.
TYPED_TEST(GovernanceTest, TheRouteDoorRefusesAndLogsARoleThatMayNotPerformItsOperation) {
  Person pat = this->MakeUser("pat", Role::kPatrol);
  Status refused = AuthorizeRoute(*this->gov_, pat.who, std::string(ops::kManageUsers), "GET /api/v1/users");
  EXPECT_EQ(refused.code(), StatusCode::kPermissionDenied);
  LogEntry e = this->Last(std::string(ops::kManageUsers));
  EXPECT_EQ(e.username, "pat");
  EXPECT_EQ(e.outcome, kDenied);
  EXPECT_EQ(json::parse(e.terms), json({{"route", "GET /api/v1/users"}}));
  EXPECT_TRUE(AuthorizeRoute(*this->gov_, pat.who, std::string(ops::kSearchReads), "GET /api/v1/reads").ok());
  EXPECT_TRUE(AuthorizeRoute(*this->gov_, this->coord_.who, std::string(ops::kManageUsers), "GET /api/v1/users").ok());
}

// A camera's key ingests that camera's reads only, and the liveness check reads the
// schema version, both through the policy layer.
TYPED_TEST(GovernanceTest, ADeviceIngestsOnlyItsOwnCamerasReads) {
  auto key = CreateApiKey(*this->gov_, this->coord_.who, "cam-ps", "north unit");
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  auto device = AuthenticateDevice(*this->gov_, key->secret, "test");
  ASSERT_TRUE(device.ok()) << device.status().ToString();
  const store::ReadInput mine{.event_id = "dev-1", .camera_id = "cam-ps", .captured_at = this->clock_.Now(),
                              .plate = "8XYZ123", .confidence = 0.9f};
  store::ReadInput other = mine;
  other.event_id = "dev-2";
  other.camera_id = "cam-ps2";
  std::vector<store::ReadInput> batch{mine, other};
  EXPECT_EQ(IngestFromDevice(*this->gov_, *device, batch).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(IngestFromDevice(*this->gov_, Device{}, std::vector<store::ReadInput>{mine}).status().code(),
            StatusCode::kUnauthenticated);
  auto done = IngestFromDevice(*this->gov_, *device, std::vector<store::ReadInput>{mine});
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  ASSERT_EQ(done->size(), 1u);
  EXPECT_FALSE((*done)[0].duplicate) << "the refused batch ingested nothing";
  auto version = CheckDatabase(*this->gov_);
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  EXPECT_GT(*version, 0);
}

// The files `custodian audit verify --against` reads: one head, an array, JSON lines (a
// syslog prefix allowed), a saved /api/v1/transparency answer; and clear refusals.
TEST(GovernanceSignedHeads, EveryKeptFormatParsesAndMalformedOnesAreRefused) {
  const std::string h1 = SignedHeadJson({7, std::string(64, 'a'), FromUnixMillis(1'780'272'000'123),
                                         std::string(128, 'b'), std::string(64, 'c')});
  const std::string h2 = SignedHeadJson({100, std::string(64, 'd'), FromUnixMillis(1'780'272'060'000),
                                         std::string(128, 'e'), std::string(64, 'c')});
  auto one = ParseSignedHeads(h1);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].seq, 7);
  EXPECT_EQ((*one)[0].hash, std::string(64, 'a'));
  EXPECT_EQ((*one)[0].signature_hex, std::string(128, 'b'));
  EXPECT_EQ((*one)[0].public_key_hex, std::string(64, 'c'));
  EXPECT_EQ(ToUnixMillis((*one)[0].at), 1'780'272'000'000);  // milliseconds are not kept
  auto seqs = [](const Result<std::vector<SignedHead>>& r) {
    std::vector<int64_t> out;
    if (r.ok()) {
      for (const auto& h : *r) out.push_back(h.seq);
    }
    return out;
  };
  EXPECT_EQ(seqs(ParseSignedHeads("[" + h1 + ", " + h2 + "]")), (std::vector<int64_t>{7, 100}));
  EXPECT_EQ(seqs(ParseSignedHeads(h1 + "\n\n" + h2 + "\n")), (std::vector<int64_t>{7, 100}));
  EXPECT_EQ(seqs(ParseSignedHeads("Jun  1 00:00:00 host custodian[42]: " + h1 + "\n" + h2)),
            (std::vector<int64_t>{7, 100}));
  const std::string answer = R"({"cameras":{"total":3},"access_log_head":)" + h2 + "}";
  EXPECT_EQ(seqs(ParseSignedHeads(answer)), (std::vector<int64_t>{100}));
  EXPECT_EQ(seqs(ParseSignedHeads(answer + "\n" + h1)), (std::vector<int64_t>{100, 7}));
  EXPECT_EQ(seqs(ParseSignedHeads("[" + answer + "]")), (std::vector<int64_t>{100}));
  // Refusals.
  for (const std::string& bad : {std::string(""), std::string("[]"), std::string("not json"),
                                 std::string(R"({"access_log_head":null})"), std::string(R"({"seq":7})"),
                                 std::string(R"({"seq":0,"hash":")") + std::string(64, 'a') + R"(","signature":")" +
                                     std::string(128, 'b') + "\"}",
                                 std::string(R"({"seq":7,"hash":"XYZ","signature":")") + std::string(128, 'b') + "\"}",
                                 h1 + "\ngarbage"}) {
    auto r = ParseSignedHeads(bad);
    EXPECT_FALSE(r.ok()) << "accepted: " << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    }
  }
  auto line = ParseSignedHeads(h1 + "\ngarbage");
  ASSERT_FALSE(line.ok());
  EXPECT_NE(line.status().message().find("line 2"), std::string::npos) << line.status().message();
}

}  // namespace
}  // namespace custodian::policy
