// Breach incidents and notices.
#include "server/routes/routes.h"

#include <optional>
#include <string>
#include <utility>

#include "custodian/core/utc_time.h"
#include "custodian/policy/breach_incidents.h"

namespace custodian::server::internal {
namespace {

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

}  // namespace

void RegisterIncidentsRoutes(ServerContext& ctx) {
  ctx.Add("POST", "/api/v1/incidents", "user", policy::ops::kBreachNotices, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    CUSTODIAN_ASSIGN_OR_RETURN(auto incident, IncidentOfJson(b));
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, policy::RecordIncident(ctx.gov, c.who, incident));
    return Reply(c, {{"id", id}}, 201);
  });
  ctx.Add("GET", "/api/v1/incidents/{id}/notice", "user", policy::ops::kBreachNotices, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, c.PathId());
    const std::string format = c.Param("format").empty() ? "text" : c.Param("format");
    if (format != "text" && format != "html") return Status::InvalidArgument("format is text or html");
    if (c.Param("from").empty() || c.Param("to").empty()) {
      return Status::InvalidArgument("from and to (the window of the account's access) are required");
    }
    CUSTODIAN_ASSIGN_OR_RETURN(TimePoint from, ParseUtcTime(c.Param("from")));
    CUSTODIAN_ASSIGN_OR_RETURN(TimePoint to, ParseUtcTime(c.Param("to")));
    CUSTODIAN_ASSIGN_OR_RETURN(auto notice, policy::ProduceNotice(ctx.gov, c.who, id, c.Param("account"), {from, to}));
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
}

}  // namespace custodian::server::internal
