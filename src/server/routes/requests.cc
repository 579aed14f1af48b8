// Records requests (confidential: the library decides who sees which).
#include "server/routes/routes.h"

#include <filesystem>
#include <string>

#include "custodian/policy/records_requests.h"
#include "server/domain_json.h"

namespace custodian::server::internal {
namespace {

// A records request's search from JSON: plate, match (exact, wildcard, fuzzy; no plate:
// any), extra_edits, from and to (required), cameras.
Result<store::SearchQuery> SearchOfJson(const json& j) {
  if (!j.is_object()) return Status::InvalidArgument("search is an object: plate, match, from, to, cameras");
  store::SearchQuery q;
  CUSTODIAN_ASSIGN_OR_RETURN(q.plate, Str(j, "plate", false, 64));
  CUSTODIAN_ASSIGN_OR_RETURN(std::string match, Str(j, "match", false, 16));
  auto m = store::ParsePlateMatch(match.empty() ? "exact" : match);
  if (!m.ok() || *m == store::PlateMatch::kAny) {
    return Status::InvalidArgument("search.match is exact, wildcard or fuzzy");
  }
  q.match = *m;
  if (q.plate.empty()) q.match = store::PlateMatch::kAny;
  CUSTODIAN_ASSIGN_OR_RETURN(int64_t edits, Integer(j, "extra_edits", 0, 0, 1));
  q.extra_edits = int(edits);
  CUSTODIAN_ASSIGN_OR_RETURN(TimePoint from, TimeField(j, "from"));
  CUSTODIAN_ASSIGN_OR_RETURN(TimePoint to, TimeField(j, "to"));
  q.from = from;
  q.to = to;
  CUSTODIAN_ASSIGN_OR_RETURN(q.camera_ids, StrArray(j, "cameras", "search.cameras is an array of camera ids"));
  return q;
}

}  // namespace

void RegisterRequestsRoutes(ServerContext& ctx) {
  ctx.Add("POST", "/api/v1/requests", "user", policy::ops::kSubmitRecordsRequest, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    policy::RecordsRequestForm f;
    CUSTODIAN_RETURN_IF_ERROR(ReadStrs(b, {{"requester", &f.requester, true, 128},
                                           {"department", &f.department, true, 128},
                                           {"phone", &f.phone, true, 32},
                                           {"email", &f.email, true, 254}}));
    CUSTODIAN_ASSIGN_OR_RETURN(f.date_requested, TimeField(b, "date_requested"));
    CUSTODIAN_ASSIGN_OR_RETURN(f.date_required, TimeField(b, "date_required"));
    CUSTODIAN_ASSIGN_OR_RETURN(std::string cls, Str(b, "data_class", false, 32));
    if (!cls.empty()) {
      CUSTODIAN_ASSIGN_OR_RETURN(f.data_class, store::ParseDataClass(cls));
    }
    CUSTODIAN_RETURN_IF_ERROR(
        ReadStrs(b, {{"description", &f.description, true, 4000}, {"reason", &f.reason, true, 2000}}));
    if (!b.contains("search")) return Status::InvalidArgument("missing field 'search'");
    CUSTODIAN_ASSIGN_OR_RETURN(f.search, SearchOfJson(b["search"]));
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, policy::SubmitRecordsRequest(ctx.gov, c.who, f));
    CUSTODIAN_ASSIGN_OR_RETURN(auto r, policy::GetRecordsRequest(ctx.gov, c.who, id));
    return Reply(c, RequestJson(r), 201);
  });
  ctx.Add("GET", "/api/v1/requests", "user", policy::ops::kSubmitRecordsRequest, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto list, policy::ListRecordsRequests(ctx.gov, c.who));
    return Reply(c, {{"requests", JsonArray(list, RequestJson)}});
  });
  ctx.Add("GET", "/api/v1/requests/{id}", "user", policy::ops::kSubmitRecordsRequest, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, c.PathId());
    CUSTODIAN_ASSIGN_OR_RETURN(auto r, policy::GetRecordsRequest(ctx.gov, c.who, id));
    return Reply(c, RequestJson(r));
  });
  ctx.Add("POST", "/api/v1/requests/{id}/{action}", "user", policy::ops::kApproveRecordsRequest, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, c.PathId());
    const std::string action = c.PathString(2);
    CUSTODIAN_ASSIGN_OR_RETURN(json body, OptionalBody(c.req.body));
    CUSTODIAN_ASSIGN_OR_RETURN(std::string note, Str(body, "note", false, 2000));
    json extra = json::object();
    if (action == "director-approve") {
      CUSTODIAN_RETURN_IF_ERROR(policy::DirectorApprove(ctx.gov, c.who, id, note));
    } else if (action == "approve") {
      CUSTODIAN_RETURN_IF_ERROR(policy::CoordinatorApprove(ctx.gov, c.who, id, note));
    } else if (action == "deny") {
      CUSTODIAN_RETURN_IF_ERROR(policy::DenyRecordsRequest(ctx.gov, c.who, id, note));
    } else if (action == "fulfil") {
      CUSTODIAN_ASSIGN_OR_RETURN(auto out, ctx.exports.NewFolder("RR-" + std::to_string(id)));
      auto done = policy::FulfilRecordsRequest(ctx.gov, c.who, id, out);
      if (!done.ok()) {
        std::error_code ec;
        std::filesystem::remove(out, ec);  // only when still empty
        return done.status();
      }
      extra = {{"export_dir", done->dir.string()}, {"reads", done->reads}, {"public_key", ctx.gov.public_key_hex()}};
    } else {
      return Status::NotFound("no records request action '", action.substr(0, 32),
                              "' (director-approve, approve, deny, fulfil)");
    }
    CUSTODIAN_ASSIGN_OR_RETURN(auto r, policy::GetRecordsRequest(ctx.gov, c.who, id));
    json j = RequestJson(r);
    if (!extra.empty()) j["export"] = extra;
    return Reply(c, j);
  });
}

}  // namespace custodian::server::internal
