// TLS set-up for the server. Internal.
#pragma once

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cstring>
#include <filesystem>
#include <functional>
#include <string>

namespace custodian::server {

struct TlsFiles {
  std::filesystem::path cert;
  std::filesystem::path key;
  std::filesystem::path client_ca;  // optional
};

// Configures `ctx`: TLS 1.2 minimum, forward-secret AEAD suites, no compression or
// renegotiation, the certificate and key (checked to match), and optional client
// certificates. False with `error` set on failure.
bool SetUpServerContext(SSL_CTX& ctx, const TlsFiles& files, std::string* error);

}  // namespace custodian::server
