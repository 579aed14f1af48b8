#include "plate_json.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "custodian/vision/engine.h"

namespace custodian {
namespace {

vision::Recognition OnePlate() {
  vision::Recognition rec;
  rec.image_width = 1280;
  rec.image_height = 720;
  rec.timings = {20.5, 4.25, 24.75};
  vision::PlateRead p;
  p.text = "7ABC123";
  p.confidence = 0.9512f;
  p.char_confidences = {0.99f, 0.98f, 0.97f, 0.96f, 0.95f, 0.94f, 0.9f};
  p.candidates = {{"7ABC123", 0.9512f, true}, {"7A8C123", 0.41f, true}};
  p.corners = {vision::Point{10, 20}, {110, 22}, {109.6f, 71}, {9, 69.4f}};
  p.detection_score = 0.875f;
  p.country = "us";
  p.layout = "NLLLNNN";
  rec.plates.push_back(p);
  return rec;
}

// The fields tools written for OpenALPR's `alpr -j` read must keep their names and units.
TEST(PlateJson, KeepsOpenAlprFields) {
  nlohmann::json j = app::RecognitionJson("car.jpg", OnePlate(), 10);
  EXPECT_EQ(j["img_width"], 1280);
  EXPECT_DOUBLE_EQ(j["processing_time_ms"].get<double>(), 24.75);
  const auto& r = j["results"][0];
  EXPECT_EQ(r["plate"], "7ABC123");
  EXPECT_NEAR(r["confidence"].get<double>(), 95.12, 1e-9);  // percent, as OpenALPR
  EXPECT_EQ(r["matches_template"], 1);
  EXPECT_EQ(r["region"], "us");  // no state read: the country profile
  EXPECT_EQ(r["region_confidence"], 100);
  EXPECT_EQ(r["country"], "us");
  ASSERT_EQ(r["coordinates"].size(), 4u);
  EXPECT_EQ(r["coordinates"][2]["x"], 110);
  EXPECT_EQ(r["coordinates"][3]["y"], 69);
  ASSERT_EQ(r["candidates"].size(), 2u);
  EXPECT_EQ(r["candidates"][1]["plate"], "7A8C123");
  EXPECT_NEAR(r["candidates"][1]["confidence"].get<double>(), 41.0, 1e-4);
  EXPECT_EQ(r["char_confidences"].size(), 7u);
}

// Where the engine read the state printed on the plate, `region` is that state, as in
// OpenALPR's output, with its confidence in percent.
TEST(PlateJson, RegionIsTheStateWhereOneWasRead) {
  vision::Recognition rec = OnePlate();
  rec.plates[0].region = "ca";
  rec.plates[0].region_confidence = 0.875f;
  const nlohmann::json j = app::RecognitionJson("car.jpg", rec, 10);
  const auto& r = j["results"][0];
  EXPECT_EQ(r["region"], "ca");
  EXPECT_NEAR(r["region_confidence"].get<double>(), 87.5, 1e-9);
  EXPECT_EQ(r["country"], "us");
}

TEST(PlateJson, ErrorsCarryStableCodes) {
  nlohmann::json j = app::ErrorJson("x.jpg", Status::InvalidArgument("empty file"));
  EXPECT_EQ(j["error"]["code"], "invalid_argument");
  EXPECT_EQ(j["error"]["message"], "empty file");
}

TEST(BoxFit, MissingFileIsIdentityAndBadFileIsAnError) {
  auto none = vision::LoadBoxFit("/nonexistent/detector.json");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->width[0], 1.f);
  EXPECT_EQ(none->height[1], 0.f);
  auto path = std::filesystem::temp_directory_path() / ("boxfit_" + std::to_string(::getpid()) + ".json");
  std::ofstream(path) << R"({"width_fit": [0.75, 2.3], "height_fit": [0.48]})";
  auto bad = vision::LoadBoxFit(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  std::ofstream(path) << R"({"width_fit": [0.75, 2.3], "height_fit": [0.48, 1.3]})";
  auto good = vision::LoadBoxFit(path);
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_FLOAT_EQ(good->height[1], 1.3f);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace custodian
