// What runs before a handler: the session cookie, the CSRF token, camera API keys and the
// logon rate limit.
#include "server/middleware.h"

#include "custodian/policy/api_keys.h"

namespace custodian::server::internal {

std::string Cookie(const httplib::Request& req, const std::string& name) {
  const std::string header = req.get_header_value("Cookie");
  size_t pos = 0;
  while (pos < header.size()) {
    size_t end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    std::string part = header.substr(pos, end - pos);
    size_t s = part.find_first_not_of(' ');
    if (s != std::string::npos) part = part.substr(s);
    if (part.rfind(name + "=", 0) == 0) return part.substr(name.size() + 1);
    pos = end + 1;
  }
  return "";
}

void SetSessionCookie(httplib::Response& res, const std::string& token, int max_age_s) {
  res.set_header("Set-Cookie", std::string(kSessionCookie) + "=" + token + "; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=" +
                                   std::to_string(max_age_s));
}

std::string CsrfKey::For(const std::string& token_sha) const {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256(mac, reinterpret_cast<const unsigned char*>(token_sha.data()), token_sha.size(), key_);
  std::string out(sizeof mac * 2, '0');
  sodium_bin2hex(out.data(), out.size() + 1, mac, sizeof mac);
  return out.substr(0, 40);
}

Status Authenticate(const RouteInfo& route, Ctx& c, policy::Governance& gov, const CsrfKey& csrf) {
  const std::string& auth = route.auth;
  if (auth == "public") return Status::Ok();
  if (auth == "device") {
    const std::string h = c.req.get_header_value("Authorization");
    if (h.rfind("Bearer ", 0) != 0) return Status::Unauthenticated("an API key is required (Authorization: Bearer ck_...)");
    CUSTODIAN_ASSIGN_OR_RETURN(c.device, policy::AuthenticateDevice(gov, h.substr(7), SourceOf(c.req)));
    return Status::Ok();
  }
  c.token = Cookie(c.req, kSessionCookie);
  if (c.token.empty() || c.token.size() > 128) return Status::Unauthenticated("log on first");
  CUSTODIAN_ASSIGN_OR_RETURN(c.who, gov.Authenticate(c.token, SourceOf(c.req)));
  if (c.req.method != "GET" && c.req.method != "HEAD") {
    const std::string sent = c.req.get_header_value("X-CSRF-Token");
    const std::string want = csrf.For(c.who.token_sha);
    if (sent.size() != want.size() || sodium_memcmp(sent.data(), want.data(), want.size()) != 0) {
      return Status::PermissionDenied("missing or wrong X-CSRF-Token header");
    }
  }
  if (auth == "user" && (c.who.must_change_password || c.who.must_enrol_totp)) {
    return Status::PermissionDenied(c.who.must_enrol_totp ? "enrol multi-factor authentication first"
                                                          : "change your password first");
  }
  return Status::Ok();
}

bool LogonLimiter::Allowed(const std::string& source) {
  std::lock_guard lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  auto stale = [&](const std::deque<std::chrono::steady_clock::time_point>& q) {
    return q.empty() || now - q.back() > std::chrono::minutes(1);
  };
  if (!logons_.count(source) && logons_.size() >= kMaxTrackedAddresses) {
    std::erase_if(logons_, [&](const auto& kv) { return stale(kv.second); });
    if (logons_.size() >= kMaxTrackedAddresses) return false;
  }
  auto& q = logons_[source];
  while (!q.empty() && now - q.front() > std::chrono::minutes(1)) q.pop_front();
  if (int(q.size()) >= logons_per_minute_) return false;
  q.push_back(now);
  return true;
}

}  // namespace custodian::server::internal
