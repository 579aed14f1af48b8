// Logon and the session: log on (rate-limited per address), log off, and the current
// user's own account (multi-factor enrolment, password, policy acknowledgment).
#include "server/routes/routes.h"

#include <string>

namespace custodian::server::internal {
namespace {

json MeJson(const ServerContext& ctx, const policy::Principal& who) {
  json j = {{"username", who.username},
            {"agency_code", who.agency_code},
            {"role", std::string(policy::RoleName(who.role))},
            {"must_change_password", who.must_change_password},
            {"must_enrol_totp", who.must_enrol_totp},
            {"csrf_token", ctx.csrf.For(who.token_sha)}};
  j["permissions"] = ctx.gov.matrix().Permissions(who.role);
  auto gates = ctx.gov.Gates(who);
  j["gates_missing"] = gates.ok() ? json(gates->missing) : json::array();
  return j;
}

}  // namespace

void RegisterSessionRoutes(ServerContext& ctx) {
  ctx.Add("POST", "/api/v1/session", "public", "", [&ctx](Ctx& c) -> Status {
    const std::string source = SourceOf(c.req);
    if (!ctx.logons.Allowed(source)) {
      ++ctx.metrics.logons_refused;
      c.res.set_header("Retry-After", "60");
      return Reply(
          c,
          {{"error",
            {{"code", "rate_limited"}, {"message", "too many logon attempts from this address; wait a minute"}}}},
          429);
    }
    // A logon is a JSON request from this site's own pages (or a non-browser client): a
    // form post from another site is refused before anything is parsed.
    const std::string type = c.req.get_header_value("Content-Type");
    if (type.rfind("application/json", 0) != 0) {
      return Status::InvalidArgument("a logon is a JSON body (Content-Type: application/json)");
    }
    const std::string origin = c.req.get_header_value("Origin");
    if (!origin.empty() && origin != "https://" + c.req.get_header_value("Host")) {
      return Status::PermissionDenied("a logon from another site's page is refused (Origin ", origin.substr(0, 80), ")");
    }
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    policy::LogonRequest r;
    CUSTODIAN_ASSIGN_OR_RETURN(r.username, Str(b, "username", true, 128));
    CUSTODIAN_ASSIGN_OR_RETURN(r.password, Str(b, "password", true, 1024));
    CUSTODIAN_ASSIGN_OR_RETURN(r.totp_code, Str(b, "code", false, 16));
    CUSTODIAN_ASSIGN_OR_RETURN(r.notice_accepted, Bool(b, "notice_accepted"));
    r.source = source;
    auto logon = ctx.gov.Logon(r);
    if (!logon.ok()) {
      ++ctx.metrics.logons_refused;
      return logon.status();
    }
    ++ctx.metrics.logons_ok;
    SetSessionCookie(c.res, logon->token, int(ctx.gov.options().session_lifetime.count() * 3600));
    return Reply(c, MeJson(ctx, logon->principal));
  });
  ctx.Add("DELETE", "/api/v1/session", "session", "", [&ctx](Ctx& c) -> Status {
    CUSTODIAN_RETURN_IF_ERROR(ctx.gov.Logout(c.who));
    ctx.streams.WakeStreams();  // this session's live streams close now
    SetSessionCookie(c.res, "", 0);
    return Reply(c, {{"logged_out", true}});
  });
  ctx.Add("GET", "/api/v1/me", "session", "", [&ctx](Ctx& c) -> Status { return Reply(c, MeJson(ctx, c.who)); });
  ctx.Add("POST", "/api/v1/me/mfa/enrol", "session", "", [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto e, ctx.gov.BeginTotpEnrolment(c.who));
    return Reply(c, {{"secret", e.secret_base32}, {"uri", e.uri}});
  });
  ctx.Add("POST", "/api/v1/me/mfa/confirm", "session", "", [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    CUSTODIAN_ASSIGN_OR_RETURN(std::string code, Str(b, "code", true, 16));
    CUSTODIAN_RETURN_IF_ERROR(ctx.gov.ConfirmTotpEnrolment(c.who, code));
    CUSTODIAN_ASSIGN_OR_RETURN(auto who, ctx.gov.Authenticate(c.token, SourceOf(c.req)));
    return Reply(c, MeJson(ctx, who));
  });
  ctx.Add("POST", "/api/v1/me/password", "session", "", [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    CUSTODIAN_ASSIGN_OR_RETURN(std::string current, Str(b, "current", true, 1024));
    CUSTODIAN_ASSIGN_OR_RETURN(std::string next, Str(b, "new", true, 1024));
    CUSTODIAN_RETURN_IF_ERROR(ctx.gov.ChangePassword(c.who, current, next));
    ctx.streams.WakeStreams();  // the account's other sessions ended
    CUSTODIAN_ASSIGN_OR_RETURN(auto who, ctx.gov.Authenticate(c.token, SourceOf(c.req)));
    return Reply(c, MeJson(ctx, who));
  });
  ctx.Add("POST", "/api/v1/me/acknowledgment", "user", "", [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    policy::AcknowledgmentSignature sig;
    if (!b.contains("statements") || !b["statements"].is_array() || b["statements"].size() != 4) {
      return Status::InvalidArgument("statements is an array of four booleans");
    }
    for (int i = 0; i < 4; ++i) {
      if (!b["statements"][i].is_boolean()) return Status::InvalidArgument("statements is an array of four booleans");
      sig.statements[i] = b["statements"][i].get<bool>();
    }
    CUSTODIAN_ASSIGN_OR_RETURN(sig.typed_name, Str(b, "typed_name", true, 128));
    CUSTODIAN_RETURN_IF_ERROR(ctx.gov.SignAcknowledgment(c.who, sig));
    return Reply(c, MeJson(ctx, c.who));
  });
}

}  // namespace custodian::server::internal
