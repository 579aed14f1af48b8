// The records store conformance suite (read_store_test.h): Evidence export (policy section 3).
#include "store/read_store_test.h"

namespace custodian::store {
namespace {

TYPED_TEST_SUITE(ReadStoreTest, Backends);

// ---- Evidence export (policy section 3) ----

TYPED_TEST(ReadStoreTest, EvidenceExportVerifiesAndDetectsChangedAddedOrMissingFiles) {
  ReadInput a = this->MakeRead("ev1", "cam-a", "7ABC123", 0);
  a.plate_crop = FakeImage(1);
  a.frame = FakeImage(2);
  ReadInput b = this->MakeRead("ev2", "cam-b", "7ABC123", 1);
  b.plate_crop = FakeImage(3);
  int64_t ia = this->Ingest(a), ib = this->Ingest(b);
  auto hold = this->store_->PlaceHold(
      {.case_number = "24-CR-0117", .reason = "hit and run", .placed_by = "det.alvarez", .read_ids = {ia, ib}});
  ASSERT_TRUE(hold.ok()) << hold.status().ToString();
  const fs::path out = this->dir_ / "evidence", key = this->dir_ / "keys" / "evidence.key";
  auto ex = ExportEvidence(*this->store_, hold->id, {.out_dir = out, .signing_key_file = key}, this->clock_);
  ASSERT_TRUE(ex.ok()) << ex.status().ToString();
  EXPECT_EQ(ex->reads, 2);
  EXPECT_EQ(ex->images, 3);
  EXPECT_EQ(fs::status(key).permissions() & fs::perms::group_all, fs::perms::none);
  EXPECT_EQ(fs::status(key).permissions() & fs::perms::others_all, fs::perms::none);
  EXPECT_TRUE(fs::exists(out / "hold.json"));
  EXPECT_TRUE(fs::exists(out / ("reads/" + std::to_string(ia) + ".json")));
  auto crop = this->store_->GetRead(ia)->plate_crop_sha256;
  ASSERT_TRUE(fs::exists(out / ("images/" + crop + ".jpg")));
  {
    std::ifstream in(out / ("images/" + crop + ".jpg"), std::ios::binary);
    std::vector<uint8_t> got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(got, FakeImage(1));  // decrypted, byte for byte
  }
  auto pub = EvidencePublicKey(key);
  ASSERT_TRUE(pub.ok());
  EXPECT_EQ(*pub, ex->public_key_hex);
  {
    std::ofstream(this->dir_ / "agency.pub") << *pub << "\n";
  }
  auto check = VerifyEvidence(out, {.public_key_file = this->dir_ / "agency.pub"});
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_TRUE(check->ok());
  EXPECT_TRUE(check->key_pinned);

  // A changed record, an added file and a missing image are each named.
  { std::ofstream(out / ("reads/" + std::to_string(ib) + ".json"), std::ios::app) << " "; }
  { std::ofstream(out / "images" / "extra.jpg") << "x"; }
  fs::remove(out / ("images/" + crop + ".jpg"));
  check = VerifyEvidence(out);
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_FALSE(check->ok());
  EXPECT_TRUE(check->signature_ok);
  EXPECT_EQ(check->changed, std::vector<std::string>{"reads/" + std::to_string(ib) + ".json"});
  EXPECT_EQ(check->added, std::vector<std::string>{"images/extra.jpg"});
  EXPECT_EQ(check->missing, std::vector<std::string>{"images/" + crop + ".jpg"});

  // An edited manifest fails its signature; so does a manifest signed by another key.
  { std::ofstream(out / "manifest.json", std::ios::app) << "\n"; }
  check = VerifyEvidence(out);
  ASSERT_TRUE(check.ok());
  EXPECT_FALSE(check->signature_ok);
  const fs::path out2 = this->dir_ / "evidence2";
  ASSERT_TRUE(ExportEvidence(*this->store_, hold->id, {.out_dir = out2, .signing_key_file = this->dir_ / "other.key"},
                             this->clock_)
                  .ok());
  check = VerifyEvidence(out2, {.public_key_file = this->dir_ / "agency.pub"});
  ASSERT_TRUE(check.ok());
  EXPECT_FALSE(check->signature_ok);

  // Refusals: a non-empty folder, an unknown hold, a folder with no manifest.
  EXPECT_EQ(ExportEvidence(*this->store_, hold->id, {.out_dir = out, .signing_key_file = key}, this->clock_)
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ExportEvidence(*this->store_, hold->id + 100, {.out_dir = this->dir_ / "e3", .signing_key_file = key},
                           this->clock_)
                .status()
                .code(),
            StatusCode::kNotFound);
  EXPECT_EQ(VerifyEvidence(this->dir_ / "keys").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace custodian::store
