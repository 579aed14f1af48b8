// custodian bench vision: ms per image and images per second of the whole engine
// (detection + OCR), single thread and all cores, at 1280x720 and 1920x1080.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "commands.h"

namespace custodian::app {
namespace {

struct BenchArgs {
  std::vector<std::string> images;
  std::string models;
  double seconds = 5;
  int threads = 0;
  int region_min_px = vision::EngineOptions{}.region_min_plate_px;
};

using SteadyClock = std::chrono::steady_clock;

struct Figures {
  double median_ms = 0;
  double p90_ms = 0;
  double images_per_s = 0;
  long images = 0;
};

Result<Figures> Measure(const vision::Engine& engine, const std::vector<vision::Image>& frames, int threads,
                        double seconds) {
  std::vector<std::unique_ptr<vision::Session>> sessions;
  for (int i = 0; i < threads; ++i) {
    CUSTODIAN_ASSIGN_OR_RETURN(auto s, engine.NewSession());
    sessions.push_back(std::move(s));
  }
  // Warm-up: one pass per session.
  for (auto& s : sessions) {
    CUSTODIAN_RETURN_IF_ERROR((s->Recognize(vision::View(frames[0]))).status());
  }
  std::atomic<bool> failed{false};
  std::vector<std::vector<double>> lat{size_t(threads)};
  auto start = SteadyClock::now();
  auto deadline = start + std::chrono::duration<double>(seconds);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      size_t k = size_t(t);
      while (SteadyClock::now() < deadline && !failed) {
        auto t0 = SteadyClock::now();
        auto r = sessions[size_t(t)]->Recognize(vision::View(frames[k++ % frames.size()]));
        if (!r.ok()) failed = true;
        lat[size_t(t)].push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count());
      }
    });
  }
  for (auto& th : pool) th.join();
  double wall = std::chrono::duration<double>(SteadyClock::now() - start).count();
  if (failed) return Status::Internal("a frame failed during the benchmark");
  std::vector<double> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  Figures f;
  f.images = long(all.size());
  f.median_ms = all[all.size() / 2];
  f.p90_ms = all[std::min(all.size() - 1, size_t(0.9 * double(all.size())))];
  f.images_per_s = double(all.size()) / wall;
  return f;
}

int RunBench(const BenchArgs& args) {
  vision::SetImageLibraryThreads(1);  // parallelism comes from sessions, one per thread
  std::vector<vision::Image> sources;
  for (const InputItem& item : ExpandInputs(args.images)) {
    auto img = vision::ReadImageFile(item.name, {});
    if (img.ok()) sources.push_back(std::move(*img));
  }
  if (sources.empty()) {
    std::cerr << "custodian bench vision: no readable images given\n";
    return 2;
  }
  auto engine = vision::Engine::Open({.model_dir = ModelDir(args.models), .region_min_plate_px = args.region_min_px});
  if (!engine.ok()) {
    std::cerr << "custodian bench vision: " << engine.status().ToString() << "\n";
    return 2;
  }
  int cores = args.threads > 0 ? args.threads : int(std::max(1u, std::thread::hardware_concurrency()));
  nlohmann::json rows = nlohmann::json::array();
  std::cout << "| frame | threads | median ms/image | p90 ms/image | images/s |\n|---|---|---|---|---|\n";
  for (auto [w, h] : {std::pair{1280, 720}, std::pair{1920, 1080}}) {
    std::vector<vision::Image> frames;
    for (const auto& s : sources) frames.push_back(vision::FitImage(s, w, h));
    for (int threads : {1, cores}) {
      auto f = Measure(**engine, frames, threads, args.seconds);
      if (!f.ok()) {
        std::cerr << "custodian bench vision: " << f.status().ToString() << "\n";
        return 1;
      }
      std::printf("| %dx%d | %d | %.1f | %.1f | %.1f |\n", w, h, threads, f->median_ms, f->p90_ms, f->images_per_s);
      rows.push_back({{"frame", std::to_string(w) + "x" + std::to_string(h)}, {"threads", threads},
                      {"median_ms", f->median_ms}, {"p90_ms", f->p90_ms}, {"images_per_s", f->images_per_s},
                      {"images", f->images}});
      if (threads == cores) break;
    }
  }
  std::cout << nlohmann::json({{"vision", rows}}).dump() << std::endl;
  return 0;
}

}  // namespace

void RegisterBenchVision(CLI::App& app, Action* run) {
  CLI::App* bench = AddCommandGroup(app, "bench", "Benchmarks");
  auto [cmd, args] = AddSubcommand<BenchArgs>(
      bench, "vision", "Engine speed at 1280x720 and 1920x1080, 1 thread and all cores", run, RunBench);
  cmd->add_option("images", args->images, "Images or folders to use as frames")->required();
  cmd->add_option("--models", args->models, "Model folder");
  cmd->add_option("--seconds", args->seconds, "Seconds per measurement")->capture_default_str();
  cmd->add_option("--threads", args->threads, "Threads for the all-cores run (default: all cores)");
  cmd->add_option("--region-min-plate-px", args->region_min_px,
                  "Read the state printed on US plates at least this many pixels high; 0 turns it off")
      ->capture_default_str()
      ->check(CLI::Range(0, 100000));
}

}  // namespace custodian::app
