#include "plate_json.h"

#include <chrono>
#include <cmath>

namespace custodian::app {
namespace {
double Round(double v, double unit) { return std::round(v / unit) * unit; }
}  // namespace

nlohmann::json RecognitionJson(const std::string& file, const vision::Recognition& rec, int topn) {
  using nlohmann::json;
  json results = json::array();
  int index = 0;
  for (const auto& p : rec.plates) {
    json coords = json::array();
    for (const auto& c : p.corners) coords.push_back({{"x", int(std::lround(c.x))}, {"y", int(std::lround(c.y))}});
    json cands = json::array();
    for (const auto& c : p.candidates) {
      cands.push_back({{"plate", c.text}, {"confidence", Round(c.confidence * 100.0, 0.01)},
                       {"matches_template", c.matches_format ? 1 : 0}});
    }
    json chars = json::array();
    for (float c : p.char_confidences) chars.push_back(Round(c * 100.0, 0.01));
    results.push_back({{"plate", p.text},
                       {"confidence", Round(p.confidence * 100.0, 0.01)},
                       {"matches_template", p.layout.empty() ? 0 : 1},
                       {"plate_index", index++},
                       // OpenALPR's region is the state where it recognises one; ours too,
                       // else the country profile the reading fits.
                       {"region", p.region.empty() ? p.country : p.region},
                       {"region_confidence", !p.region.empty() ? Round(p.region_confidence * 100.0, 0.01)
                                             : p.country.empty() ? 0.0 : 100.0},
                       {"country", p.country},
                       {"layout", p.layout},
                       {"rows", p.rows},
                       {"requested_topn", topn},
                       {"detection_score", Round(p.detection_score * 100.0, 0.01)},
                       {"char_confidences", chars},
                       {"coordinates", coords},
                       {"candidates", cands}});
  }
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
  return {{"version", 2},
          {"data_type", "alpr_results"},
          {"file", file},
          {"epoch_time", now.count()},
          {"img_width", rec.image_width},
          {"img_height", rec.image_height},
          {"processing_time_ms", Round(rec.timings.total_ms, 0.001)},
          {"timings", {{"detect_ms", Round(rec.timings.detect_ms, 0.001)}, {"ocr_ms", Round(rec.timings.ocr_ms, 0.001)}}},
          {"regions_of_interest", json::array()},
          {"results", results}};
}

nlohmann::json ErrorJson(const std::string& file, const Status& status) {
  return {{"file", file},
          {"error", {{"code", std::string(StatusCodeName(status.code()))}, {"message", status.message()}}}};
}

}  // namespace custodian::app
