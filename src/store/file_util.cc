#include "store/file_util.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace custodian::store::internal {

Status WriteNewFile(const std::filesystem::path& path, std::span<const uint8_t> data, const NewFileOptions& options) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, options.mode);
  if (fd < 0) return Status::Unavailable("create ", path.string(), ": ", std::strerror(errno));
  Status st = Status::Ok();
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      st = Status::Unavailable("write ", path.string(), ": ", std::strerror(errno));
      break;
    }
    off += size_t(n);
  }
  if (st.ok() && options.sync && ::fsync(fd) != 0) {
    st = Status::Unavailable("fsync ", path.string(), ": ", std::strerror(errno));
  }
  ::close(fd);
  if (!st.ok() && options.remove_on_error) ::unlink(path.c_str());
  return st;
}

}  // namespace custodian::store::internal
