// Issue 23, findings 7 and 9 of the independent review, each as the auditor met it, on
// both backends. Each test down to the "after the fix" sections failed on the code before
// its fix (e9f1b9f); in WebhooksSendEachTargetOnlyItsClassesAndWhatItsGrantsCover the
// targets' agency and classes were then set through a helper, since today's target type
// had no such fields.
//
// Finding 7: breach notices released plate data without the plate-data gates and without
//   naming it in their log entry, and the list of plate-data actions (used by notices,
//   misuse flags, access and sharing reports) left out most operations that release it.
// Finding 9: webhooks sent every alert of every class and camera to every target, logged
//   as the system with no purpose.
#include <gtest/gtest.h>
#include <httplib.h>

#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "custodian/policy/accuracy_audit.h"
#include "custodian/policy/breach_incidents.h"
#include "custodian/policy/governed_ops.h"
#include "custodian/policy/reports.h"
#include "custodian/policy/sharing.h"
#include "custodian/server/server.h"
#include "custodian/server/webhooks.h"
#include "policy/governance_fixture.h"

namespace custodian::policy {
namespace {

using testing::GovernanceBackends;
using testing::GovernanceFixture;
using testing::kStart;
using testing::Person;
using json = nlohmann::json;
using std::chrono::days;
using std::chrono::minutes;

const std::string kSecret = "a shared secret of 32+ characters!";

template <typename Backend>
class Findings79Test : public GovernanceFixture<Backend> {
 protected:
  // A dispatcher's options for `targets`: two attempts, short waits, the test receiver's
  // self-signed certificate trusted.
  static server::WebhookOptions QuickHooks(std::vector<server::WebhookTarget> targets) {
    return {.targets = std::move(targets),
            .max_attempts = 2,
            .first_backoff = std::chrono::milliseconds(1),
            .poll = std::chrono::milliseconds(20),
            .verify_tls = false};
  }
  // A hotlist entry for 8HOT777 and a read of it by `camera`: returns the alert's id.
  int64_t RaiseAlert(const std::string& camera) {
    if (!hotlist_) {
      EXPECT_TRUE(this->store_->PutHotlist({.name = "stolen", .agency_code = "CITYPD"}).ok());
      std::vector<store::HotlistEntryInput> entries{{"8HOT777", "", "stolen 26-CR-77", std::nullopt}};
      EXPECT_TRUE(this->store_->ImportHotlistEntries({.list = "stolen", .entries = entries}).ok());
      hotlist_ = true;
    }
    auto r = this->store_->IngestOne({.event_id = "hit-" + std::to_string(++hits_) + "-" + camera,
                                      .camera_id = camera,
                                      .captured_at = this->clock_.Now(),
                                      .plate = "8HOT777",
                                      .confidence = 0.9f,
                                      .plate_crop = {0xFF, 0xD8, 0xFF, 0xE0, 9}});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return 0;
    EXPECT_EQ(r->alerts, 1);
    hot_reads_.push_back(r->read_id);
    auto all = this->store_->ListAlerts({.limit = 1000});
    EXPECT_TRUE(all.ok());
    return all.ok() && !all->empty() ? all->back().id : 0;
  }

  int64_t Incident() {
    BreachIncident incident{.agency_name = "City Police Department",
                            .contact_name = "Records Unit",
                            .contact_phone = "555-0100",
                            .what_happened = "An account was used to look up plates without a case.",
                            .information_involved = {"License plate numbers", "Locations and times of vehicles"}};
    auto id = RecordIncident(*this->gov_, this->coord_.who, incident);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  }

  static std::set<int64_t> ReadIds(const BreachNotice& n) {
    std::set<int64_t> out;
    for (const auto& t : n.touched) out.insert(t.read_id);
    return out;
  }

  // Every entry of the log, oldest first.
  std::vector<LogEntry> WholeLog() {
    std::vector<LogEntry> all;
    int64_t after = 0;
    for (;;) {
      auto page = this->LogWhere({.after_seq = after, .limit = 1000});
      if (page.empty()) break;
      after = page.back().seq;
      all.insert(all.end(), page.begin(), page.end());
    }
    return all;
  }

  // An investigator who holds, lists, exports and reviews: every kind of release but a
  // search. Returns the alert's id.
  int64_t InvestigatorReleasesEverythingButASearch(const Person& inv) {
    auto& gov = *this->gov_;
    const int64_t alert = RaiseAlert("cam-ps2");
    auto hold = PlaceHold(gov, inv.who, "criminal_investigation",
                          {.case_number = "26-CR-0117", .reason = "hit and run", .read_ids = {this->read_ids_["cam-ps"]}});
    EXPECT_TRUE(hold.ok()) << hold.status().ToString();
    if (!hold.ok()) return alert;
    EXPECT_TRUE(HeldReadIds(gov, inv.who, "criminal_investigation", hold->id).ok());
    auto ex = ExportEvidence(gov, inv.who, "criminal_investigation", hold->id, this->dir_ / "evidence");
    EXPECT_TRUE(ex.ok()) << ex.status().ToString();
    auto listed = ListAlerts(gov, inv.who, {});
    EXPECT_TRUE(listed.ok()) << listed.status().ToString();
    auto acked = AcknowledgeAlert(gov, inv.who, alert);
    EXPECT_TRUE(acked.ok()) << acked.status().ToString();
    return alert;
  }

  bool hotlist_ = false;
  int hits_ = 0;
  std::vector<int64_t> hot_reads_;
};

TYPED_TEST_SUITE(Findings79Test, GovernanceBackends);

// ---- Finding 7: breach notices and the plate-data actions ----

// Producing a notice lists reads and plates: it passes the plate-data gates (here, the
// coordinator's own signed and approved acknowledgment) under purpose breach_notice with
// the incident as its case, and its entry names the plates it released.
TYPED_TEST(Findings79Test, ABreachNoticePassesThePlateDataGatesAndNamesWhatItReleased) {
  auto& gov = *this->gov_;
  auto pat = this->MakeUser("pat", Role::kPatrol);
  const auto from = this->clock_.Now();
  ASSERT_TRUE(policy::GetRead(gov, pat.who, this->kWhy, this->read_ids_["cam-ps"]).ok());
  const int64_t id = this->Incident();
  // The coordinator has not signed the acknowledgment yet: no notice, and the refusal logged.
  EXPECT_EQ(ProduceNotice(gov, this->coord_.who, id, "pat", {from, this->clock_.Now()}).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(this->LastLog().outcome, kDenied);
  this->CoordinatorGates();
  auto notice = ProduceNotice(gov, this->coord_.who, id, "pat", {from, this->clock_.Now()});
  ASSERT_TRUE(notice.ok()) << notice.status().ToString();
  ASSERT_EQ(notice->touched.size(), 1u);
  LogEntry last = this->LastLog();
  EXPECT_EQ(last.action, "produce_breach_notice");
  EXPECT_EQ(last.outcome, kAllowed);
  EXPECT_EQ(last.purpose, "breach_notice");
  EXPECT_EQ(last.case_number, "BI-" + std::to_string(id));
  EXPECT_EQ(last.records, 1);
  EXPECT_NE(last.terms.find("7ABC123"), std::string::npos) << last.terms;
}

// What an account released through holds, evidence exports, alert listings and reviews is
// in its breach notice, not only its searches and views.
TYPED_TEST(Findings79Test, ABreachNoticeListsWhatEveryKindOfAccessReleased) {
  auto& gov = *this->gov_;
  this->CoordinatorGates();
  auto inv = this->MakeUser("inv", Role::kInvestigator);
  const auto from = this->clock_.Now();
  this->clock_.Advance(minutes(1));
  this->InvestigatorReleasesEverythingButASearch(inv);
  // A second coordinator's accuracy audit: its sample and report list plates.
  auto co2 = this->MakeUser("co2", Role::kCoordinator);
  auto audit = StartAudit(gov, co2.who, {.from = kStart - days(1), .to = kStart, .sample_size = 3, .seed = 7,
                                         .reference = "AA-2026-06"});
  ASSERT_TRUE(audit.ok()) << audit.status().ToString();
  ASSERT_TRUE(AuditAccuracy(gov, co2.who, *audit).ok());
  const int64_t id = this->Incident();
  auto notice = ProduceNotice(gov, this->coord_.who, id, "inv", {from, this->clock_.Now()});
  ASSERT_TRUE(notice.ok()) << notice.status().ToString();
  EXPECT_EQ(this->ReadIds(*notice), (std::set<int64_t>{this->read_ids_["cam-ps"], this->hot_reads_[0]}));
  EXPECT_NE(notice->text.find("8HOT777"), std::string::npos);
  EXPECT_NE(notice->text.find("7ABC123"), std::string::npos);
  auto audited = ProduceNotice(gov, this->coord_.who, id, "co2", {from, this->clock_.Now()});
  ASSERT_TRUE(audited.ok()) << audited.status().ToString();
  EXPECT_EQ(this->ReadIds(*audited), (std::set<int64_t>{this->read_ids_["cam-ps"], this->read_ids_["cam-ps2"],
                                                        this->read_ids_["cam-park"]}));
}

// Access reports (and with them misuse flags and the sharing report) see every operation
// that releases plate data: an auditor asking who saw 8HOT777 finds the alert listing.
TYPED_TEST(Findings79Test, ReportsAndFlagsCountEveryActionThatReleasesPlateData) {
  auto& gov = *this->gov_;
  for (const char* a : {"search_reads", "view_read", "view_images", "place_hold", "held_read_ids", "export_evidence",
                        "list_alerts", "stream_alerts", "overdue_alerts", "view_alert", "acknowledge_alert",
                        "confirm_alert", "dismiss_alert", "fulfil_records_request", "webhook_delivery",
                        "accuracy_audit_start", "accuracy_audit_verify", "accuracy_audit_report", "read_correction",
                        "read_history", "produce_breach_notice"}) {
    EXPECT_TRUE(IsPlateDataAction(a)) << a;
  }
  EXPECT_FALSE(IsPlateDataAction("logon"));
  EXPECT_FALSE(IsPlateDataAction("access_report"));
  auto inv = this->MakeUser("inv", Role::kInvestigator);
  this->InvestigatorReleasesEverythingButASearch(inv);
  auto aud = this->MakeUser("aud", Role::kAuditor);
  auto report = AccessReport(gov, aud.who, {.plate = "8HOT777"});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->by_user.size(), 1u);
  EXPECT_EQ(report->by_user[0].key, "inv");
  EXPECT_EQ(report->by_user[0].allowed, 2) << "the listing and the acknowledgment";
  auto all = AccessReport(gov, aud.who, {.username = "inv"});
  ASSERT_TRUE(all.ok());
  std::set<std::string> plates;
  for (const auto& c : all->by_plate) plates.insert(c.key);
  EXPECT_TRUE(plates.count("8HOT777")) << "alerts";
  EXPECT_TRUE(plates.count("7ABC123")) << "the held read";
}

// The guard against forgetting: every allowed entry that names plates, reads or alerts
// has an action IsPlateDataAction accepts, and the log refuses an entry that names plate
// data under an action nobody declared (so a new operation fails at its first use).
TYPED_TEST(Findings79Test, EveryEntryThatReleasesPlateDataHasADeclaredAction) {
  auto& gov = *this->gov_;
  this->CoordinatorGates();
  auto inv = this->MakeUser("inv", Role::kInvestigator);
  this->InvestigatorReleasesEverythingButASearch(inv);
  ASSERT_TRUE(policy::SearchReads(gov, inv.who, this->kWhy, {.plate = "7ABC123"}).ok());
  ASSERT_TRUE(policy::GetReadImage(gov, inv.who, this->kWhy, this->read_ids_["cam-ps"], false).ok());
  auto audit = StartAudit(gov, this->coord_.who, {.from = kStart - days(1), .to = kStart, .sample_size = 3,
                                                  .reference = "AA-2026-06"});
  ASSERT_TRUE(audit.ok()) << audit.status().ToString();
  ASSERT_TRUE(VerifyItem(gov, this->coord_.who, *audit, this->read_ids_["cam-ps"], {.correct = true}).ok());
  ASSERT_TRUE(AuditAccuracy(gov, this->coord_.who, *audit).ok());
  const int64_t alert = this->RaiseAlert("cam-ps");
  ASSERT_TRUE(GetAlert(gov, inv.who, alert).ok());
  ASSERT_TRUE(AcknowledgeAlert(gov, inv.who, alert).ok());
  ASSERT_TRUE(DismissAlert(gov, inv.who, alert, "plate misread").ok());
  ASSERT_TRUE(OverdueAlerts(gov, inv.who, std::chrono::milliseconds(0)).ok());
  ASSERT_TRUE(NewAlertsForStream(gov, inv.who, 0).ok());
  int named = 0;
  for (const auto& en : this->WholeLog()) {
    if (en.outcome != kAllowed) continue;
    json t = json::parse(en.terms, nullptr, false);
    bool names = false;
    for (const char* k : {"plate", "plates", "read_id", "read_ids", "alert_ids", "old_plate"}) names |= t.contains(k);
    if (!names || en.action == "access_report") continue;
    ++named;
    EXPECT_TRUE(IsPlateDataAction(en.action)) << en.action << " " << en.terms;
  }
  EXPECT_GE(named, 10);
  // An operation nobody declared cannot log a release of plate data.
  LogEvent e = gov.Event(inv.who, "export_plates_to_spreadsheet", kAllowed);
  e.terms = json{{"plates", {"7ABC123"}}}.dump();
  e.records = 1;
  EXPECT_FALSE(gov.Record(inv.who, e).ok());
  EXPECT_NE(this->LastLog().action, "export_plates_to_spreadsheet");
}

// ---- Finding 9: webhooks ----

// A receiver of webhook deliveries over real HTTPS on loopback: records which alert ids
// (and their cameras) reached each path.
class Receiver {
 public:
  explicit Receiver(const std::filesystem::path& dir)
      : cert_(dir / "hook-tls" / "cert.pem"), key_(dir / "hook-tls" / "key.pem"), ok_(Make()) {}
  ~Receiver() {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
  }
  bool ok() const { return ok_; }
  std::string Url(const std::string& path) const { return "https://127.0.0.1:" + std::to_string(port_) + path; }
  // Waits until `path` received alert `id` (a bound for a broken build, not a timing check).
  bool Await(const std::string& path, int64_t id) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(30), [&] { return got_[path].count(id) > 0; });
  }
  std::set<int64_t> Got(const std::string& path) {
    std::lock_guard lock(mu_);
    return got_[path];
  }

 private:
  bool Make() {
    if (!server::EnsureSelfSignedCertificate(cert_, key_).ok()) return false;
    server_ = std::make_unique<httplib::SSLServer>(cert_.c_str(), key_.c_str());
    if (!server_->is_valid()) return false;
    server_->Post(R"(/hook/(\w+))", [this](const httplib::Request& req, httplib::Response&) {
      json body = json::parse(req.body, nullptr, false);
      std::lock_guard lock(mu_);
      if (body.is_object() && body.contains("alert")) got_["/hook/" + std::string(req.matches[1])].insert(body["alert"]["id"].get<int64_t>());
      cv_.notify_all();
    });
    port_ = server_->bind_to_any_port("127.0.0.1");
    if (port_ <= 0) return false;
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    for (int i = 0; i < 5000 && !server_->is_running(); ++i) std::this_thread::yield();
    return true;
  }

  std::filesystem::path cert_, key_;
  std::unique_ptr<httplib::SSLServer> server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::set<int64_t>> got_;
  bool ok_ = false;
};

// A target names its agency and classes: none, and the dispatcher does not start.
TYPED_TEST(Findings79Test, AWebhookTargetMustNameItsAgencyAndClasses) {
  server::WebhookTarget bare;
  bare.url = "https://cad.example.gov/alpr";
  bare.secret = kSecret;
  EXPECT_FALSE(server::CheckWebhookTarget(bare).ok());
  server::WebhookDispatcher hooks(*this->store_, *this->gov_, {.targets = {bare}});
  EXPECT_FALSE(hooks.Start().ok());
  hooks.Stop();
}

// The city's dispatch target takes public-safety alerts only; the county's takes what its
// one grant covers (public safety from cam-ps): not the parking alert, not cam-ps2's. Each
// delivery is logged under purpose hotlist_alert with the target's agency, the alert ids
// and plates; each alert a grant does not cover is logged as refused.
TYPED_TEST(Findings79Test, WebhooksSendEachTargetOnlyItsClassesAndWhatItsGrantsCover) {
  auto& gov = *this->gov_;
  ASSERT_TRUE(this->Share({.agency_code = "COUNTYSO", .data_classes = {store::DataClass::kPublicSafety},
                           .camera_ids = {"cam-ps"}, .expires = this->clock_.Now() + days(30)})
                  .ok());
  Receiver rx(this->dir_);
  ASSERT_TRUE(rx.ok());
  server::WebhookTarget city{.url = rx.Url("/hook/city"), .secret = kSecret, .agency_code = "CITYPD",
                             .data_classes = {store::DataClass::kPublicSafety}};
  server::WebhookTarget county{.url = rx.Url("/hook/county"), .secret = kSecret, .agency_code = "COUNTYSO",
                               .data_classes = {store::DataClass::kPublicSafety, store::DataClass::kNonPublicSafety}};
  server::WebhookDispatcher hooks(*this->store_, gov, this->QuickHooks({city, county}));
  ASSERT_TRUE(hooks.Start().ok());
  const int64_t on_ps = this->RaiseAlert("cam-ps");
  const int64_t on_ps2 = this->RaiseAlert("cam-ps2");
  const int64_t on_park = this->RaiseAlert("cam-park");
  const int64_t last = this->RaiseAlert("cam-ps");  // delivered to both: everything before it was handled
  hooks.Notify();
  ASSERT_TRUE(rx.Await("/hook/city", last));
  ASSERT_TRUE(rx.Await("/hook/county", last));
  hooks.Stop();
  EXPECT_EQ(rx.Got("/hook/city"), (std::set<int64_t>{on_ps, on_ps2, last}));
  EXPECT_EQ(rx.Got("/hook/county"), (std::set<int64_t>{on_ps, last}));
  (void)on_park;
  auto delivered = this->LogWhere({.action = "webhook_delivery", .outcome = std::string(kAllowed), .limit = 100});
  ASSERT_EQ(delivered.size(), 5u);
  int county_entries = 0;
  for (const auto& en : delivered) {
    EXPECT_EQ(en.purpose, "hotlist_alert");
    json t = json::parse(en.terms);
    ASSERT_TRUE(t.contains("alert_ids")) << en.terms;
    ASSERT_TRUE(t.contains("plates")) << en.terms;
    EXPECT_EQ(t["plates"], json::array({"8HOT777"}));
    if (en.agency_code == "COUNTYSO") ++county_entries;
  }
  EXPECT_EQ(county_entries, 2);
  auto refused = this->LogWhere({.action = "webhook_delivery", .outcome = std::string(kDenied), .limit = 100});
  ASSERT_EQ(refused.size(), 2u) << "cam-ps2's and the parking alert, to the county";
  for (const auto& en : refused) EXPECT_EQ(en.agency_code, "COUNTYSO");
}

// ---- After the fix: finding 7 ----

// Purpose breach_notice belongs to its workflow: a search under it names an incident.
TYPED_TEST(Findings79Test, TheBreachNoticePurposeIsReservedForRecordedIncidents) {
  auto& gov = *this->gov_;
  this->CoordinatorGates();
  auto page = policy::SearchReads(gov, this->coord_.who, {"breach_notice", "BI-999"}, {.plate = "7ABC123"});
  EXPECT_EQ(page.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(this->LastLog().outcome, kDenied);
  const int64_t id = this->Incident();
  EXPECT_TRUE(
      policy::SearchReads(gov, this->coord_.who, {"breach_notice", IncidentCaseNumber(id)}, {.plate = "7ABC123"}).ok());
  // An unknown incident: refused and logged, under the notice's own purpose and case.
  EXPECT_EQ(ProduceNotice(gov, this->coord_.who, 999, "coord", {kStart, this->clock_.Now()}).status().code(),
            StatusCode::kNotFound);
  LogEntry last = this->LastLog();
  EXPECT_EQ(last.outcome, kDenied);
  EXPECT_EQ(last.case_number, "BI-999");
  // The notice of the coordinator's own search names the plate and its reads.
  auto notice = ProduceNotice(gov, this->coord_.who, id, "coord", {kStart, this->clock_.Now()});
  ASSERT_TRUE(notice.ok()) << notice.status().ToString();
  json t = json::parse(this->LastLog().terms);
  EXPECT_EQ(t["plates"], json::array({"7ABC123"}));
  EXPECT_EQ(t["reads_per_plate"]["7ABC123"], 3);
  EXPECT_EQ(t["read_ids"].size(), 3u);
}

// Hotlist alerts carry no case number (the alerts are the reason): listing and reviewing
// them is plate data, counted, but not flagged no_case.
TYPED_TEST(Findings79Test, AlertListingsAreCountedButNotFlaggedForLackingACase) {
  auto inv = this->MakeUser("inv", Role::kInvestigator);
  this->InvestigatorReleasesEverythingButASearch(inv);
  auto aud = this->MakeUser("aud", Role::kAuditor);
  EXPECT_TRUE(this->FlagsOf(aud.who, FlagKind::kNoCase).empty());
  auto report = AccessReport(*this->gov_, aud.who, {.username = "inv", .purpose = "hotlist_alert"});
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->entries, 2);
}

// The gates of the plate-data operations are the declared ones: an operation nobody
// declared is refused before anything is logged under its name.
TYPED_TEST(Findings79Test, OnlyDeclaredGatesOpenPlateData) {
  auto inv = this->MakeUser("inv", Role::kInvestigator);
  EXPECT_EQ(this->gov_->AuthorizePlateData(inv.who, ops::kViewHotlists, this->kWhy, std::nullopt, "{}").code(),
            StatusCode::kInternal);
  EXPECT_TRUE(this->gov_->AuthorizePlateData(inv.who, ops::kSearchReads, this->kWhy, store::DataClass::kPublicSafety,
                                             "{}")
                  .ok());
  for (const auto& a : kPlateDataActions) {
    EXPECT_EQ(PlateDataActionOf(a.action), &a);
    if (!a.gate.empty()) {
      EXPECT_TRUE(IsPlateDataAction(a.gate)) << a.gate;
    }
  }
}

// ---- After the fix: finding 9 ----

// A target's agency must be recorded; an outside agency's target follows its grants as
// they change (revoked: refused), and its deliveries are partner activity in the sharing
// report.
TYPED_TEST(Findings79Test, AnOutsideAgencysTargetFollowsItsGrantsAndShowsInTheSharingReport) {
  auto& gov = *this->gov_;
  Receiver rx(this->dir_);
  ASSERT_TRUE(rx.ok());
  server::WebhookTarget nowhere{.url = rx.Url("/hook/x"), .secret = kSecret, .agency_code = "NOSUCH",
                                .data_classes = {store::DataClass::kPublicSafety}};
  server::WebhookDispatcher bad(*this->store_, gov, {.targets = {nowhere}});
  EXPECT_EQ(bad.Start().code(), StatusCode::kNotFound);
  bad.Stop();
  auto grant = this->ShareCountyPublicSafety(this->clock_.Now() + days(30));
  ASSERT_TRUE(grant.ok()) << grant.status().ToString();
  // The county's target first: when the city's has an alert, the county's was decided.
  server::WebhookTarget county{.url = rx.Url("/hook/county"), .secret = kSecret, .agency_code = "COUNTYSO",
                               .data_classes = {store::DataClass::kPublicSafety}};
  server::WebhookTarget city{.url = rx.Url("/hook/city"), .secret = kSecret, .agency_code = "CITYPD",
                             .data_classes = {store::DataClass::kPublicSafety}};
  server::WebhookDispatcher hooks(*this->store_, gov, this->QuickHooks({county, city}));
  ASSERT_TRUE(hooks.Start().ok());
  const TimePoint from = this->clock_.Now();
  const int64_t shared = this->RaiseAlert("cam-ps2");
  hooks.Notify();
  ASSERT_TRUE(rx.Await("/hook/city", shared));
  ASSERT_TRUE(RevokeSharing(gov, this->coord_.who, *grant).ok());
  const int64_t after = this->RaiseAlert("cam-ps2");
  hooks.Notify();
  ASSERT_TRUE(rx.Await("/hook/city", after));
  hooks.Stop();
  EXPECT_EQ(rx.Got("/hook/county"), std::set<int64_t>{shared});
  auto refused = this->LogWhere({.action = "webhook_delivery", .outcome = std::string(kDenied), .limit = 10});
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_NE(refused[0].terms.find("[" + std::to_string(after) + "]"), std::string::npos) << refused[0].terms;
  auto report = SharingReport(gov, this->coord_.who, from, this->clock_.Now() + std::chrono::seconds(1));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->partners.size(), 1u);
  EXPECT_EQ(report->partners[0].agency_code, "COUNTYSO");
  EXPECT_EQ(report->partners[0].searches, 2);
  EXPECT_EQ(report->partners[0].denied, 1);
  // Deliveries are the system's, decided by grants: no person is flagged for them.
  auto aud = this->MakeUser("aud", Role::kAuditor);
  auto flags = MisuseFlags(gov, aud.who, from, this->clock_.Now() + std::chrono::seconds(1));
  ASSERT_TRUE(flags.ok());
  for (const auto& f : *flags) EXPECT_NE(f.username, "system") << FlagKindName(f.kind);
}

}  // namespace
}  // namespace custodian::policy
