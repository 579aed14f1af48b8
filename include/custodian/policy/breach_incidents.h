// Breach incidents (policy 6): the facts of an incident are recorded once, and the notice
// of Civil Code 1798.29 (a public agency's duty, which binds the city) and 1798.82 is
// produced from them plus, from the access log, the reads and plates the responsible
// account touched.
//
// Basic usage:
//   auto id = policy::RecordIncident(gov, coord, {.agency_name = "City Police", ...});
//   auto notice = policy::ProduceNotice(gov, coord, *id, "jdoe", {first, last});
//   send(notice->text, notice->html);
//
// Needs breach_notices; every step is logged. Producing a notice releases plate data, so
// it also passes the plate-data gates (issue 23, finding 7).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "custodian/core/clock.h"
#include "custodian/core/status.h"
#include "custodian/policy/breach_notice.h"
#include "custodian/policy/governance.h"

namespace custodian::policy {

// Stores `incident`'s facts (account, account_window and touched are not stored: the
// notice gathers them). An unset notice_date means "the day the notice is produced".
// kInvalidArgument when the facts cannot make a notice (see RenderBreachNoticeText).
Result<int64_t> RecordIncident(Governance& gov, const Principal& by, const BreachIncident& incident);

// The purpose a notice is produced under (policy/purposes.json); reserved for this
// workflow: a search under it must name an incident that exists.
inline constexpr std::string_view kBreachNoticePurpose = "breach_notice";

// The case number of incident `incident_id`: "BI-<id>".
std::string IncidentCaseNumber(int64_t incident_id);

struct BreachNotice {
  std::string text;
  std::string html;
  std::vector<TouchedRead> touched;  // what the account touched, as listed in the notice
};

// The notice for incident `incident_id`, listing what `account` touched in `window`
// (inclusive): what each of its allowed entries of a declared plate-data action released
// (plate_data_actions.h): reads it viewed, reviewed, audited or corrected; the reads of
// the alerts it listed or was sent; the reads of the holds it placed, listed or exported;
// and, for searches, the reads of the searched plate (exact searches) or the search term
// itself (read id 0).
//
// The notice is plate data: `by` passes Governance::AuthorizePlateData for breach_notices
// (signed and approved acknowledgment, current training) under purpose breach_notice with
// case number IncidentCaseNumber(incident_id), and the allowed entry (action
// produce_breach_notice) names the plates released, the reads of each and their ids.
// kPermissionDenied (logged) on a refusal; kNotFound for an unknown incident.
Result<BreachNotice> ProduceNotice(Governance& gov, const Principal& by, int64_t incident_id,
                                   const std::string& account, std::pair<TimePoint, TimePoint> window);

}  // namespace custodian::policy
