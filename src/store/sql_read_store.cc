#include "store/sql_read_store.h"
#include "store/postgres/pg_roles.h"
#include "store/sqlite/day_tables.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "custodian/store/plate_key.h"

namespace custodian::store::internal {
namespace {

// Statements over a list of keys run in chunks of this many, the last one padded by
// repeating its first key, so each has one shape (one cached statement).
constexpr size_t kChunk = 100;

std::string InList(size_t n) {
  std::string s = "(";
  for (size_t i = 0; i < n; ++i) s += i ? ", ?" : "?";
  return s + ")";
}


constexpr int64_t kMsPerDay = 86'400'000;
constexpr int64_t kMaxCaptureMs = 7'258'118'400'000;  // 2200-01-01
constexpr size_t kMaxCameraFilter = 1'000;


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

Status WithIndex(size_t i, const Status& st) {
  if (st.ok()) return st;
  return Status(st.code(), "read " + std::to_string(i) + ": " + st.message());
}

std::string CandidatesJson(const std::vector<Candidate>& cs) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& c : cs) j.push_back({{"plate", c.plate}, {"confidence", c.confidence}});
  return j.dump();
}

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

constexpr const char* kReadColumns =
    "r.id, r.event_id, r.camera_id, r.captured_ms, r.ingested_ms, r.plate_raw, r.plate, r.confidence, "
    "r.candidates, r.country, r.region, r.box_x, r.box_y, r.box_w, r.box_h, r.lat, r.lon, r.data_class, "
    "r.crop_sha, r.frame_sha";

StoredRead DecodeRead(const SqlRow& row) {
  StoredRead r;
  r.id = AsInt(row[0]);
  r.event_id = AsString(row[1]);
  r.camera_id = AsString(row[2]);
  r.captured_at = FromUnixMillis(AsInt(row[3]));
  r.ingested_at = FromUnixMillis(AsInt(row[4]));
  r.plate_raw = AsString(row[5]);
  r.plate = AsString(row[6]);
  r.confidence = float(AsDouble(row[7]));
  r.candidates = ParseCandidates(AsString(row[8]));
  r.country = AsString(row[9]);
  r.region = AsString(row[10]);
  if (!IsNull(row[11])) {
    r.box = Box{int(AsInt(row[11])), int(AsInt(row[12])), int(AsInt(row[13])), int(AsInt(row[14]))};
  }
  if (!IsNull(row[15]) && !IsNull(row[16])) r.location = GeoPoint{AsDouble(row[15]), AsDouble(row[16])};
  r.data_class = AsInt(row[17]) == 0 ? DataClass::kPublicSafety : DataClass::kNonPublicSafety;
  r.plate_crop_sha256 = AsString(row[18]);
  r.frame_sha256 = AsString(row[19]);
  return r;
}

SqlValue OptionalDouble(const std::optional<double>& v) { return v ? SqlValue(*v) : SqlValue(); }

// A read checked and reduced to the values the row stores.
struct PreparedRead {
  std::string plate;
  std::string confusion_key;
  std::string candidates_json;
  std::string crop_sha;
  std::string frame_sha;
};

// How far ahead of the store's clock a capture time may be (camera clock skew). Further
// is refused: it is a broken clock, and on PostgreSQL each new day makes a partition.
constexpr int64_t kMaxFutureMs = kMsPerDay;

Status ValidateRead(const ReadInput& r, int64_t now_ms, PreparedRead* out) {
  CUSTODIAN_RETURN_IF_ERROR(CheckText("event id", r.event_id, kMaxIdLength, /*allow_empty=*/true));
  CUSTODIAN_RETURN_IF_ERROR(CheckText("camera id", r.camera_id, kMaxIdLength, /*allow_empty=*/false));
  int64_t ms = ToUnixMillis(r.captured_at);
  if (ms < 0 || ms >= kMaxCaptureMs) return Status::InvalidArgument("capture time is outside 1970..2200");
  if (ms > now_ms + kMaxFutureMs) return Status::InvalidArgument("capture time is more than a day in the future");
  CUSTODIAN_RETURN_IF_ERROR(CheckText("plate", r.plate, kMaxRawPlateLength, /*allow_empty=*/false));
  CUSTODIAN_ASSIGN_OR_RETURN(out->plate, NormalisePlate(r.plate));
  out->confusion_key = ConfusionKey(out->plate);
  if (!(r.confidence >= 0 && r.confidence <= 1)) return Status::InvalidArgument("confidence is not in 0..1");
  if (r.candidates.size() > kMaxCandidates) {
    return Status::InvalidArgument(r.candidates.size(), " candidates; the limit is ", kMaxCandidates);
  }
  for (const auto& c : r.candidates) {
    CUSTODIAN_RETURN_IF_ERROR(CheckText("candidate plate", c.plate, kMaxRawPlateLength, /*allow_empty=*/false));
    if (!(c.confidence >= 0 && c.confidence <= 1)) return Status::InvalidArgument("candidate confidence is not in 0..1");
  }
  out->candidates_json = CandidatesJson(r.candidates);
  CUSTODIAN_RETURN_IF_ERROR(CheckText("country", r.country, kMaxRegionLength, /*allow_empty=*/true));
  CUSTODIAN_RETURN_IF_ERROR(CheckText("region", r.region, kMaxRegionLength, /*allow_empty=*/true));
  if (r.box && (r.box->x < 0 || r.box->y < 0 || r.box->width <= 0 || r.box->height <= 0 || r.box->x > 100'000 ||
                r.box->y > 100'000 || r.box->width > 100'000 || r.box->height > 100'000)) {
    return Status::InvalidArgument("plate box is not inside a frame");
  }
  if (r.location) CUSTODIAN_RETURN_IF_ERROR(CheckPoint("location", *r.location));
  if (r.plate_crop.size() > kMaxImageBytes || r.frame.size() > kMaxImageBytes) {
    return Status::InvalidArgument("image is larger than ", kMaxImageBytes, " bytes");
  }
  return Status::Ok();
}

// The longest run of literal characters in a wildcard term, as [start, start + length).
std::pair<size_t, size_t> LongestLiteralRun(const std::string& term) {
  size_t best_start = 0, best_len = 0;
  for (size_t i = 0; i < term.size();) {
    if (term[i] == '*' || term[i] == '?') {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < term.size() && term[j] != '*' && term[j] != '?') ++j;
    if (j - i > best_len) {
      best_start = i;
      best_len = j - i;
    }
    i = j;
  }
  return {best_start, best_len};
}

std::string UpperAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');
  }
  return out;
}

// A read as hotlist matching sees it.
struct ReadKey {
  int64_t id;
  int64_t captured_ms;
  std::string plate;
  std::string confusion_key;
  std::string region;
  int64_t data_class = 0;  // the read's (0 public safety, 1 not); alerts carry it
};

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


// Rows of `sql_prefix` + InList(kChunk) + `sql_suffix` for every key, in statements of
// kChunk keys (the last padded by repeating a key), so each has one shape and one cached
// statement; `extra` is appended to each statement's parameters. Rows may repeat where a
// padded key does; callers key them by a column.
template <typename Db>  // SqlDriver or Txn
Result<std::vector<SqlRow>> SelectIn(Db& driver, const std::string& sql_prefix, const std::string& sql_suffix,
                                     const std::vector<std::string>& keys, const std::vector<SqlValue>& extra = {}) {
  std::vector<SqlRow> out;
  if (keys.empty()) return out;
  const std::string sql = sql_prefix + InList(kChunk) + sql_suffix;
  std::vector<SqlValue> params;
  params.reserve(kChunk + extra.size());
  for (size_t start = 0; start < keys.size(); start += kChunk) {
    params.clear();
    for (size_t i = 0; i < kChunk; ++i) params.emplace_back(keys[start + i < keys.size() ? start + i : start]);
    params.insert(params.end(), extra.begin(), extra.end());
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, driver.Query(sql, params));
    for (auto& r : rows) out.push_back(std::move(r));
  }
  return out;
}

// A hotlist entry as ingest matches it.
struct HotEntry {
  int64_t id;
  std::string plate;
  std::string state;
  std::optional<int64_t> expires_ms;
};

// The hotlist entries that may match a batch: those on any of its plates, and those on
// any of its confusion keys on a fuzzy list. Two indexed statements per 100 distinct
// keys instead of one probe per read.
struct BatchHotEntries {
  std::map<std::string, std::vector<HotEntry>, std::less<>> by_plate;
  std::map<std::string, std::vector<HotEntry>, std::less<>> fuzzy_by_key;
};

Result<BatchHotEntries> LoadHotEntries(SqlDriver& driver, const std::vector<std::string>& plates,
                                       const std::vector<std::string>& keys) {
  BatchHotEntries out;
  std::set<int64_t> seen;
  auto decode = [](const SqlRow& r) {
    HotEntry e{AsInt(r[0]), AsString(r[1]), AsString(r[3]), std::nullopt};
    if (!IsNull(r[4])) e.expires_ms = AsInt(r[4]);
    return e;
  };
  CUSTODIAN_ASSIGN_OR_RETURN(
      auto rows, SelectIn(driver,
                          "SELECT e.id, e.plate, e.confusion_key, e.state, e.expires_ms FROM hotlist_entries e "
                          "WHERE e.plate IN ",
                          "", plates));
  for (const auto& r : rows) {
    if (seen.insert(AsInt(r[0])).second) out.by_plate[AsString(r[1])].push_back(decode(r));
  }
  seen.clear();
  CUSTODIAN_ASSIGN_OR_RETURN(
      rows, SelectIn(driver,
                     "SELECT e.id, e.plate, e.confusion_key, e.state, e.expires_ms FROM hotlist_entries e "
                     "JOIN hotlists h ON h.id = e.hotlist_id WHERE e.confusion_key IN ",
                     " AND h.fuzzy = 1", keys));
  for (const auto& r : rows) {
    if (seen.insert(AsInt(r[0])).second) out.fuzzy_by_key[AsString(r[2])].push_back(decode(r));
  }
  return out;
}

// MatchRead over the entries LoadHotEntries found for the read's batch: an alert for each
// entry in force at the read's capture time that matches it. Returns how many.
Result<int> MatchReadInBatch(SqlDriver& driver, const BatchHotEntries& hot, const ReadKey& r, int64_t now_ms) {
  int n = 0;
  std::vector<int64_t> done;
  auto consider = [&](const HotEntry& e) -> Status {
    if (std::find(done.begin(), done.end(), e.id) != done.end()) return Status::Ok();
    done.push_back(e.id);
    if (e.expires_ms && *e.expires_ms <= r.captured_ms) return Status::Ok();
    if (!StatesMatch(e.state, r.region)) return Status::Ok();
    CUSTODIAN_ASSIGN_OR_RETURN(int added,
                               InsertAlert(driver, r, e.id, e.plate == r.plate, /*retroactive=*/false, now_ms));
    n += added;
    return Status::Ok();
  };
  if (auto it = hot.by_plate.find(r.plate); it != hot.by_plate.end()) {
    for (const auto& e : it->second) CUSTODIAN_RETURN_IF_ERROR(consider(e));
  }
  if (auto it = hot.fuzzy_by_key.find(r.confusion_key); it != hot.fuzzy_by_key.end()) {
    for (const auto& e : it->second) CUSTODIAN_RETURN_IF_ERROR(consider(e));
  }
  return n;
}

}  // namespace

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

template <typename Fn>
Status RunInTransaction(SqlDriver& driver, Fn&& fn) {
  CUSTODIAN_RETURN_IF_ERROR(driver.Begin());
  Status st = fn();
  if (!st.ok()) {
    (void)driver.Rollback();  // the original error is the one worth reporting
    return st;
  }
  return driver.Commit();
}

template <typename Fn>
Status SqlReadStore::InTransaction(Fn&& fn) {
  return RunInTransaction(*driver_, std::forward<Fn>(fn));
}

Result<int> SchemaVersionOf(SqlDriver& driver) {
  CUSTODIAN_ASSIGN_OR_RETURN(bool has, driver.HasTable("schema_version"));
  if (!has) return 0;
  CUSTODIAN_ASSIGN_OR_RETURN(auto rows, driver.Query("SELECT COALESCE(MAX(version), 0) FROM schema_version", {}));
  return rows.empty() ? 0 : int(AsInt(rows[0][0]));
}

Status MigrateSchema(SqlDriver& driver, bool apply, const Clock& clock, std::string_view backend) {
  auto migrations = driver.migrations();
  const int latest = int(migrations.size());
  CUSTODIAN_ASSIGN_OR_RETURN(int current, SchemaVersionOf(driver));
  if (current > latest) {
    return Status::InvalidArgument("the ", backend, " database is at schema version ", current,
                                   ", newer than this binary knows (", latest,
                                   "); run a custodian release that knows it");
  }
  if (current == latest) return Status::Ok();
  if (!apply) {
    return Status::InvalidArgument("the ", backend, " database is at schema version ", current, ", older than ",
                                   latest, "; run `custodian db migrate --db URL` first");
  }
  for (const Migration& m : migrations) {
    if (m.version <= current) continue;
    Status st = RunInTransaction(driver, [&]() -> Status {
      CUSTODIAN_RETURN_IF_ERROR(driver.LockForMigration());
      CUSTODIAN_RETURN_IF_ERROR(driver.ExecScript(
          "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
          "applied_ms BIGINT NOT NULL)"));
      CUSTODIAN_ASSIGN_OR_RETURN(int now_at, SchemaVersionOf(driver));
      if (now_at >= m.version) return Status::Ok();  // another process applied it meanwhile
      CUSTODIAN_RETURN_IF_ERROR(driver.ExecScript(m.sql));
      return driver
          .Query("INSERT INTO schema_version (version, name, applied_ms) VALUES (?, ?, ?)",
                 {int64_t(m.version), std::string(m.name), ToUnixMillis(clock.Now())})
          .status();
    });
    if (!st.ok()) {
      return Status(st.code(), "migration " + std::to_string(m.version) + " (" + m.name + "): " + st.message());
    }
  }
  // The tables these migrations added, granted to the server's role (PostgreSQL).
  return RegrantServerRoles(driver);
}

Result<std::unique_ptr<ReadStore>> SqlReadStore::Open(std::unique_ptr<SqlDriver> driver,
                                                      std::unique_ptr<ImageStore> images,
                                                      const StoreOptions& options, std::string_view backend) {
  CUSTODIAN_RETURN_IF_ERROR(MigrateSchema(*driver, options.migrate, *options.clock, backend));
  if (options.migrate && driver->dialect() == Dialect::kSqlite) CUSTODIAN_RETURN_IF_ERROR(KeyEventsByCamera(*driver));
  std::unique_ptr<SqlReadStore> store(new SqlReadStore(std::move(driver), std::move(images), options.clock, backend));
  // Images written by an ingest that died before its commit (see PendingImageJournal).
  SqlReadStore* s = store.get();
  CUSTODIAN_RETURN_IF_ERROR(RecoverPendingImages(
      *s->images_, [s](const std::string& sha) { return s->ImageReferenced(sha); }));
  return std::unique_ptr<ReadStore>(std::move(store));
}

Result<int> SqlReadStore::SchemaVersion() {
  std::lock_guard lock(mu_);
  return SchemaVersionOf(*driver_);
}

Status SqlReadStore::PutAgency(const Agency& a) {
  CUSTODIAN_RETURN_IF_ERROR(CheckText("agency code", a.code, kMaxIdLength, false));
  CUSTODIAN_RETURN_IF_ERROR(CheckText("agency name", a.name, kMaxNameLength, true));
  std::lock_guard lock(mu_);
  return InTransaction([&] {
    // An agency's state and kind are kept unless given anew (a rename alone keeps them).
    return driver_
        ->Query("INSERT INTO agencies (code, name, state, kind, recorded_by, recorded_ms) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (code) DO UPDATE SET name = excluded.name, "
                "state = CASE WHEN excluded.kind = '' THEN agencies.state ELSE excluded.state END, "
                "recorded_by = CASE WHEN excluded.kind = '' THEN agencies.recorded_by ELSE excluded.recorded_by END, "
                "recorded_ms = CASE WHEN excluded.kind = '' THEN agencies.recorded_ms ELSE excluded.recorded_ms END, "
                "kind = CASE WHEN excluded.kind = '' THEN agencies.kind ELSE excluded.kind END",
                {a.code, a.name, a.state, a.kind, a.recorded_by,
                 a.recorded_at ? SqlValue(ToUnixMillis(*a.recorded_at)) : SqlValue()})
        .status();
  });
}

Status SqlReadStore::PutCamera(const Camera& c) {
  CUSTODIAN_RETURN_IF_ERROR(CheckText("camera id", c.id, kMaxIdLength, false));
  CUSTODIAN_RETURN_IF_ERROR(CheckText("camera name", c.name, kMaxNameLength, true));
  CUSTODIAN_RETURN_IF_ERROR(CheckText("agency code", c.agency_code, kMaxIdLength, false));
  if (c.location) CUSTODIAN_RETURN_IF_ERROR(CheckPoint("camera location", *c.location));
  if (c.heading_deg && !(*c.heading_deg >= 0 && *c.heading_deg <= 360)) {
    return Status::InvalidArgument("camera heading is not in 0..360 degrees");
  }
  std::lock_guard lock(mu_);
  return InTransaction([&]() -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto found, driver_->Query("SELECT 1 FROM agencies WHERE code = ?", {c.agency_code}));
    if (found.empty()) return Status::NotFound("no agency '", c.agency_code, "'");
    return driver_
        ->Query(
            "INSERT INTO cameras (id, name, kind, lat, lon, heading, agency_code, data_class) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
            "kind = excluded.kind, lat = excluded.lat, lon = excluded.lon, heading = excluded.heading, "
            "agency_code = excluded.agency_code, data_class = excluded.data_class",
            {c.id, c.name, std::string(CameraKindName(c.kind)),
             OptionalDouble(c.location ? std::optional(c.location->lat) : std::nullopt),
             OptionalDouble(c.location ? std::optional(c.location->lon) : std::nullopt), OptionalDouble(c.heading_deg),
             c.agency_code, int64_t(c.data_class == DataClass::kPublicSafety ? 0 : 1)})
        .status();
  });
}

Result<Camera> SqlReadStore::GetCamera(std::string_view id) {
  CUSTODIAN_RETURN_IF_ERROR(CheckText("camera id", id, kMaxIdLength, false));
  std::lock_guard lock(mu_);
  CUSTODIAN_ASSIGN_OR_RETURN(auto rows, driver_->Query("SELECT id, name, kind, lat, lon, heading, agency_code, data_class "
                                                    "FROM cameras WHERE id = ?",
                                                    {std::string(id)}));
  if (rows.empty()) return Status::NotFound("no camera '", id, "'");
  const SqlRow& r = rows[0];
  Camera c;
  c.id = AsString(r[0]);
  c.name = AsString(r[1]);
  CUSTODIAN_ASSIGN_OR_RETURN(c.kind, ParseCameraKind(AsString(r[2])));
  if (!IsNull(r[3]) && !IsNull(r[4])) c.location = GeoPoint{AsDouble(r[3]), AsDouble(r[4])};
  if (!IsNull(r[5])) c.heading_deg = AsDouble(r[5]);
  c.agency_code = AsString(r[6]);
  c.data_class = AsInt(r[7]) == 0 ? DataClass::kPublicSafety : DataClass::kNonPublicSafety;
  return c;
}

// A caller's batch on its way into the database: checked, its cameras looked up and its
// images on disk before it joins a group commit (see RunIngestJob).
namespace {
struct CameraInfo {
  int64_t data_class = 0;
  SqlValue lat, lon;
};
}  // namespace

struct SqlReadStore::IngestJob {
  std::span<const ReadInput> batch;
  int64_t now_ms = 0;
  std::vector<PreparedRead> prepared;
  std::map<std::string, CameraInfo, std::less<>> cameras;
  std::vector<int64_t> days;
  std::vector<IngestResult> results;
  Status status;
};

Result<std::vector<IngestResult>> SqlReadStore::Ingest(std::span<const ReadInput> batch) {
  if (batch.size() > kMaxBatchSize) {
    return Status::InvalidArgument("batch of ", batch.size(), " reads; the limit is ", kMaxBatchSize);
  }
  IngestJob job;
  job.batch = batch;
  job.now_ms = ToUnixMillis(clock_->Now());
  job.prepared.resize(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    CUSTODIAN_RETURN_IF_ERROR(WithIndex(i, ValidateRead(batch[i], job.now_ms, &job.prepared[i])));
  }
  std::set<int64_t> days;
  for (const ReadInput& r : batch) days.insert(ToUnixMillis(r.captured_at) / kMsPerDay);
  job.days.assign(days.begin(), days.end());
  // The cameras on a read connection (SQLite), not queued behind the writer's transactions.
  // One statement per 100 cameras, not one per camera.
  CUSTODIAN_RETURN_IF_ERROR(WithReader([&](SqlDriver& d) -> Status {
    std::set<std::string_view> ids;
    for (const ReadInput& r : batch) ids.insert(r.camera_id);
    CUSTODIAN_ASSIGN_OR_RETURN(
        auto rows, SelectIn(d, "SELECT id, data_class, lat, lon FROM cameras WHERE id IN ", "",
                            std::vector<std::string>(ids.begin(), ids.end())));
    for (const auto& row : rows) job.cameras[AsString(row[0])] = {AsInt(row[1]), row[2], row[3]};
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!job.cameras.count(batch[i].camera_id)) {
        return WithIndex(i, Status::NotFound("no camera '", batch[i].camera_id, "'"));
      }
    }
    return Status::Ok();
  }));

  // Images first, each durable on disk before any row that refers to it commits, and
  // listed in a pending journal before that: a crash between here and the commit leaves
  // files that the next open deletes (see PendingImageJournal). Outside the lock: other
  // calls need not wait for these fsyncs.
  std::vector<std::span<const uint8_t>> images;
  std::vector<std::string*> image_shas;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!batch[i].plate_crop.empty()) {
      images.push_back(batch[i].plate_crop);
      image_shas.push_back(&job.prepared[i].crop_sha);
    }
    if (!batch[i].frame.empty()) {
      images.push_back(batch[i].frame);
      image_shas.push_back(&job.prepared[i].frame_sha);
    }
  }
  PendingImageJournal journal;
  if (!images.empty()) {
    std::vector<std::string> pending;
    pending.reserve(images.size());
    for (const auto& img : images) pending.push_back(ImageStore::Sha256Hex(img));
    CUSTODIAN_ASSIGN_OR_RETURN(journal, PendingImageJournal::Begin(images_->dir(), pending));
    CUSTODIAN_ASSIGN_OR_RETURN(auto shas, images_->PutMany(images));
    for (size_t k = 0; k < shas.size(); ++k) *image_shas[k] = std::move(shas[k]);
  }

  Status written = RunIngestJob(job);
  if (!written.ok()) return written;  // the journal stays: the next open deletes the images
  journal.Committed();
  return std::move(job.results);
}

// Group commit: callers that arrive while a transaction is being written queue up, and
// the next leader writes all of them in one transaction (one WAL sync instead of one per
// caller; each index page the batches share is written once). Every caller still returns
// only after the transaction that holds its reads has committed, so a read is durable
// before it is acknowledged. A group is at most kMaxGroupReads reads (or one batch, if
// larger): the writer is held for the whole group, and a search's access-log entry waits
// for it, so groups stay short (~5-15 ms) however many cameras are queued.
Status SqlReadStore::RunIngestJob(IngestJob& job) {
  constexpr size_t kMaxGroupReads = 200;
  ingest_group_.Run(job, kMaxGroupReads, [](const IngestJob& j) { return j.batch.size(); },
                    [this](std::vector<IngestJob*>& jobs) { WriteIngestGroup(jobs); });
  return job.status;
}

// One transaction for the whole group. Should it fail, each batch is written again on its
// own, so that one caller's failure is that caller's alone: a batch commits all of its
// reads or none of them.
void SqlReadStore::WriteIngestGroup(std::vector<IngestJob*>& jobs) {
  std::lock_guard lock(mu_);
  std::vector<IngestJob*> live;
  for (IngestJob* job : jobs) {
    job->status = driver_->EnsureReadPartitions(job->days);
    if (job->status.ok()) live.push_back(job);
  }
  if (live.empty()) return;
  // The new plates' trigrams are written last, in one statement (see PendingTrigrams).
  auto write = [this](std::span<IngestJob* const> group) {
    return InTransaction([&]() -> Status {
      PendingTrigrams trigrams;
      for (IngestJob* job : group) CUSTODIAN_RETURN_IF_ERROR(WriteIngestJob(*job, trigrams));
      DriverTxn txn(*driver_);
      return WritePendingTrigrams(txn, trigrams);
    });
  };
  Status group = write(live);
  if (group.ok() || live.size() == 1) {
    for (IngestJob* job : live) job->status = group;
    return;
  }
  for (IngestJob* job : live) job->status = write(std::span<IngestJob* const>(&job, 1));
}

// A batch's rows, inside the caller's transaction.
Status SqlReadStore::WriteIngestJob(IngestJob& job, PendingTrigrams& trigrams) {
  const std::span<const ReadInput> batch = job.batch;
  const std::vector<PreparedRead>& prepared = job.prepared;
  const int64_t now_ms = job.now_ms;
  std::vector<IngestResult>& results = job.results;
  results.assign(batch.size(), IngestResult{});
  {
    // Event ids seen before, and the hotlist entries the batch's plates may match: a few
    // statements for the whole batch, not probes per read. On SQLite only the plates and
    // keys some hotlist holds are looked up (RefreshHotlistFilter).
    const bool filter = driver_->dialect() == Dialect::kSqlite;
    if (filter) CUSTODIAN_RETURN_IF_ERROR(RefreshHotlistFilter());
    std::vector<std::string> event_ids, plates, hot_plates, hot_keys;
    {
      std::unordered_set<std::string_view> e, pl, k;
      e.reserve(batch.size());
      pl.reserve(batch.size());
      k.reserve(batch.size());
      for (size_t i = 0; i < batch.size(); ++i) {
        const std::string& plate = prepared[i].plate;
        const std::string& key = prepared[i].confusion_key;
        if (!batch[i].event_id.empty() && e.insert(batch[i].event_id).second) event_ids.push_back(batch[i].event_id);
        if (pl.insert(plate).second) {
          plates.push_back(plate);
          if (!filter || hot_plates_.MayContain(plate)) hot_plates.push_back(plate);
        }
        if (k.insert(key).second && (!filter || hot_fuzzy_keys_.MayContain(key))) hot_keys.push_back(key);
      }
    }
    // Event ids already stored, by (capture day, event id, camera): an event id is a
    // camera's own, so two cameras' reads with one event id are two reads. On SQLite it is
    // unique within its read's capture day (reads_by_event, migration 8; a retry is the
    // same read, so the same capture time), which keeps that index's writes and a purge's
    // deletes in one stretch per day; PostgreSQL keeps read_events, unique per camera.
    using EventKey = std::tuple<int64_t, std::string, std::string>;
    std::map<EventKey, int64_t, std::less<>> known_events;
    auto event_day = [&](const ReadInput& r) { return filter ? ToUnixMillis(r.captured_at) / kMsPerDay : 0; };
    auto event_key = [&](const ReadInput& r) { return EventKey(event_day(r), r.event_id, r.camera_id); };
    if (filter) {
      // SQLite: each capture day's table (created here when the batch brings its first
      // read), and the unique event ids of its table; reads stored before migration 9
      // are in reads_legacy, keyed by (day, event id).
      std::set<int64_t> days;
      for (const ReadInput& r : batch) days.insert(event_day(r));
      CUSTODIAN_ASSIGN_OR_RETURN(const std::set<int64_t> existing, ExistingReadDays(*driver_, days));
      std::map<int64_t, std::set<std::string>> by_day;
      for (const ReadInput& r : batch) {
        if (!r.event_id.empty()) by_day[event_day(r)].insert(r.event_id);
      }
      CUSTODIAN_ASSIGN_OR_RETURN(bool legacy, LegacyLeft(*driver_));
      for (const auto& [day, ids] : by_day) {
        const std::vector<std::string> list(ids.begin(), ids.end());
        if (existing.count(day)) {
          CUSTODIAN_ASSIGN_OR_RETURN(auto rows, SelectIn(*driver_, "SELECT event_id, camera_id, id FROM " +
                                                                       DayTableName(day) + " WHERE event_id IN ",
                                                         "", list));
          for (const auto& row : rows) known_events[{day, AsString(row[0]), AsString(row[1])}] = AsInt(row[2]);
        }
        if (!legacy) continue;
        CUSTODIAN_ASSIGN_OR_RETURN(auto old_rows,
                                   SelectIn(*driver_, kSqliteEventLookupPrefix, kSqliteEventLookupSuffix, list, {day}));
        for (const auto& row : old_rows) known_events[{day, AsString(row[0]), AsString(row[1])}] = AsInt(row[2]);
      }
      // Tables for the days of the reads that are not retries.
      std::set<int64_t> needed;
      for (const ReadInput& r : batch) {
        if (r.event_id.empty() || !known_events.count(event_key(r))) needed.insert(event_day(r));
      }
      for (int64_t day : existing) needed.erase(day);
      CUSTODIAN_RETURN_IF_ERROR(EnsureDayTables(*driver_, needed));
    } else {
      CUSTODIAN_ASSIGN_OR_RETURN(
          auto event_rows,
          SelectIn(*driver_, "SELECT event_id, camera_id, read_id FROM read_events WHERE event_id IN ", "", event_ids));
      for (const auto& row : event_rows) known_events[{0, AsString(row[0]), AsString(row[1])}] = AsInt(row[2]);
    }
    CUSTODIAN_ASSIGN_OR_RETURN(BatchHotEntries hot, LoadHotEntries(*driver_, hot_plates, hot_keys));
    // Plates already indexed: a read of one of them adds nothing to plates or the trigrams
    // (SQLite: unless it is older than the plate's first day, which it then lowers).
    std::unordered_map<std::string, std::optional<int64_t>> indexed;  // plate -> first_day
    indexed.reserve(plates.size());
    CUSTODIAN_ASSIGN_OR_RETURN(
        auto plate_rows, SelectIn(*driver_, std::string("SELECT plate, ") + (filter ? "first_day" : "NULL") +
                                                " FROM plates WHERE plate IN ",
                                  "", plates));
    for (const auto& row : plate_rows) {
      indexed[AsString(row[0])] = IsNull(row[1]) ? std::nullopt : std::optional<int64_t>(AsInt(row[1]));
    }
    DriverTxn txn(*driver_);  // for IndexPlate, shared with CorrectRead
    std::unordered_map<std::string, int64_t> in_batch;  // camera + '\n' + event id
    in_batch.reserve(batch.size());
    std::map<int64_t, int64_t> next_ids;  // SQLite: day -> the next read id in its table
    std::map<int64_t, std::string> insert_sql;  // SQLite: day -> the INSERT into its table
    std::vector<SqlValue> values;
    for (size_t i = 0; i < batch.size(); ++i) {
      const ReadInput& r = batch[i];
      const PreparedRead& p = prepared[i];
      if (!r.event_id.empty()) {
        if (auto it = in_batch.find(r.camera_id + '\n' + r.event_id); it != in_batch.end()) {
          results[i] = {it->second, true};
          continue;
        }
        if (!known_events.empty()) {
          if (auto it = known_events.find(event_key(r)); it != known_events.end()) {
            results[i] = {it->second, true};
            continue;
          }
        }
      }
      for (const auto* img : {&r.plate_crop, &r.frame}) {
        if (img->empty()) continue;
        const std::string& sha = img == &r.plate_crop ? p.crop_sha : p.frame_sha;
        CUSTODIAN_RETURN_IF_ERROR(driver_
                                      ->Query("INSERT INTO images (sha256, size, refs, created_ms) VALUES (?, ?, 1, ?) "
                                              "ON CONFLICT (sha256) DO UPDATE SET refs = images.refs + 1",
                                              {sha, int64_t(img->size()), now_ms})
                                      .status());
      }
      const CameraInfo& cam = job.cameras.find(r.camera_id)->second;
      SqlValue lat = r.location ? SqlValue(r.location->lat) : cam.lat;
      SqlValue lon = r.location ? SqlValue(r.location->lon) : cam.lon;
      if (IsNull(lat) || IsNull(lon)) lat = lon = SqlValue();
      auto box = [&](int v) { return r.box ? SqlValue(int64_t(v)) : SqlValue(); };
      auto opt_text = [](const std::string& s) { return s.empty() ? SqlValue() : SqlValue(s); };
      values.clear();
      if (filter) values.emplace_back();  // the id, below
      values.insert(values.end(), {
          opt_text(r.event_id), r.camera_id, ToUnixMillis(r.captured_at), now_ms, r.plate, p.plate,
          Reversed(p.plate), p.confusion_key, double(r.confidence), p.candidates_json, r.country, r.region,
          box(r.box ? r.box->x : 0), box(r.box ? r.box->y : 0), box(r.box ? r.box->width : 0),
          box(r.box ? r.box->height : 0), lat, lon, cam.data_class, opt_text(p.crop_sha), opt_text(p.frame_sha)});
      constexpr const char* kInsertColumns =
          "event_id, camera_id, captured_ms, ingested_ms, plate_raw, plate, plate_rev, confusion_key, confidence, "
          "candidates, country, region, box_x, box_y, box_w, box_h, lat, lon, data_class, crop_sha, frame_sha";
      int64_t id = 0;
      if (filter) {
        // SQLite: the day's table, the id after the last one the day gave ((day + 1) * 2^32 + n).
        const int64_t day = event_day(r);
        auto next = next_ids.find(day);
        if (next == next_ids.end()) {
          CUSTODIAN_ASSIGN_OR_RETURN(int64_t last, LastReadId(*driver_, day));
          next = next_ids.emplace(day, last + 1).first;
        }
        id = next->second++;
        values[0] = id;
        auto sql = insert_sql.find(day);
        if (sql == insert_sql.end()) {
          sql = insert_sql
                    .emplace(day, "INSERT INTO " + DayTableName(day) + " (id, " + kInsertColumns +
                                      ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                    .first;
        }
        CUSTODIAN_RETURN_IF_ERROR(driver_->Query(sql->second, values).status());
      } else {
        CUSTODIAN_ASSIGN_OR_RETURN(
            auto rows, driver_->Query(std::string("INSERT INTO reads (") + kInsertColumns +
                                          ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                                          "RETURNING id",
                                      values));
        if (rows.empty()) return Status::Internal("insert of a read returned no id");
        id = AsInt(rows[0][0]);
      }
      results[i] = {id, false};
      if (auto known = indexed.find(p.plate); known == indexed.end()) {
        const std::optional<int64_t> day = filter ? std::optional<int64_t>(event_day(r)) : std::nullopt;
        CUSTODIAN_RETURN_IF_ERROR(IndexPlate(txn, p.plate, day, &trigrams));
        indexed.emplace(p.plate, day);
      } else if (filter && known->second && event_day(r) < *known->second) {  // a late upload
        known->second = event_day(r);
        CUSTODIAN_RETURN_IF_ERROR(LowerFirstDay(txn, p.plate, *known->second));
      }
      if (hot.by_plate.count(p.plate) || hot.fuzzy_by_key.count(p.confusion_key)) {
        CUSTODIAN_ASSIGN_OR_RETURN(
            results[i].alerts,
            MatchReadInBatch(*driver_, hot,
                             {id, ToUnixMillis(r.captured_at), p.plate, p.confusion_key, r.region, cam.data_class},
                             now_ms));
      }
      if (!r.event_id.empty()) {
        if (!filter) {  // SQLite: the reads row's event_id is indexed (reads_by_event)
          CUSTODIAN_RETURN_IF_ERROR(
              driver_
                  ->Query("INSERT INTO read_events (event_id, camera_id, read_id, captured_ms) VALUES (?, ?, ?, ?)",
                          {r.event_id, r.camera_id, id, ToUnixMillis(r.captured_at)})
                  .status());
        }
        in_batch[r.camera_id + '\n' + r.event_id] = id;
      }
    }
    for (const auto& [day, next] : next_ids) CUSTODIAN_RETURN_IF_ERROR(SetLastReadId(*driver_, day, next - 1));
    return Status::Ok();
  }
}

// SQLite: the plates of every hotlist entry and the confusion keys of those on fuzzy
// lists, in memory, so that a batch looks up only the plates that may match: with a
// 1,000,000-entry hotlist, two index probes per read were ~4.5 us. Inside the ingest's
// write transaction (SQLite has one writer, so no hotlist change can commit meanwhile),
// hotlist_version (bumped by triggers on every change to hotlists and their entries,
// migration 7) says whether the sets are still those of the database.
Status SqlReadStore::RefreshHotlistFilter() {
  CUSTODIAN_ASSIGN_OR_RETURN(auto v, driver_->Query("SELECT version FROM hotlist_version", {}));
  const int64_t version = v.empty() ? -1 : AsInt(v[0][0]);
  if (version == hot_filter_version_ && version >= 0) return Status::Ok();
  hot_plates_.Clear();
  hot_fuzzy_keys_.Clear();
  CUSTODIAN_ASSIGN_OR_RETURN(auto plates, driver_->Query("SELECT DISTINCT plate FROM hotlist_entries", {}));
  for (const auto& r : plates) hot_plates_.Insert(AsString(r[0]));
  CUSTODIAN_ASSIGN_OR_RETURN(auto keys, driver_->Query("SELECT DISTINCT e.confusion_key FROM hotlist_entries e JOIN "
                                                       "hotlists h ON h.id = e.hotlist_id WHERE h.fuzzy = 1",
                                                       {}));
  for (const auto& r : keys) hot_fuzzy_keys_.Insert(AsString(r[0]));
  hot_filter_version_ = version;
  return Status::Ok();
}

void SqlReadStore::AddReader(std::unique_ptr<SqlDriver> reader) {
  readers_.push_back(std::move(reader));
  reader_mu_.push_back(std::make_unique<std::mutex>());
}

template <typename Fn>
auto SqlReadStore::WithReader(Fn&& fn) -> decltype(fn(std::declval<SqlDriver&>())) {
  if (readers_.empty()) {
    std::lock_guard lock(mu_);
    return fn(*driver_);
  }
  const size_t n = readers_.size();
  const size_t start = next_reader_++ % n;
  for (size_t k = 0; k < n; ++k) {
    const size_t i = (start + k) % n;
    std::unique_lock lock(*reader_mu_[i], std::try_to_lock);
    if (lock.owns_lock()) return fn(*readers_[i]);
  }
  std::lock_guard lock(*reader_mu_[start]);
  return fn(*readers_[start]);
}

Status SqlReadStore::ReadOnly(const std::function<Status(Txn&)>& fn) {
  return WithReader([&](SqlDriver& d) -> Status {
    DriverTxn txn(d);
    return fn(txn);
  });
}

Result<StoredRead> SqlReadStore::GetRead(int64_t id) {
  return WithReader([&](SqlDriver& d) -> Result<StoredRead> {
    CUSTODIAN_ASSIGN_OR_RETURN(
        auto rows, d.Query(std::string("SELECT ") + kReadColumns + " FROM reads r WHERE r.id = ?", {id}));
    if (rows.empty()) return Status::NotFound("no read ", id);
    return DecodeRead(rows[0]);
  });
}

std::string SqliteEventLookupSql(size_t n) {
  return kSqliteEventLookupPrefix + InList(n) + kSqliteEventLookupSuffix;
}

namespace {

// The query's filters other than the plate (time range, cameras, area, data class, the
// cursor) as conditions on reads r: each through `add`, its parameters onto `params`.
Status AppendSearchFilters(const SearchQuery& q, const std::function<void(std::string)>& add,
                           std::vector<SqlValue>& params) {
  if (q.from) {
    add("r.captured_ms >= ?");
    params.push_back(ToUnixMillis(*q.from));
  }
  if (q.to) {
    add("r.captured_ms < ?");
    params.push_back(ToUnixMillis(*q.to));
  }
  if (!q.camera_ids.empty()) {
    if (q.camera_ids.size() > kMaxCameraFilter) {
      return Status::InvalidArgument(q.camera_ids.size(), " cameras in a filter; the limit is ", kMaxCameraFilter);
    }
    std::string in = "r.camera_id IN (";
    for (size_t i = 0; i < q.camera_ids.size(); ++i) {
      CUSTODIAN_RETURN_IF_ERROR(CheckText("camera id", q.camera_ids[i], kMaxIdLength, false));
      in += i ? ", ?" : "?";
      params.push_back(q.camera_ids[i]);
    }
    add(in + ")");
  }
  if (q.area) {
    const GeoBox& b = *q.area;
    CUSTODIAN_RETURN_IF_ERROR(CheckPoint("area corner", {b.min_lat, b.min_lon}));
    CUSTODIAN_RETURN_IF_ERROR(CheckPoint("area corner", {b.max_lat, b.max_lon}));
    if (b.min_lat > b.max_lat || b.min_lon > b.max_lon) return Status::InvalidArgument("area corners are swapped");
    add("r.lat >= ? AND r.lat <= ? AND r.lon >= ? AND r.lon <= ?");
    params.insert(params.end(), {b.min_lat, b.max_lat, b.min_lon, b.max_lon});
  }
  if (!q.scopes.empty()) {
    // Sharing: visible where one scope covers both the read's class and its camera.
    std::string any;
    size_t cameras = 0;
    for (const AccessScope& s : q.scopes) {
      std::string one = "+r.data_class = ?";
      params.push_back(int64_t(s.data_class == DataClass::kPublicSafety ? 0 : 1));
      if (!s.camera_ids.empty()) {
        one += " AND r.camera_id IN (";
        for (size_t i = 0; i < s.camera_ids.size(); ++i) {
          CUSTODIAN_RETURN_IF_ERROR(CheckText("camera id", s.camera_ids[i], kMaxIdLength, false));
          one += i ? ", ?" : "?";
          params.push_back(s.camera_ids[i]);
        }
        one += ")";
        cameras += s.camera_ids.size();
      }
      any += (any.empty() ? "(" : " OR (") + one + ")";
    }
    if (cameras > kMaxCameraFilter) {
      return Status::InvalidArgument(cameras, " cameras in the sharing scopes; the limit is ", kMaxCameraFilter);
    }
    add("(" + any + ")");
  }
  if (q.data_class) {
    // Beside a plate term or cameras, their index leads: "+" keeps SQLite from walking the
    // class's index in time order instead, filtering every read of the class by plate
    // (it chose that on an open day's table, whose plate order is by hour).
    add(q.match != PlateMatch::kAny || !q.camera_ids.empty() ? "+r.data_class = ?" : "r.data_class = ?");
    params.push_back(int64_t(*q.data_class == DataClass::kPublicSafety ? 0 : 1));
  }
  if (!q.cursor.empty()) {
    int64_t ms = 0, id = 0;
    CUSTODIAN_RETURN_IF_ERROR(DecodeCursor(q.cursor, &ms, &id));
    add("(r.captured_ms < ? OR (r.captured_ms = ? AND r.id < ?))");
    params.insert(params.end(), {ms, ms, id});
  }
  return Status::Ok();
}

// Cameras without a plate term: on SQLite each day table's camera index, led by the hour
// (day_tables.h), is sought hour by hour, so the statement names the day's hours.
bool SeeksCamerasByHour(const SearchQuery& q) { return q.match == PlateMatch::kAny && !q.camera_ids.empty(); }

// A day table sought hour by hour (its camera index; an open day's plate index): the hours
// of `day` that the query's time range overlaps (HourCondition), and the page's order with
// the hour first (the same order: the hour is the capture time's), so that SQLite walks the
// hours newest first and the index within each in order, and stops once the page is full.
std::string QueryHours(int64_t day, const SearchQuery& q) {
  return HourCondition(day, q.from ? ToUnixMillis(*q.from) : std::numeric_limits<int64_t>::min(),
                       q.to ? ToUnixMillis(*q.to) : std::numeric_limits<int64_t>::max());
}
const char* PageOrder(bool by_hour) {
  return by_hour ? " ORDER BY r.captured_ms / 3600000 DESC, r.captured_ms DESC, r.id DESC LIMIT ?"
                 : " ORDER BY r.captured_ms DESC, r.id DESC LIMIT ?";
}

}  // namespace

Result<SearchSql> BuildSearchSql(const SearchQuery& q, Dialect dialect, const std::vector<std::string>* plates,
                                 SearchSql* plate_source, const std::string& table, bool plates_by_hour) {
  if (q.limit < 1 || q.limit > kMaxPageSize) {
    return Status::InvalidArgument("page size ", q.limit, " is not in 1..", kMaxPageSize);
  }
  std::string where;
  std::vector<SqlValue> params;
  auto add = [&](std::string cond) {
    where += where.empty() ? " WHERE " : " AND ";
    where += cond;
  };
  // Where the term's candidate plates come from a query on plates or the trigrams, that
  // query (for plate_source) and the condition on reads it makes.
  SearchSql source;
  auto from_plates = [&](std::string source_sql, std::vector<SqlValue> source_params) {
    add("r.plate IN (" + source_sql + ")");
    params.insert(params.end(), source_params.begin(), source_params.end());
    source = {std::move(source_sql), std::move(source_params)};
  };
  switch (q.match) {
    case PlateMatch::kAny:
      if (!q.plate.empty()) return Status::InvalidArgument("a plate term needs a match kind other than kAny");
      break;
    case PlateMatch::kExact: {
      CUSTODIAN_ASSIGN_OR_RETURN(std::string term, NormaliseSearchTerm(q.plate, /*allow_wildcards=*/false));
      add("r.plate = ?");
      params.push_back(term);
      break;
    }
    case PlateMatch::kWildcard: {
      CUSTODIAN_ASSIGN_OR_RETURN(std::string term, NormaliseSearchTerm(q.plate, /*allow_wildcards=*/true));
      size_t first = term.find_first_of("*?");
      if (first == std::string::npos) {
        add("r.plate = ?");
        params.push_back(term);
        break;
      }
      if (term == "*") break;  // matches every plate
      // The index to narrow by, in order of selectivity: a known prefix of 3+ characters
      // (range on reads_by_plate), a known suffix of 3+ (PostgreSQL: range on
      // plates_by_rev, then the reads of those plates; SQLite: the trigrams, next), a
      // literal run of 3+ anywhere (the plates holding its trigrams, then their reads), a
      // shorter prefix or suffix (SQLite: a suffix by a scan of plates); with none, the
      // other filters bound the scan. The pattern itself then filters what the index yields.
      const size_t last = term.find_last_of("*?");
      const size_t prefix_len = first;
      const size_t suffix_len = term.size() - 1 - last;
      const auto [run_start, run_len] = LongestLiteralRun(term);
      std::string pattern = term;  // GLOB: only letters, digits, '*' and '?'
      if (dialect == Dialect::kPostgres) {  // LIKE: only letters, digits, '%' and '_'
        for (char& c : pattern) c = c == '*' ? '%' : c == '?' ? '_' : c;
      }
      const char* match_op = dialect == Dialect::kSqlite ? "GLOB" : "LIKE";
      auto prefix_range = [&] {
        std::string prefix = term.substr(0, prefix_len);
        add("r.plate >= ? AND r.plate < ?");
        params.push_back(prefix);
        params.push_back(PrefixEnd(prefix));
        source = {std::string("SELECT p.plate FROM plates p WHERE p.plate >= ? AND p.plate < ? AND p.plate ") +
                      match_op + " ?",
                  {prefix, PrefixEnd(prefix), pattern}};
      };
      auto suffix_range = [&] {
        std::string suffix_rev = Reversed(term.substr(last + 1));
        from_plates(std::string("SELECT p.plate FROM plates p WHERE p.plate_rev >= ? AND p.plate_rev < ? AND p.plate ") +
                        match_op + " ?",
                    {suffix_rev, PrefixEnd(suffix_rev), pattern});
      };
      const bool sqlite = dialect == Dialect::kSqlite;
      if (prefix_len >= 3) {
        prefix_range();
      } else if (suffix_len >= 3 && !sqlite) {
        suffix_range();
      } else if (run_len >= 3 && sqlite) {
        // FTS5 answers the GLOB from the trigrams of every literal run of 3+ (migration 10),
        // a known suffix of 3+ included (SQLite has no plates_by_rev since migration 12).
        from_plates("SELECT t.plate FROM plate_trigrams t WHERE t.plate GLOB ?", {pattern});
      } else if (run_len >= 3) {
        from_plates(std::string("SELECT g.plate FROM plate_grams g WHERE g.gram = ? AND g.plate ") + match_op + " ?",
                    {term.substr(run_start, 3), pattern});
      } else if (prefix_len > 0) {
        prefix_range();
      } else if (const size_t lead = term.find_first_not_of('?'); sqlite && lead >= 1 && lead <= 2 && term[lead] != '*') {
        // One or two unknown characters, then a literal ("?A?C?23"): the plates sought by
        // every prefix those characters can make (stored plates hold only 0-9 and A-Z,
        // NormalisePlate) followed by the literal, 36 or 1,296 ranges of `plates`, instead
        // of a scan of all (SQLite has no plates_by_rev for the suffix since migration 12).
        const std::string lit = term.substr(lead, term.find_first_of("*?", lead) - lead);  // npos: to the end
        static constexpr std::string_view kPlateAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        std::vector<std::string> heads{""};
        for (size_t i = 0; i < lead; ++i) {
          std::vector<std::string> longer;
          for (const std::string& h : heads) {
            for (char c : kPlateAlphabet) longer.push_back(h + c);
          }
          heads = std::move(longer);
        }
        nlohmann::json ranges = nlohmann::json::array();
        for (const std::string& h : heads) ranges.push_back({h + lit, PrefixEnd(h + lit)});
        from_plates("SELECT p.plate FROM json_each(?) k CROSS JOIN plates p WHERE p.plate >= json_extract(k.value, "
                    "'$[0]') AND p.plate < json_extract(k.value, '$[1]') AND p.plate GLOB ?",
                    {ranges.dump(), pattern});
      } else if (suffix_len > 0 && sqlite) {
        // A suffix of 1 or 2, behind a '*' or three unknown characters, and no run of 3+:
        // the distinct plates scanned (migration 12).
        from_plates("SELECT p.plate FROM plates p WHERE p.plate GLOB ?", {pattern});
      } else if (suffix_len > 0) {
        suffix_range();
      }
      add(std::string("r.plate ") + match_op + " ?");
      params.push_back(pattern);
      break;
    }
    case PlateMatch::kFuzzy: {
      if (q.extra_edits < 0 || q.extra_edits > 1) return Status::InvalidArgument("extra_edits must be 0 or 1");
      CUSTODIAN_ASSIGN_OR_RETURN(std::string term, NormaliseSearchTerm(q.plate, /*allow_wildcards=*/false));
      std::string key = ConfusionKey(term);
      // The plates of the key (plates_by_confusion), then their reads.
      if (q.extra_edits == 0) {
        from_plates("SELECT p.plate FROM plates p WHERE p.confusion_key = ?", {key});
      } else {
        auto keys = ConfusionKeysWithinOneEdit(key);
        std::string in = "SELECT p.plate FROM plates p WHERE p.confusion_key IN (";
        std::vector<SqlValue> key_params;
        for (size_t i = 0; i < keys.size(); ++i) {
          in += i ? ", ?" : "?";
          key_params.push_back(keys[i]);
        }
        from_plates(in + ")", std::move(key_params));
      }
      break;
    }
  }
  const std::string plate_where = where;
  const size_t plate_params = params.size();
  CUSTODIAN_RETURN_IF_ERROR(AppendSearchFilters(q, add, params));
  // A day table's camera index is led by the hour, as is an open day's plate index: a
  // search by camera without a plate, or by plate on an open day, names the hours to seek
  // (no sort of a frequent plate's or camera's every read of the day).
  const std::optional<int64_t> day = DayOfTableName(table);
  const bool by_hour =
      day && plates == nullptr && (SeeksCamerasByHour(q) || (plates_by_hour && !plate_where.empty()));
  if (by_hour) add(QueryHours(*day, q));
  if (plate_source != nullptr) *plate_source = std::move(source);
  if (plates == nullptr) {
    std::string sql = std::string("SELECT ") + kReadColumns + " FROM " + table + " r" + where + PageOrder(by_hour);
    params.push_back(int64_t(q.limit) + 1);
    return SearchSql{std::move(sql), std::move(params)};
  }
  // One arm per candidate plate, each walking reads_by_plate newest first and stopping
  // after a page, merged: the cost follows plates x page, never the plates' read counts.
  // The arms yield only (time, id), which the index holds (without other filters no row
  // is read there), and the page's rows are fetched once the merge has chosen them: many
  // frequent plates cost a page of index entries each, not a page of rows each. The arms
  // are padded to a power of two with the empty plate (never stored), so few statement
  // shapes are cached.
  std::string filters = where.substr(plate_where.size());
  std::vector<SqlValue> filter_params(params.begin() + std::ptrdiff_t(plate_params), params.end());
  size_t arms = 1;
  while (arms < plates->size()) arms *= 2;
  std::string sql = std::string("SELECT ") + kReadColumns + " FROM " + table + " r WHERE r.id IN (SELECT u.id FROM (";
  std::vector<SqlValue> union_params;
  for (size_t i = 0; i < arms; ++i) {
    if (i) sql += " UNION ALL ";
    sql += "SELECT * FROM (SELECT r.captured_ms, r.id FROM " + table + " r WHERE r.plate = ?" + filters +
           " ORDER BY r.captured_ms DESC, r.id DESC LIMIT ?) a" + std::to_string(i);
    union_params.push_back(i < plates->size() ? (*plates)[i] : std::string());
    union_params.insert(union_params.end(), filter_params.begin(), filter_params.end());
    union_params.push_back(int64_t(q.limit) + 1);
  }
  sql += ") u ORDER BY u.captured_ms DESC, u.id DESC LIMIT ?) ORDER BY r.captured_ms DESC, r.id DESC";
  union_params.push_back(int64_t(q.limit) + 1);
  return SearchSql{std::move(sql), std::move(union_params)};
}

Result<SearchPage> SqlReadStore::Search(const SearchQuery& q) {
  SearchSql source;
  CUSTODIAN_ASSIGN_OR_RETURN(SearchSql query, BuildSearchSql(q, driver_->dialect(), nullptr, &source));
  return WithReader([&](SqlDriver& d) -> Result<SearchPage> { return SearchOn(d, q, std::move(query), source); });
}

Result<SearchPage> SqlReadStore::SearchOn(SqlDriver& d, const SearchQuery& q, SearchSql query, SearchSql source) {
  // SQLite: one read transaction, so that the list of day tables and the tables agree
  // (a purge may drop a day meanwhile).
  const bool snapshot = d.dialect() == Dialect::kSqlite;
  if (snapshot) CUSTODIAN_RETURN_IF_ERROR(d.ExecScript("BEGIN"));
  Result<std::vector<SqlRow>> found = SearchRows(d, q, std::move(query), source);
  if (snapshot) {
    Status ended = d.ExecScript(found.ok() ? "COMMIT" : "ROLLBACK");
    if (found.ok() && !ended.ok()) return ended;
  }
  if (!found.ok()) return found.status();
  const std::vector<SqlRow>& rows = *found;
  SearchPage page;
  for (size_t i = 0; i < rows.size() && int(i) < q.limit; ++i) page.reads.push_back(DecodeRead(rows[i]));
  if (int(rows.size()) > q.limit) {
    const StoredRead& last = page.reads.back();
    page.next_cursor = EncodeCursor(ToUnixMillis(last.captured_at), last.id);
  }
  return page;
}

Result<std::vector<SqlRow>> SqlReadStore::SearchRows(SqlDriver& d, const SearchQuery& q, SearchSql query,
                                                     const SearchSql& source) {
  std::optional<std::vector<std::string>> plates;
  if (!source.sql.empty()) {
    // Few candidate plates: one bounded walk per plate (see BuildSearchSql). Many: the
    // one statement, which sorts their reads.
    std::vector<SqlValue> params = source.params;
    params.push_back(int64_t(kMaxMergedPlates) + 1);
    CUSTODIAN_ASSIGN_OR_RETURN(auto plate_rows, d.Query(source.sql + " LIMIT ?", params));
    if (plate_rows.size() <= kMaxMergedPlates) {
      if (plate_rows.empty()) return std::vector<SqlRow>{};
      plates.emplace();
      plates->reserve(plate_rows.size());
      for (const auto& row : plate_rows) plates->push_back(AsString(row[0]));
    }
  }
  // SQLite: the day tables newest first, until a page is found. With more candidate plates
  // than kMaxMergedPlates, the one statement on the view of every day's table.
  if (d.dialect() == Dialect::kSqlite) {
    if (plates) return SearchDayTables(d, q, *plates);
    if (source.sql.empty()) return SearchByDay(d, q);
  }
  if (plates && d.dialect() != Dialect::kSqlite) {
    CUSTODIAN_ASSIGN_OR_RETURN(query, BuildSearchSql(q, d.dialect(), &*plates, nullptr));
  }
  return d.Query(query.sql, query.params);
}

namespace {

// The UTC day of a time in ms, rounding down before 1970 too.
// Times are clamped to +-2^62 ms first (a cursor or time range from a client may hold any
// 64-bit value; no read is outside 1970..2200).
int64_t FloorDay(int64_t ms) {
  constexpr int64_t kLimit = int64_t{1} << 62;
  ms = std::clamp(ms, -kLimit, kLimit);
  return ms >= 0 ? ms / kDayMs : -((-ms + kDayMs - 1) / kDayMs);
}

}  // namespace

namespace {

// The days a search can find reads on, from its time range and cursor: [first, last].
Status SearchDayBounds(const SearchQuery& q, int64_t* first_day, int64_t* last_day) {
  *first_day = std::numeric_limits<int64_t>::min();
  *last_day = std::numeric_limits<int64_t>::max();
  if (q.from) *first_day = FloorDay(ToUnixMillis(*q.from));
  if (q.to) *last_day = FloorDay(std::max(ToUnixMillis(*q.to), std::numeric_limits<int64_t>::min() + 1) - 1);
  if (!q.cursor.empty()) {
    int64_t ms = 0, id = 0;
    CUSTODIAN_RETURN_IF_ERROR(DecodeCursor(q.cursor, &ms, &id));
    *last_day = std::min(*last_day, FloorDay(ms));
  }
  return Status::Ok();
}

}  // namespace

// SQLite, a term without candidate plates (exact, a prefix range, none): the day tables
// newest first, the search as one statement on each (it walks that table's index newest
// first and stops after a page), until a page and one more are found: every read of a day
// is newer than every read of the days before it. While reads_legacy holds reads, its page
// is merged in. (Measured at 10M reads, exact p99 right after the bulk ingest: this 4.4-5.0
// ms, 4.0 with the walk ending at the plate's first day; one statement on the view of every
// table, which SQLite runs as a lazy merge but which
// reads a row from every day's table for any plate, 4.7; the same for (time, id) keys, then
// the rows by id, 5.1; windows of 2, 4, 8 ... tables a statement, 6.1. bench/RESULTS.md.)
Result<std::vector<SqlRow>> SqlReadStore::SearchByDay(SqlDriver& d, const SearchQuery& q) {
  int64_t first_day = 0, last_day = 0;
  CUSTODIAN_RETURN_IF_ERROR(SearchDayBounds(q, &first_day, &last_day));
  if (q.match == PlateMatch::kExact) {
    // A plate's reads are on its first day or later (plates.first_day; unknown for plates
    // indexed before migration 9), and a plate not in the dictionary has none.
    CUSTODIAN_ASSIGN_OR_RETURN(std::string term, NormaliseSearchTerm(q.plate, /*allow_wildcards=*/false));
    CUSTODIAN_ASSIGN_OR_RETURN(auto known, d.Query("SELECT first_day FROM plates WHERE plate = ?", {term}));
    if (known.empty()) return std::vector<SqlRow>{};
    if (!IsNull(known[0][0])) first_day = std::max(first_day, AsInt(known[0][0]));
  }
  // Where the statement names a day's hours (cameras; a plate on an open day), it is built
  // for that table.
  auto by_hours = [&](const std::string& table, bool plates_by_hour, size_t limit) -> Result<std::vector<SqlRow>> {
    CUSTODIAN_ASSIGN_OR_RETURN(SearchSql s, BuildSearchSql(q, Dialect::kSqlite, nullptr, nullptr, table, plates_by_hour));
    s.params.back() = int64_t(limit);
    return d.Query(s.sql, s.params);
  };
  if (SeeksCamerasByHour(q)) return WalkDayTables(d, first_day, last_day, size_t(q.limit) + 1, 3, 0, by_hours);
  // The statement once, its table name filled in per table; its last parameter is the LIMIT.
  CUSTODIAN_ASSIGN_OR_RETURN(SearchSql s, BuildSearchSql(q, Dialect::kSqlite, nullptr, nullptr, kLegacyReadsTable));
  const std::string from = std::string(" FROM ") + kLegacyReadsTable + " r";
  const size_t at = s.sql.find(from);
  if (at == std::string::npos || s.params.empty()) return Status::Internal("unexpected search statement shape");
  const std::string head = s.sql.substr(0, at) + " FROM ", tail = s.sql.substr(at + from.size() - 2);
  // kReadColumns: captured_ms is column 3, id column 0.
  return WalkDayTables(d, first_day, last_day, size_t(q.limit) + 1, 3, 0,
                       [&](const std::string& table, bool plates_by_hour, size_t limit) -> Result<std::vector<SqlRow>> {
                         if (plates_by_hour) return by_hours(table, plates_by_hour, limit);
                         s.params.back() = int64_t(limit);
                         return d.Query(head + table + tail, s.params);
                       });
}

// SQLite: the day tables newest first (those in [first_day, last_day]), each asked by `ask`
// for what the page still needs, until `want` rows are found: every read of a day is newer
// than every read of the days before it. While reads_legacy holds reads, it is asked for a
// whole page too and its rows merged in, newest first by (columns ms_col, id_col).
Result<std::vector<SqlRow>> SqlReadStore::WalkDayTables(SqlDriver& d, int64_t first_day, int64_t last_day, size_t want,
                                                        size_t ms_col, size_t id_col, const DayTableAsk& ask) {
  CUSTODIAN_ASSIGN_OR_RETURN(std::vector<ReadDay> days, ListReadDayTables(d));
  std::vector<SqlRow> rows;
  for (const ReadDay& day : days) {
    if (day.day > last_day) continue;
    if (day.day < first_day || rows.size() >= want) break;
    CUSTODIAN_ASSIGN_OR_RETURN(auto part, ask(DayTableName(day.day), day.plates_by_hour, want - rows.size()));
    for (auto& r : part) rows.push_back(std::move(r));
  }
  CUSTODIAN_ASSIGN_OR_RETURN(bool legacy, LegacyLeft(d));
  if (legacy) {
    CUSTODIAN_ASSIGN_OR_RETURN(auto part, ask(kLegacyReadsTable, false, want));
    for (auto& r : part) rows.push_back(std::move(r));
    std::stable_sort(rows.begin(), rows.end(), [&](const SqlRow& a, const SqlRow& b) {
      return std::pair(AsInt(a[ms_col]), AsInt(a[id_col])) > std::pair(AsInt(b[ms_col]), AsInt(b[id_col]));
    });
  }
  if (rows.size() > want) rows.resize(want);
  return rows;
}

// SQLite, a term with candidate plates (from the plates dictionary): the day tables newest
// first (those the time range and cursor allow), in each the (time, id) of the newest reads
// of any of the plates that pass the other filters, from its plate index, until a page and
// one more are found: every read of a day is newer than every read of the days before it.
// (A day holds a 30th of a plate's reads or less, so sorting a day's keys stays small; a
// frequent plate fills the page from its first days.) While reads_legacy holds reads, its
// keys are merged in. Then the page's rows, fetched by id from their tables.
Result<std::vector<SqlRow>> SqlReadStore::SearchDayTables(SqlDriver& d, const SearchQuery& q,
                                                          const std::vector<std::string>& plates) {
  int64_t first_day = 0, last_day = 0;
  CUSTODIAN_RETURN_IF_ERROR(SearchDayBounds(q, &first_day, &last_day));
  std::string filters;
  std::vector<SqlValue> params;
  // The plates, padded to a power of two with the empty plate (never stored), so that few
  // statement shapes are cached.
  size_t n = 1;
  while (n < plates.size()) n *= 2;
  for (size_t i = 0; i < n; ++i) params.push_back(i < plates.size() ? plates[i] : std::string());
  CUSTODIAN_RETURN_IF_ERROR(AppendSearchFilters(q, [&](std::string cond) { filters += " AND " + cond; }, params));
  const size_t want = size_t(q.limit) + 1;
  params.push_back(int64_t(want));
  // (captured_ms, id): columns 0 and 1.
  CUSTODIAN_ASSIGN_OR_RETURN(
      std::vector<SqlRow> keys,
      WalkDayTables(d, first_day, last_day, want, 0, 1,
                    [&](const std::string& table, bool plates_by_hour, size_t limit) -> Result<std::vector<SqlRow>> {
                      params.back() = int64_t(limit);
                      // An open day's plate index is sought hour by hour, newest first, each
                      // hour's keys sorted (day_tables.h).
                      const std::optional<int64_t> day = DayOfTableName(table);
                      const bool by_hour = plates_by_hour && day;
                      return d.Query("SELECT r.captured_ms, r.id FROM " + table + " r WHERE r.plate IN " + InList(n) +
                                         filters + (by_hour ? " AND " + QueryHours(*day, q) : "") + PageOrder(by_hour),
                                     params);
                    }));
  return FetchReadRows(d, keys);
}

// SQLite: the rows (kReadColumns) of `keys` ((captured_ms, id), in page order), in that
// order, each from its read's table (its day's, or reads_legacy): a statement per table.
Result<std::vector<SqlRow>> SqlReadStore::FetchReadRows(SqlDriver& d, const std::vector<SqlRow>& keys) {
  std::map<std::string, std::vector<SqlValue>> ids_by_table;
  for (const SqlRow& k : keys) ids_by_table[ReadTableOfId(AsInt(k[1]))].push_back(AsInt(k[1]));
  std::map<int64_t, SqlRow> by_id;
  for (auto& [table, ids] : ids_by_table) {
    // Padded to a power of two by repeating an id, so that few statement shapes are cached
    // per table (a prepare per call was most of an exact search's time).
    size_t n = 1;
    while (n < ids.size()) n *= 2;
    ids.resize(n, ids.front());
    CUSTODIAN_ASSIGN_OR_RETURN(
        auto rows, d.Query(std::string("SELECT ") + kReadColumns + " FROM " + table + " r WHERE r.id IN " + InList(n),
                           ids));
    for (auto& r : rows) {
      const int64_t id = AsInt(r[0]);
      by_id.emplace(id, std::move(r));
    }
  }
  std::vector<SqlRow> out;
  out.reserve(keys.size());
  for (const SqlRow& k : keys) {
    auto it = by_id.find(AsInt(k[1]));
    if (it != by_id.end()) out.push_back(std::move(it->second));
  }
  return out;
}

Result<bool> SqlReadStore::LegacyLeft(SqlDriver& d) {
  if (legacy_empty_.load()) return false;
  CUSTODIAN_ASSIGN_OR_RETURN(bool left, LegacyReadsLeft(d));
  if (!left) legacy_empty_.store(true);
  return left;
}

// ---- Legal holds and retention ----

namespace {

// Serialises hold placement against purges on PostgreSQL (SQLite's BEGIN IMMEDIATE
// already does): a purge never deletes a read that a hold committed meanwhile covers.
constexpr int64_t kHoldLockKey = 0x637573746f6433;  // "custod3"

Status LockHolds(SqlDriver& driver) {
  if (driver.dialect() != Dialect::kPostgres) return Status::Ok();
  return driver.Query("SELECT pg_advisory_xact_lock(?)", {kHoldLockKey}).status();
}

// Runs `sql_prefix + InList(kChunk) + sql_suffix` over `keys` in padded chunks;
// `extra` is appended to each chunk's parameters.
template <typename Db>  // SqlDriver or Txn
Status ForChunks(Db& driver, const std::string& sql_prefix, const std::string& sql_suffix,
                 const std::vector<SqlValue>& keys, const std::vector<SqlValue>& extra) {
  const std::string sql = sql_prefix + InList(kChunk) + sql_suffix;
  for (size_t start = 0; start < keys.size(); start += kChunk) {
    std::vector<SqlValue> params;
    params.reserve(kChunk + extra.size());
    for (size_t i = 0; i < kChunk; ++i) {
      size_t k = start + i;
      params.push_back(k < keys.size() ? keys[k] : keys[start]);
    }
    params.insert(params.end(), extra.begin(), extra.end());
    CUSTODIAN_RETURN_IF_ERROR(driver.Query(sql, params).status());
  }
  return Status::Ok();
}

// Deletes (gram, plate) rows of plate_grams by its primary key, 50 a statement: an OR of
// key equalities, which both SQLite (multi-index OR) and PostgreSQL (bitmap OR) answer
// from the key, where a row-value IN list makes SQLite scan the table. The last statement
// is padded by repeating a pair, so there is one statement shape.
Status DeleteGrams(Txn& txn, const std::vector<std::pair<std::string, std::string>>& grams) {
  constexpr size_t kPairs = 50;
  if (grams.empty()) return Status::Ok();
  std::string sql = "DELETE FROM plate_grams WHERE ";
  for (size_t i = 0; i < kPairs; ++i) sql += i ? " OR (gram = ? AND plate = ?)" : "(gram = ? AND plate = ?)";
  std::vector<SqlValue> params;
  for (size_t start = 0; start < grams.size(); start += kPairs) {
    params.clear();
    for (size_t i = 0; i < kPairs; ++i) {
      const auto& [g, p] = grams[start + i < grams.size() ? start + i : start];
      params.emplace_back(g);
      params.emplace_back(p);
    }
    CUSTODIAN_RETURN_IF_ERROR(txn.Query(sql, params).status());
  }
  return Status::Ok();
}

constexpr const char* kHoldColumns =
    "h.id, h.case_number, h.reason, h.created_by, h.created_ms, h.released_by, h.released_ms, "
    "(SELECT COUNT(*) FROM held_reads hr WHERE hr.hold_id = h.id)";

Hold DecodeHold(const SqlRow& r) {
  Hold h;
  h.id = AsInt(r[0]);
  h.case_number = AsString(r[1]);
  h.reason = AsString(r[2]);
  h.placed_by = AsString(r[3]);
  h.placed_at = FromUnixMillis(AsInt(r[4]));
  h.released_by = AsString(r[5]);
  if (!IsNull(r[6])) h.released_at = FromUnixMillis(AsInt(r[6]));
  h.reads = AsInt(r[7]);
  return h;
}

int64_t ClassValue(DataClass c) { return c == DataClass::kPublicSafety ? 0 : 1; }

}  // namespace

Status IndexPlate(Txn& txn, const std::string& plate, std::optional<int64_t> first_day, PendingTrigrams* trigrams) {
  if (txn.dialect() == Dialect::kSqlite) {
    // SQLite: the plate's trigrams are one row of plate_trigrams, at the rowid after the
    // last one given, named in plates.trigram_rowid for the purge.
    if (trigrams == nullptr) {
      PendingTrigrams now;
      CUSTODIAN_RETURN_IF_ERROR(IndexPlate(txn, plate, first_day, &now));
      return WritePendingTrigrams(txn, now);
    }
    const bool has_trigrams = plate.size() >= 3;
    if (has_trigrams && trigrams->next_rowid == 0) {
      CUSTODIAN_ASSIGN_OR_RETURN(auto last, txn.Query("SELECT coalesce(max(id), 0) FROM plate_trigrams_content", {}));
      trigrams->next_rowid = AsInt(last[0][0]) + 1;
    }
    const SqlValue rowid = has_trigrams ? SqlValue(trigrams->next_rowid) : SqlValue();
    const SqlValue day = first_day ? SqlValue(*first_day) : SqlValue();
    CUSTODIAN_ASSIGN_OR_RETURN(
        auto added, txn.Query("INSERT INTO plates (plate, plate_rev, confusion_key, first_day, trigram_rowid) VALUES "
                              "(?, ?, ?, ?, ?) ON CONFLICT (plate) DO NOTHING RETURNING plate",
                              {plate, Reversed(plate), ConfusionKey(plate), day, rowid}));
    if (added.empty()) return first_day ? LowerFirstDay(txn, plate, *first_day) : Status::Ok();
    if (has_trigrams) trigrams->rows.emplace_back(trigrams->next_rowid++, plate);
    return Status::Ok();
  }
  CUSTODIAN_ASSIGN_OR_RETURN(
      auto added, txn.Query("INSERT INTO plates (plate, plate_rev, confusion_key) VALUES (?, ?, ?) ON CONFLICT (plate) "
                            "DO NOTHING RETURNING plate",
                            {plate, Reversed(plate), ConfusionKey(plate)}));
  if (added.empty()) return Status::Ok();
  const std::set<std::string> grams = Trigrams(plate);
  if (grams.empty()) return Status::Ok();
  // One statement for all of them (one shape per gram count, so few cached statements).
  std::string sql = "INSERT INTO plate_grams (gram, plate) VALUES ";
  std::vector<SqlValue> params;
  for (const auto& g : grams) {
    sql += params.empty() ? "(?, ?)" : ", (?, ?)";
    params.push_back(g);
    params.push_back(plate);
  }
  return txn.Query(sql + " ON CONFLICT DO NOTHING", params).status();
}

Status MergePlateTrigrams(Txn& txn) {
  if (txn.dialect() != Dialect::kSqlite) return Status::Ok();
  return txn.Query("INSERT INTO plate_trigrams (plate_trigrams) VALUES ('optimize')", {}).status();
}

Status LowerFirstDay(Txn& txn, const std::string& plate, int64_t day) {
  return txn.Query("UPDATE plates SET first_day = ? WHERE plate = ? AND first_day > ?", {day, plate, day}).status();
}

Status WritePendingTrigrams(Txn& txn, PendingTrigrams& trigrams) {
  if (trigrams.rows.empty()) return Status::Ok();
  // One statement (one shape) for any number of rows: a JSON array of [rowid, plate].
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& [rowid, plate] : trigrams.rows) rows.push_back({rowid, plate});
  trigrams.rows.clear();
  return txn
      .Query("INSERT INTO plate_trigrams (rowid, plate) SELECT json_extract(value, '$[0]'), "
             "json_extract(value, '$[1]') FROM json_each(?)",
             {rows.dump()})
      .status();
}

Result<int64_t> UnindexUnusedPlates(Txn& txn, const std::vector<std::string>& plates) {
  const bool sqlite = txn.dialect() == Dialect::kSqlite;
  CUSTODIAN_ASSIGN_OR_RETURN(
      auto rows, SelectIn(txn, std::string("SELECT p.plate, ") + (sqlite ? "p.trigram_rowid" : "NULL") +
                                   " FROM plates p WHERE p.plate IN ",
                          " AND NOT EXISTS (SELECT 1 FROM reads r WHERE r.plate = p.plate)", plates));
  std::set<std::string> dead;
  std::vector<SqlValue> trigram_rows;
  for (const auto& row : rows) {
    dead.insert(AsString(row[0]));
    if (!IsNull(row[1])) trigram_rows.push_back(row[1]);
  }
  if (dead.empty()) return int64_t{0};
  CUSTODIAN_RETURN_IF_ERROR(
      ForChunks(txn, "DELETE FROM plates WHERE plate IN ", "", std::vector<SqlValue>(dead.begin(), dead.end()), {}));
  if (sqlite) {
    if (trigram_rows.empty()) return int64_t(dead.size());
    CUSTODIAN_RETURN_IF_ERROR(ForChunks(txn, "DELETE FROM plate_trigrams WHERE rowid IN ", "", trigram_rows, {}));
    return int64_t(dead.size());
  }
  std::vector<std::pair<std::string, std::string>> grams;  // (gram, plate)
  for (const auto& plate : dead) {
    for (const auto& g : Trigrams(plate)) grams.emplace_back(g, plate);
  }
  CUSTODIAN_RETURN_IF_ERROR(DeleteGrams(txn, grams));
  return int64_t(dead.size());
}

namespace {

// SQLite's deferred tidying of the plates dictionary (see PurgeBatch): plates whose reads
// a batch purged, appended to plate_gc, kChunk a statement (the last padded with repeats).
Status QueuePlateGarbage(SqlDriver& driver, int64_t data_class, const std::set<std::string>& plates) {
  std::string sql = "INSERT INTO plate_gc (data_class, plate) VALUES (?, ?)";
  for (size_t i = 1; i < kChunk; ++i) sql += ", (?, ?)";
  std::vector<SqlValue> params;
  const std::vector<std::string> all(plates.begin(), plates.end());
  for (size_t start = 0; start < all.size(); start += kChunk) {
    params.clear();
    for (size_t i = 0; i < kChunk; ++i) {
      params.emplace_back(data_class);
      params.emplace_back(all[start + i < all.size() ? start + i : start]);
    }
    CUSTODIAN_RETURN_IF_ERROR(driver.Query(sql, params).status());
  }
  return Status::Ok();
}

// The plates queued by the class's purge batches and `plates`: those without a read left
// leave the dictionary; the class's queue is emptied. Returns how many left.
Result<int64_t> CollectPlateGarbage(SqlDriver& driver, int64_t data_class, const std::set<std::string>& plates) {
  CUSTODIAN_ASSIGN_OR_RETURN(auto queued,
                             driver.Query("SELECT DISTINCT plate FROM plate_gc WHERE data_class = ?", {data_class}));
  std::set<std::string> all = plates;
  for (const auto& row : queued) all.insert(AsString(row[0]));
  DriverTxn txn(driver);
  CUSTODIAN_ASSIGN_OR_RETURN(int64_t gone, UnindexUnusedPlates(txn, std::vector<std::string>(all.begin(), all.end())));
  if (gone > 0) CUSTODIAN_RETURN_IF_ERROR(MergePlateTrigrams(txn));
  if (!queued.empty()) {
    CUSTODIAN_RETURN_IF_ERROR(driver.Query("DELETE FROM plate_gc WHERE data_class = ?", {data_class}).status());
  }
  return gone;
}

}  // namespace

Result<Hold> SqlReadStore::PlaceHold(const HoldRequest& h) {
  CUSTODIAN_RETURN_IF_ERROR(CheckText("case number", h.case_number, kMaxIdLength, false));
  CUSTODIAN_RETURN_IF_ERROR(CheckText("hold reason", h.reason, kMaxReasonLength, false));
  CUSTODIAN_RETURN_IF_ERROR(CheckText("user", h.placed_by, kMaxIdLength, false));
  if (h.read_ids.empty() && !h.matching) return Status::InvalidArgument("a hold names read ids or a search");
  if (int64_t(h.read_ids.size()) > kMaxReadsPerHold) {
    return Status::InvalidArgument(h.read_ids.size(), " reads in one hold; the limit is ", kMaxReadsPerHold);
  }
  std::optional<SearchQuery> query = h.matching;
  if (query) {
    query->cursor.clear();
    query->limit = kMaxPageSize;
    CUSTODIAN_RETURN_IF_ERROR(BuildSearchSql(*query, driver_->dialect()).status());  // a bad term: nothing written
  }
  std::lock_guard lock(mu_);
  const int64_t now_ms = ToUnixMillis(clock_->Now());
  int64_t hold_id = 0;
  Status written = InTransaction([&]() -> Status {
    CUSTODIAN_RETURN_IF_ERROR(LockHolds(*driver_));
    std::map<int64_t, int64_t> reads;  // id -> captured_ms
    for (int64_t id : h.read_ids) {
      CUSTODIAN_ASSIGN_OR_RETURN(auto rows, driver_->Query("SELECT captured_ms FROM reads WHERE id = ?", {id}));
      if (rows.empty()) return Status::NotFound("no read ", id);
      reads[id] = AsInt(rows[0][0]);
    }
    for (SearchQuery q = query.value_or(SearchQuery{}); query;) {
      SearchSql source;
      CUSTODIAN_ASSIGN_OR_RETURN(SearchSql page, BuildSearchSql(q, driver_->dialect(), nullptr, &source));
      CUSTODIAN_ASSIGN_OR_RETURN(auto rows, SearchRows(*driver_, q, std::move(page), source));
      for (size_t i = 0; i < rows.size() && int(i) < q.limit; ++i) reads[AsInt(rows[i][0])] = AsInt(rows[i][3]);
      if (int64_t(reads.size()) > kMaxReadsPerHold) {
        return Status::InvalidArgument("the search matches more than ", kMaxReadsPerHold,
                                       " reads; narrow it (time range, cameras) or hold reads by id");
      }
      if (int(rows.size()) <= q.limit) break;
      const SqlRow& last = rows[size_t(q.limit) - 1];
      q.cursor = EncodeCursor(AsInt(last[3]), AsInt(last[0]));
    }
    CUSTODIAN_ASSIGN_OR_RETURN(
        auto ids, driver_->Query("INSERT INTO holds (case_number, reason, created_by, created_ms) VALUES (?, ?, ?, ?) "
                                 "RETURNING id",
                                 {h.case_number, h.reason, h.placed_by, now_ms}));
    if (ids.empty()) return Status::Internal("insert of a hold returned no id");
    hold_id = AsInt(ids[0][0]);
    for (const auto& [id, ms] : reads) {
      CUSTODIAN_RETURN_IF_ERROR(driver_
                                    ->Query("INSERT INTO held_reads (hold_id, read_id, captured_ms) VALUES (?, ?, ?) "
                                            "ON CONFLICT DO NOTHING",
                                            {hold_id, id, ms})
                                    .status());
    }
    return Status::Ok();
  });
  if (!written.ok()) return written;
  CUSTODIAN_ASSIGN_OR_RETURN(auto rows, driver_->Query(std::string("SELECT ") + kHoldColumns +
                                                           " FROM holds h WHERE h.id = ?",
                                                       {hold_id}));
  if (rows.empty()) return Status::Internal("hold ", hold_id, " vanished after it was placed");
  return DecodeHold(rows[0]);
}

Status SqlReadStore::ReleaseHold(int64_t id, std::string_view released_by) {
  CUSTODIAN_RETURN_IF_ERROR(CheckText("user", released_by, kMaxIdLength, false));
  std::lock_guard lock(mu_);
  const int64_t now_ms = ToUnixMillis(clock_->Now());
  return InTransaction([&]() -> Status {
    CUSTODIAN_RETURN_IF_ERROR(LockHolds(*driver_));
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, driver_->Query("SELECT released_ms FROM holds WHERE id = ?", {id}));
    if (rows.empty()) return Status::NotFound("no hold ", id);
    if (!IsNull(rows[0][0])) return Status::InvalidArgument("hold ", id, " was already released");
    return driver_
        ->Query("UPDATE holds SET released_by = ?, released_ms = ? WHERE id = ?",
                {std::string(released_by), now_ms, id})
        .status();
  });
}

Result<Hold> SqlReadStore::GetHold(int64_t id) {
  std::lock_guard lock(mu_);
  CUSTODIAN_ASSIGN_OR_RETURN(
      auto rows, driver_->Query(std::string("SELECT ") + kHoldColumns + " FROM holds h WHERE h.id = ?", {id}));
  if (rows.empty()) return Status::NotFound("no hold ", id);
  return DecodeHold(rows[0]);
}

Result<std::vector<Hold>> SqlReadStore::ListHolds(bool include_released) {
  std::lock_guard lock(mu_);
  CUSTODIAN_ASSIGN_OR_RETURN(
      auto rows, driver_->Query(std::string("SELECT ") + kHoldColumns + " FROM holds h" +
                                    (include_released ? "" : " WHERE h.released_ms IS NULL") + " ORDER BY h.id DESC",
                                {}));
  std::vector<Hold> out;
  for (const auto& r : rows) out.push_back(DecodeHold(r));
  return out;
}

Result<std::vector<int64_t>> SqlReadStore::HeldReadIds(int64_t id) {
  std::lock_guard lock(mu_);
  CUSTODIAN_ASSIGN_OR_RETURN(auto found, driver_->Query("SELECT 1 FROM holds WHERE id = ?", {id}));
  if (found.empty()) return Status::NotFound("no hold ", id);
  CUSTODIAN_ASSIGN_OR_RETURN(auto rows,
                             driver_->Query("SELECT read_id FROM held_reads WHERE hold_id = ? ORDER BY read_id", {id}));
  std::vector<int64_t> out;
  for (const auto& r : rows) out.push_back(AsInt(r[0]));
  return out;
}

namespace {

// Image references: a statement per 100 images that lose one reference (nearly all: a
// read's own crop and frame), one per image that loses more; images left with none go,
// 100 a statement, and are added to `dead_images` (their files go after the commit).
// (An IN list padded with a repeated key still updates a row once.)
Status DropImageReferences(SqlDriver& driver, const std::map<std::string, int64_t>& image_refs,
                           std::vector<std::string>* dead_images) {
  std::vector<std::string> once;
  std::map<std::string, int64_t> left;  // references after the update, by image
  for (const auto& [sha, n] : image_refs) {
    if (n == 1) {
      once.push_back(sha);
      continue;
    }
    CUSTODIAN_ASSIGN_OR_RETURN(
        auto updated, driver.Query("UPDATE images SET refs = refs - ? WHERE sha256 = ? RETURNING sha256, refs", {n, sha}));
    for (const auto& r : updated) left[AsString(r[0])] = AsInt(r[1]);
  }
  CUSTODIAN_ASSIGN_OR_RETURN(
      auto updated,
      SelectIn(driver, "UPDATE images SET refs = refs - 1 WHERE sha256 IN ", " RETURNING sha256, refs", once));
  for (const auto& r : updated) left[AsString(r[0])] = AsInt(r[1]);
  std::vector<SqlValue> dead;
  for (const auto& [sha, n] : image_refs) {
    auto it = left.find(sha);
    if (it != left.end() && it->second > 0) continue;
    dead.emplace_back(sha);
    dead_images->push_back(sha);
  }
  if (!dead.empty()) CUSTODIAN_RETURN_IF_ERROR(ForChunks(driver, "DELETE FROM images WHERE sha256 IN ", "", dead, {}));
  return Status::Ok();
}

}  // namespace

// The files of images a committed purge left without a reference. Each is checked again
// first, in case an ingest has come to refer to it since. A crash before this leaves
// orphans (VerifyImages deletes them), never a read whose image is gone.
Status SqlReadStore::RemoveImageFiles(const std::vector<std::string>& dead_images, int64_t purged) {
  for (const auto& sha : dead_images) {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, driver_->Query("SELECT refs FROM images WHERE sha256 = ?", {sha}));
    if (!rows.empty() && AsInt(rows[0][0]) > 0) continue;
    Status st = images_->Remove(sha);
    if (!st.ok()) {
      return Status(st.code(), "purged " + std::to_string(purged) +
                                   " reads, but an image file could not be deleted (custodian db verify-images "
                                   "--remove-orphans deletes it): " + st.message());
    }
  }
  return Status::Ok();
}

// SQLite: the oldest day table all of whose reads are past every class's period
// (`every_class_cutoff`) and none held by an active hold, dropped whole in one
// transaction with what refers to its reads (alerts, released holds' rows, image
// references, plates no read holds any more), and a purge_log row per class. nullopt when
// there is no such day: the batch then deletes reads one by one.
Result<std::optional<PurgeBatchResult>> SqlReadStore::PurgeWholeDay(const PurgeBatchRequest& req, int64_t now_ms) {
  // Never past this call's own class cutoff, whatever the caller says of every class.
  const int64_t every_ms = std::min(ToUnixMillis(*req.every_class_cutoff), ToUnixMillis(req.cutoff));
  const int64_t own_class = ClassValue(req.data_class);
  std::optional<PurgeBatchResult> result;
  std::vector<std::string> dead_images;
  Status written = InTransaction([&]() -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(
        auto found, driver_->Query("SELECT d.day FROM read_days d WHERE d.dropped = 0 AND (d.day + 1) * 86400000 <= ? "
                                   "AND NOT EXISTS "
                                   "(SELECT 1 FROM held_reads hr JOIN holds h ON h.id = hr.hold_id WHERE "
                                   "h.released_ms IS NULL AND hr.captured_ms >= d.day * 86400000 AND "
                                   "hr.captured_ms < (d.day + 1) * 86400000) ORDER BY d.day LIMIT 1",
                                   {every_ms}));
    if (found.empty()) return Status::Ok();
    const int64_t day = AsInt(found[0][0]);
    const std::string table = DayTableName(day);
    PurgeBatchResult r;
    CUSTODIAN_ASSIGN_OR_RETURN(auto counts, driver_->Query("SELECT data_class, COUNT(*), MIN(captured_ms), "
                                                           "MAX(captured_ms) FROM " + table + " GROUP BY data_class",
                                                           {}));
    CUSTODIAN_ASSIGN_OR_RETURN(auto plate_rows, driver_->Query("SELECT DISTINCT plate FROM " + table, {}));
    CUSTODIAN_ASSIGN_OR_RETURN(auto image_rows, driver_->Query("SELECT crop_sha, frame_sha FROM " + table +
                                                               " WHERE crop_sha IS NOT NULL OR frame_sha IS NOT NULL",
                                                               {}));
    std::map<std::string, int64_t> image_refs;
    for (const auto& row : image_rows) {
      if (!IsNull(row[0])) ++image_refs[AsString(row[0])];
      if (!IsNull(row[1])) ++image_refs[AsString(row[1])];
    }
    const int64_t first_id = FirstIdOfDay(day), end_id = FirstIdOfDay(day + 1);
    CUSTODIAN_RETURN_IF_ERROR(
        driver_->Query("DELETE FROM alerts WHERE read_id > ? AND read_id < ?", {first_id, end_id}).status());
    // Only released holds' rows are left for the day's reads (an active one keeps the day).
    CUSTODIAN_RETURN_IF_ERROR(driver_
                                  ->Query("DELETE FROM held_reads WHERE captured_ms >= ? AND captured_ms < ? AND "
                                          "read_id > ? AND read_id < ?",
                                          {day * kDayMs, (day + 1) * kDayMs, first_id, end_id})
                                  .status());
    CUSTODIAN_RETURN_IF_ERROR(DropImageReferences(*driver_, image_refs, &dead_images));
    CUSTODIAN_RETURN_IF_ERROR(DropDayTable(*driver_, day));
    r.partitions_dropped = 1;
    std::vector<std::string> plates;
    plates.reserve(plate_rows.size());
    for (const auto& row : plate_rows) plates.push_back(AsString(row[0]));
    DriverTxn txn(*driver_);
    CUSTODIAN_ASSIGN_OR_RETURN(r.plates, UnindexUnusedPlates(txn, plates));
    if (r.plates > 0) CUSTODIAN_RETURN_IF_ERROR(MergePlateTrigrams(txn));
    r.images = int64_t(dead_images.size());
    for (const auto& c : counts) {
      if (AsInt(c[0]) == own_class) {
        r.reads = AsInt(c[1]);
        r.oldest = FromUnixMillis(AsInt(c[2]));
        r.newest = FromUnixMillis(AsInt(c[3]));
      } else {
        r.other_class_reads = AsInt(c[1]);
      }
    }
    // A row per class the day held; the images and plates on this class's row, or on the
    // only one.
    const bool own_present = r.reads > 0;
    for (const auto& c : counts) {
      const bool carries = own_present ? AsInt(c[0]) == own_class : true;
      CUSTODIAN_RETURN_IF_ERROR(driver_
                                    ->Query("INSERT INTO purge_log (run_ms, run_by, data_class, cutoff_ms, reads, "
                                            "images, plates, oldest_ms, newest_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                            {now_ms, req.run_by, AsInt(c[0]), every_ms, AsInt(c[1]),
                                             carries ? r.images : 0, carries ? r.plates : 0, AsInt(c[2]), AsInt(c[3])})
                                    .status());
    }
    r.whole_day = true;
    result = r;
    return Status::Ok();
  });
  if (!written.ok()) return written;
  if (result) CUSTODIAN_RETURN_IF_ERROR(RemoveImageFiles(dead_images, result->reads + result->other_class_reads));
  return result;
}

Result<PurgeBatchResult> SqlReadStore::PurgeBatch(const PurgeBatchRequest& req) {
  if (req.limit < 1 || req.limit > kMaxPurgeBatch) {
    return Status::InvalidArgument("purge batch of ", req.limit, " is not in 1..", kMaxPurgeBatch);
  }
  CUSTODIAN_RETURN_IF_ERROR(CheckText("user", req.run_by, kMaxIdLength, false));
  const int64_t cutoff_ms = ToUnixMillis(req.cutoff);
  std::lock_guard lock(mu_);
  const int64_t now_ms = ToUnixMillis(clock_->Now());
  const bool sqlite = driver_->dialect() == Dialect::kSqlite;
  if (sqlite && req.every_class_cutoff) {
    CUSTODIAN_ASSIGN_OR_RETURN(std::optional<PurgeBatchResult> whole, PurgeWholeDay(req, now_ms));
    if (whole) return *whole;
  }
  PurgeBatchResult result;
  std::vector<std::string> dead_images;
  std::set<int64_t> days;
  Status written = InTransaction([&]() -> Status {
    CUSTODIAN_RETURN_IF_ERROR(LockHolds(*driver_));
    // The held reads are one uncorrelated set (built once per statement from the few rows
    // of active holds before the cutoff), not a probe per candidate read.
    auto select_from = [&](const std::string& table, int64_t limit) {
      return driver_->Query("SELECT r.id, r.captured_ms, r.plate, r.event_id, r.crop_sha, r.frame_sha FROM " + table +
                                " r WHERE r.data_class = ? AND r.captured_ms < ? AND r.id NOT IN (SELECT hr.read_id "
                                "FROM held_reads hr JOIN holds h ON h.id = hr.hold_id WHERE h.released_ms IS NULL AND "
                                "hr.captured_ms < ?) ORDER BY r.captured_ms, r.id LIMIT ?",
                            {ClassValue(req.data_class), cutoff_ms, cutoff_ms, limit});
    };
    std::vector<SqlRow> rows;
    if (sqlite) {
      // reads_legacy while it holds reads, then the day tables from the oldest, until
      // the batch is full.
      std::vector<std::string> tables;
      CUSTODIAN_ASSIGN_OR_RETURN(bool legacy, LegacyLeft(*driver_));
      if (legacy) tables.push_back(kLegacyReadsTable);
      CUSTODIAN_ASSIGN_OR_RETURN(std::vector<int64_t> all_days, ListReadDays(*driver_));
      for (auto it = all_days.rbegin(); it != all_days.rend() && *it * kDayMs < cutoff_ms; ++it) {
        tables.push_back(DayTableName(*it));
      }
      for (const auto& table : tables) {
        CUSTODIAN_ASSIGN_OR_RETURN(auto part, select_from(table, req.limit - int64_t(rows.size())));
        for (auto& r : part) rows.push_back(std::move(r));
        if (int64_t(rows.size()) >= req.limit) break;
      }
    } else {
      CUSTODIAN_ASSIGN_OR_RETURN(rows, select_from("reads", req.limit));
    }
    // On SQLite the plates dictionary is tidied once at the end of a run (this class's
    // last batch, the one short of the limit): a plate's rows (plates, its reverse and key
    // indexes, its trigrams) sit at random keys, so tidying per batch wrote ~8 pages per
    // plate per batch; once per run, each page is written once. Full batches queue their
    // plates in plate_gc (appended, so crash-safe: a run cut short leaves them for the
    // next run's end). The run's last call writes a purge_log row for what it tidied even
    // when it purged no read (no time range then).
    const bool defer_gc = driver_->dialect() == Dialect::kSqlite;
    const bool last_batch = int64_t(rows.size()) < req.limit;
    std::set<std::string> plates;
    if (rows.empty()) {
      if (!defer_gc) return Status::Ok();
      CUSTODIAN_ASSIGN_OR_RETURN(result.plates, CollectPlateGarbage(*driver_, ClassValue(req.data_class), plates));
      if (result.plates == 0) return Status::Ok();
      return driver_
          ->Query("INSERT INTO purge_log (run_ms, run_by, data_class, cutoff_ms, reads, images, plates) "
                  "VALUES (?, ?, ?, ?, 0, 0, ?)",
                  {now_ms, req.run_by, ClassValue(req.data_class), cutoff_ms, result.plates})
          .status();
    }
    std::vector<SqlValue> ids, events, event_read_ids;
    std::map<std::string, int64_t> image_refs;
    int64_t oldest = AsInt(rows.front()[1]), newest = oldest;
    std::map<std::string, std::vector<SqlValue>> ids_by_table;  // SQLite
    for (const auto& r : rows) {
      ids.push_back(AsInt(r[0]));
      oldest = std::min(oldest, AsInt(r[1]));
      newest = std::max(newest, AsInt(r[1]));
      if (!sqlite) days.insert(AsInt(r[1]) / kMsPerDay);  // PostgreSQL's partitions (SQLite: below)
      plates.insert(AsString(r[2]));
      if (!IsNull(r[3])) {
        events.push_back(AsString(r[3]));
        event_read_ids.push_back(AsInt(r[0]));
      }
      if (!IsNull(r[4])) ++image_refs[AsString(r[4])];
      if (!IsNull(r[5])) ++image_refs[AsString(r[5])];
      if (sqlite) ids_by_table[ReadTableOfId(AsInt(r[0]))].push_back(AsInt(r[0]));
    }
    if (sqlite) {
      for (const auto& [table, table_ids] : ids_by_table) {
        CUSTODIAN_RETURN_IF_ERROR(ForChunks(*driver_, "DELETE FROM " + table + " WHERE id IN ", "", table_ids, {}));
      }
      // Day tables this batch emptied go (a day whose reads went by batches: held ones
      // released later, or a class with a shorter period).
      for (const auto& [table, table_ids] : ids_by_table) {
        const std::optional<int64_t> day = DayOfReadId(AsInt(table_ids.front()));
        if (!day) continue;  // reads_legacy stays
        CUSTODIAN_ASSIGN_OR_RETURN(auto any, driver_->Query("SELECT 1 FROM " + table + " LIMIT 1", {}));
        if (!any.empty()) continue;
        CUSTODIAN_RETURN_IF_ERROR(DropDayTable(*driver_, *day));
        ++result.partitions_dropped;
      }
    } else {
      // The capture-time bounds let PostgreSQL touch only the partitions involved.
      CUSTODIAN_RETURN_IF_ERROR(
          ForChunks(*driver_, "DELETE FROM reads WHERE id IN ", " AND captured_ms >= ? AND captured_ms <= ?", ids,
                    {oldest, newest}));
    }
    // Rows of released holds that covered these reads: the hold's record stays, its
    // reads are gone.
    // Only released holds can still name these reads: found by capture time (few rows),
    // not probed per read.
    CUSTODIAN_ASSIGN_OR_RETURN(
        auto held, driver_->Query("SELECT read_id FROM held_reads WHERE captured_ms >= ? AND captured_ms <= ?",
                                  {oldest, newest}));
    if (!held.empty()) {
      std::set<int64_t> batch_ids;
      for (const auto& id : ids) batch_ids.insert(AsInt(id));
      std::vector<SqlValue> gone;
      for (const auto& r : held) {
        if (batch_ids.count(AsInt(r[0]))) gone.push_back(AsInt(r[0]));
      }
      if (!gone.empty()) {
        CUSTODIAN_RETURN_IF_ERROR(ForChunks(*driver_, "DELETE FROM held_reads WHERE read_id IN ", "", gone, {}));
      }
    }
    CUSTODIAN_RETURN_IF_ERROR(ForChunks(*driver_, "DELETE FROM alerts WHERE read_id IN ", "", ids, {}));
    if (!events.empty() && driver_->dialect() != Dialect::kSqlite) {  // SQLite: went with the reads rows
      // Another camera's read may share the event id: only the purged reads' rows go.
      for (size_t at = 0; at < events.size(); at += 500) {
        const size_t n = std::min<size_t>(500, events.size() - at);
        std::vector<SqlValue> params(events.begin() + at, events.begin() + at + n);
        params.insert(params.end(), event_read_ids.begin() + at, event_read_ids.begin() + at + n);
        CUSTODIAN_RETURN_IF_ERROR(driver_
                                      ->Query("DELETE FROM read_events WHERE event_id IN " + InList(n) +
                                                  " AND read_id IN " + InList(n),
                                              params)
                                      .status());
      }
    }
    CUSTODIAN_RETURN_IF_ERROR(DropImageReferences(*driver_, image_refs, &dead_images));
    // Plates none of whose reads is left go, with their trigrams (SQLite: see above).
    if (!defer_gc) {
      DriverTxn txn(*driver_);
      CUSTODIAN_ASSIGN_OR_RETURN(result.plates,
                                 UnindexUnusedPlates(txn, std::vector<std::string>(plates.begin(), plates.end())));
    } else if (last_batch) {
      CUSTODIAN_ASSIGN_OR_RETURN(result.plates, CollectPlateGarbage(*driver_, ClassValue(req.data_class), plates));
    } else {
      CUSTODIAN_RETURN_IF_ERROR(QueuePlateGarbage(*driver_, ClassValue(req.data_class), plates));
    }
    result.reads = int64_t(rows.size());
    result.images = int64_t(dead_images.size());
    result.oldest = FromUnixMillis(oldest);
    result.newest = FromUnixMillis(newest);
    return driver_
        ->Query("INSERT INTO purge_log (run_ms, run_by, data_class, cutoff_ms, reads, images, plates, oldest_ms, "
                "newest_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                {now_ms, req.run_by, ClassValue(req.data_class), cutoff_ms, result.reads, result.images,
                 result.plates, oldest, newest})
        .status();
  });
  if (!written.ok()) return written;
  CUSTODIAN_RETURN_IF_ERROR(RemoveImageFiles(dead_images, result.reads));
  if (!days.empty()) {
    CUSTODIAN_ASSIGN_OR_RETURN(result.partitions_dropped,
                               driver_->DropEmptyReadPartitions(std::vector<int64_t>(days.begin(), days.end())));
  }
  return result;
}

Result<std::vector<PurgeLogEntry>> SqlReadStore::PurgeLog(int limit) {
  if (limit < 1 || limit > kMaxPageSize) return Status::InvalidArgument("limit ", limit, " is not in 1..", kMaxPageSize);
  std::lock_guard lock(mu_);
  CUSTODIAN_ASSIGN_OR_RETURN(
      auto rows, driver_->Query("SELECT id, run_ms, run_by, data_class, cutoff_ms, reads, images, plates, oldest_ms, "
                                "newest_ms FROM purge_log ORDER BY id DESC LIMIT ?",
                                {int64_t(limit)}));
  std::vector<PurgeLogEntry> out;
  for (const auto& r : rows) {
    PurgeLogEntry e;
    e.id = AsInt(r[0]);
    e.run_at = FromUnixMillis(AsInt(r[1]));
    e.run_by = AsString(r[2]);
    e.data_class = AsInt(r[3]) == 0 ? DataClass::kPublicSafety : DataClass::kNonPublicSafety;
    e.cutoff = FromUnixMillis(AsInt(r[4]));
    e.reads = AsInt(r[5]);
    e.images = AsInt(r[6]);
    e.plates = AsInt(r[7]);
    if (!IsNull(r[8])) e.oldest = FromUnixMillis(AsInt(r[8]));
    if (!IsNull(r[9])) e.newest = FromUnixMillis(AsInt(r[9]));
    out.push_back(std::move(e));
  }
  return out;
}

// ---- Hotlists and alerts ----

namespace {

Result<Hotlist> DecodeHotlist(const SqlRow& r) {
  Hotlist h;
  h.id = AsInt(r[0]);
  h.name = AsString(r[1]);
  h.agency_code = AsString(r[2]);
  CUSTODIAN_ASSIGN_OR_RETURN(h.category, ParseHotlistCategory(AsString(r[3])));
  h.fuzzy = AsInt(r[4]) != 0;
  h.entries = AsInt(r[5]);
  return h;
}

constexpr const char* kHotlistColumns =
    "h.id, h.name, h.agency_code, h.category, h.fuzzy, "
    "(SELECT COUNT(*) FROM hotlist_entries e WHERE e.hotlist_id = h.id)";

constexpr const char* kAlertSelect =
    "SELECT a.id, a.state, a.read_id, a.read_ms, r.plate, r.region, r.camera_id, h.id, h.name, h.category, "
    "e.plate, e.state, e.reason, a.exact, a.retroactive, a.created_ms, a.acked_by, a.acked_ms, a.resolved_by, "
    "a.resolved_ms, a.image_checked, a.action FROM alerts a JOIN hotlist_entries e ON e.id = a.entry_id "
    "JOIN hotlists h ON h.id = e.hotlist_id LEFT JOIN reads r ON r.id = a.read_id AND r.captured_ms = a.read_ms";
// SQLite: the same without the read's columns (a join with the view of all day tables
// would materialise it); FillAlertReads adds them from each read's own table.
constexpr const char* kSqliteAlertSelect =
    "SELECT a.id, a.state, a.read_id, a.read_ms, NULL, NULL, NULL, h.id, h.name, h.category, "
    "e.plate, e.state, e.reason, a.exact, a.retroactive, a.created_ms, a.acked_by, a.acked_ms, a.resolved_by, "
    "a.resolved_ms, a.image_checked, a.action FROM alerts a JOIN hotlist_entries e ON e.id = a.entry_id "
    "JOIN hotlists h ON h.id = e.hotlist_id";

const char* AlertSelect(Dialect dialect) { return dialect == Dialect::kSqlite ? kSqliteAlertSelect : kAlertSelect; }

// SQLite: columns 4-6 of kSqliteAlertSelect's rows (the read's plate, region and camera),
// each from its read's table; left NULL for a read that is gone, as the join leaves them.
Status FillAlertReads(SqlDriver& driver, std::vector<SqlRow>& rows) {
  if (driver.dialect() != Dialect::kSqlite || rows.empty()) return Status::Ok();
  // One read transaction: the day list and the tables agree (another process may purge).
  CUSTODIAN_RETURN_IF_ERROR(driver.ExecScript("BEGIN"));
  Status filled = [&]() -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(std::vector<int64_t> list, ListReadDays(driver));
    const std::set<int64_t> days(list.begin(), list.end());
    for (SqlRow& r : rows) {
      const int64_t id = AsInt(r[2]);
      if (auto day = DayOfReadId(id); day && !days.count(*day)) continue;
      CUSTODIAN_ASSIGN_OR_RETURN(auto read, driver.Query("SELECT plate, region, camera_id FROM " + ReadTableOfId(id) +
                                                             " WHERE id = ? AND captured_ms = ?",
                                                         {id, r[3]}));
      if (read.empty()) continue;
      for (size_t k = 0; k < 3; ++k) r[4 + k] = read[0][k];
    }
    return Status::Ok();
  }();
  Status ended = driver.ExecScript(filled.ok() ? "COMMIT" : "ROLLBACK");
  return filled.ok() ? ended : filled;
}

Result<Alert> DecodeAlert(const SqlRow& r) {
  Alert a;
  a.id = AsInt(r[0]);
  CUSTODIAN_ASSIGN_OR_RETURN(a.state, ParseAlertState(AsString(r[1])));
  a.read_id = AsInt(r[2]);
  a.captured_at = FromUnixMillis(AsInt(r[3]));
  a.read_plate = AsString(r[4]);
  a.read_region = AsString(r[5]);
  a.camera_id = AsString(r[6]);
  a.hotlist_id = AsInt(r[7]);
  a.hotlist = AsString(r[8]);
  CUSTODIAN_ASSIGN_OR_RETURN(a.category, ParseHotlistCategory(AsString(r[9])));
  a.entry_plate = AsString(r[10]);
  a.entry_state = AsString(r[11]);
  a.entry_reason = AsString(r[12]);
  a.exact = AsInt(r[13]) != 0;
  a.retroactive = AsInt(r[14]) != 0;
  a.created_at = FromUnixMillis(AsInt(r[15]));
  a.acknowledged_by = AsString(r[16]);
  if (!IsNull(r[17])) a.acknowledged_at = FromUnixMillis(AsInt(r[17]));
  a.resolved_by = AsString(r[18]);
  if (!IsNull(r[19])) a.resolved_at = FromUnixMillis(AsInt(r[19]));
  a.image_checked = AsInt(r[20]) != 0;
  a.action = AsString(r[21]);
  return a;
}

}  // namespace

Result<Hotlist> SqlReadStore::PutHotlist(const HotlistSpec& spec) {
  CUSTODIAN_RETURN_IF_ERROR(CheckText("hotlist name", spec.name, kMaxIdLength, false));
  CUSTODIAN_RETURN_IF_ERROR(CheckText("agency code", spec.agency_code, kMaxIdLength, false));
  std::lock_guard lock(mu_);
  const int64_t now_ms = ToUnixMillis(clock_->Now());
  Status written = InTransaction([&]() -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto found, driver_->Query("SELECT 1 FROM agencies WHERE code = ?", {spec.agency_code}));
    if (found.empty()) return Status::NotFound("no agency '", spec.agency_code, "'");
    return driver_
        ->Query("INSERT INTO hotlists (name, agency_code, category, fuzzy, created_ms) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET agency_code = excluded.agency_code, category = excluded.category, "
                "fuzzy = excluded.fuzzy",
                {spec.name, spec.agency_code, std::string(HotlistCategoryName(spec.category)), int64_t(spec.fuzzy),
                 now_ms})
        .status();
  });
  if (!written.ok()) return written;
  CUSTODIAN_ASSIGN_OR_RETURN(
      auto rows, driver_->Query(std::string("SELECT ") + kHotlistColumns + " FROM hotlists h WHERE h.name = ?",
                                {spec.name}));
  if (rows.empty()) return Status::Internal("hotlist vanished after it was written");
  return DecodeHotlist(rows[0]);
}

Result<std::vector<Hotlist>> SqlReadStore::ListHotlists() {
  std::lock_guard lock(mu_);
  CUSTODIAN_ASSIGN_OR_RETURN(
      auto rows, driver_->Query(std::string("SELECT ") + kHotlistColumns + " FROM hotlists h ORDER BY h.name", {}));
  std::vector<Hotlist> out;
  for (const auto& r : rows) {
    CUSTODIAN_ASSIGN_OR_RETURN(auto h, DecodeHotlist(r));
    out.push_back(std::move(h));
  }
  return out;
}

Result<HotlistImportResult> SqlReadStore::ImportHotlistEntries(const HotlistImport& im) {
  CUSTODIAN_RETURN_IF_ERROR(CheckText("hotlist name", im.list, kMaxIdLength, false));
  if (im.entries.empty() || im.entries.size() > kMaxHotlistBatch) {
    return Status::InvalidArgument(im.entries.size(), " hotlist entries in one import; give 1..", kMaxHotlistBatch);
  }
  if (im.retro_window.count() < 0) return Status::InvalidArgument("the retroactive window is negative");
  struct Prepared {
    std::string plate, key, state;
  };
  std::vector<Prepared> prepared(im.entries.size());
  for (size_t i = 0; i < im.entries.size(); ++i) {
    const HotlistEntryInput& e = im.entries[i];
    auto entry_error = [&](const Status& st) {
      return Status(st.code(), "entry " + std::to_string(i) + ": " + st.message());
    };
    Status st = CheckText("plate", e.plate, kMaxRawPlateLength, false);
    if (!st.ok()) return entry_error(st);
    auto plate = NormalisePlate(e.plate);
    if (!plate.ok()) return entry_error(plate.status());
    st = CheckText("state", e.state, kMaxRegionLength, true);
    if (!st.ok()) return entry_error(st);
    st = CheckText("reason", e.reason, kMaxHotlistReasonLength, true);
    if (!st.ok()) return entry_error(st);
    prepared[i] = {*plate, ConfusionKey(*plate), UpperAscii(e.state)};
  }
  std::lock_guard lock(mu_);
  const int64_t now_ms = ToUnixMillis(clock_->Now());
  const int64_t since_ms = now_ms - im.retro_window.count();
  HotlistImportResult result;
  Status written = InTransaction([&]() -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto list, driver_->Query("SELECT id, fuzzy FROM hotlists WHERE name = ?", {im.list}));
    if (list.empty()) return Status::NotFound("no hotlist '", im.list, "'");
    const int64_t list_id = AsInt(list[0][0]);
    const bool fuzzy = AsInt(list[0][1]) != 0;
    // SQLite's hotlist filter (made current first) takes the new plates here rather than
    // being reloaded by the next ingest (its version is read again after the inserts).
    // Should the transaction roll back, the filter is marked stale below (its version
    // could otherwise come to equal the database's again after other changes).
    const bool filter = driver_->dialect() == Dialect::kSqlite;
    if (filter) CUSTODIAN_RETURN_IF_ERROR(RefreshHotlistFilter());
    for (size_t i = 0; i < im.entries.size(); ++i) {
      const HotlistEntryInput& e = im.entries[i];
      const Prepared& p = prepared[i];
      SqlValue expires = e.expires ? SqlValue(ToUnixMillis(*e.expires)) : SqlValue();
      CUSTODIAN_ASSIGN_OR_RETURN(
          auto existing, driver_->Query("SELECT id FROM hotlist_entries WHERE hotlist_id = ? AND plate = ? AND state = ?",
                                        {list_id, p.plate, p.state}));
      int64_t entry_id = 0;
      if (existing.empty()) {
        CUSTODIAN_ASSIGN_OR_RETURN(
            auto ids, driver_->Query("INSERT INTO hotlist_entries (hotlist_id, plate, confusion_key, state, reason, "
                                     "expires_ms, added_ms) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                     {list_id, p.plate, p.key, p.state, e.reason, expires, now_ms}));
        if (ids.empty()) return Status::Internal("insert of a hotlist entry returned no id");
        entry_id = AsInt(ids[0][0]);
        ++result.added;
      } else {
        entry_id = AsInt(existing[0][0]);
        CUSTODIAN_RETURN_IF_ERROR(
            driver_->Query("UPDATE hotlist_entries SET reason = ?, expires_ms = ? WHERE id = ?", {e.reason, expires, entry_id})
                .status());
        ++result.updated;
      }
      if (im.retro_window.count() == 0) continue;
      // Recent reads of the plate (or its confusion class on a fuzzy list).
      std::vector<SqlRow> reads;
      for (int pass = 0; pass < (fuzzy ? 2 : 1); ++pass) {
        CUSTODIAN_ASSIGN_OR_RETURN(
            auto rows, driver_->Query(pass == 0 ? "SELECT id, captured_ms, plate, region, data_class FROM reads WHERE "
                                                  "plate = ? AND captured_ms >= ?"
                                                : "SELECT id, captured_ms, plate, region, data_class FROM reads WHERE "
                                                  "plate IN "
                                                  "(SELECT p.plate FROM plates p WHERE p.confusion_key = ?) "
                                                  "AND captured_ms >= ? AND plate <> ?",
                                      pass == 0 ? std::vector<SqlValue>{p.plate, since_ms}
                                                : std::vector<SqlValue>{p.key, since_ms, p.plate}));
        reads.insert(reads.end(), rows.begin(), rows.end());
      }
      for (const auto& r : reads) {
        ReadKey key{AsInt(r[0]), AsInt(r[1]), AsString(r[2]), p.key, AsString(r[3]), AsInt(r[4])};
        if (!StatesMatch(p.state, key.region)) continue;
        if (e.expires && key.captured_ms >= ToUnixMillis(*e.expires)) continue;
        CUSTODIAN_ASSIGN_OR_RETURN(int n, InsertAlert(*driver_, key, entry_id, key.plate == p.plate,
                                                      /*retroactive=*/true, now_ms));
        result.retro_alerts += n;
      }
    }
    if (filter) {
      for (const Prepared& p : prepared) {
        hot_plates_.Insert(p.plate);
        if (fuzzy) hot_fuzzy_keys_.Insert(p.key);
      }
      CUSTODIAN_ASSIGN_OR_RETURN(auto v, driver_->Query("SELECT version FROM hotlist_version", {}));
      hot_filter_version_ = v.empty() ? -1 : AsInt(v[0][0]);
    }
    return Status::Ok();
  });
  if (!written.ok()) {
    hot_filter_version_ = -1;  // the sets may hold rolled-back plates: reload at the next ingest
    return written;
  }
  return result;
}

Result<std::vector<Alert>> SqlReadStore::ListAlerts(const AlertQuery& q) {
  if (q.limit < 1 || q.limit > kMaxPageSize) {
    return Status::InvalidArgument("page size ", q.limit, " is not in 1..", kMaxPageSize);
  }
  std::string sql = std::string(AlertSelect(driver_->dialect())) + " WHERE a.id > ?";
  std::vector<SqlValue> params{q.after_id};
  if (q.unreviewed_only) sql += " AND a.state IN ('new', 'acknowledged')";
  if (q.state) {
    sql += " AND a.state = ?";
    params.push_back(std::string(AlertStateName(*q.state)));
  }
  if (q.created_before) {
    sql += " AND a.created_ms < ?";
    params.push_back(ToUnixMillis(*q.created_before));
  }
  if (!q.data_classes.empty()) {
    std::string in;
    for (DataClass c : q.data_classes) {
      in += in.empty() ? "?" : ", ?";
      params.push_back(int64_t(c == DataClass::kPublicSafety ? 0 : 1));
    }
    sql += " AND a.data_class IN (" + in + ")";
  }
  sql += " ORDER BY a.id LIMIT ?";
  params.push_back(int64_t(q.limit));
  std::lock_guard lock(mu_);
  CUSTODIAN_ASSIGN_OR_RETURN(auto rows, driver_->Query(sql, params));
  CUSTODIAN_RETURN_IF_ERROR(FillAlertReads(*driver_, rows));
  std::vector<Alert> out;
  for (const auto& r : rows) {
    CUSTODIAN_ASSIGN_OR_RETURN(auto a, DecodeAlert(r));
    out.push_back(std::move(a));
  }
  return out;
}

Result<Alert> SqlReadStore::GetAlert(int64_t id) {
  std::lock_guard lock(mu_);
  CUSTODIAN_ASSIGN_OR_RETURN(auto rows,
                             driver_->Query(std::string(AlertSelect(driver_->dialect())) + " WHERE a.id = ?", {id}));
  if (rows.empty()) return Status::NotFound("no alert ", id);
  CUSTODIAN_RETURN_IF_ERROR(FillAlertReads(*driver_, rows));
  return DecodeAlert(rows[0]);
}

namespace {

// Moves alert `id` from state `from` with `update` (SET clause, then `params` and the id);
// explains a refusal by the alert's actual state.
Status Transition(SqlDriver& driver, int64_t id, std::string_view from, std::string_view verb, const std::string& set,
                  std::vector<SqlValue> params) {
  params.push_back(id);
  params.push_back(std::string(from));
  CUSTODIAN_ASSIGN_OR_RETURN(
      auto done, driver.Query("UPDATE alerts SET " + set + " WHERE id = ? AND state = ? RETURNING id", params));
  if (!done.empty()) return Status::Ok();
  CUSTODIAN_ASSIGN_OR_RETURN(auto rows, driver.Query("SELECT state FROM alerts WHERE id = ?", {id}));
  if (rows.empty()) return Status::NotFound("no alert ", id);
  return Status::InvalidArgument("alert ", id, " is ", AsString(rows[0][0]), "; only a", from == "new" ? " " : "n ",
                                 from, " alert can be ", verb);
}

}  // namespace

Status SqlReadStore::AcknowledgeAlert(int64_t id, std::string_view by) {
  CUSTODIAN_RETURN_IF_ERROR(CheckText("user", by, kMaxIdLength, false));
  std::lock_guard lock(mu_);
  const int64_t now_ms = ToUnixMillis(clock_->Now());
  return InTransaction([&] {
    return Transition(*driver_, id, "new", "acknowledged", "state = 'acknowledged', acked_by = ?, acked_ms = ?",
                      {std::string(by), now_ms});
  });
}

Status SqlReadStore::ConfirmAlert(int64_t id, const AlertConfirmation& c) {
  CUSTODIAN_RETURN_IF_ERROR(CheckText("user", c.by, kMaxIdLength, false));
  if (!c.image_checked) {
    return Status::InvalidArgument(
        "confirming an alert records that the plate image was checked against the hotlist record (policy 4.A.3); "
        "check it first");
  }
  CUSTODIAN_RETURN_IF_ERROR(CheckText("action taken", c.action, kMaxHotlistReasonLength, false));
  std::lock_guard lock(mu_);
  const int64_t now_ms = ToUnixMillis(clock_->Now());
  return InTransaction([&] {
    return Transition(*driver_, id, "acknowledged", "confirmed",
                      "state = 'confirmed', resolved_by = ?, resolved_ms = ?, image_checked = 1, action = ?",
                      {c.by, now_ms, c.action});
  });
}

Status SqlReadStore::DismissAlert(int64_t id, std::string_view by, std::string_view note) {
  CUSTODIAN_RETURN_IF_ERROR(CheckText("user", by, kMaxIdLength, false));
  CUSTODIAN_RETURN_IF_ERROR(CheckText("dismissal note", note, kMaxHotlistReasonLength, false));
  std::lock_guard lock(mu_);
  const int64_t now_ms = ToUnixMillis(clock_->Now());
  return InTransaction([&] {
    return Transition(*driver_, id, "acknowledged", "dismissed",
                      "state = 'dismissed', resolved_by = ?, resolved_ms = ?, action = ?",
                      {std::string(by), now_ms, std::string(note)});
  });
}

Result<bool> SqlReadStore::ImageReferenced(const std::string& sha256) {
  std::lock_guard lock(mu_);
  CUSTODIAN_ASSIGN_OR_RETURN(auto rows, driver_->Query("SELECT refs FROM images WHERE sha256 = ?", {sha256}));
  return !rows.empty() && AsInt(rows[0][0]) > 0;
}

Result<std::vector<std::string>> SqlReadStore::ImageHashesAfter(const std::string& after, int limit) {
  std::lock_guard lock(mu_);
  CUSTODIAN_ASSIGN_OR_RETURN(auto rows, driver_->Query("SELECT sha256 FROM images WHERE sha256 > ? AND refs > 0 "
                                                    "ORDER BY sha256 LIMIT ?",
                                                    {after, int64_t(limit)}));
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(AsString(r[0]));
  return out;
}

}  // namespace custodian::store::internal
