// custodian: the one binary. Subcommands live in their own files (read.cc, eval.cc, ...).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <tuple>
#include <utility>

#include "commands.h"

#ifndef CUSTODIAN_DEFAULT_MODEL_DIR
#define CUSTODIAN_DEFAULT_MODEL_DIR "models"
#endif

namespace custodian::app {

std::filesystem::path DefaultModelDir() {
  if (const char* env = std::getenv("CUSTODIAN_MODELS"); env != nullptr && *env != '\0') return env;
  std::error_code ec;
  if (std::filesystem::exists(CUSTODIAN_DEFAULT_MODEL_DIR, ec)) return CUSTODIAN_DEFAULT_MODEL_DIR;
  // An installed binary: <prefix>/bin/custodian with <prefix>/share/custodian/models.
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return exe.parent_path().parent_path() / "share" / "custodian" / "models";
}

bool IsImageFileName(const std::filesystem::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp" || ext == ".webp" || ext == ".tif" ||
         ext == ".tiff";
}

namespace {

// "WxH" as two integers, or nothing when it is not of that form.
std::optional<std::pair<int, int>> ParseSize(const std::string& s) {
  int w = 0, h = 0;
  char x = 0, extra = 0;
  if (std::sscanf(s.c_str(), "%d%c%d%c", &w, &x, &h, &extra) != 3 || x != 'x') return std::nullopt;
  return std::pair{w, h};
}

}  // namespace

void AddEngineFlags(CLI::App* cmd, EngineFlags* f) {
  cmd->add_option("--country,-c", f->country, "Plate profile: us, eu, br or auto")->capture_default_str();
  cmd->add_option("-n,--topn", f->topn, "Candidates per plate")->capture_default_str()->check(CLI::Range(1, 100));
  cmd->add_option("--models", f->models, "Model folder (default: $CUSTODIAN_MODELS or the built-in one)");
  cmd->add_option("--ocr-views", f->views, "Crops read per plate, voting together (1-3)")
      ->capture_default_str()->check(CLI::Range(1, 3));
  cmd->add_option("--min-detection-score", f->min_score, "Drop detections whose mean mask probability is lower")
      ->capture_default_str()->check(CLI::Range(0.5, 1.0));
  cmd->add_option("--second-opinion-weight", f->second_opinion,
                  "Weight of the second recognizer (models/text_rec.onnx) on unsure plates; 0 turns it off")
      ->capture_default_str()->check(CLI::Range(0.0, 10.0));
  cmd->add_option("--region-min-plate-px", f->region_min_px,
                  "Read the state printed on plates at least this many pixels high (us profile); 0 turns it off")
      ->capture_default_str()->check(CLI::Range(0, 100000));
  cmd->add_option("--detector-size", f->detector_size,
                  "Detector input WxH, multiples of 32 (default 640x384; larger finds smaller plates, slower)")
      ->check([](const std::string& s) -> std::string {
        auto size = ParseSize(s);
        bool ok = size && size->first >= 64 && size->second >= 64 && size->first <= 4096 && size->second <= 4096 &&
                  size->first % 32 == 0 && size->second % 32 == 0;
        return ok ? "" : "need WxH, multiples of 32 in 64..4096, e.g. 640x384";
      });
}

vision::EngineOptions ToEngineOptions(const EngineFlags& f) {
  vision::EngineOptions o;
  o.model_dir = ModelDir(f.models);
  o.country = f.country;
  o.max_candidates = f.topn;
  o.ocr_views = f.views;
  o.min_detection_score = f.min_score;
  o.second_opinion_weight = f.second_opinion;
  o.region_min_plate_px = f.region_min_px;
  if (auto size = ParseSize(f.detector_size)) std::tie(o.detector_width, o.detector_height) = *size;
  return o;
}

Result<EngineSession> OpenEngineSession(const vision::EngineOptions& options) {
  EngineSession es;
  CUSTODIAN_ASSIGN_OR_RETURN(es.engine, vision::Engine::Open(options));
  CUSTODIAN_ASSIGN_OR_RETURN(es.session, es.engine->NewSession());
  return es;
}

std::vector<InputItem> ExpandInputs(const std::vector<std::string>& args) {
  std::vector<InputItem> out;
  for (const std::string& a : args) {
    std::error_code ec;
    if (a != "-" && std::filesystem::is_directory(a, ec)) {
      std::vector<std::string> files;
      for (auto it = std::filesystem::directory_iterator(a, ec); !ec && it != std::filesystem::directory_iterator();
           it.increment(ec)) {
        if (it->is_regular_file(ec) && IsImageFileName(it->path())) files.push_back(it->path().string());
      }
      if (ec) {
        out.push_back({a, "cannot list folder: " + ec.message()});
        continue;
      }
      std::sort(files.begin(), files.end());
      for (auto& f : files) out.push_back({std::move(f), ""});
    } else {
      out.push_back({a, ""});
    }
  }
  return out;
}

}  // namespace custodian::app

int main(int argc, char** argv) {
  CLI::App app{"Custodian: licence-plate recognition with the city's ALPR policy built in"};
  app.require_subcommand(1);
  custodian::app::Action run;
  custodian::app::RegisterRead(app, &run);
  custodian::app::RegisterEval(app, &run);
  custodian::app::RegisterBenchVision(app, &run);
  custodian::app::RegisterBenchStore(app, &run);
  custodian::app::RegisterBenchWatch(app, &run);
  custodian::app::RegisterBenchHttp(app, &run);
  custodian::app::RegisterDb(app, &run);
  custodian::app::RegisterRetention(app, &run);
  custodian::app::RegisterHold(app, &run);
  custodian::app::RegisterHotlist(app, &run);
  custodian::app::RegisterAlerts(app, &run);
  custodian::app::RegisterEvidence(app, &run);
  custodian::app::RegisterSession(app, &run);
  custodian::app::RegisterUsers(app, &run);
  custodian::app::RegisterPasswd(app, &run);
  custodian::app::RegisterMfa(app, &run);
  custodian::app::RegisterRoles(app, &run);
  custodian::app::RegisterAck(app, &run);
  custodian::app::RegisterTraining(app, &run);
  custodian::app::RegisterSearch(app, &run);
  custodian::app::RegisterShowRead(app, &run);
  custodian::app::RegisterAudit(app, &run);
  custodian::app::RegisterIngest(app, &run);
  custodian::app::RegisterServe(app, &run);
  custodian::app::RegisterWatch(app, &run);
  custodian::app::RegisterCameras(app, &run);
  custodian::app::RegisterSharing(app, &run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return run ? run() : 2;
}
