// The hash-chained, checkpoint-signed access log.
#include "policy/policy_util.h"
#include "custodian/policy/access_log.h"

#include <sodium.h>

#include <map>

#include <nlohmann/json.hpp>

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

std::string CheckpointMessage(int64_t seq, const std::string& hash) {
  return "custodian-access-log-checkpoint-v1\n" + std::to_string(seq) + "\n" + hash;
}

constexpr const char* kColumns =
    "seq, at_ms, username, agency_code, source, action, outcome, terms, purpose, case_number, records, detail, "
    "prev_hash, hash";

LogEntry DecodeEntry(const store::SqlRow& r) {
  LogEntry e;
  e.seq = AsInt(r[0]);
  e.at = FromUnixMillis(AsInt(r[1]));
  e.username = AsString(r[2]);
  e.agency_code = AsString(r[3]);
  e.source = AsString(r[4]);
  e.action = AsString(r[5]);
  e.outcome = AsString(r[6]);
  e.terms = AsString(r[7]);
  e.purpose = AsString(r[8]);
  e.case_number = AsString(r[9]);
  e.records = AsInt(r[10]);
  e.detail = AsString(r[11]);
  e.prev_hash = AsString(r[12]);
  e.hash = AsString(r[13]);
  return e;
}

}  // namespace

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
                                const LogOptions& options) {
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
    CUSTODIAN_RETURN_IF_ERROR(txn.Query("INSERT INTO access_log_checkpoints (seq, at_ms, hash, public_key, signature) "
                                        "VALUES (?, ?, ?, ?, ?)",
                                        {e.seq, ToUnixMillis(e.at), e.hash, signer.public_key_hex(),
                                         signer.SignHex(CheckpointMessage(e.seq, e.hash))})
                                  .status());
  }
  return e;
}

Result<int64_t> CheckpointLog(store::Txn& txn, const LogSigner& signer, TimePoint now) {
  CUSTODIAN_RETURN_IF_ERROR(txn.Lock(kLogLockKey));
  CUSTODIAN_ASSIGN_OR_RETURN(auto head, txn.Query("SELECT seq, hash FROM access_log ORDER BY seq DESC LIMIT 1", {}));
  if (head.empty()) return int64_t{0};
  const int64_t seq = AsInt(head[0][0]);
  const std::string hash = AsString(head[0][1]);
  CUSTODIAN_ASSIGN_OR_RETURN(auto have, txn.Query("SELECT 1 FROM access_log_checkpoints WHERE seq = ?", {seq}));
  if (have.empty()) {
    CUSTODIAN_RETURN_IF_ERROR(txn.Query("INSERT INTO access_log_checkpoints (seq, at_ms, hash, public_key, signature) "
                                        "VALUES (?, ?, ?, ?, ?)",
                                        {seq, ToUnixMillis(now), hash, signer.public_key_hex(),
                                         signer.SignHex(CheckpointMessage(seq, hash))})
                                  .status());
  }
  return seq;
}

Result<LogVerification> VerifyAccessLog(store::Txn& txn, const std::string& public_key_hex) {
  LogVerification v;
  auto bad = [&](int64_t seq, std::string problem) {
    v.ok = false;
    v.first_bad_seq = seq;
    v.problem = std::move(problem);
    return v;
  };
  // The chain, in pages of sequence numbers.
  std::string prev = kGenesis;
  int64_t expected = 1;
  std::map<int64_t, std::string> hashes_at;  // only for checkpointed sequence numbers
  CUSTODIAN_ASSIGN_OR_RETURN(auto cps, txn.Query("SELECT seq, hash, public_key, signature FROM access_log_checkpoints "
                                                 "ORDER BY seq",
                                                 {}));
  for (const auto& c : cps) hashes_at[AsInt(c[0])] = "";
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
      prev = e.hash;
      ++expected;
      ++v.entries;
    }
  }
  // Checkpoints: a valid signature by the agency's key over a hash the chain still has.
  std::vector<unsigned char> pk(crypto_sign_PUBLICKEYBYTES);
  if (sodium_hex2bin(pk.data(), pk.size(), public_key_hex.c_str(), public_key_hex.size(), nullptr, nullptr,
                     nullptr) != 0) {
    return Status::InvalidArgument("the agency public key is not 32 bytes of hex");
  }
  for (const auto& c : cps) {
    const int64_t seq = AsInt(c[0]);
    const std::string hash = AsString(c[1]);
    const std::string sig_hex = AsString(c[3]);
    std::vector<unsigned char> sig(crypto_sign_BYTES);
    const std::string msg = CheckpointMessage(seq, hash);
    if (AsString(c[2]) != public_key_hex ||
        sodium_hex2bin(sig.data(), sig.size(), sig_hex.c_str(), sig_hex.size(), nullptr, nullptr, nullptr) != 0 ||
        crypto_sign_verify_detached(sig.data(), reinterpret_cast<const unsigned char*>(msg.data()), msg.size(),
                                    pk.data()) != 0) {
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
    sql += " AND instr(terms, ?) > 0";
    if (txn.dialect() == store::Dialect::kPostgres) sql.replace(sql.rfind("instr(terms, ?) > 0"), 19, "strpos(terms, ?) > 0");
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
