// JSON for recognition results, shared by `read` (and later the HTTP API).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "custodian/core/status.h"
#include "custodian/vision/engine.h"

namespace custodian::app {

// OpenALPR-compatible result object for one image (confidence in percent), plus
// Custodian's fields (char_confidences, layout, country, detection_score, timings).
nlohmann::json RecognitionJson(const std::string& file, const vision::Recognition& rec, int topn);

// {"file": ..., "error": {"code": "invalid_argument", "message": ...}}
nlohmann::json ErrorJson(const std::string& file, const Status& status);

}  // namespace custodian::app
