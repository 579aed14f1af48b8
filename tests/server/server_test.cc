// The HTTPS server as clients see it, over real TLS on loopback, with real accounts:
// every route refuses a request without a session (or key) and one from a role without
// its permission; TLS 1.0/1.1 are refused; security headers; CSRF; the OpenAPI file and
// the route table agree; camera ingest raises an alert that reaches a live stream. With
// CUSTODIAN_API_RECORD naming a folder, every answer the tests receive is recorded there
// for tests/server/openapi/validate.mjs, which checks them against api/openapi.json.
#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/ssl.h>
#include <sodium.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "custodian/policy/api_keys.h"
#include "custodian/core/utc_time.h"
#include "custodian/server/server.h"
#include "policy/governance_fixture.h"

namespace custodian::server {
namespace {

using json = nlohmann::json;
using policy::Role;
using policy::testing::GovernanceFixture;
using policy::testing::Person;
using policy::testing::SqliteBackend;

// With CUSTODIAN_API_RECORD naming a folder, appends one JSON line per answer to
// <folder>/answers-<pid>.jsonl (a file per test process, as CTest runs each test in its own):
// the test, method, request path (with its query), status, Content-Type, and the body
// (parsed when it is JSON; its text when it claims JSON but is not; else null). Installed as
// the logger of every client the tests use; the tests' assertions are unchanged.
void RecordAnswer(const httplib::Request& req, const httplib::Response& res) {
  static const std::string file = [] {
    const char* dir = std::getenv("CUSTODIAN_API_RECORD");
    if (dir == nullptr || *dir == '\0') return std::string();
    std::filesystem::create_directories(dir);
    return (std::filesystem::path(dir) / ("answers-" + std::to_string(::getpid()) + ".jsonl")).string();
  }();
  if (file.empty()) return;
  const std::string type = res.get_header_value("Content-Type");
  json line = {{"method", req.method}, {"path", req.path}, {"status", res.status}, {"content_type", type},
               {"body", nullptr}};
  if (const auto* test = ::testing::UnitTest::GetInstance()->current_test_info()) {
    line["test"] = std::string(test->test_suite_name()) + "." + test->name();
  }
  if (type.rfind("application/json", 0) == 0) {
    json body = json::parse(res.body, nullptr, false);
    if (body.is_discarded()) {
      line["body_text"] = res.body.substr(0, 200);
    } else {
      line["body"] = std::move(body);
    }
  }
  static std::mutex mu;
  std::lock_guard lock(mu);
  std::ofstream(file, std::ios::app) << line.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
}

class ServerTest : public GovernanceFixture<SqliteBackend> {
 protected:
  void SetUp() override {
    GovernanceFixture<SqliteBackend>::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto fp = EnsureSelfSignedCertificate(dir_ / "tls" / "cert.pem", dir_ / "tls" / "key.pem");
    ASSERT_TRUE(fp.ok()) << fp.status().ToString();
    auto srv = Server::Create(*store_, *gov_, nullptr,
                              {.listen_port = 0, .cert_file = dir_ / "tls" / "cert.pem", .key_file = dir_ / "tls" / "key.pem",
                               .threads = 8, .log_requests = true,
                               .request_log = [this](const std::string& line) {
                                 std::lock_guard lock(request_log_mu_);
                                 request_log_.push_back(line);
                               },
                               .stream_wake = std::chrono::milliseconds(20), .export_dir = dir_ / "exports"});
    ASSERT_TRUE(srv.ok()) << srv.status().ToString();
    server_ = std::move(*srv);
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override {
    if (server_) server_->Stop();
    server_.reset();
    GovernanceFixture<SqliteBackend>::TearDown();
  }

  std::unique_ptr<httplib::SSLClient> Client() {
    auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", server_->port());
    c->enable_server_certificate_verification(false);
    c->set_read_timeout(10, 0);
    c->set_logger(RecordAnswer);
    return c;
  }

  struct Web {
    std::string cookie;
    std::string csrf;
    httplib::Headers Headers() const { return {{"Cookie", cookie}, {"X-CSRF-Token", csrf}}; }
  };

  // Logs `p` on over HTTPS.
  Web LogOnWeb(const Person& p) {
    auto c = Client();
    json body = {{"username", p.username}, {"password", p.password}, {"code", Code(p.totp_secret)},
                 {"notice_accepted", true}};
    auto r = c->Post("/api/v1/session", body.dump(), "application/json");
    EXPECT_TRUE(r) << "no response";
    if (!r) return {};
    EXPECT_EQ(r->status, 200) << r->body;
    Web w;
    std::string set = r->get_header_value("Set-Cookie");
    w.cookie = set.substr(0, set.find(';'));
    EXPECT_NE(set.find("Secure"), std::string::npos);
    EXPECT_NE(set.find("HttpOnly"), std::string::npos);
    EXPECT_NE(set.find("SameSite=Strict"), std::string::npos);
    w.csrf = json::parse(r->body).value("csrf_token", "");
    return w;
  }

  httplib::Result Call(const RouteInfo& r, const httplib::Headers& h, const std::string& body = "{}") {
    std::string path = r.path;
    for (auto [from, to] : {std::pair{"{id}", "1"}, std::pair{"{name}", "x"}, std::pair{"{username}", "coord"},
                            std::pair{"{action}", "unlock"}, std::pair{"{read_id}", "1"}}) {
      auto at = path.find(from);
      if (at != std::string::npos) path.replace(at, std::string(from).size(), to);
    }
    auto c = Client();
    if (r.method == "GET") return c->Get(path.c_str(), h);
    if (r.method == "DELETE") return c->Delete(path.c_str(), h);
    return c->Post(path.c_str(), h, body, "application/json");
  }

  std::vector<std::string> RequestLog() {
    std::lock_guard lock(request_log_mu_);
    return request_log_;
  }

  std::unique_ptr<Server> server_;
  std::mutex request_log_mu_;
  std::vector<std::string> request_log_;
};

TEST_F(ServerTest, EveryRouteRefusesARequestWithoutASessionOrKey) {
  int checked = 0;
  for (const RouteInfo& r : server_->Routes()) {
    if (r.auth == "public") continue;
    auto res = Call(r, {});
    ASSERT_TRUE(res) << r.method << " " << r.path;
    EXPECT_EQ(res->status, 401) << r.method << " " << r.path << ": " << res->body;
    json err = json::parse(res->body, nullptr, false);
    ASSERT_TRUE(err.contains("error")) << res->body;
    EXPECT_EQ(err["error"]["code"], "unauthenticated");
    ++checked;
  }
  EXPECT_GE(checked, 30);
  // A forged or revoked key is refused too.
  auto res = Client()->Post("/api/v1/reads", {{"Authorization", "Bearer ck_" + std::string(64, 'a')}}, "{}",
                            "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
}

TEST_F(ServerTest, EveryRouteRefusesARoleWithoutItsPermission) {
  // For each route, the first of these roles that may not perform its operation on any
  // data class; its refusal must be 403 and leave a denied log entry.
  const Role order[] = {Role::kVendorSupport, Role::kAuditor, Role::kPatrol, Role::kParkingEnforcement};
  std::map<Role, Web> sessions;
  const auto& m = gov_->matrix();
  int checked = 0;
  for (const RouteInfo& r : server_->Routes()) {
    if (r.auth != "user" || r.operation.empty()) continue;
    std::optional<Role> lacking;
    for (Role role : order) {
      const bool any = m.Scoped(r.operation) ? !m.ClassesFor(role, r.operation).empty() : m.Allows(role, r.operation);
      if (!any) {
        lacking = role;
        break;
      }
    }
    ASSERT_TRUE(lacking) << r.path << " is allowed to every test role";
    if (!sessions.count(*lacking)) {
      Person p = MakeUser(std::string("u_") + std::string(policy::RoleName(*lacking)), *lacking);
      sessions[*lacking] = LogOnWeb(p);
    }
    const int64_t before = LastLog().seq;
    auto res = Call(r, sessions[*lacking].Headers());
    ASSERT_TRUE(res) << r.path;
    EXPECT_EQ(res->status, 403) << policy::RoleName(*lacking) << " " << r.method << " " << r.path << ": " << res->body;
    policy::LogEntry e = LastLog();
    EXPECT_GT(e.seq, before) << r.path;
    EXPECT_EQ(e.outcome, "denied") << r.path;
    EXPECT_EQ(e.username, std::string("u_") + std::string(policy::RoleName(*lacking))) << r.path;
    ++checked;
  }
  EXPECT_GE(checked, 25);
}

TEST_F(ServerTest, AFirstLogonSessionOpensOnlyEnrolmentAndPasswordChange) {
  auto made = gov_->CreateUser(coord_.who, {.username = "newbie", .full_name = "New Bie", .agency_code = "CITYPD",
                                            .role = Role::kPatrol});
  ASSERT_TRUE(made.ok());
  auto c = Client();
  auto r = c->Post("/api/v1/session",
                   json{{"username", "newbie"}, {"password", made->initial_password}, {"notice_accepted", true}}.dump(),
                   "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json me = json::parse(r->body);
  EXPECT_TRUE(me["must_enrol_totp"]);
  std::string set = r->get_header_value("Set-Cookie");
  httplib::Headers h{{"Cookie", set.substr(0, set.find(';'))}, {"X-CSRF-Token", me["csrf_token"]}};
  auto search = Client()->Get("/api/v1/reads?plate=7ABC123&purpose=stolen_vehicle&case=26-CR-1", h);
  ASSERT_TRUE(search);
  EXPECT_EQ(search->status, 403) << search->body;
  auto enrol = Client()->Post("/api/v1/me/mfa/enrol", h, "{}", "application/json");
  ASSERT_TRUE(enrol);
  EXPECT_EQ(enrol->status, 200) << enrol->body;
  EXPECT_EQ(json::parse(enrol->body)["uri"].get<std::string>().rfind("otpauth://totp/", 0), 0u);
}

TEST_F(ServerTest, StateChangingRequestsNeedTheCsrfToken) {
  Web w = LogOnWeb(coord_);
  auto without = Client()->Post("/api/v1/cameras", {{"Cookie", w.cookie}},
                                R"({"id":"cam-x","name":"X","data_class":"public_safety"})", "application/json");
  ASSERT_TRUE(without);
  EXPECT_EQ(without->status, 403);
  EXPECT_NE(without->body.find("CSRF"), std::string::npos);
  auto with = Client()->Post("/api/v1/cameras", w.Headers(), R"({"id":"cam-x","name":"X","data_class":"public_safety"})",
                             "application/json");
  ASSERT_TRUE(with);
  EXPECT_EQ(with->status, 201) << with->body;
}

TEST_F(ServerTest, ResponsesCarryHstsAStrictCspAndNoServerVersion) {
  auto r = Client()->Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->get_header_value("Strict-Transport-Security").find("max-age="), std::string::npos);
  const std::string csp = r->get_header_value("Content-Security-Policy");
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos);
  EXPECT_FALSE(r->has_header("Server"));
  EXPECT_EQ(r->get_header_value("X-Content-Type-Options"), "nosniff");
  auto missing = Client()->Get("/api/v1/nothing-here");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_TRUE(json::parse(missing->body, nullptr, false).contains("error"));
}

// Handshakes with a client limited to `version`; true when it completes.
bool Handshake(int port, int version) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_min_proto_version(ctx, version);
  SSL_CTX_set_max_proto_version(ctx, version);
  SSL_CTX_set_security_level(ctx, 0);  // let the client offer old protocols at all
  BIO* bio = BIO_new_ssl_connect(ctx);
  std::string addr = "127.0.0.1:" + std::to_string(port);
  BIO_set_conn_hostname(bio, addr.c_str());
  bool ok = BIO_do_connect(bio) == 1 && BIO_do_handshake(bio) == 1;
  BIO_free_all(bio);
  SSL_CTX_free(ctx);
  return ok;
}

TEST_F(ServerTest, TlsOneZeroAndOneOneHandshakesAreRefused) {
  EXPECT_FALSE(Handshake(server_->port(), TLS1_VERSION));
  EXPECT_FALSE(Handshake(server_->port(), TLS1_1_VERSION));
  EXPECT_TRUE(Handshake(server_->port(), TLS1_2_VERSION));
  EXPECT_TRUE(Handshake(server_->port(), TLS1_3_VERSION));
}

TEST_F(ServerTest, TheOpenApiFileAndTheRouteTableAgree) {
  std::ifstream in(std::string(CUSTODIAN_SOURCE_DIR) + "/api/openapi.json");
  ASSERT_TRUE(in) << "api/openapi.json is missing";
  json doc = json::parse(in, nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  std::set<std::string> in_file, served;
  for (auto& [path, methods] : doc["paths"].items()) {
    for (auto& [method, op] : methods.items()) {
      std::string m = method;
      for (auto& ch : m) ch = char(std::toupper(static_cast<unsigned char>(ch)));
      in_file.insert(m + " " + path);
      const std::string auth = op.value("x-custodian-auth", "");
      for (const auto& r : server_->Routes()) {
        if (r.method == m && r.path == path) {
          EXPECT_EQ(auth, r.auth) << m << " " << path;
          EXPECT_EQ(op.value("x-custodian-operation", ""), r.operation) << m << " " << path;
        }
      }
    }
  }
  for (const auto& r : server_->Routes()) served.insert(r.method + " " + r.path);
  for (const auto& s : served) EXPECT_TRUE(in_file.count(s)) << s << " is served but not in api/openapi.json";
  for (const auto& s : in_file) EXPECT_TRUE(served.count(s)) << s << " is in api/openapi.json but not served";
}

TEST_F(ServerTest, CameraIngestRaisesAnAlertThatReachesALiveStream) {
  ASSERT_TRUE(store_->PutHotlist({.name = "stolen", .agency_code = "CITYPD"}).ok());
  std::vector<store::HotlistEntryInput> entries{{"8HOT777", "", "stolen 26-CR-77", std::nullopt}};
  ASSERT_TRUE(store_->ImportHotlistEntries({.list = "stolen", .entries = entries}).ok());
  auto key = policy::CreateApiKey(*gov_, coord_.who, "cam-ps", "north unit");
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  Person pat = MakeUser("pat", Role::kPatrol);
  Web w = LogOnWeb(pat);
  // A read for another camera is refused for this key; a good batch is acknowledged.
  auto other = Client()->Post(
      "/api/v1/reads", {{"Authorization", "Bearer " + key->secret}},
      json{{"reads", {{{"camera_id", "cam-park"}, {"captured_at", "2026-06-01T00:00:00Z"}, {"plate", "8HOT777"},
                       {"confidence", 0.9}}}}}
          .dump(),
      "application/json");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 403) << other->body;
  auto bad_json = Client()->Post("/api/v1/reads", {{"Authorization", "Bearer " + key->secret}}, "{\"reads\": [",
                                 "application/json");
  ASSERT_TRUE(bad_json);
  EXPECT_EQ(bad_json->status, 400);
  EXPECT_EQ(json::parse(bad_json->body)["error"]["code"], "invalid_argument");
  auto ok = Client()->Post(
      "/api/v1/reads", {{"Authorization", "Bearer " + key->secret}},
      json{{"reads",
            {{{"event_id", "n-1"}, {"captured_at", "2026-06-01T00:00:00Z"}, {"plate", "8HOT777"}, {"confidence", 0.9},
              {"plate_crop", "/9j/4AAQ"}}}}}
          .dump(),
      "application/json");
  ASSERT_TRUE(ok);
  ASSERT_EQ(ok->status, 201) << ok->body;
  json results = json::parse(ok->body)["results"];
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0]["alerts"], 1);
  // The stream delivers it to the patrol user's browser.
  std::string got;
  auto c = Client();
  auto res = c->Get("/api/v1/alerts/stream", w.Headers(), [&](const char* data, size_t n) {
    got.append(data, n);
    return got.find("event: alert") == std::string::npos;  // stop once an alert arrived
  });
  EXPECT_NE(got.find("event: alert"), std::string::npos) << got;
  EXPECT_NE(got.find("8HOT777"), std::string::npos);
  // Revoking the key stops the camera at once.
  ASSERT_TRUE(policy::RevokeApiKey(*gov_, coord_.who, key->id).ok());
  auto revoked = Client()->Post("/api/v1/reads", {{"Authorization", "Bearer " + key->secret}}, R"({"reads":[]})",
                                "application/json");
  ASSERT_TRUE(revoked);
  EXPECT_EQ(revoked->status, 401);
}

// "YYYY-MM-DDTHH:MM:SSZ", the form the API parses (FormatUtcTime adds milliseconds).
std::string Utc(TimePoint t) { return FormatUtcTime(t).substr(0, 19) + "Z"; }

TEST_F(ServerTest, ARecordsRequestRunsFromSubmissionThroughBothApprovalsToAnExport) {
  CoordinatorGates();
  Person cmd = MakeUser("cmd", Role::kCommandStaff);
  Person coord3 = MakeUser("coord3", Role::kCoordinator, /*gates=*/false);
  Web coord = LogOnWeb(coord_);
  Web director = LogOnWeb(cmd);
  const TimePoint now = clock_.Now();
  json form = {{"requester", "Dana Requester"},
               {"department", "Investigations"},
               {"phone", "(555) 010-0100"},
               {"email", "dana@city.example.gov"},
               {"date_requested", Utc(now)},
               {"date_required", Utc(now + std::chrono::days(7))},
               {"data_class", "public_safety"},
               {"description", "Reads of 7ABC123 on the day before the request"},
               {"reason", "Court order 26-CV-0042"},
               {"search", {{"plate", "7ABC123"}, {"match", "exact"}, {"from", Utc(now - std::chrono::days(1))},
                           {"to", Utc(now)}}}};
  auto submitted = Client()->Post("/api/v1/requests", coord.Headers(), form.dump(), "application/json");
  ASSERT_TRUE(submitted);
  ASSERT_EQ(submitted->status, 201) << submitted->body;
  const int64_t id = json::parse(submitted->body)["id"];
  EXPECT_EQ(json::parse(submitted->body)["state"], "submitted");
  const std::string base = "/api/v1/requests/" + std::to_string(id);
  // Not before both approvals; the submitter may not approve.
  auto early = Client()->Post((base + "/fulfil").c_str(), coord.Headers(), "{}", "application/json");
  ASSERT_TRUE(early);
  EXPECT_EQ(early->status, 403) << early->body;
  auto own = Client()->Post((base + "/director-approve").c_str(), coord.Headers(), "{}", "application/json");
  ASSERT_TRUE(own);
  EXPECT_EQ(own->status, 403) << own->body;
  auto first = Client()->Post((base + "/director-approve").c_str(), director.Headers(), R"({"note":"approved"})",
                              "application/json");
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200) << first->body;
  EXPECT_EQ(json::parse(first->body)["state"], "director_approved");
  // The second approval by a coordinator who is neither the submitter nor the director.
  Web second = LogOnWeb(coord3);
  auto approved = Client()->Post((base + "/approve").c_str(), second.Headers(), R"({"note":"approved"})",
                                 "application/json");
  ASSERT_TRUE(approved);
  ASSERT_EQ(approved->status, 200) << approved->body;
  EXPECT_EQ(json::parse(approved->body)["state"], "approved");
  // Fulfilled into the server's export folder.
  auto done = Client()->Post((base + "/fulfil").c_str(), coord.Headers(), "{}", "application/json");
  ASSERT_TRUE(done);
  ASSERT_EQ(done->status, 200) << done->body;
  json d = json::parse(done->body);
  EXPECT_EQ(d["state"], "fulfilled");
  EXPECT_EQ(d["export"]["reads"], 2);
  const std::filesystem::path out = d["export"]["export_dir"].get<std::string>();
  EXPECT_EQ(out.parent_path(), dir_ / "exports");
  for (const char* f : {"request.json", "reads.json", "manifest.json", "manifest.sig"}) {
    EXPECT_TRUE(std::filesystem::exists(out / f)) << f;
  }
  // Listed for the approver; refused to a role without the permission.
  auto list = Client()->Get("/api/v1/requests", director.Headers());
  ASSERT_TRUE(list);
  ASSERT_EQ(list->status, 200) << list->body;
  EXPECT_EQ(json::parse(list->body)["requests"].size(), 1u);
}

TEST_F(ServerTest, TheBreachNoticeRouteAnswersTheStatutoryNoticeAsTextOrAnHtmlDownload) {
  CoordinatorGates();  // a notice is plate data: its producer passes the gates
  Web coord = LogOnWeb(coord_);
  const TimePoint now = clock_.Now();
  json incident = {{"agency_name", "City of Example Police Department"},
                   {"contact_name", "Records Unit"},
                   {"contact_phone", "555-0100"},
                   {"what_happened", "An account searched plates without a case."},
                   {"information_involved", {"License plate numbers", "Locations and times of vehicles"}},
                   {"breach_date", Utc(now - std::chrono::days(2))},
                   {"notice_date", Utc(now)}};
  auto rec = Client()->Post("/api/v1/incidents", coord.Headers(), incident.dump(), "application/json");
  ASSERT_TRUE(rec);
  ASSERT_EQ(rec->status, 201) << rec->body;
  const int64_t id = json::parse(rec->body)["id"];
  const std::string q = "/api/v1/incidents/" + std::to_string(id) + "/notice?account=coord&from=" +
                        Utc(now - std::chrono::days(7)) + "&to=" + Utc(now);
  auto text = Client()->Get(q.c_str(), coord.Headers());
  ASSERT_TRUE(text);
  ASSERT_EQ(text->status, 200) << text->body;
  EXPECT_EQ(text->get_header_value("Content-Type").rfind("text/plain", 0), 0u);
  EXPECT_NE(text->body.find("Notice of Data Breach"), std::string::npos) << text->body;
  for (const char* heading : {"What Happened", "What Information Was Involved", "What We Are Doing", "What You Can Do",
                              "For More Information"}) {
    EXPECT_NE(text->body.find(heading), std::string::npos) << heading;
  }
  auto html = Client()->Get((q + "&format=html").c_str(), coord.Headers());
  ASSERT_TRUE(html);
  ASSERT_EQ(html->status, 200) << html->body;
  EXPECT_EQ(html->get_header_value("Content-Type").rfind("text/html", 0), 0u);
  EXPECT_NE(html->get_header_value("Content-Disposition").find("attachment"), std::string::npos);
  EXPECT_NE(html->body.find("<h1>Notice of Data Breach</h1>"), std::string::npos);
  auto bad = Client()->Get((q + "&format=pdf").c_str(), coord.Headers());
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
}

// Issue 23, finding 2: the public transparency answer carries the access log's signed
// head (no plate data), so anyone can keep copies and later prove a rewrite.
TEST_F(ServerTest, TheTransparencyAnswerCarriesTheAccessLogsSignedHead) {
  auto cp = gov_->CheckpointLog(policy::Governance::System("checkpoint"));
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  const policy::LogEntry signed_entry = LastLog();
  ASSERT_EQ(signed_entry.seq, *cp);
  auto r = Client()->Get("/api/v1/transparency");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json t = json::parse(r->body, nullptr, false);
  ASSERT_TRUE(t.contains("access_log_head")) << r->body;
  const json& head = t["access_log_head"];
  ASSERT_TRUE(head.is_object()) << r->body;
  std::set<std::string> keys;
  for (auto& [k, v] : head.items()) keys.insert(k);
  EXPECT_EQ(keys, (std::set<std::string>{"seq", "hash", "at", "signature", "public_key"}));
  EXPECT_EQ(head.value("seq", int64_t{0}), *cp);
  EXPECT_EQ(head.value("hash", ""), signed_entry.hash);
  EXPECT_EQ(head.value("public_key", ""), gov_->public_key_hex());
  EXPECT_FALSE(head.value("at", "").empty());
  // The signature is the agency key's, over the message AppendLogEntry signs.
  const std::string msg =
      "custodian-access-log-checkpoint-v1\n" + std::to_string(*cp) + "\n" + head.value("hash", "");
  const std::string sig_hex = head.value("signature", ""), pk_hex = head.value("public_key", "");
  unsigned char sig[crypto_sign_BYTES], pk[crypto_sign_PUBLICKEYBYTES];
  ASSERT_EQ(sodium_hex2bin(sig, sizeof sig, sig_hex.c_str(), sig_hex.size(), nullptr, nullptr, nullptr), 0);
  ASSERT_EQ(sodium_hex2bin(pk, sizeof pk, pk_hex.c_str(), pk_hex.size(), nullptr, nullptr, nullptr), 0);
  EXPECT_EQ(crypto_sign_verify_detached(sig, reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), pk), 0);
  EXPECT_EQ(r->body.find("7ABC123"), std::string::npos) << "plate data on the public page";
}

TEST_F(ServerTest, LogonsAreRateLimitedPerAddress) {
  int limited = 0;
  for (int i = 0; i < 12; ++i) {
    auto r = Client()->Post("/api/v1/session",
                            json{{"username", "coord"}, {"password", "wrong wrong"}, {"notice_accepted", true}}.dump(),
                            "application/json");
    ASSERT_TRUE(r);
    if (r->status == 429) ++limited;
  }
  EXPECT_EQ(limited, 2);
}

TEST_F(ServerTest, OversizedBodiesAreRefused) {
  std::string big(33u << 20, 'x');
  auto r = Client()->Post("/api/v1/session", big, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
}


// ---- Issue 23: findings of the independent review ----

// Reads a live alert stream on its own thread until `stop` or the server ends it.
class StreamReader {
 public:
  StreamReader(int port, httplib::Headers headers) {
    thread_ = std::thread([this, port, headers] {
      httplib::SSLClient c("127.0.0.1", port);
      c.enable_server_certificate_verification(false);
      c.set_read_timeout(30, 0);
      c.set_logger(RecordAnswer);
      auto res = c.Get("/api/v1/alerts/stream", headers, [this](const char* data, size_t n) {
        std::lock_guard lock(mu_);
        got_.append(data, n);
        cv_.notify_all();
        return !stop_;
      });
      std::lock_guard lock(mu_);
      status_ = res ? res->status : -1;
      ended_ = true;
      cv_.notify_all();
    });
  }
  ~StreamReader() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    if (thread_.joinable()) thread_.join();
  }
  // Waits (at most `limit`) until `pred(text so far, ended)` holds; returns whether it did.
  bool WaitFor(const std::function<bool(const std::string&, bool)>& pred,
               std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, limit, [&] { return pred(got_, ended_); });
  }
  size_t Count(const std::string& what) {
    std::lock_guard lock(mu_);
    size_t n = 0;
    for (size_t at = got_.find(what); at != std::string::npos; at = got_.find(what, at + 1)) ++n;
    return n;
  }
  bool ended() {
    std::lock_guard lock(mu_);
    return ended_;
  }
  std::string text() {
    std::lock_guard lock(mu_);
    return got_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::string got_;
  bool stop_ = false, ended_ = false;
  int status_ = 0;
  std::thread thread_;
};

size_t Occurrences(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

// Finding 1: an open stream with no new alert writes the opening entry and nothing more
// (it wrote one entry per 500 ms poll).
TEST_F(ServerTest, AQuietAlertStreamWritesOneLogEntryNotOnePerPoll) {
  Person pat = MakeUser("pat", Role::kPatrol);
  Web w = LogOnWeb(pat);
  const int64_t before = LastLog().seq;
  StreamReader stream(server_->port(), w.Headers());
  // 100 wake-ups of the stream (each re-checks the session and sends a keep-alive): more
  // than a minute's worth at the default wake-up of one second.
  ASSERT_TRUE(stream.WaitFor([](const std::string& s, bool) { return Occurrences(s, ": keep-alive") >= 100; }))
      << stream.text();
  auto entries = LogWhere({.username = "pat", .after_seq = before, .limit = 1000});
  EXPECT_LE(entries.size(), 2u) << "first: " << (entries.empty() ? "" : entries[0].action);
}

// Finding 1: logging out ends the stream at once (it kept streaming with the identity it
// copied at opening).
TEST_F(ServerTest, LoggingOutClosesTheOpenAlertStream) {
  Person pat = MakeUser("pat", Role::kPatrol);
  Web w = LogOnWeb(pat);
  StreamReader stream(server_->port(), w.Headers());
  ASSERT_TRUE(stream.WaitFor([](const std::string& s, bool) { return s.find("retry:") != std::string::npos; }));
  auto out = Client()->Delete("/api/v1/session", w.Headers());
  ASSERT_TRUE(out);
  ASSERT_EQ(out->status, 200) << out->body;
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(stream.WaitFor([](const std::string&, bool ended) { return ended; }, std::chrono::seconds(5)))
      << "the stream is still open after logout";
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
}

// Finding 1: separating the user ends the stream too.
TEST_F(ServerTest, SeparatingTheUserClosesTheOpenAlertStream) {
  Person pat = MakeUser("pat", Role::kPatrol);
  Web w = LogOnWeb(pat);
  StreamReader stream(server_->port(), w.Headers());
  ASSERT_TRUE(stream.WaitFor([](const std::string& s, bool) { return s.find("retry:") != std::string::npos; }));
  ASSERT_TRUE(gov_->Separate(coord_.who, "pat", "left the department").ok());
  EXPECT_TRUE(stream.WaitFor([](const std::string&, bool ended) { return ended; }, std::chrono::seconds(5)))
      << "the stream is still open after separation";
}

// Finding 13: a field of the wrong type is a 400 that names it (it was an unlogged 500).
TEST_F(ServerTest, AWrongJsonTypeIsA400NamingTheField) {
  auto r = Client()->Post("/api/v1/session",
                          json{{"username", "coord"}, {"password", "x"}, {"notice_accepted", "yes"}}.dump(),
                          "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_NE(r->body.find("notice_accepted"), std::string::npos) << r->body;
  // The request log has the line (the exception used to bypass it).
  bool logged = false;
  for (const auto& line : RequestLog()) {
    json j = json::parse(line, nullptr, false);
    if (j.value("route", "") == "/api/v1/session" && j.value("status", 0) == 400) logged = true;
  }
  EXPECT_TRUE(logged);
}

// Finding 1: an idle session ends its stream too (the stream does not count as use).
TEST_F(ServerTest, AnIdleSessionEndsItsStream) {
  Person pat = MakeUser("pat", Role::kPatrol);
  Web w = LogOnWeb(pat);
  StreamReader stream(server_->port(), w.Headers());
  ASSERT_TRUE(stream.WaitFor([](const std::string& s, bool) { return Occurrences(s, ": keep-alive") >= 3; }));
  clock_.Advance(std::chrono::minutes(31));
  EXPECT_TRUE(stream.WaitFor([](const std::string&, bool ended) { return ended; }, std::chrono::seconds(5)))
      << "the stream outlived the idle timeout";
}

// Finding 1: streams per user are capped (each holds a worker).
TEST_F(ServerTest, AlertStreamsPerUserAreCapped) {
  Person pat = MakeUser("pat", Role::kPatrol);
  Web w = LogOnWeb(pat);
  std::vector<std::unique_ptr<StreamReader>> open;
  for (int i = 0; i < 3; ++i) {
    open.push_back(std::make_unique<StreamReader>(server_->port(), w.Headers()));
    ASSERT_TRUE(open.back()->WaitFor([](const std::string& s, bool) { return s.find("retry:") != std::string::npos; }));
  }
  auto fourth = Client()->Get("/api/v1/alerts/stream", w.Headers());
  ASSERT_TRUE(fourth);
  EXPECT_EQ(fourth->status, 429) << fourth->body;
}

// Finding 14: command staff reach the approval they may give (the users route needs
// manage_users, which they do not have).
TEST_F(ServerTest, CommandStaffApproveTheAcknowledgmentsOfTheirPeople) {
  Person cmd = MakeUser("cmd", Role::kCommandStaff);
  policy::UserSpec spec{.supervisor = "cmd"};
  Person pat = MakeUser("pat", Role::kPatrol, /*gates=*/false, &spec);
  ASSERT_TRUE(gov_->SignAcknowledgment(pat.who, {{true, true, true, true}, pat.full_name}).ok());
  Web w = LogOnWeb(cmd);
  auto r = Client()->Post("/api/v1/acknowledgments/pat/approve", w.Headers(), R"({"as":"supervisor"})",
                          "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  auto info = gov_->GetUser(coord_.who, "pat");
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(info->supervisor_approved);
}

// Finding 14: a camera key may expire, and every refused key is logged.
TEST_F(ServerTest, AnExpiredOrUnknownCameraKeyIsRefusedAndLogged) {
  auto key = policy::CreateApiKey(*gov_, coord_.who, "cam-ps", "loaner unit", clock_.Now() + std::chrono::hours(1));
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  auto send = [&](const std::string& secret, const std::string& event) {
    json read = {{"event_id", event}, {"captured_at", "2026-06-01T00:00:00Z"}, {"plate", "8ABC123"}, {"confidence", 0.9}};
    return Client()->Post("/api/v1/reads", {{"Authorization", "Bearer " + secret}},
                          json{{"reads", json::array({read})}}.dump(), "application/json");
  };
  auto fresh = send(key->secret, "k-1");
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->status, 201) << fresh->body;
  clock_.Advance(std::chrono::hours(2));
  auto expired = send(key->secret, "k-2");
  ASSERT_TRUE(expired);
  EXPECT_EQ(expired->status, 401) << expired->body;
  auto forged = send("ck_" + std::string(64, 'b'), "k-3");
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 401);
  auto entries = LogWhere({.action = "device_auth", .outcome = "denied"});
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_NE(entries[0].terms.find("\"key_id\":" + std::to_string(key->id)), std::string::npos) << entries[0].terms;
  EXPECT_EQ(entries[0].detail, "expired API key");
  EXPECT_EQ(entries[0].source, "127.0.0.1");
  EXPECT_NE(entries[1].terms.find("key_sha256_prefix"), std::string::npos) << entries[1].terms;
}

// Finding 14: a logon from another site's page, or not as JSON, is refused.
TEST_F(ServerTest, ALogonChecksOriginAndContentType) {
  json body = {{"username", "coord"}, {"password", "x"}, {"notice_accepted", true}};
  auto form = Client()->Post("/api/v1/session", body.dump(), "text/plain");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 400) << form->body;
  auto cross = Client()->Post("/api/v1/session", {{"Origin", "https://evil.example"}}, body.dump(), "application/json");
  ASSERT_TRUE(cross);
  EXPECT_EQ(cross->status, 403) << cross->body;
  auto big = Client()->Post("/api/v1/session", std::string(20000, ' ') + body.dump(), "application/json");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 400) << big->body;
}

// Finding 13: every route given a body whose every field has the wrong type answers a
// clear 4xx, never a 500.
TEST_F(ServerTest, NoRouteAnswers500ToFieldsOfTheWrongType) {
  Web w = LogOnWeb(coord_);
  json hostile = json::object();
  for (const char* k : {"username", "password", "code", "notice_accepted", "statements", "typed_name", "name",
                        "agency_code", "category", "fuzzy", "case_number", "reason", "purpose", "read_ids", "plate",
                        "match", "from", "to", "full_name", "role", "supervisor", "access_expires", "course",
                        "completed", "as", "id", "kind", "data_class", "lat", "lon", "heading", "notes", "data_classes",
                        "cameras", "expires", "requester", "department", "phone", "email", "date_requested",
                        "date_required", "description", "search", "note", "sample_size", "seed", "reference",
                        "correct", "true_plate", "title", "agency_name", "what_happened", "information_involved",
                        "current", "new", "action", "image_checked", "state", "code"}) {
    hostile[k] = json{{"x", 1}};
  }
  int checked = 0;
  for (const RouteInfo& route : server_->Routes()) {
    if (route.method != "POST" || route.auth == "device") continue;
    auto res = Call(route, route.auth == "public" ? httplib::Headers{} : w.Headers(), hostile.dump());
    ASSERT_TRUE(res) << route.path;
    EXPECT_NE(res->status, 500) << route.method << " " << route.path << ": " << res->body;
    if (res->status >= 400) {
      EXPECT_TRUE(json::parse(res->body, nullptr, false).contains("error")) << route.path << ": " << res->body;
    }
    ++checked;
  }
  EXPECT_GE(checked, 15);
  // The camera ingest's optional fields too.
  auto key = policy::CreateApiKey(*gov_, coord_.who, "cam-ps", "north unit");
  ASSERT_TRUE(key.ok());
  for (const char* field : {"country", "region", "candidates", "box", "location"}) {
    json read = {{"event_id", std::string("t-") + field}, {"captured_at", "2026-06-01T00:00:00Z"}, {"plate", "8ABC123"},
                 {"confidence", 0.9}};
    read[field] = std::string(field) == "country" || std::string(field) == "region" ? json(5) : json{{"x", "y"}};
    if (std::string(field) == "candidates") read[field] = json::array({{{"plate", "8ABC123"}, {"confidence", "high"}}});
    if (std::string(field) == "box") read[field] = {{"x", "left"}};
    if (std::string(field) == "location") read[field] = {{"lat", "north"}};
    auto res = Client()->Post("/api/v1/reads", {{"Authorization", "Bearer " + key->secret}},
                              json{{"reads", json::array({read})}}.dump(), "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << field << ": " << res->body;
    EXPECT_NE(res->body.find(field), std::string::npos) << res->body;
  }
}

// Finding 14: the camera list is a permission of its own and its reading is logged.
TEST_F(ServerTest, TheCameraListIsLogged) {
  Person pat = MakeUser("pat", Role::kPatrol);
  Web w = LogOnWeb(pat);
  const int64_t before = LastLog().seq;
  auto r = Client()->Get("/api/v1/cameras", w.Headers());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto entries = LogWhere({.username = "pat", .action = "list_cameras", .after_seq = before});
  EXPECT_EQ(entries.size(), 1u);
}

// Issue 24, item 5: every route answers its success once, with real data behind it, so
// that openapi_responses validates each route's success schema against a real answer
// (the tests above reach most routes only with their refusals).
TEST_F(ServerTest, EveryRouteAnswersASuccess) {
  CoordinatorGates();  // plate data opens to the coordinator
  Web coord = LogOnWeb(coord_);
  const httplib::Headers& h = coord.Headers();
  std::set<std::string> answered;  // "METHOD /path/{template}" of each 2xx
  auto route_of = [&](const std::string& method, const std::string& path) {
    static const std::regex param(R"(\{[a-z_]+\})");
    for (const RouteInfo& r : server_->Routes()) {
      if (r.method == method && std::regex_match(path, std::regex(std::regex_replace(r.path, param, "[^/]+")))) {
        return r.method + " " + r.path;
      }
    }
    return method + " " + path + " (no route)";
  };
  // Sends the request, expects `want`, and answers the body (JSON, or null).
  auto send = [&](int want, const std::string& method, const std::string& target, const httplib::Headers& headers,
                  const std::string& body = "{}", const char* type = "application/json") -> json {
    auto c = Client();
    auto r = method == "GET"      ? c->Get(target.c_str(), headers)
             : method == "DELETE" ? c->Delete(target.c_str(), headers)
                                  : c->Post(target.c_str(), headers, body, type);
    EXPECT_TRUE(r) << method << " " << target;
    if (!r) return nullptr;
    EXPECT_EQ(r->status, want) << method << " " << target << ": " << r->body;
    const std::string path = target.substr(0, target.find('?'));
    if (r->status == want) answered.insert(route_of(method, path));
    return json::parse(r->body, nullptr, false).is_discarded() ? json(nullptr) : json::parse(r->body);
  };
  const TimePoint now = clock_.Now();
  const std::string why = "purpose=stolen_vehicle&case=26-CR-0005";

  // Public.
  send(200, "GET", "/healthz", {});
  send(200, "GET", "/metrics", {});
  send(200, "GET", "/api/v1/notice", {});
  send(200, "GET", "/api/v1/transparency", {});
  answered.insert("POST /api/v1/session");  // LogOnWeb expected its 200

  // A new account through its first logon: created, enrolled, password changed, signed.
  json made = send(201, "POST", "/api/v1/users", h,
                   json{{"username", "newbie"}, {"full_name", "New Bie"}, {"role", "patrol"}, {"supervisor", "coord"}}.dump());
  auto first = Client()->Post(
      "/api/v1/session",
      json{{"username", "newbie"}, {"password", made.value("initial_password", "")}, {"notice_accepted", true}}.dump(),
      "application/json");
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200) << first->body;
  const std::string set = first->get_header_value("Set-Cookie");
  httplib::Headers nh{{"Cookie", set.substr(0, set.find(';'))},
                      {"X-CSRF-Token", json::parse(first->body).value("csrf_token", "")}};
  json enrol = send(200, "POST", "/api/v1/me/mfa/enrol", nh);
  auto secret = policy::Base32Decode(enrol.value("secret", ""));
  ASSERT_TRUE(secret.ok());
  send(200, "POST", "/api/v1/me/mfa/confirm", nh, json{{"code", Code(*secret)}}.dump());
  send(200, "POST", "/api/v1/me/password", nh,
       json{{"current", made.value("initial_password", "")}, {"new", "a long new passphrase for newbie"}}.dump());
  send(200, "GET", "/api/v1/me", nh);
  send(200, "POST", "/api/v1/me/acknowledgment", nh,
       json{{"statements", {true, true, true, true}}, {"typed_name", "New Bie"}}.dump());
  send(200, "POST", "/api/v1/acknowledgments/newbie/approve", h, R"({"as":"supervisor"})");
  send(200, "POST", "/api/v1/users/newbie/training", h,
       json{{"course", "ALPR user training"}, {"completed", Utc(now)}}.dump());
  send(200, "GET", "/api/v1/users", h);
  send(200, "DELETE", "/api/v1/session", nh);
  send(200, "POST", "/api/v1/users/newbie/reset-password", h);

  // Reference lists.
  send(200, "GET", "/api/v1/purposes", h);
  send(200, "GET", "/api/v1/roles", h);

  // Cameras, agencies and keys; a read from the new key's camera.
  send(200, "GET", "/api/v1/cameras", h);
  send(201, "POST", "/api/v1/agencies", h,
       json{{"code", "STATEDOJ"}, {"name", "State DOJ"}, {"state", "CA"}, {"kind", "state"}}.dump());
  send(201, "POST", "/api/v1/cameras", h,
       json{{"id", "cam-new"}, {"name", "Elm & 1st"}, {"kind", "fixed"}, {"data_class", "public_safety"},
            {"lat", 37.5}, {"lon", -122.2}, {"heading", 90}}
           .dump());
  json key = send(201, "POST", "/api/v1/cameras/cam-new/keys", h, json{{"name", "elm unit"}}.dump());
  send(200, "GET", "/api/v1/keys", h);

  // A hotlist whose import raises alerts on the stored reads of 7ABC123, and a read sent
  // by the new camera that raises one more.
  send(200, "GET", "/api/v1/hotlists", h);
  send(201, "POST", "/api/v1/hotlists", h, R"({"name":"stolen","category":"stolen_vehicle"})");
  send(200, "POST", "/api/v1/hotlists/stolen/entries", h, "plate,state,reason\n7ABC123,CA,stolen 26-CR-5\n", "text/csv");
  json ingested = send(201, "POST", "/api/v1/reads", {{"Authorization", "Bearer " + key.value("key", "")}},
                       json{{"reads", {{{"event_id", "elm-1"}, {"captured_at", Utc(now)}, {"plate", "7ABC123"},
                                        {"confidence", 0.93}, {"country", "US"}, {"region", "CA"},
                                        {"candidates", {{{"plate", "7ABC128"}, {"confidence", 0.4}}}},
                                        {"box", {{"x", 10}, {"y", 20}, {"width", 120}, {"height", 40}}},
                                        {"location", {{"lat", 37.5}, {"lon", -122.2}}},
                                        {"plate_crop", "/9j/4AAQ"}}}}}
                           .dump());
  send(200, "DELETE", "/api/v1/keys/" + std::to_string(key.value("id", int64_t{0})), h);

  // Plate data: a search, one read, its crop.
  const int64_t read_id = ingested["results"][0].value("id", int64_t{0});
  send(200, "GET", "/api/v1/reads?plate=7ABC123&match=exact&" + why, h);
  send(200, "GET", "/api/v1/reads/" + std::to_string(read_id) + "?" + why, h);
  send(200, "GET", "/api/v1/reads/" + std::to_string(read_id) + "/image?kind=crop&" + why, h);

  // Alerts: the list, the live stream, and their review.
  json alerts = send(200, "GET", "/api/v1/alerts", h)["alerts"];
  ASSERT_GE(alerts.size(), 2u);
  std::string opening;
  auto stream = Client()->Get(
      "/api/v1/alerts/stream", h,
      [&](const httplib::Response& res) {
        // The client's logger never sees a stream the test closes: record its opening here.
        httplib::Request req;
        req.method = "GET";
        req.path = "/api/v1/alerts/stream";
        RecordAnswer(req, res);
        EXPECT_EQ(res.status, 200);
        if (res.status == 200) answered.insert("GET /api/v1/alerts/stream");
        return true;
      },
      [&](const char* data, size_t n) {
        opening.append(data, n);
        return opening.find("retry:") == std::string::npos;
      });
  EXPECT_NE(opening.find("retry:"), std::string::npos) << opening;
  const std::string first_alert = std::to_string(alerts[0].value("id", int64_t{0}));
  const std::string second_alert = std::to_string(alerts[1].value("id", int64_t{0}));
  send(200, "POST", "/api/v1/alerts/" + first_alert + "/acknowledge", h);
  // A confirmation needs the read's image viewed first.
  send(200, "GET", "/api/v1/reads/" + std::to_string(alerts[0].value("read_id", int64_t{0})) + "/image?" + why, h);
  send(200, "POST", "/api/v1/alerts/" + first_alert + "/confirm", h,
       R"({"action":"vehicle stopped","image_checked":true})");
  send(200, "POST", "/api/v1/alerts/" + second_alert + "/acknowledge", h);
  send(200, "POST", "/api/v1/alerts/" + second_alert + "/dismiss", h, R"({"note":"misread: 7ABC128"})");

  // A legal hold, its evidence export and its release.
  json hold = send(201, "POST", "/api/v1/holds", h,
                   json{{"case_number", "26-CR-0005"}, {"reason", "evidence"}, {"read_ids", {read_id}}}.dump());
  const std::string hold_id = std::to_string(hold.value("id", int64_t{0}));
  send(200, "GET", "/api/v1/holds", h);
  send(201, "POST", "/api/v1/holds/" + hold_id + "/export", h);
  send(200, "POST", "/api/v1/holds/" + hold_id + "/release", h);

  // The access log, its verification, flags, reviews and reports.
  send(200, "GET", "/api/v1/audit/log?limit=20", h);
  send(200, "GET", "/api/v1/audit/verify", h);
  send(200, "GET", "/api/v1/audit/flags", h);
  send(201, "POST", "/api/v1/audit/reviews", h,
       json{{"from", Utc(now - std::chrono::days(7))}, {"to", Utc(now)}, {"notes", "nothing out of order"}}.dump());
  send(200, "GET", "/api/v1/audit/reviews", h);
  send(200, "GET", "/api/v1/audit/report", h);

  // A sharing grant: made, attested, listed, reported, revoked.
  json grant = send(201, "POST", "/api/v1/grants", h,
                    json{{"agency_code", "COUNTYSO"}, {"data_classes", {"public_safety"}},
                         {"expires", Utc(now + std::chrono::days(90))}}
                        .dump());
  const std::string grant_id = std::to_string(grant.value("id", int64_t{0}));
  send(200, "POST", "/api/v1/grants/" + grant_id + "/attest", h,
       json{{"signatory", "Sheriff R. Roe"}, {"signed_on", Utc(now)}}.dump());
  send(200, "GET", "/api/v1/grants", h);
  send(200, "GET", "/api/v1/sharing/report", h);
  send(200, "POST", "/api/v1/grants/" + grant_id + "/revoke", h);

  // A records request: submitted, listed, read, denied.
  json request = send(201, "POST", "/api/v1/requests", h,
                      json{{"requester", "Dana Requester"}, {"department", "Investigations"}, {"phone", "(555) 010-0100"},
                           {"email", "dana@city.example.gov"}, {"date_requested", Utc(now)},
                           {"date_required", Utc(now + std::chrono::days(7))}, {"description", "Reads of 7ABC123"},
                           {"reason", "Court order 26-CV-0042"},
                           {"search", {{"plate", "7ABC123"}, {"from", Utc(now - std::chrono::days(1))}, {"to", Utc(now)}}}}
                          .dump());
  const std::string request_id = std::to_string(request.value("id", int64_t{0}));
  send(200, "GET", "/api/v1/requests", h);
  send(200, "GET", "/api/v1/requests/" + request_id, h);
  send(200, "POST", "/api/v1/requests/" + request_id + "/deny", h, R"({"note":"too broad"})");

  // An accuracy audit of the day's reads, with one verdict.
  json audit = send(201, "POST", "/api/v1/audits", h,
                    json{{"from", Utc(now - std::chrono::days(1))}, {"to", Utc(now + std::chrono::hours(1))},
                         {"sample_size", 5}, {"reference", "AUD-2026-12"}}
                        .dump());
  const std::string audit_id = std::to_string(audit.value("id", int64_t{0}));
  json items = send(200, "GET", "/api/v1/audits/" + audit_id, h)["items"];
  ASSERT_FALSE(items.empty());
  send(200, "POST",
       "/api/v1/audits/" + audit_id + "/items/" + std::to_string(items[0].value("read_id", int64_t{0})), h,
       R"({"correct":true})");

  // A breach incident and its notice.
  json incident = send(201, "POST", "/api/v1/incidents", h,
                       json{{"agency_name", "City of Example Police Department"}, {"contact_phone", "555-0100"},
                            {"what_happened", "An account searched plates without a case."},
                            {"information_involved", {"License plate numbers"}}, {"notice_date", Utc(now)}}
                           .dump());
  send(200, "GET",
       "/api/v1/incidents/" + std::to_string(incident.value("id", int64_t{0})) + "/notice?account=coord&from=" +
           Utc(now - std::chrono::days(7)) + "&to=" + Utc(now + std::chrono::hours(1)),
       h);

  // Retention: a purge now, then the periods and the purge log.
  send(200, "POST", "/api/v1/retention/purge", h);
  send(200, "GET", "/api/v1/retention", h);

  std::set<std::string> routes;
  for (const RouteInfo& r : server_->Routes()) routes.insert(r.method + " " + r.path);
  for (const auto& r : routes) EXPECT_TRUE(answered.count(r)) << r << " did not answer a success in this test";
  for (const auto& r : answered) EXPECT_TRUE(routes.count(r)) << r;
}

}  // namespace
}  // namespace custodian::server
