// Hotlist alerts delivered to other systems (webhooks to dispatch CAD, a records system, a
// partner agency), as policy decides (issue 23, finding 9): each recipient names the
// agency it acts for and the data classes it takes; an agency other than the
// installation's receives only what its sharing grants in force cover, grant by grant;
// every delivery and every refusal is in the access log, as the system, under the
// receiving agency and purpose hotlist_alert, naming the alert and its plate.
//
// Basic usage:
//   policy::AlertRecipient cad{.agency_code = "CITYPD",
//                              .data_classes = {store::DataClass::kPublicSafety},
//                              .destination = "https://cad.city.example"};
//   CUSTODIAN_RETURN_IF_ERROR(policy::CheckAlertRecipient(gov, cad));
//   CUSTODIAN_ASSIGN_OR_RETURN(bool send, policy::ReleaseAlertTo(gov, cad, alert));
//   if (send && !Post(alert)) (void)policy::RecordAlertDeliveryFailure(gov, cad, alert, "HTTP 500");
#pragma once

#include <string>
#include <vector>

#include "custodian/core/status.h"
#include "custodian/policy/governance.h"
#include "custodian/store/hotlists.h"
#include "custodian/store/types.h"

namespace custodian::policy {

// The purpose every alert listing, review and delivery is logged under.
inline constexpr std::string_view kAlertPurpose = "hotlist_alert";

struct AlertRecipient {
  // The agency the receiving system acts for (a recorded agency code). REQUIRED.
  std::string agency_code;
  // The data classes it takes (an alert's class is its read's). REQUIRED: at least one.
  std::vector<store::DataClass> data_classes;
  // Where deliveries go, as the log names it (e.g. "https://cad.city.example:443").
  std::string destination;
};

// kInvalidArgument when `to` names no agency or no class; kNotFound for an agency that is
// not recorded.
Status CheckAlertRecipient(Governance& gov, const AlertRecipient& to);

// The data class of an alert: its read's (the camera's when the read is gone).
Result<store::DataClass> AlertDataClass(store::ReadStore& store, const store::Alert& alert);

// Decides whether `alert` goes to `to` now, and logs the decision as the system (action
// webhook_delivery, purpose hotlist_alert, agency_code the recipient's; terms naming the
// alert id, the destination and the agency):
//  - false, not logged: the alert's class is not one `to` takes (its configuration);
//  - false, logged as denied: `to` acts for an agency other than the installation's and no
//    single grant of that agency in force covers the alert's class and camera;
//  - true, logged as allowed with the alert id and plate, before it is sent.
// kUnavailable when the entry cannot be written: then nothing may be sent.
Result<bool> ReleaseAlertTo(Governance& gov, const AlertRecipient& to, const store::Alert& alert);

// Logs that a released delivery of `alert` to `to` failed (outcome failed, with `detail`).
Status RecordAlertDeliveryFailure(Governance& gov, const AlertRecipient& to, const store::Alert& alert,
                                  const std::string& detail);

}  // namespace custodian::policy
