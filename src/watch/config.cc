// custodian watch's config file (see config.h).
#include "custodian/watch/config.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <system_error>

namespace custodian::watch {

namespace {

using json = nlohmann::json;

// Errors name the file and the field's path.
class Checker {
 public:
  explicit Checker(std::string file) : file_(std::move(file)) {}

  Status Error(const std::string& where, const std::string& what) const {
    return Status::InvalidArgument(file_, ": ", where.empty() ? "" : where + ": ", what);
  }

  // Only the known keys: a misspelt key is an error, not a silent default.
  Status OnlyKeys(const json& j, const std::string& where, const std::set<std::string>& known) const {
    for (const auto& [k, v] : j.items()) {
      if (!known.count(k)) return Error(where, "unknown field '" + k.substr(0, 64) + "'");
    }
    return Status::Ok();
  }

  Status Text(const json& j, const std::string& key, const std::string& where, bool required, size_t max_bytes,
              std::string* out) const {
    const std::string at = where.empty() ? key : where + "." + key;
    if (!j.contains(key)) return required ? Error(at, "is required") : Status::Ok();
    if (!j[key].is_string()) return Error(at, "must be a string");
    const std::string& v = j[key].get_ref<const std::string&>();
    if (required && v.empty()) return Error(at, "must not be empty");
    if (v.size() > max_bytes) return Error(at, "is longer than " + std::to_string(max_bytes) + " bytes");
    *out = v;
    return Status::Ok();
  }

  Status Number(const json& j, const std::string& key, const std::string& where, double lo, double hi,
                double* out) const {
    const std::string at = where.empty() ? key : where + "." + key;
    if (!j.contains(key)) return Status::Ok();
    if (!j[key].is_number()) return Error(at, "must be a number");
    const double v = j[key].get<double>();
    if (!(v >= lo && v <= hi)) {
      std::ostringstream range;
      range << "must be from " << lo << " to " << hi;
      return Error(at, range.str());
    }
    *out = v;
    return Status::Ok();
  }

 private:
  std::string file_;
};

Status ParseCamera(const Checker& c, const json& j, const std::string& where, CameraConfig* cam) {
  if (!j.is_object()) return c.Error(where, "must be an object");
  CUSTODIAN_RETURN_IF_ERROR(c.OnlyKeys(j, where, {"id", "source", "key_file", "region", "country", "max_fps",
                                                  "directions"}));
  CUSTODIAN_RETURN_IF_ERROR(c.Text(j, "id", where, true, 128, &cam->id));
  CUSTODIAN_RETURN_IF_ERROR(c.Text(j, "source", where, true, 4096, &cam->source));
  CUSTODIAN_RETURN_IF_ERROR(c.Text(j, "key_file", where, false, 4096, &cam->key_file));
  CUSTODIAN_RETURN_IF_ERROR(c.Text(j, "country", where, false, 8, &cam->country));
  CUSTODIAN_RETURN_IF_ERROR(c.Number(j, "max_fps", where, 0, 240, &cam->max_fps));
  if (j.contains("region")) {
    const std::string at = where + ".region";
    const json& r = j["region"];
    if (!r.is_array() || r.size() < 3 || r.size() > 64) return c.Error(at, "must be an array of 3 to 64 points");
    for (size_t i = 0; i < r.size(); ++i) {
      const std::string p = at + "[" + std::to_string(i) + "]";
      if (!r[i].is_object()) return c.Error(p, "must be an object {\"x\": ..., \"y\": ...}");
      CUSTODIAN_RETURN_IF_ERROR(c.OnlyKeys(r[i], p, {"x", "y"}));
      if (!r[i].contains("x") || !r[i].contains("y")) return c.Error(p, "needs x and y");
      double x = 0, y = 0;
      CUSTODIAN_RETURN_IF_ERROR(c.Number(r[i], "x", p, 0, 100000, &x));
      CUSTODIAN_RETURN_IF_ERROR(c.Number(r[i], "y", p, 0, 100000, &y));
      cam->region.push_back({float(x), float(y)});
    }
  }
  if (j.contains("directions")) {
    const std::string at = where + ".directions";
    const json& d = j["directions"];
    if (!d.is_object()) return c.Error(at, "must be an object naming up, down, left or right");
    CUSTODIAN_RETURN_IF_ERROR(c.OnlyKeys(d, at, {"up", "down", "left", "right"}));
    CUSTODIAN_RETURN_IF_ERROR(c.Text(d, "up", at, false, 64, &cam->up));
    CUSTODIAN_RETURN_IF_ERROR(c.Text(d, "down", at, false, 64, &cam->down));
    CUSTODIAN_RETURN_IF_ERROR(c.Text(d, "left", at, false, 64, &cam->left));
    CUSTODIAN_RETURN_IF_ERROR(c.Text(d, "right", at, false, 64, &cam->right));
  }
  return Status::Ok();
}

}  // namespace

Result<WatchConfig> ParseWatchConfig(const std::string& text, const std::string& file) {
  const Checker c(file);
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return c.Error("", "not valid JSON");
  if (!j.is_object()) return c.Error("", "must be a JSON object");
  CUSTODIAN_RETURN_IF_ERROR(
      c.OnlyKeys(j, "", {"server", "ca", "db", "outbox_dir", "models", "end_after_ms", "cameras"}));
  WatchConfig config;
  CUSTODIAN_RETURN_IF_ERROR(c.Text(j, "server", "", false, 2048, &config.server));
  CUSTODIAN_RETURN_IF_ERROR(c.Text(j, "ca", "", false, 4096, &config.ca));
  CUSTODIAN_RETURN_IF_ERROR(c.Text(j, "db", "", false, 4096, &config.db));
  CUSTODIAN_RETURN_IF_ERROR(c.Text(j, "models", "", false, 4096, &config.models));
  std::string outbox;
  CUSTODIAN_RETURN_IF_ERROR(c.Text(j, "outbox_dir", "", false, 4096, &outbox));
  if (!outbox.empty()) config.outbox_dir = outbox;
  double end_after = config.end_after_ms;
  CUSTODIAN_RETURN_IF_ERROR(c.Number(j, "end_after_ms", "", 40, 600000, &end_after));
  config.end_after_ms = int(end_after);
  if (config.server.empty() == config.db.empty()) {
    return c.Error("", "name exactly one destination: \"server\" (https://...) or \"db\" (a store URL)");
  }
  if (!config.server.empty() && config.server.rfind("https://", 0) != 0) {
    return c.Error("server", "must be an https:// URL");
  }
  if (!j.contains("cameras") || !j["cameras"].is_array() || j["cameras"].empty()) {
    return c.Error("cameras", "must be an array of at least one camera");
  }
  std::set<std::string> ids;
  for (size_t i = 0; i < j["cameras"].size(); ++i) {
    const std::string where = "cameras[" + std::to_string(i) + "]";
    CameraConfig cam;
    CUSTODIAN_RETURN_IF_ERROR(ParseCamera(c, j["cameras"][i], where, &cam));
    if (!ids.insert(cam.id).second) return c.Error(where + ".id", "'" + cam.id + "' names another camera too");
    if (!config.server.empty() && cam.key_file.empty()) {
      return c.Error(where + ".key_file", "is required with a server: the camera's API key");
    }
    config.cameras.push_back(std::move(cam));
  }
  return config;
}

std::string DirectionLabel(const CameraConfig& camera, vision::Direction d) {
  switch (d) {
    case vision::Direction::kUp: return camera.up;
    case vision::Direction::kDown: return camera.down;
    case vision::Direction::kLeft: return camera.left;
    case vision::Direction::kRight: return camera.right;
    case vision::Direction::kNone: return "";
  }
  return "";
}

Result<WatchConfig> LoadWatchConfig(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) return Status::NotFound("no config file ", file.string());
  if (std::filesystem::file_size(file, ec) > (1u << 20)) {
    return Status::InvalidArgument(file.string(), ": larger than 1 MiB");
  }
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return Status::Unavailable("cannot read ", file.string());
  return ParseWatchConfig(text.str(), file.string());
}

}  // namespace custodian::watch
