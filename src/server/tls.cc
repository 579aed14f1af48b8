// TLS: a self-signed certificate for the embedded default, fingerprints, and the server's
// SSL_CTX (TLS 1.2 and 1.3 only, forward-secret AEAD ciphers).
#include "server/tls.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "custodian/server/server.h"

namespace custodian::server {
namespace {

namespace fs = std::filesystem;

std::string OpensslError() {
  char buf[256];
  unsigned long e = ERR_get_error();
  if (e == 0) return "unknown OpenSSL error";
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

template <typename T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;

Status WritePem(const fs::path& path, mode_t mode, const std::function<int(FILE*)>& write) {
  std::error_code ec;
  if (!path.parent_path().empty()) fs::create_directories(path.parent_path(), ec);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Status::Unavailable("create ", path.string(), ": ", std::strerror(errno));
  FILE* f = ::fdopen(fd, "w");
  if (!f) {
    ::close(fd);
    return Status::Unavailable("open ", path.string());
  }
  int ok = write(f);
  bool flushed = std::fflush(f) == 0 && ::fsync(fd) == 0;
  std::fclose(f);
  if (!ok || !flushed) return Status::Unavailable("write ", path.string(), ": ", OpensslError());
  return Status::Ok();
}

}  // namespace

Result<std::string> CertificateFingerprint(const fs::path& cert_file) {
  FILE* f = std::fopen(cert_file.c_str(), "r");
  if (!f) return Status::NotFound("certificate ", cert_file.string(), " cannot be read");
  X509Ptr cert(PEM_read_X509(f, nullptr, nullptr, nullptr));
  std::fclose(f);
  if (!cert) return Status::InvalidArgument("certificate ", cert_file.string(), " is not PEM: ", OpensslError());
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (!X509_digest(cert.get(), EVP_sha256(), md, &n)) return Status::Internal("X509_digest: ", OpensslError());
  std::string out;
  char hex[4];
  for (unsigned int i = 0; i < n; ++i) {
    std::snprintf(hex, sizeof hex, i ? ":%02X" : "%02X", md[i]);
    out += hex;
  }
  return out;
}

Result<std::string> EnsureSelfSignedCertificate(const fs::path& cert_file, const fs::path& key_file,
                                                const std::vector<std::string>& extra_names) {
  std::error_code ec;
  if (fs::exists(cert_file, ec) && fs::exists(key_file, ec)) return CertificateFingerprint(cert_file);
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return Status::Internal("EC key generation: ", OpensslError());
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 825L * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("Custodian ALPR"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  std::string san = "DNS:localhost,IP:127.0.0.1,IP:::1";
  for (const auto& n : extra_names) san += (n.find_first_not_of("0123456789.:") == std::string::npos ? ",IP:" : ",DNS:") + n;
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert.get(), cert.get(), nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_subject_alt_name, san}, std::pair{NID_basic_constraints, std::string("critical,CA:FALSE")},
                            std::pair{NID_key_usage, std::string("critical,digitalSignature")},
                            std::pair{NID_ext_key_usage, std::string("serverAuth")}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value.c_str());
    if (!ext) return Status::Internal("certificate extension: ", OpensslError());
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (!X509_sign(cert.get(), key.get(), EVP_sha256())) return Status::Internal("X509_sign: ", OpensslError());
  CUSTODIAN_RETURN_IF_ERROR(WritePem(key_file, 0600, [&](FILE* f) {
    return PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  }));
  CUSTODIAN_RETURN_IF_ERROR(WritePem(cert_file, 0644, [&](FILE* f) { return PEM_write_X509(f, cert.get()); }));
  return CertificateFingerprint(cert_file);
}

bool SetUpServerContext(SSL_CTX& ctx, const TlsFiles& files, std::string* error) {
  auto fail = [&](const std::string& what) {
    if (error) *error = what + ": " + OpensslError();
    return false;
  };
  // TLS 1.2 and 1.3 only; 1.0 and 1.1 handshakes are refused.
  if (!SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION)) return fail("minimum TLS version");
  // TLS 1.2: forward-secret AEAD suites only (TLS 1.3's defaults are all AEAD).
  if (!SSL_CTX_set_cipher_list(&ctx, "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                                     "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                                     "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305")) {
    return fail("cipher list");
  }
  SSL_CTX_set_options(&ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                                SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION);
  if (SSL_CTX_use_certificate_chain_file(&ctx, files.cert.c_str()) != 1) return fail("certificate " + files.cert.string());
  if (SSL_CTX_use_PrivateKey_file(&ctx, files.key.c_str(), SSL_FILETYPE_PEM) != 1) {
    return fail("private key " + files.key.string());
  }
  if (SSL_CTX_check_private_key(&ctx) != 1) return fail("the private key does not match the certificate");
  if (!files.client_ca.empty()) {
    if (SSL_CTX_load_verify_locations(&ctx, files.client_ca.c_str(), nullptr) != 1) {
      return fail("client CA " + files.client_ca.string());
    }
    // Optional client certificates: a camera may present one; people never need one.
    SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER, nullptr);
  }
  return true;
}

}  // namespace custodian::server
