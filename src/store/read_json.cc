// A plate read as JSON: the one serializer and the one parser (read_json.h).
#include "custodian/store/read_json.h"

#include <sodium.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "custodian/core/utc_time.h"

namespace custodian::store {
namespace {

using nlohmann::json;

constexpr size_t kMaxEventIdBytes = 128;
constexpr size_t kMaxCameraIdBytes = 128;
constexpr size_t kMaxPlateBytes = 64;
constexpr size_t kMaxCountryBytes = 8;
constexpr size_t kMaxRegionBytes = 16;
constexpr int64_t kMaxBoxValue = 1'000'000;

std::string Base64(std::span<const uint8_t> bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

// Base64 text as read_json.h describes it, decoded by libsodium. Before decoding, the
// spaces and line breaks go, the padding is checked and set aside, and the bits after the
// last byte in the final character are cleared (libsodium refuses non-zero ones; RFC 4648
// 3.5 lets a decoder accept them, and `custodian ingest`'s input has always had them).
Result<std::vector<uint8_t>> FromBase64(std::string_view field, std::string_view text) {
  auto invalid = [&] { return Status::InvalidArgument("field '", field, "' is not valid base64"); };
  auto too_large = [&] {
    return Status::InvalidArgument("field '", field, "' holds more than ", kMaxImageBytes, " bytes");
  };
  auto ignored = [](char c) { return c == '\n' || c == '\r' || c == ' '; };
  auto decoded_size = [](size_t n) { return n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1); };
  // The size first, so that an oversized image is refused before anything is copied.
  if (text.size() > 2 * ((kMaxImageBytes + 2) / 3 * 4)) return too_large();
  size_t count = 0;
  for (char c : text) count += ignored(c) || c == '=' ? 0 : 1;
  if (decoded_size(count) > kMaxImageBytes) return too_large();
  std::string digits;
  digits.reserve(text.size());
  for (char c : text) {
    if (!ignored(c)) digits.push_back(c);
  }
  size_t padding = 0;
  while (!digits.empty() && digits.back() == '=') {
    digits.pop_back();
    ++padding;
  }
  if (padding > 2 || (padding > 0 && (digits.size() + padding) % 4 != 0) || digits.size() % 4 == 1) return invalid();
  const bool url_safe = digits.find_first_of("-_") != std::string::npos;
  if (url_safe && digits.find_first_of("+/") != std::string::npos) return invalid();
  const std::string_view alphabet = url_safe ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                                             : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  if (const size_t tail = digits.size() % 4; tail != 0) {
    const size_t value = alphabet.find(digits.back());
    if (value == std::string_view::npos) return invalid();
    digits.back() = alphabet[value & (tail == 2 ? 0x30 : 0x3C)];  // the bits of the last byte only
  }
  std::vector<uint8_t> out(digits.size() / 4 * 3 + 3);
  size_t n = 0;
  if (sodium_base642bin(
          out.data(), out.size(), digits.data(), digits.size(), nullptr, &n, nullptr,
          url_safe ? sodium_base64_VARIANT_URLSAFE_NO_PADDING : sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0) {
    return invalid();
  }
  out.resize(n);
  return out;
}

// The typed readers. A field is `key` of `j`, named in messages as `prefix` + `key`
// ("candidates[0]." + "plate"); the name is built only for a message, so a valid read costs
// no string per field. A missing or null field is absent. One lookup per field.
const json* Field(const json& j, const char* key) {
  auto it = j.find(key);
  return it == j.end() || it->is_null() ? nullptr : &*it;
}
bool Absent(const json& j, const char* key) { return Field(j, key) == nullptr; }
std::string Name(std::string_view prefix, const char* key) { return std::string(prefix) + key; }

Result<std::string> Text(const json& j, const char* key, std::string_view prefix, bool required, size_t max) {
  const json* f = Field(j, key);
  if (f == nullptr) {
    if (required) return Status::InvalidArgument("missing field '", Name(prefix, key), "'");
    return std::string();
  }
  if (!f->is_string()) return Status::InvalidArgument("field '", Name(prefix, key), "' must be a string");
  const auto& s = f->get_ref<const std::string&>();
  if (s.size() > max) return Status::InvalidArgument("field '", Name(prefix, key), "' is longer than ", max, " bytes");
  return s;
}

Result<double> Number(const json& j, const char* key, std::string_view prefix, bool required) {
  const json* f = Field(j, key);
  if (f == nullptr) {
    if (required) return Status::InvalidArgument("missing field '", Name(prefix, key), "'");
    return 0.0;
  }
  if (!f->is_number()) return Status::InvalidArgument("field '", Name(prefix, key), "' must be a number");
  return f->get<double>();
}

Result<int> BoxValue(const json& box, const char* key) {
  const json* f = Field(box, key);
  if (f == nullptr) return 0;
  if (!f->is_number_integer()) return Status::InvalidArgument("field '", Name("box.", key), "' must be a whole number");
  const int64_t v = f->get<int64_t>();
  if (v < 0 || v > kMaxBoxValue) {
    return Status::InvalidArgument("field '", Name("box.", key), "' must be in 0..", kMaxBoxValue);
  }
  return int(v);
}

Result<TimePoint> CaptureTime(const json& j, const char* key) {
  const json* f = Field(j, key);
  if (f == nullptr) return Status::InvalidArgument("missing field '", key, "'");
  if (f->is_number_integer()) return FromUnixMillis(f->get<int64_t>());
  if (!f->is_string()) {
    return Status::InvalidArgument("field '", key, "' must be an RFC 3339 UTC time or Unix milliseconds");
  }
  auto t = ParseUtcTime(f->get_ref<const std::string&>());
  if (!t.ok()) return Status::InvalidArgument("field '", key, "': ", t.status().message());
  return t;
}

// The bytes of image field `key`, or of its deprecated name `old_key` when given.
Result<std::vector<uint8_t>> Image(const json& j, const char* key, const char* old_key) {
  const char* used = key;
  if (old_key != nullptr && !Absent(j, old_key)) {
    if (!Absent(j, key)) {
      return Status::InvalidArgument("give '", key, "' or its deprecated name '", old_key, "', not both");
    }
    used = old_key;
  }
  if (Absent(j, used)) return std::vector<uint8_t>();
  if (!j[used].is_string()) return Status::InvalidArgument("field '", used, "' must be base64 text");
  return FromBase64(used, j[used].get_ref<const std::string&>());
}

Result<std::vector<Candidate>> Candidates(const json& j) {
  std::vector<Candidate> out;
  const json* list = Field(j, "candidates");
  if (list == nullptr) return out;
  if (!list->is_array()) return Status::InvalidArgument("field 'candidates' must be an array");
  out.reserve(list->size());
  char prefix[32];
  for (size_t i = 0; i < list->size(); ++i) {
    const int n = std::snprintf(prefix, sizeof prefix, "candidates[%zu].", i);
    const std::string_view name(prefix, size_t(n));
    const json& c = (*list)[i];
    if (!c.is_object()) return Status::InvalidArgument("field '", name.substr(0, name.size() - 1), "' must be an object");
    CUSTODIAN_ASSIGN_OR_RETURN(std::string plate, Text(c, "plate", name, true, kMaxPlateBytes));
    CUSTODIAN_ASSIGN_OR_RETURN(double confidence, Number(c, "confidence", name, false));
    out.push_back({std::move(plate), float(confidence)});
  }
  return out;
}

Result<std::optional<Box>> BoxOf(const json& j) {
  const json* found = Field(j, "box");
  if (found == nullptr) return std::optional<Box>();
  const json& b = *found;
  if (!b.is_object()) return Status::InvalidArgument("field 'box' must be an object");
  Box box;
  CUSTODIAN_ASSIGN_OR_RETURN(box.x, BoxValue(b, "x"));
  CUSTODIAN_ASSIGN_OR_RETURN(box.y, BoxValue(b, "y"));
  CUSTODIAN_ASSIGN_OR_RETURN(box.width, BoxValue(b, "width"));
  CUSTODIAN_ASSIGN_OR_RETURN(box.height, BoxValue(b, "height"));
  return std::optional<Box>(box);
}

Result<std::optional<GeoPoint>> LocationOf(const json& j) {
  const json* found = Field(j, "location");
  if (found == nullptr) return std::optional<GeoPoint>();
  const json& l = *found;
  if (!l.is_object()) return Status::InvalidArgument("field 'location' must be an object");
  GeoPoint p;
  CUSTODIAN_ASSIGN_OR_RETURN(p.lat, Number(l, "lat", "location.", false));
  CUSTODIAN_ASSIGN_OR_RETURN(p.lon, Number(l, "lon", "location.", false));
  return std::optional<GeoPoint>(p);
}

// "candidates", and "box" and "location" when the read has them: written alike for a stored
// read and for one to send.
void PutCandidatesBoxAndLocation(const std::vector<Candidate>& candidates, const std::optional<Box>& box,
                                 const std::optional<GeoPoint>& location, json& j) {
  j["candidates"] = json::array();
  for (const auto& c : candidates) j["candidates"].push_back({{"plate", c.plate}, {"confidence", c.confidence}});
  if (box) j["box"] = {{"x", box->x}, {"y", box->y}, {"width", box->width}, {"height", box->height}};
  if (location) j["location"] = {{"lat", location->lat}, {"lon", location->lon}};
}

}  // namespace

json ReadToJson(const StoredRead& r, const ReadJsonOptions& options) {
  json j = {{"id", r.id},
            {"event_id", r.event_id},
            {"camera_id", r.camera_id},
            {"captured_at", FormatUtcTime(r.captured_at)},
            {"ingested_at", FormatUtcTime(r.ingested_at)},
            {"plate", r.plate},
            {"plate_raw", r.plate_raw},
            {"confidence", r.confidence},
            {"country", r.country},
            {"region", r.region},
            {"data_class", std::string(DataClassName(r.data_class))},
            {"has_crop", !r.plate_crop_sha256.empty()},
            {"has_frame", !r.frame_sha256.empty()}};
  PutCandidatesBoxAndLocation(r.candidates, r.box, r.location, j);
  if (options.image_hashes) {
    j["plate_crop_sha256"] = r.plate_crop_sha256;
    j["frame_sha256"] = r.frame_sha256;
  }
  if (!options.plate_crop.empty()) j["plate_crop"] = Base64(options.plate_crop);
  if (!options.frame.empty()) j["frame"] = Base64(options.frame);
  return j;
}

json ReadInputToJson(const ReadInput& r) {
  json j = {{"captured_at", FormatUtcTime(r.captured_at)}, {"plate", r.plate}, {"confidence", r.confidence}};
  if (!r.event_id.empty()) j["event_id"] = r.event_id;
  if (!r.camera_id.empty()) j["camera_id"] = r.camera_id;
  if (!r.country.empty()) j["country"] = r.country;
  if (!r.region.empty()) j["region"] = r.region;
  PutCandidatesBoxAndLocation(r.candidates, r.box, r.location, j);
  if (!r.plate_crop.empty()) j["plate_crop"] = Base64(r.plate_crop);
  if (!r.frame.empty()) j["frame"] = Base64(r.frame);
  return j;
}

Result<ReadInput> ReadFromJson(const json& j, const ReadParseOptions& options) {
  if (!j.is_object()) return Status::InvalidArgument("a read is a JSON object");
  ReadInput r;
  CUSTODIAN_ASSIGN_OR_RETURN(r.event_id, Text(j, "event_id", "", false, kMaxEventIdBytes));
  CUSTODIAN_ASSIGN_OR_RETURN(r.camera_id, Text(j, "camera_id", "", false, kMaxCameraIdBytes));
  CUSTODIAN_ASSIGN_OR_RETURN(r.captured_at, CaptureTime(j, "captured_at"));
  CUSTODIAN_ASSIGN_OR_RETURN(r.plate, Text(j, "plate", "", true, kMaxPlateBytes));
  CUSTODIAN_ASSIGN_OR_RETURN(double confidence, Number(j, "confidence", "", true));
  r.confidence = float(confidence);
  CUSTODIAN_ASSIGN_OR_RETURN(r.country, Text(j, "country", "", false, kMaxCountryBytes));
  CUSTODIAN_ASSIGN_OR_RETURN(r.region, Text(j, "region", "", false, kMaxRegionBytes));
  CUSTODIAN_ASSIGN_OR_RETURN(r.candidates, Candidates(j));
  CUSTODIAN_ASSIGN_OR_RETURN(r.box, BoxOf(j));
  CUSTODIAN_ASSIGN_OR_RETURN(r.location, LocationOf(j));
  const bool old = options.deprecated_image_names;
  CUSTODIAN_ASSIGN_OR_RETURN(r.plate_crop, Image(j, "plate_crop", old ? "crop_b64" : nullptr));
  CUSTODIAN_ASSIGN_OR_RETURN(r.frame, Image(j, "frame", old ? "frame_b64" : nullptr));
  return r;
}

}  // namespace custodian::store
