// The declared plate-data actions (see plate_data_actions.h).
#include "custodian/policy/plate_data_actions.h"

#include <algorithm>
#include <string>

#include <nlohmann/json.hpp>

namespace custodian::policy {

const PlateDataAction* PlateDataActionOf(std::string_view action) {
  for (const auto& a : kPlateDataActions) {
    if (a.action == action) return &a;
  }
  return nullptr;
}

bool IsPlateDataAction(std::string_view action) {
  if (action.empty()) return false;
  return std::any_of(std::begin(kPlateDataActions), std::end(kPlateDataActions),
                     [&](const PlateDataAction& a) { return a.action == action || a.gate == action; });
}

bool TermsNamePlateData(std::string_view terms_json) {
  const auto t = nlohmann::json::parse(terms_json, nullptr, false);
  if (!t.is_object()) return false;
  for (const char* k : {"plate", "plates", "read_id", "read_ids", "alert_ids", "old_plate"}) {
    if (t.contains(k)) return true;
  }
  return false;
}

Status CheckPlateDataDeclared(std::string_view action, std::string_view outcome, std::string_view terms_json) {
  if (outcome != "allowed" || PlateDataActionOf(action) != nullptr) return Status::Ok();
  if (std::find(std::begin(kActionsNamingPlates), std::end(kActionsNamingPlates), action) !=
      std::end(kActionsNamingPlates)) {
    return Status::Ok();
  }
  if (!TermsNamePlateData(terms_json)) return Status::Ok();
  return Status::Internal("access-log action '", std::string(action).substr(0, 64),
                          "' releases plate data but is not declared in policy/plate_data_actions.h; "
                          "nothing was released");
}

}  // namespace custodian::policy
