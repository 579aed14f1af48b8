// Reference lists for forms: purpose codes, roles and the permission matrix.
#include "server/routes/routes.h"

#include <string>

namespace custodian::server::internal {

void RegisterReferenceRoutes(ServerContext& ctx) {
  ctx.Add("GET", "/api/v1/purposes", "session", "", [&ctx](Ctx& c) -> Status {
    json allowed = json::array();
    for (const auto& [code, title] : ctx.gov.purposes().allowed()) {
      if (!ctx.gov.purposes().Forbidden(code)) allowed.push_back({{"code", code}, {"title", title}});
    }
    json forbidden = json::array();
    for (const auto& [code, title] : ctx.gov.purposes().forbidden()) forbidden.push_back({{"code", code}, {"title", title}});
    return Reply(c, {{"purposes", allowed}, {"forbidden", forbidden}});
  });
  ctx.Add("GET", "/api/v1/roles", "user", policy::ops::kManageUsers, [&ctx](Ctx& c) -> Status {
    json roles = json::array();
    for (policy::Role r : policy::kAllRoles) {
      roles.push_back({{"role", std::string(policy::RoleName(r))}, {"title", std::string(ctx.gov.matrix().RoleTitle(r))}});
    }
    return Reply(c, {{"roles", roles}, {"matrix", ctx.gov.matrix().Describe()}});
  });
}

}  // namespace custodian::server::internal
