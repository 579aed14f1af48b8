// The HTTPS server: its lifecycle (TLS, security headers, start, stop) and the dispatch of
// each request through its route: authentication (public, session, full user session, or
// device key; middleware.h), the route's permission at the door, the handler (routes/, one
// file per area, each through the governance layer), JSON errors (errors.h), metrics and
// the request log.
#include "custodian/server/server.h"

#include <httplib.h>
#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "custodian/core/utc_time.h"
#include "custodian/policy/governed_ops.h"
#include "server/errors.h"
#include "server/route_context.h"
#include "server/routes/routes.h"
#include "server/tls.h"

namespace custodian::server {
namespace internal {
namespace {

using policy::Governance;

class HttpServer final : public Server {
 public:
  HttpServer(Governance& gov, const ServerOptions& options)
      : gov_(gov), options_(options), logons_(options_.logons_per_minute), streams_(gov_, options_, metrics_),
        exports_(options_, gov_), ctx_{gov_, options_, metrics_, streams_, logons_, csrf_, exports_, routes_} {
    BuildRoutes();
  }
  ~HttpServer() override { Stop(); }

  Status Init() {
    std::string error;
    TlsFiles files{options_.cert_file, options_.key_file, options_.client_ca_file};
    srv_ = std::make_unique<httplib::SSLServer>([&](SSL_CTX& ctx) { return SetUpServerContext(ctx, files, &error); });
    if (!srv_->is_valid()) return Status::InvalidArgument("TLS set-up failed: ", error);
    // Each open connection holds a worker while it is kept alive, and every browser keeps
    // a live alert stream open: size the pool for connections, not cores.
    int threads = options_.threads > 0 ? options_.threads : int(std::max(256u, std::thread::hardware_concurrency() * 64));
    srv_->new_task_queue = [threads] { return new httplib::ThreadPool(size_t(threads)); };
    srv_->set_payload_max_length(options_.max_body_bytes);
    srv_->set_read_timeout(options_.io_timeout);
    srv_->set_write_timeout(options_.io_timeout);
    srv_->set_keep_alive_max_count(1000);
    srv_->set_keep_alive_timeout(5);
    // Small JSON answers on kept-alive connections: without this, Nagle's algorithm and
    // delayed ACKs hold each answer ~40 ms.
    srv_->set_tcp_nodelay(true);
    srv_->set_default_headers({
        {"Strict-Transport-Security", "max-age=63072000; includeSubDomains"},
        {"Content-Security-Policy",
         "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; "
         "font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"},
        {"X-Content-Type-Options", "nosniff"},
        {"X-Frame-Options", "DENY"},
        {"Referrer-Policy", "no-referrer"},
        {"Permissions-Policy", "camera=(), microphone=(), geolocation=()"},
        {"Cross-Origin-Opener-Policy", "same-origin"},
        {"Cross-Origin-Resource-Policy", "same-origin"},
    });
    for (const Route& r : routes_) Register(r);
    if (!options_.web_root.empty()) {
      if (!srv_->set_mount_point("/", options_.web_root.string())) {
        return Status::NotFound("web root ", options_.web_root.string(), " is not a folder");
      }
    }
    srv_->set_error_handler([](const httplib::Request&, httplib::Response& res) {
      if (!res.body.empty()) return;
      json body = {{"error", {{"code", res.status == 404 ? "not_found" : "http_" + std::to_string(res.status)},
                              {"message", res.status == 404 ? "no such page or route" : "request refused"}}}};
      res.set_content(body.dump(), "application/json");
    });
    srv_->set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
      res.status = 500;
      res.set_content(R"({"error":{"code":"internal","message":"internal error"}})", "application/json");
    });
    return Status::Ok();
  }

  Status Start() override {
    port_ = options_.listen_port == 0 ? srv_->bind_to_any_port(options_.listen_host)
                                      : (srv_->bind_to_port(options_.listen_host, options_.listen_port)
                                             ? options_.listen_port
                                             : -1);
    if (port_ <= 0) {
      return Status::Unavailable("cannot listen on ", options_.listen_host, ":", options_.listen_port);
    }
    streams_.Start();
    thread_ = std::thread([this] { srv_->listen_after_bind(); });
    // Stop() only takes effect on a running server: return once it accepts.
    for (int i = 0; i < 5000 && !srv_->is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (!srv_->is_running()) return Status::Unavailable("the server did not start listening");
    return Status::Ok();
  }

  void Stop() override {
    streams_.Stop();
    if (srv_) srv_->stop();
    if (thread_.joinable()) thread_.join();
    streams_.Join();
  }

  int port() const override { return port_; }

  std::vector<RouteInfo> Routes() const override {
    std::vector<RouteInfo> out;
    for (const auto& r : routes_) out.push_back(r.info);
    return out;
  }

 private:
  static std::string Pattern(const std::string& path) {
    // "/api/v1/reads/{id}" -> "/api/v1/reads/([^/]+)"
    static const std::regex param(R"(\{[a-z_]+\})");
    return std::regex_replace(path, param, "([^/]+)");
  }

  void Register(const Route& route) {
    auto fn = [this, &route](const httplib::Request& req, httplib::Response& res) { Dispatch(route, req, res); };
    const std::string pattern = Pattern(route.info.path);
    if (route.info.method == "GET") {
      srv_->Get(pattern, fn);
    } else if (route.info.method == "POST") {
      srv_->Post(pattern, fn);
    } else if (route.info.method == "DELETE") {
      srv_->Delete(pattern, fn);
    }
  }

  Status RunHandler(const Route& route, Ctx& c) { return Guarded([&] { return route.handler(c); }); }

  void Dispatch(const Route& route, const httplib::Request& req, httplib::Response& res) {
    const auto t0 = std::chrono::steady_clock::now();
    Ctx c{req, res, {}, {}, {}};
    Status st = Guarded([&] { return Authenticate(route.info, c, gov_, csrf_); });
    // Before a logon, only small bodies: the 32 MiB limit is for cameras and staff.
    if (st.ok() && route.info.auth == "public" && req.body.size() > kMaxPublicBody) {
      st = Status::InvalidArgument("the request body is larger than ", kMaxPublicBody, " bytes");
    }
    // Deny by default at the door too: a role that may not perform the route's operation
    // on any data class is refused (and logged) before the request is even parsed.
    if (st.ok() && route.info.auth == "user" && !route.info.operation.empty()) {
      st = policy::AuthorizeRoute(gov_, c.who, route.info.operation, req.method + " " + route.info.path);
    }
    if (st.ok()) st = RunHandler(route, c);
    if (!st.ok()) {
      if (st.code() == StatusCode::kInternal || st.code() == StatusCode::kUnavailable) {
        std::fprintf(stderr, "custodian serve: %s %s: %s\n", req.method.c_str(), route.info.path.c_str(),
                     st.ToString().c_str());
      }
      c.Json({{"error", {{"code", std::string(StatusCodeName(st.code()))}, {"message", SafeMessage(st)}}}},
             HttpStatusOf(st.code()));
    }
    if (route.info.path.rfind("/api/", 0) == 0) res.set_header("Cache-Control", "no-store");
    std::string group = route.info.path.substr(0, route.info.path.find('/', 8));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    metrics_.Observe(group, res.status, seconds);
    // Structured request log: the route pattern, never the query string (plates stay in
    // the access log, under its retention and review).
    if (options_.log_requests && route.info.path != "/healthz" && route.info.path != "/metrics") {
      json line = {{"ts", FormatUtcTime(gov_.clock().Now())}, {"method", req.method}, {"route", route.info.path},
                   {"status", res.status}, {"ms", std::round(seconds * 1e4) / 10}, {"src", SourceOf(req)}};
      if (!c.who.username.empty()) line["user"] = c.who.username;
      if (c.device.key_id) line["device"] = c.device.camera_id;
      const std::string text = line.dump(-1, ' ', false, json::error_handler_t::replace);
      std::lock_guard lock(log_mu_);
      if (options_.request_log) {
        options_.request_log(text);
      } else {
        std::fprintf(stdout, "%s\n", text.c_str());
        std::fflush(stdout);
      }
    }
  }

  static constexpr size_t kMaxPublicBody = 16u << 10;

  void BuildRoutes();

  Governance& gov_;
  ServerOptions options_;
  CsrfKey csrf_;
  std::vector<Route> routes_;
  std::unique_ptr<httplib::SSLServer> srv_;
  std::thread thread_;
  int port_ = 0;
  Metrics metrics_;
  std::mutex log_mu_;
  LogonLimiter logons_;
  AlertStreams streams_;
  ExportFolders exports_;
  ServerContext ctx_;
};

void HttpServer::BuildRoutes() {
  // In this order: the order of Routes() and of api/openapi.json.
  RegisterPublicRoutes(ctx_);
  RegisterSessionRoutes(ctx_);
  RegisterReadsRoutes(ctx_);
  RegisterIngestRoutes(ctx_);
  RegisterAlertsRoutes(ctx_);
  RegisterHotlistsRoutes(ctx_);
  RegisterHoldsRoutes(ctx_);
  RegisterUsersRoutes(ctx_);
  RegisterReferenceRoutes(ctx_);
  RegisterCamerasRoutes(ctx_);
  RegisterAuditRoutes(ctx_);
  RegisterSharingRoutes(ctx_);
  RegisterRequestsRoutes(ctx_);
  RegisterAccuracyRoutes(ctx_);
  RegisterIncidentsRoutes(ctx_);
  RegisterRetentionRoutes(ctx_);
  RegisterEvidenceRoutes(ctx_);
  RegisterReportsRoutes(ctx_);
}

}  // namespace
}  // namespace internal

// Handlers reach the store only through the governance layer (`gov`, built on the store).
Result<std::unique_ptr<Server>> Server::Create(store::ReadStore& /*store*/, policy::Governance& gov,
                                               vision::Engine* /*engine*/, const ServerOptions& options) {
  if (sodium_init() < 0) return Status::Internal("libsodium cannot initialise");
  if (options.cert_file.empty() || options.key_file.empty()) {
    return Status::InvalidArgument("the server needs a certificate and a key (TLS only)");
  }
  auto srv = std::make_unique<internal::HttpServer>(gov, options);
  CUSTODIAN_RETURN_IF_ERROR(srv->Init());
  return std::unique_ptr<Server>(std::move(srv));
}

}  // namespace custodian::server
