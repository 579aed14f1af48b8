// Webhooks: an alert raised on ingest is POSTed to the receiver with a valid signature,
// retried after failures, and the disclosure is in the access log.
#include <gtest/gtest.h>
#include <httplib.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "custodian/server/webhooks.h"
#include "policy/governance_fixture.h"

namespace custodian::server {
namespace {

using json = nlohmann::json;
using policy::testing::GovernanceFixture;
using policy::testing::SqliteBackend;

const std::string kSecret = "a shared secret of 32+ characters!";

// A target of the city's own agency taking public-safety alerts.
WebhookTarget Target(const std::string& url, const std::string& secret = kSecret) {
  return {.url = url, .secret = secret, .agency_code = "CITYPD", .data_classes = {store::DataClass::kPublicSafety}};
}

class WebhookTest : public GovernanceFixture<SqliteBackend> {
 protected:
  void SetUp() override {
    GovernanceFixture<SqliteBackend>::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    receiver_.Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu_);
      ++attempts_;
      const int64_t ts = std::atoll(req.get_header_value("X-Custodian-Timestamp").c_str());
      signature_ok_ = req.get_header_value("X-Custodian-Signature") == WebhookSignature(kSecret, ts, req.body);
      if (attempts_ <= fail_first_) {
        res.status = 500;
        return;
      }
      bodies_.push_back(req.body);
      cv_.notify_all();
    });
    port_ = receiver_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { receiver_.listen_after_bind(); });
    for (int i = 0; i < 5000 && !receiver_.is_running(); ++i) std::this_thread::yield();
    ASSERT_TRUE(store_->PutHotlist({.name = "stolen", .agency_code = "CITYPD"}).ok());
    std::vector<store::HotlistEntryInput> entries{{"8HOT777", "", "stolen 26-CR-77", std::nullopt}};
    ASSERT_TRUE(store_->ImportHotlistEntries({.list = "stolen", .entries = entries}).ok());
  }
  void TearDown() override {
    receiver_.stop();
    if (thread_.joinable()) thread_.join();
    GovernanceFixture<SqliteBackend>::TearDown();
  }

  // A dispatcher's options for one target, the receiver's /hook: `max_attempts`, short waits.
  WebhookOptions HookOptions(int max_attempts) const {
    return {.targets = {Target("http://127.0.0.1:" + std::to_string(port_) + "/hook")},
            .max_attempts = max_attempts,
            .first_backoff = std::chrono::milliseconds(1),
            .poll = std::chrono::milliseconds(20)};
  }

  // Waits until the receiver accepted `n` bodies (a bound for a broken build, not a timing check).
  bool AwaitBodies(size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(30), [&] { return bodies_.size() >= n; });
  }

  httplib::Server receiver_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  int attempts_ = 0;
  int fail_first_ = 0;
  bool signature_ok_ = false;
  std::vector<std::string> bodies_;
};

TEST_F(WebhookTest, AnAlertIsDeliveredSignedAfterRetriesAndLogged) {
  fail_first_ = 2;
  WebhookDispatcher hooks(*store_, *gov_, HookOptions(4));
  ASSERT_TRUE(hooks.Start().ok());
  auto r = store_->IngestOne({.event_id = "hit-1", .camera_id = "cam-ps", .captured_at = clock_.Now(),
                              .plate = "8HOT777", .confidence = 0.9f});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->alerts, 1);
  hooks.Notify();
  ASSERT_TRUE(AwaitBodies(1));
  hooks.Stop();
  std::lock_guard lock(mu_);
  EXPECT_EQ(attempts_, 3);
  EXPECT_TRUE(signature_ok_);
  json body = json::parse(bodies_[0]);
  EXPECT_EQ(body["event"], "alert");
  EXPECT_EQ(body["alert"]["read_plate"], "8HOT777");
  auto log = LogWhere({.action = "webhook_delivery", .limit = 10});
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].username, "system");
  EXPECT_NE(log[0].terms.find("8HOT777"), std::string::npos);
  EXPECT_EQ(hooks.delivered(), 1);
}

TEST_F(WebhookTest, AlertsRaisedBeforeStartAreNotReplayedAndGivingUpIsLogged) {
  ASSERT_TRUE(store_->IngestOne({.event_id = "old", .camera_id = "cam-ps", .captured_at = clock_.Now(),
                                 .plate = "8HOT777", .confidence = 0.9f})
                  .ok());
  fail_first_ = 100;
  WebhookDispatcher hooks(*store_, *gov_, HookOptions(2));
  ASSERT_TRUE(hooks.Start().ok());
  ASSERT_TRUE(store_->IngestOne({.event_id = "new", .camera_id = "cam-ps2", .captured_at = clock_.Now(),
                                 .plate = "8HOT777", .confidence = 0.9f})
                  .ok());
  hooks.Notify();
  // Two attempts, both refused: one failed entry after one allowed (intent) entry.
  for (int i = 0; i < 3000 && hooks.failed() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  hooks.Stop();
  EXPECT_EQ(hooks.failed(), 1);
  EXPECT_EQ(attempts_, 2) << "only the alert raised after Start is sent";
  EXPECT_EQ(LogWhere({.action = "webhook_delivery", .outcome = "failed", .limit = 10}).size(), 1u);
}

TEST(WebhookTarget, PlainHttpOnlyToThisMachineSecretsAreLongEnoughAndAgencyAndClassesAreNamed) {
  EXPECT_TRUE(CheckWebhookTarget(Target("https://cad.example.gov/alpr")).ok());
  EXPECT_TRUE(CheckWebhookTarget(Target("http://127.0.0.1:9000/x")).ok());
  EXPECT_FALSE(CheckWebhookTarget(Target("http://cad.example.gov/alpr")).ok());
  EXPECT_FALSE(CheckWebhookTarget(Target("https://cad.example.gov/alpr", "short")).ok());
  EXPECT_FALSE(CheckWebhookTarget(Target("ftp://x/y")).ok());
  EXPECT_FALSE(CheckWebhookTarget(Target("https://exa mple/")).ok());
  // The agency it acts for and the classes it takes (issue 23, finding 9).
  WebhookTarget t = Target("https://cad.example.gov/alpr");
  t.agency_code.clear();
  EXPECT_FALSE(CheckWebhookTarget(t).ok());
  t = Target("https://cad.example.gov/alpr");
  t.data_classes.clear();
  EXPECT_FALSE(CheckWebhookTarget(t).ok());
}

}  // namespace
}  // namespace custodian::server
