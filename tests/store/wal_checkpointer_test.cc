// WalCheckpointer: the writer's WAL copied back into the database file by a thread of its
// own, the WAL bounded while the writer never pauses, and checkpoints given back to the
// writer when the checkpointer goes. Real SQLite files; the checks read the files
// themselves (the main file alone, or the -wal file's size), one also the checkpointer's
// counts, and nothing waits on a clock: Drain() and the stall mark are the only waits.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "store/sqlite/sqlite_driver.h"
#include "store/sqlite/wal_checkpointer.h"
#include "test_dirs.h"

namespace custodian::store::internal {
namespace {

namespace fs = std::filesystem;

constexpr uintmax_t kFrameBytes = 4096 + 24;  // a WAL frame: header + 4 KiB page

class WalCheckpointerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("custodian_walckpt");
    file_ = dir_ / "w.db";
    auto w = OpenSqliteDriver(file_, /*create=*/true, /*cache_mib=*/16);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    writer_ = std::move(*w);
    // A random-keyed index, so that each transaction dirties pages all over the file.
    ASSERT_TRUE(writer_->ExecScript("CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT NOT NULL, v TEXT NOT NULL);"
                                    "CREATE INDEX t_k ON t (k);")
                    .ok());
  }
  void TearDown() override {
    writer_.reset();
    fs::remove_all(dir_);
  }

  // One transaction of `n` rows with random keys and values of `bytes`.
  void Insert(int n, size_t bytes = 200) {
    ASSERT_TRUE(writer_->Begin().ok());
    for (int i = 0; i < n; ++i) {
      std::string k = std::to_string(rng_()), v(bytes, char('a' + rng_() % 26));
      ASSERT_TRUE(writer_->Query("INSERT INTO t (k, v) VALUES (?, ?)", {k, v}).ok());
    }
    ASSERT_TRUE(writer_->Commit().ok());
    rows_ += n;
  }

  // Rows in a copy of the main database file alone (no WAL): what a checkpoint has copied.
  int64_t RowsInMainFile() {
    const fs::path copy = dir_ / "copy.db";
    fs::remove(copy);
    fs::copy_file(file_, copy);
    auto d = OpenSqliteDriver(copy, /*create=*/false, 16);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    if (!d.ok()) return -1;
    auto rows = (*d)->Query("SELECT count(*) FROM t", {});
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? AsInt((*rows)[0][0]) : -1;
  }

  uintmax_t WalBytes() {
    std::error_code ec;
    uintmax_t n = fs::file_size(fs::path(file_.string() + "-wal"), ec);
    return ec ? 0 : n;
  }

  fs::path dir_, file_;
  std::unique_ptr<SqlDriver> writer_;
  std::mt19937_64 rng_{7};
  int64_t rows_ = 0;
};

TEST_F(WalCheckpointerTest, DrainLeavesEveryCommittedRowInTheMainFile) {
  auto cp = WalCheckpointer::Start(*writer_, file_, {.pages = 100, .stall_pages = 100000});
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  for (int i = 0; i < 30; ++i) Insert(200);
  ASSERT_TRUE((*cp)->Drain().ok());
  EXPECT_EQ(RowsInMainFile(), rows_);
  // The writer left its own checkpoints to the thread: below its stall mark no commit waited.
  EXPECT_EQ((*cp)->stats().stalls, 0);
  EXPECT_GT((*cp)->stats().frames_copied, 100);
}

TEST_F(WalCheckpointerTest, TheWalStaysBoundedWhileTheWriterNeverPauses) {
  auto cp = WalCheckpointer::Start(*writer_, file_, {.pages = 100, .stall_pages = 400});
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  // A commit of 100 rows dirties at most a table page and an index page a row, and a few
  // more where a page splits.
  const uintmax_t per_commit = 2 * 100 + 16;
  uintmax_t most = 0;
  for (int i = 0; i < 300; ++i) {
    Insert(100);
    most = std::max(most, WalBytes());
  }
  // A commit that leaves 400 frames or more waits for a whole pass; the next transaction
  // then starts the WAL from its beginning (the file keeps its largest size).
  EXPECT_LE(most, (400 + per_commit) * kFrameBytes + 32) << "frames per commit " << per_commit;
  EXPECT_GT(most, 100 * kFrameBytes);  // the checkpoints did wait for the threshold
  ASSERT_TRUE((*cp)->Drain().ok());
  EXPECT_EQ(RowsInMainFile(), rows_);
}

TEST_F(WalCheckpointerTest, TheWriterCheckpointsForItselfAgainOnceTheCheckpointerIsGone) {
  {
    auto cp = WalCheckpointer::Start(*writer_, file_, {.pages = 100, .stall_pages = 100000});
    ASSERT_TRUE(cp.ok()) << cp.status().ToString();
    Insert(50);
  }
  // The writer's wal_autocheckpoint is back at 100 pages: a commit that leaves the WAL at
  // 100 frames or more copies it all (no reader holds a snapshot) before it returns, and
  // each of these writes more than 100 pages.
  for (int i = 0; i < 5; ++i) Insert(100, 5000);
  EXPECT_EQ(RowsInMainFile(), rows_);
}

TEST_F(WalCheckpointerTest, RefusesAStallMarkBelowTheThreshold) {
  auto cp = WalCheckpointer::Start(*writer_, file_, {.pages = 400, .stall_pages = 100});
  ASSERT_FALSE(cp.ok());
  EXPECT_NE(cp.status().ToString().find("stall_pages"), std::string::npos) << cp.status().ToString();
}

}  // namespace
}  // namespace custodian::store::internal
