// custodian read: plates from image files, folders or stdin. JSON output keeps the
// fields of OpenALPR's `alpr -j` (results[].plate, confidence in percent, coordinates,
// candidates[].plate/confidence, processing_time_ms), one object per image per line.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "plate_json.h"

namespace custodian::app {
namespace {

struct ReadArgs {
  EngineFlags engine;
  bool json = false;
  std::vector<std::string> inputs;
};

Result<vision::Image> LoadInput(const std::string& name, const vision::DecodeOptions& opts) {
  if (name != "-") return vision::ReadImageFile(name, opts);
  std::vector<uint8_t> bytes;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) {
    bytes.insert(bytes.end(), buf, buf + n);
    if (bytes.size() > opts.max_bytes) return Status::InvalidArgument("input too large (limit ", opts.max_bytes, " bytes)");
  }
  return vision::DecodeImage(bytes, opts);
}

int RunRead(const ReadArgs& args) {
  auto opened = OpenEngineSession(ToEngineOptions(args.engine));
  if (!opened.ok()) {
    std::cerr << "custodian read: " << opened.status().ToString() << "\n";
    return 2;
  }
  vision::Session* session = opened->session.get();
  int failures = 0;
  for (const InputItem& item : ExpandInputs(args.inputs)) {
    Result<vision::Recognition> rec = Status::InvalidArgument(item.error);
    if (item.error.empty()) {
      auto img = LoadInput(item.name, {});
      rec = img.ok() ? session->Recognize(vision::View(*img)) : Result<vision::Recognition>(img.status());
    }
    if (!rec.ok()) {
      ++failures;
      // One clear line per bad file, on stderr; the other files are still read.
      std::cerr << "custodian read: " << item.name << ": " << rec.status().message() << "\n";
      if (args.json) std::cout << ErrorJson(item.name, rec.status()).dump() << std::endl;
      continue;
    }
    if (args.json) {
      std::cout << RecognitionJson(item.name, *rec, args.engine.topn).dump() << std::endl;
    } else {
      std::cout << item.name << ": " << rec->plates.size() << " plate(s), "
                << static_cast<int>(rec->timings.total_ms + 0.5) << " ms\n";
      for (const auto& p : rec->plates) {
        std::printf("  %-10s %5.1f%%", p.text.c_str(), p.confidence * 100.0);
        if (!p.layout.empty()) std::printf("  [%s %s]", p.country.c_str(), p.layout.c_str());
        if (!p.region.empty()) std::printf("  state %s", p.region.c_str());
        std::printf("\n");
        for (size_t i = 1; i < p.candidates.size(); ++i) {
          std::printf("    - %-10s %5.1f%%\n", p.candidates[i].text.c_str(), p.candidates[i].confidence * 100.0);
        }
      }
      std::fflush(stdout);
    }
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace

void RegisterRead(CLI::App& app, Action* run) {
  auto [cmd, args] =
      AddSubcommand<ReadArgs>(&app, "read", "Read plates in images (files, folders, or - for stdin)", run, RunRead);
  AddEngineFlags(cmd, &args->engine);
  cmd->add_flag("--json,-j", args->json, "One JSON object per image per line (OpenALPR-compatible fields)");
  cmd->add_option("images", args->inputs, "Image files, folders, or -")->required();
}

}  // namespace custodian::app
