// Small helpers the governance services share. Internal.
#pragma once

#include <string>

#include "custodian/policy/governance.h"

namespace custodian::policy::internal {

// At most `n` bytes of `s`, for log entries and messages that repeat what was given.
inline std::string Clip(const std::string& s, size_t n = 200) { return s.size() <= n ? s : s.substr(0, n); }

// Logs `refusal` as a "denied" entry, then returns it (kUnavailable when the log cannot
// be written).
inline Status Refuse(Governance& gov, const Principal& by, LogEvent e, Status refusal) {
  e.outcome = std::string(kDenied);
  e.detail = refusal.message();
  e.records = 0;
  if (Status st = gov.Record(by, e); !st.ok()) {
    return Status::Unavailable("the access log cannot be written (", st.message(), "); nothing was done");
  }
  return refusal;
}

// A failure of a transaction that is a refusal (bad input), not an outage.
inline bool IsRefusal(const Status& st) {
  return st.code() == StatusCode::kInvalidArgument || st.code() == StatusCode::kNotFound ||
         st.code() == StatusCode::kPermissionDenied;
}

}  // namespace custodian::policy::internal
