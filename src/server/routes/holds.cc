// Legal holds.
#include "server/routes/routes.h"

#include <string>

#include "custodian/policy/governed_ops.h"
#include "server/domain_json.h"

namespace custodian::server::internal {

void RegisterHoldsRoutes(ServerContext& ctx) {
  ctx.Add("GET", "/api/v1/holds", "user", policy::ops::kPlaceHolds, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto holds, policy::ListHolds(ctx.gov, c.who, c.Param("all") == "1"));
    return Reply(c, {{"holds", JsonArray(holds, HoldJson)}});
  });
  ctx.Add("POST", "/api/v1/holds", "user", policy::ops::kPlaceHolds, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    store::HoldRequest r;
    CUSTODIAN_ASSIGN_OR_RETURN(r.case_number, Str(b, "case_number", true, 128));
    CUSTODIAN_ASSIGN_OR_RETURN(r.reason, Str(b, "reason", true, 1024));
    CUSTODIAN_ASSIGN_OR_RETURN(std::string purpose, Str(b, "purpose", false, 64));
    if (purpose.empty()) purpose = "legal_hold";
    if (b.contains("read_ids")) {
      if (!b["read_ids"].is_array()) return Status::InvalidArgument("read_ids is an array of ids");
      for (const auto& id : b["read_ids"]) {
        if (!id.is_number_integer()) return Status::InvalidArgument("read_ids is an array of ids");
        r.read_ids.push_back(id.get<int64_t>());
      }
    }
    if (b.contains("plate")) {
      store::SearchQuery q;
      CUSTODIAN_ASSIGN_OR_RETURN(q.plate, Str(b, "plate", true, 64));
      CUSTODIAN_ASSIGN_OR_RETURN(std::string m, Str(b, "match", false, 16));
      q.match = m == "wildcard" ? store::PlateMatch::kWildcard
                : m == "fuzzy"  ? store::PlateMatch::kFuzzy
                                : store::PlateMatch::kExact;
      CUSTODIAN_ASSIGN_OR_RETURN(q.from, OptTimeField(b, "from"));
      CUSTODIAN_ASSIGN_OR_RETURN(q.to, OptTimeField(b, "to"));
      r.matching = q;
    }
    CUSTODIAN_ASSIGN_OR_RETURN(auto h, policy::PlaceHold(ctx.gov, c.who, purpose, r));
    return Reply(c, HoldJson(h), 201);
  });
  ctx.Add("POST", "/api/v1/holds/{id}/release", "user", policy::ops::kPlaceHolds, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, c.PathId());
    CUSTODIAN_ASSIGN_OR_RETURN(auto h, policy::ReleaseHold(ctx.gov, c.who, "legal_hold", id));
    return Reply(c, HoldJson(h));
  });
}

}  // namespace custodian::server::internal
