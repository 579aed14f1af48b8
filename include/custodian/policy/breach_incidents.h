// Breach incidents (policy 6): the facts of an incident are recorded once, and the Civil
// Code 1798.82 notice is produced from them plus, from the access log, the reads and
// plates the responsible account touched.
//
// Basic usage:
//   auto id = policy::RecordIncident(gov, coord, {.agency_name = "City Police", ...});
//   auto notice = policy::ProduceNotice(gov, coord, *id, "jdoe", {first, last});
//   send(notice->text, notice->html);
//
// Needs breach_notices; every step is logged.
#pragma once

#include <cstdint>
#include <string>
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

struct BreachNotice {
  std::string text;
  std::string html;
  std::vector<TouchedRead> touched;  // what the account touched, as listed in the notice
};

// The notice for incident `incident_id`, listing what `account` touched in `window`
// (inclusive): reads it viewed (view_read, view_images) and, for searches, the reads of
// the searched plate (exact searches) or the search term itself (read id 0).
Result<BreachNotice> ProduceNotice(Governance& gov, const Principal& by, int64_t incident_id,
                                   const std::string& account, std::pair<TimePoint, TimePoint> window);

}  // namespace custodian::policy
