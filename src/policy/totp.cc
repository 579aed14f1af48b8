#include "custodian/policy/totp.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <optional>

namespace custodian::policy {
namespace {

constexpr char kBase32Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

// The 5-bit value of a Base32 character (either case), or -1.
int Base32Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}

// HOTP, or nullopt when OpenSSL's HMAC fails.
std::optional<uint32_t> HotpOrNull(std::span<const uint8_t> secret, uint64_t counter, int digits) {
  std::array<unsigned char, 8> message{};
  for (int i = 7; i >= 0; --i) {
    message[static_cast<size_t>(i)] = static_cast<unsigned char>(counter & 0xFFu);
    counter >>= 8;
  }
  static const unsigned char kEmptyKey = 0;
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_len = 0;
  if (HMAC(EVP_sha1(), secret.empty() ? &kEmptyKey : secret.data(), static_cast<int>(secret.size()),
           message.data(), message.size(), mac.data(), &mac_len) == nullptr ||
      mac_len != 20) {
    return std::nullopt;
  }
  const size_t offset = mac[19] & 0x0Fu;
  const uint32_t binary = (static_cast<uint32_t>(mac[offset] & 0x7Fu) << 24) |
                          (static_cast<uint32_t>(mac[offset + 1]) << 16) |
                          (static_cast<uint32_t>(mac[offset + 2]) << 8) |
                          static_cast<uint32_t>(mac[offset + 3]);
  uint64_t modulus = 1;
  for (int i = 0; i < digits; ++i) modulus *= 10;
  return static_cast<uint32_t>(binary % modulus);
}

// `value` as exactly `digits` decimal digits, zero-padded on the left.
std::string ZeroPadded(uint32_t value, int digits) {
  std::string out(static_cast<size_t>(digits), '0');
  for (int i = digits - 1; i >= 0 && value > 0; --i) {
    out[static_cast<size_t>(i)] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return out;
}

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0Fu]);
    }
  }
  return out;
}

// Floor division, so times before 1970 fall into negative steps rather than step 0.
int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

}  // namespace

std::string Base32Encode(std::span<const uint8_t> data) {
  std::string out;
  out.reserve((data.size() * 8 + 4) / 5);
  uint32_t buffer = 0;
  int bits = 0;
  for (uint8_t byte : data) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kBase32Alphabet[(buffer >> (bits - 5)) & 0x1Fu]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kBase32Alphabet[(buffer << (5 - bits)) & 0x1Fu]);
  return out;
}

Result<std::vector<uint8_t>> Base32Decode(std::string_view text) {
  std::vector<uint8_t> out;
  uint32_t buffer = 0;
  int bits = 0;
  size_t symbols = 0;  // Base32 characters, padding excluded
  size_t padding = 0;
  for (char c : text) {
    if (c == ' ') continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    if (padding > 0) return Status::InvalidArgument("Base32 text has '=' padding before its end");
    const int v = Base32Value(c);
    if (v < 0) {
      return Status::InvalidArgument("Base32 text holds a character outside A-Z and 2-7");
    }
    buffer = (buffer << 5) | static_cast<uint32_t>(v);
    bits += 5;
    ++symbols;
    if (bits >= 8) {
      out.push_back(static_cast<uint8_t>((buffer >> (bits - 8)) & 0xFFu));
      bits -= 8;
    }
  }
  // A final group of 8 symbols carries 5 bytes; 2, 4, 5 or 7 symbols carry 1 to 4 bytes.
  const size_t tail = symbols % 8;
  if (tail == 1 || tail == 3 || tail == 6) {
    return Status::InvalidArgument("Base32 text has a length no encoding produces (", symbols,
                                   " characters)");
  }
  if (padding > 0 && ((symbols + padding) % 8 != 0 || padding >= 8)) {
    return Status::InvalidArgument("Base32 padding does not fill the last group of 8 characters");
  }
  return out;
}

std::vector<uint8_t> NewTotpSecret() {
  if (sodium_init() < 0) {
    std::fputs("custodian: libsodium failed to initialise; cannot make a TOTP secret\n", stderr);
    std::abort();
  }
  std::vector<uint8_t> secret(kTotpSecretBytes);
  randombytes_buf(secret.data(), secret.size());
  return secret;
}

uint32_t Hotp(std::span<const uint8_t> secret, uint64_t counter, int digits) {
  const std::optional<uint32_t> code = HotpOrNull(secret, counter, digits);
  if (!code) {
    std::fputs("custodian: HMAC-SHA1 failed while computing a one-time code\n", stderr);
    std::abort();
  }
  return *code;
}

Result<int64_t> VerifyTotp(std::span<const uint8_t> secret, std::string_view code, TimePoint now,
                           int64_t last_used_step, const TotpOptions& options) {
  if (secret.empty()) return Status::InvalidArgument("TOTP secret is empty");
  if (options.digits < 6 || options.digits > 8) {
    return Status::InvalidArgument("TOTP digits must be 6 to 8, not ", options.digits);
  }
  if (options.period_s <= 0) {
    return Status::InvalidArgument("TOTP period must be positive, not ", options.period_s, "s");
  }
  if (options.window < 0 || options.window > 10) {
    return Status::InvalidArgument("TOTP window must be 0 to 10 steps, not ", options.window);
  }
  bool well_formed = code.size() == static_cast<size_t>(options.digits);
  for (char c : code) well_formed = well_formed && c >= '0' && c <= '9';
  if (!well_formed) {
    return Status::Unauthenticated("the one-time code must be ", options.digits, " digits");
  }

  const int64_t current = FloorDiv(FloorDiv(ToUnixMillis(now), 1000), options.period_s);
  std::optional<int64_t> accepted;
  bool matched_used_step = false;
  // Every step in the window is computed and compared, so timing does not reveal which
  // step (if any) matched.
  for (int64_t step = current - options.window; step <= current + options.window; ++step) {
    if (step < 0) continue;
    const std::optional<uint32_t> expected =
        HotpOrNull(secret, static_cast<uint64_t>(step), options.digits);
    if (!expected) return Status::Internal("HMAC-SHA1 failed while checking a one-time code");
    const std::string want = ZeroPadded(*expected, options.digits);
    if (CRYPTO_memcmp(want.data(), code.data(), want.size()) != 0) continue;
    if (step <= last_used_step) {
      matched_used_step = true;
    } else if (!accepted) {
      accepted = step;
    }
  }
  if (accepted) return *accepted;
  if (matched_used_step) {
    return Status::Unauthenticated(
        "this one-time code was already used; wait for the next code and enter that");
  }
  return Status::Unauthenticated("the one-time code is wrong or has expired");
}

std::string TotpUri(std::string_view issuer, std::string_view account,
                    std::span<const uint8_t> secret, const TotpOptions& options) {
  std::string uri = "otpauth://totp/";
  if (!issuer.empty()) {
    uri += PercentEncode(issuer);
    uri += ':';
  }
  uri += PercentEncode(account);
  uri += "?secret=";
  uri += Base32Encode(secret);
  if (!issuer.empty()) {
    uri += "&issuer=";
    uri += PercentEncode(issuer);
  }
  uri += "&algorithm=SHA1&digits=";
  uri += std::to_string(options.digits);
  uri += "&period=";
  uri += std::to_string(options.period_s);
  return uri;
}

}  // namespace custodian::policy
