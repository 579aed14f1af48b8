// The format of the signed packages (evidence exports, records-request packages): an
// export written now is version kExportFormatVersion with each read in the one shape of a
// read, and packages written by releases before it (version 1) still verify.
#include <sodium.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "custodian/core/clock.h"
#include "custodian/store/evidence.h"
#include "custodian/store/read_json.h"
#include "custodian/store/read_store.h"
#include "test_dirs.h"

namespace custodian::store {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const TimePoint kT0 = FromUnixMillis(1'767'225'600'000);  // 2026-01-01T00:00:00Z

std::string Hex(const unsigned char* p, size_t n) {
  std::vector<char> buf(n * 2 + 1);
  sodium_bin2hex(buf.data(), buf.size(), p, n);
  return std::string(buf.data(), n * 2);
}

std::string Sha256Hex(std::string_view data) {
  unsigned char d[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(d, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return Hex(d, sizeof d);
}

std::string ReadText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteText(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

class ExportFormatTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GE(sodium_init(), 0);
    dir_ = FreshTestDir("custodian_export_format");
    key_ = dir_ / "keys" / "agency.key";
    auto sk = LoadSigningKey(key_, /*create=*/true);
    ASSERT_TRUE(sk.ok()) << sk.status().ToString();
    sk_ = *sk;
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes a package into `out` as a release before this one did: `files` (relative path
  // -> content) and a manifest holding `manifest` plus the files' list, signed.
  void WriteOldPackage(const fs::path& out, const std::map<std::string, std::string>& files, json manifest) {
    manifest["public_key"] =
        Hex(sk_.data() + crypto_sign_SECRETKEYBYTES - crypto_sign_PUBLICKEYBYTES, crypto_sign_PUBLICKEYBYTES);
    manifest["files"] = json::array();
    for (const auto& [path, data] : files) {
      WriteText(out / path, data);
      manifest["files"].push_back({{"path", path}, {"sha256", Sha256Hex(data)}, {"size", int64_t(data.size())}});
    }
    const std::string text = manifest.dump(2) + "\n";
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(text.data()), text.size(), sk_.data());
    WriteText(out / "manifest.json", text);
    WriteText(out / "manifest.sig", Hex(sig, sizeof sig) + "\n");
  }

  fs::path dir_;
  fs::path key_;
  std::vector<unsigned char> sk_;
};

TEST_F(ExportFormatTest, AnEvidenceExportWritesEachReadInTheOneShapeAndItParsesBack) {
  FakeClock clock(kT0 + std::chrono::hours(1));
  auto opened = OpenStore(
      "sqlite://" + (dir_ / "custodian.db").string(),
      {.image_dir = dir_ / "images", .key_file = dir_ / "keys" / "image.key", .migrate = true, .clock = &clock});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  ReadStore& st = **opened;
  ASSERT_TRUE(st.PutAgency({.code = "CITYPD", .name = "City Police"}).ok());
  ASSERT_TRUE(st.PutCamera({.id = "cam-a", .name = "Main & 3rd", .agency_code = "CITYPD"}).ok());
  const std::vector<uint8_t> crop = {0xFF, 0xD8, 'c', 'r', 'o', 'p'};
  const ReadInput in{.event_id = "ev-1",
                     .camera_id = "cam-a",
                     .captured_at = kT0 + std::chrono::milliseconds(1'234),
                     .plate = "7abc 123",
                     .confidence = 0.75f,
                     .candidates = {{"7ABC128", 0.5f}},
                     .region = "CA",
                     .box = Box{1, 2, 30, 40},
                     .location = GeoPoint{37.5, -122.25},
                     .plate_crop = crop};
  auto id = st.IngestOne(in);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  auto hold = st.PlaceHold(
      {.case_number = "24-CR-0117", .reason = "hit and run", .placed_by = "det.alvarez", .read_ids = {id->read_id}});
  ASSERT_TRUE(hold.ok()) << hold.status().ToString();
  const fs::path out = dir_ / "evidence";
  auto ex = ExportEvidence(st, hold->id, {.out_dir = out, .signing_key_file = key_}, clock);
  ASSERT_TRUE(ex.ok()) << ex.status().ToString();

  EXPECT_EQ(json::parse(ReadText(out / "manifest.json"))["version"], kExportFormatVersion);
  auto check = VerifyEvidence(out);
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_TRUE(check->ok());
  EXPECT_EQ(check->version, kExportFormatVersion);

  json record = json::parse(ReadText(out / ("reads/" + std::to_string(id->read_id) + ".json")));
  auto stored = st.GetRead(id->read_id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(record, ReadToJson(*stored, {.image_hashes = true}));
  EXPECT_EQ(record["captured_at"], "2026-01-01T00:00:01.234Z");
  EXPECT_TRUE(fs::exists(out / ("images/" + record["plate_crop_sha256"].get<std::string>() + ".jpg")));
  auto back = ReadFromJson(record);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->event_id, "ev-1");
  EXPECT_EQ(back->camera_id, "cam-a");
  EXPECT_EQ(back->captured_at, in.captured_at);
  EXPECT_EQ(back->plate, "7ABC123");  // normalised
  EXPECT_EQ(back->confidence, 0.75f);
  ASSERT_EQ(back->candidates.size(), 1u);
  EXPECT_EQ(back->candidates[0].plate, "7ABC128");
  ASSERT_TRUE(back->box.has_value());
  EXPECT_EQ(back->box->height, 40);
  ASSERT_TRUE(back->location.has_value());
  EXPECT_EQ(back->location->lat, 37.5);
}

TEST_F(ExportFormatTest, AVersion1EvidenceExportStillVerifies) {
  const fs::path out = dir_ / "evidence-v1";
  const std::string sha(64, 'b');
  // As ExportEvidence wrote them before the one shape of a read.
  const json read = {{"id", 7},
                     {"event_id", "ev-7"},
                     {"camera_id", "cam-a"},
                     {"captured_ms", 1'767'225'601'234},
                     {"ingested_ms", 1'767'225'602'000},
                     {"plate_raw", "7abc 123"},
                     {"plate", "7ABC123"},
                     {"confidence", 0.75},
                     {"country", ""},
                     {"region", "CA"},
                     {"data_class", "public_safety"},
                     {"plate_crop_sha256", sha},
                     {"frame_sha256", ""},
                     {"candidates", json::array()},
                     {"box", {{"x", 1}, {"y", 2}, {"width", 30}, {"height", 40}}}};
  const json hold = {{"id", 1},
                     {"case_number", "24-CR-0117"},
                     {"reason", "hit and run"},
                     {"placed_by", "det.alvarez"},
                     {"placed_ms", 1'767'229'200'000},
                     {"released_by", ""},
                     {"reads", {7}}};
  WriteOldPackage(out,
                  {{"hold.json", hold.dump(2) + "\n"},
                   {"reads/7.json", read.dump(2) + "\n"},
                   {"images/" + sha + ".jpg", "\xff\xd8 an image"}},
                  {{"version", 1}, {"created_ms", 1'767'229'200'000}});
  WriteText(dir_ / "agency.pub", Hex(sk_.data() + 32, 32) + "\n");
  auto check = VerifyEvidence(out, {.public_key_file = dir_ / "agency.pub"});
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_TRUE(check->ok());
  EXPECT_TRUE(check->key_pinned);
  EXPECT_EQ(check->version, 1);
  // And a change to one of its reads is still found.
  WriteText(out / "reads/7.json", read.dump(2) + " \n");
  check = VerifyEvidence(out);
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_EQ(check->changed, std::vector<std::string>{"reads/7.json"});
}

TEST_F(ExportFormatTest, AVersion1RecordsRequestPackageStillVerifies) {
  const fs::path out = dir_ / "records-v1";
  // As FulfilRecordsRequest wrote it before the one shape of a read: box and location as arrays.
  const json reads = json::array({{{"id", 7},
                                   {"event_id", "ev-7"},
                                   {"camera_id", "cam-a"},
                                   {"captured_ms", 1'767'225'601'234},
                                   {"ingested_ms", 1'767'225'602'000},
                                   {"plate_raw", "7ABC123"},
                                   {"plate", "7ABC123"},
                                   {"confidence", 0.75},
                                   {"candidates", json::array()},
                                   {"country", ""},
                                   {"region", "CA"},
                                   {"data_class", "public_safety"},
                                   {"plate_crop_sha256", ""},
                                   {"frame_sha256", ""},
                                   {"box", {1, 2, 30, 40}},
                                   {"location", {37.5, -122.25}}}});
  const json request = {{"number", "RR-1"}, {"requester", "A. Reporter"}, {"requested_ms", 1'767'225'600'000}};
  WriteOldPackage(out, {{"reads.json", reads.dump(2)}, {"request.json", request.dump(2)}},
                  {{"version", 1}, {"created", 1'767'229'200'000}});
  auto check = VerifyEvidence(out);
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_TRUE(check->ok());
  EXPECT_EQ(check->version, 1);
}

TEST_F(ExportFormatTest, AManifestOfAnUnknownOrMissingVersionIsRefused) {
  const std::map<std::string, std::string> files = {{"reads.json", "[]"}};
  struct Case {
    const char* name;
    json manifest;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"future",
       {{"version", kExportFormatVersion + 1}},
       "manifest.json is format version " + std::to_string(kExportFormatVersion + 1) +
           "; this release reads versions 1 to " + std::to_string(kExportFormatVersion)},
      {"zero",
       {{"version", 0}},
       "manifest.json is format version 0; this release reads versions 1 to " + std::to_string(kExportFormatVersion)},
      {"text", {{"version", "2"}}, "manifest.json has no format version"},
      {"none", json::object(), "manifest.json has no format version"},
  };
  for (const auto& c : cases) {
    const fs::path out = dir_ / c.name;
    WriteOldPackage(out, files, c.manifest);
    auto check = VerifyEvidence(out);
    ASSERT_FALSE(check.ok()) << c.name;
    EXPECT_EQ(check.status().code(), StatusCode::kInvalidArgument) << c.name;
    EXPECT_EQ(check.status().message(), c.error) << c.name;
  }
}

}  // namespace
}  // namespace custodian::store
