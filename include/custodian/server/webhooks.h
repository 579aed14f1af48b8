// Webhooks: hotlist alerts pushed to other systems (dispatch CAD, a records system) as
// signed HTTPS POSTs, retried with exponential backoff. Each target names the agency it
// acts for and the data classes it takes; a target of an agency other than the
// installation's gets only what that agency's sharing grants in force cover, grant by
// grant (policy::ReleaseAlertTo). Each delivery discloses plate data, so each is written
// to the access log before it is sent (as the system, under the target's agency and
// purpose hotlist_alert, with the alert id and plate), and each refusal as denied.
//
// Basic usage:
//   server::WebhookDispatcher hooks(*store, *gov, {.targets = {{.url = "https://cad.city/alpr", .secret = secret,
//       .agency_code = "CITYPD", .data_classes = {store::DataClass::kPublicSafety}}}});
//   hooks.Start();          // delivers alerts raised from now on
//   hooks.Notify();         // after an ingest that raised alerts (else it polls every second)
//   hooks.Stop();
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "custodian/policy/alert_delivery.h"
#include "custodian/policy/governance.h"
#include "custodian/store/read_store.h"

namespace custodian::server {

struct WebhookTarget {
  // "https://host[:port]/path"; plain "http://" only to loopback (127.0.0.1, localhost).
  std::string url;
  // Shared secret for the signature: X-Custodian-Signature: sha256=HEX(HMAC-SHA256(secret,
  // timestamp + "." + body)), with X-Custodian-Timestamp (Unix seconds). 16+ bytes. REQUIRED.
  std::string secret;
  // The agency the receiving system acts for (a recorded agency code). An agency other
  // than the installation's receives only alerts one of its grants in force covers (class
  // and camera together). REQUIRED.
  std::string agency_code;
  // The data classes the target takes (an alert's class is its read's). REQUIRED: at least one.
  std::vector<store::DataClass> data_classes;
};

struct WebhookOptions {
  std::vector<WebhookTarget> targets;
  // Attempts per delivery (first try included). Default: 6.
  int max_attempts = 6;
  // Backoff before the second attempt, doubled each time. Default: 1 s.
  std::chrono::milliseconds first_backoff{1000};
  // Poll for new alerts this often when not notified. Default: 1 s.
  std::chrono::milliseconds poll{1000};
  // Request timeout. Default: 10 s.
  std::chrono::seconds timeout{10};
  // Verify the receiver's TLS certificate. Default: true.
  bool verify_tls = true;
  // Where the last delivered alert id is kept across restarts. Default: none (start from
  // the newest alert at Start()).
  std::filesystem::path cursor_file;
};

// Checks a target's URL, secret, agency and classes (present; Start also checks that the
// agency is recorded). kInvalidArgument with a clear message.
Status CheckWebhookTarget(const WebhookTarget& target);

// The signature header value for `body` at `timestamp` (Unix seconds).
std::string WebhookSignature(const std::string& secret, int64_t timestamp, const std::string& body);

// Thread-safe.
class WebhookDispatcher {
 public:
  WebhookDispatcher(store::ReadStore& store, policy::Governance& gov, WebhookOptions options);
  ~WebhookDispatcher();
  // Checks every target (CheckWebhookTarget, and policy::CheckAlertRecipient: its agency
  // is recorded) and starts delivering.
  Status Start();
  void Stop();
  void Notify();
  // Deliveries that succeeded / were given up after max_attempts (or could not be
  // logged), since Start. Alerts a target does not take, or its agency's grants do not
  // cover, count in neither.
  int64_t delivered() const { return delivered_; }
  int64_t failed() const { return failed_; }

 private:
  void Run();
  bool Deliver(const WebhookTarget& target, const std::string& body);

  store::ReadStore& store_;
  policy::Governance& gov_;
  WebhookOptions options_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool notified_ = false;
  int64_t cursor_ = 0;
  std::atomic<int64_t> delivered_{0}, failed_{0};
};

}  // namespace custodian::server
