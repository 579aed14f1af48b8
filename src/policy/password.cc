#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>
#include "custodian/policy/password.h"

#include <sodium.h>

#include <fstream>
#include <sstream>
#include <optional>
#include <system_error>

namespace custodian::policy {
namespace {

// sodium_init is idempotent and thread-safe; this runs it once and remembers the outcome.
bool SodiumReady() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

std::string_view Trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n\v\f";
  const size_t first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  const size_t last = s.find_last_not_of(kSpace);
  return s.substr(first, last - first + 1);
}

// Trimmed, with ASCII letters folded to lower case (other bytes kept as they are).
std::string Fold(std::string_view s) {
  std::string out(Trim(s));
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Counts the code points of `s`, or nullopt when a byte sequence is not well-formed UTF-8
// (overlong forms, surrogates and values past U+10FFFF included) or a code point is a
// control character (C0, DEL, C1).
std::optional<size_t> CountPrintableCodePoints(std::string_view s) {
  size_t count = 0;
  size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    uint32_t cp = 0;
    size_t len = 0;
    if (b0 < 0x80) {
      cp = b0;
      len = 1;
    } else if (b0 >= 0xC2 && b0 <= 0xDF) {
      cp = b0 & 0x1Fu;
      len = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      cp = b0 & 0x0Fu;
      len = 3;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      cp = b0 & 0x07u;
      len = 4;
    } else {
      return std::nullopt;  // a continuation byte first, an overlong 2-byte lead, or 0xF5+
    }
    if (i + len > s.size()) return std::nullopt;
    for (size_t k = 1; k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0u) != 0x80u) return std::nullopt;
      cp = (cp << 6) | (b & 0x3Fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return std::nullopt;  // overlong
    if (cp >= 0xD800 && cp <= 0xDFFF) return std::nullopt;                            // surrogate
    if (cp > 0x10FFFF) return std::nullopt;
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) return std::nullopt;  // control characters
    ++count;
    i += len;
  }
  return count;
}

}  // namespace

Result<BannedPasswords> BannedPasswords::Load(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return Status::NotFound("banned-password list ", path.string(), " does not exist");
  }
  if (std::filesystem::is_directory(path, ec)) {
    return Status::Unavailable("banned-password list ", path.string(), " is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Unavailable("cannot open banned-password list ", path.string());
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::Unavailable("cannot read banned-password list ", path.string());
  return Parse(text.str(), path.string());
}

Result<BannedPasswords> BannedPasswords::Parse(std::string_view text, std::string_view source) {
  BannedPasswords list;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view entry = Trim(text.substr(start, end - start));
    start = end + 1;
    if (entry.empty() || entry.front() == '#') continue;
    list.entries_.insert(Fold(entry));
  }
  if (list.entries_.empty()) {
    return Status::InvalidArgument("banned-password list ", source,
                                   " holds no passwords; refusing to run without one");
  }
  return list;
}

bool BannedPasswords::Contains(std::string_view password) const {
  return entries_.contains(Fold(password));
}

Status CheckNewPassword(std::string_view password, const PasswordRules& rules,
                        const BannedPasswords& banned, std::string_view username) {
  const std::optional<size_t> length = CountPrintableCodePoints(password);
  if (!length) {
    return Status::InvalidArgument(
        "the password contains a control character or invalid text; use letters, digits, "
        "spaces and symbols");
  }
  if (*length < rules.min_length) {
    return Status::InvalidArgument("the password is too short: use at least ", rules.min_length,
                                   " characters");
  }
  if (*length > rules.max_length) {
    return Status::InvalidArgument("the password is too long: use at most ", rules.max_length,
                                   " characters");
  }
  if (!Trim(username).empty() && Fold(password) == Fold(username)) {
    return Status::InvalidArgument("the password must not be the same as the username");
  }
  if (banned.Contains(password)) {
    return Status::InvalidArgument(
        "the password is on the list of common or breached passwords; choose another "
        "(a few unrelated words make a strong one)");
  }
  return Status::Ok();
}

namespace {
// At most this many Argon2id runs at once (each takes 64 MiB): a flood of logons waits
// here instead of exhausting memory. Two per core, at least two.
class HashSlots {
 public:
  static HashSlots& Get() {
    static HashSlots slots(std::max(2u, std::thread::hardware_concurrency() * 2));
    return slots;
  }
  int limit() const { return limit_; }
  int peak() const { return peak_; }
  void Acquire() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return busy_ < limit_; });
    peak_ = std::max(peak_, ++busy_);
  }
  void Release() {
    std::lock_guard lock(mu_);
    --busy_;
    cv_.notify_one();
  }

 private:
  explicit HashSlots(unsigned limit) : limit_(int(limit)) {}
  std::mutex mu_;
  std::condition_variable cv_;
  const int limit_;
  int busy_ = 0, peak_ = 0;
};

struct HashSlot {
  HashSlot() { HashSlots::Get().Acquire(); }
  ~HashSlot() { HashSlots::Get().Release(); }
};
}  // namespace

int PasswordHashLimit() { return HashSlots::Get().limit(); }
int PasswordHashPeak() { return HashSlots::Get().peak(); }

Result<std::string> HashPassword(std::string_view password) {
  if (!SodiumReady()) return Status::Internal("libsodium failed to initialise");
  HashSlot slot;
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::Internal("Argon2id password hashing failed (out of memory?)");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  if (!SodiumReady()) return false;
  // crypto_pwhash_str_verify reads a NUL-terminated string of under crypto_pwhash_STRBYTES.
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES ||
      hash.find('\0') != std::string_view::npos) {
    return false;
  }
  const std::string terminated(hash);
  HashSlot slot;
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

}  // namespace custodian::policy
