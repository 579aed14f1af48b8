// Governance: construction, the system principal, log events and the home agency. The
// rest is in governance_*.cc by concern (see governance_internal.h).
#include "policy/governance_internal.h"

#include <sodium.h>

#include "custodian/store/evidence.h"

namespace custodian::policy {

using store::Txn;
using namespace governance_internal;

Status governance_internal::CheckText(std::string_view what, const std::string& s, size_t max) {
  if (s.empty() || s.size() > max) return Status::InvalidArgument(what, " must have 1..", max, " characters");
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return Status::InvalidArgument(what, " contains a control character");
  }
  return Status::Ok();
}

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

Result<std::string> Governance::HomeAgency() {
  {
    std::lock_guard lock(home_mu_);
    if (!home_agency_.empty()) return home_agency_;
  }
  std::string code;
  CUSTODIAN_RETURN_IF_ERROR(store_.ReadOnly([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(code, HomeAgencyCode(txn));
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

}  // namespace custodian::policy
