// Helpers the route handlers share.
#include "server/route_helpers.h"

namespace custodian::server::internal {

Status ReadStrs(const json& body, std::initializer_list<StrField> fields) {
  for (const StrField& f : fields) {
    CUSTODIAN_ASSIGN_OR_RETURN(*f.out, Str(body, f.key, f.required, f.max));
  }
  return Status::Ok();
}

Result<std::vector<std::string>> StrArray(const json& j, const char* key, std::string_view error) {
  std::vector<std::string> out;
  if (!j.contains(key)) return out;
  if (!j[key].is_array()) return Status::InvalidArgument(error);
  for (const auto& item : j[key]) {
    if (!item.is_string()) return Status::InvalidArgument(error);
    out.push_back(item.get<std::string>());
  }
  return out;
}

Result<std::optional<TimePoint>> OptTimeField(const json& j, const char* key) {
  if (!j.contains(key)) return std::optional<TimePoint>();
  CUSTODIAN_ASSIGN_OR_RETURN(TimePoint t, TimeField(j, key));
  return std::optional<TimePoint>(t);
}

Result<TimeRange> TimeRangeParams(const Ctx& c) {
  TimeRange r;
  CUSTODIAN_ASSIGN_OR_RETURN(r.from, OptTime(c.Param("from")));
  CUSTODIAN_ASSIGN_OR_RETURN(r.to, OptTime(c.Param("to")));
  return r;
}

Result<TimeWindow> WindowParams(const Ctx& c, TimePoint now, std::chrono::days span) {
  CUSTODIAN_ASSIGN_OR_RETURN(TimeRange r, TimeRangeParams(c));
  return TimeWindow{r.from.value_or(now - span), r.to.value_or(now + std::chrono::minutes(1))};
}

}  // namespace custodian::server::internal
