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
    CUSTODIAN_ASSIGN_OR_RETURN(TimeRange range, TimeRangeParams(c));
    policy::LogFilter f{.from = range.from,
                        .to = range.to,
                        .username = c.Param("username"),
                        .action = c.Param("action"),
                        .outcome = c.Param("outcome"),
                        .case_number = c.Param("case"),
                        .term = c.Param("term")};
    if (!c.Param("after").empty()) f.after_seq = std::atoll(c.Param("after").c_str());
    if (!c.Param("limit").empty()) f.limit = std::atoi(c.Param("limit").c_str());
    CUSTODIAN_ASSIGN_OR_RETURN(auto entries, ctx.gov.ReadLog(c.who, f));
    return Reply(c, {{"entries", JsonArray(entries, LogJson)}});
  });
  ctx.Add("GET", "/api/v1/audit/verify", "user", policy::ops::kViewAccessLog, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto v, ctx.gov.VerifyLog(c.who));
    return Reply(c, {{"ok", v.ok},
                     {"entries", v.entries},
                     {"checkpoints", v.checkpoints},
                     {"first_bad_seq", v.first_bad_seq},
                     {"problem", v.problem},
                     {"public_key", ctx.gov.public_key_hex()}});
  });
  ctx.Add("GET", "/api/v1/audit/flags", "user", policy::ops::kAccessReports, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(TimeWindow w, WindowParams(c, ctx.gov.clock().Now(), std::chrono::days(7)));
    CUSTODIAN_ASSIGN_OR_RETURN(auto flags, policy::MisuseFlags(ctx.gov, c.who, w.from, w.to, {}));
    json out = json::array();
    for (const auto& f : flags) {
      out.push_back({{"kind", std::string(policy::FlagKindName(f.kind))}, {"username", f.username}, {"detail", f.detail}, {"seqs", f.seqs}});
    }
    return Reply(c, {{"flags", out}});
  });
  ctx.Add("POST", "/api/v1/audit/reviews", "user", policy::ops::kRecordLogReview, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    CUSTODIAN_ASSIGN_OR_RETURN(TimePoint from, TimeField(b, "from"));
    CUSTODIAN_ASSIGN_OR_RETURN(TimePoint to, TimeField(b, "to"));
    CUSTODIAN_ASSIGN_OR_RETURN(std::string notes, Str(b, "notes", true, 4000));
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, policy::RecordLogReview(ctx.gov, c.who, from, to, notes));
    return Reply(c, {{"id", id}}, 201);
  });
}

}  // namespace custodian::server::internal
