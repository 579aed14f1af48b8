// Writing a whole file in one go, for the image store and evidence export. Internal.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <span>

#include "custodian/core/status.h"

namespace custodian::store::internal {

struct NewFileOptions {
  mode_t mode = 0644;
  bool sync = true;             // fsync the file before closing it
  bool remove_on_error = true;  // unlink a file this call created when a later step fails
};

// Creates `path`, which must not exist yet (O_EXCL), writes all of `data` (retrying on
// EINTR) and, when options.sync, fsyncs it. Does not sync the folder. kUnavailable
// naming the step ("create", "write", "fsync") and the path on failure.
Status WriteNewFile(const std::filesystem::path& path, std::span<const uint8_t> data, const NewFileOptions& options);

}  // namespace custodian::store::internal
