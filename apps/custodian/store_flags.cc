#include "store_flags.h"

#include <cstdlib>
#include <ctime>

#include "custodian/core/utc_time.h"

namespace custodian::app {

void AddStoreFlags(CLI::App* cmd, StoreFlags* f) {
  cmd->add_option("--db", f->url, "Store URL: sqlite:///abs/path/file.db or postgresql://... (default: $CUSTODIAN_DB)");
  cmd->add_option("--images", f->images, "Image folder (default: images beside a SQLite file)");
  cmd->add_option("--key", f->key, "Image key file (default: image.key beside the image folder)");
}

Result<std::string> StoreUrl(const std::string& flag) {
  std::string url = flag;
  if (url.empty()) {
    if (const char* env = std::getenv("CUSTODIAN_DB"); env != nullptr) url = env;
  }
  if (url.empty()) return Status::InvalidArgument("no database; give --db URL or set CUSTODIAN_DB");
  return url;
}

Result<std::unique_ptr<store::ReadStore>> OpenStoreFromFlags(const StoreFlags& f) {
  CUSTODIAN_ASSIGN_OR_RETURN(std::string url, StoreUrl(f.url));
  return store::OpenStore(url, {.image_dir = f.images, .key_file = f.key, .create_key = false});
}

std::string FormatUtc(TimePoint t) {
  std::time_t secs = std::time_t(ToUnixMillis(t) / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<TimePoint> ParseUtc(std::string_view text) {
  Result<TimePoint> t = ParseUtcTime(text);
  if (!t.ok()) return Status::InvalidArgument("time ", t.status().message());
  return t;
}

}  // namespace custodian::app
