// Accuracy audits.
#include "server/routes/routes.h"

#include <sodium.h>

#include <string>

#include "custodian/policy/accuracy_audit.h"
#include "server/domain_json.h"

namespace custodian::server::internal {

void RegisterAccuracyRoutes(ServerContext& ctx) {
  ctx.Add("POST", "/api/v1/audits", "user", policy::ops::kAccuracyAudit, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    policy::AuditSpec spec;
    CUSTODIAN_ASSIGN_OR_RETURN(spec.camera_ids, StrArray(b, "cameras", "cameras is an array of camera ids"));
    CUSTODIAN_ASSIGN_OR_RETURN(spec.from, TimeField(b, "from"));
    CUSTODIAN_ASSIGN_OR_RETURN(spec.to, TimeField(b, "to"));
    if (b.contains("sample_size")) {
      if (!b["sample_size"].is_number_integer()) return Status::InvalidArgument("sample_size is a whole number");
      spec.sample_size = b["sample_size"].get<int>();
    }
    if (b.contains("seed")) {
      if (!b["seed"].is_number_unsigned()) return Status::InvalidArgument("seed is a non-negative whole number");
      spec.seed = b["seed"].get<uint64_t>();
    } else {
      randombytes_buf(&spec.seed, sizeof spec.seed);  // a fresh sample unless one is asked to be repeated
    }
    CUSTODIAN_ASSIGN_OR_RETURN(spec.reference, Str(b, "reference", true, 64));
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, policy::StartAudit(ctx.gov, c.who, spec));
    return Reply(c, {{"id", id}, {"case_number", policy::AuditCaseNumber(id)}, {"seed", spec.seed}}, 201);
  });
  ctx.Add("GET", "/api/v1/audits/{id}", "user", policy::ops::kAccuracyAudit, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, c.PathId());
    CUSTODIAN_ASSIGN_OR_RETURN(auto r, policy::AuditAccuracy(ctx.gov, c.who, id));
    return Reply(c, AuditJson(r));
  });
  ctx.Add("POST", "/api/v1/audits/{id}/items/{read_id}", "user", policy::ops::kAccuracyAudit, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, c.PathId(1));
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t read_id, c.PathId(2));
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    if (!b.contains("correct") || !b["correct"].is_boolean()) return Status::InvalidArgument("correct is true or false");
    policy::Verdict v{.correct = b["correct"].get<bool>()};
    CUSTODIAN_ASSIGN_OR_RETURN(v.true_plate, Str(b, "true_plate", !v.correct, 64));
    CUSTODIAN_RETURN_IF_ERROR(policy::VerifyItem(ctx.gov, c.who, id, read_id, v));
    CUSTODIAN_ASSIGN_OR_RETURN(auto r, policy::AuditAccuracy(ctx.gov, c.who, id));
    return Reply(c, AuditJson(r));
  });
}

}  // namespace custodian::server::internal
