// custodian watch's config file: the cameras one watch process serves and where their reads
// go (docs/configuration.md, "custodian watch"). Checked whole at start; an error names the
// file and the field ("watch.json: cameras[1].region[2]: x must be a number").
//
// Basic usage:
//   CUSTODIAN_ASSIGN_OR_RETURN(watch::WatchConfig config, watch::LoadWatchConfig("/etc/custodian/watch.json"));
//   for (const watch::CameraConfig& cam : config.cameras) ...
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "custodian/core/status.h"
#include "custodian/watch/watch.h"

namespace custodian::watch {

struct CameraConfig {
  std::string id;        // the camera's id on the server. REQUIRED.
  std::string source;    // a video file, a stream URL or a folder of images. REQUIRED.
  std::string key_file;  // the camera's API key, for a server destination
  std::vector<Vertex> region;  // where to look (a polygon, 3+ points); empty: the whole frame
  std::string country = "auto";  // the engine's country profile
  double max_fps = 0;            // frames read per second at the most (0: every frame)
  // The labels of the four ways across the frame a read's direction names ("" leaves it
  // unnamed), e.g. {"northbound", "southbound", "", ""} for up and down.
  std::string up, down, left, right;
};

struct WatchConfig {
  // Where reads go: a Custodian server (https://...), with `ca` to trust its certificate, or
  // a local store URL (`db`). Exactly one. REQUIRED.
  std::string server;
  std::string ca;
  std::string db;
  // The folder of the outboxes, one file per camera. Default: "watch-outbox".
  std::filesystem::path outbox_dir = "watch-outbox";
  // The model folder; empty: the default.
  std::string models;
  // A track ends when its plate is unseen this long, ms. Default: 1500.
  int end_after_ms = 1500;
  std::vector<CameraConfig> cameras;  // at least one; ids unique
};

// The label `camera` gives direction `d` ("" when it names none).
std::string DirectionLabel(const CameraConfig& camera, vision::Direction d);

// Parses and checks `text`; `file` names the file in errors.
Result<WatchConfig> ParseWatchConfig(const std::string& text, const std::string& file);
// Reads and parses the file. kNotFound when it does not exist.
Result<WatchConfig> LoadWatchConfig(const std::filesystem::path& file);

}  // namespace custodian::watch
