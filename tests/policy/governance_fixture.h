// A governance test bed on either store backend: a fresh database, two agencies, one
// public-safety and one non-public-safety camera with reads, an injected clock, and
// helpers that make real accounts the way people do (created by the coordinator, first
// logon, MFA enrolment, password change, acknowledgment with both approvals, training).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "custodian/policy/governance.h"
#include "custodian/policy/reports.h"
#include "custodian/policy/sharing.h"
#include "custodian/policy/totp.h"
#include "custodian/store/read_store.h"
#include "store/store_backends.h"
#include "test_dirs.h"

namespace custodian::policy::testing {

namespace fs = std::filesystem;
using store::testing::PostgresBackend;
using store::testing::SqliteBackend;

// 2026-06-01T00:00:00Z.
inline const TimePoint kStart = FromUnixMillis(1'780'272'000'000);


// A person with an account: what they know (password, MFA secret) and their live session.
struct Person {
  std::string username;
  std::string full_name;
  std::string password;
  std::vector<uint8_t> totp_secret;
  std::string token;
  Principal who;
};

template <typename Backend>
class GovernanceFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("custodian_gov_test");
    store::testing::NewServerDatabase<Backend>(dir_, &url_);  // PostgreSQL: the server's role, as `custodian serve`
    if (url_.empty()) return;
    auto s = store::OpenStore(url_, {.image_dir = dir_ / "images", .migrate = true, .clock = &clock_});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->PutAgency({.code = "CITYPD", .name = "City Police"}).ok());
    ASSERT_TRUE(store_->PutAgency({.code = "COUNTYSO", .name = "County Sheriff", .state = "CA", .kind = "county"}).ok());
    ASSERT_TRUE(store_
                    ->PutCamera({.id = "cam-ps", .name = "Main & 3rd", .agency_code = "CITYPD",
                                 .data_class = store::DataClass::kPublicSafety})
                    .ok());
    ASSERT_TRUE(store_
                    ->PutCamera({.id = "cam-ps2", .name = "Oak & 9th", .agency_code = "CITYPD",
                                 .data_class = store::DataClass::kPublicSafety})
                    .ok());
    ASSERT_TRUE(store_
                    ->PutCamera({.id = "cam-park", .name = "Garage level 2", .kind = store::CameraKind::kParking,
                                 .agency_code = "CITYPD", .data_class = store::DataClass::kNonPublicSafety})
                    .ok());
    // The same plate seen by each camera, an hour apart.
    int n = 0;
    for (const char* cam : {"cam-ps", "cam-ps2", "cam-park"}) {
      auto r = store_->IngestOne({.event_id = std::string("ev-") + cam,
                                  .camera_id = cam,
                                  .captured_at = kStart - std::chrono::hours(1 + n++),
                                  .plate = "7ABC123",
                                  .confidence = 0.9f,
                                  .plate_crop = {0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3}});
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      read_ids_[cam] = r->read_id;
    }
    auto g = Governance::Open(*store_, {.clock = &clock_, .signing_key_file = dir_ / "agency.key"});
    ASSERT_TRUE(g.ok()) << g.status().ToString();
    gov_ = std::move(*g);
    auto first = gov_->Bootstrap("coord", "Casey Coordinator", "CITYPD");
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    coord_ = Onboard(first->username, "Casey Coordinator", first->initial_password);
    // The coordinator's own gates: a second coordinator approves as supervisor and coordinator.
    ASSERT_TRUE(gov_->RecordTraining(coord_.who, "coord", "ALPR user training", clock_.Now()).ok());
  }

  void TearDown() override {
    gov_.reset();
    store_.reset();
    if (!url_.empty()) Backend::DropDatabase(url_);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // The current 6-digit code for `secret`; moves the clock past the last step used so
  // each code is fresh (a code is accepted once).
  std::string Code(const std::vector<uint8_t>& secret) {
    clock_.Advance(std::chrono::seconds(31));
    const uint64_t step = uint64_t(ToUnixMillis(clock_.Now()) / 1000 / 30);
    char buf[8];
    std::snprintf(buf, sizeof buf, "%06u", Hotp(secret, step, 6));
    return buf;
  }

  Result<LogonResult> LogOn(const Person& p) {
    return gov_->Logon({.username = p.username,
                        .password = p.password,
                        .totp_code = p.totp_secret.empty() ? "" : Code(p.totp_secret),
                        .notice_accepted = true,
                        .source = "10.0.0.7"});
  }

  // First logon with the one-time password, MFA enrolment, password change, and a
  // fresh logon: returns the person with a full session.
  Person Onboard(const std::string& username, const std::string& full_name, const std::string& initial) {
    Person p{username, full_name, initial, {}, "", {}};
    auto first = LogOn(p);
    EXPECT_TRUE(first.ok()) << first.status().ToString();
    if (!first.ok()) return p;
    EXPECT_TRUE(first->principal.must_enrol_totp);
    EXPECT_TRUE(first->principal.must_change_password);
    auto enrol = gov_->BeginTotpEnrolment(first->principal);
    EXPECT_TRUE(enrol.ok()) << enrol.status().ToString();
    if (!enrol.ok()) return p;
    p.totp_secret = *Base32Decode(enrol->secret_base32);
    Status st = gov_->ConfirmTotpEnrolment(first->principal, Code(p.totp_secret));
    EXPECT_TRUE(st.ok()) << st.ToString();
    p.password = "correct horse battery staple " + username;
    st = gov_->ChangePassword(first->principal, initial, p.password);
    EXPECT_TRUE(st.ok()) << st.ToString();
    EXPECT_TRUE(gov_->Logout(first->principal).ok());
    auto again = LogOn(p);
    EXPECT_TRUE(again.ok()) << again.status().ToString();
    if (!again.ok()) return p;
    EXPECT_FALSE(again->principal.must_enrol_totp);
    EXPECT_FALSE(again->principal.must_change_password);
    p.token = again->token;
    p.who = again->principal;
    return p;
  }

  // A partner agency's user ("deputy" of COUNTYSO) with every gate passed.
  Person Partner() {
    UserSpec spec{.agency_code = "COUNTYSO"};
    return MakeUser("deputy", Role::kPartnerAgency, true, &spec);
  }

  // A user of `role` created by the coordinator, onboarded, and (unless `gates` is false)
  // with a signed and approved acknowledgment and current training.
  Person MakeUser(const std::string& username, Role role, bool gates = true, const UserSpec* spec_in = nullptr) {
    UserSpec spec = spec_in ? *spec_in : UserSpec{};
    spec.username = username;
    spec.full_name = "User " + username;
    if (spec.agency_code.empty()) spec.agency_code = "CITYPD";
    spec.role = role;
    if (spec.supervisor.empty()) spec.supervisor = "coord";
    if (role == Role::kVendorSupport && !spec.access_expires) {
      spec.access_expires = clock_.Now() + std::chrono::days(30);
      spec.background_check = clock_.Now() - std::chrono::days(10);
      spec.cjis_addendum = clock_.Now() - std::chrono::days(10);
    }
    auto made = gov_->CreateUser(coord_.who, spec);
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    if (!made.ok()) return {};
    Person p = Onboard(username, spec.full_name, made->initial_password);
    if (gates) PassGates(p);
    return p;
  }

  void PassGates(const Person& p) {
    AcknowledgmentSignature sig{{true, true, true, true}, p.full_name};
    Status st = gov_->SignAcknowledgment(p.who, sig);
    EXPECT_TRUE(st.ok()) << st.ToString();
    st = gov_->ApproveAcknowledgment(coord_.who, p.username, Approval::kSupervisor);
    EXPECT_TRUE(st.ok()) << st.ToString();
    st = gov_->ApproveAcknowledgment(coord_.who, p.username, Approval::kCoordinator);
    // Where a second coordinator exists, the one who gave the supervisor approval may not
    // give this one too: the second coordinator does.
    if (st.code() == StatusCode::kPermissionDenied && !coord2_.username.empty()) {
      st = gov_->ApproveAcknowledgment(coord2_.who, p.username, Approval::kCoordinator);
    }
    EXPECT_TRUE(st.ok()) << st.ToString();
    st = gov_->RecordTraining(coord_.who, p.username, "ALPR user training", clock_.Now());
    EXPECT_TRUE(st.ok()) << st.ToString();
  }

  // The coordinator's own acknowledgment, approved by a second coordinator.
  void CoordinatorGates() {
    Person other = MakeUser("coord2", Role::kCoordinator, /*gates=*/false);
    coord2_ = other;
    AcknowledgmentSignature sig{{true, true, true, true}, coord_.full_name};
    ASSERT_TRUE(gov_->SignAcknowledgment(coord_.who, sig).ok());
    ASSERT_TRUE(gov_->ApproveAcknowledgment(other.who, "coord", Approval::kSupervisor).ok());
    ASSERT_TRUE(gov_->ApproveAcknowledgment(other.who, "coord", Approval::kCoordinator).ok());
  }

  // Log entries matching `filter`, read directly (tests look at what was written).
  std::vector<LogEntry> LogWhere(const LogFilter& filter) {
    std::vector<LogEntry> out;
    Status st = store_->Transact([&](store::Txn& txn) -> Status {
      auto rows = QueryAccessLog(txn, filter);
      if (!rows.ok()) return rows.status();
      out = std::move(*rows);
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }
  LogEntry LastLog() {
    std::vector<LogEntry> all;
    int64_t after = 0;
    for (;;) {
      auto page = LogWhere({.after_seq = after, .limit = 1000});
      if (page.empty()) break;
      after = page.back().seq;
      all = std::move(page);
    }
    return all.empty() ? LogEntry{} : all.back();
  }

  // A sharing grant made by the coordinator and attested by the partner (in force).
  Result<int64_t> Share(const GrantSpec& spec) {
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, GrantSharing(*gov_, coord_.who, spec));
    CUSTODIAN_RETURN_IF_ERROR(AttestSharing(*gov_, coord_.who, id, {.signatory = "Sheriff Dana Ortiz", .signed_on = clock_.Now()}));
    return id;
  }

  // Share: the county's (COUNTYSO) public-safety grant on every camera until `expires`.
  Result<int64_t> ShareCountyPublicSafety(TimePoint expires) {
    return Share({.agency_code = "COUNTYSO", .data_classes = {store::DataClass::kPublicSafety}, .expires = expires});
  }

  // The misuse flags of one kind raised from the day before kStart to an hour from now,
  // as `by` sees them.
  std::vector<MisuseFlag> FlagsOf(const Principal& by, FlagKind kind) {
    auto flags = MisuseFlags(*gov_, by, kStart - std::chrono::days(1), clock_.Now() + std::chrono::hours(1));
    EXPECT_TRUE(flags.ok()) << flags.status().ToString();
    std::vector<MisuseFlag> out;
    if (flags.ok()) {
      for (const auto& f : *flags) {
        if (f.kind == kind) out.push_back(f);
      }
    }
    return out;
  }

  const AccessPurpose kWhy{"stolen_vehicle", "26-CR-0117"};

  fs::path dir_;
  std::string url_;
  FakeClock clock_{kStart};
  std::unique_ptr<store::ReadStore> store_;
  std::unique_ptr<Governance> gov_;
  Person coord_;
  Person coord2_;  // the second coordinator, once CoordinatorGates made one
  std::map<std::string, int64_t> read_ids_;
};

// The backends every governance suite runs on: TYPED_TEST_SUITE(MyTest, GovernanceBackends).
using GovernanceBackends = ::testing::Types<SqliteBackend, PostgresBackend>;

}  // namespace custodian::policy::testing
