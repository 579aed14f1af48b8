// Request parsing: typed readers of query parameters and JSON body fields.
#include "server/request.h"

#include "custodian/core/utc_time.h"

namespace custodian::server::internal {

std::string SourceOf(const httplib::Request& req) { return req.remote_addr.empty() ? "unknown" : req.remote_addr; }

Result<std::string> Str(const json& j, const char* key, bool required, size_t max) {
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
Result<bool> Bool(const json& j, const char* key, bool fallback) {
  if (!j.contains(key) || j[key].is_null()) return fallback;
  if (!j[key].is_boolean()) return Status::InvalidArgument("field '", key, "' must be true or false");
  return j[key].get<bool>();
}

// A number field: `fallback` when absent or null, kInvalidArgument naming it otherwise.
Result<double> Number(const json& j, const char* key, double fallback) {
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

}  // namespace custodian::server::internal
