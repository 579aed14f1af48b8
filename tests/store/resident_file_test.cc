// ResidentFile: maps a database file, follows its growth up to a limit, and keeps its pages
// in memory. Refresh is called directly (no thread), so nothing waits on a clock.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "store/sqlite/resident_file.h"
#include "test_dirs.h"

namespace custodian::store::internal {
namespace {

namespace fs = std::filesystem;

class ResidentFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("custodian_resident");
    file_ = dir_ / "db";
    page_ = size_t(::sysconf(_SC_PAGESIZE));
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Append(size_t bytes) {
    std::ofstream out(file_, std::ios::binary | std::ios::app);
    std::string chunk(bytes, 'x');
    out.write(chunk.data(), std::streamsize(chunk.size()));
  }

  // Pages of the file's first `bytes` that the kernel holds in memory (mincore through a
  // mapping of our own).
  size_t ResidentPages(size_t bytes) {
    int fd = ::open(file_.c_str(), O_RDONLY);
    EXPECT_GE(fd, 0);
    void* p = ::mmap(nullptr, bytes, PROT_READ, MAP_SHARED, fd, 0);
    EXPECT_NE(p, MAP_FAILED);
    std::vector<unsigned char> vec((bytes + page_ - 1) / page_);
    EXPECT_EQ(::mincore(p, bytes, vec.data()), 0);
    ::munmap(p, bytes);
    ::close(fd);
    size_t n = 0;
    for (unsigned char v : vec) n += v & 1;
    return n;
  }

  fs::path dir_, file_;
  size_t page_ = 4096;
};

TEST_F(ResidentFileTest, MapsTheWholeFileAndFollowsItsGrowthUpToTheLimit) {
  Append(3 * page_);
  auto r = ResidentFile::Start(file_, 8 * page_, std::chrono::milliseconds(0));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->mapped_bytes(), 3 * page_);

  Append(2 * page_ + 100);  // a partial page at the end is left out until it is whole
  auto grown = (*r)->Refresh();
  ASSERT_TRUE(grown.ok()) << grown.status().ToString();
  EXPECT_EQ(*grown, 5 * page_);

  Append(10 * page_);  // past the limit: the map stops there
  grown = (*r)->Refresh();
  ASSERT_TRUE(grown.ok());
  EXPECT_EQ(*grown, 8 * page_);
  EXPECT_EQ((*r)->mapped_bytes(), 8 * page_);
  EXPECT_EQ(ResidentPages(8 * page_), 8u);
}

TEST_F(ResidentFileTest, BringsBackPagesTheKernelDropped) {
  Append(16 * page_);
  // Write the file out and drop its pages from the page cache (clean pages nobody maps).
  int fd = ::open(file_.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::fdatasync(fd), 0);
  ASSERT_EQ(::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
  ::close(fd);
  const size_t before = ResidentPages(16 * page_);

  auto r = ResidentFile::Start(file_, 1 << 20, std::chrono::milliseconds(0));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(ResidentPages(16 * page_), 16u) << "resident before: " << before;
}

TEST_F(ResidentFileTest, AMissingFileIsAClearError) {
  auto r = ResidentFile::Start(dir_ / "nope.db", 1 << 20, std::chrono::milliseconds(0));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nope.db"), std::string::npos) << r.status().message();
}

TEST_F(ResidentFileTest, AnEmptyFileMapsNothingUntilItGrows) {
  Append(0);
  auto r = ResidentFile::Start(file_, 1 << 20, std::chrono::milliseconds(0));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->mapped_bytes(), 0u);
  Append(page_);
  auto grown = (*r)->Refresh();
  ASSERT_TRUE(grown.ok());
  EXPECT_EQ(*grown, page_);
}

// The thread refreshes on its own; stopping it (the destructor) must not wait for the
// interval to pass.
TEST_F(ResidentFileTest, StopsPromptlyWithAThread) {
  Append(page_);
  const auto t0 = std::chrono::steady_clock::now();
  {
    auto r = ResidentFile::Start(file_, 1 << 20, std::chrono::hours(1));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::minutes(1));
}

}  // namespace
}  // namespace custodian::store::internal
