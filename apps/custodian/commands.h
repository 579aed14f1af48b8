// The subcommands of the `custodian` binary: one file each, registered in main.cc.
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "custodian/vision/engine.h"

namespace custodian::app {

// Each Register* adds its subcommand to `app` and stores the action to run in `*run`
// when that subcommand is chosen. Actions return the process exit status.
using Action = std::function<int()>;
void RegisterRead(CLI::App& app, Action* run);
void RegisterEval(CLI::App& app, Action* run);
void RegisterBenchVision(CLI::App& app, Action* run);
// Adds `store` under the `bench` subcommand RegisterBenchVision creates; call it after.
void RegisterBenchStore(CLI::App& app, Action* run);
// Adds `watch` under `bench` (bench_watch.cc); call it after RegisterBenchVision.
void RegisterBenchWatch(CLI::App& app, Action* run);
// Adds `http-setup` under `bench` (bench_http.cc); call it after RegisterBenchVision.
void RegisterBenchHttp(CLI::App& app, Action* run);
void RegisterDb(CLI::App& app, Action* run);
void RegisterRetention(CLI::App& app, Action* run);
void RegisterHold(CLI::App& app, Action* run);
void RegisterHotlist(CLI::App& app, Action* run);
void RegisterAlerts(CLI::App& app, Action* run);
void RegisterEvidence(CLI::App& app, Action* run);
// The governed subcommands (session.h: login, logout, whoami).
void RegisterSession(CLI::App& app, Action* run);
void RegisterUsers(CLI::App& app, Action* run);
void RegisterPasswd(CLI::App& app, Action* run);
void RegisterMfa(CLI::App& app, Action* run);
void RegisterRoles(CLI::App& app, Action* run);
void RegisterAck(CLI::App& app, Action* run);
void RegisterTraining(CLI::App& app, Action* run);
void RegisterSearch(CLI::App& app, Action* run);
void RegisterShowRead(CLI::App& app, Action* run);
void RegisterAudit(CLI::App& app, Action* run);
void RegisterIngest(CLI::App& app, Action* run);
void RegisterServe(CLI::App& app, Action* run);
void RegisterWatch(CLI::App& app, Action* run);
void RegisterCameras(CLI::App& app, Action* run);  // cameras, agencies, keys (cameras.cc)
void RegisterSharing(CLI::App& app, Action* run);  // sharing grants (sharing.cc)

// A registered subcommand: add its own options to `cmd`, parsed into `*args`.
template <typename Args>
struct Subcommand {
  CLI::App* cmd;
  std::shared_ptr<Args> args;
};

// Adds the subcommand `name` to `parent` with fresh (default) arguments. When the user
// chooses it, `*run` becomes the action `body(*args)`, which returns the exit status.
template <typename Args>
Subcommand<Args> AddSubcommand(CLI::App* parent, const std::string& name, const std::string& help, Action* run,
                               std::function<int(const Args&)> body) {
  auto args = std::make_shared<Args>();
  CLI::App* cmd = parent->add_subcommand(name, help);
  cmd->callback([args, run, body = std::move(body)] { *run = [args, body] { return body(*args); }; });
  return {cmd, args};
}

// Adds the command group `name` to `app`: a subcommand that takes one subcommand of its own
// (e.g. `hold` for `hold place`, `hold release`, `hold list`).
inline CLI::App* AddCommandGroup(CLI::App& app, const std::string& name, const std::string& help) {
  CLI::App* group = app.add_subcommand(name, help);
  group->require_subcommand(1);
  return group;
}

// The model folder: --models if given, else $CUSTODIAN_MODELS, else the build's default.
std::filesystem::path DefaultModelDir();
// `flag` if set, else DefaultModelDir().
inline std::filesystem::path ModelDir(const std::string& flag) {
  return flag.empty() ? DefaultModelDir() : std::filesystem::path(flag);
}

// Expands files, folders (their image files, sorted) and "-" (stdin) into a list.
// Folders that cannot be listed are reported as entries whose error is set.
struct InputItem {
  std::string name;   // path, or "-" for stdin
  std::string error;  // non-empty if listing failed
};
std::vector<InputItem> ExpandInputs(const std::vector<std::string>& args);

bool IsImageFileName(const std::filesystem::path& p);

// The engine flags shared by read and eval.
struct EngineFlags {
  std::string country = "auto";  // --country
  int topn = 10;                 // -n/--topn
  std::string models;            // --models
  int views = 3;                 // --ocr-views
  float min_score = 0.7f;        // --min-detection-score
  float second_opinion = 1.0f;   // --second-opinion-weight
  int region_min_px = vision::EngineOptions{}.region_min_plate_px;  // --region-min-plate-px
  std::string detector_size;     // --detector-size WxH (empty: the engine's default)
};
void AddEngineFlags(CLI::App* cmd, EngineFlags* flags);
vision::EngineOptions ToEngineOptions(const EngineFlags& flags);

// An opened engine with one session, for the single-threaded subcommands.
struct EngineSession {
  std::shared_ptr<const vision::Engine> engine;
  std::unique_ptr<vision::Session> session;
};
Result<EngineSession> OpenEngineSession(const vision::EngineOptions& options);

}  // namespace custodian::app
