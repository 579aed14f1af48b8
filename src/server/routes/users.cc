// Accounts and their actions, and the approvals of signed acknowledgments.
#include "server/routes/routes.h"

#include <string>
#include <utility>

#include "server/domain_json.h"

namespace custodian::server::internal {

void RegisterUsersRoutes(ServerContext& ctx) {
  ctx.Add("GET", "/api/v1/users", "user", policy::ops::kManageUsers, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto users, ctx.gov.ListUsers(c.who));
    return Reply(c, {{"users", JsonArray(users, UserJson)}});
  });
  ctx.Add("POST", "/api/v1/users", "user", policy::ops::kManageUsers, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    policy::UserSpec s;
    std::string role;
    CUSTODIAN_RETURN_IF_ERROR(ReadStrs(b, {{"username", &s.username, true, 64},
                                           {"full_name", &s.full_name, true, 128},
                                           {"agency_code", &s.agency_code, false, 128},
                                           {"role", &role, true, 64}}));
    if (s.agency_code.empty()) s.agency_code = c.who.agency_code;
    CUSTODIAN_ASSIGN_OR_RETURN(s.role, policy::ParseRole(role));
    CUSTODIAN_ASSIGN_OR_RETURN(s.supervisor, Str(b, "supervisor", false, 64));
    for (auto [key, field] : {std::pair{"access_expires", &s.access_expires},
                              std::pair{"background_check", &s.background_check},
                              std::pair{"cjis_addendum", &s.cjis_addendum}}) {
      CUSTODIAN_ASSIGN_OR_RETURN(std::optional<TimePoint> t, OptTimeField(b, key));
      if (t) *field = t;
    }
    CUSTODIAN_ASSIGN_OR_RETURN(auto made, ctx.gov.CreateUser(c.who, s));
    return Reply(c, {{"username", made.username}, {"initial_password", made.initial_password}}, 201);
  });
  ctx.Add("POST", "/api/v1/users/{username}/{action}", "user", policy::ops::kManageUsers, [&ctx](Ctx& c) -> Status {
    const std::string user = c.PathString(1);
    const std::string action = c.PathString(2);
    CUSTODIAN_ASSIGN_OR_RETURN(json body, OptionalBody(c.req.body));
    if (action == "unlock") {
      CUSTODIAN_RETURN_IF_ERROR(ctx.gov.Unlock(c.who, user));
    } else if (action == "separate") {
      CUSTODIAN_ASSIGN_OR_RETURN(std::string reason, Str(body, "reason", false, 256));
      CUSTODIAN_RETURN_IF_ERROR(ctx.gov.Separate(c.who, user, reason.empty() ? "separation" : reason));
    } else if (action == "role") {
      CUSTODIAN_ASSIGN_OR_RETURN(std::string role, Str(body, "role", true, 64));
      CUSTODIAN_ASSIGN_OR_RETURN(policy::Role r, policy::ParseRole(role));
      CUSTODIAN_RETURN_IF_ERROR(ctx.gov.SetRole(c.who, user, r));
    } else if (action == "flag-compromised") {
      CUSTODIAN_RETURN_IF_ERROR(ctx.gov.FlagCompromised(c.who, user));
    } else if (action == "reset-mfa") {
      CUSTODIAN_RETURN_IF_ERROR(ctx.gov.ResetTotp(c.who, user));
    } else if (action == "reset-password") {
      CUSTODIAN_ASSIGN_OR_RETURN(auto made, ctx.gov.ResetPassword(c.who, user));
      return Reply(c, {{"username", made.username}, {"initial_password", made.initial_password}});
    } else if (action == "training") {
      CUSTODIAN_ASSIGN_OR_RETURN(std::string course, Str(body, "course", true, 200));
      CUSTODIAN_ASSIGN_OR_RETURN(TimePoint done, TimeField(body, "completed"));
      CUSTODIAN_RETURN_IF_ERROR(ctx.gov.RecordTraining(c.who, user, course, done));
    } else if (action == "approve") {
      CUSTODIAN_ASSIGN_OR_RETURN(std::string as, Str(body, "as", true, 32));
      if (as != "supervisor" && as != "coordinator") return Status::InvalidArgument("as is supervisor or coordinator");
      CUSTODIAN_RETURN_IF_ERROR(ctx.gov.ApproveAcknowledgment(
          c.who, user, as == "supervisor" ? policy::Approval::kSupervisor : policy::Approval::kCoordinator));
    } else {
      return Status::NotFound("no user action '", action.substr(0, 32), "'");
    }
    ctx.streams.WakeStreams();  // an account change may end sessions with live streams
    CUSTODIAN_ASSIGN_OR_RETURN(auto info, ctx.gov.GetUser(c.who, user));
    return Reply(c, UserJson(info));
  });

  // The approvals of a signed acknowledgment, for whoever may give them (command staff as
  // supervisors of record, coordinators); the users route above needs manage_users.
  ctx.Add("POST", "/api/v1/acknowledgments/{username}/approve", "user", policy::ops::kApproveAcknowledgments,
      [&ctx](Ctx& c) -> Status {
        const std::string user = c.PathString(1);
        CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
        CUSTODIAN_ASSIGN_OR_RETURN(std::string as, Str(b, "as", true, 32));
        if (as != "supervisor" && as != "coordinator") return Status::InvalidArgument("as is supervisor or coordinator");
        CUSTODIAN_RETURN_IF_ERROR(ctx.gov.ApproveAcknowledgment(
            c.who, user, as == "supervisor" ? policy::Approval::kSupervisor : policy::Approval::kCoordinator));
        return Reply(c, {{"username", user}, {"approved_as", as}});
      });
}

}  // namespace custodian::server::internal
