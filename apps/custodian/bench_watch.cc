// custodian bench watch: frames per second of custodian watch's pipeline (decode, motion
// gate, engine where something moves, tracking, voting) on a rendered clip of a still
// grey scene with sensor noise that one vehicle crosses, with the motion gate on and off.
//   custodian bench watch [--size 1280x720] [--frames 500] [--threads 1] [--scene FILE --plate X,Y]
// Prints one JSON line. Run it pinned to one core for the one-core figure:
//   taskset -c 0 build/custodian bench watch --threads 1
// With --scenes DIR (a labelled folder in the benchmark format, as `custodian eval` reads),
// each scene becomes a drive-by clip (the scene approaching, scaled 0.7 to 1.0 about its
// plate, 16 frames at 10 frames/s, sensor noise, MJPEG) read with the motion gate off, and
// it reports per-pass accuracy of the voted reads beside single-frame accuracy (the share
// of frames whose own best reading is the plate) over the same passes.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "eval_data.h"
#include "custodian/core/clock.h"
#include "custodian/store/plate_key.h"
#include "custodian/vision/image.h"
#include "custodian/watch/watch.h"
#include "session.h"

namespace custodian::app {
namespace {

namespace fs = std::filesystem;

struct BenchWatchArgs {
  std::string models;
  std::string size = "1280x720";
  int frames = 500;
  int threads = 1;
  std::string scene;  // default: samples/sample_00_us_ca.jpg, plate at 836,581
  float plate_x = 836.5f, plate_y = 581.f;
  std::string scenes;
  int limit = 0;
  bool verbose = false;
};

// A label as the store normalises plates (the label itself when it is not a plate).
std::string Normalised(const std::string& s) {
  auto plate = store::NormalisePlate(s);
  return plate.ok() ? *plate : s;
}

// Voted against single-frame accuracy on drive-bys rendered from labelled scenes.
int RunSceneDriveBys(const BenchWatchArgs& a) {
  auto scenes = LoadLabelledFolder(a.scenes);
  if (!scenes.ok()) return FailWith("bench watch", scenes.status());
  auto es = OpenEngineSession({.model_dir = ModelDir(a.models), .country = "us"});
  if (!es.ok()) return FailWith("bench watch", es.status());
  const fs::path clip = fs::temp_directory_path() / ("custodian-bench-scenes-" + std::to_string(::getpid()) + ".avi");
  int n = 0, voted_right = 0, one_pass = 0;
  double frame_share_sum = 0;
  for (const LabelledImage& s : *scenes) {
    if (!s.has_box || (a.limit > 0 && n >= a.limit)) continue;
    auto info = vision::ReadImageFile(s.path, {});
    if (!info.ok()) continue;
    const int w = info->width & ~1, h = info->height & ~1;
    Status rendered = watch::RenderClip({.out = clip.string(), .width = w, .height = h, .fps = 10, .frames = 16,
                                         .passes = {{.scene = s.path, .plate_x = s.x + s.w / 2, .plate_y = s.y + s.h / 2,
                                                     .start = 0, .frames = 16, .dy_per_frame = 2}}});
    if (!rendered.ok()) return FailWith("bench watch", rendered);
    FakeClock clock(FromUnixMillis(0));
    auto source = watch::OpenSource(clip.string(), {.clock = &clock});
    if (!source.ok()) return FailWith("bench watch", source.status());
    const std::string truth = Normalised(s.plate);
    std::vector<vision::Pass> passes;
    auto run = watch::Run(**source, *es->session, {.tracker = {.min_frames = 2}, .every_frame = true},
                          [&](const vision::Pass& p, const vision::Image&) { passes.push_back(p); });
    if (!run.ok()) return FailWith("bench watch", run.status());
    ++n;
    // The pass of the labelled plate: the one whose boxes overlap the label's most often.
    const vision::Pass* mine = nullptr;
    for (const auto& p : passes) {
      if (p.voted.text == truth) mine = &p;
    }
    if (mine == nullptr && !passes.empty()) {
      mine = &*std::max_element(passes.begin(), passes.end(),
                                [](const auto& x, const auto& y) { return x.sightings.size() < y.sightings.size(); });
    }
    int frames_right = 0;
    if (mine != nullptr) {
      for (const auto& sg : mine->sightings) frames_right += sg.read.text == truth ? 1 : 0;
      voted_right += mine->voted.text == truth ? 1 : 0;
    }
    one_pass += passes.size() == 1 ? 1 : 0;
    if (a.verbose && (passes.size() != 1 || mine == nullptr || mine->voted.text != truth)) {
      std::fprintf(stderr, "%s: truth %s;", fs::path(s.path).filename().c_str(), truth.c_str());
      for (const auto& p : passes) {
        std::fprintf(stderr, " [%s %zu frames, first at (%.0f,%.0f)]", p.voted.text.c_str(), p.sightings.size(),
                     p.sightings.front().box.x, p.sightings.front().box.y);
      }
      std::fprintf(stderr, "\n");
    }
    frame_share_sum += double(frames_right) / double(run->analysed > 0 ? run->analysed : 1);
  }
  fs::remove(clip);
  nlohmann::json out = {{"scenes", n},
                        {"voted_top1", n ? double(voted_right) / n : 0},
                        {"single_frame_top1", n ? frame_share_sum / n : 0},
                        {"scenes_with_one_pass", one_pass}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

Result<nlohmann::json> Measure(const fs::path& clip, vision::Session& session, bool every_frame) {
  FakeClock clock(FromUnixMillis(0));
  CUSTODIAN_ASSIGN_OR_RETURN(auto source, watch::OpenSource(clip.string(), {.clock = &clock}));
  int64_t reads = 0;
  std::string plate;
  const auto t0 = std::chrono::steady_clock::now();
  CUSTODIAN_ASSIGN_OR_RETURN(auto summary,
                             watch::Run(*source, session, {.tracker = {.min_frames = 2}, .every_frame = every_frame},
                                        [&](const vision::Pass& p, const vision::Image&) {
                                          ++reads;
                                          plate = p.voted.text;
                                        }));
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return nlohmann::json{{"motion_gate", !every_frame},
                        {"frames", summary.frames},
                        {"analysed", summary.analysed},
                        {"frames_per_s", double(summary.frames) / s},
                        {"engine_ms_per_analysed_frame", summary.analysed ? summary.engine_ms / summary.analysed : 0},
                        {"reads", reads},
                        {"plate", plate}};
}

int RunBenchWatch(const BenchWatchArgs& a) {
  if (!a.scenes.empty()) return RunSceneDriveBys(a);
  int w = 0, h = 0;
  if (std::sscanf(a.size.c_str(), "%dx%d", &w, &h) != 2 || w < 64 || h < 64) {
    return FailWith("bench watch", Status::InvalidArgument("--size is WIDTHxHEIGHT, e.g. 1280x720"));
  }
  vision::SetImageLibraryThreads(a.threads);
  const fs::path scene = a.scene.empty() ? fs::path("samples") / "sample_00_us_ca.jpg" : fs::path(a.scene);
  const fs::path clip = fs::temp_directory_path() / ("custodian-bench-watch-" + std::to_string(::getpid()) + ".avi");
  // One vehicle crosses in 40 frames a fifth of the way in; the rest is a still scene.
  Status rendered = watch::RenderClip({.out = clip.string(),
                                       .width = w,
                                       .height = h,
                                       .frames = a.frames,
                                       .passes = {{.scene = scene.string(),
                                                   .plate_x = a.plate_x,
                                                   .plate_y = a.plate_y,
                                                   .start = a.frames / 5,
                                                   .frames = 40}}});
  if (!rendered.ok()) return FailWith("bench watch", rendered);
  auto es = OpenEngineSession({.model_dir = ModelDir(a.models), .country = "us"});
  if (!es.ok()) return FailWith("bench watch", es.status());
  nlohmann::json out = {{"size", a.size}, {"threads", a.threads}};
  for (bool every : {false, true}) {
    auto m = Measure(clip, *es->session, every);
    if (!m.ok()) {
      fs::remove(clip);
      return FailWith("bench watch", m.status());
    }
    out[every ? "gate_off" : "gate_on"] = *m;
  }
  fs::remove(clip);
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

}  // namespace

void RegisterBenchWatch(CLI::App& app, Action* run) {
  CLI::App* bench = app.get_subcommand("bench");
  auto [cmd, a] = AddSubcommand<BenchWatchArgs>(
      bench, "watch", "custodian watch's frames/s on a rendered clip, motion gate on and off", run, RunBenchWatch);
  cmd->add_option("--models", a->models, "Model folder");
  cmd->add_option("--size", a->size, "Frame size")->capture_default_str();
  cmd->add_option("--frames", a->frames, "Frames in the clip")->capture_default_str()->check(CLI::Range(50, 100000));
  cmd->add_option("--threads", a->threads, "Threads for the image library")->capture_default_str()->check(
      CLI::Range(1, 256));
  cmd->add_option("--scene", a->scene, "The vehicle's image (default: samples/sample_00_us_ca.jpg)");
  cmd->add_option("--plate-x", a->plate_x, "Its plate's centre, x")->capture_default_str();
  cmd->add_option("--plate-y", a->plate_y, "Its plate's centre, y")->capture_default_str();
  cmd->add_option("--scenes", a->scenes, "Labelled scenes: voted against single-frame accuracy on drive-bys");
  cmd->add_option("--limit", a->limit, "With --scenes: at most this many scenes (0: all)");
  cmd->add_flag("--verbose", a->verbose, "With --scenes: print each scene read wrong or not as one pass");
}

}  // namespace custodian::app
