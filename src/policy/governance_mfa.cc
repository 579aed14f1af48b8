// Governance: multi-factor authentication: the seal key and sealed secrets at rest, and
// enrolment.
#include "policy/governance_internal.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace custodian::policy {

using store::Txn;
using namespace governance_internal;
using internal::Hex;

Result<std::vector<unsigned char>> governance_internal::LoadOrCreateSealKey(const std::filesystem::path& file) {
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


std::vector<unsigned char> Governance::Impl::LegacyKey(const LogSigner& signer) {
  std::vector<unsigned char> k(crypto_secretbox_KEYBYTES);
  const std::string context = "custodian-totp-seal-v1:" + signer.SignHex("custodian-totp-seal-v1");
  crypto_generichash(k.data(), k.size(), reinterpret_cast<const unsigned char*>(context.data()), context.size(),
                     nullptr, 0);
  return k;
}

std::string Governance::Impl::Seal(const std::vector<unsigned char>& key, const std::string& plain) {
  std::vector<unsigned char> out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plain.size());
  randombytes_buf(out.data(), crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(out.data() + crypto_secretbox_NONCEBYTES, reinterpret_cast<const unsigned char*>(plain.data()),
                        plain.size(), out.data(), key.data());
  return Hex(out.data(), out.size());
}

Result<Governance::Impl::Opened> Governance::Impl::Open(const std::vector<unsigned char>& key, const LogSigner& signer,
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

Result<TotpEnrolment> Governance::BeginTotpEnrolment(const Principal& who) {
  if (who.system || who.user_id == 0) return Status::PermissionDenied("the system account has no MFA");
  if (!who.must_enrol_totp) {
    LogEvent e = Event(who, "enrol_mfa", kDenied);
    return LogOutcome(*this, who, e,
                      Outcome::Refused(Status::PermissionDenied("MFA already enrolled; the coordinator resets it")));
  }
  auto secret = NewTotpSecret();
  TotpEnrolment out{Base32Encode(secret), ""};
  out.uri = TotpUri("Custodian ALPR", who.username, secret, options_.totp);
  const std::string sealed = "pending:" + Impl::Seal(seal_key_, out.secret_base32);
  LogEvent e = Event(who, "enrol_mfa_begin", kAllowed);
  CUSTODIAN_RETURN_IF_ERROR(RecordWith(who, e, [&](Txn& txn) { return SetTotpSecret(txn, who.user_id, sealed); }));
  return out;
}

Status Governance::ConfirmTotpEnrolment(const Principal& who, const std::string& code) {
  if (who.system || who.user_id == 0) return Status::PermissionDenied("the system account has no MFA");
  std::string pending;
  CUSTODIAN_RETURN_IF_ERROR(store_.Transact([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(pending, TotpSecretOf(txn, who.user_id));
    return Status::Ok();
  }));
  LogEvent e = Event(who, "enrol_mfa", kDenied);
  if (pending.rfind("pending:", 0) != 0) {
    return LogOutcome(*this, who, e, Outcome::Refused(Status::InvalidArgument("no MFA enrolment in progress")));
  }
  CUSTODIAN_ASSIGN_OR_RETURN(Impl::Opened opened, Impl::Open(seal_key_, signer_, pending.substr(8)));
  CUSTODIAN_ASSIGN_OR_RETURN(auto secret, Base32Decode(opened.plain));
  const std::string sealed = opened.legacy ? Impl::Seal(seal_key_, opened.plain) : pending.substr(8);
  auto step = VerifyTotp(secret, code, options_.clock->Now(), -1, options_.totp);
  if (!step.ok()) {
    return LogOutcome(*this, who, e, Outcome::Refused(step.status()).Detail("enrolment code refused"));
  }
  e.outcome = std::string(kAllowed);
  e.detail = "MFA enrolled";
  return RecordWith(who, e, [&](Txn& txn) { return ConfirmTotpSecret(txn, who.user_id, sealed, *step); });
}

}  // namespace custodian::policy
