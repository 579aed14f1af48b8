// Governance: writing the access log (one entry, an entry with its change, group commit)
// and the log operations (read, verify, checkpoint, the latest signed head).
#include "policy/governance_internal.h"

#include <limits>

#include "custodian/policy/plate_data_actions.h"

namespace custodian::policy {

using json = nlohmann::json;
using store::Txn;
using namespace governance_internal;

Status internal::LogOutcome(Governance& gov, const Principal& who, LogEvent e, Outcome outcome) {
  using Kind = Outcome::Kind;
  switch (outcome.kind_) {
    case Kind::kRefused:
    case Kind::kFailed:
      e.outcome = std::string(outcome.kind_ == Kind::kRefused ? kDenied : kFailed);
      e.records = 0;
      if (outcome.detail_) {
        e.detail = std::move(*outcome.detail_);
      } else {
        e.detail = outcome.status_.message();
      }
      break;
    case Kind::kAllowed: e.outcome = std::string(kAllowed); break;
    case Kind::kReleased:
      e.Allow(outcome.records_);
      break;
  }
  Status logged = gov.Record(who, std::move(e));
  if (outcome.kind_ == Kind::kFailed) return std::move(outcome.status_);
  if (!logged.ok()) {
    return Status::Unavailable("the access log cannot be written (", logged.message(), "); nothing was ",
                               outcome.kind_ == Kind::kReleased ? "released" : "done");
  }
  return std::move(outcome.status_);
}

Status Governance::Append(Txn& txn, const LogEvent& event, Heads& heads) {
  // No release of plate data under an action nobody declared (plate_data_actions.h).
  CUSTODIAN_RETURN_IF_ERROR(CheckPlateDataDeclared(event.action, event.outcome, event.terms));
  std::optional<SignedHead> checkpoint;
  CUSTODIAN_RETURN_IF_ERROR(AppendLogEntry(txn, event, signer_, options_.log, &checkpoint).status());
  if (checkpoint) heads.push_back(std::move(*checkpoint));
  return Status::Ok();
}

Status Governance::LoggedTransact(const std::function<Status(Txn&, Heads&)>& fn) {
  Heads heads;
  CUSTODIAN_RETURN_IF_ERROR(store_.Transact([&](Txn& txn) { return fn(txn, heads); }));
  // Published only once committed: a head names an entry the log keeps.
  if (options_.on_checkpoint) {
    for (const SignedHead& h : heads) options_.on_checkpoint(h);
  }
  return Status::Ok();
}

Result<std::optional<SignedHead>> Governance::LatestHead() {
  std::optional<SignedHead> head;
  CUSTODIAN_RETURN_IF_ERROR(store_.ReadOnly([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(head, LatestSignedHead(txn));
    return Status::Ok();
  }));
  return head;
}

struct Governance::PendingEntry {
  LogEvent event;
  Status result;
};

Status Governance::Record(const Principal& who, LogEvent event) {
  (void)who;
  // Checked here, so one malformed entry never fails the others committed with it.
  if (event.outcome != kAllowed && event.outcome != kDenied && event.outcome != kFailed) {
    return Status::InvalidArgument("log outcome '", event.outcome, "' is not allowed, denied or failed");
  }
  json terms = json::parse(event.terms, nullptr, false);
  if (terms.is_discarded() || !terms.is_object()) return Status::InvalidArgument("log terms must be a JSON object");
  CUSTODIAN_RETURN_IF_ERROR(CheckPlateDataDeclared(event.action, event.outcome, event.terms));
  PendingEntry me{std::move(event), Status::Ok()};
  // Everything queued so far goes in one transaction.
  log_group_.Run(me, std::numeric_limits<size_t>::max(), [](const PendingEntry&) { return size_t{1}; }, [&](std::vector<PendingEntry*>& batch) {
    Status st = LoggedTransact([&](Txn& txn, Heads& heads) -> Status {
      for (PendingEntry* p : batch) CUSTODIAN_RETURN_IF_ERROR(Append(txn, p->event, heads));
      return Status::Ok();
    });
    for (PendingEntry* p : batch) p->result = st;
  });
  return me.result;
}

Status Governance::RecordWith(const Principal& who, LogEvent event, const std::function<Status(Txn&)>& fn) {
  (void)who;
  CUSTODIAN_RETURN_IF_ERROR(CheckPlateDataDeclared(event.action, event.outcome, event.terms));
  Status st = LoggedTransact([&](Txn& txn, Heads& heads) -> Status {
    CUSTODIAN_RETURN_IF_ERROR(fn(txn));
    return Append(txn, event, heads);
  });
  return st;
}

// ---- The access log ----

Result<std::vector<LogEntry>> Governance::ReadLog(const Principal& by, const LogFilter& filter) {
  LogEvent e = Event(by, "read_access_log", kDenied);
  json t = json::object();
  if (!filter.username.empty()) t["username"] = Clip(filter.username);
  if (!filter.action.empty()) t["action"] = Clip(filter.action);
  if (!filter.case_number.empty()) t["case_number"] = Clip(filter.case_number);
  if (!filter.term.empty()) t["term"] = Clip(filter.term);
  if (filter.from) t["from_ms"] = ToUnixMillis(*filter.from);
  if (filter.to) t["to_ms"] = ToUnixMillis(*filter.to);
  e.terms = t.dump();
  CUSTODIAN_RETURN_IF_ERROR(Authorize(by, ops::kViewAccessLog, std::nullopt, e));
  std::vector<LogEntry> out;
  e.outcome = std::string(kAllowed);
  // The read and its own entry commit together: no read of the log goes unrecorded.
  CUSTODIAN_RETURN_IF_ERROR(LoggedTransact([&](Txn& txn, Heads& heads) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(out, QueryAccessLog(txn, filter));
    e.records = int64_t(out.size());
    return Append(txn, e, heads);
  }));
  return out;
}

Result<LogVerification> Governance::VerifyLog(const Principal& by, const std::vector<SignedHead>& against) {
  LogEvent e = Event(by, "verify_access_log", kDenied);
  if (!against.empty()) e.terms = json{{"saved_heads", against.size()}}.dump();
  CUSTODIAN_RETURN_IF_ERROR(Authorize(by, ops::kViewAccessLog, std::nullopt, e));
  LogVerification v;
  CUSTODIAN_RETURN_IF_ERROR(store_.Transact([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(v, VerifyAccessLog(txn, signer_.public_key_hex(),
                                                  {.checkpoint_every = options_.log.checkpoint_every,
                                                   .against = against}));
    return Status::Ok();
  }));
  e.outcome = std::string(v.ok ? kAllowed : kFailed);
  e.records = v.entries;
  e.detail = v.ok ? "chain intact: " + std::to_string(v.entries) + " entries, " + std::to_string(v.checkpoints) +
                        " signed checkpoints" +
                        (against.empty() ? "" : ", " + std::to_string(v.heads) + " saved heads match")
                  : "chain broken at entry " + std::to_string(v.first_bad_seq) + ": " + v.problem;
  // A broken chain is still reported when the append fails on top of it.
  (void)Record(by, e);
  return v;
}

Result<int64_t> Governance::CheckpointLog(const Principal& by) {
  LogEvent e = Event(by, kCheckpointAction, kDenied);
  CUSTODIAN_RETURN_IF_ERROR(Authorize(by, ops::kViewAccessLog, std::nullopt, e));
  int64_t seq = 0;
  e.outcome = std::string(kAllowed);
  CUSTODIAN_RETURN_IF_ERROR(LoggedTransact([&](Txn& txn, Heads& heads) -> Status {
    CUSTODIAN_RETURN_IF_ERROR(Append(txn, e, heads));
    std::optional<SignedHead> checkpoint;
    CUSTODIAN_ASSIGN_OR_RETURN(seq, policy::CheckpointLog(txn, signer_, options_.clock->Now(), &checkpoint));
    if (checkpoint) heads.push_back(std::move(*checkpoint));
    return Status::Ok();
  }));
  return seq;
}

}  // namespace custodian::policy
