// One-time codes for the second login factor (policy 5.C; CJIS: MFA for every user, codes
// of at least 6 digits, single use): HOTP (RFC 4226), TOTP
// (RFC 6238, HMAC-SHA1 as every authenticator app supports), Base32 (RFC 4648) secrets and
// the otpauth:// URI an app scans as a QR code. Pure logic; the caller stores the secret
// and the last step used.
//
// Basic usage:
//   std::vector<uint8_t> secret = policy::NewTotpSecret();           // store it encrypted
//   std::string uri = policy::TotpUri("Custodian (City PD)", "jdoe", secret, {});
//   ...
//   auto step = policy::VerifyTotp(secret, typed_code, clock.Now(), user.last_totp_step, {});
//   if (!step.ok()) return step.status();      // wrong, malformed, or already used
//   user.last_totp_step = *step;               // persist before answering: one use per code
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "custodian/core/clock.h"
#include "custodian/core/status.h"

namespace custodian::policy {

// Bytes in a secret from NewTotpSecret (160 bits, the HMAC-SHA1 block RFC 4226 recommends).
inline constexpr size_t kTotpSecretBytes = 20;

// RFC 4648 Base32 with the upper-case alphabet and no '=' padding.
std::string Base32Encode(std::span<const uint8_t> data);

// Decodes RFC 4648 Base32. Accepts lower case, trailing '=' padding, and spaces anywhere
// (apps show secrets in groups of four). kInvalidArgument for any other character, padding
// that is not at the end, or a length no encoding can produce.
Result<std::vector<uint8_t>> Base32Decode(std::string_view text);

// kTotpSecretBytes random bytes from libsodium's CSPRNG.
// Aborts the process if libsodium cannot initialise (there is no safe fallback secret).
std::vector<uint8_t> NewTotpSecret();

// RFC 4226 HOTP: HMAC-SHA1(secret, counter as 8 big-endian bytes), dynamic truncation,
// modulo 10^digits. The caller zero-pads to `digits` when showing it.
// REQUIRES: 1 <= digits <= 9 (RFC 4226 allows 6 to 8). Aborts if OpenSSL's HMAC fails,
// which happens only when memory runs out.
uint32_t Hotp(std::span<const uint8_t> secret, uint64_t counter, int digits = 6);

struct TotpOptions {
  // Digits in a code. Default: 6 (what authenticator apps show). Allowed: 6 to 8.
  int digits = 6;
  // Seconds per time step. Default: 30. Must be positive.
  int period_s = 30;
  // Steps accepted either side of the current one, for clock skew. Default: 1 (so a code
  // is good for about 90 seconds). Allowed: 0 to 10.
  int window = 1;
};

// Checks a TOTP code typed at time `now`. On success returns the time step (Unix seconds /
// period_s) whose code matched; the caller must store it as the new `last_used_step`, so
// each code is accepted once. Use -1 for a user who has never used a code.
// kUnauthenticated when the code is not exactly `digits` ASCII digits, does not match any
// step within the window, or matches only steps <= last_used_step (the message then says
// the code was already used). kInvalidArgument for an empty secret or options outside the
// allowed ranges; kInternal if HMAC fails. The comparison takes constant time.
Result<int64_t> VerifyTotp(std::span<const uint8_t> secret, std::string_view code, TimePoint now,
                           int64_t last_used_step, const TotpOptions& options);

// The Key URI an authenticator app reads from a QR code:
// otpauth://totp/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER&algorithm=SHA1&digits=D&period=P
// Issuer and account are percent-encoded (everything but RFC 3986 unreserved characters).
// With an empty issuer the label is the account alone and no issuer parameter is written.
std::string TotpUri(std::string_view issuer, std::string_view account,
                    std::span<const uint8_t> secret, const TotpOptions& options);

}  // namespace custodian::policy
