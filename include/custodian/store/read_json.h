// A plate read as JSON: the one shape every writer and reader of a read uses (the HTTP
// API, camera ingest, `custodian ingest` and `custodian search --json`, evidence exports
// and records-request packages).
//
// Basic usage:
//   nlohmann::json j = store::ReadToJson(stored_read);                        // the API's shape
//   nlohmann::json e = store::ReadToJson(stored_read, {.image_hashes = true});  // an export's
//   CUSTODIAN_ASSIGN_OR_RETURN(store::ReadInput in, store::ReadFromJson(body["reads"][0]));
//
// The shape (api/openapi.json's Read; docs/read-format.md):
//   "id", "event_id", "camera_id", "captured_at", "ingested_at", "plate" (normalised),
//   "plate_raw" (as read), "confidence", "country", "region", "data_class",
//   "has_crop", "has_frame", "candidates": [{"plate", "confidence"}, ...],
//   optional "box": {"x", "y", "width", "height"} (pixels), "location": {"lat", "lon"},
//   and, as options ask, "plate_crop_sha256", "frame_sha256" (hex, "" when none) and
//   "plate_crop", "frame" (the image bytes, base64).
// Times are RFC 3339 UTC with milliseconds ("2026-01-01T00:00:00.000Z", FormatUtcTime).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>

#include "custodian/core/status.h"
#include "custodian/store/types.h"

namespace custodian::store {

struct ReadJsonOptions {
  // Also write "plate_crop_sha256" and "frame_sha256" (hex; "" when the read has none),
  // the names of the images in an export's images/ folder. Default: false, the API's shape,
  // which allows no other field.
  bool image_hashes = false;
  // Image bytes to embed, base64 (RFC 4648, padded), as "plate_crop" and "frame": the
  // fields ReadFromJson reads. Default: empty, the field is left out.
  std::span<const uint8_t> plate_crop;
  std::span<const uint8_t> frame;
};

// `read` in the shape above. Thread-safe.
nlohmann::json ReadToJson(const StoredRead& read, const ReadJsonOptions& options = {});

// A read to send, in the shape ReadFromJson reads (an element of an ingest request's
// "reads"; images embedded base64; empty optional fields left out). Thread-safe.
nlohmann::json ReadInputToJson(const ReadInput& read);

struct ReadParseOptions {
  // Also read the deprecated names "crop_b64" and "frame_b64" for "plate_crop" and "frame"
  // (the names `custodian ingest` used before one shape). A read that gives a field under
  // both names is refused. Default: false.
  bool deprecated_image_names = false;
};

// The read a client sends, from `j` (one element of an ingest request's "reads", one line
// of `custodian ingest`, or anything ReadToJson wrote):
//   "captured_at"  REQUIRED: "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SS[.fraction]Z" (ParseUtcTime)
//                  or Unix milliseconds (a whole number)
//   "plate"        REQUIRED: a string of at most 64 bytes
//   "confidence"   REQUIRED: a number
//   "event_id", "camera_id"  strings of at most 128 bytes; "country" (8), "region" (16)
//   "candidates"   an array of {"plate" (REQUIRED, 64 bytes), "confidence" (a number; 0)}
//   "box"          {"x", "y", "width", "height"}: whole numbers in 0..1,000,000 (0 when absent)
//   "location"     {"lat", "lon"}: numbers (0 when absent)
//   "plate_crop", "frame"  image bytes, base64: the standard or URL-safe alphabet, padding
//                  optional, spaces and line breaks ignored, at most kMaxImageBytes decoded
// A missing or null optional field is empty; fields the store assigns (id, ingested_at,
// plate_raw, data_class, has_crop, has_frame, the image hashes) and unknown fields are
// ignored, so a read ReadToJson wrote parses back. kInvalidArgument naming the field
// ("field 'candidates[2].confidence' must be a number") for anything else. The store's
// Ingest checks the values themselves (plate characters, ranges, sizes). Thread-safe.
Result<ReadInput> ReadFromJson(const nlohmann::json& j, const ReadParseOptions& options = {});

}  // namespace custodian::store
