// Device API keys and the public transparency figures.
#include "policy/policy_util.h"
#include "custodian/policy/api_keys.h"

#include <sodium.h>

#include <nlohmann/json.hpp>

namespace custodian::policy {
namespace {

using internal::Sha256Hex;

using json = nlohmann::json;

bool WellFormedKey(const std::string& s) {
  if (s.size() != 67 || s.rfind("ck_", 0) != 0) return false;
  for (size_t i = 3; i < s.size(); ++i) {
    if (!std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

}  // namespace

Result<ApiKey> CreateApiKey(Governance& gov, const Principal& by, const std::string& camera_id,
                            const std::string& name, std::optional<TimePoint> expires) {
  LogEvent e = gov.Event(by, "create_api_key", kDenied);
  e.terms = json{{"camera_id", camera_id.substr(0, 128)}}.dump();
  CUSTODIAN_RETURN_IF_ERROR(gov.Authorize(by, ops::kManageCameras, std::nullopt, e));
  if (name.empty() || name.size() > 128) return Status::InvalidArgument("a key name has 1..128 characters");
  if (expires && *expires <= gov.clock().Now()) return Status::InvalidArgument("a key's expiry must be in the future");
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  ApiKey k;
  k.secret = "ck_" + std::string(64, '0');
  sodium_bin2hex(k.secret.data() + 3, 65, raw, sizeof raw);
  k.name = name;
  k.camera_id = camera_id;
  k.scope = "ingest";
  k.created_by = by.username;
  k.created_at = gov.clock().Now();
  k.expires_at = expires;
  e.Allow(1, "API key '" + name + "' issued for camera " + camera_id);
  CUSTODIAN_RETURN_IF_ERROR(gov.RecordWith(by, e, [&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto cam, txn.Query("SELECT 1 FROM cameras WHERE id = ?", {camera_id}));
    if (cam.empty()) return Status::NotFound("no camera '", camera_id.substr(0, 64), "'");
    CUSTODIAN_ASSIGN_OR_RETURN(
        auto rows, txn.Query("INSERT INTO api_keys (key_sha, name, camera_id, scope, created_by, created_ms, expires_ms) "
                             "VALUES (?, ?, ?, 'ingest', ?, ?, ?) RETURNING id",
                             {Sha256Hex(k.secret), name, camera_id, by.username, ToUnixMillis(k.created_at),
                              expires ? store::SqlValue(ToUnixMillis(*expires)) : store::SqlValue()}));
    k.id = AsInt(rows[0][0]);
    return Status::Ok();
  }));
  return k;
}

Status RevokeApiKey(Governance& gov, const Principal& by, int64_t key_id) {
  LogEvent e = gov.Event(by, "revoke_api_key", kDenied);
  e.terms = json{{"key_id", key_id}}.dump();
  CUSTODIAN_RETURN_IF_ERROR(gov.Authorize(by, ops::kManageCameras, std::nullopt, e));
  e.Allow(1);
  const int64_t now = ToUnixMillis(gov.clock().Now());
  return gov.RecordWith(by, e, [&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT revoked_ms FROM api_keys WHERE id = ?", {key_id}));
    if (rows.empty()) return Status::NotFound("no API key ", key_id);
    if (!IsNull(rows[0][0])) return Status::InvalidArgument("API key ", key_id, " is already revoked");
    return txn.Query("UPDATE api_keys SET revoked_by = ?, revoked_ms = ? WHERE id = ?", {by.username, now, key_id})
        .status();
  });
}

Result<std::vector<ApiKey>> ListApiKeys(Governance& gov, const Principal& by) {
  LogEvent e = gov.Event(by, "list_api_keys", kDenied);
  CUSTODIAN_RETURN_IF_ERROR(gov.Authorize(by, ops::kManageCameras, std::nullopt, e));
  std::vector<ApiKey> out;
  CUSTODIAN_RETURN_IF_ERROR(gov.store().Transact([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT id, name, camera_id, scope, created_by, created_ms, "
                                                    "revoked_by, revoked_ms, expires_ms FROM api_keys ORDER BY id",
                                                    {}));
    for (const auto& r : rows) {
      ApiKey k;
      store::ColumnsTo(r, 0, k.id, k.name, k.camera_id, k.scope, k.created_by, k.created_at, k.revoked_by,
                       k.revoked_at, k.expires_at);
      out.push_back(std::move(k));
    }
    return Status::Ok();
  }));
  return out;
}

Result<Device> AuthenticateDevice(Governance& gov, const std::string& secret, const std::string& source) {
  // A refused key is logged (who tried, from where, which key if it is one of ours), so a
  // stolen, revoked or expired key still in use shows in the weekly review.
  LogEvent e = gov.Event(Governance::System("device-auth"), "device_auth", kDenied);
  e.username = "unknown-device";
  e.source = source.empty() ? "unknown" : source.substr(0, 64);
  auto refuse = [&](const json& terms, const std::string& why) -> Status {
    e.terms = terms.dump();
    e.detail = why;
    if (Status st = gov.Record(Governance::System("device-auth"), e); !st.ok()) {
      return Status::Unavailable("the access log cannot be written (", st.message(), "); refused");
    }
    return Status::Unauthenticated(why);
  };
  if (!WellFormedKey(secret)) return refuse(json::object(), "malformed API key");
  const std::string sha = Sha256Hex(secret);
  Device d;
  std::optional<json> refused;
  std::string why;
  CUSTODIAN_RETURN_IF_ERROR(gov.store().ReadOnly([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(
        auto rows,
        txn.Query("SELECT id, name, camera_id, scope, revoked_ms, expires_ms FROM api_keys WHERE key_sha = ?", {sha}));
    if (rows.empty()) {
      refused = json{{"key_sha256_prefix", sha.substr(0, 12)}};
      why = "unknown API key";
      return Status::Ok();
    }
    const bool revoked = !IsNull(rows[0][4]);
    const bool expired = !IsNull(rows[0][5]) && AsInt(rows[0][5]) <= ToUnixMillis(gov.clock().Now());
    if (revoked || expired) {
      refused = json{{"key_id", AsInt(rows[0][0])}, {"camera_id", AsString(rows[0][2])}};
      why = revoked ? "revoked API key" : "expired API key";
      return Status::Ok();
    }
    store::ColumnsTo(rows[0], 0, d.key_id, d.name, d.camera_id, d.scope);
    return Status::Ok();
  }));
  if (refused) return refuse(*refused, why);
  return d;
}

Result<std::vector<store::IngestResult>> IngestFromDevice(Governance& gov, const Device& device,
                                                          std::span<const store::ReadInput> batch) {
  if (device.key_id == 0) return Status::Unauthenticated("an API key is required");
  for (const auto& r : batch) {
    if (r.camera_id != device.camera_id) {
      return Status::PermissionDenied("this API key ingests for camera ", device.camera_id, " only");
    }
  }
  return gov.store().Ingest(batch);
}

Result<std::vector<store::Camera>> ListCameras(Governance& gov, const Principal& by) {
  LogEvent e = gov.Event(by, "list_cameras", kDenied);
  CUSTODIAN_RETURN_IF_ERROR(gov.Authorize(by, ops::kViewCameras, std::nullopt, e));
  std::vector<store::Camera> out;
  CUSTODIAN_RETURN_IF_ERROR(gov.store().Transact([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT id, name, kind, lat, lon, heading, agency_code, data_class "
                                                    "FROM cameras ORDER BY id",
                                                    {}));
    for (const auto& r : rows) {
      store::Camera c;
      c.id = AsString(r[0]);
      c.name = AsString(r[1]);
      auto kind = store::ParseCameraKind(AsString(r[2]));
      if (kind.ok()) c.kind = *kind;
      if (!IsNull(r[3]) && !IsNull(r[4])) c.location = store::GeoPoint{store::AsDouble(r[3]), store::AsDouble(r[4])};
      if (!IsNull(r[5])) c.heading_deg = store::AsDouble(r[5]);
      c.agency_code = AsString(r[6]);
      c.data_class = AsInt(r[7]) == 0 ? store::DataClass::kPublicSafety : store::DataClass::kNonPublicSafety;
      out.push_back(std::move(c));
    }
    return Status::Ok();
  }));
  CUSTODIAN_RETURN_IF_ERROR(LogOutcome(gov, by, e, Outcome::Released(int64_t(out.size()))));
  return out;
}

Result<TransparencyFigures> ComputeTransparency(Governance& gov) {
  TransparencyFigures f;
  const int64_t now = ToUnixMillis(gov.clock().Now());
  const int64_t day = 86'400'000;
  // On a read connection: counting every stored read (on SQLite, every day's table behind
  // the view `reads`) takes a while at millions of reads, and must not hold the writer.
  CUSTODIAN_RETURN_IF_ERROR(gov.store().ReadOnly([&](Txn& txn) -> Status {
    auto one = [&](const std::string& sql, const std::vector<store::SqlValue>& params) -> Result<int64_t> {
      CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query(sql, params));
      return rows.empty() ? int64_t{0} : AsInt(rows[0][0]);
    };
    CUSTODIAN_ASSIGN_OR_RETURN(f.cameras, one("SELECT COUNT(*) FROM cameras", {}));
    CUSTODIAN_ASSIGN_OR_RETURN(f.cameras_public_safety, one("SELECT COUNT(*) FROM cameras WHERE data_class = 0", {}));
    f.cameras_non_public_safety = f.cameras - f.cameras_public_safety;
    CUSTODIAN_ASSIGN_OR_RETURN(f.reads, one("SELECT COUNT(*) FROM reads", {}));
    CUSTODIAN_ASSIGN_OR_RETURN(f.reads_last_30_days,
                               one("SELECT COUNT(*) FROM reads WHERE captured_ms >= ?", {now - 30 * day}));
    CUSTODIAN_ASSIGN_OR_RETURN(f.hotlist_hits, one("SELECT COUNT(*) FROM alerts", {}));
    CUSTODIAN_ASSIGN_OR_RETURN(f.hits_confirmed, one("SELECT COUNT(*) FROM alerts WHERE state = 'confirmed'", {}));
    CUSTODIAN_ASSIGN_OR_RETURN(f.hits_dismissed_misread,
                               one("SELECT COUNT(*) FROM alerts WHERE state = 'dismissed'", {}));
    CUSTODIAN_ASSIGN_OR_RETURN(auto purposes,
                               txn.Query("SELECT purpose, COUNT(*) FROM access_log WHERE action = 'search_reads' AND "
                                         "outcome = 'allowed' AND at_ms >= ? GROUP BY purpose ORDER BY purpose",
                                         {now - 365 * day}));
    for (const auto& r : purposes) f.searches_by_purpose.emplace_back(AsString(r[0]), AsInt(r[1]));
    CUSTODIAN_ASSIGN_OR_RETURN(f.searches_denied,
                               one("SELECT COUNT(*) FROM access_log WHERE action = 'search_reads' AND outcome = "
                                   "'denied' AND at_ms >= ?",
                                   {now - 365 * day}));
    CUSTODIAN_ASSIGN_OR_RETURN(auto grants, txn.Query("SELECT DISTINCT agency_code FROM sharing_grants WHERE "
                                                      "revoked_ms IS NULL AND expires_ms > ? ORDER BY agency_code",
                                                      {now}));
    for (const auto& r : grants) f.agencies_shared_with.push_back(AsString(r[0]));
    CUSTODIAN_ASSIGN_OR_RETURN(f.sharing_grants_in_force,
                               one("SELECT COUNT(*) FROM sharing_grants WHERE revoked_ms IS NULL AND expires_ms > ?",
                                   {now}));
    CUSTODIAN_ASSIGN_OR_RETURN(f.purges, one("SELECT COUNT(*) FROM purge_log", {}));
    CUSTODIAN_ASSIGN_OR_RETURN(f.access_log_head, LatestSignedHead(txn));
    return Status::Ok();
  }));
  return f;
}

}  // namespace custodian::policy
