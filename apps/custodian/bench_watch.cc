// custodian bench watch: frames per second of custodian watch's pipeline (decode, motion
// gate, engine where something moves, tracking, voting) on a rendered clip of a still
// grey scene with sensor noise that one vehicle crosses, with the motion gate on and off.
//   custodian bench watch [--size 1280x720] [--frames 500] [--threads 1] [--scene FILE --plate X,Y]
// Prints one JSON line. Run it pinned to one core for the one-core figure:
//   taskset -c 0 build/custodian bench watch --threads 1
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "custodian/core/clock.h"
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
};

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
}

}  // namespace custodian::app
