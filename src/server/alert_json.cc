// The JSON of a hotlist alert, as the API, the live stream and webhooks send it.
#include "server/alert_json.h"

#include "custodian/core/utc_time.h"

namespace custodian::server::internal {

using json = nlohmann::json;

json AlertJson(const store::Alert& a) {
  json j = {{"id", a.id},
            {"state", std::string(store::AlertStateName(a.state))},
            {"read_id", a.read_id},
            {"captured_at", FormatUtcTime(a.captured_at)},
            {"read_plate", a.read_plate},
            {"read_region", a.read_region},
            {"camera_id", a.camera_id},
            {"hotlist", a.hotlist},
            {"category", std::string(store::HotlistCategoryName(a.category))},
            {"entry_plate", a.entry_plate},
            {"entry_state", a.entry_state},
            {"entry_reason", a.entry_reason},
            {"exact", a.exact},
            {"retroactive", a.retroactive},
            {"created_at", FormatUtcTime(a.created_at)},
            {"acknowledged_by", a.acknowledged_by},
            {"resolved_by", a.resolved_by},
            {"image_checked", a.image_checked},
            {"action", a.action}};
  if (a.acknowledged_at) j["acknowledged_at"] = FormatUtcTime(*a.acknowledged_at);
  if (a.resolved_at) j["resolved_at"] = FormatUtcTime(*a.resolved_at);
  return j;
}

}  // namespace custodian::server::internal
