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
    policy::AccessReportFilter f;
    CUSTODIAN_ASSIGN_OR_RETURN(f.from, OptTime(c.Param("from")));
    CUSTODIAN_ASSIGN_OR_RETURN(f.to, OptTime(c.Param("to")));
    f.username = c.Param("username");
    f.plate = c.Param("plate");
    f.purpose = c.Param("purpose");
    f.case_number = c.Param("case");
    CUSTODIAN_ASSIGN_OR_RETURN(auto r, policy::AccessReport(ctx.gov, c.who, f));
    c.Json({{"entries", r.entries}, {"by_user", AccessCountsJson(r.by_user)}, {"by_plate", AccessCountsJson(r.by_plate)},
            {"by_purpose", AccessCountsJson(r.by_purpose)}, {"by_case", AccessCountsJson(r.by_case)}});
    return Status::Ok();
  });
  ctx.Add("GET", "/api/v1/audit/reviews", "user", policy::ops::kAccessReports, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto reviews, policy::ListLogReviews(ctx.gov, c.who));
    CUSTODIAN_ASSIGN_OR_RETURN(bool overdue, policy::LastReviewOverdue(ctx.gov, c.who));
    json out = json::array();
    for (const auto& r : reviews) {
      out.push_back({{"id", r.id}, {"reviewer", r.reviewer}, {"at", FormatUtcTime(r.at)}, {"from", FormatUtcTime(r.from)}, {"to", FormatUtcTime(r.to)},
                     {"notes", r.notes}});
    }
    c.Json({{"reviews", out}, {"overdue", overdue}});
    return Status::Ok();
  });
  ctx.Add("GET", "/api/v1/sharing/report", "user", policy::ops::kAccessReports, [&ctx](Ctx& c) -> Status {
    const TimePoint now = ctx.gov.clock().Now();
    CUSTODIAN_ASSIGN_OR_RETURN(auto from, OptTime(c.Param("from")));
    CUSTODIAN_ASSIGN_OR_RETURN(auto to, OptTime(c.Param("to")));
    CUSTODIAN_ASSIGN_OR_RETURN(auto r, policy::SharingReport(ctx.gov, c.who, from.value_or(now - std::chrono::days(30)),
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

}  // namespace custodian::server::internal
