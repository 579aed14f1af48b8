// Ingest: batches of reads from a camera, authenticated by the camera's API key.
#include "server/routes/routes.h"

#include <vector>

#include "custodian/policy/api_keys.h"

namespace custodian::server::internal {

void RegisterIngestRoutes(ServerContext& ctx) {
  ctx.Add("POST", "/api/v1/reads", "device", "", [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    if (!b.contains("reads") || !b["reads"].is_array()) return Status::InvalidArgument("reads is an array");
    if (b["reads"].size() > ctx.options.max_ingest_batch) {
      return Status::InvalidArgument("at most ", ctx.options.max_ingest_batch, " reads per request");
    }
    std::vector<store::ReadInput> batch;
    batch.reserve(b["reads"].size());
    size_t i = 0;
    for (const auto& j : b["reads"]) {
      auto at = [&](const Status& st) { return Status(st.code(), "reads[" + std::to_string(i) + "]: " + st.message()); };
      if (!j.is_object()) return at(Status::InvalidArgument("a read is a JSON object"));
      store::ReadInput r;
      auto ev = Str(j, "event_id", false, 128);
      if (!ev.ok()) return at(ev.status());
      r.event_id = *ev;
      auto cam = Str(j, "camera_id", false, 128);
      if (!cam.ok()) return at(cam.status());
      if (!cam->empty() && *cam != c.device.camera_id) {
        return at(Status::PermissionDenied("this API key ingests for camera ", c.device.camera_id, " only"));
      }
      r.camera_id = c.device.camera_id;
      auto t = TimeField(j, "captured_at");
      if (!t.ok()) return at(t.status());
      r.captured_at = *t;
      auto plate = Str(j, "plate", true, 64);
      if (!plate.ok()) return at(plate.status());
      r.plate = *plate;
      if (!j.contains("confidence") || !j["confidence"].is_number()) return at(Status::InvalidArgument("confidence is a number"));
      r.confidence = j["confidence"].get<float>();
      auto country = Str(j, "country", false, 8);
      if (!country.ok()) return at(country.status());
      r.country = *country;
      auto region = Str(j, "region", false, 16);
      if (!region.ok()) return at(region.status());
      r.region = *region;
      if (j.contains("candidates") && !j["candidates"].is_null()) {
        if (!j["candidates"].is_array()) return at(Status::InvalidArgument("field 'candidates' must be an array"));
        for (const auto& cand : j["candidates"]) {
          if (!cand.is_object()) return at(Status::InvalidArgument("field 'candidates' holds objects"));
          auto plate_c = Str(cand, "plate", true, 64);
          if (!plate_c.ok()) return at(Status::InvalidArgument("candidates: ", plate_c.status().message()));
          auto conf = Number(cand, "confidence");
          if (!conf.ok()) return at(Status::InvalidArgument("candidates: ", conf.status().message()));
          r.candidates.push_back({*plate_c, float(*conf)});
        }
      }
      if (j.contains("box") && !j["box"].is_null()) {
        const json& bx = j["box"];
        if (!bx.is_object()) return at(Status::InvalidArgument("field 'box' must be an object"));
        int64_t v[4] = {0, 0, 0, 0};
        const char* keys[4] = {"x", "y", "width", "height"};
        for (int k = 0; k < 4; ++k) {
          auto n = Integer(bx, keys[k], 0, 0, 1'000'000);
          if (!n.ok()) return at(Status::InvalidArgument("box: ", n.status().message()));
          v[k] = *n;
        }
        r.box = store::Box{int(v[0]), int(v[1]), int(v[2]), int(v[3])};
      }
      if (j.contains("location") && !j["location"].is_null()) {
        const json& loc = j["location"];
        if (!loc.is_object()) return at(Status::InvalidArgument("field 'location' must be an object"));
        auto lat = Number(loc, "lat");
        auto lon = Number(loc, "lon");
        if (!lat.ok() || !lon.ok()) return at(Status::InvalidArgument("location: ", (!lat.ok() ? lat : lon).status().message()));
        r.location = store::GeoPoint{*lat, *lon};
      }
      auto crop = Base64Field(j, "plate_crop");
      if (!crop.ok()) return at(crop.status());
      r.plate_crop = std::move(*crop);
      auto frame = Base64Field(j, "frame");
      if (!frame.ok()) return at(frame.status());
      r.frame = std::move(*frame);
      batch.push_back(std::move(r));
      ++i;
    }
    CUSTODIAN_ASSIGN_OR_RETURN(auto results, policy::IngestFromDevice(ctx.gov, c.device, batch));
    json out = json::array();
    int64_t alerts = 0;
    for (size_t k = 0; k < results.size(); ++k) {
      out.push_back({{"event_id", batch[k].event_id}, {"id", results[k].read_id}, {"duplicate", results[k].duplicate},
                     {"alerts", results[k].alerts}});
      alerts += results[k].alerts;
    }
    ctx.metrics.reads_ingested += int64_t(results.size());
    if (alerts) {
      ctx.metrics.alerts_raised += alerts;
      ctx.streams.AlertsChanged();
    }
    c.Json({{"results", out}}, 201);
    return Status::Ok();
  });
}

}  // namespace custodian::server::internal
