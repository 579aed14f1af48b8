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
#include "server/tls.h"

namespace custodian::server {
namespace {

using json = nlohmann::json;
using policy::Governance;
using policy::Principal;
using internal::AlertJson;

constexpr const char* kSessionCookie = "custodian_session";

// ---- JSON of the domain types ----

json ReadJson(const store::StoredRead& r) {
  json j = {{"id", r.id},
            {"event_id", r.event_id},
            {"camera_id", r.camera_id},
            {"captured_at", FormatUtcTime(r.captured_at)},
            {"ingested_at", FormatUtcTime(r.ingested_at)},
            {"plate", r.plate},
            {"plate_raw", r.plate_raw},
            {"confidence", r.confidence},
            {"country", r.country},
            {"region", r.region},
            {"data_class", std::string(store::DataClassName(r.data_class))},
            {"has_crop", !r.plate_crop_sha256.empty()},
            {"has_frame", !r.frame_sha256.empty()}};
  j["candidates"] = json::array();
  for (const auto& c : r.candidates) j["candidates"].push_back({{"plate", c.plate}, {"confidence", c.confidence}});
  if (r.box) j["box"] = {{"x", r.box->x}, {"y", r.box->y}, {"width", r.box->width}, {"height", r.box->height}};
  if (r.location) j["location"] = {{"lat", r.location->lat}, {"lon", r.location->lon}};
  return j;
}

json HoldJson(const store::Hold& h) {
  json j = {{"id", h.id},         {"case_number", h.case_number}, {"reason", h.reason}, {"placed_by", h.placed_by},
            {"placed_at", FormatUtcTime(h.placed_at)}, {"released_by", h.released_by}, {"reads", h.reads}};
  if (h.released_at) j["released_at"] = FormatUtcTime(*h.released_at);
  return j;
}

json UserJson(const policy::UserInfo& u) {
  json j = {{"username", u.username},
            {"full_name", u.full_name},
            {"agency_code", u.agency_code},
            {"role", std::string(policy::RoleName(u.role))},
            {"state", std::string(policy::UserStateName(u.state))},
            {"state_reason", u.state_reason},
            {"supervisor", u.supervisor},
            {"totp_enrolled", u.totp_enrolled},
            {"must_change_password", u.must_change_password},
            {"acknowledgment_signed", u.acknowledgment_signed},
            {"supervisor_approved", u.supervisor_approved},
            {"coordinator_approved", u.coordinator_approved},
            {"created_at", FormatUtcTime(u.created_at)}};
  if (u.last_logon) j["last_logon"] = FormatUtcTime(*u.last_logon);
  if (u.training_completed) j["training_completed"] = FormatUtcTime(*u.training_completed);
  if (u.access_expires) j["access_expires"] = FormatUtcTime(*u.access_expires);
  return j;
}

json LogJson(const policy::LogEntry& e) {
  return {{"seq", e.seq},
          {"at", FormatUtcTime(e.at)},
          {"at_ms", ToUnixMillis(e.at)},
          {"username", e.username},
          {"agency_code", e.agency_code},
          {"source", e.source},
          {"action", e.action},
          {"outcome", e.outcome},
          {"terms", json::parse(e.terms, nullptr, false)},
          {"purpose", e.purpose},
          {"case_number", e.case_number},
          {"records", e.records},
          {"detail", e.detail}};
}

json OptIso(const std::optional<TimePoint>& t) { return t ? json(FormatUtcTime(*t)) : json(); }

json SearchJson(const store::SearchQuery& q) {
  json j = {{"plate", q.plate}, {"match", std::string(store::PlateMatchName(q.match))}, {"extra_edits", q.extra_edits},
            {"from", OptIso(q.from)}, {"to", OptIso(q.to)}, {"cameras", q.camera_ids}};
  if (q.data_class) j["data_class"] = std::string(store::DataClassName(*q.data_class));
  return j;
}

json RequestJson(const policy::RecordsRequest& r) {
  const auto& f = r.form;
  return {{"id", r.id},
          {"number", r.number},
          {"state", std::string(policy::RequestStateName(r.state))},
          {"requester", f.requester},
          {"department", f.department},
          {"phone", f.phone},
          {"email", f.email},
          {"date_requested", FormatUtcTime(f.date_requested)},
          {"date_required", FormatUtcTime(f.date_required)},
          {"data_class", std::string(store::DataClassName(f.data_class))},
          {"description", f.description},
          {"reason", f.reason},
          {"search", SearchJson(f.search)},
          {"submitted_by", r.submitted_by},
          {"director", r.director},
          {"director_at", OptIso(r.director_at)},
          {"coordinator", r.coordinator},
          {"coordinator_at", OptIso(r.coordinator_at)},
          {"decision_note", r.decision_note},
          {"fulfilled_at", OptIso(r.fulfilled_at)},
          {"export_path", r.export_path}};
}

json CameraAccuracyJson(const policy::CameraAccuracy& a) {
  return {{"camera_id", a.camera_id}, {"sampled", a.sampled}, {"verified", a.verified}, {"correct", a.correct},
          {"accuracy", a.accuracy}};
}

json AuditJson(const policy::AuditResult& r) {
  json cams = json::array();
  for (const auto& a : r.cameras) cams.push_back(CameraAccuracyJson(a));
  json items = json::array();
  for (const auto& i : r.items) {
    items.push_back({{"read_id", i.read_id}, {"camera_id", i.camera_id}, {"plate", i.plate},
                     {"correct", i.correct ? json(*i.correct) : json()}, {"true_plate", i.true_plate},
                     {"verified_by", i.verified_by}});
  }
  return {{"id", r.audit_id}, {"case_number", policy::AuditCaseNumber(r.audit_id)}, {"cameras", cams},
          {"overall", CameraAccuracyJson(r.overall)}, {"items", items}};
}

json ClassPurgeJson(const policy::ClassPurgeSummary& s) {
  return {{"cutoff", FormatUtcTime(s.cutoff)}, {"reads", s.reads}, {"images", s.images}, {"plates", s.plates},
          {"partitions_dropped", s.partitions_dropped}, {"batches", s.batches}, {"oldest", OptIso(s.oldest)},
          {"newest", OptIso(s.newest)}, {"complete", s.complete}};
}

json AccessCountsJson(const std::vector<policy::AccessCount>& counts) {
  json out = json::array();
  for (const auto& a : counts) {
    out.push_back({{"key", a.key}, {"entries", a.entries}, {"allowed", a.allowed}, {"denied", a.denied},
                   {"records", a.records}});
  }
  return out;
}

json GrantJson(const policy::SharingGrant& g) {
  json classes = json::array();
  for (auto dc : g.data_classes) classes.push_back(std::string(store::DataClassName(dc)));
  return {{"id", g.id},         {"agency_code", g.agency_code}, {"data_classes", classes},
          {"cameras", g.camera_ids}, {"expires_at", FormatUtcTime(g.expires)},  {"created_by", g.created_by},
          {"created_at", FormatUtcTime(g.created_at)}, {"revoked_by", g.revoked_by}, {"revoked_at", OptIso(g.revoked_at)},
          {"attested_signatory", g.attested_signatory}, {"attested_on", OptIso(g.attested_on)},
          {"attested_by", g.attested_by}, {"in_force", g.in_force}};
}

// "2026-06-01T00:00:00Z" -> "20260601T000000Z": a time for folder names.
std::string Stamp(TimePoint t) {
  std::string s = FormatUtcTime(t);
  std::erase_if(s, [](char ch) { return ch == '-' || ch == ':'; });
  return s;
}

// ---- Errors ----

int HttpStatusOf(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kUnauthenticated: return 401;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kInternal: return 500;
  }
  return 500;
}

// Messages go to the client as they are, except those that could carry database text.
std::string SafeMessage(const Status& st) {
  if (st.code() == StatusCode::kInternal) return "internal error; the operator's log has the details";
  static const char* kLeaky[] = {"SELECT", "INSERT", "UPDATE ", "DELETE", "sqlite", "SQLITE", "pqxx", "syntax", "SQL"};
  for (const char* w : kLeaky) {
    if (st.message().find(w) != std::string::npos) {
      return st.code() == StatusCode::kUnavailable ? "the database is unavailable; try again shortly"
                                                   : "the request could not be processed";
    }
  }
  return st.message();
}

// ---- Metrics ----

class Metrics {
 public:
  static constexpr double kBuckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
  void Observe(const std::string& group, int status, double seconds) {
    std::lock_guard lock(mu_);
    auto& h = hist_[group];
    if (h.buckets.empty()) h.buckets.assign(std::size(kBuckets), 0);
    for (size_t i = 0; i < std::size(kBuckets); ++i) {
      if (seconds <= kBuckets[i]) ++h.buckets[i];
    }
    ++h.count;
    h.sum += seconds;
    ++responses_[std::to_string(status / 100) + "xx"];
  }
  std::atomic<int64_t> reads_ingested{0}, alerts_raised{0}, searches{0}, logons_ok{0}, logons_refused{0},
      purge_runs{0}, streams_open{0}, stream_wakes{0};
  std::string Render() {
    std::ostringstream o;
    auto counter = [&](const char* name, const char* help, int64_t v) {
      o << "# HELP " << name << " " << help << "\n# TYPE " << name << " counter\n" << name << " " << v << "\n";
    };
    counter("custodian_reads_ingested_total", "Reads ingested through the API.", reads_ingested);
    counter("custodian_alerts_raised_total", "Hotlist alerts raised on ingest.", alerts_raised);
    counter("custodian_searches_total", "Plate searches answered.", searches);
    counter("custodian_logons_total", "Successful logons.", logons_ok);
    counter("custodian_logons_refused_total", "Refused logons.", logons_refused);
    counter("custodian_purge_runs_total", "Retention purge runs started through the API.", purge_runs);
    counter("custodian_alert_stream_wakes_total", "Wake-ups of live alert streams (each re-checks its session).",
            stream_wakes);
    o << "# HELP custodian_alert_streams Live alert streams open.\n# TYPE custodian_alert_streams gauge\n"
      << "custodian_alert_streams " << streams_open << "\n";
    std::lock_guard lock(mu_);
    o << "# HELP custodian_http_responses_total Responses by status class.\n"
         "# TYPE custodian_http_responses_total counter\n";
    for (const auto& [k, v] : responses_) o << "custodian_http_responses_total{class=\"" << k << "\"} " << v << "\n";
    o << "# HELP custodian_http_request_seconds Request latency by route group.\n"
         "# TYPE custodian_http_request_seconds histogram\n";
    for (const auto& [g, h] : hist_) {
      for (size_t i = 0; i < std::size(kBuckets); ++i) {
        o << "custodian_http_request_seconds_bucket{route=\"" << g << "\",le=\"" << kBuckets[i] << "\"} "
          << h.buckets[i] << "\n";
      }
      o << "custodian_http_request_seconds_bucket{route=\"" << g << "\",le=\"+Inf\"} " << h.count << "\n";
      o << "custodian_http_request_seconds_sum{route=\"" << g << "\"} " << h.sum << "\n";
      o << "custodian_http_request_seconds_count{route=\"" << g << "\"} " << h.count << "\n";
    }
    return o.str();
  }

 private:
  struct Hist {
    std::vector<int64_t> buckets;
    int64_t count = 0;
    double sum = 0;
  };
  std::mutex mu_;
  std::map<std::string, Hist> hist_;
  std::map<std::string, int64_t> responses_;
};

// ---- Request context ----

struct Ctx {
  const httplib::Request& req;
  httplib::Response& res;
  Principal who;
  policy::Device device;
  std::string token;  // the session token (session routes)

  void Json(const json& body, int status = 200) {
    res.status = status;
    res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
  }
  std::string Param(const std::string& name) const {
    return req.has_param(name.c_str()) ? req.get_param_value(name.c_str()) : std::string();
  }
  std::vector<std::string> Params(const std::string& name) const {
    std::vector<std::string> out;
    size_t n = req.get_param_value_count(name.c_str());
    for (size_t i = 0; i < n; ++i) out.push_back(req.get_param_value(name.c_str(), i));
    return out;
  }
  Result<nlohmann::json> Body() const {
    json j = json::parse(req.body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument("the request body must be a JSON object");
    return j;
  }
  Result<int64_t> PathId(int index = 1) const {
    const std::string s = req.matches[index].str();
    int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v <= 0) return Status::InvalidArgument("bad id '", s.substr(0, 20), "'");
    return v;
  }
  std::string PathString(int index = 1) const { return req.matches[index].str(); }
};

// JSON field readers with clear errors.
Result<std::string> Str(const json& j, const char* key, bool required = true, size_t max = 4096) {
  if (!j.contains(key) || j[key].is_null()) {
    if (required) return Status::InvalidArgument("missing field '", key, "'");
    return std::string();
  }
  if (!j[key].is_string()) return Status::InvalidArgument("field '", key, "' must be a string");
  std::string s = j[key].get<std::string>();
  if (s.size() > max) return Status::InvalidArgument("field '", key, "' is longer than ", max, " bytes");
  return s;
}

// A boolean field: `fallback` when absent or null, kInvalidArgument naming it when it is
// anything but true or false ("yes", 1, ...).
Result<bool> Bool(const json& j, const char* key, bool fallback = false) {
  if (!j.contains(key) || j[key].is_null()) return fallback;
  if (!j[key].is_boolean()) return Status::InvalidArgument("field '", key, "' must be true or false");
  return j[key].get<bool>();
}

// A number field: `fallback` when absent or null, kInvalidArgument naming it otherwise.
Result<double> Number(const json& j, const char* key, double fallback = 0) {
  if (!j.contains(key) || j[key].is_null()) return fallback;
  if (!j[key].is_number()) return Status::InvalidArgument("field '", key, "' must be a number");
  return j[key].get<double>();
}

// A whole-number field in [lo, hi]: `fallback` when absent or null.
Result<int64_t> Integer(const json& j, const char* key, int64_t fallback, int64_t lo, int64_t hi) {
  if (!j.contains(key) || j[key].is_null()) return fallback;
  if (!j[key].is_number_integer()) return Status::InvalidArgument("field '", key, "' must be a whole number");
  const int64_t v = j[key].get<int64_t>();
  if (v < lo || v > hi) return Status::InvalidArgument("field '", key, "' must be in ", lo, "..", hi);
  return v;
}

// A body that may be empty (then {}), else a JSON object.
Result<json> OptionalBody(const std::string& body) {
  if (body.empty()) return json::object();
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument("the request body must be a JSON object");
  return j;
}

// A non-negative id given as a query parameter ("" is 0), or kInvalidArgument naming it.
Result<int64_t> ParseId(const std::string& text, const char* name) {
  if (text.empty()) return int64_t{0};
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v < 0) {
    return Status::InvalidArgument(name, " is a non-negative whole number");
  }
  return v;
}

Result<std::optional<TimePoint>> OptTime(const std::string& text) {
  if (text.empty()) return std::optional<TimePoint>();
  CUSTODIAN_ASSIGN_OR_RETURN(TimePoint t, ParseUtcTime(text));
  return std::optional<TimePoint>(t);
}

Result<TimePoint> TimeField(const json& j, const char* key) {
  if (!j.contains(key)) return Status::InvalidArgument("missing field '", key, "'");
  if (j[key].is_number_integer()) return FromUnixMillis(j[key].get<int64_t>());
  if (j[key].is_string()) return ParseUtcTime(j[key].get<std::string>());
  return Status::InvalidArgument("field '", key, "' must be an RFC 3339 UTC time or milliseconds");
}

Result<std::vector<uint8_t>> Base64Field(const json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return std::vector<uint8_t>();
  if (!j[key].is_string()) return Status::InvalidArgument("field '", key, "' must be base64 text");
  const std::string& s = j[key].get_ref<const std::string&>();
  std::vector<uint8_t> out(s.size() * 3 / 4 + 3);
  size_t n = 0;
  if (sodium_base642bin(out.data(), out.size(), s.data(), s.size(), "\n\r ", &n, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    return Status::InvalidArgument("field '", key, "' is not valid base64");
  }
  out.resize(n);
  return out;
}

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
      : store_(store), gov_(gov), options_(options) {
    randombytes_buf(csrf_key_, sizeof csrf_key_);
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
    auto newest = policy::NewestAlertId(gov_);
    if (newest.ok()) newest_alert_ = *newest;
    watcher_ = std::thread([this] { WatchAlerts(); });
    thread_ = std::thread([this] { srv_->listen_after_bind(); });
    // Stop() only takes effect on a running server: return once it accepts.
    for (int i = 0; i < 5000 && !srv_->is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (!srv_->is_running()) return Status::Unavailable("the server did not start listening");
    return Status::Ok();
  }

  void Stop() override {
    stopping_ = true;
    WakeStreams();
    watch_cv_.notify_all();
    if (srv_) srv_->stop();
    if (thread_.joinable()) thread_.join();
    if (watcher_.joinable()) watcher_.join();
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

  std::string CsrfFor(const std::string& token_sha) const {
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256(mac, reinterpret_cast<const unsigned char*>(token_sha.data()), token_sha.size(), csrf_key_);
    std::string out(sizeof mac * 2, '0');
    sodium_bin2hex(out.data(), out.size() + 1, mac, sizeof mac);
    return out.substr(0, 40);
  }

  static std::string Cookie(const httplib::Request& req, const std::string& name) {
    const std::string header = req.get_header_value("Cookie");
    size_t pos = 0;
    while (pos < header.size()) {
      size_t end = header.find(';', pos);
      if (end == std::string::npos) end = header.size();
      std::string part = header.substr(pos, end - pos);
      size_t s = part.find_first_not_of(' ');
      if (s != std::string::npos) part = part.substr(s);
      if (part.rfind(name + "=", 0) == 0) return part.substr(name.size() + 1);
      pos = end + 1;
    }
    return "";
  }

  static std::string SourceOf(const httplib::Request& req) { return req.remote_addr.empty() ? "unknown" : req.remote_addr; }

  Status Authenticate(const Route& route, Ctx& c) {
    const std::string& auth = route.info.auth;
    if (auth == "public") return Status::Ok();
    if (auth == "device") {
      const std::string h = c.req.get_header_value("Authorization");
      if (h.rfind("Bearer ", 0) != 0) return Status::Unauthenticated("an API key is required (Authorization: Bearer ck_...)");
      CUSTODIAN_ASSIGN_OR_RETURN(c.device, policy::AuthenticateDevice(gov_, h.substr(7), SourceOf(c.req)));
      return Status::Ok();
    }
    c.token = Cookie(c.req, kSessionCookie);
    if (c.token.empty() || c.token.size() > 128) return Status::Unauthenticated("log on first");
    CUSTODIAN_ASSIGN_OR_RETURN(c.who, gov_.Authenticate(c.token, SourceOf(c.req)));
    if (c.req.method != "GET" && c.req.method != "HEAD") {
      const std::string sent = c.req.get_header_value("X-CSRF-Token");
      const std::string want = CsrfFor(c.who.token_sha);
      if (sent.size() != want.size() || sodium_memcmp(sent.data(), want.data(), want.size()) != 0) {
        return Status::PermissionDenied("missing or wrong X-CSRF-Token header");
      }
    }
    if (auth == "user" && (c.who.must_change_password || c.who.must_enrol_totp)) {
      return Status::PermissionDenied(c.who.must_enrol_totp ? "enrol multi-factor authentication first"
                                                            : "change your password first");
    }
    return Status::Ok();
  }

  // Runs `fn`; no exception leaves it. A JSON type or parse error (a field read without
  // its check) is the client's: kInvalidArgument. Anything else is an internal error,
  // reported to the operator's log (never to the client).
  template <typename Fn>
  Status Guarded(Fn&& fn) {
    try {
      return fn();
    } catch (const json::exception& e) {
      return Status::InvalidArgument("malformed request: ", e.what());
    } catch (const std::exception& e) {
      return Status::Internal("unexpected exception: ", e.what());
    } catch (...) {
      return Status::Internal("unexpected exception");
    }
  }
  Status RunHandler(const Route& route, Ctx& c) { return Guarded([&] { return route.handler(c); }); }

  void Dispatch(const Route& route, const httplib::Request& req, httplib::Response& res) {
    const auto t0 = std::chrono::steady_clock::now();
    Ctx c{req, res, {}, {}, {}};
    Status st = Guarded([&] { return Authenticate(route, c); });
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

  // Per address, logons_per_minute in any minute. Memory stays bounded under a flood from
  // many addresses by dropping only addresses with no attempt in the last minute; when
  // every tracked address is live, a new address waits (fail closed) rather than any
  // address's count being forgotten.
  bool LogonAllowed(const std::string& source) {
    std::lock_guard lock(rate_mu_);
    const auto now = std::chrono::steady_clock::now();
    auto stale = [&](const std::deque<std::chrono::steady_clock::time_point>& q) {
      return q.empty() || now - q.back() > std::chrono::minutes(1);
    };
    if (!logons_.count(source) && logons_.size() >= kMaxTrackedAddresses) {
      std::erase_if(logons_, [&](const auto& kv) { return stale(kv.second); });
      if (logons_.size() >= kMaxTrackedAddresses) return false;
    }
    auto& q = logons_[source];
    while (!q.empty() && now - q.front() > std::chrono::minutes(1)) q.pop_front();
    if (int(q.size()) >= options_.logons_per_minute) return false;
    q.push_back(now);
    return true;
  }
  static constexpr size_t kMaxTrackedAddresses = 100'000;
  static constexpr size_t kMaxPublicBody = 16u << 10;

  void SetSessionCookie(httplib::Response& res, const std::string& token, int max_age_s) {
    res.set_header("Set-Cookie", std::string(kSessionCookie) + "=" + token + "; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=" +
                                     std::to_string(max_age_s));
  }

  json MeJson(const Principal& who) {
    json j = {{"username", who.username},
              {"agency_code", who.agency_code},
              {"role", std::string(policy::RoleName(who.role))},
              {"must_change_password", who.must_change_password},
              {"must_enrol_totp", who.must_enrol_totp},
              {"csrf_token", CsrfFor(who.token_sha)}};
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

  // ---- Live alert streams ----

  struct StreamState {
    std::string token, source;
    int64_t user_id = 0;
    bool sent_first = false;
    std::vector<store::Alert> initial;
    int64_t last_id = 0;  // alerts up to here were sent (or are not this user's)
    uint64_t gen = 0;     // the wake-up generation last seen
  };

  static std::string AlertEvents(const std::vector<store::Alert>& batch, int64_t& last_id) {
    std::string out;
    for (const auto& a : batch) {
      last_id = std::max(last_id, a.id);
      out += "id: " + std::to_string(a.id) + "\nevent: alert\ndata: " +
             AlertJson(a).dump(-1, ' ', false, json::error_handler_t::replace) + "\n\n";
    }
    return out;
  }

  // One turn of a stream: false closes it.
  bool StreamStep(StreamState& st, httplib::DataSink& sink) {
    if (stopping_) return false;
    if (!st.sent_first) {
      st.sent_first = true;
      std::string out = "retry: 2000\n\n" + AlertEvents(st.initial, st.last_id);
      st.initial.clear();
      return sink.write(out.data(), out.size());
    }
    {
      std::unique_lock lock(alerts_mu_);
      alerts_cv_.wait_for(lock, options_.stream_wake, [&] { return stopping_.load() || alerts_gen_ != st.gen; });
      st.gen = alerts_gen_;
    }
    if (stopping_) return false;
    // The session, as it is now: closed when it has ended; the role and gates as they are.
    auto who = gov_.Revalidate(st.token, st.source);
    if (!who.ok() || who->must_change_password || who->must_enrol_totp) return false;
    ++metrics_.stream_wakes;
    std::string out;
    const int64_t newest = newest_alert_.load();
    if (newest > st.last_id) {
      auto more = policy::NewAlertsForStream(gov_, *who, st.last_id);
      if (!more.ok()) return false;  // refused (and logged), or the log failed: close
      out = AlertEvents(*more, st.last_id);
      if (more->empty()) st.last_id = std::max(st.last_id, newest);  // none of them is this user's
    }
    if (out.empty()) out = ": keep-alive\n\n";
    return sink.write(out.data(), out.size());
  }

  // A new alert may exist (ingest, hotlist import, or another process): one query for all
  // streams, which wake only when the newest id moved.
  void AlertsChanged() {
    auto newest = policy::NewestAlertId(gov_);
    if (!newest.ok() || *newest <= newest_alert_.load()) return;
    newest_alert_ = *newest;
    WakeStreams();
  }
  // Sessions may have ended (logout, an account change): streams re-check theirs now.
  void WakeStreams() {
    {
      std::lock_guard lock(alerts_mu_);
      ++alerts_gen_;
    }
    alerts_cv_.notify_all();
  }

  // Alerts raised by other processes (the CLI's ingest, another node) reach open streams
  // through this one poll, made only while a stream is open.
  void WatchAlerts() {
    std::unique_lock lock(watch_mu_);
    while (!stopping_) {
      watch_cv_.wait_for(lock, options_.stream_wake, [&] { return stopping_.load(); });
      if (stopping_) break;
      if (metrics_.streams_open.load() == 0) continue;
      lock.unlock();
      AlertsChanged();
      lock.lock();
    }
  }

  // A new, empty folder `prefix`-<time> under options_.export_dir (created 0700 when
  // missing). kUnavailable when the server has no export folder.
  Result<std::filesystem::path> NewExportFolder(const std::string& prefix) {
    namespace fs = std::filesystem;
    if (options_.export_dir.empty()) {
      return Status::Unavailable("exports are not configured on this server (it has no export folder)");
    }
    std::error_code ec;
    if (!fs::exists(options_.export_dir, ec)) {
      fs::create_directories(options_.export_dir, ec);
      if (ec) return Status::Unavailable("cannot create the export folder: ", ec.message());
      fs::permissions(options_.export_dir, fs::perms::owner_all, fs::perm_options::replace, ec);
    }
    const std::string base = prefix + "-" + Stamp(gov_.clock().Now());
    std::lock_guard lock(export_mu_);
    fs::path out = options_.export_dir / base;
    for (int n = 2; fs::exists(out, ec); ++n) out = options_.export_dir / (base + "-" + std::to_string(n));
    fs::create_directory(out, ec);
    if (ec) return Status::Unavailable("cannot create ", out.filename().string(), ": ", ec.message());
    fs::permissions(out, fs::perms::owner_all, fs::perm_options::replace, ec);
    return out;
  }

  void BuildRoutes();

  store::ReadStore& store_;
  Governance& gov_;
  ServerOptions options_;
  unsigned char csrf_key_[crypto_auth_hmacsha256_KEYBYTES];
  std::vector<Route> routes_;
  std::unique_ptr<httplib::SSLServer> srv_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  Metrics metrics_;
  std::mutex rate_mu_;
  std::mutex log_mu_;
  std::map<std::string, std::deque<std::chrono::steady_clock::time_point>> logons_;
  std::mutex alerts_mu_;
  std::condition_variable alerts_cv_;
  uint64_t alerts_gen_ = 0;               // under alerts_mu_
  int streams_total_ = 0;                 // under alerts_mu_
  std::map<int64_t, int> streams_by_user_;  // under alerts_mu_
  std::atomic<int64_t> newest_alert_{0};
  std::mutex watch_mu_;
  std::condition_variable watch_cv_;
  std::thread watcher_;
  std::mutex transparency_mu_;
  std::mutex export_mu_;
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
    if (!LogonAllowed(source)) {
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
    WakeStreams();  // this session's live streams close now
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
    WakeStreams();  // the account's other sessions ended
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
      AlertsChanged();
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
    {
      std::lock_guard lock(alerts_mu_);
      if (streams_total_ >= options_.max_streams || streams_by_user_[c.who.user_id] >= options_.max_streams_per_user) {
        c.res.set_header("Retry-After", "30");
        c.Json({{"error", {{"code", "too_many_streams"},
                           {"message", streams_total_ >= options_.max_streams
                                           ? "the server has as many live alert streams open as it allows; try again later"
                                           : "you have as many live alert streams open as allowed; close a tab"}}}},
               429);
        return Status::Ok();
      }
      ++streams_total_;
      ++streams_by_user_[c.who.user_id];
      st->gen = alerts_gen_;
    }
    auto release = [this, user = c.who.user_id] {
      std::lock_guard lock(alerts_mu_);
      --streams_total_;
      if (--streams_by_user_[user] <= 0) streams_by_user_.erase(user);
    };
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
    if (st->initial.size() < size_t(q.limit)) st->last_id = std::max(st->last_id, newest_alert_.load());
    c.res.set_header("Cache-Control", "no-store");
    c.res.set_header("X-Accel-Buffering", "no");
    ++metrics_.streams_open;
    c.res.set_chunked_content_provider(
        "text/event-stream",
        [this, st](size_t, httplib::DataSink& sink) -> bool { return StreamStep(*st, sink); },
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
    if (r.retro_alerts) AlertsChanged();
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
    WakeStreams();  // an account change may end sessions with live streams
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
      CUSTODIAN_ASSIGN_OR_RETURN(auto out, NewExportFolder("RR-" + std::to_string(id)));
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
    CUSTODIAN_ASSIGN_OR_RETURN(auto out, NewExportFolder("hold-" + std::to_string(id)));
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
