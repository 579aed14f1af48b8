// The access log: reading it, verifying its chain, misuse flags, recording a review.
#include "server/routes/routes.h"

#include <chrono>
#include <cstdlib>
#include <string>

#include "custodian/policy/reports.h"
#include "server/domain_json.h"

namespace custodian::server::internal {

void RegisterAuditRoutes(ServerContext& ctx) {
  ctx.Add("GET", "/api/v1/audit/log", "user", policy::ops::kViewAccessLog, [&ctx](Ctx& c) -> Status {
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
    CUSTODIAN_ASSIGN_OR_RETURN(auto entries, ctx.gov.ReadLog(c.who, f));
    json out = json::array();
    for (const auto& e : entries) out.push_back(LogJson(e));
    c.Json({{"entries", out}});
    return Status::Ok();
  });
  ctx.Add("GET", "/api/v1/audit/verify", "user", policy::ops::kViewAccessLog, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto v, ctx.gov.VerifyLog(c.who));
    c.Json({{"ok", v.ok}, {"entries", v.entries}, {"checkpoints", v.checkpoints}, {"first_bad_seq", v.first_bad_seq},
            {"problem", v.problem}, {"public_key", ctx.gov.public_key_hex()}});
    return Status::Ok();
  });
  ctx.Add("GET", "/api/v1/audit/flags", "user", policy::ops::kAccessReports, [&ctx](Ctx& c) -> Status {
    const TimePoint now = ctx.gov.clock().Now();
    CUSTODIAN_ASSIGN_OR_RETURN(auto from, OptTime(c.Param("from")));
    CUSTODIAN_ASSIGN_OR_RETURN(auto to, OptTime(c.Param("to")));
    CUSTODIAN_ASSIGN_OR_RETURN(auto flags, policy::MisuseFlags(ctx.gov, c.who, from.value_or(now - std::chrono::days(7)),
                                                               to.value_or(now + std::chrono::minutes(1)), {}));
    json out = json::array();
    for (const auto& f : flags) {
      out.push_back({{"kind", std::string(policy::FlagKindName(f.kind))}, {"username", f.username}, {"detail", f.detail}, {"seqs", f.seqs}});
    }
    c.Json({{"flags", out}});
    return Status::Ok();
  });
  ctx.Add("POST", "/api/v1/audit/reviews", "user", policy::ops::kRecordLogReview, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    CUSTODIAN_ASSIGN_OR_RETURN(TimePoint from, TimeField(b, "from"));
    CUSTODIAN_ASSIGN_OR_RETURN(TimePoint to, TimeField(b, "to"));
    CUSTODIAN_ASSIGN_OR_RETURN(std::string notes, Str(b, "notes", true, 4000));
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, policy::RecordLogReview(ctx.gov, c.who, from, to, notes));
    c.Json({{"id", id}}, 201);
    return Status::Ok();
  });
}

}  // namespace custodian::server::internal
