// The export folder: a new sub-folder for each export.
#include "server/exports.h"

#include <string>

#include "custodian/core/utc_time.h"

namespace custodian::server::internal {
namespace {

// "2026-06-01T00:00:00Z" -> "20260601T000000Z": a time for folder names.
std::string Stamp(TimePoint t) {
  std::string s = FormatUtcTime(t);
  std::erase_if(s, [](char ch) { return ch == '-' || ch == ':'; });
  return s;
}

}  // namespace

Result<std::filesystem::path> ExportFolders::NewFolder(const std::string& prefix) {
  namespace fs = std::filesystem;
  if (options_.export_dir.empty()) {
    return Status::Unavailable("exports are not configured on this server (it has no export folder)");
  }
  std::error_code ec;
  if (!fs::exists(options_.export_dir, ec)) {
    fs::create_directories(options_.export_dir, ec);
    if (ec) return Status::Unavailable("cannot create the export folder: ", ec.message());
    fs::permissions(options_.export_dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  }
  const std::string base = prefix + "-" + Stamp(gov_.clock().Now());
  std::lock_guard lock(mu_);
  fs::path out = options_.export_dir / base;
  for (int n = 2; fs::exists(out, ec); ++n) out = options_.export_dir / (base + "-" + std::to_string(n));
  fs::create_directory(out, ec);
  if (ec) return Status::Unavailable("cannot create ", out.filename().string(), ": ", ec.message());
  fs::permissions(out, fs::perms::owner_all, fs::perm_options::replace, ec);
  return out;
}

}  // namespace custodian::server::internal
