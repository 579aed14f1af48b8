// The JSON of a hotlist alert. Internal.
#pragma once

#include <nlohmann/json.hpp>

#include "custodian/store/hotlists.h"

namespace custodian::server::internal {

nlohmann::json AlertJson(const store::Alert& alert);

}  // namespace custodian::server::internal
