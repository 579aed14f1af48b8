// The records the store keeps: agencies, cameras, plate reads, and the search over them.
//
// Basic usage:
//   store::ReadInput r{.event_id = "cam7-000123", .camera_id = "cam7",
//                      .captured_at = FromUnixMillis(1'790'000'000'000), .plate = "7ABC123",
//                      .confidence = 0.93f, .plate_crop = jpeg_bytes};
//   auto id = read_store->IngestOne(r);
//   auto page = read_store->Search({.match = store::PlateMatch::kWildcard, .plate = "7AB*"});
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "custodian/core/clock.h"
#include "custodian/core/status.h"

namespace custodian::store {

// Limits on every field that comes from outside. A larger value is refused with
// kInvalidArgument before anything is written.
inline constexpr size_t kMaxIdLength = 128;            // event ids, camera ids, agency codes
inline constexpr size_t kMaxNameLength = 256;          // camera and agency names
inline constexpr size_t kMaxRawPlateLength = 32;       // the plate as read, in bytes
inline constexpr size_t kMaxPlateLength = 16;          // the normalised plate
inline constexpr size_t kMaxRegionLength = 16;         // country and state codes
inline constexpr size_t kMaxCandidates = 32;
inline constexpr size_t kMaxImageBytes = 32u << 20;    // one encoded image
inline constexpr size_t kMaxBatchSize = 10'000;        // reads per Ingest call
inline constexpr int kMaxPageSize = 1'000;

enum class CameraKind { kFixed, kMobile, kParking };
// Policy section 3 and the records request form separate these two classes of data;
// retention periods and coordinators differ per class.
enum class DataClass { kPublicSafety, kNonPublicSafety };

// "fixed", "mobile", "parking".
std::string_view CameraKindName(CameraKind kind);
Result<CameraKind> ParseCameraKind(std::string_view name);
// "public_safety", "non_public_safety".
std::string_view DataClassName(DataClass data_class);
Result<DataClass> ParseDataClass(std::string_view name);

struct GeoPoint {
  double lat = 0;  // degrees, -90..90
  double lon = 0;  // degrees, -180..180
};

// An inclusive latitude/longitude rectangle (no antimeridian wrap).
struct GeoBox {
  double min_lat = 0;
  double min_lon = 0;
  double max_lat = 0;
  double max_lon = 0;
};

struct Agency {
  std::string code;  // short unique identifier, e.g. "CITYPD"; 1..kMaxIdLength bytes
  std::string name;  // display name; up to kMaxNameLength bytes
  // Where and what it is (Civil Code 1798.90.55(b) allows sharing only with California
  // public agencies): a two-letter state ("CA") and one of "local", "county", "state",
  // "federal", "tribal", "private"; who recorded them and when. Empty kind on an update:
  // the recorded values are kept.
  std::string state;
  std::string kind;
  std::string recorded_by;
  std::optional<TimePoint> recorded_at;
};

struct Camera {
  std::string id;    // unique; 1..kMaxIdLength bytes
  std::string name;  // up to kMaxNameLength bytes
  CameraKind kind = CameraKind::kFixed;
  std::optional<GeoPoint> location;    // where a fixed camera stands; reads may carry their own
  std::optional<double> heading_deg;   // 0..360, clockwise from north
  std::string agency_code;             // the owning agency; must exist
  DataClass data_class = DataClass::kPublicSafety;
};

struct Candidate {
  std::string plate;
  float confidence = 0;  // 0..1
};

struct Box {
  int x = 0;
  int y = 0;
  int width = 0;
  int height = 0;
};

// One plate read as a camera or the engine delivers it.
struct ReadInput {
  // The client's id for this event. Ingest is idempotent by it: a retry with the same id
  // (and, being the same read, the same captured_at) returns the original read id and
  // writes nothing. Empty means no idempotency. SQLite keys it within the capture day
  // (UTC), so the same id on a read of another day is a new read there; PostgreSQL keys
  // it outright.
  std::string event_id;
  std::string camera_id;  // must exist
  TimePoint captured_at;  // UTC
  std::string plate;      // as read; normalised by NormalisePlate
  float confidence = 0;   // 0..1
  std::vector<Candidate> candidates;
  std::string country;    // e.g. "us"; may be empty
  std::string region;     // state or province, e.g. "CA"; may be empty
  std::optional<Box> box;             // the plate in the frame
  std::optional<GeoPoint> location;   // Default: the camera's location
  std::vector<uint8_t> plate_crop;    // encoded image bytes; may be empty
  std::vector<uint8_t> frame;         // encoded image bytes; may be empty
};

// A read as stored.
struct StoredRead {
  int64_t id = 0;
  std::string event_id;
  std::string camera_id;
  TimePoint captured_at;
  TimePoint ingested_at;
  std::string plate_raw;
  std::string plate;  // normalised
  float confidence = 0;
  std::vector<Candidate> candidates;
  std::string country;
  std::string region;
  std::optional<Box> box;
  std::optional<GeoPoint> location;
  DataClass data_class = DataClass::kPublicSafety;  // the camera's class at capture time
  std::string plate_crop_sha256;  // hex; empty when none
  std::string frame_sha256;       // hex; empty when none
};

struct IngestResult {
  int64_t read_id = 0;
  bool duplicate = false;  // true when the event id had been ingested before
  int alerts = 0;          // hotlist alerts this read raised on arrival
};

enum class PlateMatch {
  kAny,       // no plate condition (filters only)
  kExact,     // the normalised plate equals the term
  kWildcard,  // '*' any run of characters, '?' exactly one
  kFuzzy,     // equal under OCR confusions (0/O/D/Q, 1/I/L, 8/B, 5/S, 2/Z, 6/G)
};
// "any", "exact", "wildcard", "fuzzy".
std::string_view PlateMatchName(PlateMatch match);
Result<PlateMatch> ParsePlateMatch(std::string_view name);

// What one sharing grant opens: reads of one data class, from these cameras (empty: every
// camera of the class).
struct AccessScope {
  DataClass data_class = DataClass::kPublicSafety;
  std::vector<std::string> camera_ids;
};

struct SearchQuery {
  PlateMatch match = PlateMatch::kExact;
  // The search term. Letters, digits, spaces and '-' (and '*', '?' for kWildcard); any
  // other character is refused with kInvalidArgument, never interpreted.
  std::string plate;
  // kFuzzy only: also match plates one edit (substitution, insertion, deletion) away
  // from the confusion class. 0 or 1. Default: 0.
  int extra_edits = 0;
  std::optional<TimePoint> from;  // inclusive
  std::optional<TimePoint> to;    // exclusive
  std::vector<std::string> camera_ids;  // empty: all cameras
  std::optional<GeoBox> area;           // reads whose location lies inside
  std::optional<DataClass> data_class;
  // When not empty, only reads that one scope covers, class and camera together (the OR of
  // a partner agency's grants; the governance layer fills it). Default: empty.
  std::vector<AccessScope> scopes;
  // Page size, 1..kMaxPageSize. Default: 100.
  int limit = 100;
  // Empty for the first page, else SearchPage::next_cursor of the previous page.
  std::string cursor;
};

// Results newest first (capture time, then id, descending).
struct SearchPage {
  std::vector<StoredRead> reads;
  std::string next_cursor;  // empty when there are no more results
};

}  // namespace custodian::store
