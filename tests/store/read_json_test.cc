// The one JSON shape of a read: ReadToJson writes it, ReadFromJson reads it back, and
// hostile input is refused with an error that names the field.
#include "custodian/store/read_json.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "custodian/core/utc_time.h"

namespace custodian::store {
namespace {

using nlohmann::json;

const TimePoint kCaptured = FromUnixMillis(1'767'225'600'123);  // 2026-01-01T00:00:00.123Z
const TimePoint kIngested = FromUnixMillis(1'767'225'601'456);

std::vector<uint8_t> Bytes(std::string_view s) {
  return {s.begin(), s.end()};
}

StoredRead FullRead() {
  return {.id = 42,
          .event_id = "cam7-000123",
          .camera_id = "cam7",
          .captured_at = kCaptured,
          .ingested_at = kIngested,
          .plate_raw = "7abc-123",
          .plate = "7ABC123",
          .confidence = 0.5f,
          .candidates = {{"7ABC128", 0.25f}, {"7A8C123", 0.125f}},
          .country = "us",
          .region = "CA",
          .box = Box{10, 20, 120, 40},
          .location = GeoPoint{37.5, -122.25},
          .data_class = DataClass::kNonPublicSafety,
          .plate_crop_sha256 = std::string(64, 'a'),
          .frame_sha256 = ""};
}

// A minimal read a camera sends.
json MinimalRead() {
  return {{"captured_at", "2026-01-01T00:00:00Z"}, {"plate", "7ABC123"}, {"confidence", 0.9}};
}

std::set<std::string> Keys(const json& j) {
  std::set<std::string> out;
  for (const auto& [k, v] : j.items()) out.insert(k);
  return out;
}

// The error ReadFromJson gives for `j` (or "ok").
std::string ErrorOf(const json& j, const ReadParseOptions& o = {}) {
  auto r = ReadFromJson(j, o);
  if (r.ok()) return "ok";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  return r.status().message();
}

TEST(ReadToJson, WritesTheApiShapeWithRfc3339Times) {
  json j = ReadToJson(FullRead());
  EXPECT_EQ(Keys(j), (std::set<std::string>{"id", "event_id", "camera_id", "captured_at", "ingested_at", "plate",
                                            "plate_raw", "confidence", "country", "region", "data_class", "has_crop",
                                            "has_frame", "candidates", "box", "location"}));
  EXPECT_EQ(j["id"], 42);
  EXPECT_EQ(j["captured_at"], "2026-01-01T00:00:00.123Z");
  EXPECT_EQ(j["ingested_at"], FormatUtcTime(kIngested));
  EXPECT_EQ(j["plate"], "7ABC123");
  EXPECT_EQ(j["plate_raw"], "7abc-123");
  EXPECT_EQ(j["confidence"], 0.5);
  EXPECT_EQ(j["data_class"], "non_public_safety");
  EXPECT_EQ(j["has_crop"], true);
  EXPECT_EQ(j["has_frame"], false);
  EXPECT_EQ(j["candidates"], json::parse(R"([{"plate":"7ABC128","confidence":0.25},
                                             {"plate":"7A8C123","confidence":0.125}])"));
  EXPECT_EQ(j["box"], json::parse(R"({"x":10,"y":20,"width":120,"height":40})"));
  EXPECT_EQ(j["location"], json::parse(R"({"lat":37.5,"lon":-122.25})"));
}

TEST(ReadToJson, LeavesOutBoxAndLocationWhenTheReadHasNone) {
  StoredRead r = FullRead();
  r.box.reset();
  r.location.reset();
  r.candidates.clear();
  json j = ReadToJson(r);
  EXPECT_FALSE(j.contains("box"));
  EXPECT_FALSE(j.contains("location"));
  EXPECT_EQ(j["candidates"], json::array());
}

TEST(ReadToJson, ImageHashesAndImageBytesOnlyWhenAsked) {
  json j = ReadToJson(FullRead(), {.image_hashes = true});
  EXPECT_EQ(j["plate_crop_sha256"], std::string(64, 'a'));
  EXPECT_EQ(j["frame_sha256"], "");
  EXPECT_FALSE(j.contains("plate_crop"));
  const auto crop = Bytes("crop bytes"), frame = Bytes("ab");
  json k = ReadToJson(FullRead(), {.plate_crop = crop, .frame = frame});
  EXPECT_FALSE(k.contains("plate_crop_sha256"));
  EXPECT_EQ(k["plate_crop"], "Y3JvcCBieXRlcw==");
  EXPECT_EQ(k["frame"], "YWI=");
}

TEST(ReadFromJson, ReadsBackWhatReadToJsonWrote) {
  const auto crop = Bytes("\xff\xd8 a crop"), frame = Bytes("\x89PNG a frame");
  const StoredRead in = FullRead();
  auto r = ReadFromJson(ReadToJson(in, {.image_hashes = true, .plate_crop = crop, .frame = frame}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->event_id, in.event_id);
  EXPECT_EQ(r->camera_id, in.camera_id);
  EXPECT_EQ(r->captured_at, in.captured_at);  // to the millisecond
  EXPECT_EQ(r->plate, in.plate);
  EXPECT_EQ(r->confidence, in.confidence);
  ASSERT_EQ(r->candidates.size(), 2u);
  EXPECT_EQ(r->candidates[1].plate, "7A8C123");
  EXPECT_EQ(r->candidates[1].confidence, 0.125f);
  EXPECT_EQ(r->country, "us");
  EXPECT_EQ(r->region, "CA");
  ASSERT_TRUE(r->box.has_value());
  EXPECT_EQ(r->box->width, 120);
  EXPECT_EQ(r->box->height, 40);
  ASSERT_TRUE(r->location.has_value());
  EXPECT_EQ(r->location->lon, -122.25);
  EXPECT_EQ(r->plate_crop, crop);
  EXPECT_EQ(r->frame, frame);
}

TEST(ReadInputToJson, ReadFromJsonReadsBackEveryField) {
  const ReadInput in = {.event_id = "cam7-000124",
                        .camera_id = "cam7",
                        .captured_at = kCaptured,
                        .plate = "7ABC123",
                        .confidence = 0.5f,
                        .candidates = {{"7ABC123", 0.5f}, {"7ABC128", 0.25f}},
                        .country = "us",
                        .region = "CA",
                        .box = Box{10, 20, 120, 40},
                        .location = GeoPoint{37.5, -122.25},
                        .plate_crop = Bytes("crop\xff" "bytes"),
                        .frame = Bytes("frame")};
  const json j = ReadInputToJson(in);
  EXPECT_EQ(j["captured_at"], "2026-01-01T00:00:00.123Z");
  auto back = ReadFromJson(j);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->event_id, in.event_id);
  EXPECT_EQ(back->camera_id, in.camera_id);
  EXPECT_EQ(back->captured_at, in.captured_at);
  EXPECT_EQ(back->plate, in.plate);
  EXPECT_FLOAT_EQ(back->confidence, in.confidence);
  ASSERT_EQ(back->candidates.size(), 2u);
  EXPECT_EQ(back->candidates[1].plate, "7ABC128");
  EXPECT_EQ(back->country, "us");
  EXPECT_EQ(back->region, "CA");
  ASSERT_TRUE(back->box.has_value());
  EXPECT_EQ(back->box->width, 120);
  ASSERT_TRUE(back->location.has_value());
  EXPECT_DOUBLE_EQ(back->location->lon, -122.25);
  EXPECT_EQ(back->plate_crop, in.plate_crop);
  EXPECT_EQ(back->frame, in.frame);
  // Empty optional fields are left out, not written empty.
  const json minimal = ReadInputToJson({.captured_at = kCaptured, .plate = "X1", .confidence = 1});
  EXPECT_EQ(Keys(minimal), (std::set<std::string>{"captured_at", "plate", "confidence", "candidates"}));
}

TEST(ReadFromJson, AMinimalReadHasEmptyOptionalFields) {
  auto r = ReadFromJson(MinimalRead());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->captured_at, FromUnixMillis(1'767'225'600'000));
  EXPECT_EQ(r->plate, "7ABC123");
  EXPECT_FLOAT_EQ(r->confidence, 0.9f);
  EXPECT_TRUE(r->event_id.empty());
  EXPECT_TRUE(r->camera_id.empty());
  EXPECT_TRUE(r->candidates.empty());
  EXPECT_FALSE(r->box.has_value());
  EXPECT_FALSE(r->location.has_value());
  EXPECT_TRUE(r->plate_crop.empty());
  EXPECT_TRUE(r->frame.empty());
  // Null is absent.
  json j = MinimalRead();
  for (const char* k :
       {"event_id", "camera_id", "country", "region", "candidates", "box", "location", "plate_crop", "frame"}) {
    j[k] = nullptr;
  }
  EXPECT_EQ(ErrorOf(j), "ok");
}

TEST(ReadFromJson, CaptureTimeIsRfc3339OrUnixMilliseconds) {
  json j = MinimalRead();
  j["captured_at"] = 1'767'225'600'007;
  EXPECT_EQ(ReadFromJson(j)->captured_at, FromUnixMillis(1'767'225'600'007));
  j["captured_at"] = "2026-01-01";
  EXPECT_EQ(ReadFromJson(j)->captured_at, FromUnixMillis(1'767'225'600'000));
  j["captured_at"] = "2026-01-01T00:00:01.5Z";
  EXPECT_EQ(ReadFromJson(j)->captured_at, FromUnixMillis(1'767'225'601'500));
}

TEST(ReadFromJson, MissingRequiredFieldsAreNamed) {
  for (const char* k : {"captured_at", "plate", "confidence"}) {
    json j = MinimalRead();
    j.erase(k);
    EXPECT_EQ(ErrorOf(j), std::string("missing field '") + k + "'");
  }
  EXPECT_EQ(ErrorOf(json::array()), "a read is a JSON object");
  EXPECT_EQ(ErrorOf(json("7ABC123")), "a read is a JSON object");
}

TEST(ReadFromJson, WrongTypesAreRefusedNamingTheField) {
  struct Case {
    const char* field;
    json value;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"event_id", 7, "field 'event_id' must be a string"},
      {"camera_id", json::array(), "field 'camera_id' must be a string"},
      {"plate", 7123, "field 'plate' must be a string"},
      {"confidence", "high", "field 'confidence' must be a number"},
      {"country", 5, "field 'country' must be a string"},
      {"region", true, "field 'region' must be a string"},
      {"captured_at", true, "field 'captured_at' must be an RFC 3339 UTC time or Unix milliseconds"},
      {"captured_at", 1.5e12, "field 'captured_at' must be an RFC 3339 UTC time or Unix milliseconds"},
      {"captured_at", "yesterday", "field 'captured_at': 'yesterday' is not YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC)"},
      {"candidates", json{{"plate", "X"}}, "field 'candidates' must be an array"},
      {"candidates", json::array({"7ABC128"}), "field 'candidates[0]' must be an object"},
      {"candidates", json::parse(R"([{"plate":"A1","confidence":0.1},{"confidence":0.2}])"),
       "missing field 'candidates[1].plate'"},
      {"candidates", json::parse(R"([{"plate":"A1","confidence":"high"}])"),
       "field 'candidates[0].confidence' must be a number"},
      {"box", "10,20,30,40", "field 'box' must be an object"},
      {"box", json{{"x", "left"}}, "field 'box.x' must be a whole number"},
      {"box", json{{"width", 1.5}}, "field 'box.width' must be a whole number"},
      {"box", json{{"y", -1}}, "field 'box.y' must be in 0..1000000"},
      {"box", json{{"height", 1'000'001}}, "field 'box.height' must be in 0..1000000"},
      {"location", json::array({37.5, -122.2}), "field 'location' must be an object"},
      {"location", json{{"lat", "north"}}, "field 'location.lat' must be a number"},
      {"plate_crop", 12, "field 'plate_crop' must be base64 text"},
      {"frame", json::object(), "field 'frame' must be base64 text"},
  };
  for (const auto& c : cases) {
    json j = MinimalRead();
    j[c.field] = c.value;
    EXPECT_EQ(ErrorOf(j), c.error) << c.field << " = " << c.value.dump();
  }
}

TEST(ReadFromJson, OverlongTextIsRefusedNamingTheField) {
  struct Case {
    const char* field;
    size_t max;
  };
  for (const Case& c :
       {Case{"event_id", 128}, Case{"camera_id", 128}, Case{"plate", 64}, Case{"country", 8}, Case{"region", 16}}) {
    json j = MinimalRead();
    j[c.field] = std::string(c.max, 'A');
    EXPECT_EQ(ErrorOf(j), "ok") << c.field;
    j[c.field] = std::string(c.max + 1, 'A');
    EXPECT_EQ(ErrorOf(j), std::string("field '") + c.field + "' is longer than " + std::to_string(c.max) + " bytes");
  }
  json j = MinimalRead();
  j["candidates"] = json::array({{{"plate", std::string(1'000'000, '7')}}});
  EXPECT_EQ(ErrorOf(j), "field 'candidates[0].plate' is longer than 64 bytes");
}

TEST(ReadFromJson, Base64IsDecodedWithOrWithoutPaddingInEitherAlphabet) {
  auto crop = [](const std::string& text) {
    json j = MinimalRead();
    j["plate_crop"] = text;
    auto r = ReadFromJson(j);
    EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
    return r.ok() ? std::string(r->plate_crop.begin(), r->plate_crop.end()) : std::string("(error)");
  };
  EXPECT_EQ(crop("Y3JvcCBieXRlcw=="), "crop bytes");
  EXPECT_EQ(crop("Y3JvcCBieXRlcw"), "crop bytes");         // no padding
  EXPECT_EQ(crop("Y3Jv\r\ncCBi eXRlcw=="), "crop bytes");  // line breaks and spaces
  EXPECT_EQ(crop("Y3JvcCBieXRlcx"), "crop bytes");         // non-zero bits after the last byte
  EXPECT_EQ(crop("/+8="), "\xff\xef");
  EXPECT_EQ(crop("_-8"), "\xff\xef");  // URL-safe
  EXPECT_EQ(crop(""), "");
}

TEST(ReadFromJson, BadBase64IsRefusedNamingTheField) {
  for (const char* bad : {"not base64!", "Y3JvcA=Bi", "Y", "Y3JvcCBieXRlcw===", "/+8-", "Y3Jv\tcA=="}) {
    json j = MinimalRead();
    j["frame"] = bad;
    EXPECT_EQ(ErrorOf(j), "field 'frame' is not valid base64") << bad;
  }
}

TEST(ReadFromJson, AnImageLargerThanTheStoreTakesIsRefusedBeforeDecoding) {
  json j = MinimalRead();
  j["plate_crop"] = std::string((kMaxImageBytes / 3 + 1) * 4, 'A');
  EXPECT_EQ(ErrorOf(j), "field 'plate_crop' holds more than " + std::to_string(kMaxImageBytes) + " bytes");
}

TEST(ReadFromJson, DeprecatedImageNamesOnlyWhenAskedAndNeverBesideTheNewOnes) {
  json j = MinimalRead();
  j["crop_b64"] = "Y3JvcCBieXRlcw==";
  j["frame_b64"] = "YWI=";
  auto plain = ReadFromJson(j);
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->plate_crop.empty());  // an unknown field to the API
  auto cli = ReadFromJson(j, {.deprecated_image_names = true});
  ASSERT_TRUE(cli.ok()) << cli.status().ToString();
  EXPECT_EQ(cli->plate_crop, Bytes("crop bytes"));
  EXPECT_EQ(cli->frame, Bytes("ab"));
  j["crop_b64"] = 5;
  EXPECT_EQ(ErrorOf(j, {.deprecated_image_names = true}), "field 'crop_b64' must be base64 text");
  j["crop_b64"] = "Y3JvcCBieXRlcw==";
  j["plate_crop"] = "Y3JvcCBieXRlcw==";
  EXPECT_EQ(ErrorOf(j, {.deprecated_image_names = true}),
            "give 'plate_crop' or its deprecated name 'crop_b64', not both");
}

TEST(ReadFromJson, FieldsTheStoreAssignsAreIgnored) {
  json j = MinimalRead();
  j["id"] = "not even a number";
  j["plate_raw"] = 5;
  j["data_class"] = "none";
  j["has_crop"] = "yes";
  j["vendor_extension"] = {{"a", 1}};
  EXPECT_EQ(ErrorOf(j), "ok");
}

}  // namespace
}  // namespace custodian::store
