// The governed operations that release plate data, declared once each (issue 23, finding
// 7). Access reports, misuse flags, the sharing report and breach notices read this table
// (through IsPlateDataAction and PlateDataActionOf) and nothing else, so what they count is
// what the operations release.
//
// Basic usage:
//   LogEvent e = gov.Event(who, actions::kExportEvidence, kDenied);   // the declared name
//   if (policy::IsPlateDataAction(entry.action)) ...                     // an audit's filter
//
// A row names the log action of the operation's entries, the permission that gates it, and
// what its terms name (so a breach notice can list the reads released). Forgetting a row
// is caught where it matters: the governance layer refuses to write an allowed entry
// whose terms name plate data ("plate", "plates", "read_id", "read_ids", "alert_ids",
// "old_plate") under an action that is not declared here (or in kActionsNamingPlates
// below), so a new operation that releases plate data fails at its first use, releasing
// nothing, until it is declared.
#pragma once

#include <string_view>

#include "custodian/core/status.h"
#include "custodian/policy/roles.h"

namespace custodian::policy {

// The access-log actions of the operations that release plate data.
namespace actions {
inline constexpr std::string_view kSearchReads = "search_reads";      // policy::SearchReads
inline constexpr std::string_view kViewRead = "view_read";            // policy::GetRead
inline constexpr std::string_view kViewImages = "view_images";        // policy::GetReadImage
inline constexpr std::string_view kPlaceHold = "place_hold";          // PlaceHold
inline constexpr std::string_view kHeldReadIds = "held_read_ids";     // HeldReadIds
inline constexpr std::string_view kExportEvidence = "export_evidence";  // ExportEvidence
inline constexpr std::string_view kListAlerts = "list_alerts";        // ListAlerts
inline constexpr std::string_view kStreamAlerts = "stream_alerts";    // NewAlertsForStream
inline constexpr std::string_view kOverdueAlerts = "overdue_alerts";  // OverdueAlerts
inline constexpr std::string_view kViewAlert = "view_alert";          // GetAlert
inline constexpr std::string_view kAcknowledgeAlert = "acknowledge_alert";
inline constexpr std::string_view kConfirmAlert = "confirm_alert";
inline constexpr std::string_view kDismissAlert = "dismiss_alert";
inline constexpr std::string_view kFulfilRecordsRequest = "fulfil_records_request";
inline constexpr std::string_view kAuditStart = "accuracy_audit_start";
inline constexpr std::string_view kAuditVerify = "accuracy_audit_verify";
inline constexpr std::string_view kAuditReport = "accuracy_audit_report";
inline constexpr std::string_view kReadCorrection = "read_correction";
inline constexpr std::string_view kReadHistory = "read_history";
inline constexpr std::string_view kWebhookDelivery = "webhook_delivery";  // server::WebhookDispatcher
inline constexpr std::string_view kProduceBreachNotice = "produce_breach_notice";
}  // namespace actions

// What an entry's terms name, i.e. how a breach notice finds the reads it released.
enum class ReleaseKind {
  // A search: "plate", "match" and its filters ("from_ms", "to_ms", "cameras"); the
  // reads the search could return.
  kSearch,
  // Reads by id: "read_id" and/or "read_ids" (with "plate" / "plates").
  kReads,
  // Alerts: "alert_ids" (with "plates"); the alerts' reads.
  kAlerts,
  // A legal hold: "hold" (and "read_ids" when given); the reads the hold covers.
  kHold,
  // An accuracy audit's report: "audit_id"; the audit's sampled reads.
  kAudit,
  // A records request: released through its searches, each logged as search_reads by the
  // same account; the entry itself adds nothing to a notice.
  kRequest,
};

struct PlateDataAction {
  // The access-log action of the operation's entries.
  std::string_view action;
  // The permission under whose name its refusals are logged (ops::k...): by
  // Governance::AuthorizePlateData, which accepts only these, and by the server's check
  // before a route runs. Empty where every refusal is logged under the action itself
  // (records requests) and for the system's webhook deliveries, which no permission opens
  // (the receiving agency's grants decide).
  std::string_view gate;
  ReleaseKind released;
  // Whether its entries carry a case number (misuse flag no_case). False for hotlist
  // alerts: the alerts named are the reason (purpose hotlist_alert).
  bool case_number;
};

inline constexpr PlateDataAction kPlateDataActions[] = {
    {actions::kSearchReads, ops::kSearchReads, ReleaseKind::kSearch, true},
    {actions::kViewRead, ops::kSearchReads, ReleaseKind::kReads, true},
    {actions::kViewImages, ops::kViewImages, ReleaseKind::kReads, true},
    {actions::kPlaceHold, ops::kPlaceHolds, ReleaseKind::kHold, true},
    {actions::kHeldReadIds, ops::kPlaceHolds, ReleaseKind::kHold, true},
    {actions::kExportEvidence, ops::kExportEvidence, ReleaseKind::kHold, true},
    {actions::kListAlerts, ops::kViewAlerts, ReleaseKind::kAlerts, false},
    {actions::kStreamAlerts, ops::kViewAlerts, ReleaseKind::kAlerts, false},
    {actions::kOverdueAlerts, ops::kViewAlerts, ReleaseKind::kAlerts, false},
    {actions::kViewAlert, ops::kViewAlerts, ReleaseKind::kReads, false},
    {actions::kAcknowledgeAlert, ops::kReviewAlerts, ReleaseKind::kReads, false},
    {actions::kConfirmAlert, ops::kReviewAlerts, ReleaseKind::kReads, false},
    {actions::kDismissAlert, ops::kReviewAlerts, ReleaseKind::kReads, false},
    {actions::kFulfilRecordsRequest, "", ReleaseKind::kRequest, true},
    {actions::kAuditStart, ops::kAccuracyAudit, ReleaseKind::kReads, true},
    {actions::kAuditVerify, ops::kAccuracyAudit, ReleaseKind::kReads, true},
    {actions::kAuditReport, ops::kAccuracyAudit, ReleaseKind::kAudit, true},
    {actions::kReadCorrection, ops::kAccuracyAudit, ReleaseKind::kReads, true},
    {actions::kReadHistory, ops::kAccuracyAudit, ReleaseKind::kReads, true},
    {actions::kWebhookDelivery, "", ReleaseKind::kAlerts, false},
    {actions::kProduceBreachNotice, ops::kBreachNotices, ReleaseKind::kReads, true},
};

// Actions whose terms name a plate without releasing plate data: the plate is a filter of
// the access log, not a read of plate data.
inline constexpr std::string_view kActionsNamingPlates[] = {"access_report"};

// The row of `action` (a declared action), or nullptr.
const PlateDataAction* PlateDataActionOf(std::string_view action);

// True for a declared action, and for the gate of one (a refusal logged under the
// permission's name is an attempt at plate data). Misuse flags, access reports, the sharing
// report and breach notices count these entries.
bool IsPlateDataAction(std::string_view action);

// Whether a log entry's terms (a JSON object) name plate data: any of "plate", "plates",
// "read_id", "read_ids", "alert_ids", "old_plate".
bool TermsNamePlateData(std::string_view terms_json);

// OK unless an allowed entry of `action` names plate data in `terms_json` and `action` is
// declared neither in kPlateDataActions nor in kActionsNamingPlates: then kInternal naming
// the action (the governance layer writes no such entry, so nothing is released).
Status CheckPlateDataDeclared(std::string_view action, std::string_view outcome, std::string_view terms_json);

}  // namespace custodian::policy
