// Server: `custodian serve` — the HTTPS JSON API under /api/v1 for people (password +
// TOTP sessions) and cameras (per-device API keys), and the static web application.
// Every handler reaches plate data through the governance layer (policy::Governance and
// the governed operations), so the API has no path around the access log.
//
// Basic usage:
//   auto srv = server::Server::Create(*store, *gov, engine.get(), {.listen_port = 8443, ...});
//   if (!srv.ok()) return srv.status();
//   (*srv)->Start();            // returns once listening; serves on a thread pool
//   ...
//   (*srv)->Stop();
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "custodian/core/clock.h"
#include "custodian/core/status.h"
#include "custodian/policy/governance.h"
#include "custodian/policy/retention.h"
#include "custodian/store/read_store.h"

namespace custodian::vision {
class Engine;
}

namespace custodian::server {

struct ServerOptions {
  // Address and port to listen on. Defaults: 127.0.0.1:8443. Port 0 picks a free port
  // (see Server::port()).
  std::string listen_host = "127.0.0.1";
  int listen_port = 8443;
  // PEM certificate chain and private key. REQUIRED (serve creates a self-signed pair on
  // the first run of the embedded default; see EnsureSelfSignedCertificate).
  std::filesystem::path cert_file;
  std::filesystem::path key_file;
  // Optional: a CA bundle; when set, cameras may also authenticate with a client
  // certificate signed by it (in addition to their API key). Default: none.
  std::filesystem::path client_ca_file;
  // Folder of the built web application (index.html ...). Empty: no web pages, API only.
  std::filesystem::path web_root;
  // Worker threads. Each kept-alive connection and each open alert stream holds one for
  // as long as it stays open, so size for connections, not cores. Default: 0, meaning 64
  // per core and at least 256 (a connection beyond the pool waits until one closes).
  int threads = 0;
  // Largest request body accepted, bytes. Default: 32 MiB (a batch of reads with images).
  size_t max_body_bytes = 32u << 20;
  // Socket read/write timeout. Default: 15 s.
  std::chrono::seconds io_timeout{15};
  // Logon attempts accepted per source address per minute. Default: 10.
  int logons_per_minute = 10;
  // Public transparency page figures are computed at most this often. Default: 60 s.
  std::chrono::seconds transparency_cache{60};
  // One JSON line per request on stdout (time, method, route pattern, status, ms, source,
  // user or camera; never the query string). Default: false.
  bool log_requests = false;
  // Where request log lines go (one JSON object each, no newline). Default: empty, meaning
  // standard output.
  std::function<void(const std::string&)> request_log;
  // An open alert stream wakes this often (or at once on a new alert, a logout or a
  // stop) to check that its session is still live and to send a keep-alive; it closes
  // when the session has ended (logout, separation, role change, idle or lifetime end).
  // Default: 1 s.
  std::chrono::milliseconds stream_wake{1000};
  // Open alert streams allowed per user, and in all (each holds a worker thread, so keep
  // max_streams well under `threads`). A stream beyond either answers 429. Defaults: 3, 64.
  int max_streams_per_user = 3;
  int max_streams = 64;
  // GET /metrics is served to loopback; from elsewhere only with "Authorization: Bearer
  // <metrics_token>". Default: empty (loopback only).
  std::string metrics_token;
  // Reads per ingest request. Default: 1000.
  size_t max_ingest_batch = 1000;
  // Folder under which records-request fulfilments and hold evidence exports are written,
  // each into a new sub-folder ("RR-<id>-<time>", "hold-<id>-<time>"); created 0700 when
  // missing. Default: empty, meaning those two routes answer 503 (kUnavailable).
  std::filesystem::path export_dir;
  // The retention periods in force: GET /api/v1/retention shows them (checked against
  // policy section 3) and POST /api/v1/retention/purge purges by them. Default: 365 days
  // for both classes (serve sets them from its configuration).
  policy::RetentionPeriods retention;
};

// The SHA-256 fingerprint ("AB:CD:...") of the certificate in `cert_file`.
Result<std::string> CertificateFingerprint(const std::filesystem::path& cert_file);

// Creates a self-signed certificate (EC P-256, SHA-256, 825 days, CN and SAN "localhost",
// 127.0.0.1, ::1 and `extra_names`) and its private key (mode 0600) when either file is
// missing; returns the certificate's fingerprint.
Result<std::string> EnsureSelfSignedCertificate(const std::filesystem::path& cert_file,
                                                const std::filesystem::path& key_file,
                                                const std::vector<std::string>& extra_names = {});

// One route of the API, as the OpenAPI file and the route-permission test see it.
struct RouteInfo {
  std::string method;  // "GET", "POST", "DELETE"
  std::string path;    // OpenAPI form: "/api/v1/reads/{id}"
  std::string auth;    // "public", "session" (any live session), "user" (a full session), "device"
  std::string operation;  // the ops:: name the route needs ("" when any full session may call it)
};

class Server {
 public:
  // `engine` may be null (then POST /api/v1/frames answers 503). The store, governance
  // and engine must outlive the server.
  static Result<std::unique_ptr<Server>> Create(store::ReadStore& store, policy::Governance& gov,
                                                vision::Engine* engine, const ServerOptions& options);
  virtual ~Server() = default;

  // Binds and starts serving on background threads; kUnavailable when it cannot bind.
  virtual Status Start() = 0;
  // Stops accepting, finishes requests in flight, ends live-update streams.
  virtual void Stop() = 0;
  // The port bound (after Start).
  virtual int port() const = 0;
  // Every route served.
  virtual std::vector<RouteInfo> Routes() const = 0;
};

}  // namespace custodian::server
