// custodian watch's config file: a good file parsed whole, and each mistake an operator
// makes named by file and field.
#include "custodian/watch/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "test_dirs.h"

namespace custodian::watch {
namespace {

const char* kGood = R"({
  "server": "https://alpr.city.gov:8443",
  "ca": "/etc/custodian/server-cert.pem",
  "outbox_dir": "/var/lib/custodian-watch",
  "end_after_ms": 2000,
  "cameras": [
    {"id": "cam-main-3rd", "source": "rtsp://10.0.0.21/stream1", "key_file": "/etc/custodian/cam-main-3rd.key",
     "region": [{"x": 0, "y": 300}, {"x": 1280, "y": 300}, {"x": 1280, "y": 720}, {"x": 0, "y": 720}],
     "country": "us", "max_fps": 15, "directions": {"up": "northbound", "down": "southbound"}},
    {"id": "cam-garage", "source": "/var/spool/garage", "key_file": "/etc/custodian/cam-garage.key"}
  ]
})";

// The error for `text` (or "ok").
std::string ErrorOf(const std::string& text) {
  auto c = ParseWatchConfig(text, "watch.json");
  if (c.ok()) return "ok";
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument) << c.status().ToString();
  return c.status().message();
}

TEST(WatchConfig, AGoodFileIsReadWhole) {
  auto c = ParseWatchConfig(kGood, "watch.json");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->server, "https://alpr.city.gov:8443");
  EXPECT_EQ(c->ca, "/etc/custodian/server-cert.pem");
  EXPECT_EQ(c->outbox_dir, "/var/lib/custodian-watch");
  EXPECT_EQ(c->end_after_ms, 2000);
  ASSERT_EQ(c->cameras.size(), 2u);
  const CameraConfig& a = c->cameras[0];
  EXPECT_EQ(a.id, "cam-main-3rd");
  EXPECT_EQ(a.source, "rtsp://10.0.0.21/stream1");
  ASSERT_EQ(a.region.size(), 4u);
  EXPECT_FLOAT_EQ(a.region[2].x, 1280);
  EXPECT_FLOAT_EQ(a.region[2].y, 720);
  EXPECT_EQ(a.country, "us");
  EXPECT_DOUBLE_EQ(a.max_fps, 15);
  EXPECT_EQ(a.up, "northbound");
  EXPECT_EQ(a.down, "southbound");
  EXPECT_EQ(a.left, "");
  const CameraConfig& b = c->cameras[1];
  EXPECT_TRUE(b.region.empty());
  EXPECT_EQ(b.country, "auto");
  EXPECT_DOUBLE_EQ(b.max_fps, 0);
}

TEST(WatchConfig, EachMistakeIsNamedByFileAndField) {
  EXPECT_EQ(ErrorOf("{not json"), "watch.json: not valid JSON");
  EXPECT_EQ(ErrorOf("[]"), "watch.json: must be a JSON object");
  EXPECT_EQ(ErrorOf(R"({"db": "sqlite:///x.db"})"), "watch.json: cameras: must be an array of at least one camera");
  EXPECT_EQ(ErrorOf(R"({"cameras": [{"id": "a", "source": "x"}]})"),
            "watch.json: name exactly one destination: \"server\" (https://...) or \"db\" (a store URL)");
  EXPECT_EQ(ErrorOf(R"({"server": "http://x", "db": "y", "cameras": []})"),
            "watch.json: name exactly one destination: \"server\" (https://...) or \"db\" (a store URL)");
  EXPECT_EQ(ErrorOf(R"({"server": "http://x", "cameras": [{"id": "a", "source": "x", "key_file": "k"}]})"),
            "watch.json: server: must be an https:// URL");
  EXPECT_EQ(ErrorOf(R"({"db": "d", "cameras": [{"source": "x"}]})"), "watch.json: cameras[0].id: is required");
  EXPECT_EQ(ErrorOf(R"({"db": "d", "cameras": [{"id": "a", "source": 7}]})"),
            "watch.json: cameras[0].source: must be a string");
  EXPECT_EQ(ErrorOf(R"({"server": "https://s", "cameras": [{"id": "a", "source": "x"}]})"),
            "watch.json: cameras[0].key_file: is required with a server: the camera's API key");
  EXPECT_EQ(ErrorOf(R"({"db": "d", "cameras": [{"id": "a", "source": "x"}, {"id": "a", "source": "y"}]})"),
            "watch.json: cameras[1].id: 'a' names another camera too");
  EXPECT_EQ(ErrorOf(R"({"db": "d", "cameras": [{"id": "a", "source": "x", "region": [{"x": 1, "y": 1}]}]})"),
            "watch.json: cameras[0].region: must be an array of 3 to 64 points");
  EXPECT_EQ(ErrorOf(R"({"db": "d", "cameras": [{"id": "a", "source": "x",
                        "region": [{"x": 1, "y": 1}, {"x": 2, "y": 1}, {"x": "3", "y": 1}]}]})"),
            "watch.json: cameras[0].region[2].x: must be a number");
  EXPECT_EQ(ErrorOf(R"({"db": "d", "cameras": [{"id": "a", "source": "x", "max_fps": 1000}]})"),
            "watch.json: cameras[0].max_fps: must be from 0 to 240");
  EXPECT_EQ(ErrorOf(R"({"db": "d", "cameras": [{"id": "a", "source": "x", "directions": {"north": "n"}}]})"),
            "watch.json: cameras[0].directions: unknown field 'north'");
  EXPECT_EQ(ErrorOf(R"({"db": "d", "camera": []})"), "watch.json: unknown field 'camera'") << "a misspelt key";
}

TEST(WatchConfig, HostileTextIsRefusedNotTruncatedSilently) {
  const std::string long_id(200, 'x');
  EXPECT_EQ(ErrorOf(R"({"db": "d", "cameras": [{"id": ")" + long_id + R"(", "source": "x"}]})"),
            "watch.json: cameras[0].id: is longer than 128 bytes");
  const std::string long_key(500, 'k');
  EXPECT_EQ(ErrorOf(R"({"db": "d", ")" + long_key + R"(": 1})").substr(0, 37), "watch.json: unknown field 'kkkkkkkkkk");
}

TEST(WatchConfig, DirectionLabelsComeFromTheCamera) {
  auto c = ParseWatchConfig(kGood, "watch.json");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(DirectionLabel(c->cameras[0], vision::Direction::kUp), "northbound");
  EXPECT_EQ(DirectionLabel(c->cameras[0], vision::Direction::kDown), "southbound");
  EXPECT_EQ(DirectionLabel(c->cameras[0], vision::Direction::kLeft), "");
  EXPECT_EQ(DirectionLabel(c->cameras[0], vision::Direction::kNone), "");
}

TEST(WatchConfig, LoadReadsTheFileAndAMissingOneIsNotFound) {
  const auto dir = FreshTestDir("custodian_watch_config");
  EXPECT_EQ(LoadWatchConfig(dir / "none.json").status().code(), StatusCode::kNotFound);
  std::ofstream(dir / "watch.json") << kGood;
  auto c = LoadWatchConfig(dir / "watch.json");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->cameras.size(), 2u);
  std::ofstream(dir / "bad.json") << R"({"db": "d", "cameras": [{"id": 1}]})";
  auto bad = LoadWatchConfig(dir / "bad.json");
  EXPECT_EQ(bad.status().message(), (dir / "bad.json").string() + ": cameras[0].id: must be a string");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace custodian::watch
