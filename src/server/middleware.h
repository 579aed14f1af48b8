// What runs before a handler: the session cookie, the CSRF token, camera API keys and the
// logon rate limit. Internal.
#pragma once

#include <httplib.h>
#include <sodium.h>

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <string>

#include "custodian/core/status.h"
#include "custodian/policy/governance.h"
#include "custodian/server/server.h"
#include "server/request.h"

namespace custodian::server::internal {

inline constexpr const char* kSessionCookie = "custodian_session";

// The value of cookie `name` in the request's Cookie header ("" when absent).
std::string Cookie(const httplib::Request& req, const std::string& name);

// Sets (or, with an empty token and max_age_s 0, clears) the session cookie: Secure,
// HttpOnly, SameSite=Strict.
void SetSessionCookie(httplib::Response& res, const std::string& token, int max_age_s);

// The key of the CSRF tokens, random per server instance: a session's token is the HMAC of
// its token hash under this key (GET /api/v1/me and a logon answer it as csrf_token).
class CsrfKey {
 public:
  CsrfKey() { randombytes_buf(key_, sizeof key_); }
  // The token of the session whose token hash is `token_sha` (40 hex digits).
  std::string For(const std::string& token_sha) const;

 private:
  unsigned char key_[crypto_auth_hmacsha256_KEYBYTES];
};

// Authenticates a request for `route`: "public" needs nothing; "device" a camera's API key
// (Authorization: Bearer ck_...), setting c.device; "session" and "user" the session
// cookie, setting c.token and c.who, and on anything but GET and HEAD the X-CSRF-Token
// header; "user" also a full session (password changed, multi-factor enrolled).
Status Authenticate(const RouteInfo& route, Ctx& c, policy::Governance& gov, const CsrfKey& csrf);

// Per address, logons_per_minute in any minute. Memory stays bounded under a flood from
// many addresses by dropping only addresses with no attempt in the last minute; when
// every tracked address is live, a new address waits (fail closed) rather than any
// address's count being forgotten.
class LogonLimiter {
 public:
  explicit LogonLimiter(int logons_per_minute) : logons_per_minute_(logons_per_minute) {}
  // True (and counted) when `source` may attempt a logon now.
  bool Allowed(const std::string& source);

 private:
  static constexpr size_t kMaxTrackedAddresses = 100'000;
  const int logons_per_minute_;
  std::mutex mu_;
  std::map<std::string, std::deque<std::chrono::steady_clock::time_point>> logons_;
};

}  // namespace custodian::server::internal
