// Signed webhook deliveries of hotlist alerts, with retries, each decided and logged by
// the policy layer (policy::ReleaseAlertTo).
#include "custodian/server/webhooks.h"

#include <httplib.h>
#include <sodium.h>

#include <fstream>
#include <regex>

#include <nlohmann/json.hpp>

#include "custodian/core/utc_time.h"
#include "server/alert_json.h"

namespace custodian::server {
namespace {

using json = nlohmann::json;
using internal::AlertJson;

struct ParsedUrl {
  std::string scheme_host_port;  // "https://host:port"
  std::string path;
  bool https = false;
  std::string host;
};

Result<ParsedUrl> ParseUrl(const std::string& url) {
  static const std::regex re(R"(^(https?)://([A-Za-z0-9.\-]+|\[[0-9A-Fa-f:]+\])(:[0-9]{1,5})?(/[^\s]*)?$)");
  std::smatch m;
  if (url.size() > 2048 || !std::regex_match(url, m, re)) {
    return Status::InvalidArgument("webhook URL '", url.substr(0, 80), "' is not http(s)://host[:port]/path");
  }
  ParsedUrl p;
  p.https = m[1] == "https";
  p.host = m[2];
  p.scheme_host_port = std::string(m[1]) + "://" + std::string(m[2]) + std::string(m[3]);
  p.path = m[4].matched ? std::string(m[4]) : "/";
  return p;
}

}  // namespace

Status CheckWebhookTarget(const WebhookTarget& t) {
  CUSTODIAN_ASSIGN_OR_RETURN(ParsedUrl u, ParseUrl(t.url));
  if (!u.https && u.host != "127.0.0.1" && u.host != "localhost" && u.host != "[::1]") {
    return Status::InvalidArgument("webhook URL '", t.url.substr(0, 80),
                                   "' must use https (plain http only to this machine)");
  }
  if (t.secret.size() < 16) return Status::InvalidArgument("a webhook secret has at least 16 characters");
  if (t.agency_code.empty()) {
    return Status::InvalidArgument("webhook '", t.url.substr(0, 80), "' names no agency (the agency it acts for)");
  }
  if (t.data_classes.empty()) {
    return Status::InvalidArgument("webhook '", t.url.substr(0, 80), "' names no data classes (the alerts it takes)");
  }
  return Status::Ok();
}

namespace {

// The target as the policy layer sees it.
policy::AlertRecipient Recipient(const WebhookTarget& t) {
  auto url = ParseUrl(t.url);
  return {t.agency_code, t.data_classes, url.ok() ? url->scheme_host_port : std::string("?")};
}

}  // namespace

std::string WebhookSignature(const std::string& secret, int64_t timestamp, const std::string& body) {
  const std::string msg = std::to_string(timestamp) + "." + body;
  // The streaming API takes a secret of any length (the one-shot API wants 32 bytes).
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(msg.data()), msg.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&st, mac);
  std::string hex(sizeof mac * 2, '0');
  sodium_bin2hex(hex.data(), hex.size() + 1, mac, sizeof mac);
  return "sha256=" + hex;
}

WebhookDispatcher::WebhookDispatcher(store::ReadStore& store, policy::Governance& gov, WebhookOptions options)
    : store_(store), gov_(gov), options_(std::move(options)) {}

WebhookDispatcher::~WebhookDispatcher() { Stop(); }

Status WebhookDispatcher::Start() {
  if (sodium_init() < 0) return Status::Internal("libsodium cannot initialise");
  for (const auto& t : options_.targets) {
    CUSTODIAN_RETURN_IF_ERROR(CheckWebhookTarget(t));
    CUSTODIAN_RETURN_IF_ERROR(policy::CheckAlertRecipient(gov_, Recipient(t)));
  }
  if (options_.max_attempts < 1) return Status::InvalidArgument("max_attempts is at least 1");
  // Start after the newest alert, or where the last run stopped.
  bool have_cursor = false;
  if (!options_.cursor_file.empty()) {
    std::ifstream in(options_.cursor_file);
    if (in >> cursor_) have_cursor = true;
  }
  if (!have_cursor) {
    // The newest alert id, in one query (not a walk over every stored alert).
    CUSTODIAN_RETURN_IF_ERROR(store_.ReadOnly([&](store::Txn& txn) -> Status {
      CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT COALESCE(MAX(id), 0) FROM alerts", {}));
      cursor_ = rows.empty() ? 0 : store::AsInt(rows[0][0]);
      return Status::Ok();
    }));
  }
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void WebhookDispatcher::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WebhookDispatcher::Notify() {
  {
    std::lock_guard lock(mu_);
    notified_ = true;
  }
  cv_.notify_all();
}

bool WebhookDispatcher::Deliver(const WebhookTarget& target, const std::string& body) {
  auto url = ParseUrl(target.url);
  if (!url.ok()) return false;
  std::chrono::milliseconds backoff = options_.first_backoff;
  for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
    httplib::Client cli(url->scheme_host_port);
    cli.set_connection_timeout(options_.timeout);
    cli.set_read_timeout(options_.timeout);
    cli.set_write_timeout(options_.timeout);
    if (url->https) cli.enable_server_certificate_verification(options_.verify_tls);
    const int64_t ts = ToUnixMillis(gov_.clock().Now()) / 1000;
    httplib::Headers h{{"X-Custodian-Timestamp", std::to_string(ts)},
                       {"X-Custodian-Signature", WebhookSignature(target.secret, ts, body)},
                       {"X-Custodian-Attempt", std::to_string(attempt)}};
    auto res = cli.Post(url->path.c_str(), h, body, "application/json");
    if (res && res->status >= 200 && res->status < 300) return true;
    if (attempt == options_.max_attempts) break;
    std::unique_lock lock(mu_);
    if (cv_.wait_for(lock, backoff, [this] { return stop_; })) return false;
    backoff *= 2;
  }
  return false;
}

void WebhookDispatcher::Run() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, options_.poll, [this] { return stop_ || notified_; });
      if (stop_) return;
      notified_ = false;
    }
    auto alerts = store_.ListAlerts({.limit = 100, .after_id = cursor_});
    if (!alerts.ok() || alerts->empty()) continue;
    for (const auto& a : *alerts) {
      const std::string body = json{{"event", "alert"}, {"alert", AlertJson(a)}}.dump();
      for (const auto& target : options_.targets) {
        // The target's classes and its agency's grants decide; the release is logged
        // before it happens (no log, no delivery), a refusal as denied.
        const policy::AlertRecipient to = Recipient(target);
        auto release = policy::ReleaseAlertTo(gov_, to, a);
        if (!release.ok()) {
          ++failed_;
          continue;
        }
        if (!*release) continue;
        if (Deliver(target, body)) {
          ++delivered_;
        } else {
          ++failed_;
          (void)policy::RecordAlertDeliveryFailure(
              gov_, to, a, "gave up after " + std::to_string(options_.max_attempts) + " attempts");
        }
        {
          std::lock_guard lock(mu_);
          if (stop_) return;
        }
      }
      cursor_ = a.id;
      if (!options_.cursor_file.empty()) {
        std::ofstream out(options_.cursor_file, std::ios::trunc);
        out << cursor_ << "\n";
      }
    }
  }
}

}  // namespace custodian::server
