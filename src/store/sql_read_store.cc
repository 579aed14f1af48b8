// SqlReadStore: opening, agencies and cameras, reader connections, image references.
#include "store/sql_common.h"
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
Result<std::unique_ptr<ReadStore>> SqlReadStore::Open(std::unique_ptr<SqlDriver> driver,
                                                      std::unique_ptr<ReadLayout> layout,
                                                      std::unique_ptr<ImageStore> images,
                                                      const StoreOptions& options, std::string_view backend) {
  CUSTODIAN_RETURN_IF_ERROR(MigrateSchema(*driver, options.migrate, *options.clock, backend));
  if (options.migrate) CUSTODIAN_RETURN_IF_ERROR(layout->AfterMigrate(*driver));
  std::unique_ptr<SqlReadStore> store(
      new SqlReadStore(std::move(driver), std::move(layout), std::move(images), options.clock, backend));
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

void SqlReadStore::AddReader(std::unique_ptr<SqlDriver> reader) {
  readers_.push_back(std::move(reader));
  reader_mu_.push_back(std::make_unique<std::mutex>());
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
