// custodian watch's delivery to a real Custodian server over real TLS: the outbox sends
// through ServerSender with a camera's API key; a server stopped mid-run keeps the reads
// queued and the next try after its restart delivers them, each once; a lost answer retried
// is a duplicate; a wrong key, an untrusted certificate and a plain-http URL are refused
// with clear errors and lose nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "custodian/policy/api_keys.h"
#include "custodian/server/server.h"
#include "custodian/watch/outbox.h"
#include "policy/governance_fixture.h"

namespace custodian::watch {
namespace {

namespace fs = std::filesystem;
using policy::testing::GovernanceFixture;
using policy::testing::SqliteBackend;

class DeliveryTest : public GovernanceFixture<SqliteBackend> {
 protected:
  void SetUp() override {
    GovernanceFixture<SqliteBackend>::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    cert_ = dir_ / "tls" / "cert.pem";
    auto fp = server::EnsureSelfSignedCertificate(cert_, dir_ / "tls" / "key.pem");
    ASSERT_TRUE(fp.ok()) << fp.status().ToString();
    StartServer(0);
    auto key = policy::CreateApiKey(*gov_, coord_.who, "cam-ps", "watch unit");
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    key_ = key->secret;
    auto box = Outbox::Open({.file = dir_ / "outbox.db", .clock = &clock_});
    ASSERT_TRUE(box.ok()) << box.status().ToString();
    outbox_ = std::move(*box);
  }
  void TearDown() override {
    if (server_) server_->Stop();
    server_.reset();
    GovernanceFixture<SqliteBackend>::TearDown();
  }
  void StartServer(int port) {
    auto srv = server::Server::Create(*store_, *gov_, nullptr,
                                      {.listen_port = port, .cert_file = cert_, .key_file = dir_ / "tls" / "key.pem",
                                       .threads = 4, .export_dir = dir_ / "exports"});
    ASSERT_TRUE(srv.ok()) << srv.status().ToString();
    server_ = std::move(*srv);
    ASSERT_TRUE(server_->Start().ok());
  }
  ServerDestination Destination() const {
    return {.url = "https://localhost:" + std::to_string(server_->port()), .api_key = key_, .ca_file = cert_.string()};
  }
  store::ReadInput Read(int n) const {
    return {.event_id = "cam-ps-" + std::to_string(1'767'225'600'000 + n) + "-" + std::to_string(n),
            .camera_id = "cam-ps",
            .captured_at = clock_.Now() + std::chrono::seconds(n),
            .plate = "6WTC" + std::to_string(100 + n),
            .confidence = 0.9f,
            .plate_crop = {0xFF, 0xD8, 0xFF, uint8_t(n)}};
  }
  int64_t Stored(const std::string& plate) {
    auto page = store_->Search({.match = store::PlateMatch::kExact, .plate = plate, .limit = 100});
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? int64_t(page->reads.size()) : -1;
  }

  fs::path cert_;
  std::string key_;
  std::unique_ptr<server::Server> server_;
  std::unique_ptr<Outbox> outbox_;
};

TEST_F(DeliveryTest, ReadsReachTheServerWithTheCamerasKeyOverTrustedTls) {
  for (int n = 0; n < 3; ++n) ASSERT_TRUE(outbox_->Put(Read(n)).ok());
  auto sent = outbox_->Deliver(ServerSender(Destination()));
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  EXPECT_EQ(*sent, 3);
  EXPECT_EQ(outbox_->figures().reads, 0);
  for (int n = 0; n < 3; ++n) EXPECT_EQ(Stored("6WTC" + std::to_string(100 + n)), 1);
}

TEST_F(DeliveryTest, AServerStoppedMidRunKeepsTheReadsQueuedUntilItIsBack) {
  ASSERT_TRUE(outbox_->Put(Read(1)).ok());
  ASSERT_EQ(*outbox_->Deliver(ServerSender(Destination())), 1);
  const int port = server_->port();
  const ServerDestination dest = Destination();
  server_->Stop();
  server_.reset();
  ASSERT_TRUE(outbox_->Put(Read(2)).ok());
  ASSERT_TRUE(outbox_->Put(Read(3)).ok());
  auto down = outbox_->Deliver(ServerSender(dest));
  ASSERT_TRUE(down.ok());
  EXPECT_EQ(*down, 0);
  EXPECT_EQ(outbox_->figures().reads, 2);
  EXPECT_EQ(outbox_->figures().failures_in_a_row, 1);
  StartServer(port);
  ASSERT_EQ(server_->port(), port);
  EXPECT_EQ(*outbox_->Deliver(ServerSender(dest)), 0) << "waits for the retry time";
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(*outbox_->Deliver(ServerSender(dest)), 2);
  for (int n = 1; n <= 3; ++n) EXPECT_EQ(Stored("6WTC" + std::to_string(100 + n)), 1);
}

TEST_F(DeliveryTest, ABatchSentAgainAfterALostAnswerIsStoredOnce) {
  const std::vector<store::ReadInput> batch = {Read(5), Read(6)};
  Outbox::Send send = ServerSender(Destination());
  ASSERT_TRUE(send(batch).ok());
  ASSERT_TRUE(send(batch).ok()) << "the retry is acknowledged";
  EXPECT_EQ(Stored("6WTC105"), 1);
  EXPECT_EQ(Stored("6WTC106"), 1);
}

TEST_F(DeliveryTest, AWrongKeyAnUntrustedCertificateAndPlainHttpAreRefusedAndLoseNothing) {
  ASSERT_TRUE(outbox_->Put(Read(8)).ok());
  const std::vector<store::ReadInput> one = {Read(8)};
  ServerDestination wrong = Destination();
  wrong.api_key = "ck_" + std::string(64, '0');
  Status st = ServerSender(wrong)(one);
  EXPECT_EQ(st.code(), StatusCode::kUnauthenticated) << st.ToString();
  ServerDestination untrusted = Destination();
  untrusted.ca_file.clear();  // the system's authorities do not know a self-signed certificate
  st = ServerSender(untrusted)(one);
  EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st.ToString();
  EXPECT_NE(st.message().find("certificate"), std::string::npos) << st.ToString();
  ServerDestination plain = Destination();
  plain.url = "http://localhost:" + std::to_string(server_->port());
  EXPECT_EQ(ServerSender(plain)(one).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*outbox_->Deliver(ServerSender(wrong)), 0);
  EXPECT_EQ(outbox_->figures().reads, 1);
  EXPECT_EQ(Stored("6WTC108"), 0);
}

}  // namespace
}  // namespace custodian::watch
