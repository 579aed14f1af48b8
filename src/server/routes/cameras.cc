// Cameras, agencies and camera API keys.
#include "server/routes/routes.h"

#include <optional>
#include <string>

#include "custodian/core/utc_time.h"
#include "custodian/policy/api_keys.h"
#include "custodian/policy/governed_ops.h"
#include "server/domain_json.h"

namespace custodian::server::internal {

void RegisterCamerasRoutes(ServerContext& ctx) {
  ctx.Add("GET", "/api/v1/cameras", "user", policy::ops::kViewCameras, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto cams, policy::ListCameras(ctx.gov, c.who));
    json out = json::array();
    for (const auto& cam : cams) {
      json j = {{"id", cam.id}, {"name", cam.name}, {"kind", std::string(store::CameraKindName(cam.kind))},
                {"agency_code", cam.agency_code}, {"data_class", std::string(store::DataClassName(cam.data_class))}};
      if (cam.location) j["location"] = {{"lat", cam.location->lat}, {"lon", cam.location->lon}};
      if (cam.heading_deg) j["heading"] = *cam.heading_deg;
      out.push_back(j);
    }
    return Reply(c, {{"cameras", out}});
  });
  ctx.Add("POST", "/api/v1/agencies", "user", policy::ops::kManageCameras, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    store::Agency a;
    CUSTODIAN_RETURN_IF_ERROR(ReadStrs(b, {{"code", &a.code, true, 128},
                                           {"name", &a.name, true, 256},
                                           {"state", &a.state, true, 2},
                                           {"kind", &a.kind, true, 16}}));
    CUSTODIAN_RETURN_IF_ERROR(policy::PutAgency(ctx.gov, c.who, a));
    return Reply(c, {{"code", a.code}, {"state", a.state}, {"kind", a.kind}}, 201);
  });

  ctx.Add("POST", "/api/v1/cameras", "user", policy::ops::kManageCameras, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    store::Camera cam;
    std::string kind, cls;
    CUSTODIAN_RETURN_IF_ERROR(
        ReadStrs(b, {{"id", &cam.id, true, 128}, {"name", &cam.name, true, 256}, {"kind", &kind, false, 16}}));
    if (!kind.empty()) {
      CUSTODIAN_ASSIGN_OR_RETURN(cam.kind, store::ParseCameraKind(kind));
    }
    CUSTODIAN_RETURN_IF_ERROR(ReadStrs(b, {{"data_class", &cls, false, 32}}));
    if (!cls.empty()) {
      CUSTODIAN_ASSIGN_OR_RETURN(cam.data_class, store::ParseDataClass(cls));
    }
    CUSTODIAN_RETURN_IF_ERROR(ReadStrs(b, {{"agency_code", &cam.agency_code, false, 128}}));
    if (cam.agency_code.empty()) cam.agency_code = c.who.agency_code;
    if (b.contains("lat") && b.contains("lon")) {
      CUSTODIAN_ASSIGN_OR_RETURN(double lat, Number(b, "lat"));
      CUSTODIAN_ASSIGN_OR_RETURN(double lon, Number(b, "lon"));
      cam.location = store::GeoPoint{lat, lon};
    }
    if (b.contains("heading")) {
      CUSTODIAN_ASSIGN_OR_RETURN(double heading, Number(b, "heading"));
      cam.heading_deg = heading;
    }
    CUSTODIAN_RETURN_IF_ERROR(policy::PutCamera(ctx.gov, c.who, cam));
    return Reply(c, {{"id", cam.id}}, 201);
  });
  ctx.Add("POST", "/api/v1/cameras/{id}/keys", "user", policy::ops::kManageCameras, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(json body, OptionalBody(c.req.body));
    CUSTODIAN_ASSIGN_OR_RETURN(std::string name, Str(body, "name", false, 128));
    std::optional<TimePoint> expires;
    if (body.contains("expires") && !body["expires"].is_null()) {
      CUSTODIAN_ASSIGN_OR_RETURN(TimePoint t, TimeField(body, "expires"));
      expires = t;
    }
    CUSTODIAN_ASSIGN_OR_RETURN(auto k,
                               policy::CreateApiKey(ctx.gov, c.who, c.PathString(), name.empty() ? "camera" : name, expires));
    return Reply(c, {{"id", k.id}, {"camera_id", k.camera_id}, {"key", k.secret}, {"expires_at", OptIso(k.expires_at)}},
                 201);
  });
  ctx.Add("GET", "/api/v1/keys", "user", policy::ops::kManageCameras, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto keys, policy::ListApiKeys(ctx.gov, c.who));
    json out = json::array();
    for (const auto& k : keys) {
      out.push_back({{"id", k.id}, {"name", k.name}, {"camera_id", k.camera_id}, {"scope", k.scope},
                     {"created_by", k.created_by}, {"created_at", FormatUtcTime(k.created_at)},
                     {"revoked", k.revoked_at.has_value()}, {"expires_at", OptIso(k.expires_at)}});
    }
    return Reply(c, {{"keys", out}});
  });
  ctx.Add("DELETE", "/api/v1/keys/{id}", "user", policy::ops::kManageCameras, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, c.PathId());
    CUSTODIAN_RETURN_IF_ERROR(policy::RevokeApiKey(ctx.gov, c.who, id));
    return Reply(c, {{"revoked", id}});
  });
}

}  // namespace custodian::server::internal
