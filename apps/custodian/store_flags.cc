#include "store_flags.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace custodian::app {

void AddStoreFlags(CLI::App* cmd, StoreFlags* f) {
  cmd->add_option("--db", f->url, "Store URL: sqlite:///abs/path/file.db or postgresql://... (default: $CUSTODIAN_DB)");
  cmd->add_option("--images", f->images, "Image folder (default: images beside a SQLite file)");
  cmd->add_option("--key", f->key, "Image key file (default: image.key beside the image folder)");
}

Result<std::unique_ptr<store::ReadStore>> OpenStoreFromFlags(const StoreFlags& f) {
  std::string url = f.url;
  if (url.empty()) {
    if (const char* env = std::getenv("CUSTODIAN_DB"); env != nullptr) url = env;
  }
  if (url.empty()) return Status::InvalidArgument("no database; give --db URL or set CUSTODIAN_DB");
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
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  char tail = 0;
  std::string t(text);
  bool ok = false;
  if (t.size() == 10) {
    ok = std::sscanf(t.c_str(), "%4d-%2d-%2d%c", &y, &mo, &d, &tail) == 3;
  } else if (t.size() == 20) {
    ok = std::sscanf(t.c_str(), "%4d-%2d-%2dT%2d:%2d:%2dZ%c", &y, &mo, &d, &h, &mi, &s, &tail) == 6 && t[19] == 'Z';
  }
  if (!ok || y < 1970 || y >= 2200 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) {
    return Status::InvalidArgument("time '", t.substr(0, 40), "' is not YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC)");
  }
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return FromUnixMillis(int64_t(timegm(&tm)) * 1000);
}

}  // namespace custodian::app
