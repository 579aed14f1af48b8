// The records store conformance suite (read_store_test.h): Images.
#include "store/read_store_test.h"

namespace custodian::store {
namespace {

TYPED_TEST_SUITE(ReadStoreTest, Backends);

// ---- Images ----

TYPED_TEST(ReadStoreTest, ImagesAreEncryptedAtRestAndTheKeyFileIsPrivate) {
  std::vector<uint8_t> crop = Bytes(std::string("JPEG-PLAINTEXT-MARKER ") + std::string(4000, 'x'));
  ReadInput in = this->MakeRead("img-1", "cam-a", "7ABC123", 0);
  in.plate_crop = crop;
  int64_t id = this->Ingest(in);
  auto r = this->store_->GetRead(id);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->plate_crop_sha256, ImageStore::Sha256Hex(crop));
  EXPECT_TRUE(r->frame_sha256.empty());

  struct stat st {};
  ASSERT_EQ(::stat((this->dir_ / "keys" / "image.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  // No file under the image folder holds the plaintext.
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(this->dir_ / "images")) {
    if (!e.is_regular_file()) continue;
    std::ifstream f(e.path(), std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    EXPECT_EQ(content.find("PLAINTEXT-MARKER"), std::string::npos) << e.path();
    ++files;
  }
  EXPECT_GE(files, 2);  // the image and the key check
  auto back = this->store_->GetImage(r->plate_crop_sha256);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, crop);
}

TYPED_TEST(ReadStoreTest, BatchWithManyImagesStoresEachOnceAndDurably) {
  std::vector<ReadInput> batch;
  for (int i = 0; i < 20; ++i) {
    ReadInput r = this->MakeRead("imgs-" + std::to_string(i), "cam-a", "IMG" + std::to_string(i), i);
    r.plate_crop = FakeImage(uint32_t(500 + i));
    r.frame = FakeImage(uint32_t(600 + i % 5), 8192);  // five frames, each shared by four reads
    batch.push_back(std::move(r));
  }
  auto res = this->store_->Ingest(batch);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  for (size_t i = 0; i < batch.size(); ++i) {
    auto r = this->store_->GetRead((*res)[i].read_id);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*this->store_->GetImage(r->plate_crop_sha256), batch[i].plate_crop);
    EXPECT_EQ(*this->store_->GetImage(r->frame_sha256), batch[i].frame);
  }
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(this->dir_ / "images")) {
    if (e.is_regular_file() && ImageStore::IsSha256Hex(e.path().filename().string())) ++files;
    EXPECT_EQ(e.path().string().find(".tmp."), std::string::npos) << e.path();  // no temporary left
  }
  EXPECT_EQ(files, 25);
  // Every file old enough to be judged: none is an orphan, none is missing.
  auto old = std::chrono::time_point_cast<std::chrono::system_clock::duration>(this->clock_.Now() -
                                                                                std::chrono::hours(2));
  for (const auto& e : fs::recursive_directory_iterator(this->dir_ / "images")) {
    if (e.is_regular_file()) fs::last_write_time(e.path(), std::chrono::file_clock::from_sys(old));
  }
  auto report = this->store_->VerifyImages({.grace = std::chrono::hours(1)});
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->orphans, 0);
  EXPECT_EQ(report->missing, 0);
}

TYPED_TEST(ReadStoreTest, WrongKeyIsAClearErrorNeverGarbage) {
  ReadInput in = this->MakeRead("img-1", "cam-a", "7ABC123", 0);
  in.plate_crop = FakeImage(9);
  int64_t id = this->Ingest(in);
  std::string sha = this->store_->GetRead(id)->plate_crop_sha256;
  this->store_.reset();

  // Another agency's key.
  fs::path other = this->dir_ / "other.key";
  {
    std::vector<uint8_t> k = FakeImage(1234, 32);
    int fd = ::open(other.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, k.data(), k.size()), 32);
    ::close(fd);
  }
  StoreOptions o = this->Options();
  o.key_file = other;
  auto s = this->Open(o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(s.status().message().find("wrong image key"), std::string::npos) << s.status().message();

  // The ImageStore alone, past the key check: decryption fails, nothing is returned.
  fs::remove(this->dir_ / "images" / "key-check");
  auto images = ImageStore::Open({.dir = this->dir_ / "images", .key_file = other});
  ASSERT_TRUE(images.ok()) << images.status().ToString();
  auto got = (*images)->Get(sha);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(got.status().message().find("wrong key"), std::string::npos) << got.status().message();
}

TYPED_TEST(ReadStoreTest, AlteredImageFileFailsAuthentication) {
  ReadInput in = this->MakeRead("img-1", "cam-a", "7ABC123", 0);
  in.plate_crop = FakeImage(11);
  std::string sha = this->store_->GetRead(this->Ingest(in))->plate_crop_sha256;
  fs::path file = this->dir_ / "images" / sha.substr(0, 2) / sha.substr(2, 2) / sha;
  ASSERT_TRUE(fs::exists(file));
  {  // flip bits of byte 100 (setting it to a fixed value was a no-op 1 time in 256)
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(100);
    const char was = char(f.get());
    f.seekp(100);
    f.put(char(was ^ 0x5a));
  }
  auto got = this->store_->GetImage(sha);
  EXPECT_EQ(got.status().code(), StatusCode::kPermissionDenied);
}

TYPED_TEST(ReadStoreTest, LostKeyIsRefusedAndNotSilentlyReplaced) {
  ReadInput in = this->MakeRead("img-1", "cam-a", "7ABC123", 0);
  in.plate_crop = FakeImage(12);
  this->Ingest(in);
  this->store_.reset();
  fs::remove(this->dir_ / "keys" / "image.key");
  auto s = this->Open();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(s.status().message().find("missing"), std::string::npos) << s.status().message();
  EXPECT_FALSE(fs::exists(this->dir_ / "keys" / "image.key"));
}

TYPED_TEST(ReadStoreTest, KeyFileReadableByOthersIsRefused) {
  this->store_.reset();
  fs::permissions(this->dir_ / "keys" / "image.key", fs::perms::group_read, fs::perm_options::add);
  auto s = this->Open();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kPermissionDenied);
}

TYPED_TEST(ReadStoreTest, OrphanImagesOlderThanTheGraceAreRemovedAndMissingOnesCounted) {
  ReadInput in = this->MakeRead("img-1", "cam-a", "7ABC123", 0);
  in.plate_crop = FakeImage(21);
  in.frame = FakeImage(22);
  auto read = this->store_->GetRead(this->Ingest(in));
  ASSERT_TRUE(read.ok());
  // An orphan: stored, then the ingest "crashed" before its read committed.
  auto orphan = this->store_->images().Put(FakeImage(23));
  auto young = this->store_->images().Put(FakeImage(24));
  ASSERT_TRUE(orphan.ok() && young.ok());
  // File ages are set explicitly: everything two hours old except the young orphan.
  auto set_age = [&](const std::string& sha, std::chrono::milliseconds age) {
    fs::path p = this->dir_ / "images" / sha.substr(0, 2) / sha.substr(2, 2) / sha;
    auto sys = std::chrono::time_point_cast<std::chrono::system_clock::duration>(this->clock_.Now() - age);
    fs::last_write_time(p, std::chrono::file_clock::from_sys(sys));
  };
  using std::chrono::hours;
  using std::chrono::minutes;
  set_age(read->plate_crop_sha256, hours(2));
  set_age(read->frame_sha256, hours(2));
  set_age(*orphan, hours(2));
  set_age(*young, minutes(5));

  auto report = this->store_->VerifyImages({.remove_orphans = false, .grace = hours(1)});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->files, 4);
  EXPECT_EQ(report->orphans, 1);
  EXPECT_EQ(report->orphans_removed, 0);
  EXPECT_TRUE(this->store_->images().Exists(*orphan));

  report = this->store_->VerifyImages({.remove_orphans = true, .grace = hours(1)});
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->orphans_removed, 1);
  EXPECT_FALSE(this->store_->images().Exists(*orphan));
  EXPECT_TRUE(this->store_->images().Exists(*young));
  EXPECT_TRUE(this->store_->GetImage(read->plate_crop_sha256).ok());
  EXPECT_EQ(report->missing, 0);

  ASSERT_TRUE(this->store_->images().Remove(read->frame_sha256).ok());
  report = this->store_->VerifyImages({});
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->missing, 1);
  EXPECT_EQ(this->store_->GetImage(read->frame_sha256).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace custodian::store
