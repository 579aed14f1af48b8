// custodian eval: scores the engine, single-threaded, on a labelled folder. Prints the
// failures, then as its last line one JSON object with the figures.
#include <algorithm>
#include <iostream>
#include <set>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "eval_data.h"

namespace custodian::app {
namespace {

struct EvalArgs {
  EngineFlags engine;
  std::string dir;
  bool json = false;
};

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t k = size_t(std::ceil(q * double(v.size()))) - 1;
  return v[std::min(k, v.size() - 1)];
}

int RunEval(const EvalArgs& args) {
  vision::SetImageLibraryThreads(1);  // the figures are single-core figures
  auto data = LoadLabelledFolder(args.dir);
  if (!data.ok()) {
    std::cerr << "custodian eval: " << data.status().ToString() << "\n";
    return 2;
  }
  auto opened = OpenEngineSession(ToEngineOptions(args.engine));
  if (!opened.ok()) {
    std::cerr << "custodian eval: " << opened.status().ToString() << "\n";
    return 2;
  }
  vision::Session* session = opened->session.get();
  int images = 0, errors = 0, detected = 0, top1 = 0, topn = 0, edits = 0, chars = 0;
  // Crops whose label names a region the engine knows (a US state of the us profile).
  int with_region = 0, region_read = 0, region_right = 0;
  std::set<std::string> known_regions;
  for (const auto& profile : opened->engine->formats().profiles()) {
    for (const auto& r : profile.regions) known_regions.insert(r.code);
  }
  bool crops = !data->front().has_box;
  std::vector<double> ms, detect_ms, ocr_ms;
  nlohmann::json failures = nlohmann::json::array();
  for (const LabelledImage& li : *data) {
    ++images;
    auto img = vision::ReadImageFile(li.path, {});
    Result<vision::Recognition> rec = img.ok()
        ? (li.has_box ? session->Recognize(vision::View(*img)) : session->RecognizeCrop(vision::View(*img)))
        : Result<vision::Recognition>(img.status());
    if (!rec.ok()) {
      ++errors;
      edits += int(li.plate.size());
      chars += int(li.plate.size());
      std::cout << "ERROR " << li.path << ": " << rec.status().message() << "\n";
      continue;
    }
    ms.push_back(rec->timings.total_ms);
    detect_ms.push_back(rec->timings.detect_ms);
    ocr_ms.push_back(rec->timings.ocr_ms);
    const vision::PlateRead* match = nullptr;
    if (li.has_box) {
      float best = 0;
      for (const auto& p : rec->plates) {
        float x0 = std::min({p.corners[0].x, p.corners[1].x, p.corners[2].x, p.corners[3].x});
        float x1 = std::max({p.corners[0].x, p.corners[1].x, p.corners[2].x, p.corners[3].x});
        float y0 = std::min({p.corners[0].y, p.corners[1].y, p.corners[2].y, p.corners[3].y});
        float y1 = std::max({p.corners[0].y, p.corners[1].y, p.corners[2].y, p.corners[3].y});
        float iou = Iou(x0, y0, x1 - x0, y1 - y0, li.x, li.y, li.w, li.h);
        if (iou >= 0.3f && iou > best) { best = iou; match = &p; }
      }
    } else if (!rec->plates.empty()) {
      match = &rec->plates.front();
    }
    std::string got = match ? match->text : "";
    detected += match != nullptr;
    bool ok1 = match && got == li.plate;
    bool okn = match && std::any_of(match->candidates.begin(), match->candidates.end(),
                                    [&](const auto& c) { return c.text == li.plate; });
    top1 += ok1;
    topn += okn;
    if (known_regions.count(li.region)) {
      ++with_region;
      region_read += match && !match->region.empty();
      region_right += match && match->region == li.region;
    }
    edits += EditDistance(got, li.plate);
    chars += int(li.plate.size());
    if (!ok1) {
      std::cout << (match ? "MISREAD " : "MISSED  ") << li.path << ": truth " << li.plate << ", read "
                << (got.empty() ? "-" : got) << (okn ? " (truth among candidates)" : "") << "\n";
    }
  }
  auto frac = [&](int n) { return images ? std::round(10000.0 * n / images) / 10000.0 : 0.0; };
  nlohmann::json summary = {{"dir", args.dir},
                            {"country", args.engine.country},
                            {"images", images},
                            {"errors", errors},
                            {"detection_rate", crops ? nlohmann::json(nullptr) : nlohmann::json(frac(detected))},
                            {"top1", frac(top1)},
                            {"topn", frac(topn)},
                            {"n", args.engine.topn},
                            {"cer", chars ? std::round(10000.0 * edits / chars) / 10000.0 : 0.0},
                            {"median_ms", std::round(Percentile(ms, 0.5) * 100) / 100},
                            {"p90_ms", std::round(Percentile(ms, 0.9) * 100) / 100},
                            {"median_detect_ms", std::round(Percentile(detect_ms, 0.5) * 100) / 100},
                            {"median_ocr_ms", std::round(Percentile(ocr_ms, 0.5) * 100) / 100}};
  if (with_region > 0) {
    // Of the crops whose label names a region (a state): the share whose state the engine
    // named, and the share it named right.
    auto of = [&](int n) { return std::round(10000.0 * n / with_region) / 10000.0; };
    summary["region_read"] = of(region_read);
    summary["region_right"] = of(region_right);
  }
  std::cout << summary.dump() << std::endl;
  return errors == 0 ? 0 : 1;
}

}  // namespace

void RegisterEval(CLI::App& app, Action* run) {
  auto [cmd, args] =
      AddSubcommand<EvalArgs>(&app, "eval", "Score the engine on a labelled folder (single-threaded)", run, RunEval);
  cmd->add_option("dir", args->dir, "Scenes folder (NAME.txt labels) or crops folder (labels.csv)")->required();
  AddEngineFlags(cmd, &args->engine);
  cmd->add_flag("--json", args->json, "Accepted for symmetry: the last line is always JSON");
}

}  // namespace custodian::app
