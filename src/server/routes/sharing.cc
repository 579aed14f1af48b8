// Sharing grants to other California public agencies.
#include "server/routes/routes.h"

#include <string>

#include "custodian/policy/sharing.h"
#include "server/domain_json.h"

namespace custodian::server::internal {

void RegisterSharingRoutes(ServerContext& ctx) {
  ctx.Add("GET", "/api/v1/grants", "user", policy::ops::kManageGrants, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto grants, policy::ListGrants(ctx.gov, c.who, c.Param("all") == "1"));
    return Reply(c, {{"grants", JsonArray(grants, GrantJson)}});
  });
  ctx.Add("POST", "/api/v1/grants", "user", policy::ops::kManageGrants, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    policy::GrantSpec g;
    CUSTODIAN_ASSIGN_OR_RETURN(g.agency_code, Str(b, "agency_code", true, 128));
    if (!b.contains("data_classes") || !b["data_classes"].is_array()) {
      return Status::InvalidArgument("data_classes is an array of class names");
    }
    for (const auto& d : b["data_classes"]) {
      if (!d.is_string()) return Status::InvalidArgument("data_classes is an array of class names");
      CUSTODIAN_ASSIGN_OR_RETURN(store::DataClass dc, store::ParseDataClass(d.get<std::string>()));
      g.data_classes.push_back(dc);
    }
    if (!b.contains("cameras") || !b["cameras"].is_null()) {
      CUSTODIAN_ASSIGN_OR_RETURN(g.camera_ids,
                                 StrArray(b, "cameras", "field 'cameras' must be an array of camera ids"));
    }
    CUSTODIAN_ASSIGN_OR_RETURN(g.expires, TimeField(b, "expires"));
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, policy::GrantSharing(ctx.gov, c.who, g));
    return Reply(c, {{"id", id}}, 201);
  });
  ctx.Add("POST", "/api/v1/grants/{id}/attest", "user", policy::ops::kManageGrants, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, c.PathId());
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    policy::Attestation a;
    CUSTODIAN_ASSIGN_OR_RETURN(a.signatory, Str(b, "signatory", true, 128));
    CUSTODIAN_ASSIGN_OR_RETURN(a.signed_on, TimeField(b, "signed_on"));
    CUSTODIAN_ASSIGN_OR_RETURN(a.text, Str(b, "text", false, 20000));
    CUSTODIAN_RETURN_IF_ERROR(policy::AttestSharing(ctx.gov, c.who, id, a));
    return Reply(c, {{"attested", id}});
  });
  ctx.Add("POST", "/api/v1/grants/{id}/revoke", "user", policy::ops::kManageGrants, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, c.PathId());
    CUSTODIAN_RETURN_IF_ERROR(policy::RevokeSharing(ctx.gov, c.who, id));
    return Reply(c, {{"revoked", id}});
  });
}

}  // namespace custodian::server::internal
