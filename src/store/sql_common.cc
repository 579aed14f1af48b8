#include "store/sql_common.h"

#include <charconv>
#include <nlohmann/json.hpp>

namespace custodian::store::internal {

namespace {

std::vector<Candidate> ParseCandidates(const std::string& s) {
  std::vector<Candidate> out;
  auto j = nlohmann::json::parse(s, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) return out;
  for (const auto& e : j) {
    if (!e.is_object()) continue;
    out.push_back({e.value("plate", std::string()), e.value("confidence", 0.0f)});
  }
  return out;
}

}  // namespace

std::string InList(size_t n) {
  std::string s = "(";
  for (size_t i = 0; i < n; ++i) s += i ? ", ?" : "?";
  return s + ")";
}

Status CheckText(std::string_view what, std::string_view value, size_t max, bool allow_empty) {
  if (value.size() > max) return Status::InvalidArgument(what, " is ", value.size(), " bytes; the limit is ", max);
  if (!allow_empty && value.empty()) return Status::InvalidArgument(what, " is empty");
  if (!IsCleanUtf8(value)) return Status::InvalidArgument(what, " is not valid UTF-8 text (or holds a NUL byte)");
  return Status::Ok();
}

Status CheckPoint(std::string_view what, const GeoPoint& p) {
  if (!(p.lat >= -90 && p.lat <= 90) || !(p.lon >= -180 && p.lon <= 180)) {
    return Status::InvalidArgument(what, " is not a latitude/longitude");
  }
  return Status::Ok();
}

std::string EncodeCursor(int64_t ms, int64_t id) { return "c1." + std::to_string(ms) + "." + std::to_string(id); }

Status DecodeCursor(std::string_view c, int64_t* ms, int64_t* id) {
  auto bad = [] { return Status::InvalidArgument("malformed search cursor"); };
  if (c.size() > 64 || c.substr(0, 3) != "c1.") return bad();
  c.remove_prefix(3);
  size_t dot = c.find('.');
  if (dot == std::string_view::npos) return bad();
  auto a = c.substr(0, dot), b = c.substr(dot + 1);
  auto r1 = std::from_chars(a.data(), a.data() + a.size(), *ms);
  auto r2 = std::from_chars(b.data(), b.data() + b.size(), *id);
  if (r1.ec != std::errc() || r1.ptr != a.data() + a.size() || r2.ec != std::errc() ||
      r2.ptr != b.data() + b.size() || a.empty() || b.empty()) {
    return bad();
  }
  return Status::Ok();
}

StoredRead DecodeRead(const SqlRow& row) {
  StoredRead r;
  ColumnsTo(row, 0, r.id, r.event_id, r.camera_id, r.captured_at, r.ingested_at, r.plate_raw, r.plate, r.confidence);
  r.candidates = ParseCandidates(AsString(row[8]));
  ColumnsTo(row, 9, r.country, r.region);
  if (!IsNull(row[11])) {
    r.box = Box{int(AsInt(row[11])), int(AsInt(row[12])), int(AsInt(row[13])), int(AsInt(row[14]))};
  }
  if (!IsNull(row[15]) && !IsNull(row[16])) r.location = GeoPoint{AsDouble(row[15]), AsDouble(row[16])};
  r.data_class = AsInt(row[17]) == 0 ? DataClass::kPublicSafety : DataClass::kNonPublicSafety;
  ColumnsTo(row, 18, r.plate_crop_sha256, r.frame_sha256);
  return r;
}

std::string UpperAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');
  }
  return out;
}

// An entry matches a read's state unless both are known and differ.
bool StatesMatch(const std::string& entry_state, const std::string& read_region) {
  return entry_state.empty() || read_region.empty() || entry_state == UpperAscii(read_region);
}

Result<int> InsertAlert(SqlDriver& driver, const ReadKey& r, int64_t entry_id, bool exact, bool retroactive,
                        int64_t now_ms) {
  CUSTODIAN_ASSIGN_OR_RETURN(
      auto rows, driver.Query("INSERT INTO alerts (read_id, read_ms, entry_id, exact, retroactive, created_ms, state, "
                              "data_class) VALUES (?, ?, ?, ?, ?, ?, 'new', ?) ON CONFLICT (read_id, entry_id) DO "
                              "NOTHING RETURNING id",
                              {r.id, r.captured_ms, entry_id, int64_t(exact), int64_t(retroactive), now_ms,
                               r.data_class}));
  return int(rows.size());
}


constexpr int64_t kHoldLockKey = 0x637573746f6433;  // "custod3"

Status LockHolds(SqlDriver& driver) {
  return driver.Lock(kHoldLockKey);
}

// Valid UTF-8 without NUL bytes: what both backends store byte for byte.
bool IsCleanUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == 0) return false;
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    }
    if (n == 2 && c < 0xC2) return false;  // overlong
    i += n;
  }
  return true;
}
}  // namespace custodian::store::internal
