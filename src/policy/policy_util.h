// Small helpers the governance services share. Internal.
#pragma once

#include <sodium.h>

#include <string>
#include <string_view>

#include "custodian/policy/governance.h"

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
