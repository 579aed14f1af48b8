// custodian watch's pipeline on real files: the motion gate, a rendered drive-by clip
// (a sample scene approaching the camera between still frames, encoded MJPEG by OpenCV)
// read into one voted pass, and a folder of images with a corrupt one.
#include "custodian/watch/watch.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <string>
#include <vector>

#include "test_dirs.h"

namespace custodian::watch {
namespace {

namespace fs = std::filesystem;
const fs::path kSource = CUSTODIAN_SOURCE_DIR;
const TimePoint kT0 = FromUnixMillis(1'767'225'600'000);

vision::Image Solid(int w, int h, uint8_t v) {
  vision::Image img;
  img.width = w;
  img.height = h;
  img.pixels.assign(size_t(w) * h * 3, v);
  return img;
}

void Paint(vision::Image& img, int x0, int y0, int x1, int y1, uint8_t v) {
  for (int y = y0; y < y1; ++y) {
    for (int x = x0; x < x1; ++x) {
      for (int c = 0; c < 3; ++c) img.pixels[(size_t(y) * img.width + x) * 3 + c] = v;
    }
  }
}

TEST(MotionGate, TheFirstFrameMovesAStillFrameDoesNotAndAChangeDoes) {
  MotionGate gate;
  vision::Image a = Solid(640, 360, 80);
  EXPECT_TRUE(gate.Moved(vision::View(a)));
  EXPECT_FALSE(gate.Moved(vision::View(a)));
  EXPECT_DOUBLE_EQ(gate.last_share(), 0.0);
  vision::Image b = a;
  Paint(b, 300, 150, 360, 200, 200);  // a small object appears
  EXPECT_TRUE(gate.Moved(vision::View(b)));
  EXPECT_GT(gate.last_share(), 0.002);
  EXPECT_FALSE(gate.Moved(vision::View(b)));
}

TEST(MotionGate, MovementOutsideTheRegionOfInterestIsIgnored) {
  MotionGate gate({.region = {{0, 0}, {320, 0}, {320, 360}, {0, 360}}});  // the left half
  vision::Image a = Solid(640, 360, 80);
  EXPECT_TRUE(gate.Moved(vision::View(a)));
  vision::Image right = a;
  Paint(right, 400, 100, 600, 300, 220);
  EXPECT_FALSE(gate.Moved(vision::View(right)));
  vision::Image left = right;
  Paint(left, 50, 100, 250, 300, 220);
  EXPECT_TRUE(gate.Moved(vision::View(left)));
}

TEST(MotionGate, SensorNoiseBelowThePixelThresholdIsNotMotion) {
  MotionGate gate;
  cv::Mat noise(360, 640, CV_8UC3);
  cv::randu(noise, cv::Scalar::all(100), cv::Scalar::all(104));
  vision::Image a = Solid(640, 360, 0), b = Solid(640, 360, 0);
  std::memcpy(a.pixels.data(), noise.data, a.pixels.size());
  cv::randu(noise, cv::Scalar::all(100), cv::Scalar::all(104));
  std::memcpy(b.pixels.data(), noise.data, b.pixels.size());
  EXPECT_TRUE(gate.Moved(vision::View(a)));
  EXPECT_FALSE(gate.Moved(vision::View(b)));
}

TEST(OpenSource, AMissingPathIsNotFoundAndAFileThatIsNoVideoIsRefused) {
  const fs::path dir = FreshTestDir("custodian_watch_source");
  EXPECT_EQ(OpenSource((dir / "nope.mp4").string(), {.clock = &SystemClock::Default()}).status().code(),
            StatusCode::kNotFound);
  std::ofstream(dir / "junk.mp4") << "this is not a video";
  EXPECT_EQ(OpenSource((dir / "junk.mp4").string(), {.clock = &SystemClock::Default()}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenSource(dir.string(), {}).status().code(), StatusCode::kInvalidArgument) << "no clock";
  fs::remove_all(dir);
}

class WatchClip : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("custodian_watch_clip");
    auto engine = vision::Engine::Open({.model_dir = kSource / "models", .country = "us"});
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = *engine;
    auto session = engine_->NewSession();
    ASSERT_TRUE(session.ok()) << session.status().ToString();
    session_ = std::move(*session);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A drive-by at 1280x720, 10 frames a second (RenderClip): still road with sensor noise,
  // the sample scene coming closer (scaled from 0.7 to 1.0 about its plate, 6 px a frame
  // down) for `moving` frames, still road again.
  fs::path RenderDriveBy(int moving) {
    const fs::path path = dir_ / "driveby.avi";
    Status st = RenderClip({.out = path.string(),
                            .fps = 10,
                            .frames = 8 + moving + 12,
                            .passes = {{.scene = (kSource / "samples" / "sample_00_us_ca.jpg").string(),
                                        .plate_x = 767 + 139 / 2.f,
                                        .plate_y = 544 + 74 / 2.f,
                                        .start = 8,
                                        .frames = moving,
                                        .dy_per_frame = 6}}});
    EXPECT_TRUE(st.ok()) << st.ToString();
    return path;
  }

  fs::path dir_;
  std::shared_ptr<const vision::Engine> engine_;
  std::unique_ptr<vision::Session> session_;
};

TEST_F(WatchClip, ADriveByIsOneVotedPassAndStillFramesSkipTheEngine) {
  const fs::path clip = RenderDriveBy(12);
  FakeClock clock(kT0);
  auto source = OpenSource(clip.string(), {.clock = &clock, .start = kT0});
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_NEAR((*source)->fps(), 10, 0.01);
  std::vector<vision::Pass> passes;
  std::vector<int> best_widths;
  auto summary = watch::Run(**source, *session_, {.tracker = {.end_after = std::chrono::milliseconds(500), .min_frames = 2}},
                     [&](const vision::Pass& p, const vision::Image& frame) {
                       passes.push_back(p);
                       best_widths.push_back(frame.width);
                     });
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->frames, 8 + 12 + 12);
  EXPECT_LT(summary->analysed, summary->frames) << "the still road is not analysed";
  EXPECT_GE(summary->analysed, 12);
  ASSERT_EQ(passes.size(), 1u);
  const vision::Pass& p = passes[0];
  EXPECT_EQ(p.voted.text, "7VTR735");
  EXPECT_GE(p.voted.frames, 8);
  EXPECT_EQ(p.direction, vision::Direction::kDown);
  // Times come from the clip's positions after the injected start time.
  EXPECT_GE(p.first_seen, kT0 + std::chrono::milliseconds(700));
  EXPECT_LE(p.last_seen, kT0 + std::chrono::milliseconds(2000));
  EXPECT_EQ(best_widths[0], 1280) << "the pass comes with the frame of its best sighting";
}

TEST_F(WatchClip, RenderClipRefusesAMissingSceneAndAnUnwritableFile) {
  EXPECT_EQ(RenderClip({.out = (dir_ / "x.avi").string(), .passes = {{.scene = (dir_ / "none.jpg").string()}}}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RenderClip({.out = (dir_ / "no" / "such" / "x.avi").string()}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RenderClip({.out = (dir_ / "x.avi").string(), .frames = 0}).code(), StatusCode::kInvalidArgument);
}

TEST_F(WatchClip, AFolderOfImagesIsReadInNameOrderAndACorruptImageIsSkipped) {
  const fs::path frames = dir_ / "frames";
  fs::create_directories(frames);
  const cv::Mat scene = cv::imread((kSource / "samples" / "sample_00_us_ca.jpg").string());
  for (int i = 0; i < 4; ++i) {
    cv::Mat shifted;
    cv::Mat m = (cv::Mat_<double>(2, 3) << 1, 0, 0, 0, 1, 8.0 * i);
    cv::warpAffine(scene, shifted, m, scene.size());
    cv::imwrite((frames / ("f" + std::to_string(i) + ".jpg")).string(), shifted);
  }
  std::ofstream(frames / "f2b.jpg") << "truncated";  // between f2 and f3 by name
  FakeClock clock(kT0);
  auto source = OpenSource(frames.string(), {.clock = &clock, .start = kT0, .folder_fps = 5});
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  std::vector<vision::Pass> passes;
  auto summary = watch::Run(**source, *session_, {.tracker = {.min_frames = 2}},
                     [&](const vision::Pass& p, const vision::Image&) { passes.push_back(p); });
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->frames, 5);
  EXPECT_EQ(summary->bad_frames, 1);
  ASSERT_EQ(passes.size(), 1u);
  EXPECT_EQ(passes[0].voted.text, "7VTR735");
  EXPECT_EQ(passes[0].first_seen, kT0);
  EXPECT_EQ(passes[0].last_seen, kT0 + std::chrono::milliseconds(800)) << "f3 is the fifth name at 5 frames/s";
}

TEST_F(WatchClip, MaxFpsSkipsFramesByTheirCaptureTimes) {
  const fs::path frames = dir_ / "frames";
  fs::create_directories(frames);
  for (int i = 0; i < 5; ++i) {
    cv::Mat grey(120, 160, CV_8UC3, cv::Scalar(40 * i, 40 * i, 40 * i));
    cv::imwrite((frames / ("f" + std::to_string(i) + ".png")).string(), grey);
  }
  FakeClock clock(kT0);
  auto source = OpenSource(frames.string(), {.clock = &clock, .start = kT0, .folder_fps = 25});  // 0, 40, 80, 120, 160 ms
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  auto summary = watch::Run(**source, *session_, {.max_fps = 10}, [](const vision::Pass&, const vision::Image&) {});
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->frames, 5);
  EXPECT_EQ(summary->capped, 3) << "kept 0 and 120 ms";
  EXPECT_EQ(summary->analysed, 2);
}

TEST_F(WatchClip, AFileReadAgainGivesTheSameTimesSoThePassesKeepTheirEventIds) {
  const fs::path clip = RenderDriveBy(12);
  // Two runs at different wall-clock times: a restart after a kill re-reads the file.
  std::vector<std::string> ids[2];
  for (int run = 0; run < 2; ++run) {
    FakeClock clock(kT0 + std::chrono::hours(run));
    auto source = OpenSource(clip.string(), {.clock = &clock});
    ASSERT_TRUE(source.ok()) << source.status().ToString();
    auto summary = watch::Run(**source, *session_, {.tracker = {.min_frames = 2}},
                              [&](const vision::Pass& p, const vision::Image& frame) {
                                auto read = ReadOfPass(p, frame, "cam1");
                                ASSERT_TRUE(read.ok()) << read.status().ToString();
                                ids[run].push_back(read->event_id);
                              });
    ASSERT_TRUE(summary.ok());
  }
  ASSERT_EQ(ids[0].size(), 1u);
  EXPECT_EQ(ids[0], ids[1]);
  const auto mtime = std::chrono::time_point_cast<std::chrono::milliseconds>(
      std::chrono::file_clock::to_sys(fs::last_write_time(clip)));
  EXPECT_EQ(ids[0][0].rfind("cam1-" + std::to_string(ToUnixMillis(mtime) + 800), 0), 0u)
      << ids[0][0] << ": first seen 0.8 s after the file's time";
}

}  // namespace
}  // namespace custodian::watch
