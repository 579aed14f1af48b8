// Retention: the periods in force, the purge log, a purge now.
#include "server/routes/routes.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "custodian/core/utc_time.h"
#include "custodian/policy/governed_ops.h"
#include "custodian/policy/retention.h"
#include "server/domain_json.h"

namespace custodian::server::internal {

void RegisterRetentionRoutes(ServerContext& ctx) {
  ctx.Add("GET", "/api/v1/retention", "user", policy::ops::kManageRetention, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_RETURN_IF_ERROR(policy::CheckRetentionPeriods(ctx.gov, c.who, ctx.options.retention).status());
    int limit = 100;
    if (!c.Param("limit").empty()) limit = std::clamp(std::atoi(c.Param("limit").c_str()), 1, 1000);
    CUSTODIAN_ASSIGN_OR_RETURN(auto log, policy::PurgeLog(ctx.gov, c.who, limit));
    json runs = json::array();
    for (const auto& e : log) {
      runs.push_back({{"id", e.id}, {"run_at", FormatUtcTime(e.run_at)}, {"run_by", e.run_by},
                      {"data_class", std::string(store::DataClassName(e.data_class))}, {"cutoff", FormatUtcTime(e.cutoff)},
                      {"reads", e.reads}, {"images", e.images}, {"plates", e.plates}, {"oldest", OptIso(e.oldest)},
                      {"newest", OptIso(e.newest)}});
    }
    return Reply(
        c,
        {{"periods",
          {{"public_safety_days", ctx.options.retention.public_safety.count()},
           {"non_public_safety_days", ctx.options.retention.non_public_safety.count()}}},
         {"limits", {{"minimum_days", policy::kMinRetention.count()}, {"maximum_days", policy::kMaxRetention.count()}}},
         {"purge_log", runs}});
  });
  ctx.Add("POST", "/api/v1/retention/purge", "user", policy::ops::kManageRetention, [&ctx](Ctx& c) -> Status {
    ++ctx.metrics.purge_runs;
    CUSTODIAN_ASSIGN_OR_RETURN(auto s, policy::RunPurge(ctx.gov, c.who, ctx.options.retention, {}));
    return Reply(c, {{"public_safety", ClassPurgeJson(s.public_safety)},
                     {"non_public_safety", ClassPurgeJson(s.non_public_safety)}});
  });
}

}  // namespace custodian::server::internal
