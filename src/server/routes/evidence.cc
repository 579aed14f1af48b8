// Evidence exports of legal holds.
#include "server/routes/routes.h"

#include <filesystem>
#include <string>

#include "custodian/policy/governed_ops.h"

namespace custodian::server::internal {

void RegisterEvidenceRoutes(ServerContext& ctx) {
  ctx.Add("POST", "/api/v1/holds/{id}/export", "user", policy::ops::kExportEvidence, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, c.PathId());
    CUSTODIAN_ASSIGN_OR_RETURN(json body, OptionalBody(c.req.body));
    CUSTODIAN_ASSIGN_OR_RETURN(std::string purpose, Str(body, "purpose", false, 64));
    if (purpose.empty()) purpose = "legal_hold";
    CUSTODIAN_ASSIGN_OR_RETURN(auto out, ctx.exports.NewFolder("hold-" + std::to_string(id)));
    auto done = policy::ExportEvidence(ctx.gov, c.who, purpose, id, out);
    if (!done.ok()) {
      std::error_code ec;
      std::filesystem::remove(out, ec);  // only when still empty
      return done.status();
    }
    return Reply(c,
                 {{"hold_id", id},
                  {"export_dir", out.string()},
                  {"reads", done->reads},
                  {"images", done->images},
                  {"public_key", done->public_key_hex}},
                 201);
  });
}

}  // namespace custodian::server::internal
