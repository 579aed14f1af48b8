// The export folder: each records-request fulfilment and hold evidence export is written
// into a new sub-folder of ServerOptions::export_dir. Internal.
#pragma once

#include <filesystem>
#include <mutex>
#include <string>

#include "custodian/core/status.h"
#include "custodian/policy/governance.h"
#include "custodian/server/server.h"

namespace custodian::server::internal {

class ExportFolders {
 public:
  // `options` and `gov` (its clock) must outlive this.
  ExportFolders(const ServerOptions& options, const policy::Governance& gov) : options_(options), gov_(gov) {}

  // A new, empty folder `prefix`-<time> under options_.export_dir (created 0700 when
  // missing). kUnavailable when the server has no export folder.
  Result<std::filesystem::path> NewFolder(const std::string& prefix);

 private:
  const ServerOptions& options_;
  const policy::Governance& gov_;
  std::mutex mu_;
};

}  // namespace custodian::server::internal
