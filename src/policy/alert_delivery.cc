// Hotlist alerts delivered to other systems, as policy decides (see alert_delivery.h).
#include "policy/policy_util.h"
#include "custodian/policy/alert_delivery.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "custodian/policy/plate_data_actions.h"
#include "custodian/policy/sharing.h"

namespace custodian::policy {

using json = nlohmann::json;
using internal::Clip;

namespace {

// The entry for one delivery decision on `alert`, as the system for `to`'s agency.
LogEvent DeliveryEvent(Governance& gov, const AlertRecipient& to, const store::Alert& alert, std::string_view outcome) {
  LogEvent e = gov.Event(Governance::System("webhook"), actions::kWebhookDelivery, outcome);
  e.agency_code = Clip(to.agency_code, 64);
  e.purpose = std::string(kAlertPurpose);
  e.terms = json{{"alert_ids", {alert.id}}, {"destination", Clip(to.destination)}, {"agency", Clip(to.agency_code, 64)}}
                .dump();
  return e;
}

// The terms of a release: the alert and its plate as well.
std::string ReleaseTerms(const AlertRecipient& to, const store::Alert& alert) {
  return json{{"alert_ids", {alert.id}},
              {"plates", {alert.read_plate}},
              {"destination", Clip(to.destination)},
              {"agency", Clip(to.agency_code, 64)}}
      .dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

Status CheckAlertRecipient(Governance& gov, const AlertRecipient& to) {
  if (to.agency_code.empty()) return Status::InvalidArgument("an alert recipient names the agency it acts for");
  if (to.data_classes.empty()) return Status::InvalidArgument("an alert recipient names the data classes it takes");
  bool known = false;
  CUSTODIAN_RETURN_IF_ERROR(gov.store().ReadOnly([&](store::Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT 1 FROM agencies WHERE code = ?", {to.agency_code}));
    known = !rows.empty();
    return Status::Ok();
  }));
  if (!known) return Status::NotFound("no agency '", Clip(to.agency_code, 64), "'");
  return Status::Ok();
}

Result<store::DataClass> AlertDataClass(store::ReadStore& store, const store::Alert& alert) {
  auto r = store.GetRead(alert.read_id);
  if (r.ok()) return r->data_class;
  CUSTODIAN_ASSIGN_OR_RETURN(auto cam, store.GetCamera(alert.camera_id));
  return cam.data_class;
}

Result<bool> ReleaseAlertTo(Governance& gov, const AlertRecipient& to, const store::Alert& alert) {
  CUSTODIAN_ASSIGN_OR_RETURN(store::DataClass cls, AlertDataClass(gov.store(), alert));
  if (std::find(to.data_classes.begin(), to.data_classes.end(), cls) == to.data_classes.end()) return false;
  const Principal sys = Governance::System("webhook");
  CUSTODIAN_ASSIGN_OR_RETURN(bool may, AgencyMayReceive(gov, to.agency_code, cls, alert.camera_id));
  if (!may) {
    LogEvent e = DeliveryEvent(gov, to, alert, kDenied);
    e.detail = "alert " + std::to_string(alert.id) + " (" + std::string(store::DataClassName(cls)) + ", camera " +
               Clip(alert.camera_id, 64) + ") is not shared with agency " + Clip(to.agency_code, 64);
    if (Status st = gov.Record(sys, e); !st.ok()) {
      return Status::Unavailable("the access log cannot be written (", st.message(), "); nothing was sent");
    }
    return false;
  }
  LogEvent e = DeliveryEvent(gov, to, alert, kAllowed);
  e.terms = ReleaseTerms(to, alert);
  e.records = 1;
  // The disclosure is logged before it happens; no log, no delivery.
  if (Status st = gov.Record(sys, e); !st.ok()) {
    return Status::Unavailable("the access log cannot be written (", st.message(), "); nothing was sent");
  }
  return true;
}

Status RecordAlertDeliveryFailure(Governance& gov, const AlertRecipient& to, const store::Alert& alert,
                                  const std::string& detail) {
  LogEvent e = DeliveryEvent(gov, to, alert, kFailed);
  e.terms = ReleaseTerms(to, alert);
  e.detail = Clip(detail);
  return gov.Record(Governance::System("webhook"), e);
}

}  // namespace custodian::policy
