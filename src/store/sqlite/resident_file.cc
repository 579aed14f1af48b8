#include "store/sqlite/resident_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace custodian::store::internal {

namespace {
size_t PageSize() {
  static const size_t kPage = size_t(::sysconf(_SC_PAGESIZE));
  return kPage;
}
}  // namespace

Result<std::unique_ptr<ResidentFile>> ResidentFile::Start(const std::filesystem::path& file, size_t limit_bytes,
                                                          std::chrono::milliseconds interval) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::Unavailable("keep resident: open ", file.string(), ": ", std::strerror(errno));
  std::unique_ptr<ResidentFile> r(new ResidentFile(fd, limit_bytes, interval));
  if (interval.count() > 0) {
    r->thread_ = std::thread([p = r.get()] { p->Run(); });
  } else {
    CUSTODIAN_RETURN_IF_ERROR(r->Refresh().status());
  }
  return r;
}

ResidentFile::ResidentFile(int fd, size_t limit, std::chrono::milliseconds interval)
    : fd_(fd), limit_(limit / PageSize() * PageSize()), interval_(interval) {}

ResidentFile::~ResidentFile() {
  {
    std::lock_guard lock(wait_mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (map_ != nullptr) ::munmap(map_, map_len_);
  ::close(fd_);
}

size_t ResidentFile::mapped_bytes() const {
  std::lock_guard lock(mu_);
  return map_len_;
}

Result<size_t> ResidentFile::Refresh() {
  std::lock_guard lock(mu_);
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return Status::Unavailable("keep resident: fstat: ", std::strerror(errno));
  // Whole pages only: touching the tail of a partial last page is fine, but a page past
  // the end of the file would fault.
  const size_t size = std::min(size_t(st.st_size) / PageSize() * PageSize(), limit_);
  if (size > map_len_) {
    // Grow the map; mremap keeps the pages already mapped.
    void* p = map_ == nullptr ? ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd_, 0)
                              : ::mremap(map_, map_len_, size, MREMAP_MAYMOVE);
    if (p == MAP_FAILED) return Status::Unavailable("keep resident: map ", size, " bytes: ", std::strerror(errno));
    map_ = p;
    map_len_ = size;
  }
  if (size == 0) return size_t{0};
  // Ask for the pages not in memory in one go (the kernel reads them ahead), then touch
  // each so it is mapped here.
  ::madvise(map_, size, MADV_WILLNEED);
  const auto* bytes = static_cast<const volatile unsigned char*>(map_);
  unsigned sum = 0;
  const size_t pages = size / PageSize();
  for (size_t i = 0; i < pages; ++i) {
    if (i % 256 == 0 && stop_.load(std::memory_order_relaxed)) break;
    sum += bytes[i * PageSize()];
  }
  (void)sum;
  return size;
}

void ResidentFile::Run() {
  for (;;) {
    (void)Refresh();  // a failed refresh keeps what is mapped; the next one tries again
    std::unique_lock lock(wait_mu_);
    if (cv_.wait_for(lock, interval_, [this] { return stop_.load(); })) return;
  }
}

}  // namespace custodian::store::internal
