// Request parsing: the context a handler sees (the request, the response, who is calling)
// and the typed readers of query parameters and JSON body fields. Every reader answers
// kInvalidArgument naming the field, so a wrong type is a 400, never a 500. Internal.
#pragma once

#include <httplib.h>

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "custodian/core/clock.h"
#include "custodian/core/status.h"
#include "custodian/policy/api_keys.h"
#include "custodian/policy/governance.h"

namespace custodian::server::internal {

using json = nlohmann::json;

// One request as a handler sees it.
struct Ctx {
  const httplib::Request& req;
  httplib::Response& res;
  policy::Principal who;
  policy::Device device;
  std::string token;  // the session token (session routes)

  void Json(const json& body, int status = 200) {
    res.status = status;
    res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
  }
  std::string Param(const std::string& name) const {
    return req.has_param(name) ? req.get_param_value(name) : std::string();
  }
  std::vector<std::string> Params(const std::string& name) const {
    std::vector<std::string> out;
    size_t n = req.get_param_value_count(name);
    for (size_t i = 0; i < n; ++i) out.push_back(req.get_param_value(name, i));
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

// The calling address ("unknown" when the connection has none).
std::string SourceOf(const httplib::Request& req);

// JSON field readers with clear errors.

// A string field of at most `max` bytes: "" when absent or null and not `required`.
Result<std::string> Str(const json& j, const char* key, bool required = true, size_t max = 4096);

// A boolean field: `fallback` when absent or null, kInvalidArgument naming it when it is
// anything but true or false ("yes", 1, ...).
Result<bool> Bool(const json& j, const char* key, bool fallback = false);

// A number field: `fallback` when absent or null, kInvalidArgument naming it otherwise.
Result<double> Number(const json& j, const char* key, double fallback = 0);

// A whole-number field in [lo, hi]: `fallback` when absent or null.
Result<int64_t> Integer(const json& j, const char* key, int64_t fallback, int64_t lo, int64_t hi);

// A body that may be empty (then {}), else a JSON object.
Result<json> OptionalBody(const std::string& body);

// A non-negative id given as a query parameter ("" is 0), or kInvalidArgument naming it.
Result<int64_t> ParseId(const std::string& text, const char* name);

// An RFC 3339 UTC time given as a query parameter ("" is none).
Result<std::optional<TimePoint>> OptTime(const std::string& text);

// A required time field: RFC 3339 UTC text or Unix milliseconds.
Result<TimePoint> TimeField(const json& j, const char* key);

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

}  // namespace custodian::server::internal
