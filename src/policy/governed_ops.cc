// Governed operations: authorise, log, perform (see governed_ops.h).
#include "policy/policy_util.h"
#include "custodian/policy/governed_ops.h"

#include <algorithm>
#include <cctype>
#include <set>

#include <nlohmann/json.hpp>

#include "custodian/policy/alert_delivery.h"
#include "custodian/policy/hotlist_import.h"
#include "custodian/policy/plate_data_actions.h"

namespace custodian::policy {

using json = nlohmann::json;

namespace {

using internal::LogOutcome;
using internal::Outcome;

std::string Clip(std::string_view s) { return std::string(s.substr(0, 64)); }

// The classes `who` may touch through `op`; the first is used to log a refusal when none.
std::vector<store::DataClass> ClassesOrDefault(const Governance& gov, const Principal& who, std::string_view op) {
  std::vector<store::DataClass> c = who.system ? std::vector<store::DataClass>{} : gov.matrix().ClassesFor(who.role, op);
  if (c.empty()) c.push_back(store::DataClass::kPublicSafety);
  return c;
}

// Authorises a scoped, non-plate-data operation for any class the role may touch.
Status AuthorizeAnyClass(Governance& gov, const Principal& who, std::string_view op, const LogEvent& on_denial) {
  return gov.Authorize(who, op, ClassesOrDefault(gov, who, op).front(), on_denial);
}

// The data classes of the reads a hold covers.
Result<std::set<store::DataClass>> HeldClasses(store::ReadStore& store, int64_t hold_id) {
  CUSTODIAN_ASSIGN_OR_RETURN(auto ids, store.HeldReadIds(hold_id));
  std::set<store::DataClass> out;
  for (int64_t id : ids) {
    auto r = store.GetRead(id);
    if (r.ok()) out.insert(r->data_class);
    if (out.size() == 2) break;
  }
  return out;
}

// The distinct plates of the reads a hold covers, for the entry that releases them.
Result<json> HeldPlates(store::ReadStore& store, int64_t hold_id) {
  json out = json::array();
  CUSTODIAN_RETURN_IF_ERROR(store.ReadOnly([&](store::Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT DISTINCT r.plate FROM held_reads h JOIN reads r ON r.id = "
                                                    "h.read_id WHERE h.hold_id = ? ORDER BY r.plate",
                                                    {hold_id}));
    for (const auto& r : rows) out.push_back(store::AsString(r[0]));
    return Status::Ok();
  }));
  return out;
}

// Authorises plate-data operation `op` on every class in `classes` (or, when empty, on the
// first the role may touch) for the hold's case.
Status AuthorizeClasses(Governance& gov, const Principal& who, std::string_view op, const AccessPurpose& why,
                        std::set<store::DataClass> classes, const std::string& terms) {
  if (classes.empty()) classes.insert(ClassesOrDefault(gov, who, op).front());
  for (store::DataClass c : classes) CUSTODIAN_RETURN_IF_ERROR(gov.AuthorizePlateData(who, op, why, c, terms));
  return Status::Ok();
}

// A hold's case and the classes of its reads, for the plate-data gates. An unknown hold
// is authorised on the role's first class, then reported as not found.
struct HoldScope {
  std::string case_number;
  std::string placed_by;
  std::set<store::DataClass> classes;
  Status lookup;
};

HoldScope ScopeOfHold(Governance& gov, int64_t hold_id) {
  HoldScope s;
  auto h = gov.store().GetHold(hold_id);
  if (!h.ok()) {
    s.lookup = h.status();
    return s;
  }
  s.case_number = h->case_number;
  s.placed_by = h->placed_by;
  auto classes = HeldClasses(gov.store(), hold_id);
  if (!classes.ok()) {
    s.lookup = classes.status();
    return s;
  }
  s.classes = *classes;
  return s;
}

// The gates for `op` on the hold `scope` describes (its case number is the case; `op`
// checked on every class of its reads) and the entry, as `action` with `terms`, that the operation
// then logs. When the hold cannot be looked up, that failure is logged and returned.
Result<LogEvent> AuthorizeOnHold(Governance& gov, const Principal& who, std::string_view op, std::string_view action,
                                 const std::string& purpose, const HoldScope& scope, const std::string& terms) {
  const AccessPurpose why{purpose, scope.lookup.ok() ? scope.case_number : std::string("unknown-hold-0")};
  CUSTODIAN_RETURN_IF_ERROR(AuthorizeClasses(gov, who, op, why, scope.classes, terms));
  LogEvent e = gov.Event(who, action, kAllowed);
  e.terms = terms;
  e.purpose = Clip(purpose);
  e.case_number = Clip(scope.case_number);
  if (!scope.lookup.ok()) return LogOutcome(gov, who, e, Outcome::Failed(scope.lookup));
  return e;
}

// Release and export of a hold: its owner, command staff or the coordinator.
bool MayManageHold(const Principal& who, const HoldScope& scope) {
  return who.system || who.username == scope.placed_by || who.role == Role::kCommandStaff ||
         who.role == Role::kCoordinator;
}

// The refusal when `who` may not manage the hold: its owner, command staff or the
// coordinator `does` it.
Status NotTheHoldsOwner(int64_t hold_id, const HoldScope& scope, std::string_view does) {
  return Status::PermissionDenied("hold " + std::to_string(hold_id) + " was placed by " + scope.placed_by +
                                  "; its owner, command staff or the coordinator " + std::string(does) + " it");
}

// Keeps the alerts whose class `who` may see.
Result<std::vector<store::Alert>> VisibleAlerts(Governance& gov, const Principal& who, std::vector<store::Alert> all) {
  std::vector<store::Alert> out;
  for (auto& a : all) {
    CUSTODIAN_ASSIGN_OR_RETURN(store::DataClass c, AlertDataClass(gov.store(), a));
    if (gov.matrix().Allows(who.role, ops::kViewAlerts, c)) out.push_back(std::move(a));
  }
  return out;
}

// Alert `alert_id`, once `who` is authorised for `op` on its read's data class (an
// unknown alert is authorised against the role's first class, then logged as failed).
Result<store::Alert> AuthorizedAlert(Governance& gov, const Principal& who, std::string_view op, int64_t alert_id,
                                     const LogEvent& e) {
  auto alert = gov.store().GetAlert(alert_id);
  std::optional<store::DataClass> cls;
  if (alert.ok()) {
    CUSTODIAN_ASSIGN_OR_RETURN(cls, AlertDataClass(gov.store(), *alert));
  }
  LogEvent gated = e;
  gated.purpose = kAlertPurpose;
  CUSTODIAN_RETURN_IF_ERROR(gov.Authorize(who, op, cls ? *cls : ClassesOrDefault(gov, who, op).front(), gated));
  CUSTODIAN_RETURN_IF_ERROR(gov.CheckGates(who, gated));
  if (!alert.ok()) return LogOutcome(gov, who, e, Outcome::Failed(alert.status()));
  return alert;
}

enum class Step { kAck, kConfirm, kDismiss };

Result<store::Alert> Review(Governance& gov, const Principal& who, int64_t alert_id, Step step, bool image_checked,
                            const std::string& text) {
  const std::string_view action = step == Step::kAck       ? actions::kAcknowledgeAlert
                                  : step == Step::kConfirm ? actions::kConfirmAlert
                                                           : actions::kDismissAlert;
  LogEvent e = gov.Event(who, action, kDenied);
  e.terms = json{{"alert_id", alert_id}}.dump();
  CUSTODIAN_ASSIGN_OR_RETURN(store::Alert alert, AuthorizedAlert(gov, who, ops::kReviewAlerts, alert_id, e));
  e.terms = json{{"alert_id", alert_id}, {"read_id", alert.read_id}, {"plate", alert.read_plate}}.dump();
  e.purpose = kAlertPurpose;
  e.records = 1;
  if (!text.empty()) e.detail = Clip(text);
  if (step == Step::kConfirm) {
    // Policy 4.A.3: the plate image is checked against the hotlist record before a
    // confirmation. The client's word is not enough: the reviewer's own view of this read's
    // image must be in the access log.
    bool viewed = false;
    CUSTODIAN_RETURN_IF_ERROR(gov.store().ReadOnly([&](store::Txn& txn) -> Status {
      CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT terms FROM access_log WHERE username = ? AND action = ? AND "
                                                      "outcome = 'allowed' ORDER BY seq DESC LIMIT 200",
                                                      {who.username, std::string(ops::kViewImages)}));
      for (const auto& r : rows) {
        json t = json::parse(store::AsString(r[0]), nullptr, false);
        if (t.is_object() && t.contains("read_id") && t["read_id"] == alert.read_id) viewed = true;
      }
      return Status::Ok();
    }));
    if (!viewed || !image_checked) {
      return LogOutcome(gov, who, e,
                        Outcome::Refused(Status::PermissionDenied(
                            !viewed ? "confirmation refused: the reviewer has not viewed this read's image"
                                    : "confirmation refused: confirm only once the plate image was checked against "
                                      "the hotlist record")));
    }
  }
  CUSTODIAN_RETURN_IF_ERROR(LogOutcome(gov, who, e, Outcome::Allowed()));
  Status st;
  switch (step) {
    case Step::kAck: st = gov.store().AcknowledgeAlert(alert_id, who.username); break;
    case Step::kConfirm:
      st = gov.store().ConfirmAlert(alert_id, {.by = who.username, .image_checked = image_checked, .action = text});
      break;
    case Step::kDismiss: st = gov.store().DismissAlert(alert_id, who.username, text); break;
  }
  if (!st.ok()) return LogOutcome(gov, who, e, Outcome::Failed(st));
  return gov.store().GetAlert(alert_id);
}

}  // namespace

// ---- The API's door and liveness ----

Status AuthorizeRoute(Governance& gov, const Principal& who, const std::string& op, const std::string& route) {
  if (gov.matrix().AllowsAny(who.role, op)) return Status::Ok();
  LogEvent e = gov.Event(who, op, kDenied);
  e.terms = json{{"route", route}}.dump();
  Status st = gov.Authorize(who, op, std::nullopt, e);
  if (st.ok()) st = Status::PermissionDenied("role may not ", op);
  return st;
}

Result<int> CheckDatabase(Governance& gov) { return gov.store().SchemaVersion(); }

// ---- Holds and evidence ----

Result<store::Hold> PlaceHold(Governance& gov, const Principal& who, const std::string& purpose,
                              store::HoldRequest request) {
  request.placed_by = who.username;
  json terms = json::object();
  if (!request.read_ids.empty()) terms["read_ids"] = request.read_ids;
  std::set<store::DataClass> classes;
  std::set<std::string> plates;
  for (int64_t id : request.read_ids) {
    auto r = gov.store().GetRead(id);
    if (r.ok()) {
      classes.insert(r->data_class);
      plates.insert(r->plate);
    }
  }
  if (request.matching) {
    store::SearchQuery& q = *request.matching;
    terms["plate"] = q.plate;
    if (!q.camera_ids.empty()) terms["cameras"] = q.camera_ids;
    if (q.from) terms["from_ms"] = ToUnixMillis(*q.from);
    if (q.to) terms["to_ms"] = ToUnixMillis(*q.to);
    if (!q.data_class && !who.system) {
      auto allowed = gov.matrix().ClassesFor(who.role, ops::kPlaceHolds);
      if (allowed.size() == 1) q.data_class = allowed[0];
    }
    if (q.data_class) {
      classes.insert(*q.data_class);
    } else {
      for (auto c : ClassesOrDefault(gov, who, ops::kPlaceHolds)) classes.insert(c);
    }
  }
  const AccessPurpose why{purpose, request.case_number};
  CUSTODIAN_RETURN_IF_ERROR(AuthorizeClasses(gov, who, ops::kPlaceHolds, why, classes, terms.dump()));
  if (!plates.empty()) terms["plates"] = plates;
  LogEvent e = gov.Event(who, actions::kPlaceHold, kAllowed);
  e.terms = terms.dump();
  e.purpose = Clip(purpose);
  e.case_number = Clip(request.case_number);
  e.records = int64_t(request.read_ids.size());
  e.detail = Clip(request.reason);
  CUSTODIAN_RETURN_IF_ERROR(LogOutcome(gov, who, e, Outcome::Allowed()));
  auto hold = gov.store().PlaceHold(request);
  if (!hold.ok()) return LogOutcome(gov, who, e, Outcome::Failed(hold.status()));
  if (request.matching) {
    // The search's count and plates are known only now.
    terms["hold"] = hold->id;
    auto held = HeldPlates(gov.store(), hold->id);
    if (!held.ok()) return LogOutcome(gov, who, e, Outcome::Failed(held.status()));
    terms["plates"] = *held;
    e.terms = terms.dump();
    e.detail = "hold " + std::to_string(hold->id) + " placed on " + std::to_string(hold->reads) + " reads";
    if (Status st = LogOutcome(gov, who, e, Outcome::Released(hold->reads)); !st.ok()) return st;
  }
  return hold;
}

Result<store::Hold> ReleaseHold(Governance& gov, const Principal& who, const std::string& purpose, int64_t hold_id) {
  const std::string terms = json{{"hold", hold_id}}.dump();
  const HoldScope scope = ScopeOfHold(gov, hold_id);
  CUSTODIAN_ASSIGN_OR_RETURN(LogEvent e,
                             AuthorizeOnHold(gov, who, ops::kPlaceHolds, "release_hold", purpose, scope, terms));
  if (!MayManageHold(who, scope)) {
    return LogOutcome(gov, who, e, Outcome::Refused(NotTheHoldsOwner(hold_id, scope, "releases")));
  }
  e.records = 1;
  CUSTODIAN_RETURN_IF_ERROR(LogOutcome(gov, who, e, Outcome::Allowed()));
  if (Status st = gov.store().ReleaseHold(hold_id, who.username); !st.ok()) {
    return LogOutcome(gov, who, e, Outcome::Failed(st));
  }
  return gov.store().GetHold(hold_id);
}

Result<std::vector<store::Hold>> ListHolds(Governance& gov, const Principal& who, bool include_released) {
  LogEvent e = gov.Event(who, "list_holds", kDenied);
  e.terms = json{{"all", include_released}}.dump();
  CUSTODIAN_RETURN_IF_ERROR(AuthorizeAnyClass(gov, who, ops::kPlaceHolds, e));
  auto holds = gov.store().ListHolds(include_released);
  if (!holds.ok()) return LogOutcome(gov, who, e, Outcome::Failed(holds.status()));
  // A hold shows its case number and reason only to roles that may hold every class of
  // its reads (a parking user never learns of a criminal case's hold).
  const auto mine = who.system ? std::vector<store::DataClass>{} : gov.matrix().ClassesFor(who.role, ops::kPlaceHolds);
  std::vector<store::Hold> out;
  for (auto& h : *holds) {
    auto classes = HeldClasses(gov.store(), h.id);
    if (!classes.ok()) return LogOutcome(gov, who, e, Outcome::Failed(classes.status()));
    const bool all = std::all_of(classes->begin(), classes->end(), [&](store::DataClass c) {
      return std::find(mine.begin(), mine.end(), c) != mine.end();
    });
    if (all || who.system) out.push_back(std::move(h));
  }
  CUSTODIAN_RETURN_IF_ERROR(LogOutcome(gov, who, e, Outcome::Released(int64_t(out.size()))));
  return out;
}

Result<std::vector<int64_t>> HeldReadIds(Governance& gov, const Principal& who, const std::string& purpose,
                                         int64_t hold_id) {
  const std::string terms = json{{"hold", hold_id}}.dump();
  const HoldScope scope = ScopeOfHold(gov, hold_id);
  CUSTODIAN_ASSIGN_OR_RETURN(
      LogEvent e, AuthorizeOnHold(gov, who, ops::kPlaceHolds, actions::kHeldReadIds, purpose, scope, terms));
  auto ids = gov.store().HeldReadIds(hold_id);
  if (!ids.ok()) return LogOutcome(gov, who, e, Outcome::Failed(ids.status()));
  auto plates = HeldPlates(gov.store(), hold_id);
  if (!plates.ok()) return LogOutcome(gov, who, e, Outcome::Failed(plates.status()));
  e.terms = json{{"hold", hold_id}, {"plates", *plates}}.dump();
  CUSTODIAN_RETURN_IF_ERROR(LogOutcome(gov, who, e, Outcome::Released(int64_t(ids->size()))));
  return ids;
}

Result<store::EvidenceExport> ExportEvidence(Governance& gov, const Principal& who, const std::string& purpose,
                                             int64_t hold_id, const std::filesystem::path& out_dir) {
  const std::string terms = json{{"hold", hold_id}, {"out", Clip(out_dir.string())}}.dump();
  const HoldScope scope = ScopeOfHold(gov, hold_id);
  CUSTODIAN_ASSIGN_OR_RETURN(
      LogEvent e, AuthorizeOnHold(gov, who, ops::kExportEvidence, actions::kExportEvidence, purpose, scope, terms));
  if (!MayManageHold(who, scope)) {
    return LogOutcome(gov, who, e, Outcome::Refused(NotTheHoldsOwner(hold_id, scope, "exports")));
  }
  CUSTODIAN_RETURN_IF_ERROR(LogOutcome(gov, who, e, Outcome::Allowed()));
  auto ex = store::ExportEvidence(
      gov.store(), hold_id, {.out_dir = out_dir, .signing_key_file = gov.options().signing_key_file, .create_key = false},
      gov.clock());
  if (!ex.ok()) return LogOutcome(gov, who, e, Outcome::Failed(ex.status()));
  auto plates = HeldPlates(gov.store(), hold_id);
  if (!plates.ok()) return LogOutcome(gov, who, e, Outcome::Failed(plates.status()));
  e.terms = json{{"hold", hold_id}, {"out", Clip(out_dir.string())}, {"plates", *plates}}.dump();
  e.detail = "exported " + std::to_string(ex->reads) + " reads, " + std::to_string(ex->images) + " images";
  CUSTODIAN_RETURN_IF_ERROR(LogOutcome(gov, who, e, Outcome::Released(ex->reads)));
  return ex;
}

// ---- Alerts ----

namespace {

// The alerts' ids and plates, for the entry that releases them.
void NameAlerts(LogEvent& e, json terms, const std::vector<store::Alert>& alerts) {
  json ids = json::array(), plates = json::array();
  for (const auto& a : alerts) {
    ids.push_back(a.id);
    plates.push_back(a.read_plate);
  }
  terms["alert_ids"] = ids;
  terms["plates"] = plates;
  e.terms = terms.dump(-1, ' ', false, json::error_handler_t::replace);
}

// Authorises a listing of alerts (view_alerts on some class, and the plate-data gates),
// and narrows `query` to the classes the role may see (in SQL, before the page limit).
Status AuthorizeAlertList(Governance& gov, const Principal& who, LogEvent& e, store::AlertQuery& query) {
  e.purpose = kAlertPurpose;
  CUSTODIAN_RETURN_IF_ERROR(AuthorizeAnyClass(gov, who, ops::kViewAlerts, e));
  CUSTODIAN_RETURN_IF_ERROR(gov.CheckGates(who, e));
  query.data_classes = gov.matrix().ClassesFor(who.role, ops::kViewAlerts);
  return Status::Ok();
}

}  // namespace

Result<std::vector<store::Alert>> ListAlerts(Governance& gov, const Principal& who, const store::AlertQuery& query_in) {
  LogEvent e = gov.Event(who, actions::kListAlerts, kDenied);
  json t = {{"unreviewed", query_in.unreviewed_only}};
  if (query_in.state) t["state"] = std::string(store::AlertStateName(*query_in.state));
  if (query_in.after_id) t["after_id"] = query_in.after_id;
  e.terms = t.dump();
  store::AlertQuery query = query_in;
  CUSTODIAN_RETURN_IF_ERROR(AuthorizeAlertList(gov, who, e, query));
  auto visible = gov.store().ListAlerts(query);
  if (!visible.ok()) return LogOutcome(gov, who, e, Outcome::Failed(visible.status()));
  NameAlerts(e, t, *visible);
  CUSTODIAN_RETURN_IF_ERROR(LogOutcome(gov, who, e, Outcome::Released(int64_t(visible->size()))));
  return visible;
}

Result<std::vector<store::Alert>> NewAlertsForStream(Governance& gov, const Principal& who, int64_t after_id) {
  LogEvent e = gov.Event(who, actions::kStreamAlerts, kDenied);
  json t = {{"after_id", after_id}};
  e.terms = t.dump();
  store::AlertQuery query{.unreviewed_only = true, .limit = 100, .after_id = after_id};
  CUSTODIAN_RETURN_IF_ERROR(AuthorizeAlertList(gov, who, e, query));
  auto visible = gov.store().ListAlerts(query);
  if (!visible.ok()) return LogOutcome(gov, who, e, Outcome::Failed(visible.status()));
  if (visible->empty()) return visible;  // nothing released, nothing to log
  NameAlerts(e, t, *visible);
  CUSTODIAN_RETURN_IF_ERROR(LogOutcome(gov, who, e, Outcome::Released(int64_t(visible->size()))));
  return visible;
}

Result<int64_t> NewestAlertId(Governance& gov) {
  int64_t id = 0;
  CUSTODIAN_RETURN_IF_ERROR(gov.store().ReadOnly([&](store::Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT MAX(id) FROM alerts", {}));
    if (!rows.empty() && !store::IsNull(rows[0][0])) id = store::AsInt(rows[0][0]);
    return Status::Ok();
  }));
  return id;
}

Result<std::vector<store::Alert>> OverdueAlerts(Governance& gov, const Principal& who,
                                                std::chrono::milliseconds max_age) {
  LogEvent e = gov.Event(who, actions::kOverdueAlerts, kDenied);
  e.terms = json{{"max_age_ms", int64_t(max_age.count())}}.dump();
  e.purpose = kAlertPurpose;
  CUSTODIAN_RETURN_IF_ERROR(AuthorizeAnyClass(gov, who, ops::kViewAlerts, e));
  CUSTODIAN_RETURN_IF_ERROR(gov.CheckGates(who, e));
  auto all = UnreviewedAlertsOlderThan(gov.store(), gov.clock(), max_age);
  if (!all.ok()) return LogOutcome(gov, who, e, Outcome::Failed(all.status()));
  auto visible = VisibleAlerts(gov, who, std::move(*all));
  if (!visible.ok()) return LogOutcome(gov, who, e, Outcome::Failed(visible.status()));
  NameAlerts(e, json{{"max_age_ms", int64_t(max_age.count())}}, *visible);
  CUSTODIAN_RETURN_IF_ERROR(LogOutcome(gov, who, e, Outcome::Released(int64_t(visible->size()))));
  return visible;
}

Result<store::Alert> GetAlert(Governance& gov, const Principal& who, int64_t alert_id) {
  LogEvent e = gov.Event(who, actions::kViewAlert, kDenied);
  e.terms = json{{"alert_id", alert_id}}.dump();
  CUSTODIAN_ASSIGN_OR_RETURN(store::Alert alert, AuthorizedAlert(gov, who, ops::kViewAlerts, alert_id, e));
  e.terms = json{{"alert_id", alert_id}, {"read_id", alert.read_id}, {"plate", alert.read_plate}}.dump();
  e.purpose = kAlertPurpose;
  CUSTODIAN_RETURN_IF_ERROR(LogOutcome(gov, who, e, Outcome::Released(1)));
  return alert;
}

Result<store::Alert> AcknowledgeAlert(Governance& gov, const Principal& who, int64_t alert_id) {
  return Review(gov, who, alert_id, Step::kAck, false, "");
}

Result<store::Alert> ConfirmAlert(Governance& gov, const Principal& who, int64_t alert_id, bool image_checked,
                                  const std::string& action) {
  return Review(gov, who, alert_id, Step::kConfirm, image_checked, action);
}

Result<store::Alert> DismissAlert(Governance& gov, const Principal& who, int64_t alert_id, const std::string& note) {
  return Review(gov, who, alert_id, Step::kDismiss, false, note);
}

// ---- Hotlists ----

Result<store::Hotlist> PutHotlist(Governance& gov, const Principal& who, const store::HotlistSpec& spec) {
  LogEvent e = gov.Event(who, "put_hotlist", kDenied);
  e.terms = json{{"name", Clip(spec.name)},
                 {"agency", Clip(spec.agency_code)},
                 {"category", std::string(store::HotlistCategoryName(spec.category))},
                 {"fuzzy", spec.fuzzy}}
                .dump();
  CUSTODIAN_RETURN_IF_ERROR(gov.Authorize(who, ops::kManageHotlists, std::nullopt, e));
  e.records = 1;
  CUSTODIAN_RETURN_IF_ERROR(LogOutcome(gov, who, e, Outcome::Allowed()));
  auto h = gov.store().PutHotlist(spec);
  if (!h.ok()) return LogOutcome(gov, who, e, Outcome::Failed(h.status()));
  return h;
}

Result<store::HotlistImportResult> ImportHotlistEntries(Governance& gov, const Principal& who, const std::string& list,
                                                        const std::vector<store::HotlistEntryInput>& entries,
                                                        std::chrono::milliseconds retro_window) {
  LogEvent e = gov.Event(who, "import_hotlist", kDenied);
  e.terms = json{{"list", Clip(list)}, {"entries", entries.size()}, {"retro_window_ms", int64_t(retro_window.count())}}
                .dump();
  CUSTODIAN_RETURN_IF_ERROR(gov.Authorize(who, ops::kManageHotlists, std::nullopt, e));
  e.records = int64_t(entries.size());
  CUSTODIAN_RETURN_IF_ERROR(LogOutcome(gov, who, e, Outcome::Allowed()));
  auto r = ImportHotlist(gov.store(), list, entries, retro_window);
  if (!r.ok()) return LogOutcome(gov, who, e, Outcome::Failed(r.status()));
  e.detail = std::to_string(r->added) + " added, " + std::to_string(r->updated) + " updated, " +
             std::to_string(r->retro_alerts) + " retroactive alerts";
  CUSTODIAN_RETURN_IF_ERROR(LogOutcome(gov, who, e, Outcome::Released(r->added + r->updated)));
  return r;
}

Result<std::vector<store::Hotlist>> ListHotlists(Governance& gov, const Principal& who) {
  LogEvent e = gov.Event(who, "list_hotlists", kDenied);
  CUSTODIAN_RETURN_IF_ERROR(gov.Authorize(who, ops::kViewHotlists, std::nullopt, e));
  auto lists = gov.store().ListHotlists();
  if (!lists.ok()) return LogOutcome(gov, who, e, Outcome::Failed(lists.status()));
  CUSTODIAN_RETURN_IF_ERROR(LogOutcome(gov, who, e, Outcome::Released(int64_t(lists->size()))));
  return lists;
}

// ---- Cameras and agencies ----

Status PutCamera(Governance& gov, const Principal& who, const store::Camera& camera) {
  LogEvent e = gov.Event(who, "put_camera", kDenied);
  e.terms = json{{"camera", Clip(camera.id)},
                 {"agency", Clip(camera.agency_code)},
                 {"data_class", std::string(store::DataClassName(camera.data_class))}}
                .dump();
  CUSTODIAN_RETURN_IF_ERROR(gov.Authorize(who, ops::kManageCameras, std::nullopt, e));
  e.records = 1;
  CUSTODIAN_RETURN_IF_ERROR(LogOutcome(gov, who, e, Outcome::Allowed()));
  if (Status st = gov.store().PutCamera(camera); !st.ok()) return LogOutcome(gov, who, e, Outcome::Failed(st));
  return Status::Ok();
}

Status PutAgency(Governance& gov, const Principal& who, const store::Agency& agency_in) {
  LogEvent e = gov.Event(who, "put_agency", kDenied);
  e.terms = json{{"agency", Clip(agency_in.code)}, {"state", Clip(agency_in.state)}, {"kind", Clip(agency_in.kind)}}.dump();
  CUSTODIAN_RETURN_IF_ERROR(gov.Authorize(who, ops::kManageCameras, std::nullopt, e));
  store::Agency agency = agency_in;
  static constexpr const char* kKinds[] = {"local", "county", "state", "federal", "tribal", "private"};
  const bool two_letters = agency.state.size() == 2 && std::isupper(static_cast<unsigned char>(agency.state[0])) &&
                           std::isupper(static_cast<unsigned char>(agency.state[1]));
  const bool kind_ok = std::find_if(std::begin(kKinds), std::end(kKinds), [&](const char* k) { return agency.kind == k; }) !=
                       std::end(kKinds);
  if (!two_letters || !kind_ok) {
    return LogOutcome(gov, who, e,
                      Outcome::Refused(Status::InvalidArgument(
                          "an agency records its state (two capital letters, e.g. CA) and kind (local, county, state, "
                          "federal, tribal or private)")));
  }
  agency.recorded_by = who.username;
  agency.recorded_at = gov.clock().Now();
  e.records = 1;
  CUSTODIAN_RETURN_IF_ERROR(LogOutcome(gov, who, e, Outcome::Allowed()));
  if (Status st = gov.store().PutAgency(agency); !st.ok()) return LogOutcome(gov, who, e, Outcome::Failed(st));
  return Status::Ok();
}

// ---- Retention ----

namespace {
json PeriodTerms(const RetentionPeriods& p) {
  return {{"public_safety_days", int64_t(p.public_safety.count())},
          {"non_public_safety_days", int64_t(p.non_public_safety.count())}};
}
}  // namespace

Result<RetentionPolicy> CheckRetentionPeriods(Governance& gov, const Principal& who, const RetentionPeriods& periods) {
  LogEvent e = gov.Event(who, "check_retention", kDenied);
  e.terms = PeriodTerms(periods).dump();
  CUSTODIAN_RETURN_IF_ERROR(gov.Authorize(who, ops::kManageRetention, std::nullopt, e));
  auto rules = RetentionPolicy::Make(periods);
  if (!rules.ok()) return LogOutcome(gov, who, e, Outcome::Failed(rules.status()));
  CUSTODIAN_RETURN_IF_ERROR(LogOutcome(gov, who, e, Outcome::Released(0)));
  return rules;
}

Result<PurgeSummary> RunPurge(Governance& gov, const Principal& who, const RetentionPeriods& periods,
                              PurgeOptions options) {
  LogEvent e = gov.Event(who, "purge", kDenied);
  json t = PeriodTerms(periods);
  t["batch_size"] = options.batch_size;
  t["max_batches"] = options.max_batches;
  e.terms = t.dump();
  CUSTODIAN_RETURN_IF_ERROR(gov.Authorize(who, ops::kManageRetention, std::nullopt, e));
  auto rules = RetentionPolicy::Make(periods);
  if (!rules.ok()) return LogOutcome(gov, who, e, Outcome::Failed(rules.status()));
  e.detail = "purge started";
  CUSTODIAN_RETURN_IF_ERROR(LogOutcome(gov, who, e, Outcome::Allowed()));
  options.run_by = who.username;
  auto summary = policy::RunPurge(gov.store(), *rules, gov.clock(), options);
  if (!summary.ok()) return LogOutcome(gov, who, e, Outcome::Failed(summary.status()));
  const auto& ps = summary->public_safety;
  const auto& nps = summary->non_public_safety;
  e.detail = "purged " + std::to_string(ps.reads) + " public-safety and " + std::to_string(nps.reads) +
             " non-public-safety reads, " + std::to_string(ps.images + nps.images) + " images";
  CUSTODIAN_RETURN_IF_ERROR(LogOutcome(gov, who, e, Outcome::Released(ps.reads + nps.reads)));
  return summary;
}

Result<std::vector<store::PurgeLogEntry>> PurgeLog(Governance& gov, const Principal& who, int limit) {
  LogEvent e = gov.Event(who, "purge_log", kDenied);
  e.terms = json{{"limit", limit}}.dump();
  CUSTODIAN_RETURN_IF_ERROR(gov.Authorize(who, ops::kManageRetention, std::nullopt, e));
  auto log = gov.store().PurgeLog(limit);
  if (!log.ok()) return LogOutcome(gov, who, e, Outcome::Failed(log.status()));
  CUSTODIAN_RETURN_IF_ERROR(LogOutcome(gov, who, e, Outcome::Released(int64_t(log->size()))));
  return log;
}

// ---- Installation ----

Result<NewAccount> BootstrapInstallation(Governance& gov, const std::string& agency_code,
                                         const std::string& agency_name, const std::string& username,
                                         const std::string& full_name) {
  bool have_agency = false;
  CUSTODIAN_RETURN_IF_ERROR(gov.store().Transact([&](store::Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto n, txn.Query("SELECT COUNT(*) FROM users", {}));
    if (store::AsInt(n[0][0]) != 0) {
      return Status::InvalidArgument("accounts exist already; the coordinator creates more");
    }
    CUSTODIAN_ASSIGN_OR_RETURN(auto ag, txn.Query("SELECT 1 FROM agencies WHERE code = ?", {agency_code}));
    have_agency = !ag.empty();
    return Status::Ok();
  }));
  if (!have_agency) {
    const Principal sys = Governance::System("bootstrap");
    LogEvent e = gov.Event(sys, "put_agency", kAllowed);
    e.terms = json{{"agency", Clip(agency_code)}}.dump();
    e.records = 1;
    e.detail = "agency created at installation";
    CUSTODIAN_RETURN_IF_ERROR(LogOutcome(gov, sys, e, Outcome::Allowed()));
    if (Status st = gov.store().PutAgency({.code = agency_code, .name = agency_name}); !st.ok()) {
      return LogOutcome(gov, sys, e, Outcome::Failed(st));
    }
  }
  return gov.Bootstrap(username, full_name, agency_code);
}

}  // namespace custodian::policy
