// Helpers the route handlers share: answering, lists as JSON arrays, and the body fields
// and query parameters several routes read the same way. Internal.
//
// Basic usage:
//   CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
//   store::Agency a;
//   CUSTODIAN_RETURN_IF_ERROR(ReadStrs(b, {{"code", &a.code, true, 128}, {"name", &a.name, true, 256}}));
//   CUSTODIAN_ASSIGN_OR_RETURN(auto holds, policy::ListHolds(gov, c.who, false));
//   return Reply(c, {{"holds", JsonArray(holds, HoldJson)}});
#pragma once

#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "custodian/core/clock.h"
#include "custodian/core/status.h"
#include "server/request.h"

namespace custodian::server::internal {

// Answers `body` with HTTP `status` and returns OK: the last step of a handler.
inline Status Reply(Ctx& c, const json& body, int status = 200) {
  c.Json(body, status);
  return Status::Ok();
}

// A JSON array of `to_json(item)` for each of `items`, in order.
template <typename Items, typename ToJson>
json JsonArray(const Items& items, ToJson&& to_json) {
  json out = json::array();
  for (const auto& item : items) out.push_back(to_json(item));
  return out;
}

// A string field of a JSON body and where it goes (Str(body, key, required, max)).
struct StrField {
  const char* key;
  std::string* out;
  bool required = true;
  size_t max = 4096;
};

// Reads each field with Str, in order, into its place; the first field's error, if any.
Status ReadStrs(const json& body, std::initializer_list<StrField> fields);

// The strings of the array field `key`: none when it is absent; kInvalidArgument(`error`)
// when it is anything but an array of strings (null included).
Result<std::vector<std::string>> StrArray(const json& j, const char* key, std::string_view error);

// A time field that may be absent (then none); when present, read as TimeField does.
Result<std::optional<TimePoint>> OptTimeField(const json& j, const char* key);

// The "from" and "to" query parameters (RFC 3339 UTC; each may be absent).
struct TimeRange {
  std::optional<TimePoint> from, to;
};
Result<TimeRange> TimeRangeParams(const Ctx& c);

// The "from" and "to" query parameters as a window for a report made at `now`: from
// defaults to `now - span`, to to a minute after `now`.
struct TimeWindow {
  TimePoint from, to;
};
Result<TimeWindow> WindowParams(const Ctx& c, TimePoint now, std::chrono::days span);

}  // namespace custodian::server::internal
