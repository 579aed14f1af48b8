// Ingest: batches of reads from a camera, authenticated by the camera's API key.
#include "server/routes/routes.h"

#include <vector>

#include "custodian/policy/api_keys.h"
#include "custodian/store/read_json.h"

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
      auto r = store::ReadFromJson(j);
      if (!r.ok()) return at(r.status());
      if (!r->camera_id.empty() && r->camera_id != c.device.camera_id) {
        return at(Status::PermissionDenied("this API key ingests for camera ", c.device.camera_id, " only"));
      }
      r->camera_id = c.device.camera_id;
      batch.push_back(std::move(*r));
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
