// Governed operations: plate searches and reads, holds, evidence, alerts, hotlists,
// cameras, agencies and retention, each authorised by the Governance layer for a Principal
// and recorded in the access log. The CLI and the server reach these parts of the store
// only through these functions.
//
// Basic usage:
//   auto who = gov->Authenticate(token, "cli");
//   auto hold = policy::PlaceHold(*gov, *who, "criminal_investigation",
//                                 {.case_number = "24-CR-0117", .reason = "hit and run", .read_ids = {42}});
//   auto alerts = policy::ListAlerts(*gov, *who, {.unreviewed_only = true});
//   auto purge = policy::RunPurge(*gov, policy::Governance::System("purge"), {}, {});
//
// Every function authorises first (a refusal is kPermissionDenied, logged as "denied" by
// Governance::Authorize). A change made through a store method (which takes its own lock)
// is logged as "allowed" before it runs: when that entry cannot be written nothing is done
// and the caller gets kUnavailable. A change that then fails leaves a "failed" entry with
// the error. A read of data is logged with its count after it runs, and nothing is
// released when that entry cannot be written. Class-scoped operations (holds, evidence,
// alerts) are checked against the data class of every read they touch; the plate-data
// ones also pass the plate-data gates (acknowledgment, training, purpose and case number).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "custodian/core/status.h"
#include "custodian/policy/governance.h"
#include "custodian/policy/retention.h"
#include "custodian/store/evidence.h"
#include "custodian/store/holds.h"
#include "custodian/store/hotlists.h"
#include "custodian/store/read_store.h"

namespace custodian::policy {

// ---- The API's door and liveness ----

// The check at an API route's door, before its request is parsed (deny by default): when
// `who`'s role may not perform `op` on any data class, kPermissionDenied and a refusal
// logged through Governance::Authorize (action `op`, terms {"route": route}, e.g.
// "GET /api/v1/reads"). OK otherwise; the operation checks again on the data it touches.
Status AuthorizeRoute(Governance& gov, const Principal& who, const std::string& op, const std::string& route);

// The store's schema version: a liveness check of the database (no principal, no plate
// data, nothing logged). An error when the database cannot be reached.
Result<int> CheckDatabase(Governance& gov);

// ---- Plate data (ops::kSearchReads, ops::kViewImages) ----
// Each passes the plate-data gates (purpose and case, acknowledgment, approvals, training);
// a workflow purpose (records_request, accuracy_audit, legal_hold, breach_notice) must
// name its request, audit, open hold or incident as the case. The answer is released only
// after its access-log entry (terms, purpose, case, count) has committed.

// The query narrowed to what `who` may see (data classes by role; for users of another
// agency, the classes and cameras of its grants in force), run, and logged with its count.
Result<store::SearchPage> SearchReads(Governance& gov, const Principal& who, const AccessPurpose& why,
                                      store::SearchQuery query);
// One read, when its class is open to `who` (and shared with a partner's agency).
Result<store::StoredRead> GetRead(Governance& gov, const Principal& who, const AccessPurpose& why, int64_t read_id);
// The read's plate crop (or, with `frame`, its full frame), decrypted. kNotFound (logged as
// failed) when the read has no such image.
Result<std::vector<uint8_t>> GetReadImage(Governance& gov, const Principal& who, const AccessPurpose& why,
                                          int64_t read_id, bool frame);

// ---- Legal holds and evidence (ops::kPlaceHolds, ops::kExportEvidence; plate data) ----

// Places a hold for `who` (request.placed_by is set to who.username). The case number
// stated for the plate-data gates is the hold's own. A search without a data class is
// narrowed to the one class the role may hold when it may hold only one.
Result<store::Hold> PlaceHold(Governance& gov, const Principal& who, const std::string& purpose,
                              store::HoldRequest request);
// Releases hold `hold_id` (case number: the hold's) and returns it as released.
Result<store::Hold> ReleaseHold(Governance& gov, const Principal& who, const std::string& purpose, int64_t hold_id);
// Holds newest first (their case numbers and counts, no plate data). Needs place_holds on
// some data class.
Result<std::vector<store::Hold>> ListHolds(Governance& gov, const Principal& who, bool include_released);
// The ids of the reads hold `hold_id` covers (case number: the hold's).
Result<std::vector<int64_t>> HeldReadIds(Governance& gov, const Principal& who, const std::string& purpose,
                                         int64_t hold_id);
// Writes hold `hold_id`'s evidence export to `out_dir` (see store/evidence.h), signed with
// the governance layer's agency key (never created here). Case number: the hold's.
Result<store::EvidenceExport> ExportEvidence(Governance& gov, const Principal& who, const std::string& purpose,
                                             int64_t hold_id, const std::filesystem::path& out_dir);

// ---- Hotlist alerts (ops::kViewAlerts, ops::kReviewAlerts) ----
// An alert's data class is its read's (the camera's class at capture time). Lists leave
// out the alerts of classes the role may not see.

// Alert listings and reviews pass the plate-data gates (acknowledgment, approvals,
// training) and are logged under purpose "hotlist_alert" with the ids and plates released;
// the class filter runs in the query, before its limit.
Result<std::vector<store::Alert>> ListAlerts(Governance& gov, const Principal& who, const store::AlertQuery& query);
// For a live stream: unreviewed alerts after `after_id` that `who` may see. Logged only
// when some are released (ids and plates); an empty answer writes nothing.
Result<std::vector<store::Alert>> NewAlertsForStream(Governance& gov, const Principal& who, int64_t after_id);
// The largest alert id (0 when none): a signal for live streams, no plate data, not logged.
Result<int64_t> NewestAlertId(Governance& gov);
// Alerts neither confirmed nor dismissed raised more than `max_age` ago, oldest first.
Result<std::vector<store::Alert>> OverdueAlerts(Governance& gov, const Principal& who,
                                                std::chrono::milliseconds max_age);
Result<store::Alert> GetAlert(Governance& gov, const Principal& who, int64_t alert_id);
// The review steps; the reviewer is always who.username. Each returns the alert after it.
Result<store::Alert> AcknowledgeAlert(Governance& gov, const Principal& who, int64_t alert_id);
Result<store::Alert> ConfirmAlert(Governance& gov, const Principal& who, int64_t alert_id, bool image_checked,
                                  const std::string& action);
Result<store::Alert> DismissAlert(Governance& gov, const Principal& who, int64_t alert_id, const std::string& note);

// ---- Hotlists (ops::kManageHotlists, ops::kViewHotlists) ----

Result<store::Hotlist> PutHotlist(Governance& gov, const Principal& who, const store::HotlistSpec& spec);
// Imports in batches of store::kMaxHotlistBatch (see policy::ImportHotlist).
Result<store::HotlistImportResult> ImportHotlistEntries(Governance& gov, const Principal& who, const std::string& list,
                                                        const std::vector<store::HotlistEntryInput>& entries,
                                                        std::chrono::milliseconds retro_window);
Result<std::vector<store::Hotlist>> ListHotlists(Governance& gov, const Principal& who);

// ---- Cameras and agencies (ops::kManageCameras) ----

Status PutCamera(Governance& gov, const Principal& who, const store::Camera& camera);
// An agency must record its state (two capital letters) and kind ("local", "county",
// "state", "federal", "tribal", "private"); the recorder and time are set here.
Status PutAgency(Governance& gov, const Principal& who, const store::Agency& agency);

// ---- Retention (ops::kManageRetention; allowed to Governance::System) ----

// Checks retention periods against policy section 3 for `who`, logging the decision.
// kInvalidArgument (logged as "failed") for a period outside 90 days .. 2 years.
Result<RetentionPolicy> CheckRetentionPeriods(Governance& gov, const Principal& who, const RetentionPeriods& periods);
// Runs the purge (policy::RunPurge) at gov.clock().Now(); options.run_by is set to
// who.username. Logs the run before it starts and its counts (or failure) after.
Result<PurgeSummary> RunPurge(Governance& gov, const Principal& who, const RetentionPeriods& periods,
                              PurgeOptions options);
// purge_log rows, newest first (counts and time ranges, never plates).
Result<std::vector<store::PurgeLogEntry>> PurgeLog(Governance& gov, const Principal& who, int limit);

// ---- Installation ----

// Creates agency `agency_code` (named `agency_name`) when missing and the first
// coordinator, both logged as the system. kInvalidArgument when any account exists.
Result<NewAccount> BootstrapInstallation(Governance& gov, const std::string& agency_code,
                                         const std::string& agency_name, const std::string& username,
                                         const std::string& full_name);

}  // namespace custodian::policy
