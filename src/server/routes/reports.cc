// Reports: access counts, the recorded access-log reviews, sharing.
#include "server/routes/routes.h"

#include <chrono>

#include "custodian/core/utc_time.h"
#include "custodian/policy/reports.h"
#include "custodian/policy/sharing.h"
#include "server/domain_json.h"

namespace custodian::server::internal {

void RegisterReportsRoutes(ServerContext& ctx) {
  ctx.Add("GET", "/api/v1/audit/report", "user", policy::ops::kAccessReports, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(TimeRange range, TimeRangeParams(c));
    const policy::AccessReportFilter f{.from = range.from,
                                       .to = range.to,
                                       .username = c.Param("username"),
                                       .plate = c.Param("plate"),
                                       .purpose = c.Param("purpose"),
                                       .case_number = c.Param("case")};
    CUSTODIAN_ASSIGN_OR_RETURN(auto r, policy::AccessReport(ctx.gov, c.who, f));
    return Reply(c, {{"entries", r.entries},
                     {"by_user", AccessCountsJson(r.by_user)},
                     {"by_plate", AccessCountsJson(r.by_plate)},
                     {"by_purpose", AccessCountsJson(r.by_purpose)},
                     {"by_case", AccessCountsJson(r.by_case)}});
  });
  ctx.Add("GET", "/api/v1/audit/reviews", "user", policy::ops::kAccessReports, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto reviews, policy::ListLogReviews(ctx.gov, c.who));
    CUSTODIAN_ASSIGN_OR_RETURN(bool overdue, policy::LastReviewOverdue(ctx.gov, c.who));
    json out = json::array();
    for (const auto& r : reviews) {
      out.push_back({{"id", r.id}, {"reviewer", r.reviewer}, {"at", FormatUtcTime(r.at)}, {"from", FormatUtcTime(r.from)}, {"to", FormatUtcTime(r.to)},
                     {"notes", r.notes}});
    }
    return Reply(c, {{"reviews", out}, {"overdue", overdue}});
  });
  ctx.Add("GET", "/api/v1/sharing/report", "user", policy::ops::kAccessReports, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(TimeWindow w, WindowParams(c, ctx.gov.clock().Now(), std::chrono::days(30)));
    CUSTODIAN_ASSIGN_OR_RETURN(auto r, policy::SharingReport(ctx.gov, c.who, w.from, w.to));
    json grants = JsonArray(r.grants, GrantJson);
    json partners = json::array();
    for (const auto& p : r.partners) {
      json terms = json::array();
      for (const auto& t : p.terms) terms.push_back(json::parse(t, nullptr, false));
      partners.push_back({{"agency_code", p.agency_code}, {"searches", p.searches}, {"denied", p.denied},
                          {"records", p.records}, {"users", p.users}, {"terms", terms}, {"purposes", p.purposes},
                          {"cases", p.cases}, {"seqs", p.seqs}});
    }
    return Reply(c, {{"grants", grants}, {"partners", partners}});
  });
}

}  // namespace custodian::server::internal
