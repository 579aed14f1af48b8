// Governance: accounts, sessions, gates and governed access to plate data.
#include "policy/policy_util.h"
#include "custodian/policy/governance.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <limits>
#include <set>

#include <nlohmann/json.hpp>

#include "custodian/policy/breach_incidents.h"
#include "custodian/policy/plate_data_actions.h"
#include "custodian/policy/sharing.h"
#include "custodian/store/evidence.h"

namespace custodian::policy {

using json = nlohmann::json;
using store::AsInt;
using store::AsString;
using store::IsNull;
using store::SqlRow;
using store::SqlValue;
using store::Txn;

namespace {

using internal::Hex;
using internal::Sha256Hex;

constexpr int64_t kMsPerMinute = 60'000;

std::string RandomToken() {
  unsigned char b[32];
  randombytes_buf(b, sizeof b);
  return Hex(b, sizeof b);
}

// 80 random bits as four groups of lower-case letters and digits: "k3v9-q2m8-...".
std::string RandomPassword() {
  static constexpr char kAlphabet[] = "abcdefghijkmnpqrstuvwxyz23456789";
  std::string out;
  for (int g = 0; g < 4; ++g) {
    if (g) out += '-';
    for (int i = 0; i < 5; ++i) out += kAlphabet[randombytes_uniform(sizeof kAlphabet - 1)];
  }
  return out;
}

Status CheckUsername(const std::string& u) {
  bool ok = u.size() >= 3 && u.size() <= 64;
  for (char c : u) {
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '.' ||
          c == '_' || c == '-')) {
      ok = false;
    }
  }
  if (!ok) return Status::InvalidArgument("a username is 3..64 of a-z, 0-9, '.', '_' and '-'");
  // Names the log and the system use for themselves, or that read as an authority.
  static const char* kReserved[] = {"system", "root", "admin", "administrator", "unknown", "cli",
                                    "custodian", "anonymous", "null"};
  for (const char* r : kReserved) {
    if (u == r) return Status::InvalidArgument("'", u, "' is a reserved name and cannot be a username");
  }
  return Status::Ok();
}

Status CheckText(std::string_view what, const std::string& s, size_t max) {
  if (s.empty() || s.size() > max) return Status::InvalidArgument(what, " must have 1..", max, " characters");
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return Status::InvalidArgument(what, " contains a control character");
  }
  return Status::Ok();
}

// A value safe to repeat in a log entry: at most 64 bytes of what was given.
std::string Clip(std::string_view s) { return std::string(s.substr(0, 64)); }

std::optional<TimePoint> OptTime(const SqlValue& v) {
  if (IsNull(v)) return std::nullopt;
  return FromUnixMillis(AsInt(v));
}

SqlValue OptMs(const std::optional<TimePoint>& t) { return t ? SqlValue(ToUnixMillis(*t)) : SqlValue(); }

Result<UserState> ParseState(const std::string& s) {
  if (s == "active") return UserState::kActive;
  if (s == "locked") return UserState::kLocked;
  if (s == "disabled") return UserState::kDisabled;
  if (s == "separated") return UserState::kSeparated;
  return Status::Internal("unknown account state '", s, "'");
}

constexpr const char* kUserColumns =
    "u.id, u.username, u.full_name, u.agency_code, u.role, u.state, u.state_reason, u.password_hash, "
    "u.password_set_ms, u.must_change_password, u.totp_secret, u.totp_last_step, u.supervisor, u.created_ms, "
    "u.last_logon_ms, u.access_expires_ms, u.background_check_ms, u.cjis_addendum_ms";

struct UserRow {
  UserInfo info;
  std::string password_hash;
  std::string totp_secret;  // sealed; "" when none
  int64_t totp_last_step = 0;
};

Result<UserRow> DecodeUser(const SqlRow& r) {
  UserRow u;
  u.info.id = AsInt(r[0]);
  u.info.username = AsString(r[1]);
  u.info.full_name = AsString(r[2]);
  u.info.agency_code = AsString(r[3]);
  CUSTODIAN_ASSIGN_OR_RETURN(u.info.role, ParseRole(AsString(r[4])));
  CUSTODIAN_ASSIGN_OR_RETURN(u.info.state, ParseState(AsString(r[5])));
  u.info.state_reason = AsString(r[6]);
  u.password_hash = AsString(r[7]);
  u.info.password_set_at = FromUnixMillis(AsInt(r[8]));
  u.info.must_change_password = AsInt(r[9]) != 0;
  u.totp_secret = AsString(r[10]);
  u.totp_last_step = AsInt(r[11]);
  u.info.supervisor = AsString(r[12]);
  u.info.created_at = FromUnixMillis(AsInt(r[13]));
  u.info.last_logon = OptTime(r[14]);
  u.info.access_expires = OptTime(r[15]);
  u.info.background_check = OptTime(r[16]);
  u.info.cjis_addendum = OptTime(r[17]);
  u.info.totp_enrolled = !u.totp_secret.empty() && u.totp_secret.rfind("pending:", 0) != 0;
  return u;
}

Result<std::optional<UserRow>> FindUser(Txn& txn, const std::string& username) {
  CUSTODIAN_ASSIGN_OR_RETURN(
      auto rows, txn.Query(std::string("SELECT ") + kUserColumns + " FROM users u WHERE u.username = ?", {username}));
  if (rows.empty()) return std::optional<UserRow>();
  CUSTODIAN_ASSIGN_OR_RETURN(UserRow u, DecodeUser(rows[0]));
  return std::optional<UserRow>(std::move(u));
}

// Fills the gate fields of `u` (acknowledgment and training).
Status LoadGates(Txn& txn, UserInfo& u) {
  CUSTODIAN_ASSIGN_OR_RETURN(auto ack, txn.Query("SELECT supervisor_ms, coordinator_ms FROM acknowledgments "
                                                 "WHERE user_id = ? ORDER BY id DESC LIMIT 1",
                                                 {u.id}));
  u.acknowledgment_signed = !ack.empty();
  u.supervisor_approved = !ack.empty() && !IsNull(ack[0][0]);
  u.coordinator_approved = !ack.empty() && !IsNull(ack[0][1]);
  CUSTODIAN_ASSIGN_OR_RETURN(auto tr, txn.Query("SELECT MAX(completed_ms) FROM training_records WHERE user_id = ?",
                                                {u.id}));
  u.training_completed = tr.empty() ? std::nullopt : OptTime(tr[0][0]);
  return Status::Ok();
}

json QueryTerms(const store::SearchQuery& q) {
  json t = json::object();
  if (!q.plate.empty()) t["plate"] = q.plate;
  t["match"] = std::string(store::PlateMatchName(q.match));
  if (q.extra_edits) t["extra_edits"] = q.extra_edits;
  if (q.from) t["from_ms"] = ToUnixMillis(*q.from);
  if (q.to) t["to_ms"] = ToUnixMillis(*q.to);
  if (!q.camera_ids.empty()) t["cameras"] = q.camera_ids;
  if (q.area) t["area"] = {q.area->min_lat, q.area->min_lon, q.area->max_lat, q.area->max_lon};
  if (q.data_class) t["data_class"] = std::string(store::DataClassName(*q.data_class));
  if (!q.cursor.empty()) t["page"] = true;
  return t;
}

// The caller's answer when the entry that would record a release cannot be written.
Status NothingReleased(const Status& log_failure) {
  return Status::Unavailable("the access log cannot be written (", log_failure.message(), "); nothing was released");
}

// The key that seals MFA secrets at rest: 32 random bytes in a file of their own (mode
// 0600), created when absent (also when GovernanceOptions::create_key is false: an
// installation upgraded from a release without it gets one at its first open). It is not
// derived from the log-signing key (issue 23, finding 2), so holding the signing key does
// not open the secrets. A new key is written in full under a temporary name and linked
// into place, never over an existing one: two processes starting at once keep the first.
Result<std::vector<unsigned char>> LoadOrCreateSealKey(const std::filesystem::path& file) {
  std::vector<unsigned char> key(crypto_secretbox_KEYBYTES);
  for (int attempt = 0; attempt < 2; ++attempt) {
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      struct stat st {};
      if (::fstat(fd, &st) == 0 && (st.st_mode & 077) != 0) {
        ::close(fd);
        return Status::PermissionDenied("MFA seal key file ", file.string(), " is readable by others; chmod 600 it");
      }
      std::vector<unsigned char> buf(key.size() + 1);
      size_t got = 0;
      for (;;) {
        ssize_t n = ::read(fd, buf.data() + got, buf.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += size_t(n);
        if (got == buf.size()) break;
      }
      ::close(fd);
      if (got != key.size()) {
        return Status::InvalidArgument("MFA seal key file ", file.string(), " does not hold a key (", key.size(),
                                       " bytes)");
      }
      std::memcpy(key.data(), buf.data(), key.size());
      sodium_memzero(buf.data(), buf.size());
      return key;
    }
    if (errno != ENOENT) return Status::Unavailable("cannot read ", file.string(), ": ", std::strerror(errno));
    std::error_code ec;
    if (!file.parent_path().empty()) std::filesystem::create_directories(file.parent_path(), ec);
    randombytes_buf(key.data(), key.size());
    const std::filesystem::path tmp = file.string() + ".new-" + std::to_string(::getpid());
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return Status::Unavailable("cannot create ", tmp.string(), ": ", std::strerror(errno));
    bool written = ::write(fd, key.data(), key.size()) == ssize_t(key.size()) && ::fsync(fd) == 0;
    ::close(fd);
    const int linked = written ? ::link(tmp.c_str(), file.c_str()) : -1;
    const int link_errno = errno;
    ::unlink(tmp.c_str());
    if (!written) return Status::Unavailable("cannot write ", tmp.string());
    if (linked == 0) return key;
    if (link_errno != EEXIST) return Status::Unavailable("cannot create ", file.string(), ": ", std::strerror(link_errno));
    // Another process created it first: read theirs.
  }
  return Status::Unavailable("cannot read or create ", file.string());
}

}  // namespace

Status MayReceiveSharing(std::string_view state, std::string_view kind) {
  if (state != "CA") {
    return Status::PermissionDenied("sharing is limited to California public agencies (Civil Code 1798.90.55(b)); the "
                                    "agency is recorded in state '", state.empty() ? "(none)" : state, "'");
  }
  if (kind != "local" && kind != "county" && kind != "state") {
    return Status::PermissionDenied("sharing is limited to California public agencies that are not federal (Civil Code "
                                    "1798.90.5(f), 1798.90.55(b)); the agency is recorded as '",
                                    kind.empty() ? "(no kind)" : kind, "'");
  }
  return Status::Ok();
}

std::string_view UserStateName(UserState s) {
  switch (s) {
    case UserState::kActive: return "active";
    case UserState::kLocked: return "locked";
    case UserState::kDisabled: return "disabled";
    case UserState::kSeparated: return "separated";
  }
  return "unknown";
}

// Secrets at rest (TOTP seeds), sealed with the MFA seal key (its own file; see
// LoadOrCreateSealKey).
//
// Releases before it sealed them with a key derived from the log-signing key
// (LegacyKey). Those secrets keep working: Open falls back to the legacy derivation when
// the seal key cannot open a secret, says so (`legacy`), and Logon and MFA enrolment
// reseal such a secret with the seal key. Until an account next logs on (or its MFA is
// reset), its legacy secret can still be opened by whoever holds the signing key.
struct Governance::Impl {
  static std::vector<unsigned char> LegacyKey(const LogSigner& signer) {
    std::vector<unsigned char> k(crypto_secretbox_KEYBYTES);
    const std::string context = "custodian-totp-seal-v1:" + signer.SignHex("custodian-totp-seal-v1");
    crypto_generichash(k.data(), k.size(), reinterpret_cast<const unsigned char*>(context.data()), context.size(),
                       nullptr, 0);
    return k;
  }
  static std::string Seal(const std::vector<unsigned char>& key, const std::string& plain) {
    std::vector<unsigned char> out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plain.size());
    randombytes_buf(out.data(), crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(out.data() + crypto_secretbox_NONCEBYTES,
                          reinterpret_cast<const unsigned char*>(plain.data()), plain.size(), out.data(), key.data());
    return Hex(out.data(), out.size());
  }
  struct Opened {
    std::string plain;
    bool legacy = false;  // opened with the legacy key: reseal it
  };
  static Result<Opened> Open(const std::vector<unsigned char>& key, const LogSigner& signer,
                             const std::string& sealed_hex) {
    std::vector<unsigned char> in(sealed_hex.size() / 2);
    size_t n = 0;
    if (sodium_hex2bin(in.data(), in.size(), sealed_hex.c_str(), sealed_hex.size(), nullptr, &n, nullptr) != 0 ||
        n < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
      return Status::Internal("a sealed MFA secret is malformed");
    }
    Opened out;
    out.plain.assign(n - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
    auto open_with = [&](const std::vector<unsigned char>& k) {
      return crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(out.plain.data()),
                                        in.data() + crypto_secretbox_NONCEBYTES, n - crypto_secretbox_NONCEBYTES,
                                        in.data(), k.data()) == 0;
    };
    if (open_with(key)) return out;
    // A secret sealed by a release before the separate seal key.
    if (open_with(LegacyKey(signer))) {
      out.legacy = true;
      return out;
    }
    return Status::PermissionDenied("the MFA secret cannot be opened with this MFA seal key (wrong mfa-seal.key?)");
  }
};

Governance::Governance(store::ReadStore& store, GovernanceOptions options, PermissionMatrix matrix,
                       PurposeList purposes, BannedPasswords banned, LogSigner signer,
                       std::vector<unsigned char> seal_key)
    : store_(store),
      options_(std::move(options)),
      matrix_(std::move(matrix)),
      purposes_(std::move(purposes)),
      banned_(std::move(banned)),
      signer_(std::move(signer)),
      seal_key_(std::move(seal_key)) {}

Governance::~Governance() { sodium_memzero(seal_key_.data(), seal_key_.size()); }

Result<std::unique_ptr<Governance>> Governance::Open(store::ReadStore& store, GovernanceOptions options) {
  if (sodium_init() < 0) return Status::Internal("libsodium cannot initialise");
  if (options.signing_key_file.empty()) return Status::InvalidArgument("the governance layer needs a signing key file");
  if (!options.clock) return Status::InvalidArgument("the governance layer needs a clock");
  CUSTODIAN_ASSIGN_OR_RETURN(auto sk, store::LoadSigningKey(options.signing_key_file, options.create_key));
  if (options.mfa_seal_key_file.empty()) {
    options.mfa_seal_key_file = options.signing_key_file.parent_path() / "mfa-seal.key";
  }
  CUSTODIAN_ASSIGN_OR_RETURN(auto seal_key, LoadOrCreateSealKey(options.mfa_seal_key_file));
  PermissionMatrix matrix;
  if (options.roles_file.empty()) {
    matrix = PermissionMatrix::Default();
  } else {
    CUSTODIAN_ASSIGN_OR_RETURN(matrix, PermissionMatrix::Load(options.roles_file.string()));
  }
  PurposeList purposes;
  if (options.purposes_file.empty()) {
    purposes = PurposeList::Default();
  } else {
    CUSTODIAN_ASSIGN_OR_RETURN(purposes, PurposeList::Load(options.purposes_file.string()));
  }
  BannedPasswords banned;
  if (options.banned_passwords_file.empty()) {
    CUSTODIAN_ASSIGN_OR_RETURN(banned, BannedPasswords::Parse(BuiltinBannedPasswords(), "the built-in list"));
  } else {
    CUSTODIAN_ASSIGN_OR_RETURN(banned, BannedPasswords::Load(options.banned_passwords_file));
  }
  if (options.policy_text.empty()) {
    for (const char* s : kAcknowledgmentStatements) options.policy_text += std::string(s) + "\n";
  }
  return std::unique_ptr<Governance>(new Governance(store, std::move(options), std::move(matrix), std::move(purposes),
                                                    std::move(banned), LogSigner(std::move(sk)),
                                                    std::move(seal_key)));
}

Principal Governance::System(std::string_view job) {
  Principal p;
  p.username = "system";
  p.source = "system";
  p.system = true;
  p.role = Role::kCoordinator;  // unused: Authorize treats the system separately
  p.token_sha = std::string(job);
  return p;
}

LogEvent Governance::Event(const Principal& who, std::string_view action, std::string_view outcome) const {
  LogEvent e;
  e.at = options_.clock->Now();
  e.username = who.username;
  e.agency_code = who.agency_code;
  e.source = who.source.empty() ? "cli" : who.source;
  e.action = std::string(action);
  e.outcome = std::string(outcome);
  if (who.system && !who.token_sha.empty()) e.detail = "job: " + who.token_sha;
  return e;
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

namespace {
// The denial returned to the caller after its log entry; a log failure says so instead.
Status Denied(const Status& logged, Status denial) {
  if (!logged.ok()) {
    return Status::Unavailable("the access log cannot be written (", logged.message(), "); nothing was done");
  }
  return denial;
}
}  // namespace

Status Governance::Authorize(const Principal& who, std::string_view op, std::optional<store::DataClass> data_class,
                             const LogEvent& on_denial) {
  auto deny = [&](std::string why) {
    LogEvent e = on_denial;
    e.outcome = std::string(kDenied);
    e.detail = why;
    return Denied(Record(who, e), Status::PermissionDenied(why));
  };
  if (who.system) {
    // Maintenance jobs administer; they never read plate data.
    if (op == ops::kManageRetention || op == ops::kViewAccessLog || op == ops::kSystemAdmin ||
        op == ops::kManageUsers) {
      return Status::Ok();
    }
    return deny("the system account may not " + std::string(op));
  }
  if (who.must_change_password) return deny("the password must be changed before anything else");
  if (who.must_enrol_totp) return deny("multi-factor authentication must be enrolled before anything else");
  if (!matrix_.Allows(who.role, op, data_class)) {
    std::string why = "role " + std::string(RoleName(who.role)) + " may not " + std::string(op);
    if (matrix_.Scoped(op) && data_class) why += " on " + std::string(store::DataClassName(*data_class)) + " data";
    return deny(why);
  }
  return Status::Ok();
}

Status Governance::AuthorizePlateData(const Principal& who, std::string_view op, const AccessPurpose& why,
                                      std::optional<store::DataClass> data_class, const std::string& terms_json) {
  // Refusals are logged under `op`, which reports and flags must count: a declared gate.
  if (op.empty() || std::none_of(std::begin(kPlateDataActions), std::end(kPlateDataActions),
                                 [&](const PlateDataAction& a) { return a.gate == op; })) {
    return Status::Internal("operation '", op, "' is not the gate of a plate-data action in plate_data_actions.h");
  }
  LogEvent e = Event(who, op, kDenied);
  e.terms = terms_json;
  e.purpose = Clip(why.purpose);
  e.case_number = Clip(why.case_number);
  CUSTODIAN_RETURN_IF_ERROR(Authorize(who, op, data_class, e));
  auto deny = [&](Status denial) {
    e.detail = denial.message();
    return Denied(Record(who, e), std::move(denial));
  };
  if (Status p = purposes_.Check(why.purpose, why.case_number); !p.ok()) return deny(p);
  return CheckGates(who, e);
}

Result<std::string> Governance::HomeAgency() {
  {
    std::lock_guard lock(home_mu_);
    if (!home_agency_.empty()) return home_agency_;
  }
  std::string code;
  CUSTODIAN_RETURN_IF_ERROR(store_.ReadOnly([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT code FROM agencies WHERE home = 1", {}));
    if (!rows.empty()) code = AsString(rows[0][0]);
    return Status::Ok();
  }));
  if (code.empty()) return Status::Unavailable("the installation has no home agency yet (bootstrap first)");
  std::lock_guard lock(home_mu_);
  home_agency_ = code;
  return code;
}

Result<bool> Governance::IsOutsider(const Principal& who) {
  if (who.system) return false;
  CUSTODIAN_ASSIGN_OR_RETURN(std::string home, HomeAgency());
  return who.agency_code != home;
}

Status Governance::CheckGates(const Principal& who, LogEvent e) {
  e.outcome = std::string(kDenied);
  auto deny = [&](Status denial) {
    e.detail = denial.message();
    return Denied(Record(who, e), std::move(denial));
  };
  if (who.system) return deny(Status::PermissionDenied("the system account never reads plate data"));
  UserInfo u;
  Status st = store_.ReadOnly([&](Txn& txn) -> Status {
    u.id = who.user_id;
    return LoadGates(txn, u);
  });
  if (!st.ok()) return st;
  if (!u.acknowledgment_signed) {
    return deny(Status::PermissionDenied("the ALPR policy acknowledgment has not been signed"));
  }
  if (!u.supervisor_approved || !u.coordinator_approved) {
    return deny(Status::PermissionDenied("the acknowledgment awaits ",
                                         !u.supervisor_approved ? "supervisor" : "coordinator", " approval"));
  }
  const TimePoint now = options_.clock->Now();
  if (!u.training_completed || *u.training_completed + options_.training_valid_for <= now) {
    return deny(Status::PermissionDenied(u.training_completed ? "ALPR training lapsed; annual training is due"
                                                              : "ALPR training has not been completed"));
  }
  return Status::Ok();
}

// ---- Accounts ----

Result<NewAccount> Governance::Bootstrap(const std::string& username, const std::string& full_name,
                                         const std::string& agency_code) {
  CUSTODIAN_RETURN_IF_ERROR(CheckUsername(username));
  CUSTODIAN_RETURN_IF_ERROR(CheckText("full name", full_name, 128));
  NewAccount out{username, RandomPassword()};
  CUSTODIAN_ASSIGN_OR_RETURN(std::string hash, HashPassword(out.initial_password));
  Principal sys = System("bootstrap");
  LogEvent e = Event(sys, "create_user", kAllowed);
  e.terms = json{{"username", username}, {"role", "coordinator"}}.dump();
  e.detail = "first coordinator account created at installation";
  e.records = 1;
  const int64_t now = ToUnixMillis(options_.clock->Now());
  CUSTODIAN_RETURN_IF_ERROR(RecordWith(sys, e, [&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto n, txn.Query("SELECT COUNT(*) FROM users", {}));
    if (AsInt(n[0][0]) != 0) return Status::InvalidArgument("accounts exist already; the coordinator creates more");
    CUSTODIAN_ASSIGN_OR_RETURN(auto ag, txn.Query("SELECT 1 FROM agencies WHERE code = ?", {agency_code}));
    if (ag.empty()) return Status::NotFound("no agency '", Clip(agency_code), "'");
    CUSTODIAN_RETURN_IF_ERROR(txn.Query("UPDATE agencies SET home = 1 WHERE code = ?", {agency_code}).status());
    return txn
        .Query("INSERT INTO users (username, full_name, agency_code, role, state, password_hash, password_set_ms, "
               "must_change_password, created_by, created_ms) VALUES (?, ?, ?, 'coordinator', 'active', ?, ?, 1, "
               "'system', ?)",
               {username, full_name, agency_code, hash, now, now})
        .status();
  }));
  return out;
}

Result<NewAccount> Governance::CreateUser(const Principal& by, const UserSpec& spec) {
  LogEvent e = Event(by, "create_user", kDenied);
  e.terms = json{{"username", Clip(spec.username)}, {"role", std::string(RoleName(spec.role))}}.dump();
  CUSTODIAN_RETURN_IF_ERROR(Authorize(by, ops::kManageUsers, std::nullopt, e));
  CUSTODIAN_RETURN_IF_ERROR(CheckUsername(spec.username));
  CUSTODIAN_RETURN_IF_ERROR(CheckText("full name", spec.full_name, 128));
  const TimePoint now = options_.clock->Now();
  if (spec.role == Role::kVendorSupport) {
    if (!spec.background_check || !spec.cjis_addendum || !spec.access_expires) {
      return Status::InvalidArgument(
          "vendor support accounts need a background check date, a CJIS security addendum date and an access "
          "expiry (policy 5.B)");
    }
  }
  {
    // The installation's own agency holds every role but the partner one; every other
    // agency holds only the partner role, and only if it may receive sharing at all.
    CUSTODIAN_ASSIGN_OR_RETURN(std::string home, HomeAgency());
    if (spec.agency_code == home && spec.role == Role::kPartnerAgency) {
      return Status::InvalidArgument("a partner-agency user belongs to another agency");
    }
    if (spec.agency_code != home) {
      if (spec.role != Role::kPartnerAgency) {
        e.detail = "users of another agency may hold only the partner_agency role";
        return Denied(Record(by, e), Status::InvalidArgument(e.detail, " (agency ", Clip(spec.agency_code), ")"));
      }
      std::string state, kind;
      CUSTODIAN_RETURN_IF_ERROR(store_.ReadOnly([&](Txn& txn) -> Status {
        CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT state, kind FROM agencies WHERE code = ?", {spec.agency_code}));
        if (rows.empty()) return Status::NotFound("no agency '", Clip(spec.agency_code), "'");
        state = AsString(rows[0][0]);
        kind = AsString(rows[0][1]);
        return Status::Ok();
      }));
      if (Status ok = MayReceiveSharing(state, kind); !ok.ok()) {
        e.detail = "partner account refused: " + ok.message();
        return Denied(Record(by, e), ok);
      }
    }
  }
  if (spec.access_expires && *spec.access_expires <= now) {
    return Status::InvalidArgument("the access expiry is in the past");
  }
  NewAccount out{spec.username, RandomPassword()};
  CUSTODIAN_ASSIGN_OR_RETURN(std::string hash, HashPassword(out.initial_password));
  e.outcome = std::string(kAllowed);
  e.records = 1;
  e.detail = "account created for " + spec.full_name + ", agency " + spec.agency_code;
  const int64_t now_ms = ToUnixMillis(now);
  CUSTODIAN_RETURN_IF_ERROR(RecordWith(by, e, [&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto have, txn.Query("SELECT 1 FROM users WHERE username = ?", {spec.username}));
    if (!have.empty()) {
      return Status::InvalidArgument("username '", spec.username, "' has been used before; usernames are never reused");
    }
    CUSTODIAN_ASSIGN_OR_RETURN(auto ag, txn.Query("SELECT 1 FROM agencies WHERE code = ?", {spec.agency_code}));
    if (ag.empty()) return Status::NotFound("no agency '", Clip(spec.agency_code), "'");
    return txn
        .Query("INSERT INTO users (username, full_name, agency_code, role, state, password_hash, password_set_ms, "
               "must_change_password, supervisor, created_by, created_ms, access_expires_ms, background_check_ms, "
               "cjis_addendum_ms) VALUES (?, ?, ?, ?, 'active', ?, ?, 1, ?, ?, ?, ?, ?, ?)",
               {spec.username, spec.full_name, spec.agency_code, std::string(RoleName(spec.role)), hash, now_ms,
                spec.supervisor, by.username, now_ms, OptMs(spec.access_expires), OptMs(spec.background_check),
                OptMs(spec.cjis_addendum)})
        .status();
  }));
  return out;
}

Result<UserInfo> Governance::GetUser(const Principal& by, const std::string& username) {
  if (by.username != username || by.system) {
    LogEvent e = Event(by, "view_user", kDenied);
    e.terms = json{{"username", Clip(username)}}.dump();
    CUSTODIAN_RETURN_IF_ERROR(Authorize(by, ops::kManageUsers, std::nullopt, e));
  }
  UserInfo out;
  CUSTODIAN_RETURN_IF_ERROR(store_.Transact([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto u, FindUser(txn, username));
    if (!u) return Status::NotFound("no user '", Clip(username), "'");
    out = u->info;
    return LoadGates(txn, out);
  }));
  return out;
}

Result<std::vector<UserInfo>> Governance::ListUsers(const Principal& by) {
  CUSTODIAN_RETURN_IF_ERROR(Authorize(by, ops::kManageUsers, std::nullopt, Event(by, "list_users", kDenied)));
  std::vector<UserInfo> out;
  CUSTODIAN_RETURN_IF_ERROR(store_.Transact([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows,
                               txn.Query(std::string("SELECT ") + kUserColumns + " FROM users u ORDER BY u.username", {}));
    for (const auto& r : rows) {
      CUSTODIAN_ASSIGN_OR_RETURN(UserRow u, DecodeUser(r));
      CUSTODIAN_RETURN_IF_ERROR(LoadGates(txn, u.info));
      out.push_back(std::move(u.info));
    }
    return Status::Ok();
  }));
  return out;
}

namespace {
Status EndSessions(Txn& txn, int64_t user_id, int64_t now_ms, const std::string& reason) {
  return txn
      .Query("UPDATE sessions SET ended_ms = ?, end_reason = ? WHERE user_id = ? AND ended_ms IS NULL",
             {now_ms, reason, user_id})
      .status();
}
}  // namespace

// One administrative change to an account: authorised, applied and logged together.
#define CUSTODIAN_ACCOUNT_CHANGE(action, detail_text, body)                                              \
  LogEvent e = Event(by, action, kDenied);                                                              \
  e.terms = json{{"username", Clip(username)}}.dump();                                                  \
  CUSTODIAN_RETURN_IF_ERROR(Authorize(by, ops::kManageUsers, std::nullopt, e));                          \
  e.outcome = std::string(kAllowed);                                                                    \
  e.records = 1;                                                                                        \
  e.detail = detail_text;                                                                               \
  const int64_t now_ms = ToUnixMillis(options_.clock->Now());                                           \
  return RecordWith(by, e, [&](Txn& txn) -> Status {                                                    \
    CUSTODIAN_ASSIGN_OR_RETURN(auto found, FindUser(txn, username));                                    \
    if (!found) return Status::NotFound("no user '", Clip(username), "'");                              \
    const UserRow& u = *found;                                                                          \
    (void)u;                                                                                            \
    body                                                                                                \
  })

Status Governance::SetRole(const Principal& by, const std::string& username, Role role) {
  CUSTODIAN_ASSIGN_OR_RETURN(std::string home, HomeAgency());
  CUSTODIAN_ACCOUNT_CHANGE("set_role", "role set to " + std::string(RoleName(role)), {
    if (u.info.state == UserState::kSeparated) return Status::InvalidArgument("the account is separated");
    if ((u.info.agency_code == home) == (role == Role::kPartnerAgency)) {
      return Status::InvalidArgument(role == Role::kPartnerAgency
                                         ? "the partner_agency role is for users of other agencies"
                                         : "users of another agency may hold only the partner_agency role");
    }
    CUSTODIAN_RETURN_IF_ERROR(txn.Query("UPDATE users SET role = ? WHERE id = ?",
                                        {std::string(RoleName(role)), u.info.id})
                                  .status());
    return EndSessions(txn, u.info.id, now_ms, "role changed");
  });
}

Status Governance::Unlock(const Principal& by, const std::string& username) {
  CUSTODIAN_ACCOUNT_CHANGE("unlock", "account unlocked", {
    if (u.info.state != UserState::kLocked && u.info.state != UserState::kDisabled) {
      return Status::InvalidArgument("the account is ", UserStateName(u.info.state), ", not locked or disabled");
    }
    CUSTODIAN_RETURN_IF_ERROR(txn.Query("DELETE FROM failed_logons WHERE user_id = ?", {u.info.id}).status());
    // A re-enabled inactive account starts its inactivity period again.
    return txn
        .Query("UPDATE users SET state = 'active', state_reason = '', last_logon_ms = ? WHERE id = ?",
               {now_ms, u.info.id})
        .status();
  });
}

Status Governance::Separate(const Principal& by, const std::string& username, const std::string& reason) {
  CUSTODIAN_ACCOUNT_CHANGE("separate", "separated: " + Clip(reason), {
    if (u.info.state == UserState::kSeparated) return Status::InvalidArgument("the account is already separated");
    CUSTODIAN_RETURN_IF_ERROR(txn.Query("UPDATE users SET state = 'separated', state_reason = ? WHERE id = ?",
                                        {reason.empty() ? std::string("separation") : Clip(reason), u.info.id})
                                  .status());
    return EndSessions(txn, u.info.id, now_ms, "separated");
  });
}

Status Governance::FlagCompromised(const Principal& by, const std::string& username) {
  CUSTODIAN_ACCOUNT_CHANGE("flag_compromised", "password flagged compromised; change forced", {
    CUSTODIAN_RETURN_IF_ERROR(txn.Query("UPDATE users SET must_change_password = 1 WHERE id = ?", {u.info.id}).status());
    return EndSessions(txn, u.info.id, now_ms, "password compromised");
  });
}

Status Governance::ResetTotp(const Principal& by, const std::string& username) {
  CUSTODIAN_ACCOUNT_CHANGE("reset_mfa", "MFA reset; enrolment required at next logon", {
    CUSTODIAN_RETURN_IF_ERROR(txn.Query("UPDATE users SET totp_secret = NULL WHERE id = ?", {u.info.id}).status());
    return EndSessions(txn, u.info.id, now_ms, "MFA reset");
  });
}

Result<NewAccount> Governance::ResetPassword(const Principal& by, const std::string& username) {
  NewAccount out{username, RandomPassword()};
  CUSTODIAN_ASSIGN_OR_RETURN(std::string hash, HashPassword(out.initial_password));
  auto apply = [&]() -> Status {
    CUSTODIAN_ACCOUNT_CHANGE("reset_password", "one-time password issued; change forced", {
      CUSTODIAN_RETURN_IF_ERROR(txn.Query("UPDATE users SET password_hash = ?, password_set_ms = ?, "
                                          "must_change_password = 1 WHERE id = ?",
                                          {hash, now_ms, u.info.id})
                                    .status());
      return EndSessions(txn, u.info.id, now_ms, "password reset");
    });
  };
  CUSTODIAN_RETURN_IF_ERROR(apply());
  return out;
}

#undef CUSTODIAN_ACCOUNT_CHANGE

Result<int64_t> Governance::DisableInactiveAccounts(const Principal& by) {
  LogEvent e = Event(by, "disable_inactive", kDenied);
  CUSTODIAN_RETURN_IF_ERROR(Authorize(by, ops::kManageUsers, std::nullopt, e));
  const int64_t now_ms = ToUnixMillis(options_.clock->Now());
  const int64_t cutoff = now_ms - std::chrono::duration_cast<std::chrono::milliseconds>(options_.inactivity_limit).count();
  int64_t n = 0;
  e.outcome = std::string(kAllowed);
  CUSTODIAN_RETURN_IF_ERROR(LoggedTransact([&](Txn& txn, Heads& heads) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT id, username FROM users WHERE state = 'active' AND "
                                                    "COALESCE(last_logon_ms, created_ms) < ?",
                                                    {cutoff}));
    json names = json::array();
    for (const auto& r : rows) {
      CUSTODIAN_RETURN_IF_ERROR(txn.Query("UPDATE users SET state = 'disabled', state_reason = ? WHERE id = ?",
                                          {std::string("no logon for ") + std::to_string(options_.inactivity_limit.count()) +
                                               " days",
                                           AsInt(r[0])})
                                    .status());
      CUSTODIAN_RETURN_IF_ERROR(EndSessions(txn, AsInt(r[0]), now_ms, "inactive"));
      names.push_back(AsString(r[1]));
    }
    n = int64_t(rows.size());
    e.records = n;
    e.terms = json{{"usernames", names}}.dump();
    e.detail = std::to_string(n) + " inactive accounts disabled";
    return Append(txn, e, heads);
  }));
  return n;
}

// ---- Logon and sessions ----

namespace {
// An Argon2id hash of nothing anyone knows: a logon for an unknown account is checked
// against it, so it costs what a real one does.
const std::string& DecoyHash() {
  static const std::string hash = [] {
    auto h = HashPassword("custodian decoy password, never issued");
    return h.ok() ? *h : std::string();
  }();
  return hash;
}
}  // namespace

Result<bool> Governance::CountFailure(const Principal& tried, int64_t user_id, LogEvent e, bool reserved) {
  const int64_t now_ms = ToUnixMillis(options_.clock->Now());
  const int64_t window_start = now_ms - options_.failed_logon_window.count() * kMsPerMinute;
  bool locked = false;
  Status st = LoggedTransact([&](Txn& txn, Heads& heads) -> Status {
    if (!reserved) {
      CUSTODIAN_RETURN_IF_ERROR(
          txn.Query("INSERT INTO failed_logons (user_id, at_ms) VALUES (?, ?)", {user_id, now_ms}).status());
    }
    CUSTODIAN_ASSIGN_OR_RETURN(
        auto n, txn.Query("SELECT COUNT(*) FROM failed_logons WHERE user_id = ? AND at_ms > ?", {user_id, window_start}));
    CUSTODIAN_RETURN_IF_ERROR(Append(txn, e, heads));
    if (AsInt(n[0][0]) < options_.max_failed_logons) return Status::Ok();
    // Only the change that locks it logs the lockout (a conditional update: parallel
    // failures lock it once).
    CUSTODIAN_ASSIGN_OR_RETURN(auto changed,
                               txn.Query("UPDATE users SET state = 'locked', state_reason = ? WHERE id = ? AND state = "
                                         "'active' RETURNING id",
                                         {std::to_string(options_.max_failed_logons) + " failed logons within " +
                                              std::to_string(options_.failed_logon_window.count()) + " minutes",
                                          user_id}));
    locked = true;
    if (changed.empty()) return Status::Ok();
    LogEvent l = Event(tried, "lockout", kAllowed);
    l.records = 1;
    l.detail = "account locked after " + std::to_string(AsInt(n[0][0])) + " failed attempts";
    return Append(txn, l, heads);
  });
  if (!st.ok()) return Status::Unavailable("the access log cannot be written (", st.message(), "); refused");
  return locked;
}

Result<LogonResult> Governance::Logon(const LogonRequest& r) {
  const TimePoint now = options_.clock->Now();
  const int64_t now_ms = ToUnixMillis(now);
  Principal tried;
  tried.username = Clip(r.username);
  tried.source = r.source.empty() ? "cli" : Clip(r.source);
  LogEvent e = Event(tried, "logon", kDenied);
  // Every refusal of an account's logon below says the same to the caller and costs the
  // same (one Argon2id run): no account enumeration by message or by time. The log says why.
  const Status refused = Status::Unauthenticated("logon refused: wrong username, password or code, or the account "
                                                 "cannot log on (ask the ALPR coordinator)");
  auto refuse = [&](std::string why, Status to_caller) -> Status {
    e.detail = std::move(why);
    return Denied(Record(tried, e), std::move(to_caller));
  };
  if (!r.notice_accepted) {
    return refuse("system-use notice not accepted",
                  Status::Unauthenticated("the system-use notice must be accepted before logon"));
  }
  if (r.password.size() > 1024 || r.totp_code.size() > 16) return refuse("oversized credentials", refused);
  std::optional<UserRow> user;
  CUSTODIAN_RETURN_IF_ERROR(store_.ReadOnly([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(user, FindUser(txn, r.username));
    return Status::Ok();
  }));
  if (!user) {
    (void)VerifyPassword(DecoyHash(), r.password);
    return refuse("no such account", refused);
  }
  UserRow& u = *user;
  tried.agency_code = e.agency_code = u.info.agency_code;
  const int64_t inactive_cutoff =
      now_ms - std::chrono::duration_cast<std::chrono::milliseconds>(options_.inactivity_limit).count();
  if (u.info.state != UserState::kActive) {
    (void)VerifyPassword(u.password_hash, r.password);
    return refuse("account " + std::string(UserStateName(u.info.state)) +
                      (u.info.state_reason.empty() ? "" : " (" + u.info.state_reason + ")"),
                  refused);
  }
  if (ToUnixMillis(u.info.last_logon.value_or(u.info.created_at)) < inactive_cutoff) {
    (void)VerifyPassword(u.password_hash, r.password);
    LogEvent d = Event(tried, "disable_inactive", kAllowed);
    d.records = 1;
    d.terms = json{{"usernames", json::array({u.info.username})}}.dump();
    d.detail = "disabled at logon: no logon for " + std::to_string(options_.inactivity_limit.count()) + " days";
    CUSTODIAN_RETURN_IF_ERROR(RecordWith(tried, d, [&](Txn& txn) {
      return txn.Query("UPDATE users SET state = 'disabled', state_reason = 'inactive' WHERE id = ?", {u.info.id})
          .status();
    }));
    return refuse("account inactive; disabled", refused);
  }
  if (u.info.access_expires && *u.info.access_expires <= now) {
    (void)VerifyPassword(u.password_hash, r.password);
    return refuse("access expired", refused);
  }
  // Reserve this attempt before the password is checked: with max_failed_logons failures
  // already in the window it is refused unchecked (and the account locked), so parallel
  // guesses cannot outrun the lockout.
  const int64_t window_start = now_ms - options_.failed_logon_window.count() * kMsPerMinute;
  bool over = false;
  {
    LogEvent over_entry = e;
    over_entry.detail = "too many failed logons in the window; not checked";
    Status st = LoggedTransact([&](Txn& txn, Heads& heads) -> Status {
      CUSTODIAN_ASSIGN_OR_RETURN(auto n, txn.Query("SELECT COUNT(*) FROM failed_logons WHERE user_id = ? AND at_ms > ?",
                                                   {u.info.id, window_start}));
      if (AsInt(n[0][0]) < options_.max_failed_logons) {
        // Counted as a failure until the logon succeeds (which clears the window).
        return txn.Query("INSERT INTO failed_logons (user_id, at_ms) VALUES (?, ?)", {u.info.id, now_ms}).status();
      }
      over = true;
      CUSTODIAN_ASSIGN_OR_RETURN(auto changed, txn.Query("UPDATE users SET state = 'locked', state_reason = ? WHERE id = "
                                                         "? AND state = 'active' RETURNING id",
                                                         {std::string("too many failed logons"), u.info.id}));
      CUSTODIAN_RETURN_IF_ERROR(Append(txn, over_entry, heads));
      if (changed.empty()) return Status::Ok();
      LogEvent l = Event(tried, "lockout", kAllowed);
      l.records = 1;
      l.detail = "account locked: logons beyond " + std::to_string(options_.max_failed_logons) + " failures";
      return Append(txn, l, heads);
    });
    if (!st.ok()) return Status::Unavailable("the access log cannot be written (", st.message(), "); logon refused");
    if (over) {
      (void)VerifyPassword(u.password_hash, r.password);
      return refused;
    }
  }
  // A wrong password or code: the reserved failure stands; at the limit the account locks.
  auto fail = [&](std::string why) -> Status {
    e.detail = std::move(why);
    auto locked = CountFailure(tried, u.info.id, e, /*reserved=*/true);
    if (!locked.ok()) return locked.status();
    return refused;
  };
  if (!VerifyPassword(u.password_hash, r.password)) return fail("wrong password");
  int64_t step = u.totp_last_step;
  std::string reseal;  // the secret sealed anew with the seal key, when it was a legacy one
  if (u.info.totp_enrolled) {
    CUSTODIAN_ASSIGN_OR_RETURN(Impl::Opened opened, Impl::Open(seal_key_, signer_, u.totp_secret));
    if (opened.legacy) reseal = Impl::Seal(seal_key_, opened.plain);
    CUSTODIAN_ASSIGN_OR_RETURN(auto secret, Base32Decode(opened.plain));
    auto matched = VerifyTotp(secret, r.totp_code, now, u.totp_last_step, options_.totp);
    if (!matched.ok()) return fail("one-time code refused: " + matched.status().message());
    step = *matched;
  }
  LogonResult out;
  out.token = RandomToken();
  out.expires_at = now + options_.session_lifetime;
  Principal& p = out.principal;
  p.user_id = u.info.id;
  p.username = u.info.username;
  p.agency_code = u.info.agency_code;
  p.role = u.info.role;
  p.source = tried.source;
  p.must_enrol_totp = !u.info.totp_enrolled;
  p.must_change_password = u.info.must_change_password || u.info.password_set_at + options_.password_max_age <= now;
  p.token_sha = Sha256Hex(out.token);
  LogEvent ok = Event(p, "logon", kAllowed);
  ok.detail = std::string(u.info.totp_enrolled ? "password and one-time code" : "password; MFA enrolment required") +
              (p.must_change_password ? "; password change required" : "");
  // The account must still be active, and the code's step still unused, when the session
  // is written (a conditional update: of two logons with one code, one wins).
  bool raced = false;
  Status st = LoggedTransact([&](Txn& txn, Heads& heads) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(
        auto changed,
        txn.Query(std::string("UPDATE users SET last_logon_ms = ?, totp_last_step = ? WHERE id = ? AND state = 'active'") +
                      (u.info.totp_enrolled ? " AND totp_last_step < ?" : "") + " RETURNING id",
                  u.info.totp_enrolled ? std::vector<SqlValue>{now_ms, step, u.info.id, step}
                                       : std::vector<SqlValue>{now_ms, step, u.info.id}));
    if (changed.empty()) {
      raced = true;
      e.detail = "the one-time code was used by another logon, or the account changed, during this logon";
      return Append(txn, e, heads);
    }
    CUSTODIAN_RETURN_IF_ERROR(txn.Query("DELETE FROM failed_logons WHERE user_id = ?", {u.info.id}).status());
    if (!reseal.empty()) {
      CUSTODIAN_RETURN_IF_ERROR(txn.Query("UPDATE users SET totp_secret = ? WHERE id = ? AND totp_secret = ?",
                                          {reseal, u.info.id, u.totp_secret})
                                    .status());
    }
    CUSTODIAN_RETURN_IF_ERROR(
        txn.Query("INSERT INTO sessions (token_sha, user_id, source, created_ms, last_seen_ms) VALUES (?, ?, ?, ?, ?)",
                  {p.token_sha, u.info.id, p.source, now_ms, now_ms})
            .status());
    return Append(txn, ok, heads);
  });
  if (!st.ok()) return Status::Unavailable("the access log cannot be written (", st.message(), "); logon refused");
  if (raced) return refused;
  return out;
}

Result<Principal> Governance::Authenticate(const std::string& token, const std::string& source) {
  return Session(token, source, /*refresh=*/true);
}

Result<Principal> Governance::Revalidate(const std::string& token, const std::string& source) {
  return Session(token, source, /*refresh=*/false);
}

Result<Principal> Governance::Session(const std::string& token, const std::string& source, bool refresh) {
  const TimePoint now = options_.clock->Now();
  const int64_t now_ms = ToUnixMillis(now);
  const std::string sha = Sha256Hex(token);
  Principal p;
  std::string ended;  // why the session ends now ("" when it is live)
  bool touch = false;  // last use recorded more than a minute ago: record this one
  CUSTODIAN_RETURN_IF_ERROR(store_.ReadOnly([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(
        auto rows, txn.Query("SELECT s.created_ms, s.last_seen_ms, s.ended_ms, s.end_reason, " + std::string(kUserColumns) +
                                 " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_sha = ?",
                             {sha}));
    if (rows.empty()) return Status::Unauthenticated("no such session; log on");
    const SqlRow& r = rows[0];
    if (!IsNull(r[2])) return Status::Unauthenticated("the session ended (", AsString(r[3]), "); log on again");
    SqlRow user_cols(r.begin() + 4, r.end());
    CUSTODIAN_ASSIGN_OR_RETURN(UserRow u, DecodeUser(user_cols));
    if (now_ms - AsInt(r[1]) > options_.idle_timeout.count() * kMsPerMinute) {
      ended = "idle for more than " + std::to_string(options_.idle_timeout.count()) + " minutes";
    } else if (now_ms - AsInt(r[0]) >= std::chrono::duration_cast<std::chrono::milliseconds>(options_.session_lifetime).count()) {
      ended = "session older than " + std::to_string(options_.session_lifetime.count()) + " hours";
    } else if (u.info.state != UserState::kActive) {
      ended = "account " + std::string(UserStateName(u.info.state));
    } else if (u.info.access_expires && *u.info.access_expires <= now) {
      ended = "access expired";
    }
    if (!ended.empty()) return Status::Ok();
    // The idle timer is kept to the minute: a request within a minute of the last
    // recorded one writes nothing (reads stay off the writer).
    touch = refresh && now_ms - AsInt(r[1]) >= kMsPerMinute;
    p.user_id = u.info.id;
    p.username = u.info.username;
    p.agency_code = u.info.agency_code;
    p.role = u.info.role;
    p.source = source.empty() ? "cli" : Clip(source);
    p.must_enrol_totp = !u.info.totp_enrolled;
    p.must_change_password = u.info.must_change_password || u.info.password_set_at + options_.password_max_age <= now;
    p.token_sha = sha;
    return Status::Ok();
  }));
  if (!ended.empty()) {
    CUSTODIAN_RETURN_IF_ERROR(store_.Transact([&](Txn& txn) {
      return txn
          .Query("UPDATE sessions SET ended_ms = ?, end_reason = ? WHERE token_sha = ? AND ended_ms IS NULL",
                 {now_ms, ended, sha})
          .status();
    }));
    return Status::Unauthenticated("the session ended (", ended, "); log on again");
  }
  if (touch) {
    CUSTODIAN_RETURN_IF_ERROR(store_.Transact([&](Txn& txn) {
      return txn.Query("UPDATE sessions SET last_seen_ms = ? WHERE token_sha = ?", {now_ms, sha}).status();
    }));
  }
  return p;
}

Status Governance::Logout(const Principal& who) {
  LogEvent e = Event(who, "logout", kAllowed);
  const int64_t now_ms = ToUnixMillis(options_.clock->Now());
  return RecordWith(who, e, [&](Txn& txn) {
    return txn
        .Query("UPDATE sessions SET ended_ms = ?, end_reason = 'logout' WHERE token_sha = ? AND ended_ms IS NULL",
               {now_ms, who.token_sha})
        .status();
  });
}

Result<TotpEnrolment> Governance::BeginTotpEnrolment(const Principal& who) {
  if (who.system || who.user_id == 0) return Status::PermissionDenied("the system account has no MFA");
  if (!who.must_enrol_totp) {
    LogEvent e = Event(who, "enrol_mfa", kDenied);
    e.detail = "MFA already enrolled; the coordinator resets it";
    return Denied(Record(who, e), Status::PermissionDenied(e.detail));
  }
  auto secret = NewTotpSecret();
  TotpEnrolment out{Base32Encode(secret), ""};
  out.uri = TotpUri("Custodian ALPR", who.username, secret, options_.totp);
  const std::string sealed = "pending:" + Impl::Seal(seal_key_, out.secret_base32);
  LogEvent e = Event(who, "enrol_mfa_begin", kAllowed);
  CUSTODIAN_RETURN_IF_ERROR(RecordWith(who, e, [&](Txn& txn) {
    return txn.Query("UPDATE users SET totp_secret = ? WHERE id = ?", {sealed, who.user_id}).status();
  }));
  return out;
}

Status Governance::ConfirmTotpEnrolment(const Principal& who, const std::string& code) {
  if (who.system || who.user_id == 0) return Status::PermissionDenied("the system account has no MFA");
  std::string pending;
  CUSTODIAN_RETURN_IF_ERROR(store_.Transact([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT totp_secret FROM users WHERE id = ?", {who.user_id}));
    if (!rows.empty()) pending = AsString(rows[0][0]);
    return Status::Ok();
  }));
  LogEvent e = Event(who, "enrol_mfa", kDenied);
  if (pending.rfind("pending:", 0) != 0) {
    e.detail = "no MFA enrolment in progress";
    return Denied(Record(who, e), Status::InvalidArgument(e.detail));
  }
  CUSTODIAN_ASSIGN_OR_RETURN(Impl::Opened opened, Impl::Open(seal_key_, signer_, pending.substr(8)));
  CUSTODIAN_ASSIGN_OR_RETURN(auto secret, Base32Decode(opened.plain));
  const std::string sealed = opened.legacy ? Impl::Seal(seal_key_, opened.plain) : pending.substr(8);
  auto step = VerifyTotp(secret, code, options_.clock->Now(), -1, options_.totp);
  if (!step.ok()) {
    e.detail = "enrolment code refused";
    return Denied(Record(who, e), step.status());
  }
  e.outcome = std::string(kAllowed);
  e.detail = "MFA enrolled";
  return RecordWith(who, e, [&](Txn& txn) {
    return txn
        .Query("UPDATE users SET totp_secret = ?, totp_last_step = ? WHERE id = ?", {sealed, *step, who.user_id})
        .status();
  });
}

Status Governance::ChangePassword(const Principal& who, const std::string& current, const std::string& next) {
  if (who.system || who.user_id == 0) return Status::PermissionDenied("the system account has no password");
  std::string hash;
  CUSTODIAN_RETURN_IF_ERROR(store_.Transact([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT password_hash FROM users WHERE id = ?", {who.user_id}));
    if (rows.empty()) return Status::NotFound("the account is gone");
    hash = AsString(rows[0][0]);
    return Status::Ok();
  }));
  LogEvent e = Event(who, "change_password", kDenied);
  if (!VerifyPassword(hash, current)) {
    // Counted toward the lockout like a wrong logon: a stolen session cannot guess on.
    e.detail = "current password wrong";
    CUSTODIAN_ASSIGN_OR_RETURN(bool locked, CountFailure(who, who.user_id, e));
    return locked ? Status::PermissionDenied("the current password is wrong; too many failures: the account is now "
                                             "locked and the ALPR coordinator must unlock it")
                  : Status::PermissionDenied("the current password is wrong");
  }
  if (Status st = CheckNewPassword(next, options_.password_rules, banned_, who.username); !st.ok()) {
    e.detail = "new password refused: " + st.message();
    return Denied(Record(who, e), st);
  }
  if (VerifyPassword(hash, next)) {
    e.detail = "new password equals the old one";
    return Denied(Record(who, e), Status::InvalidArgument("the new password must differ from the current one"));
  }
  CUSTODIAN_ASSIGN_OR_RETURN(std::string new_hash, HashPassword(next));
  e.outcome = std::string(kAllowed);
  e.detail = "password changed";
  const int64_t now_ms = ToUnixMillis(options_.clock->Now());
  // Every other session of the account ends: a password changed because it leaked must
  // shut out whoever used it.
  return RecordWith(who, e, [&](Txn& txn) -> Status {
    CUSTODIAN_RETURN_IF_ERROR(
        txn.Query("UPDATE users SET password_hash = ?, password_set_ms = ?, must_change_password = 0 WHERE id = ?",
                  {new_hash, now_ms, who.user_id})
            .status());
    CUSTODIAN_RETURN_IF_ERROR(txn.Query("DELETE FROM failed_logons WHERE user_id = ?", {who.user_id}).status());
    return txn
        .Query("UPDATE sessions SET ended_ms = ?, end_reason = 'password changed in another session' WHERE user_id = ? "
               "AND token_sha <> ? AND ended_ms IS NULL",
               {now_ms, who.user_id, who.token_sha})
        .status();
  });
}

// ---- Gates ----

Status Governance::SignAcknowledgment(const Principal& who, const AcknowledgmentSignature& s) {
  if (who.system || who.user_id == 0) return Status::PermissionDenied("the system account signs nothing");
  LogEvent e = Event(who, "sign_acknowledgment", kDenied);
  for (int i = 0; i < 4; ++i) {
    if (!s.statements[i]) {
      e.detail = "statement " + std::to_string(i + 1) + " not accepted";
      return Denied(Record(who, e), Status::InvalidArgument("every statement of the acknowledgment must be accepted ("
                                                            "statement ",
                                                            i + 1, " was not)"));
    }
  }
  std::string full_name;
  CUSTODIAN_RETURN_IF_ERROR(store_.Transact([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT full_name FROM users WHERE id = ?", {who.user_id}));
    if (!rows.empty()) full_name = AsString(rows[0][0]);
    return Status::Ok();
  }));
  auto fold = [](std::string x) {
    std::string out;
    for (unsigned char c : x) {
      if (!std::isspace(c)) out += char(std::tolower(c));
    }
    return out;
  };
  if (s.typed_name.empty() || fold(s.typed_name) != fold(full_name)) {
    e.detail = "typed name does not match the account";
    return Denied(Record(who, e), Status::InvalidArgument("type your full name as on your account (", full_name, ")"));
  }
  json statements = json::array();
  for (const char* st : kAcknowledgmentStatements) statements.push_back(st);
  const std::string policy_sha = Sha256Hex(options_.policy_text);
  e.outcome = std::string(kAllowed);
  e.detail = "acknowledgment signed (policy text sha256 " + policy_sha.substr(0, 16) + "...)";
  return RecordWith(who, e, [&](Txn& txn) {
    return txn
        .Query("INSERT INTO acknowledgments (user_id, statements, typed_name, policy_sha256, signed_ms) "
               "VALUES (?, ?, ?, ?, ?)",
               {who.user_id, statements.dump(), Clip(s.typed_name), policy_sha, ToUnixMillis(e.at)})
        .status();
  });
}

Status Governance::ApproveAcknowledgment(const Principal& by, const std::string& username, Approval as) {
  const char* action = as == Approval::kSupervisor ? "approve_acknowledgment_supervisor"
                                                   : "approve_acknowledgment_coordinator";
  LogEvent e = Event(by, action, kDenied);
  e.terms = json{{"username", Clip(username)}}.dump();
  if (as == Approval::kCoordinator && by.role != Role::kCoordinator) {
    e.detail = "only the ALPR coordinator gives the coordinator approval";
    return Denied(Record(by, e), Status::PermissionDenied(e.detail));
  }
  CUSTODIAN_RETURN_IF_ERROR(Authorize(by, ops::kApproveAcknowledgments, std::nullopt, e));
  if (by.username == username) {
    e.detail = "a user cannot approve their own acknowledgment";
    return Denied(Record(by, e), Status::PermissionDenied(e.detail));
  }
  e.outcome = std::string(kAllowed);
  e.records = 1;
  e.detail = as == Approval::kSupervisor ? "supervisor approval" : "coordinator approval";
  Status st = RecordWith(by, e, [&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto u, FindUser(txn, username));
    if (!u) return Status::NotFound("no user '", Clip(username), "'");
    if (as == Approval::kSupervisor && !u->info.supervisor.empty() && u->info.supervisor != by.username &&
        by.role != Role::kCoordinator) {
      return Status::PermissionDenied("the supervisor of record (", u->info.supervisor, ") approves this acknowledgment");
    }
    CUSTODIAN_ASSIGN_OR_RETURN(auto ack, txn.Query("SELECT id, supervisor, coordinator FROM acknowledgments WHERE "
                                                   "user_id = ? ORDER BY id DESC LIMIT 1",
                                                   {u->info.id}));
    if (ack.empty()) return Status::InvalidArgument(username, " has not signed the acknowledgment");
    // Two people approve: whoever gave the other approval of this acknowledgment may not
    // give this one too while someone else could (another active coordinator; for the
    // supervisor approval also the supervisor of record).
    const SqlValue& other = ack[0][as == Approval::kSupervisor ? 2 : 1];
    if (!IsNull(other) && AsString(other) == by.username) {
      const bool supervisor = as == Approval::kSupervisor;
      CUSTODIAN_ASSIGN_OR_RETURN(
          auto n, txn.Query(std::string("SELECT COUNT(*) FROM users WHERE state = 'active' AND username <> ? AND "
                                        "username <> ? AND (role = 'coordinator'") +
                                (supervisor ? " OR username = ?)" : ")"),
                            supervisor ? std::vector<SqlValue>{by.username, username, u->info.supervisor}
                                       : std::vector<SqlValue>{by.username, username}));
      if (AsInt(n[0][0]) > 0) {
        return Status::PermissionDenied(by.username, " gave the other approval of this acknowledgment; a second "
                                        "approver gives this one");
      }
    }
    const char* sql = as == Approval::kSupervisor
                          ? "UPDATE acknowledgments SET supervisor = ?, supervisor_ms = ? WHERE id = ?"
                          : "UPDATE acknowledgments SET coordinator = ?, coordinator_ms = ? WHERE id = ?";
    return txn.Query(sql, {by.username, ToUnixMillis(e.at), AsInt(ack[0][0])}).status();
  });
  if (st.code() == StatusCode::kPermissionDenied) {
    e.outcome = std::string(kDenied);
    e.records = 0;
    e.detail = st.message();
    return Denied(Record(by, e), st);
  }
  return st;
}

Status Governance::RecordTraining(const Principal& by, const std::string& username, const std::string& course,
                                  TimePoint completed) {
  LogEvent e = Event(by, "record_training", kDenied);
  e.terms = json{{"username", Clip(username)}, {"course", Clip(course)}}.dump();
  CUSTODIAN_RETURN_IF_ERROR(Authorize(by, ops::kRecordTraining, std::nullopt, e));
  CUSTODIAN_RETURN_IF_ERROR(CheckText("course", course, 200));
  if (completed > options_.clock->Now()) return Status::InvalidArgument("training cannot be completed in the future");
  e.outcome = std::string(kAllowed);
  e.records = 1;
  e.detail = "training completed " + std::to_string(ToUnixMillis(completed));
  return RecordWith(by, e, [&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto u, FindUser(txn, username));
    if (!u) return Status::NotFound("no user '", Clip(username), "'");
    return txn
        .Query("INSERT INTO training_records (user_id, course, completed_ms, recorded_by, recorded_ms) VALUES (?, ?, ?, "
               "?, ?)",
               {u->info.id, course, ToUnixMillis(completed), by.username, ToUnixMillis(e.at)})
        .status();
  });
}

Result<std::vector<TrainingStatus>> Governance::TrainingReport(const Principal& by, std::chrono::days due_within) {
  LogEvent e = Event(by, "training_report", kDenied);
  if (!matrix_.Allows(by.role, ops::kRecordTraining) || by.system) {
    CUSTODIAN_RETURN_IF_ERROR(Authorize(by, ops::kAccessReports, std::nullopt, e));
  } else {
    CUSTODIAN_RETURN_IF_ERROR(Authorize(by, ops::kRecordTraining, std::nullopt, e));
  }
  const TimePoint now = options_.clock->Now();
  std::vector<TrainingStatus> out;
  e.outcome = std::string(kAllowed);
  CUSTODIAN_RETURN_IF_ERROR(LoggedTransact([&](Txn& txn, Heads& heads) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT u.username, u.full_name, MAX(t.completed_ms) FROM users u "
                                                    "LEFT JOIN training_records t ON t.user_id = u.id WHERE u.state "
                                                    "IN ('active', 'locked') GROUP BY u.username, u.full_name "
                                                    "ORDER BY u.username",
                                                    {}));
    for (const auto& r : rows) {
      TrainingStatus s{AsString(r[0]), AsString(r[1]), OptTime(r[2]), std::nullopt, false};
      if (s.completed) s.due = *s.completed + options_.training_valid_for;
      s.lapsed = !s.due || *s.due <= now;
      if (s.lapsed || *s.due <= now + due_within) out.push_back(std::move(s));
    }
    e.records = int64_t(out.size());
    e.detail = "training due within " + std::to_string(due_within.count()) + " days";
    return Append(txn, e, heads);
  }));
  return out;
}

Result<GateReport> Governance::Gates(const Principal& who) {
  GateReport g;
  if (who.system) {
    g.missing.push_back("the system account never reads plate data");
    return g;
  }
  if (who.must_change_password) g.missing.push_back("change your password");
  if (who.must_enrol_totp) g.missing.push_back("enrol multi-factor authentication");
  UserInfo u;
  u.id = who.user_id;
  CUSTODIAN_RETURN_IF_ERROR(store_.ReadOnly([&](Txn& txn) { return LoadGates(txn, u); }));
  if (!u.acknowledgment_signed) g.missing.push_back("sign the ALPR policy acknowledgment");
  if (u.acknowledgment_signed && !u.supervisor_approved) g.missing.push_back("supervisor approval of the acknowledgment");
  if (u.acknowledgment_signed && !u.coordinator_approved) {
    g.missing.push_back("coordinator approval of the acknowledgment");
  }
  if (!u.training_completed || *u.training_completed + options_.training_valid_for <= options_.clock->Now()) {
    g.missing.push_back(u.training_completed ? "annual ALPR training (lapsed)" : "ALPR training");
  }
  return g;
}

// ---- Plate data ----

// The workflow purposes (records_request, accuracy_audit, legal_hold, breach_notice) belong
// to their workflows: a direct search, read or image under one must name a request
// ("RR-<id>"), an audit ("AA-<id>"), a hold's case number or a breach incident ("BI-<id>")
// that exists.
Status Governance::CheckWorkflowCase(const AccessPurpose& why) {
  auto id_of = [&](std::string_view prefix) -> int64_t {
    if (why.case_number.rfind(prefix, 0) != 0) return 0;
    const std::string digits = why.case_number.substr(prefix.size());
    if (digits.empty() || digits.size() > 18 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
      return 0;
    }
    return std::stoll(digits);
  };
  std::string sql;
  SqlValue key;
  if (why.purpose == "records_request") {
    sql = "SELECT 1 FROM records_requests WHERE id = ? AND state IN ('approved', 'fulfilled')";
    key = id_of("RR-");
  } else if (why.purpose == "accuracy_audit") {
    sql = "SELECT 1 FROM accuracy_audits WHERE id = ?";
    key = id_of("AA-");
  } else if (why.purpose == "legal_hold") {
    sql = "SELECT 1 FROM holds WHERE case_number = ? AND released_ms IS NULL";
    key = why.case_number;
  } else if (why.purpose == kBreachNoticePurpose) {
    sql = "SELECT 1 FROM breach_incidents WHERE id = ?";
    key = id_of("BI-");
  } else {
    return Status::Ok();
  }
  bool found = false;
  CUSTODIAN_RETURN_IF_ERROR(store_.ReadOnly([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query(sql, {key}));
    found = !rows.empty();
    return Status::Ok();
  }));
  if (!found) {
    return Status::PermissionDenied("purpose ", why.purpose, " is reserved for its workflow; case '",
                                    Clip(why.case_number), "' names no ",
                                    why.purpose == "records_request"      ? "approved records request"
                                    : why.purpose == "accuracy_audit"     ? "accuracy audit"
                                    : why.purpose == kBreachNoticePurpose ? "breach incident"
                                                                          : "open legal hold");
  }
  return Status::Ok();
}

// CheckWorkflowCase, its refusal logged as `action` with the request's terms.
Status Governance::RefuseWithoutWorkflowCase(const Principal& who, std::string_view action, const AccessPurpose& why,
                                             const std::string& terms_json) {
  Status w = CheckWorkflowCase(why);
  if (w.ok()) return w;
  LogEvent d = Event(who, action, kDenied);
  d.terms = terms_json;
  d.purpose = Clip(why.purpose);
  d.case_number = Clip(why.case_number);
  d.detail = w.message();
  return Denied(Record(who, d), w);
}

Result<store::SearchPage> Governance::SearchReads(const Principal& who, const AccessPurpose& why,
                                                  store::SearchQuery q) {
  json terms = QueryTerms(q);
  LogEvent e = Event(who, ops::kSearchReads, kDenied);
  e.terms = terms.dump();
  e.purpose = Clip(why.purpose);
  e.case_number = Clip(why.case_number);
  auto deny = [&](std::string detail) -> Status {
    e.detail = detail;
    return Denied(Record(who, e), Status::PermissionDenied(detail));
  };
  CUSTODIAN_RETURN_IF_ERROR(RefuseWithoutWorkflowCase(who, ops::kSearchReads, why, e.terms));
  // The classes the role may search; for users of any other agency (whatever their role),
  // what their agency's grants in force allow, grant by grant.
  std::vector<store::DataClass> classes = who.system ? std::vector<store::DataClass>{}
                                                     : matrix_.ClassesFor(who.role, ops::kSearchReads);
  std::optional<SharedScope> grant;
  CUSTODIAN_ASSIGN_OR_RETURN(bool outsider, IsOutsider(who));
  if (outsider) {
    CUSTODIAN_ASSIGN_OR_RETURN(SharedScope g, GrantsInForce(store_, who.agency_code, options_.clock->Now()));
    std::erase_if(classes, [&](store::DataClass c) { return !g.classes.count(c); });
    if (classes.empty()) return deny("no sharing grant in force for agency " + who.agency_code);
    std::erase_if(g.scopes, [&](const store::AccessScope& s) {
      return std::find(classes.begin(), classes.end(), s.data_class) == classes.end();
    });
    grant = g;
  }
  if (q.data_class && std::find(classes.begin(), classes.end(), *q.data_class) == classes.end()) {
    // Authorize logs the refusal for this class.
    CUSTODIAN_RETURN_IF_ERROR(AuthorizePlateData(who, ops::kSearchReads, why, q.data_class, e.terms));
    return deny("data class " + std::string(store::DataClassName(*q.data_class)) + " is not shared with agency " +
                who.agency_code);
  }
  if (!q.data_class && classes.size() == 1) q.data_class = classes[0];
  CUSTODIAN_RETURN_IF_ERROR(AuthorizePlateData(
      who, ops::kSearchReads, why, q.data_class ? q.data_class : (classes.empty() ? std::nullopt : std::optional(classes[0])),
      e.terms));
  if (grant) {
    for (const auto& c : q.camera_ids) {
      if (!grant->SharesCamera(c)) return deny("camera " + Clip(c) + " is not shared with agency " + who.agency_code);
    }
    q.scopes = grant->scopes;  // one grant must cover both a read's class and its camera
  }
  auto page = store_.Search(q);
  if (!page.ok()) {
    e.outcome = std::string(kFailed);
    e.detail = page.status().message();
    (void)Record(who, e);
    return page.status();
  }
  e.outcome = std::string(kAllowed);
  e.records = int64_t(page->reads.size());
  e.detail.clear();
  if (Status st = Record(who, e); !st.ok()) {
    return Status::Unavailable("the access log cannot be written (", st.message(), "); no results were released");
  }
  return page;
}

Result<store::StoredRead> Governance::GetRead(const Principal& who, const AccessPurpose& why, int64_t read_id) {
  json terms = {{"read_id", read_id}};
  CUSTODIAN_RETURN_IF_ERROR(RefuseWithoutWorkflowCase(who, actions::kViewRead, why, terms.dump()));
  auto read = store_.GetRead(read_id);
  std::optional<store::DataClass> cls;
  if (read.ok()) cls = read->data_class;
  CUSTODIAN_RETURN_IF_ERROR(AuthorizePlateData(who, ops::kSearchReads, why,
                                               cls.value_or(store::DataClass::kPublicSafety), terms.dump()));
  LogEvent e = Event(who, actions::kViewRead, kDenied);
  e.terms = terms.dump();
  e.purpose = why.purpose;
  e.case_number = why.case_number;
  if (!read.ok()) {
    e.outcome = std::string(kFailed);
    e.detail = read.status().message();
    (void)Record(who, e);
    return read.status();
  }
  CUSTODIAN_ASSIGN_OR_RETURN(bool outsider, IsOutsider(who));
  if (outsider) {
    CUSTODIAN_ASSIGN_OR_RETURN(SharedScope g, GrantsInForce(store_, who.agency_code, options_.clock->Now()));
    if (!g.Covers(read->data_class, read->camera_id)) {
      e.detail = "read " + std::to_string(read_id) + " is not shared with agency " + who.agency_code;
      return Denied(Record(who, e), Status::PermissionDenied(e.detail));
    }
  }
  e.outcome = std::string(kAllowed);
  e.records = 1;
  e.terms = json{{"read_id", read_id}, {"plate", read->plate}}.dump();
  if (Status st = Record(who, e); !st.ok()) return NothingReleased(st);
  return read;
}

Result<std::vector<uint8_t>> Governance::GetReadImage(const Principal& who, const AccessPurpose& why, int64_t read_id,
                                                      bool frame) {
  json terms = {{"read_id", read_id}, {"image", frame ? "frame" : "crop"}};
  CUSTODIAN_RETURN_IF_ERROR(RefuseWithoutWorkflowCase(who, ops::kViewImages, why, terms.dump()));
  auto read = store_.GetRead(read_id);
  CUSTODIAN_RETURN_IF_ERROR(AuthorizePlateData(
      who, ops::kViewImages, why, read.ok() ? read->data_class : store::DataClass::kPublicSafety, terms.dump()));
  LogEvent e = Event(who, ops::kViewImages, kFailed);
  e.terms = terms.dump();
  e.purpose = why.purpose;
  e.case_number = why.case_number;
  if (!read.ok()) {
    e.detail = read.status().message();
    (void)Record(who, e);
    return read.status();
  }
  CUSTODIAN_ASSIGN_OR_RETURN(bool outsider, IsOutsider(who));
  if (outsider) {
    CUSTODIAN_ASSIGN_OR_RETURN(SharedScope g, GrantsInForce(store_, who.agency_code, options_.clock->Now()));
    if (!g.Covers(read->data_class, read->camera_id)) {
      e.outcome = std::string(kDenied);
      e.detail = "read " + std::to_string(read_id) + " is not shared with agency " + who.agency_code;
      return Denied(Record(who, e), Status::PermissionDenied(e.detail));
    }
  }
  const std::string& sha = frame ? read->frame_sha256 : read->plate_crop_sha256;
  if (sha.empty()) {
    e.detail = std::string("read has no ") + (frame ? "frame" : "plate crop");
    (void)Record(who, e);
    return Status::NotFound("read ", read_id, " has no ", frame ? "full frame" : "plate crop");
  }
  auto bytes = store_.GetImage(sha);
  if (!bytes.ok()) {
    e.detail = bytes.status().message();
    (void)Record(who, e);
    return bytes.status();
  }
  e.outcome = std::string(kAllowed);
  e.records = 1;
  e.terms = json{{"read_id", read_id}, {"plate", read->plate}, {"image", frame ? "frame" : "crop"}}.dump();
  if (Status st = Record(who, e); !st.ok()) return NothingReleased(st);
  return bytes;
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
