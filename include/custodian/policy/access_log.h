// The access log (Civil Code 1798.90.52, policy 4.A.1 and 5.C): append-only and
// tamper-evident. Each entry's hash covers its fields and the previous entry's hash; every
// `checkpoint_every` entries the head of the chain is signed with the agency's Ed25519
// key. VerifyAccessLog walks the chain and names the first entry that was edited, deleted,
// inserted or reordered behind the store's back.
//
// The hash is unkeyed, so whoever owns the database could rewrite entries and recompute
// every hash (issue 23, finding 2). Against that: the database refuses UPDATE and DELETE
// on the log and its checkpoints (triggers; the owner must drop them first); a checkpoint
// is required at every multiple of the interval, and at every entry that records a
// requested checkpoint, so deleting them fails verification; and each signed checkpoint is
// published as the log's signed head (SignedHead: to the system journal, and on the public
// transparency page) where the owner cannot take it back. A head kept by anyone proves a
// later rewrite or truncation: VerifyAccessLog checks the log against saved heads.
//
// Basic usage (inside a store transaction, so the entry commits with what it records):
//   store->Transact([&](store::Txn& txn) -> Status {
//     return policy::AppendLogEntry(txn, {.at = clock.Now(), .username = "jdoe", ...}, signer).status();
//   });
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "custodian/core/clock.h"
#include "custodian/core/status.h"
#include "custodian/store/database.h"

namespace custodian::policy {

// Outcomes as stored.
inline constexpr std::string_view kAllowed = "allowed";
inline constexpr std::string_view kDenied = "denied";
inline constexpr std::string_view kFailed = "failed";

// The action of the entry a requested checkpoint signs (Governance::CheckpointLog): the
// log itself says a checkpoint must exist there.
inline constexpr std::string_view kCheckpointAction = "checkpoint_access_log";

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

  // Marks the entry allowed, touching `n` records (its detail as it is, or `why`).
  void Allow(int64_t n) {
    outcome = std::string(kAllowed);
    records = n;
  }
  void Allow(int64_t n, std::string why) {
    Allow(n);
    detail = std::move(why);
  }
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
  // A signed checkpoint after every this many entries; VerifyAccessLog requires one at
  // every multiple. 0: none (and none required). Default: 100.
  int64_t checkpoint_every = 100;
};

// A signed checkpoint as published: the log's signed head. No plate data: the sequence
// number, the chain's hash there, when it was signed, the signature and the key.
struct SignedHead {
  int64_t seq = 0;
  std::string hash;           // hex SHA-256 of entry `seq`
  TimePoint at;               // when it was signed (not itself signed)
  std::string signature_hex;  // Ed25519 over CheckpointMessage(seq, hash)
  std::string public_key_hex; // the agency's key
};

// The message a checkpoint's signature covers:
// "custodian-access-log-checkpoint-v1\n<seq>\n<hash>".
std::string CheckpointMessage(int64_t seq, const std::string& hash);

// A head as one line of JSON: {"at":"<UTC time>","hash":..,"public_key":..,"seq":..,
// "signature":..} (keys in that order). What the journal, /api/v1/transparency and
// `custodian audit head` give, and what ParseSignedHeads reads back.
std::string SignedHeadJson(const SignedHead& head);

// The heads in `text`, as saved by whoever keeps copies: one head object, a JSON array of
// heads, JSON lines of heads (blank lines skipped; text before a line's first '{', such as
// a syslog prefix, ignored), or a saved /api/v1/transparency answer (its access_log_head);
// an array or line may hold such answers too. kInvalidArgument naming what is malformed;
// none found is an error too.
Result<std::vector<SignedHead>> ParseSignedHeads(std::string_view text);

// Appends `event` after the current head, inside the caller's transaction (which it
// serialises against every other appender on PostgreSQL). Writes a signed checkpoint
// when the new entry's sequence number is a multiple of options.checkpoint_every, and
// then sets *checkpoint (when given) to it, to be published once the transaction commits.
// Returns the entry written. kInvalidArgument for an unknown outcome or a terms field that
// is not a JSON object.
Result<LogEntry> AppendLogEntry(store::Txn& txn, const LogEvent& event, const LogSigner& signer,
                                const LogOptions& options = {}, std::optional<SignedHead>* checkpoint = nullptr);

// Signs the current head (if it is not already checkpointed), and sets *checkpoint (when
// given) to the checkpoint it wrote. Returns its sequence number (0 when the log is empty).
Result<int64_t> CheckpointLog(store::Txn& txn, const LogSigner& signer, TimePoint now,
                              std::optional<SignedHead>* checkpoint = nullptr);

// The newest signed checkpoint (nullopt while there is none).
Result<std::optional<SignedHead>> LatestSignedHead(store::Txn& txn);

// Publishes `head` to the system journal: syslog(3), facility LOG_AUTHPRIV, priority
// LOG_NOTICE, the message SignedHeadJson(head) (the journal keeps it beyond the database
// owner's reach when it is forwarded off the host, or sealed: journald's Forward Secure
// Sealing). For GovernanceOptions::on_checkpoint.
void PublishHeadToSyslog(const SignedHead& head);

// The hash of an entry: hex SHA-256 of prev_hash, '\n', and a canonical JSON array of seq
// and the LogEvent fields.
std::string EntryHash(int64_t seq, const std::string& prev_hash, const LogEvent& event);

struct LogVerification {
  bool ok = false;
  int64_t entries = 0;       // entries checked
  int64_t checkpoints = 0;   // signed checkpoints checked
  int64_t heads = 0;         // saved heads checked (VerifyOptions::against)
  int64_t first_bad_seq = 0; // 0 when ok
  std::string problem;       // what is wrong at first_bad_seq ("" when ok)
};

struct VerifyOptions {
  // The interval the log was written with: a checkpoint is required at each multiple.
  // 0: none required. Default: LogOptions' default (100).
  int64_t checkpoint_every = LogOptions{}.checkpoint_every;
  // Heads saved earlier (from the journal, the transparency page): each must carry the
  // agency key's signature, name an entry the log still has, and match its hash.
  std::vector<SignedHead> against;
};

// Walks the whole chain in sequence order, then every checkpoint, then the saved heads.
// A checkpoint must carry `public_key_hex`'s valid signature over an entry that still has
// the signed hash; one must exist at every multiple of options.checkpoint_every and at
// every entry that records a requested checkpoint (action checkpoint_access_log, allowed).
// Reports the first problem found, in that order.
Result<LogVerification> VerifyAccessLog(store::Txn& txn, const std::string& public_key_hex,
                                        const VerifyOptions& options = {});

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
