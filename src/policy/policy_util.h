// Small helpers the governance services share. Internal.
#pragma once

#include <sodium.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "custodian/policy/governance.h"
#include "custodian/store/database.h"

namespace custodian::policy::internal {

// Lower-case hex of `n` bytes.
inline std::string Hex(const unsigned char* p, size_t n) {
  std::string out(n * 2, '0');
  sodium_bin2hex(out.data(), out.size() + 1, p, n);
  return out;
}

// Hex SHA-256 of `data`.
inline std::string Sha256Hex(std::string_view data) {
  unsigned char d[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(d, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return Hex(d, sizeof d);
}

// At most `n` bytes of `s`, for log entries and messages that repeat what was given.
inline std::string Clip(const std::string& s, size_t n = 200) { return s.size() <= n ? s : s.substr(0, n); }

// How a governed operation ended, as LogOutcome records it.
class Outcome {
 public:
  // Refused: logged "denied", no records, the refusal's message as the detail; the caller
  // gets the refusal.
  static Outcome Refused(Status refusal) { return Outcome(Kind::kRefused, std::move(refusal), 0); }
  // Failed: logged "failed", no records, the error's message as the detail; the caller gets
  // the error, whether or not the entry could be written.
  static Outcome Failed(Status failure) { return Outcome(Kind::kFailed, std::move(failure), 0); }
  // Allowed, logged before the change it records (records and detail as the entry has
  // them): no entry, no change.
  static Outcome Allowed() { return Outcome(Kind::kAllowed, Status::Ok(), 0); }
  // Allowed, with the number of records released: no entry, nothing released.
  static Outcome Released(int64_t records) { return Outcome(Kind::kReleased, Status::Ok(), records); }
  // Logs `detail` instead of the status's message (Refused, Failed).
  Outcome Detail(std::string detail) && {
    detail_ = std::move(detail);
    return std::move(*this);
  }

 private:
  enum class Kind { kRefused, kFailed, kAllowed, kReleased };
  Outcome(Kind kind, Status status, int64_t records) : kind_(kind), status_(std::move(status)), records_(records) {}
  friend Status LogOutcome(Governance& gov, const Principal& who, LogEvent e, Outcome outcome);

  Kind kind_;
  Status status_;
  int64_t records_;
  std::optional<std::string> detail_;
};

// The one way a governed operation logs how it ended: writes `e` for `who` as `outcome`
// says and returns what the caller gets. When the entry cannot be written the caller
// gets kUnavailable ("the access log cannot be written (...); nothing was done", or
// "nothing was released" for a release) instead, except for a failure, which is returned
// as itself.
Status LogOutcome(Governance& gov, const Principal& who, LogEvent e, Outcome outcome);

// Runs one statement in `txn` whose rows are not needed (INSERT, UPDATE, DELETE).
inline Status Exec(store::Txn& txn, const std::string& sql, const std::vector<store::SqlValue>& params) {
  return txn.Query(sql, params).status();
}

// Runs `sql`, an INSERT ... RETURNING id, in `txn` and returns the new row's id;
// kInternal ("the WHAT was not stored") when no row came back.
inline Result<int64_t> InsertReturningId(store::Txn& txn, const std::string& sql,
                                         const std::vector<store::SqlValue>& params, std::string_view what) {
  CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query(sql, params));
  if (rows.empty()) return Status::Internal("the ", what, " was not stored");
  return store::AsInt(rows[0][0]);
}

// A failure of a transaction that is a refusal (bad input), not an outage.
inline bool IsRefusal(const Status& st) {
  return st.code() == StatusCode::kInvalidArgument || st.code() == StatusCode::kNotFound ||
         st.code() == StatusCode::kPermissionDenied;
}

}  // namespace custodian::policy::internal

namespace custodian::policy {

// The store's row readers and transaction, and the logging helpers above, by their short
// names in the policy sources that include this (internal) header. (Not Clip: a source may
// have a Clip of its own.)
using internal::Exec;
using internal::InsertReturningId;
using internal::IsRefusal;
using internal::LogOutcome;
using internal::Outcome;
using store::AsInt;
using store::AsString;
using store::IsNull;
using store::Txn;

}  // namespace custodian::policy
