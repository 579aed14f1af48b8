// Engine tests on real image files: the project's own synthetic samples (samples/),
// and, where ../shared/data is present, the held-out validation images.
#include "custodian/vision/engine.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "eval_data.h"

namespace custodian::vision {
namespace {

namespace fs = std::filesystem;
const fs::path kSource = CUSTODIAN_SOURCE_DIR;

std::shared_ptr<const Engine> OpenEngine(const std::string& country = "auto") {
  auto engine = Engine::Open({.model_dir = kSource / "models", .country = country});
  EXPECT_TRUE(engine.ok()) << engine.status().ToString();
  return engine.ok() ? *engine : nullptr;
}

TEST(Engine, OpenNamesTheMissingModel) {
  auto engine = Engine::Open({.model_dir = "/nonexistent/models"});
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.status().code(), StatusCode::kNotFound);
  EXPECT_NE(engine.status().message().find("detector.onnx"), std::string::npos);
}

TEST(Engine, OpenRejectsBadOptions) {
  EXPECT_EQ(Engine::Open({.model_dir = kSource / "models", .detector_width = 100}).status().code(),
            StatusCode::kInvalidArgument);
  auto bad_country = Engine::Open({.model_dir = kSource / "models", .country = "zz"});
  ASSERT_FALSE(bad_country.ok());
  EXPECT_NE(bad_country.status().message().find("unknown country"), std::string::npos);
}

TEST(Engine, RejectsCorruptModelFile) {
  fs::path dir = fs::temp_directory_path() / "custodian_bad_models";
  fs::create_directories(dir);
  fs::copy_file(kSource / "models" / "plate_formats.json", dir / "plate_formats.json",
                fs::copy_options::overwrite_existing);
  std::ofstream(dir / "detector.onnx") << "not a model";
  std::ofstream(dir / "ocr.onnx") << "not a model";
  auto engine = Engine::Open({.model_dir = dir});
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.status().code(), StatusCode::kInvalidArgument);
  fs::remove_all(dir);
}

TEST(Engine, EmptyViewIsAnErrorNotAnEmptyResult) {
  auto engine = OpenEngine();
  ASSERT_TRUE(engine);
  auto session = engine->NewSession();
  ASSERT_TRUE(session.ok());
  auto r = (*session)->Recognize(ImageView{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST(Engine, BlankFrameHasNoPlates) {
  auto engine = OpenEngine();
  ASSERT_TRUE(engine);
  auto session = engine->NewSession();
  Image img{640, 480, std::vector<uint8_t>(640 * 480 * 3, 128)};
  auto r = (*session)->Recognize(View(img));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->plates.empty());
  EXPECT_EQ(r->image_width, 640);
}

// Reads the labelled sample scenes; returns (correct, total).
std::pair<int, int> ReadSamples(Session& session, const fs::path& dir) {
  auto items = app::LoadLabelledFolder(dir.string());
  EXPECT_TRUE(items.ok()) << items.status().ToString();
  int ok = 0, total = 0;
  for (const auto& li : *items) {
    auto img = ReadImageFile(li.path, {});
    EXPECT_TRUE(img.ok()) << li.path << ": " << img.status().ToString();
    if (!img.ok()) continue;
    auto r = li.has_box ? session.Recognize(View(*img)) : session.RecognizeCrop(View(*img));
    EXPECT_TRUE(r.ok());
    ++total;
    for (const auto& p : r->plates) {
      if (p.text == li.plate) {
        ++ok;
        // A correct read carries consistent details.
        EXPECT_EQ(p.char_confidences.size(), p.text.size());
        EXPECT_EQ(p.candidates.front().text, p.text);
        EXPECT_GT(p.confidence, 0.f);
        EXPECT_LE(p.confidence, 1.f);
        if (li.has_box) {
          float cx = (p.corners[0].x + p.corners[2].x) / 2, cy = (p.corners[0].y + p.corners[2].y) / 2;
          EXPECT_NEAR(cx, li.x + li.w / 2, li.w / 2) << li.path;
          EXPECT_NEAR(cy, li.y + li.h / 2, li.h) << li.path;
        }
        break;
      }
    }
  }
  return {ok, total};
}

TEST(Engine, ReadsTheProjectSamples) {
  auto engine = OpenEngine();
  ASSERT_TRUE(engine);
  auto session = engine->NewSession();
  ASSERT_TRUE(session.ok());
  auto [ok, total] = ReadSamples(**session, kSource / "samples");
  ASSERT_GE(total, 6);
  EXPECT_GE(ok, total * 3 / 4) << ok << " of " << total << " samples read exactly";
}

TEST(Engine, SessionsOnThreadsGiveIdenticalReads) {
  auto engine = OpenEngine();
  ASSERT_TRUE(engine);
  std::vector<Image> images;
  for (const auto& e : fs::directory_iterator(kSource / "samples")) {
    if (e.path().extension() == ".jpg") images.push_back(*ReadImageFile(e.path().string(), {}));
  }
  ASSERT_FALSE(images.empty());
  std::vector<std::vector<std::string>> texts(2);
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      auto session = engine->NewSession();
      for (int round = 0; round < 2; ++round) {
        for (const auto& img : images) {
          auto r = (*session)->Recognize(View(img));
          texts[size_t(t)].push_back(r.ok() && !r->plates.empty() ? r->plates[0].text : "<none>");
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(texts[0], texts[1]);
}

// The second opinion (models/text_rec.onnx) is optional, checked when present, and its
// weight is bounded.
TEST(Engine, SecondOpinionModelIsOptionalAndChecked) {
  EXPECT_EQ(Engine::Open({.model_dir = kSource / "models", .second_opinion_weight = -1}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Engine::Open({.model_dir = kSource / "models", .second_opinion_weight = 11}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Engine::Open({.model_dir = kSource / "models", .second_opinion_below = 1.5f}).status().code(),
            StatusCode::kInvalidArgument);
  fs::path dir = fs::temp_directory_path() / "custodian_models_no_text_rec";
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const char* f : {"detector.onnx", "ocr.onnx", "plate_formats.json", "detector.json"}) {
    fs::copy_file(kSource / "models" / f, dir / f);
  }
  auto without = Engine::Open({.model_dir = dir, .country = "us"});
  ASSERT_TRUE(without.ok()) << without.status().ToString();
  auto img = ReadImageFile(kSource / "samples" / "sample_00_us_ca.jpg", {});
  ASSERT_TRUE(img.ok());
  auto session = (*without)->NewSession();
  ASSERT_TRUE(session.ok());
  EXPECT_TRUE((*session)->Recognize(View(*img)).ok());
  std::ofstream(dir / "text_rec.onnx") << "not a model";
  auto corrupt = Engine::Open({.model_dir = dir, .country = "us"});
  ASSERT_FALSE(corrupt.ok());
  EXPECT_EQ(corrupt.status().code(), StatusCode::kInvalidArgument);
  // Weight 0 with the state reading off does not even load it; either one on does.
  EXPECT_TRUE(
      Engine::Open({.model_dir = dir, .country = "us", .second_opinion_weight = 0, .region_min_plate_px = 0}).ok());
  EXPECT_FALSE(Engine::Open({.model_dir = dir, .country = "us", .second_opinion_weight = 0}).ok());
  EXPECT_EQ(Engine::Open({.model_dir = kSource / "models", .region_min_plate_px = -1}).status().code(),
            StatusCode::kInvalidArgument);
  fs::remove_all(dir);
}

// A held-out crop the recognizer alone reads with M as H (194MJH, the truth second): the
// second opinion, which reads M, puts the truth first.
TEST(Engine, SecondOpinionSettlesAnUnsureLetter) {
  fs::path crop = kSource / ".." / "shared" / "data" / "openalpr-bench" / "plates" / "us" / "in1076.png";
  if (!fs::exists(crop)) GTEST_SKIP() << "no shared data at " << crop;
  auto img = ReadImageFile(crop, {});
  ASSERT_TRUE(img.ok());
  std::map<float, std::string> best, seen;
  for (float w : {0.f, 1.f}) {
    auto engine = Engine::Open({.model_dir = kSource / "models", .country = "us", .second_opinion_weight = w});
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    auto session = (*engine)->NewSession();
    ASSERT_TRUE(session.ok());
    auto r = (*session)->RecognizeCrop(View(*img));
    ASSERT_TRUE(r.ok());
    ASSERT_FALSE(r->plates.empty());
    best[w] = r->plates[0].text;
    for (size_t i = 0; i < r->plates[0].candidates.size() && i < 3; ++i) {
      seen[w] += r->plates[0].candidates[i].text + "=" + std::to_string(r->plates[0].candidates[i].confidence) + " ";
    }
  }
  EXPECT_EQ(best[0.f], "194MJH") << seen[0.f];
  EXPECT_EQ(best[1.f], "194MJM") << seen[1.f];
  std::cout << "weight 0: " << seen[0.f] << "\nweight 1: " << seen[1.f] << "\n";
}

// The gate in front of the extra looks: with plausible_char_probability 1 no first reading
// is plausible, so the unsure crop above gets neither the extra views nor the second
// opinion, and reads exactly as a one-view engine without a second opinion reads it.
TEST(Engine, ImplausibleReadingsGetNoSecondLook) {
  fs::path crop = kSource / ".." / "shared" / "data" / "openalpr-bench" / "plates" / "us" / "in1076.png";
  if (!fs::exists(crop)) GTEST_SKIP() << "no shared data at " << crop;
  auto img = ReadImageFile(crop, {});
  ASSERT_TRUE(img.ok());
  auto read = [&](EngineOptions options) -> std::vector<Candidate> {
    options.model_dir = kSource / "models";
    options.country = "us";
    auto engine = Engine::Open(options);
    EXPECT_TRUE(engine.ok()) << engine.status().ToString();
    if (!engine.ok()) return {};
    auto session = (*engine)->NewSession();
    auto r = (*session)->RecognizeCrop(View(*img));
    EXPECT_TRUE(r.ok() && !r->plates.empty());
    return r.ok() && !r->plates.empty() ? r->plates[0].candidates : std::vector<Candidate>{};
  };
  auto gated = read({.plausible_char_probability = 1.0f});
  auto plain = read({.ocr_views = 1, .second_opinion_weight = 0});
  auto views = read({.second_opinion_weight = 0});  // three views: 194MJH (test above)
  ASSERT_FALSE(gated.empty());
  ASSERT_EQ(gated.size(), plain.size());
  for (size_t i = 0; i < gated.size(); ++i) {
    EXPECT_EQ(gated[i].text, plain[i].text) << i;
    EXPECT_FLOAT_EQ(gated[i].confidence, plain[i].confidence) << i;
  }
  ASSERT_FALSE(views.empty());
  EXPECT_NE(gated[0].text, views[0].text) << "the extra views were read";
  EXPECT_FALSE(Engine::Open({.model_dir = kSource / "models", .plausible_char_probability = 1.5f}).ok());
}

// US vanity plates can be longer than any state's standard format: a real ten-character
// one (nc969, SWEETTHING) is read, not dropped for its length.
TEST(Engine, ReadsATenCharacterVanityPlate) {
  fs::path crop = kSource / ".." / "shared" / "data" / "openalpr-bench" / "plates" / "us" / "nc969.png";
  if (!fs::exists(crop)) GTEST_SKIP() << "no shared data at " << crop;
  auto img = ReadImageFile(crop, {});
  ASSERT_TRUE(img.ok());
  auto engine = OpenEngine("us");
  ASSERT_TRUE(engine);
  auto session = engine->NewSession();
  ASSERT_TRUE(session.ok());
  auto r = (*session)->RecognizeCrop(View(*img));
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->plates.empty());
  EXPECT_EQ(r->plates[0].text, "SWEETTHING");
}

// A two-row plate made from a real one-row plate: the plate of samples/sample_07_eu_nl.jpg
// (4UJA61, box 348,407 151x43) cut in two halves, the left stacked over the right, as on a
// square European plate. Read as two rows it gives the plate's text; as one row, not.
TEST(Engine, ReadsATwoRowPlate) {
  auto img = ReadImageFile(kSource / "samples" / "sample_07_eu_nl.jpg", {});
  ASSERT_TRUE(img.ok());
  const int x0 = 348, y0 = 407, w = 151, h = 43, half = 76;
  Image two{.width = half, .height = 2 * h, .pixels = std::vector<uint8_t>(size_t(half) * 2 * h * 3)};
  for (int row = 0; row < 2; ++row) {
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < half; ++x) {
        const int sx = std::min(x0 + row * (w - half) + x, x0 + (row == 0 ? half - 2 : w - 1));
        const uint8_t* src = img->pixels.data() + (size_t(y0 + y) * img->width + sx) * 3;
        std::copy(src, src + 3, two.pixels.data() + (size_t(row * h + y) * half + x) * 3);
      }
    }
  }
  std::map<float, PlateRead> best;
  for (float aspect : {0.f, 1.6f}) {
    auto engine = Engine::Open({.model_dir = kSource / "models", .country = "eu", .two_row_below_aspect = aspect});
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    auto session = (*engine)->NewSession();
    ASSERT_TRUE(session.ok());
    auto r = (*session)->RecognizeCrop(View(two));
    ASSERT_TRUE(r.ok());
    best[aspect] = r->plates.empty() ? PlateRead{} : r->plates[0];
  }
  EXPECT_EQ(best[1.6f].text, "4UJA61");
  EXPECT_EQ(best[1.6f].rows, 2);
  EXPECT_NE(best[0.f].text, "4UJA61") << "one-row reading of a two-row plate";
  EXPECT_EQ(best[0.f].rows, 1);
  EXPECT_EQ(Engine::Open({.model_dir = kSource / "models", .two_row_below_aspect = -1}).status().code(),
            StatusCode::kInvalidArgument);
}

// Real US plate crops (every fourth of the benchmark development set) must read well.
TEST(Engine, ReadsRealUsPlateCrops) {
  fs::path dir = kSource / ".." / "shared" / "data" / "openalpr-bench" / "plates" / "us";
  if (!fs::exists(dir / "labels.csv")) GTEST_SKIP() << "no shared data at " << dir;
  auto engine = OpenEngine("us");
  ASSERT_TRUE(engine);
  auto session = engine->NewSession();
  auto items = app::LoadLabelledFolder(dir.string());
  ASSERT_TRUE(items.ok());
  int ok = 0, n = 0;
  for (size_t i = 0; i < items->size(); i += 4) {  // a quarter of the set keeps the test short
    auto img = ReadImageFile((*items)[i].path, {});
    ASSERT_TRUE(img.ok()) << (*items)[i].path;
    auto r = (*session)->RecognizeCrop(View(*img));
    ASSERT_TRUE(r.ok());
    ++n;
    ok += !r->plates.empty() && r->plates[0].text == (*items)[i].plate;
  }
  EXPECT_GE(double(ok) / n, 0.75) << ok << " of " << n;
}

// A held-out Indiana crop (in870, 824BOJ) whose fifth character the recognizer reads as
// the digit: the state printed on it (INDIANA) is read, and Indiana's formats (NNNLLL)
// make it the letter O; the reading as read stays second. Off, or on a plate too small
// for its state name to be read, the reading stays as read and no state is named.
TEST(Engine, ReadsTheStateAndSettlesZeroAgainstOByItsFormats) {
  fs::path crop = kSource / ".." / "shared" / "data" / "openalpr-bench" / "plates" / "us" / "in870.png";
  if (!fs::exists(crop)) GTEST_SKIP() << "no shared data at " << crop;
  auto img = ReadImageFile(crop, {});
  ASSERT_TRUE(img.ok());
  ASSERT_GE(img->height, 80);
  auto read = [](const Image& image, int region_min_plate_px) -> PlateRead {
    auto engine = Engine::Open(
        {.model_dir = kSource / "models", .country = "us", .region_min_plate_px = region_min_plate_px});
    EXPECT_TRUE(engine.ok()) << engine.status().ToString();
    if (!engine.ok()) return {};
    auto session = (*engine)->NewSession();
    auto r = (*session)->RecognizeCrop(View(image));
    EXPECT_TRUE(r.ok() && !r->plates.empty());
    return r.ok() && !r->plates.empty() ? r->plates[0] : PlateRead{};
  };
  PlateRead on = read(*img, 80);
  EXPECT_EQ(on.region, "in");
  EXPECT_GT(on.region_confidence, 0.5f);
  EXPECT_EQ(on.text, "824BOJ");
  ASSERT_GE(on.candidates.size(), 2u);
  EXPECT_EQ(on.candidates[0].text, "824BOJ");
  EXPECT_EQ(on.candidates[1].text, "824B0J");
  EXPECT_EQ(on.layout, "NNNLLL");

  PlateRead off = read(*img, 0);
  EXPECT_EQ(off.region, "");
  EXPECT_EQ(off.text, "824B0J");

  // The same plate at 76 px high: below the default 80, no state is read.
  cv::Mat src(img->height, img->width, CV_8UC3, img->pixels.data()), small;
  cv::resize(src, small, cv::Size(img->width * 76 / img->height, 76), 0, 0, cv::INTER_AREA);
  Image smaller{.width = small.cols, .height = small.rows,
                .pixels = std::vector<uint8_t>(small.data, small.data + small.total() * 3)};
  PlateRead gated = read(smaller, 80);
  EXPECT_EQ(gated.region, "");
}

}  // namespace
}  // namespace custodian::vision
