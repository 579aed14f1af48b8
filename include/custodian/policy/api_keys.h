// Per-device API keys for cameras and integrations: shown once, stored as SHA-256,
// scoped to ingest for one camera, revocable at once; every change is logged.
//
// Basic usage:
//   auto key = policy::CreateApiKey(gov, coordinator, "cam-7", "north gate unit");  // key->secret once
//   auto device = policy::AuthenticateDevice(gov, "ck_...");   // on each camera request
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "custodian/policy/governance.h"

namespace custodian::policy {

struct ApiKey {
  int64_t id = 0;
  std::string name;
  std::string camera_id;
  std::string scope;  // "ingest"
  std::string created_by;
  TimePoint created_at;
  std::string revoked_by;                // empty while valid
  std::optional<TimePoint> revoked_at;
  std::optional<TimePoint> expires_at;   // none: valid until revoked
  std::string secret;                    // only from CreateApiKey: "ck_" + 64 hex digits
};

// A camera, as an authenticated API key.
struct Device {
  int64_t key_id = 0;
  std::string name;
  std::string camera_id;
  std::string scope;
};

// ops::kManageCameras. kNotFound for an unknown camera; kInvalidArgument for a bad name or
// an expiry not in the future. `expires`: the key stops working then. Default: never.
Result<ApiKey> CreateApiKey(Governance& gov, const Principal& by, const std::string& camera_id,
                            const std::string& name, std::optional<TimePoint> expires = std::nullopt);
Status RevokeApiKey(Governance& gov, const Principal& by, int64_t key_id);
Result<std::vector<ApiKey>> ListApiKeys(Governance& gov, const Principal& by);
// kUnauthenticated for an unknown, malformed, revoked or expired key; each refusal is
// logged (action device_auth, denied, with `source` and the key's id when it is one of
// ours, else a prefix of the presented key's SHA-256).
Result<Device> AuthenticateDevice(Governance& gov, const std::string& secret, const std::string& source = "");

// Ingests a batch of reads from `device` (as AuthenticateDevice returned it): every read
// must be its camera's (kPermissionDenied otherwise, nothing ingested). Not logged: reads
// coming in are not an access to plate data (searches, alerts and exports of them are).
Result<std::vector<store::IngestResult>> IngestFromDevice(Governance& gov, const Device& device,
                                                          std::span<const store::ReadInput> batch);

// Every camera (ids, names, classes, places; no plate data). Any full session: the
// search form's camera filter needs them.
Result<std::vector<store::Camera>> ListCameras(Governance& gov, const Principal& by);

// The public transparency figures (no plate, ever): aggregate counts only.
struct TransparencyFigures {
  int64_t cameras = 0;
  int64_t cameras_public_safety = 0;
  int64_t cameras_non_public_safety = 0;
  int64_t reads = 0;                     // stored now
  int64_t reads_last_30_days = 0;
  int64_t hotlist_hits = 0;              // alerts raised, all time still stored
  int64_t hits_confirmed = 0;
  int64_t hits_dismissed_misread = 0;
  std::vector<std::pair<std::string, int64_t>> searches_by_purpose;  // allowed searches, last 365 days
  int64_t searches_denied = 0;           // last 365 days
  int64_t sharing_grants_in_force = 0;
  std::vector<std::string> agencies_shared_with;
  int64_t purges = 0;                    // purge runs recorded
  // The access log's signed head: its newest signed checkpoint (sequence number, hash,
  // time, signature, key; no plate data), published so anyone can keep copies and prove a
  // later rewrite with `custodian audit verify --against`. nullopt while there is none.
  std::optional<SignedHead> access_log_head;
};
Result<TransparencyFigures> ComputeTransparency(Governance& gov);

}  // namespace custodian::policy
