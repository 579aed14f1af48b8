// The JSON of the domain types as the API answers them (holds, users, access-log entries,
// records requests, accuracy audits, purges, access counts, sharing grants). Reads are
// store::ReadToJson (custodian/store/read_json.h: the one shape every writer of a read uses);
// alerts are in alert_json.h (the live stream and webhooks send them too). Internal.
#pragma once

#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "custodian/core/clock.h"
#include "custodian/policy/accuracy_audit.h"
#include "custodian/policy/governance.h"
#include "custodian/policy/records_requests.h"
#include "custodian/policy/reports.h"
#include "custodian/policy/retention.h"
#include "custodian/policy/sharing.h"
#include "custodian/store/read_store.h"

namespace custodian::server::internal {

nlohmann::json HoldJson(const store::Hold& h);
nlohmann::json UserJson(const policy::UserInfo& u);
nlohmann::json LogJson(const policy::LogEntry& e);
// An RFC 3339 time, or null.
nlohmann::json OptIso(const std::optional<TimePoint>& t);
nlohmann::json SearchJson(const store::SearchQuery& q);
nlohmann::json RequestJson(const policy::RecordsRequest& r);
nlohmann::json CameraAccuracyJson(const policy::CameraAccuracy& a);
nlohmann::json AuditJson(const policy::AuditResult& r);
nlohmann::json ClassPurgeJson(const policy::ClassPurgeSummary& s);
nlohmann::json AccessCountsJson(const std::vector<policy::AccessCount>& counts);
nlohmann::json GrantJson(const policy::SharingGrant& g);

}  // namespace custodian::server::internal
