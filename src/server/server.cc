// The HTTPS server: a table of routes, each authenticated (public, session, full user
// session, or device key), each handled through the governance layer, with JSON errors,
// security headers, logon rate limits, live alert streams and Prometheus metrics.
#include "custodian/server/server.h"

#include <httplib.h>
#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <regex>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "custodian/core/utc_time.h"
#include "custodian/policy/accuracy_audit.h"
#include "custodian/policy/api_keys.h"
#include "custodian/policy/breach_incidents.h"
#include "custodian/policy/governed_ops.h"
#include "custodian/policy/hotlist_import.h"
#include "custodian/policy/records_requests.h"
#include "custodian/policy/reports.h"
#include "custodian/policy/sharing.h"
#include "server/alert_json.h"
#include "server/alert_streams.h"
#include "server/domain_json.h"
#include "server/errors.h"
#include "server/exports.h"
#include "server/metrics.h"
#include "server/middleware.h"
#include "server/request.h"
#include "server/tls.h"

namespace custodian::server {
namespace {

using json = nlohmann::json;
using policy::Governance;
using policy::Principal;
using internal::AccessCountsJson;
using internal::AlertJson;
using internal::AlertStreams;
using internal::AuditJson;
using internal::Base64Field;
using internal::Bool;
using internal::ClassPurgeJson;
using internal::CsrfKey;
using internal::Ctx;
using internal::ExportFolders;
using internal::GrantJson;
using internal::Guarded;
using internal::HoldJson;
using internal::HttpStatusOf;
using internal::Integer;
using internal::LogJson;
using internal::LogonLimiter;
using internal::Metrics;
using internal::Number;
using internal::OptionalBody;
using internal::OptIso;
using internal::OptTime;
using internal::ParseId;
using internal::ReadJson;
using internal::RequestJson;
using internal::SafeMessage;
using internal::SetSessionCookie;
using internal::SourceOf;
using internal::Str;
using internal::StreamState;
using internal::TimeField;
using internal::UserJson;

Result<policy::AccessPurpose> PurposeOf(const Ctx& c) {
  return policy::AccessPurpose{c.Param("purpose"), c.Param("case")};
}

Result<store::SearchQuery> SearchOf(const Ctx& c) {
  store::SearchQuery q;
  const std::string match = c.Param("match").empty() ? "exact" : c.Param("match");
  auto m = store::ParsePlateMatch(match);
  if (!m.ok() || *m == store::PlateMatch::kAny) return Status::InvalidArgument("match is exact, wildcard or fuzzy");
  q.match = *m;
  q.plate = c.Param("plate");
  if (q.plate.empty()) q.match = store::PlateMatch::kAny;
  if (c.Param("edits") == "1") q.extra_edits = 1;
  CUSTODIAN_ASSIGN_OR_RETURN(q.from, OptTime(c.Param("from")));
  CUSTODIAN_ASSIGN_OR_RETURN(q.to, OptTime(c.Param("to")));
  q.camera_ids = c.Params("camera");
  if (!c.Param("class").empty()) {
    CUSTODIAN_ASSIGN_OR_RETURN(store::DataClass dc, store::ParseDataClass(c.Param("class")));
    q.data_class = dc;
  }
  if (!c.Param("area").empty()) {
    double v[4];
    if (std::sscanf(c.Param("area").c_str(), "%lf,%lf,%lf,%lf", &v[0], &v[1], &v[2], &v[3]) != 4) {
      return Status::InvalidArgument("area is min_lat,min_lon,max_lat,max_lon");
    }
    q.area = store::GeoBox{v[0], v[1], v[2], v[3]};
  }
  if (!c.Param("limit").empty()) {
    int n = 0;
    auto s = c.Param("limit");
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc() || p != s.data() + s.size()) return Status::InvalidArgument("limit is a number");
    q.limit = n;
  }
  q.cursor = c.Param("cursor");
  return q;
}

// A records request's search from JSON: plate, match (exact, wildcard, fuzzy; no plate:
// any), extra_edits, from and to (required), cameras.
Result<store::SearchQuery> SearchOfJson(const json& j) {
  if (!j.is_object()) return Status::InvalidArgument("search is an object: plate, match, from, to, cameras");
  store::SearchQuery q;
  CUSTODIAN_ASSIGN_OR_RETURN(q.plate, Str(j, "plate", false, 64));
  CUSTODIAN_ASSIGN_OR_RETURN(std::string match, Str(j, "match", false, 16));
  auto m = store::ParsePlateMatch(match.empty() ? "exact" : match);
  if (!m.ok() || *m == store::PlateMatch::kAny) {
    return Status::InvalidArgument("search.match is exact, wildcard or fuzzy");
  }
  q.match = *m;
  if (q.plate.empty()) q.match = store::PlateMatch::kAny;
  CUSTODIAN_ASSIGN_OR_RETURN(int64_t edits, Integer(j, "extra_edits", 0, 0, 1));
  q.extra_edits = int(edits);
  CUSTODIAN_ASSIGN_OR_RETURN(TimePoint from, TimeField(j, "from"));
  CUSTODIAN_ASSIGN_OR_RETURN(TimePoint to, TimeField(j, "to"));
  q.from = from;
  q.to = to;
  if (j.contains("cameras")) {
    if (!j["cameras"].is_array()) return Status::InvalidArgument("search.cameras is an array of camera ids");
    for (const auto& cam : j["cameras"]) {
      if (!cam.is_string()) return Status::InvalidArgument("search.cameras is an array of camera ids");
      q.camera_ids.push_back(cam.get<std::string>());
    }
  }
  return q;
}

Result<policy::BreachIncident> IncidentOfJson(const json& b) {
  policy::BreachIncident i;
  CUSTODIAN_ASSIGN_OR_RETURN(std::string title, Str(b, "title", false, 200));
  if (!title.empty()) i.title = title;
  CUSTODIAN_ASSIGN_OR_RETURN(i.agency_name, Str(b, "agency_name", true, 256));
  CUSTODIAN_ASSIGN_OR_RETURN(i.contact_name, Str(b, "contact_name", false, 256));
  CUSTODIAN_ASSIGN_OR_RETURN(i.contact_phone, Str(b, "contact_phone", false, 64));
  CUSTODIAN_ASSIGN_OR_RETURN(i.contact_email, Str(b, "contact_email", false, 254));
  CUSTODIAN_ASSIGN_OR_RETURN(i.contact_address, Str(b, "contact_address", false, 1000));
  CUSTODIAN_ASSIGN_OR_RETURN(i.what_happened, Str(b, "what_happened", true, 8000));
  if (!b.contains("information_involved") || !b["information_involved"].is_array()) {
    return Status::InvalidArgument("information_involved is an array of the kinds of information involved");
  }
  for (const auto& x : b["information_involved"]) {
    if (!x.is_string() || x.get<std::string>().size() > 500) {
      return Status::InvalidArgument("information_involved holds strings of up to 500 bytes");
    }
    if (!x.get<std::string>().empty()) i.information_involved.push_back(x.get<std::string>());
  }
  CUSTODIAN_ASSIGN_OR_RETURN(i.what_we_are_doing, Str(b, "what_we_are_doing", false, 8000));
  CUSTODIAN_ASSIGN_OR_RETURN(i.what_you_can_do, Str(b, "what_you_can_do", false, 8000));
  auto opt_time = [&](const char* key, std::optional<TimePoint>& out) -> Status {
    if (!b.contains(key) || b[key].is_null() || (b[key].is_string() && b[key].get<std::string>().empty())) {
      return Status::Ok();
    }
    CUSTODIAN_ASSIGN_OR_RETURN(TimePoint t, TimeField(b, key));
    out = t;
    return Status::Ok();
  };
  CUSTODIAN_RETURN_IF_ERROR(opt_time("breach_date", i.breach_date));
  CUSTODIAN_RETURN_IF_ERROR(opt_time("estimated_date", i.estimated_date));
  std::optional<TimePoint> first, last;
  CUSTODIAN_RETURN_IF_ERROR(opt_time("date_range_from", first));
  CUSTODIAN_RETURN_IF_ERROR(opt_time("date_range_to", last));
  if (first.has_value() != last.has_value()) {
    return Status::InvalidArgument("a date range needs both date_range_from and date_range_to");
  }
  if (first) i.date_range = std::pair{*first, *last};
  if (b.contains("delayed_for_law_enforcement")) {
    if (!b["delayed_for_law_enforcement"].is_boolean()) {
      return Status::InvalidArgument("delayed_for_law_enforcement is true or false");
    }
    i.delayed_for_law_enforcement = b["delayed_for_law_enforcement"].get<bool>();
  }
  std::optional<TimePoint> notice;
  CUSTODIAN_RETURN_IF_ERROR(opt_time("notice_date", notice));
  if (notice) i.notice_date = *notice;
  return i;
}

// ---- The server ----

struct Route {
  RouteInfo info;
  std::function<Status(Ctx&)> handler;
};

class HttpServer final : public Server {
 public:
  HttpServer(store::ReadStore& store, Governance& gov, const ServerOptions& options)
      : store_(store), gov_(gov), options_(options), logons_(options_.logons_per_minute),
        streams_(gov_, options_, metrics_), exports_(options_, gov_) {
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
  void Add(std::string method, std::string path, std::string auth, std::string_view op,
           std::function<Status(Ctx&)> handler) {
    routes_.push_back({{std::move(method), std::move(path), std::move(auth), std::string(op)}, std::move(handler)});
  }

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
      const auto& m = gov_.matrix();
      const std::string& op = route.info.operation;
      const bool any = m.Scoped(op) ? !m.ClassesFor(c.who.role, op).empty() : m.Allows(c.who.role, op);
      if (!any) {
        policy::LogEvent e = gov_.Event(c.who, op, policy::kDenied);
        e.terms = json{{"route", req.method + " " + route.info.path}}.dump();
        st = gov_.Authorize(c.who, op, std::nullopt, e);
        if (st.ok()) st = Status::PermissionDenied("role may not ", op);
      }
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

  json MeJson(const Principal& who) {
    json j = {{"username", who.username},
              {"agency_code", who.agency_code},
              {"role", std::string(policy::RoleName(who.role))},
              {"must_change_password", who.must_change_password},
              {"must_enrol_totp", who.must_enrol_totp},
              {"csrf_token", csrf_.For(who.token_sha)}};
    json allowed = json::array();
    for (const auto& op : gov_.matrix().operations()) {
      if (op.scoped) {
        for (auto c : gov_.matrix().ClassesFor(who.role, op.name)) {
          allowed.push_back(op.name + ":" + std::string(store::DataClassName(c)));
        }
      } else if (gov_.matrix().Allows(who.role, op.name)) {
        allowed.push_back(op.name);
      }
    }
    j["permissions"] = allowed;
    auto gates = gov_.Gates(who);
    j["gates_missing"] = gates.ok() ? json(gates->missing) : json::array();
    return j;
  }

  void BuildRoutes();

  store::ReadStore& store_;
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
  std::mutex transparency_mu_;
  std::optional<std::pair<std::chrono::steady_clock::time_point, json>> transparency_;
};

void HttpServer::BuildRoutes() {
  // ---- Public ----
  Add("GET", "/healthz", "public", "", [this](Ctx& c) -> Status {
    auto v = store_.SchemaVersion();
    if (!v.ok()) return Status::Unavailable("the database is unreachable");
    c.Json({{"status", "ok"}, {"schema_version", *v}});
    return Status::Ok();
  });
  Add("GET", "/metrics", "public", "", [this](Ctx& c) -> Status {
    // Served to loopback (a local Prometheus or agent), or with the metrics token.
    const std::string& from = c.req.remote_addr;
    const bool loopback = from == "127.0.0.1" || from == "::1" || from.rfind("::ffff:127.", 0) == 0;
    if (!loopback) {
      const std::string h = c.req.get_header_value("Authorization");
      const std::string want = "Bearer " + options_.metrics_token;
      if (options_.metrics_token.empty() || h.size() != want.size() ||
          sodium_memcmp(h.data(), want.data(), want.size()) != 0) {
        return Status::PermissionDenied("metrics are served to loopback or with the metrics token");
      }
    }
    c.res.set_content(metrics_.Render(), "text/plain; version=0.0.4");
    return Status::Ok();
  });
  Add("GET", "/api/v1/notice", "public", "", [this](Ctx& c) -> Status {
    json statements = json::array();
    for (const char* s : policy::kAcknowledgmentStatements) statements.push_back(s);
    c.Json({{"system_use_notice", gov_.system_use_notice()}, {"acknowledgment_statements", statements}});
    return Status::Ok();
  });
  Add("GET", "/api/v1/transparency", "public", "", [this](Ctx& c) -> Status {
    std::lock_guard lock(transparency_mu_);
    const auto now = std::chrono::steady_clock::now();
    if (!transparency_ || now - transparency_->first > options_.transparency_cache) {
      CUSTODIAN_ASSIGN_OR_RETURN(auto f, policy::ComputeTransparency(gov_));
      json purposes = json::object();
      for (const auto& [p, n] : f.searches_by_purpose) purposes[p.empty() ? "(none)" : p] = n;
      json j = {{"cameras", {{"total", f.cameras}, {"public_safety", f.cameras_public_safety},
                             {"non_public_safety", f.cameras_non_public_safety}}},
                {"reads", {{"stored", f.reads}, {"last_30_days", f.reads_last_30_days}}},
                {"hotlist_hits", {{"total", f.hotlist_hits}, {"confirmed", f.hits_confirmed},
                                  {"dismissed_as_misread", f.hits_dismissed_misread}}},
                {"searches_last_365_days", {{"by_purpose", purposes}, {"refused", f.searches_denied}}},
                {"sharing", {{"grants_in_force", f.sharing_grants_in_force}, {"agencies", f.agencies_shared_with}}},
                {"purge_runs", f.purges},
                {"retention", {{"minimum_days", 90}, {"maximum_days", 730}}},
                // Cached with the figures: a head at most transparency_cache old.
                {"access_log_head", f.access_log_head ? json::parse(policy::SignedHeadJson(*f.access_log_head))
                                                      : json(nullptr)}};
      transparency_ = {now, j};
    }
    c.Json(transparency_->second);
    return Status::Ok();
  });

  // ---- Logon and the session ----
  Add("POST", "/api/v1/session", "public", "", [this](Ctx& c) -> Status {
    const std::string source = SourceOf(c.req);
    if (!logons_.Allowed(source)) {
      ++metrics_.logons_refused;
      c.res.set_header("Retry-After", "60");
      c.Json({{"error", {{"code", "rate_limited"}, {"message", "too many logon attempts from this address; wait a minute"}}}},
             429);
      return Status::Ok();
    }
    // A logon is a JSON request from this site's own pages (or a non-browser client): a
    // form post from another site is refused before anything is parsed.
    const std::string type = c.req.get_header_value("Content-Type");
    if (type.rfind("application/json", 0) != 0) {
      return Status::InvalidArgument("a logon is a JSON body (Content-Type: application/json)");
    }
    const std::string origin = c.req.get_header_value("Origin");
    if (!origin.empty() && origin != "https://" + c.req.get_header_value("Host")) {
      return Status::PermissionDenied("a logon from another site's page is refused (Origin ", origin.substr(0, 80), ")");
    }
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    policy::LogonRequest r;
    CUSTODIAN_ASSIGN_OR_RETURN(r.username, Str(b, "username", true, 128));
    CUSTODIAN_ASSIGN_OR_RETURN(r.password, Str(b, "password", true, 1024));
    CUSTODIAN_ASSIGN_OR_RETURN(r.totp_code, Str(b, "code", false, 16));
    CUSTODIAN_ASSIGN_OR_RETURN(r.notice_accepted, Bool(b, "notice_accepted"));
    r.source = source;
    auto logon = gov_.Logon(r);
    if (!logon.ok()) {
      ++metrics_.logons_refused;
      return logon.status();
    }
    ++metrics_.logons_ok;
    SetSessionCookie(c.res, logon->token, int(gov_.options().session_lifetime.count() * 3600));
    c.Json(MeJson(logon->principal));
    return Status::Ok();
  });
  Add("DELETE", "/api/v1/session", "session", "", [this](Ctx& c) -> Status {
    CUSTODIAN_RETURN_IF_ERROR(gov_.Logout(c.who));
    streams_.WakeStreams();  // this session's live streams close now
    SetSessionCookie(c.res, "", 0);
    c.Json({{"logged_out", true}});
    return Status::Ok();
  });
  Add("GET", "/api/v1/me", "session", "", [this](Ctx& c) -> Status {
    c.Json(MeJson(c.who));
    return Status::Ok();
  });
  Add("POST", "/api/v1/me/mfa/enrol", "session", "", [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto e, gov_.BeginTotpEnrolment(c.who));
    c.Json({{"secret", e.secret_base32}, {"uri", e.uri}});
    return Status::Ok();
  });
  Add("POST", "/api/v1/me/mfa/confirm", "session", "", [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    CUSTODIAN_ASSIGN_OR_RETURN(std::string code, Str(b, "code", true, 16));
    CUSTODIAN_RETURN_IF_ERROR(gov_.ConfirmTotpEnrolment(c.who, code));
    CUSTODIAN_ASSIGN_OR_RETURN(auto who, gov_.Authenticate(c.token, SourceOf(c.req)));
    c.Json(MeJson(who));
    return Status::Ok();
  });
  Add("POST", "/api/v1/me/password", "session", "", [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    CUSTODIAN_ASSIGN_OR_RETURN(std::string current, Str(b, "current", true, 1024));
    CUSTODIAN_ASSIGN_OR_RETURN(std::string next, Str(b, "new", true, 1024));
    CUSTODIAN_RETURN_IF_ERROR(gov_.ChangePassword(c.who, current, next));
    streams_.WakeStreams();  // the account's other sessions ended
    CUSTODIAN_ASSIGN_OR_RETURN(auto who, gov_.Authenticate(c.token, SourceOf(c.req)));
    c.Json(MeJson(who));
    return Status::Ok();
  });
  Add("POST", "/api/v1/me/acknowledgment", "user", "", [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    policy::AcknowledgmentSignature sig;
    if (!b.contains("statements") || !b["statements"].is_array() || b["statements"].size() != 4) {
      return Status::InvalidArgument("statements is an array of four booleans");
    }
    for (int i = 0; i < 4; ++i) {
      if (!b["statements"][i].is_boolean()) return Status::InvalidArgument("statements is an array of four booleans");
      sig.statements[i] = b["statements"][i].get<bool>();
    }
    CUSTODIAN_ASSIGN_OR_RETURN(sig.typed_name, Str(b, "typed_name", true, 128));
    CUSTODIAN_RETURN_IF_ERROR(gov_.SignAcknowledgment(c.who, sig));
    c.Json(MeJson(c.who));
    return Status::Ok();
  });

  // ---- Plate data ----
  Add("GET", "/api/v1/reads", "user", policy::ops::kSearchReads, [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto why, PurposeOf(c));
    CUSTODIAN_ASSIGN_OR_RETURN(auto q, SearchOf(c));
    CUSTODIAN_ASSIGN_OR_RETURN(auto page, gov_.SearchReads(c.who, why, q));
    ++metrics_.searches;
    json reads = json::array();
    for (const auto& r : page.reads) reads.push_back(ReadJson(r));
    c.Json({{"reads", reads}, {"next_cursor", page.next_cursor}});
    return Status::Ok();
  });
  Add("GET", "/api/v1/reads/{id}", "user", policy::ops::kSearchReads, [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, c.PathId());
    CUSTODIAN_ASSIGN_OR_RETURN(auto why, PurposeOf(c));
    CUSTODIAN_ASSIGN_OR_RETURN(auto r, gov_.GetRead(c.who, why, id));
    c.Json(ReadJson(r));
    return Status::Ok();
  });
  Add("GET", "/api/v1/reads/{id}/image", "user", policy::ops::kViewImages, [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, c.PathId());
    CUSTODIAN_ASSIGN_OR_RETURN(auto why, PurposeOf(c));
    const std::string kind = c.Param("kind");
    if (!kind.empty() && kind != "crop" && kind != "frame") return Status::InvalidArgument("kind is crop or frame");
    CUSTODIAN_ASSIGN_OR_RETURN(auto bytes, gov_.GetReadImage(c.who, why, id, kind == "frame"));
    const bool png = bytes.size() > 4 && bytes[0] == 0x89 && bytes[1] == 'P';
    c.res.set_content(std::string(bytes.begin(), bytes.end()), png ? "image/png" : "image/jpeg");
    return Status::Ok();
  });
  Add("POST", "/api/v1/reads", "device", "", [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    if (!b.contains("reads") || !b["reads"].is_array()) return Status::InvalidArgument("reads is an array");
    if (b["reads"].size() > options_.max_ingest_batch) {
      return Status::InvalidArgument("at most ", options_.max_ingest_batch, " reads per request");
    }
    std::vector<store::ReadInput> batch;
    batch.reserve(b["reads"].size());
    size_t i = 0;
    for (const auto& j : b["reads"]) {
      auto at = [&](const Status& st) { return Status(st.code(), "reads[" + std::to_string(i) + "]: " + st.message()); };
      if (!j.is_object()) return at(Status::InvalidArgument("a read is a JSON object"));
      store::ReadInput r;
      auto ev = Str(j, "event_id", false, 128);
      if (!ev.ok()) return at(ev.status());
      r.event_id = *ev;
      auto cam = Str(j, "camera_id", false, 128);
      if (!cam.ok()) return at(cam.status());
      if (!cam->empty() && *cam != c.device.camera_id) {
        return at(Status::PermissionDenied("this API key ingests for camera ", c.device.camera_id, " only"));
      }
      r.camera_id = c.device.camera_id;
      auto t = TimeField(j, "captured_at");
      if (!t.ok()) return at(t.status());
      r.captured_at = *t;
      auto plate = Str(j, "plate", true, 64);
      if (!plate.ok()) return at(plate.status());
      r.plate = *plate;
      if (!j.contains("confidence") || !j["confidence"].is_number()) return at(Status::InvalidArgument("confidence is a number"));
      r.confidence = j["confidence"].get<float>();
      auto country = Str(j, "country", false, 8);
      if (!country.ok()) return at(country.status());
      r.country = *country;
      auto region = Str(j, "region", false, 16);
      if (!region.ok()) return at(region.status());
      r.region = *region;
      if (j.contains("candidates") && !j["candidates"].is_null()) {
        if (!j["candidates"].is_array()) return at(Status::InvalidArgument("field 'candidates' must be an array"));
        for (const auto& cand : j["candidates"]) {
          if (!cand.is_object()) return at(Status::InvalidArgument("field 'candidates' holds objects"));
          auto plate_c = Str(cand, "plate", true, 64);
          if (!plate_c.ok()) return at(Status::InvalidArgument("candidates: ", plate_c.status().message()));
          auto conf = Number(cand, "confidence");
          if (!conf.ok()) return at(Status::InvalidArgument("candidates: ", conf.status().message()));
          r.candidates.push_back({*plate_c, float(*conf)});
        }
      }
      if (j.contains("box") && !j["box"].is_null()) {
        const json& bx = j["box"];
        if (!bx.is_object()) return at(Status::InvalidArgument("field 'box' must be an object"));
        int64_t v[4] = {0, 0, 0, 0};
        const char* keys[4] = {"x", "y", "width", "height"};
        for (int k = 0; k < 4; ++k) {
          auto n = Integer(bx, keys[k], 0, 0, 1'000'000);
          if (!n.ok()) return at(Status::InvalidArgument("box: ", n.status().message()));
          v[k] = *n;
        }
        r.box = store::Box{int(v[0]), int(v[1]), int(v[2]), int(v[3])};
      }
      if (j.contains("location") && !j["location"].is_null()) {
        const json& loc = j["location"];
        if (!loc.is_object()) return at(Status::InvalidArgument("field 'location' must be an object"));
        auto lat = Number(loc, "lat");
        auto lon = Number(loc, "lon");
        if (!lat.ok() || !lon.ok()) return at(Status::InvalidArgument("location: ", (!lat.ok() ? lat : lon).status().message()));
        r.location = store::GeoPoint{*lat, *lon};
      }
      auto crop = Base64Field(j, "plate_crop");
      if (!crop.ok()) return at(crop.status());
      r.plate_crop = std::move(*crop);
      auto frame = Base64Field(j, "frame");
      if (!frame.ok()) return at(frame.status());
      r.frame = std::move(*frame);
      batch.push_back(std::move(r));
      ++i;
    }
    CUSTODIAN_ASSIGN_OR_RETURN(auto results, store_.Ingest(batch));
    json out = json::array();
    int64_t alerts = 0;
    for (size_t k = 0; k < results.size(); ++k) {
      out.push_back({{"event_id", batch[k].event_id}, {"id", results[k].read_id}, {"duplicate", results[k].duplicate},
                     {"alerts", results[k].alerts}});
      alerts += results[k].alerts;
    }
    metrics_.reads_ingested += int64_t(results.size());
    if (alerts) {
      metrics_.alerts_raised += alerts;
      streams_.AlertsChanged();
    }
    c.Json({{"results", out}}, 201);
    return Status::Ok();
  });

  // ---- Alerts ----
  Add("GET", "/api/v1/alerts", "user", policy::ops::kViewAlerts, [this](Ctx& c) -> Status {
    store::AlertQuery q;
    q.unreviewed_only = c.Param("unreviewed") == "1" || c.Param("unreviewed") == "true";
    if (!c.Param("state").empty()) {
      CUSTODIAN_ASSIGN_OR_RETURN(store::AlertState s, store::ParseAlertState(c.Param("state")));
      q.state = s;
    }
    if (!c.Param("after").empty()) q.after_id = std::atoll(c.Param("after").c_str());
    CUSTODIAN_ASSIGN_OR_RETURN(auto alerts, policy::ListAlerts(gov_, c.who, q));
    json out = json::array();
    for (const auto& a : alerts) out.push_back(AlertJson(a));
    c.Json({{"alerts", out}});
    return Status::Ok();
  });
  Add("GET", "/api/v1/alerts/stream", "user", policy::ops::kViewAlerts, [this](Ctx& c) -> Status {
    // The opening is one logged listing (its alerts' ids and plates); after that the
    // stream wakes on a new alert, a logout or every stream_wake, re-checks the session
    // (closing when it has ended: logout, separation, role or gate change, idle, lifetime)
    // and logs only the alerts it actually sends.
    auto st = std::make_shared<StreamState>();
    st->token = c.token;
    st->source = SourceOf(c.req);
    st->user_id = c.who.user_id;
    const AlertStreams::Admission admission = streams_.Open(c.who.user_id, &st->gen);
    if (admission != AlertStreams::Admission::kOpened) {
      c.res.set_header("Retry-After", "30");
      c.Json({{"error", {{"code", "too_many_streams"},
                         {"message", admission == AlertStreams::Admission::kServerFull
                                         ? "the server has as many live alert streams open as it allows; try again later"
                                         : "you have as many live alert streams open as allowed; close a tab"}}}},
             429);
      return Status::Ok();
    }
    auto release = [this, user = c.who.user_id] { streams_.Close(user); };
    store::AlertQuery q;
    auto after = ParseId(c.Param("after"), "after");
    if (!after.ok()) {
      release();
      return after.status();
    }
    q.after_id = *after;
    q.unreviewed_only = true;
    auto first = policy::ListAlerts(gov_, c.who, q);
    if (!first.ok()) {
      release();
      return first.status();
    }
    st->last_id = q.after_id;
    for (const auto& a : *first) st->last_id = std::max(st->last_id, a.id);
    st->initial = std::move(*first);
    if (st->initial.size() < size_t(q.limit)) st->last_id = std::max(st->last_id, streams_.newest());
    c.res.set_header("Cache-Control", "no-store");
    c.res.set_header("X-Accel-Buffering", "no");
    ++metrics_.streams_open;
    c.res.set_chunked_content_provider(
        "text/event-stream",
        [this, st](size_t, httplib::DataSink& sink) -> bool { return streams_.Step(*st, sink); },
        [this, release](bool) {
          --metrics_.streams_open;
          release();
        });
    return Status::Ok();
  });
  Add("POST", "/api/v1/alerts/{id}/acknowledge", "user", policy::ops::kReviewAlerts, [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, c.PathId());
    CUSTODIAN_ASSIGN_OR_RETURN(auto a, policy::AcknowledgeAlert(gov_, c.who, id));
    c.Json(AlertJson(a));
    return Status::Ok();
  });
  Add("POST", "/api/v1/alerts/{id}/confirm", "user", policy::ops::kReviewAlerts, [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, c.PathId());
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    CUSTODIAN_ASSIGN_OR_RETURN(std::string action, Str(b, "action", true, 256));
    CUSTODIAN_ASSIGN_OR_RETURN(bool image_checked, Bool(b, "image_checked"));
    CUSTODIAN_ASSIGN_OR_RETURN(auto a, policy::ConfirmAlert(gov_, c.who, id, image_checked, action));
    c.Json(AlertJson(a));
    return Status::Ok();
  });
  Add("POST", "/api/v1/alerts/{id}/dismiss", "user", policy::ops::kReviewAlerts, [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, c.PathId());
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    CUSTODIAN_ASSIGN_OR_RETURN(std::string note, Str(b, "note", true, 256));
    CUSTODIAN_ASSIGN_OR_RETURN(auto a, policy::DismissAlert(gov_, c.who, id, note));
    c.Json(AlertJson(a));
    return Status::Ok();
  });

  // ---- Hotlists ----
  Add("GET", "/api/v1/hotlists", "user", policy::ops::kViewHotlists, [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto lists, policy::ListHotlists(gov_, c.who));
    json out = json::array();
    for (const auto& h : lists) {
      out.push_back({{"id", h.id}, {"name", h.name}, {"agency_code", h.agency_code},
                     {"category", std::string(store::HotlistCategoryName(h.category))}, {"fuzzy", h.fuzzy},
                     {"entries", h.entries}});
    }
    c.Json({{"hotlists", out}});
    return Status::Ok();
  });
  Add("POST", "/api/v1/hotlists", "user", policy::ops::kManageHotlists, [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    store::HotlistSpec spec;
    CUSTODIAN_ASSIGN_OR_RETURN(spec.name, Str(b, "name", true, 128));
    CUSTODIAN_ASSIGN_OR_RETURN(spec.agency_code, Str(b, "agency_code", false, 128));
    if (spec.agency_code.empty()) spec.agency_code = c.who.agency_code;
    CUSTODIAN_ASSIGN_OR_RETURN(std::string cat, Str(b, "category", true, 64));
    CUSTODIAN_ASSIGN_OR_RETURN(spec.category, store::ParseHotlistCategory(cat));
    CUSTODIAN_ASSIGN_OR_RETURN(spec.fuzzy, Bool(b, "fuzzy"));
    CUSTODIAN_ASSIGN_OR_RETURN(auto h, policy::PutHotlist(gov_, c.who, spec));
    c.Json({{"id", h.id}, {"name", h.name}}, 201);
    return Status::Ok();
  });
  Add("POST", "/api/v1/hotlists/{name}/entries", "user", policy::ops::kManageHotlists, [this](Ctx& c) -> Status {
    const std::string list = c.PathString();
    const std::string format = c.Param("format").empty() ? "csv" : c.Param("format");
    if (format != "csv" && format != "svs") return Status::InvalidArgument("format is csv or svs");
    policy::ParsedHotlist parsed = format == "csv" ? policy::ParseHotlistCsv(c.req.body) : policy::ParseHotlistSvs(c.req.body);
    CUSTODIAN_ASSIGN_OR_RETURN(auto r, policy::ImportHotlistEntries(gov_, c.who, list, parsed.entries,
                                                                    std::chrono::hours(72)));
    json errors = json::array();
    for (const auto& e : parsed.errors) errors.push_back({{"line", e.line}, {"message", e.message}});
    if (r.retro_alerts) streams_.AlertsChanged();
    c.Json({{"added", r.added}, {"updated", r.updated}, {"retro_alerts", r.retro_alerts}, {"errors", errors}});
    return Status::Ok();
  });

  // ---- Holds ----
  Add("GET", "/api/v1/holds", "user", policy::ops::kPlaceHolds, [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto holds, policy::ListHolds(gov_, c.who, c.Param("all") == "1"));
    json out = json::array();
    for (const auto& h : holds) out.push_back(HoldJson(h));
    c.Json({{"holds", out}});
    return Status::Ok();
  });
  Add("POST", "/api/v1/holds", "user", policy::ops::kPlaceHolds, [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    store::HoldRequest r;
    CUSTODIAN_ASSIGN_OR_RETURN(r.case_number, Str(b, "case_number", true, 128));
    CUSTODIAN_ASSIGN_OR_RETURN(r.reason, Str(b, "reason", true, 1024));
    CUSTODIAN_ASSIGN_OR_RETURN(std::string purpose, Str(b, "purpose", false, 64));
    if (purpose.empty()) purpose = "legal_hold";
    if (b.contains("read_ids")) {
      if (!b["read_ids"].is_array()) return Status::InvalidArgument("read_ids is an array of ids");
      for (const auto& id : b["read_ids"]) {
        if (!id.is_number_integer()) return Status::InvalidArgument("read_ids is an array of ids");
        r.read_ids.push_back(id.get<int64_t>());
      }
    }
    if (b.contains("plate")) {
      store::SearchQuery q;
      CUSTODIAN_ASSIGN_OR_RETURN(q.plate, Str(b, "plate", true, 64));
      CUSTODIAN_ASSIGN_OR_RETURN(std::string m, Str(b, "match", false, 16));
      q.match = m == "wildcard" ? store::PlateMatch::kWildcard
                : m == "fuzzy"  ? store::PlateMatch::kFuzzy
                                : store::PlateMatch::kExact;
      if (b.contains("from")) {
        CUSTODIAN_ASSIGN_OR_RETURN(TimePoint t, TimeField(b, "from"));
        q.from = t;
      }
      if (b.contains("to")) {
        CUSTODIAN_ASSIGN_OR_RETURN(TimePoint t, TimeField(b, "to"));
        q.to = t;
      }
      r.matching = q;
    }
    CUSTODIAN_ASSIGN_OR_RETURN(auto h, policy::PlaceHold(gov_, c.who, purpose, r));
    c.Json(HoldJson(h), 201);
    return Status::Ok();
  });
  Add("POST", "/api/v1/holds/{id}/release", "user", policy::ops::kPlaceHolds, [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, c.PathId());
    CUSTODIAN_ASSIGN_OR_RETURN(auto h, policy::ReleaseHold(gov_, c.who, "legal_hold", id));
    c.Json(HoldJson(h));
    return Status::Ok();
  });

  // ---- Users ----
  Add("GET", "/api/v1/users", "user", policy::ops::kManageUsers, [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto users, gov_.ListUsers(c.who));
    json out = json::array();
    for (const auto& u : users) out.push_back(UserJson(u));
    c.Json({{"users", out}});
    return Status::Ok();
  });
  Add("POST", "/api/v1/users", "user", policy::ops::kManageUsers, [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    policy::UserSpec s;
    CUSTODIAN_ASSIGN_OR_RETURN(s.username, Str(b, "username", true, 64));
    CUSTODIAN_ASSIGN_OR_RETURN(s.full_name, Str(b, "full_name", true, 128));
    CUSTODIAN_ASSIGN_OR_RETURN(s.agency_code, Str(b, "agency_code", false, 128));
    if (s.agency_code.empty()) s.agency_code = c.who.agency_code;
    CUSTODIAN_ASSIGN_OR_RETURN(std::string role, Str(b, "role", true, 64));
    CUSTODIAN_ASSIGN_OR_RETURN(s.role, policy::ParseRole(role));
    CUSTODIAN_ASSIGN_OR_RETURN(s.supervisor, Str(b, "supervisor", false, 64));
    for (auto [key, field] : {std::pair{"access_expires", &s.access_expires},
                              std::pair{"background_check", &s.background_check},
                              std::pair{"cjis_addendum", &s.cjis_addendum}}) {
      if (b.contains(key)) {
        CUSTODIAN_ASSIGN_OR_RETURN(TimePoint t, TimeField(b, key));
        *field = t;
      }
    }
    CUSTODIAN_ASSIGN_OR_RETURN(auto made, gov_.CreateUser(c.who, s));
    c.Json({{"username", made.username}, {"initial_password", made.initial_password}}, 201);
    return Status::Ok();
  });
  Add("POST", "/api/v1/users/{username}/{action}", "user", policy::ops::kManageUsers, [this](Ctx& c) -> Status {
    const std::string user = c.PathString(1);
    const std::string action = c.PathString(2);
    CUSTODIAN_ASSIGN_OR_RETURN(json body, OptionalBody(c.req.body));
    if (action == "unlock") {
      CUSTODIAN_RETURN_IF_ERROR(gov_.Unlock(c.who, user));
    } else if (action == "separate") {
      CUSTODIAN_ASSIGN_OR_RETURN(std::string reason, Str(body, "reason", false, 256));
      CUSTODIAN_RETURN_IF_ERROR(gov_.Separate(c.who, user, reason.empty() ? "separation" : reason));
    } else if (action == "role") {
      CUSTODIAN_ASSIGN_OR_RETURN(std::string role, Str(body, "role", true, 64));
      CUSTODIAN_ASSIGN_OR_RETURN(policy::Role r, policy::ParseRole(role));
      CUSTODIAN_RETURN_IF_ERROR(gov_.SetRole(c.who, user, r));
    } else if (action == "flag-compromised") {
      CUSTODIAN_RETURN_IF_ERROR(gov_.FlagCompromised(c.who, user));
    } else if (action == "reset-mfa") {
      CUSTODIAN_RETURN_IF_ERROR(gov_.ResetTotp(c.who, user));
    } else if (action == "reset-password") {
      CUSTODIAN_ASSIGN_OR_RETURN(auto made, gov_.ResetPassword(c.who, user));
      c.Json({{"username", made.username}, {"initial_password", made.initial_password}});
      return Status::Ok();
    } else if (action == "training") {
      CUSTODIAN_ASSIGN_OR_RETURN(std::string course, Str(body, "course", true, 200));
      CUSTODIAN_ASSIGN_OR_RETURN(TimePoint done, TimeField(body, "completed"));
      CUSTODIAN_RETURN_IF_ERROR(gov_.RecordTraining(c.who, user, course, done));
    } else if (action == "approve") {
      CUSTODIAN_ASSIGN_OR_RETURN(std::string as, Str(body, "as", true, 32));
      if (as != "supervisor" && as != "coordinator") return Status::InvalidArgument("as is supervisor or coordinator");
      CUSTODIAN_RETURN_IF_ERROR(gov_.ApproveAcknowledgment(
          c.who, user, as == "supervisor" ? policy::Approval::kSupervisor : policy::Approval::kCoordinator));
    } else {
      return Status::NotFound("no user action '", action.substr(0, 32), "'");
    }
    streams_.WakeStreams();  // an account change may end sessions with live streams
    CUSTODIAN_ASSIGN_OR_RETURN(auto info, gov_.GetUser(c.who, user));
    c.Json(UserJson(info));
    return Status::Ok();
  });

  // The approvals of a signed acknowledgment, for whoever may give them (command staff as
  // supervisors of record, coordinators); the users route above needs manage_users.
  Add("POST", "/api/v1/acknowledgments/{username}/approve", "user", policy::ops::kApproveAcknowledgments,
      [this](Ctx& c) -> Status {
        const std::string user = c.PathString(1);
        CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
        CUSTODIAN_ASSIGN_OR_RETURN(std::string as, Str(b, "as", true, 32));
        if (as != "supervisor" && as != "coordinator") return Status::InvalidArgument("as is supervisor or coordinator");
        CUSTODIAN_RETURN_IF_ERROR(gov_.ApproveAcknowledgment(
            c.who, user, as == "supervisor" ? policy::Approval::kSupervisor : policy::Approval::kCoordinator));
        c.Json({{"username", user}, {"approved_as", as}});
        return Status::Ok();
      });

  // ---- Reference lists for forms ----
  Add("GET", "/api/v1/purposes", "session", "", [this](Ctx& c) -> Status {
    json allowed = json::array();
    for (const auto& [code, title] : gov_.purposes().allowed()) {
      if (!gov_.purposes().Forbidden(code)) allowed.push_back({{"code", code}, {"title", title}});
    }
    json forbidden = json::array();
    for (const auto& [code, title] : gov_.purposes().forbidden()) forbidden.push_back({{"code", code}, {"title", title}});
    c.Json({{"purposes", allowed}, {"forbidden", forbidden}});
    return Status::Ok();
  });
  Add("GET", "/api/v1/roles", "user", policy::ops::kManageUsers, [this](Ctx& c) -> Status {
    json roles = json::array();
    for (policy::Role r : policy::kAllRoles) {
      roles.push_back({{"role", std::string(policy::RoleName(r))}, {"title", std::string(gov_.matrix().RoleTitle(r))}});
    }
    c.Json({{"roles", roles}, {"matrix", gov_.matrix().Describe()}});
    return Status::Ok();
  });
  Add("GET", "/api/v1/cameras", "user", policy::ops::kViewCameras, [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto cams, policy::ListCameras(gov_, c.who));
    json out = json::array();
    for (const auto& cam : cams) {
      json j = {{"id", cam.id}, {"name", cam.name}, {"kind", std::string(store::CameraKindName(cam.kind))},
                {"agency_code", cam.agency_code}, {"data_class", std::string(store::DataClassName(cam.data_class))}};
      if (cam.location) j["location"] = {{"lat", cam.location->lat}, {"lon", cam.location->lon}};
      if (cam.heading_deg) j["heading"] = *cam.heading_deg;
      out.push_back(j);
    }
    c.Json({{"cameras", out}});
    return Status::Ok();
  });
  Add("POST", "/api/v1/agencies", "user", policy::ops::kManageCameras, [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    store::Agency a;
    CUSTODIAN_ASSIGN_OR_RETURN(a.code, Str(b, "code", true, 128));
    CUSTODIAN_ASSIGN_OR_RETURN(a.name, Str(b, "name", true, 256));
    CUSTODIAN_ASSIGN_OR_RETURN(a.state, Str(b, "state", true, 2));
    CUSTODIAN_ASSIGN_OR_RETURN(a.kind, Str(b, "kind", true, 16));
    CUSTODIAN_RETURN_IF_ERROR(policy::PutAgency(gov_, c.who, a));
    c.Json({{"code", a.code}, {"state", a.state}, {"kind", a.kind}}, 201);
    return Status::Ok();
  });

  // ---- Cameras and their keys ----
  Add("POST", "/api/v1/cameras", "user", policy::ops::kManageCameras, [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    store::Camera cam;
    CUSTODIAN_ASSIGN_OR_RETURN(cam.id, Str(b, "id", true, 128));
    CUSTODIAN_ASSIGN_OR_RETURN(cam.name, Str(b, "name", true, 256));
    CUSTODIAN_ASSIGN_OR_RETURN(std::string kind, Str(b, "kind", false, 16));
    if (!kind.empty()) {
      CUSTODIAN_ASSIGN_OR_RETURN(cam.kind, store::ParseCameraKind(kind));
    }
    CUSTODIAN_ASSIGN_OR_RETURN(std::string cls, Str(b, "data_class", false, 32));
    if (!cls.empty()) {
      CUSTODIAN_ASSIGN_OR_RETURN(cam.data_class, store::ParseDataClass(cls));
    }
    CUSTODIAN_ASSIGN_OR_RETURN(cam.agency_code, Str(b, "agency_code", false, 128));
    if (cam.agency_code.empty()) cam.agency_code = c.who.agency_code;
    if (b.contains("lat") && b.contains("lon")) {
      CUSTODIAN_ASSIGN_OR_RETURN(double lat, Number(b, "lat"));
      CUSTODIAN_ASSIGN_OR_RETURN(double lon, Number(b, "lon"));
      cam.location = store::GeoPoint{lat, lon};
    }
    if (b.contains("heading")) {
      CUSTODIAN_ASSIGN_OR_RETURN(double heading, Number(b, "heading"));
      cam.heading_deg = heading;
    }
    CUSTODIAN_RETURN_IF_ERROR(policy::PutCamera(gov_, c.who, cam));
    c.Json({{"id", cam.id}}, 201);
    return Status::Ok();
  });
  Add("POST", "/api/v1/cameras/{id}/keys", "user", policy::ops::kManageCameras, [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(json body, OptionalBody(c.req.body));
    CUSTODIAN_ASSIGN_OR_RETURN(std::string name, Str(body, "name", false, 128));
    std::optional<TimePoint> expires;
    if (body.contains("expires") && !body["expires"].is_null()) {
      CUSTODIAN_ASSIGN_OR_RETURN(TimePoint t, TimeField(body, "expires"));
      expires = t;
    }
    CUSTODIAN_ASSIGN_OR_RETURN(auto k,
                               policy::CreateApiKey(gov_, c.who, c.PathString(), name.empty() ? "camera" : name, expires));
    c.Json({{"id", k.id}, {"camera_id", k.camera_id}, {"key", k.secret}, {"expires_at", OptIso(k.expires_at)}}, 201);
    return Status::Ok();
  });
  Add("GET", "/api/v1/keys", "user", policy::ops::kManageCameras, [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto keys, policy::ListApiKeys(gov_, c.who));
    json out = json::array();
    for (const auto& k : keys) {
      out.push_back({{"id", k.id}, {"name", k.name}, {"camera_id", k.camera_id}, {"scope", k.scope},
                     {"created_by", k.created_by}, {"created_at", FormatUtcTime(k.created_at)},
                     {"revoked", k.revoked_at.has_value()}, {"expires_at", OptIso(k.expires_at)}});
    }
    c.Json({{"keys", out}});
    return Status::Ok();
  });
  Add("DELETE", "/api/v1/keys/{id}", "user", policy::ops::kManageCameras, [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, c.PathId());
    CUSTODIAN_RETURN_IF_ERROR(policy::RevokeApiKey(gov_, c.who, id));
    c.Json({{"revoked", id}});
    return Status::Ok();
  });

  // ---- The access log, reports and reviews ----
  Add("GET", "/api/v1/audit/log", "user", policy::ops::kViewAccessLog, [this](Ctx& c) -> Status {
    policy::LogFilter f;
    CUSTODIAN_ASSIGN_OR_RETURN(f.from, OptTime(c.Param("from")));
    CUSTODIAN_ASSIGN_OR_RETURN(f.to, OptTime(c.Param("to")));
    f.username = c.Param("username");
    f.action = c.Param("action");
    f.outcome = c.Param("outcome");
    f.case_number = c.Param("case");
    f.term = c.Param("term");
    if (!c.Param("after").empty()) f.after_seq = std::atoll(c.Param("after").c_str());
    if (!c.Param("limit").empty()) f.limit = std::atoi(c.Param("limit").c_str());
    CUSTODIAN_ASSIGN_OR_RETURN(auto entries, gov_.ReadLog(c.who, f));
    json out = json::array();
    for (const auto& e : entries) out.push_back(LogJson(e));
    c.Json({{"entries", out}});
    return Status::Ok();
  });
  Add("GET", "/api/v1/audit/verify", "user", policy::ops::kViewAccessLog, [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto v, gov_.VerifyLog(c.who));
    c.Json({{"ok", v.ok}, {"entries", v.entries}, {"checkpoints", v.checkpoints}, {"first_bad_seq", v.first_bad_seq},
            {"problem", v.problem}, {"public_key", gov_.public_key_hex()}});
    return Status::Ok();
  });
  Add("GET", "/api/v1/audit/flags", "user", policy::ops::kAccessReports, [this](Ctx& c) -> Status {
    const TimePoint now = gov_.clock().Now();
    CUSTODIAN_ASSIGN_OR_RETURN(auto from, OptTime(c.Param("from")));
    CUSTODIAN_ASSIGN_OR_RETURN(auto to, OptTime(c.Param("to")));
    CUSTODIAN_ASSIGN_OR_RETURN(auto flags, policy::MisuseFlags(gov_, c.who, from.value_or(now - std::chrono::days(7)),
                                                               to.value_or(now + std::chrono::minutes(1)), {}));
    json out = json::array();
    for (const auto& f : flags) {
      out.push_back({{"kind", std::string(policy::FlagKindName(f.kind))}, {"username", f.username}, {"detail", f.detail}, {"seqs", f.seqs}});
    }
    c.Json({{"flags", out}});
    return Status::Ok();
  });
  Add("POST", "/api/v1/audit/reviews", "user", policy::ops::kRecordLogReview, [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    CUSTODIAN_ASSIGN_OR_RETURN(TimePoint from, TimeField(b, "from"));
    CUSTODIAN_ASSIGN_OR_RETURN(TimePoint to, TimeField(b, "to"));
    CUSTODIAN_ASSIGN_OR_RETURN(std::string notes, Str(b, "notes", true, 4000));
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, policy::RecordLogReview(gov_, c.who, from, to, notes));
    c.Json({{"id", id}}, 201);
    return Status::Ok();
  });

  // ---- Sharing grants ----
  Add("GET", "/api/v1/grants", "user", policy::ops::kManageGrants, [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto grants, policy::ListGrants(gov_, c.who, c.Param("all") == "1"));
    json out = json::array();
    for (const auto& g : grants) out.push_back(GrantJson(g));
    c.Json({{"grants", out}});
    return Status::Ok();
  });
  Add("POST", "/api/v1/grants", "user", policy::ops::kManageGrants, [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    policy::GrantSpec g;
    CUSTODIAN_ASSIGN_OR_RETURN(g.agency_code, Str(b, "agency_code", true, 128));
    if (!b.contains("data_classes") || !b["data_classes"].is_array()) {
      return Status::InvalidArgument("data_classes is an array of class names");
    }
    for (const auto& d : b["data_classes"]) {
      if (!d.is_string()) return Status::InvalidArgument("data_classes is an array of class names");
      CUSTODIAN_ASSIGN_OR_RETURN(store::DataClass dc, store::ParseDataClass(d.get<std::string>()));
      g.data_classes.push_back(dc);
    }
    if (b.contains("cameras") && !b["cameras"].is_null()) {
      if (!b["cameras"].is_array()) return Status::InvalidArgument("field 'cameras' must be an array of camera ids");
      for (const auto& cam : b["cameras"]) {
        if (!cam.is_string()) return Status::InvalidArgument("field 'cameras' must be an array of camera ids");
        g.camera_ids.push_back(cam.get<std::string>());
      }
    }
    CUSTODIAN_ASSIGN_OR_RETURN(g.expires, TimeField(b, "expires"));
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, policy::GrantSharing(gov_, c.who, g));
    c.Json({{"id", id}}, 201);
    return Status::Ok();
  });
  Add("POST", "/api/v1/grants/{id}/attest", "user", policy::ops::kManageGrants, [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, c.PathId());
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    policy::Attestation a;
    CUSTODIAN_ASSIGN_OR_RETURN(a.signatory, Str(b, "signatory", true, 128));
    CUSTODIAN_ASSIGN_OR_RETURN(a.signed_on, TimeField(b, "signed_on"));
    CUSTODIAN_ASSIGN_OR_RETURN(a.text, Str(b, "text", false, 20000));
    CUSTODIAN_RETURN_IF_ERROR(policy::AttestSharing(gov_, c.who, id, a));
    c.Json({{"attested", id}});
    return Status::Ok();
  });
  Add("POST", "/api/v1/grants/{id}/revoke", "user", policy::ops::kManageGrants, [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, c.PathId());
    CUSTODIAN_RETURN_IF_ERROR(policy::RevokeSharing(gov_, c.who, id));
    c.Json({{"revoked", id}});
    return Status::Ok();
  });

  // ---- Records requests (confidential: the library decides who sees which) ----
  Add("POST", "/api/v1/requests", "user", policy::ops::kSubmitRecordsRequest, [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    policy::RecordsRequestForm f;
    CUSTODIAN_ASSIGN_OR_RETURN(f.requester, Str(b, "requester", true, 128));
    CUSTODIAN_ASSIGN_OR_RETURN(f.department, Str(b, "department", true, 128));
    CUSTODIAN_ASSIGN_OR_RETURN(f.phone, Str(b, "phone", true, 32));
    CUSTODIAN_ASSIGN_OR_RETURN(f.email, Str(b, "email", true, 254));
    CUSTODIAN_ASSIGN_OR_RETURN(f.date_requested, TimeField(b, "date_requested"));
    CUSTODIAN_ASSIGN_OR_RETURN(f.date_required, TimeField(b, "date_required"));
    CUSTODIAN_ASSIGN_OR_RETURN(std::string cls, Str(b, "data_class", false, 32));
    if (!cls.empty()) {
      CUSTODIAN_ASSIGN_OR_RETURN(f.data_class, store::ParseDataClass(cls));
    }
    CUSTODIAN_ASSIGN_OR_RETURN(f.description, Str(b, "description", true, 4000));
    CUSTODIAN_ASSIGN_OR_RETURN(f.reason, Str(b, "reason", true, 2000));
    if (!b.contains("search")) return Status::InvalidArgument("missing field 'search'");
    CUSTODIAN_ASSIGN_OR_RETURN(f.search, SearchOfJson(b["search"]));
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, policy::SubmitRecordsRequest(gov_, c.who, f));
    CUSTODIAN_ASSIGN_OR_RETURN(auto r, policy::GetRecordsRequest(gov_, c.who, id));
    c.Json(RequestJson(r), 201);
    return Status::Ok();
  });
  Add("GET", "/api/v1/requests", "user", policy::ops::kSubmitRecordsRequest, [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto list, policy::ListRecordsRequests(gov_, c.who));
    json out = json::array();
    for (const auto& r : list) out.push_back(RequestJson(r));
    c.Json({{"requests", out}});
    return Status::Ok();
  });
  Add("GET", "/api/v1/requests/{id}", "user", policy::ops::kSubmitRecordsRequest, [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, c.PathId());
    CUSTODIAN_ASSIGN_OR_RETURN(auto r, policy::GetRecordsRequest(gov_, c.who, id));
    c.Json(RequestJson(r));
    return Status::Ok();
  });
  Add("POST", "/api/v1/requests/{id}/{action}", "user", policy::ops::kApproveRecordsRequest, [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, c.PathId());
    const std::string action = c.PathString(2);
    CUSTODIAN_ASSIGN_OR_RETURN(json body, OptionalBody(c.req.body));
    CUSTODIAN_ASSIGN_OR_RETURN(std::string note, Str(body, "note", false, 2000));
    json extra = json::object();
    if (action == "director-approve") {
      CUSTODIAN_RETURN_IF_ERROR(policy::DirectorApprove(gov_, c.who, id, note));
    } else if (action == "approve") {
      CUSTODIAN_RETURN_IF_ERROR(policy::CoordinatorApprove(gov_, c.who, id, note));
    } else if (action == "deny") {
      CUSTODIAN_RETURN_IF_ERROR(policy::DenyRecordsRequest(gov_, c.who, id, note));
    } else if (action == "fulfil") {
      CUSTODIAN_ASSIGN_OR_RETURN(auto out, exports_.NewFolder("RR-" + std::to_string(id)));
      auto done = policy::FulfilRecordsRequest(gov_, c.who, id, out);
      if (!done.ok()) {
        std::error_code ec;
        std::filesystem::remove(out, ec);  // only when still empty
        return done.status();
      }
      extra = {{"export_dir", done->dir.string()}, {"reads", done->reads}, {"public_key", gov_.public_key_hex()}};
    } else {
      return Status::NotFound("no records request action '", action.substr(0, 32),
                              "' (director-approve, approve, deny, fulfil)");
    }
    CUSTODIAN_ASSIGN_OR_RETURN(auto r, policy::GetRecordsRequest(gov_, c.who, id));
    json j = RequestJson(r);
    if (!extra.empty()) j["export"] = extra;
    c.Json(j);
    return Status::Ok();
  });

  // ---- Accuracy audits ----
  Add("POST", "/api/v1/audits", "user", policy::ops::kAccuracyAudit, [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    policy::AuditSpec spec;
    if (b.contains("cameras")) {
      if (!b["cameras"].is_array()) return Status::InvalidArgument("cameras is an array of camera ids");
      for (const auto& cam : b["cameras"]) {
        if (!cam.is_string()) return Status::InvalidArgument("cameras is an array of camera ids");
        spec.camera_ids.push_back(cam.get<std::string>());
      }
    }
    CUSTODIAN_ASSIGN_OR_RETURN(spec.from, TimeField(b, "from"));
    CUSTODIAN_ASSIGN_OR_RETURN(spec.to, TimeField(b, "to"));
    if (b.contains("sample_size")) {
      if (!b["sample_size"].is_number_integer()) return Status::InvalidArgument("sample_size is a whole number");
      spec.sample_size = b["sample_size"].get<int>();
    }
    if (b.contains("seed")) {
      if (!b["seed"].is_number_unsigned()) return Status::InvalidArgument("seed is a non-negative whole number");
      spec.seed = b["seed"].get<uint64_t>();
    } else {
      randombytes_buf(&spec.seed, sizeof spec.seed);  // a fresh sample unless one is asked to be repeated
    }
    CUSTODIAN_ASSIGN_OR_RETURN(spec.reference, Str(b, "reference", true, 64));
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, policy::StartAudit(gov_, c.who, spec));
    c.Json({{"id", id}, {"case_number", policy::AuditCaseNumber(id)}, {"seed", spec.seed}}, 201);
    return Status::Ok();
  });
  Add("GET", "/api/v1/audits/{id}", "user", policy::ops::kAccuracyAudit, [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, c.PathId());
    CUSTODIAN_ASSIGN_OR_RETURN(auto r, policy::AuditAccuracy(gov_, c.who, id));
    c.Json(AuditJson(r));
    return Status::Ok();
  });
  Add("POST", "/api/v1/audits/{id}/items/{read_id}", "user", policy::ops::kAccuracyAudit, [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, c.PathId(1));
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t read_id, c.PathId(2));
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    if (!b.contains("correct") || !b["correct"].is_boolean()) return Status::InvalidArgument("correct is true or false");
    policy::Verdict v{.correct = b["correct"].get<bool>()};
    CUSTODIAN_ASSIGN_OR_RETURN(v.true_plate, Str(b, "true_plate", !v.correct, 64));
    CUSTODIAN_RETURN_IF_ERROR(policy::VerifyItem(gov_, c.who, id, read_id, v));
    CUSTODIAN_ASSIGN_OR_RETURN(auto r, policy::AuditAccuracy(gov_, c.who, id));
    c.Json(AuditJson(r));
    return Status::Ok();
  });

  // ---- Breach incidents and notices ----
  Add("POST", "/api/v1/incidents", "user", policy::ops::kBreachNotices, [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    CUSTODIAN_ASSIGN_OR_RETURN(auto incident, IncidentOfJson(b));
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, policy::RecordIncident(gov_, c.who, incident));
    c.Json({{"id", id}}, 201);
    return Status::Ok();
  });
  Add("GET", "/api/v1/incidents/{id}/notice", "user", policy::ops::kBreachNotices, [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, c.PathId());
    const std::string format = c.Param("format").empty() ? "text" : c.Param("format");
    if (format != "text" && format != "html") return Status::InvalidArgument("format is text or html");
    if (c.Param("from").empty() || c.Param("to").empty()) {
      return Status::InvalidArgument("from and to (the window of the account's access) are required");
    }
    CUSTODIAN_ASSIGN_OR_RETURN(TimePoint from, ParseUtcTime(c.Param("from")));
    CUSTODIAN_ASSIGN_OR_RETURN(TimePoint to, ParseUtcTime(c.Param("to")));
    CUSTODIAN_ASSIGN_OR_RETURN(auto notice, policy::ProduceNotice(gov_, c.who, id, c.Param("account"), {from, to}));
    c.res.set_header("X-Touched-Reads", std::to_string(notice.touched.size()));
    if (format == "html") {
      c.res.set_header("Content-Disposition",
                       "attachment; filename=\"breach-notice-" + std::to_string(id) + ".html\"");
      c.res.set_content(notice.html, "text/html; charset=utf-8");
    } else {
      c.res.set_content(notice.text, "text/plain; charset=utf-8");
    }
    return Status::Ok();
  });

  // ---- Retention ----
  Add("GET", "/api/v1/retention", "user", policy::ops::kManageRetention, [this](Ctx& c) -> Status {
    CUSTODIAN_RETURN_IF_ERROR(policy::CheckRetentionPeriods(gov_, c.who, options_.retention).status());
    int limit = 100;
    if (!c.Param("limit").empty()) limit = std::clamp(std::atoi(c.Param("limit").c_str()), 1, 1000);
    CUSTODIAN_ASSIGN_OR_RETURN(auto log, policy::PurgeLog(gov_, c.who, limit));
    json runs = json::array();
    for (const auto& e : log) {
      runs.push_back({{"id", e.id}, {"run_at", FormatUtcTime(e.run_at)}, {"run_by", e.run_by},
                      {"data_class", std::string(store::DataClassName(e.data_class))}, {"cutoff", FormatUtcTime(e.cutoff)},
                      {"reads", e.reads}, {"images", e.images}, {"plates", e.plates}, {"oldest", OptIso(e.oldest)},
                      {"newest", OptIso(e.newest)}});
    }
    c.Json({{"periods", {{"public_safety_days", options_.retention.public_safety.count()},
                         {"non_public_safety_days", options_.retention.non_public_safety.count()}}},
            {"limits", {{"minimum_days", policy::kMinRetention.count()}, {"maximum_days", policy::kMaxRetention.count()}}},
            {"purge_log", runs}});
    return Status::Ok();
  });
  Add("POST", "/api/v1/retention/purge", "user", policy::ops::kManageRetention, [this](Ctx& c) -> Status {
    ++metrics_.purge_runs;
    CUSTODIAN_ASSIGN_OR_RETURN(auto s, policy::RunPurge(gov_, c.who, options_.retention, {}));
    c.Json({{"public_safety", ClassPurgeJson(s.public_safety)}, {"non_public_safety", ClassPurgeJson(s.non_public_safety)}});
    return Status::Ok();
  });

  // ---- Evidence exports ----
  Add("POST", "/api/v1/holds/{id}/export", "user", policy::ops::kExportEvidence, [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, c.PathId());
    CUSTODIAN_ASSIGN_OR_RETURN(json body, OptionalBody(c.req.body));
    CUSTODIAN_ASSIGN_OR_RETURN(std::string purpose, Str(body, "purpose", false, 64));
    if (purpose.empty()) purpose = "legal_hold";
    CUSTODIAN_ASSIGN_OR_RETURN(auto out, exports_.NewFolder("hold-" + std::to_string(id)));
    auto done = policy::ExportEvidence(gov_, c.who, purpose, id, out);
    if (!done.ok()) {
      std::error_code ec;
      std::filesystem::remove(out, ec);  // only when still empty
      return done.status();
    }
    c.Json({{"hold_id", id}, {"export_dir", out.string()}, {"reads", done->reads}, {"images", done->images},
            {"public_key", done->public_key_hex}}, 201);
    return Status::Ok();
  });

  // ---- Reports ----
  Add("GET", "/api/v1/audit/report", "user", policy::ops::kAccessReports, [this](Ctx& c) -> Status {
    policy::AccessReportFilter f;
    CUSTODIAN_ASSIGN_OR_RETURN(f.from, OptTime(c.Param("from")));
    CUSTODIAN_ASSIGN_OR_RETURN(f.to, OptTime(c.Param("to")));
    f.username = c.Param("username");
    f.plate = c.Param("plate");
    f.purpose = c.Param("purpose");
    f.case_number = c.Param("case");
    CUSTODIAN_ASSIGN_OR_RETURN(auto r, policy::AccessReport(gov_, c.who, f));
    c.Json({{"entries", r.entries}, {"by_user", AccessCountsJson(r.by_user)}, {"by_plate", AccessCountsJson(r.by_plate)},
            {"by_purpose", AccessCountsJson(r.by_purpose)}, {"by_case", AccessCountsJson(r.by_case)}});
    return Status::Ok();
  });
  Add("GET", "/api/v1/audit/reviews", "user", policy::ops::kAccessReports, [this](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto reviews, policy::ListLogReviews(gov_, c.who));
    CUSTODIAN_ASSIGN_OR_RETURN(bool overdue, policy::LastReviewOverdue(gov_, c.who));
    json out = json::array();
    for (const auto& r : reviews) {
      out.push_back({{"id", r.id}, {"reviewer", r.reviewer}, {"at", FormatUtcTime(r.at)}, {"from", FormatUtcTime(r.from)}, {"to", FormatUtcTime(r.to)},
                     {"notes", r.notes}});
    }
    c.Json({{"reviews", out}, {"overdue", overdue}});
    return Status::Ok();
  });
  Add("GET", "/api/v1/sharing/report", "user", policy::ops::kAccessReports, [this](Ctx& c) -> Status {
    const TimePoint now = gov_.clock().Now();
    CUSTODIAN_ASSIGN_OR_RETURN(auto from, OptTime(c.Param("from")));
    CUSTODIAN_ASSIGN_OR_RETURN(auto to, OptTime(c.Param("to")));
    CUSTODIAN_ASSIGN_OR_RETURN(auto r, policy::SharingReport(gov_, c.who, from.value_or(now - std::chrono::days(30)),
                                                             to.value_or(now + std::chrono::minutes(1))));
    json grants = json::array();
    for (const auto& g : r.grants) grants.push_back(GrantJson(g));
    json partners = json::array();
    for (const auto& p : r.partners) {
      json terms = json::array();
      for (const auto& t : p.terms) terms.push_back(json::parse(t, nullptr, false));
      partners.push_back({{"agency_code", p.agency_code}, {"searches", p.searches}, {"denied", p.denied},
                          {"records", p.records}, {"users", p.users}, {"terms", terms}, {"purposes", p.purposes},
                          {"cases", p.cases}, {"seqs", p.seqs}});
    }
    c.Json({{"grants", grants}, {"partners", partners}});
    return Status::Ok();
  });
}

}  // namespace

Result<std::unique_ptr<Server>> Server::Create(store::ReadStore& store, policy::Governance& gov,
                                               vision::Engine* /*engine*/, const ServerOptions& options) {
  if (sodium_init() < 0) return Status::Internal("libsodium cannot initialise");
  if (options.cert_file.empty() || options.key_file.empty()) {
    return Status::InvalidArgument("the server needs a certificate and a key (TLS only)");
  }
  auto srv = std::make_unique<HttpServer>(store, gov, options);
  CUSTODIAN_RETURN_IF_ERROR(srv->Init());
  return std::unique_ptr<Server>(std::move(srv));
}

}  // namespace custodian::server
