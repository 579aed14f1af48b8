// The access log (Civil Code 1798.90.52, policy 4.A.1 and 5.C): append-only and
// tamper-evident. Each entry's hash covers its fields and the previous entry's hash; every
// `checkpoint_every` entries the head of the chain is signed with the agency's Ed25519
// key. VerifyAccessLog walks the chain and names the first entry that was edited, deleted,
// inserted or reordered behind the store's back.
//
// Basic usage (inside a store transaction, so the entry commits with what it records):
//   store->Transact([&](store::Txn& txn) -> Status {
//     return policy::AppendLogEntry(txn, {.at = clock.Now(), .username = "jdoe", ...}, signer).status();
//   });
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "custodian/core/clock.h"
#include "custodian/core/status.h"
#include "custodian/store/database.h"

namespace custodian::policy {

// Outcomes as stored.
inline constexpr std::string_view kAllowed = "allowed";
inline constexpr std::string_view kDenied = "denied";
inline constexpr std::string_view kFailed = "failed";

// One entry as written. Every field is part of the hash.
struct LogEvent {
  TimePoint at;               // UTC, milliseconds
  std::string username;       // "system" for maintenance jobs; the name tried for a failed logon
  std::string agency_code;    // the user's agency ("" when unknown)
  std::string source;         // IP address, "cli" or "system"
  std::string action;         // e.g. "search_reads", "logon", "lockout", "purge"
  std::string outcome;        // kAllowed, kDenied or kFailed
  std::string terms = "{}";   // JSON object: the plate or other search terms, ids touched
  std::string purpose;        // purpose code ("" when none applies)
  std::string case_number;    // case or incident number ("" when none applies)
  int64_t records = 0;        // records returned or changed
  std::string detail;         // a human sentence: why denied, what changed
};

struct LogEntry : LogEvent {
  int64_t seq = 0;
  std::string prev_hash;  // hex SHA-256; 64 zeros for the first entry
  std::string hash;       // hex SHA-256 over prev_hash and the fields
};

// Signs checkpoints. Holds the agency's secret key; thread-compatible.
class LogSigner {
 public:
  // `secret_key`: libsodium's 64-byte Ed25519 secret key.
  explicit LogSigner(std::vector<unsigned char> secret_key);
  std::string public_key_hex() const;
  std::string SignHex(std::string_view message) const;

 private:
  std::vector<unsigned char> sk_;
};

struct LogOptions {
  // A signed checkpoint after every this many entries. Default: 100.
  int64_t checkpoint_every = 100;
};

// Appends `event` after the current head, inside the caller's transaction (which it
// serialises against every other appender on PostgreSQL). Writes a signed checkpoint
// when the new entry's sequence number is a multiple of options.checkpoint_every.
// Returns the entry written. kInvalidArgument for an unknown outcome or a terms field that
// is not a JSON object.
Result<LogEntry> AppendLogEntry(store::Txn& txn, const LogEvent& event, const LogSigner& signer,
                                const LogOptions& options = {});

// Signs the current head (if it is not already checkpointed). Returns its sequence number
// (0 when the log is empty).
Result<int64_t> CheckpointLog(store::Txn& txn, const LogSigner& signer, TimePoint now);

// The hash of an entry: hex SHA-256 of prev_hash, '\n', and a canonical JSON array of seq
// and the LogEvent fields.
std::string EntryHash(int64_t seq, const std::string& prev_hash, const LogEvent& event);

struct LogVerification {
  bool ok = false;
  int64_t entries = 0;       // entries checked
  int64_t checkpoints = 0;   // signed checkpoints checked
  int64_t first_bad_seq = 0; // 0 when ok
  std::string problem;       // what is wrong at first_bad_seq ("" when ok)
};

// Walks the whole chain in sequence order and every checkpoint. A checkpoint must carry
// `public_key_hex`'s valid signature over an entry that still has the signed hash.
Result<LogVerification> VerifyAccessLog(store::Txn& txn, const std::string& public_key_hex);

struct LogFilter {
  std::optional<TimePoint> from;  // inclusive
  std::optional<TimePoint> to;    // exclusive
  std::string username;           // "" for all
  std::string action;             // "" for all
  std::string outcome;            // "" for all
  std::string case_number;        // "" for all
  std::string term;               // entries whose terms contain this text ("" for all)
  int64_t after_seq = 0;          // paging: entries after this sequence number
  int limit = 100;                // 1..1000
};

// Entries matching `filter`, in sequence order.
Result<std::vector<LogEntry>> QueryAccessLog(store::Txn& txn, const LogFilter& filter);

}  // namespace custodian::policy
