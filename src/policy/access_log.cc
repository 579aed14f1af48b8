// The hash-chained, checkpoint-signed access log.
#include "policy/policy_util.h"
#include "custodian/policy/access_log.h"

#include <sodium.h>
#include <syslog.h>

#include <algorithm>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "custodian/core/utc_time.h"

namespace custodian::policy {
namespace {

using internal::Hex;
using internal::Sha256Hex;

using json = nlohmann::json;
using store::AsInt;
using store::AsString;
using store::SqlValue;

// Serialises appenders on PostgreSQL (SQLite's write transaction already does).
constexpr int64_t kLogLockKey = 0x637573746c6f67;  // "custlog"
const std::string kGenesis(64, '0');

constexpr const char* kColumns =
    "seq, at_ms, username, agency_code, source, action, outcome, terms, purpose, case_number, records, detail, "
    "prev_hash, hash";

LogEntry DecodeEntry(const store::SqlRow& r) {
  LogEntry e;
  store::ColumnsTo(r, 0, e.seq, e.at, e.username, e.agency_code, e.source, e.action, e.outcome, e.terms, e.purpose,
                   e.case_number, e.records, e.detail, e.prev_hash, e.hash);
  return e;
}

// Writes the checkpoint of entry `seq` (hash `hash`) signed now, and returns it as a head.
Result<SignedHead> WriteCheckpoint(store::Txn& txn, const LogSigner& signer, int64_t seq, const std::string& hash,
                                   TimePoint at) {
  SignedHead h{seq, hash, at, signer.SignHex(CheckpointMessage(seq, hash)), signer.public_key_hex()};
  CUSTODIAN_RETURN_IF_ERROR(txn.Query("INSERT INTO access_log_checkpoints (seq, at_ms, hash, public_key, signature) "
                                      "VALUES (?, ?, ?, ?, ?)",
                                      {seq, ToUnixMillis(at), hash, h.public_key_hex, h.signature_hex})
                                .status());
  return h;
}

// Whether `sig_hex` is the signature of `pk` (32 bytes) over the checkpoint message.
bool SignatureValid(const std::vector<unsigned char>& pk, int64_t seq, const std::string& hash,
                    const std::string& sig_hex) {
  std::vector<unsigned char> sig(crypto_sign_BYTES);
  size_t n = 0;
  const std::string msg = CheckpointMessage(seq, hash);
  return sig_hex.size() == sig.size() * 2 &&
         sodium_hex2bin(sig.data(), sig.size(), sig_hex.c_str(), sig_hex.size(), nullptr, &n, nullptr) == 0 &&
         n == sig.size() &&
         crypto_sign_verify_detached(sig.data(), reinterpret_cast<const unsigned char*>(msg.data()), msg.size(),
                                     pk.data()) == 0;
}

bool IsHex(const std::string& s, size_t n) {
  return s.size() == n && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// One head from a JSON object: a head itself, or a saved transparency answer holding one.
Result<SignedHead> HeadFromJson(const json& j, const std::string& where) {
  const json* h = &j;
  if (j.is_object() && j.contains("access_log_head")) {
    h = &j["access_log_head"];
    if (h->is_null()) return Status::InvalidArgument(where, ": the transparency answer has no signed head yet");
  }
  if (!h->is_object()) return Status::InvalidArgument(where, ": not a signed head (a JSON object)");
  SignedHead out;
  const auto seq = h->find("seq");
  if (seq == h->end() || !seq->is_number_integer() || seq->get<int64_t>() < 1) {
    return Status::InvalidArgument(where, ": a signed head needs \"seq\", a sequence number from 1");
  }
  out.seq = seq->get<int64_t>();
  auto text = [&](const char* key, size_t hex_len, std::string& to) -> Status {
    const auto it = h->find(key);
    if (it == h->end() || !it->is_string() || !IsHex(it->get<std::string>(), hex_len)) {
      return Status::InvalidArgument(where, ": the head at entry ", out.seq, " needs \"", key, "\", ", hex_len,
                                     " lower-case hex digits");
    }
    to = it->get<std::string>();
    return Status::Ok();
  };
  CUSTODIAN_RETURN_IF_ERROR(text("hash", 64, out.hash));
  CUSTODIAN_RETURN_IF_ERROR(text("signature", crypto_sign_BYTES * 2, out.signature_hex));
  if (h->contains("public_key")) CUSTODIAN_RETURN_IF_ERROR(text("public_key", crypto_sign_PUBLICKEYBYTES * 2, out.public_key_hex));
  // The time is not signed; kept when it reads as a UTC time (milliseconds dropped).
  if (const auto at = h->find("at"); at != h->end() && at->is_string()) {
    std::string t = at->get<std::string>();
    if (t.size() > 19 && t[19] == '.') t = t.substr(0, 19) + "Z";
    if (auto parsed = ParseUtcTime(t); parsed.ok()) out.at = *parsed;
  }
  return out;
}

}  // namespace

std::string CheckpointMessage(int64_t seq, const std::string& hash) {
  return "custodian-access-log-checkpoint-v1\n" + std::to_string(seq) + "\n" + hash;
}

std::string SignedHeadJson(const SignedHead& h) {
  return json{{"seq", h.seq}, {"hash", h.hash}, {"at", FormatUtcTime(h.at)}, {"signature", h.signature_hex},
              {"public_key", h.public_key_hex}}
      .dump();
}

Result<std::vector<SignedHead>> ParseSignedHeads(std::string_view text) {
  std::vector<SignedHead> out;
  auto add = [&](const json& j, const std::string& where) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(SignedHead h, HeadFromJson(j, where));
    out.push_back(std::move(h));
    return Status::Ok();
  };
  json whole = json::parse(text, nullptr, false);
  if (!whole.is_discarded()) {
    if (whole.is_array()) {
      for (size_t i = 0; i < whole.size(); ++i) {
        CUSTODIAN_RETURN_IF_ERROR(add(whole[i], "element " + std::to_string(i + 1)));
      }
    } else {
      CUSTODIAN_RETURN_IF_ERROR(add(whole, "the head"));
    }
  } else {
    // JSON lines.
    size_t line_no = 0;
    for (size_t at = 0; at <= text.size();) {
      size_t end = text.find('\n', at);
      if (end == std::string_view::npos) end = text.size();
      std::string_view line = text.substr(at, end - at);
      at = end + 1;
      ++line_no;
      if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
      const size_t brace = line.find('{');
      json j = brace == std::string_view::npos ? json(nullptr) : json::parse(line.substr(brace), nullptr, false);
      if (brace == std::string_view::npos || j.is_discarded()) {
        return Status::InvalidArgument("line ", line_no, " is not a JSON object (a signed head)");
      }
      CUSTODIAN_RETURN_IF_ERROR(add(j, "line " + std::to_string(line_no)));
    }
  }
  if (out.empty()) return Status::InvalidArgument("no signed heads in it");
  return out;
}

void PublishHeadToSyslog(const SignedHead& head) {
  ::syslog(LOG_AUTHPRIV | LOG_NOTICE, "%s", SignedHeadJson(head).c_str());
}

LogSigner::LogSigner(std::vector<unsigned char> secret_key) : sk_(std::move(secret_key)) {}

std::string LogSigner::public_key_hex() const {
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  crypto_sign_ed25519_sk_to_pk(pk, sk_.data());
  return Hex(pk, sizeof pk);
}

std::string LogSigner::SignHex(std::string_view message) const {
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       sk_.data());
  return Hex(sig, sizeof sig);
}

std::string EntryHash(int64_t seq, const std::string& prev_hash, const LogEvent& e) {
  json fields = json::array({seq, ToUnixMillis(e.at), e.username, e.agency_code, e.source, e.action, e.outcome,
                             e.terms, e.purpose, e.case_number, e.records, e.detail});
  return Sha256Hex(prev_hash + "\n" + fields.dump(-1, ' ', false, json::error_handler_t::replace));
}

Result<LogEntry> AppendLogEntry(store::Txn& txn, const LogEvent& event, const LogSigner& signer,
                                const LogOptions& options, std::optional<SignedHead>* checkpoint) {
  if (event.outcome != kAllowed && event.outcome != kDenied && event.outcome != kFailed) {
    return Status::InvalidArgument("log outcome '", event.outcome, "' is not allowed, denied or failed");
  }
  json terms = json::parse(event.terms, nullptr, false);
  if (terms.is_discarded() || !terms.is_object()) {
    return Status::InvalidArgument("log terms must be a JSON object");
  }
  CUSTODIAN_RETURN_IF_ERROR(txn.Lock(kLogLockKey));
  CUSTODIAN_ASSIGN_OR_RETURN(auto head, txn.Query("SELECT seq, hash FROM access_log ORDER BY seq DESC LIMIT 1", {}));
  LogEntry e;
  static_cast<LogEvent&>(e) = event;
  e.seq = head.empty() ? 1 : AsInt(head[0][0]) + 1;
  e.prev_hash = head.empty() ? kGenesis : AsString(head[0][1]);
  e.hash = EntryHash(e.seq, e.prev_hash, e);
  CUSTODIAN_RETURN_IF_ERROR(
      txn.Query("INSERT INTO access_log (seq, at_ms, username, agency_code, source, action, outcome, terms, purpose, "
                "case_number, records, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                {e.seq, ToUnixMillis(e.at), e.username, e.agency_code, e.source, e.action, e.outcome, e.terms,
                 e.purpose, e.case_number, e.records, e.detail, e.prev_hash, e.hash})
          .status());
  if (options.checkpoint_every > 0 && e.seq % options.checkpoint_every == 0) {
    CUSTODIAN_ASSIGN_OR_RETURN(SignedHead h, WriteCheckpoint(txn, signer, e.seq, e.hash, e.at));
    if (checkpoint) *checkpoint = std::move(h);
  }
  return e;
}

Result<int64_t> CheckpointLog(store::Txn& txn, const LogSigner& signer, TimePoint now,
                              std::optional<SignedHead>* checkpoint) {
  CUSTODIAN_RETURN_IF_ERROR(txn.Lock(kLogLockKey));
  CUSTODIAN_ASSIGN_OR_RETURN(auto head, txn.Query("SELECT seq, hash FROM access_log ORDER BY seq DESC LIMIT 1", {}));
  if (head.empty()) return int64_t{0};
  const int64_t seq = AsInt(head[0][0]);
  const std::string hash = AsString(head[0][1]);
  CUSTODIAN_ASSIGN_OR_RETURN(auto have, txn.Query("SELECT 1 FROM access_log_checkpoints WHERE seq = ?", {seq}));
  if (have.empty()) {
    CUSTODIAN_ASSIGN_OR_RETURN(SignedHead h, WriteCheckpoint(txn, signer, seq, hash, now));
    if (checkpoint) *checkpoint = std::move(h);
  }
  return seq;
}

Result<std::optional<SignedHead>> LatestSignedHead(store::Txn& txn) {
  CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT seq, at_ms, hash, signature, public_key FROM "
                                                  "access_log_checkpoints ORDER BY seq DESC LIMIT 1",
                                                  {}));
  if (rows.empty()) return std::optional<SignedHead>();
  const auto& r = rows[0];
  return std::optional<SignedHead>(
      SignedHead{AsInt(r[0]), AsString(r[2]), FromUnixMillis(AsInt(r[1])), AsString(r[3]), AsString(r[4])});
}

Result<LogVerification> VerifyAccessLog(store::Txn& txn, const std::string& public_key_hex,
                                        const VerifyOptions& options) {
  LogVerification v;
  auto bad = [&](int64_t seq, std::string problem) {
    v.ok = false;
    v.first_bad_seq = seq;
    v.problem = std::move(problem);
    return v;
  };
  std::vector<unsigned char> pk(crypto_sign_PUBLICKEYBYTES);
  size_t pk_len = 0;
  if (sodium_hex2bin(pk.data(), pk.size(), public_key_hex.c_str(), public_key_hex.size(), nullptr, &pk_len,
                     nullptr) != 0 ||
      pk_len != pk.size()) {
    return Status::InvalidArgument("the agency public key is not 32 bytes of hex");
  }
  // The chain, in pages of sequence numbers.
  std::string prev = kGenesis;
  int64_t expected = 1;
  std::map<int64_t, std::string> hashes_at;  // only for checkpointed sequence numbers and saved heads
  std::set<int64_t> checkpointed;
  std::vector<int64_t> requested;  // entries recording a requested checkpoint
  CUSTODIAN_ASSIGN_OR_RETURN(auto cps, txn.Query("SELECT seq, hash, public_key, signature FROM access_log_checkpoints "
                                                 "ORDER BY seq",
                                                 {}));
  for (const auto& c : cps) {
    hashes_at[AsInt(c[0])] = "";
    checkpointed.insert(AsInt(c[0]));
  }
  for (const auto& h : options.against) hashes_at[h.seq] = "";
  for (;;) {
    CUSTODIAN_ASSIGN_OR_RETURN(
        auto rows, txn.Query(std::string("SELECT ") + kColumns + " FROM access_log WHERE seq >= ? ORDER BY seq LIMIT 5000",
                             {expected}));
    if (rows.empty()) break;
    for (const auto& r : rows) {
      LogEntry e = DecodeEntry(r);
      if (e.seq != expected) {
        return bad(expected, "entry " + std::to_string(expected) + " is missing (deleted); the next entry is " +
                                 std::to_string(e.seq));
      }
      if (e.prev_hash != prev) {
        return bad(e.seq, "entry " + std::to_string(e.seq) +
                              " does not follow the entry before it (an entry was inserted, deleted or reordered)");
      }
      if (EntryHash(e.seq, e.prev_hash, e) != e.hash) {
        return bad(e.seq, "entry " + std::to_string(e.seq) + " was changed after it was written");
      }
      if (hashes_at.count(e.seq)) hashes_at[e.seq] = e.hash;
      if (e.action == kCheckpointAction && e.outcome == kAllowed) requested.push_back(e.seq);
      prev = e.hash;
      ++expected;
      ++v.entries;
    }
  }
  const int64_t last = expected - 1;
  // Checkpoints: a valid signature by the agency's key over a hash the chain still has.
  for (const auto& c : cps) {
    const int64_t seq = AsInt(c[0]);
    const std::string hash = AsString(c[1]);
    if (AsString(c[2]) != public_key_hex || !SignatureValid(pk, seq, hash, AsString(c[3]))) {
      return bad(seq, "the checkpoint at entry " + std::to_string(seq) + " is not signed by the agency key");
    }
    auto it = hashes_at.find(seq);
    if (it == hashes_at.end() || it->second.empty()) {
      return bad(seq, "entry " + std::to_string(seq) + ", signed at a checkpoint, is gone (the log was truncated)");
    }
    if (it->second != hash) {
      return bad(seq, "the chain up to entry " + std::to_string(seq) +
                          " differs from the signed checkpoint (entries before it were rewritten)");
    }
    ++v.checkpoints;
  }
  // Checkpoints that must exist: one at every multiple of the interval (AppendLogEntry
  // writes it with the entry), and one at every entry that records a requested checkpoint
  // (written in the same transaction). Deleting them is how a rewrite would hide.
  int64_t missing = 0;
  bool missing_requested = false;
  if (options.checkpoint_every > 0) {
    for (int64_t seq = options.checkpoint_every; seq <= last; seq += options.checkpoint_every) {
      if (!checkpointed.count(seq)) {
        missing = seq;
        break;
      }
    }
  }
  for (int64_t seq : requested) {
    if (missing != 0 && seq >= missing) break;
    if (!checkpointed.count(seq)) {
      missing = seq;
      missing_requested = true;
      break;
    }
  }
  if (missing != 0) {
    return bad(missing, "the signed checkpoint at entry " + std::to_string(missing) +
                            " is missing (deleted from the database; " +
                            (missing_requested ? "the entry records that it was signed"
                                               : "one is written at every " + std::to_string(options.checkpoint_every) +
                                                     " entries") +
                            ")");
  }
  // Heads saved outside the database: each proves what the log held when it was published.
  std::vector<const SignedHead*> heads;
  for (const auto& h : options.against) heads.push_back(&h);
  std::stable_sort(heads.begin(), heads.end(), [](const SignedHead* a, const SignedHead* b) { return a->seq < b->seq; });
  for (const SignedHead* h : heads) {
    const std::string at = "the saved head at entry " + std::to_string(h->seq);
    if (!SignatureValid(pk, h->seq, h->hash, h->signature_hex)) {
      return bad(h->seq, at + " is not signed by the agency key" +
                             (!h->public_key_hex.empty() && h->public_key_hex != public_key_hex
                                  ? " (it names key " + h->public_key_hex + ")"
                                  : ""));
    }
    if (h->seq > last) {
      return bad(h->seq, at + " is beyond the log's end (entry " + std::to_string(last) +
                             "): the log was cut off after the head was published");
    }
    if (hashes_at[h->seq] != h->hash) {
      return bad(h->seq, "entry " + std::to_string(h->seq) +
                             " differs from the head saved for it (the log was rewritten after the head was published)");
    }
    ++v.heads;
  }
  v.ok = true;
  return v;
}

Result<std::vector<LogEntry>> QueryAccessLog(store::Txn& txn, const LogFilter& f) {
  if (f.limit < 1 || f.limit > 1000) return Status::InvalidArgument("log page size ", f.limit, " is not in 1..1000");
  std::string sql = std::string("SELECT ") + kColumns + " FROM access_log WHERE seq > ?";
  std::vector<SqlValue> params{f.after_seq};
  if (f.from) {
    sql += " AND at_ms >= ?";
    params.push_back(ToUnixMillis(*f.from));
  }
  if (f.to) {
    sql += " AND at_ms < ?";
    params.push_back(ToUnixMillis(*f.to));
  }
  for (auto [col, val] : {std::pair{"username", &f.username}, std::pair{"action", &f.action},
                          std::pair{"outcome", &f.outcome}, std::pair{"case_number", &f.case_number}}) {
    if (val->empty()) continue;
    sql += std::string(" AND ") + col + " = ?";
    params.push_back(*val);
  }
  if (!f.term.empty()) {
    sql += " AND strpos(terms, ?) > 0";  // SQLite: the store's strpos
    params.push_back(f.term);
  }
  sql += " ORDER BY seq LIMIT " + std::to_string(f.limit);
  CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query(sql, params));
  std::vector<LogEntry> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(DecodeEntry(r));
  return out;
}

}  // namespace custodian::policy
