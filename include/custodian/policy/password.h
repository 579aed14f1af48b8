// Passwords (policy 5.C, the CJIS password rules): the rules a new password must meet, the list of common and
// breached passwords that are refused, and Argon2id hashing. Pure logic; no database here.
//
// Basic usage:
//   CUSTODIAN_ASSIGN_OR_RETURN(auto banned,
//                              policy::BannedPasswords::Load("policy/banned-passwords.txt"));
//   CUSTODIAN_RETURN_IF_ERROR(policy::CheckNewPassword(pw, {}, banned, username));
//   CUSTODIAN_ASSIGN_OR_RETURN(std::string hash, policy::HashPassword(pw));
//   ...
//   if (!policy::VerifyPassword(hash, typed)) return Status::PermissionDenied("...");
//
// The rules follow NIST SP 800-63B: a minimum length, a generous maximum, any printable
// character (spaces and Unicode included), no composition rules ("one digit, one symbol"),
// and a blocklist of known passwords.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_set>

#include "custodian/core/status.h"

namespace custodian::policy {

struct PasswordRules {
  // Fewest characters (Unicode code points, not bytes) a new password may have. Default: 8.
  size_t min_length = 8;
  // Most characters (code points) a new password may have. Default: 128.
  size_t max_length = 128;
};

// The passwords an agency refuses outright: common and breached ones.
// Immutable after Load; thread-safe to share. A default-constructed list is empty.
class BannedPasswords {
 public:
  BannedPasswords() = default;

  // Reads a text file with one password per line. Each line is trimmed of surrounding
  // spaces, tabs and CR; empty lines and lines whose first character is '#' are skipped.
  // Entries are compared case-insensitively (ASCII letters).
  // kNotFound when the file does not exist; kUnavailable when it cannot be read;
  // kInvalidArgument when it holds no entries (an empty or truncated file would silently
  // turn the check off).
  static Result<BannedPasswords> Load(const std::filesystem::path& path);

  // Parses the same format from memory (e.g. a list built into the binary). `source` names
  // the text in error messages. kInvalidArgument when it holds no entries.
  static Result<BannedPasswords> Parse(std::string_view text, std::string_view source);

  // Whether `password`, trimmed and folded to lower case, is on the list.
  bool Contains(std::string_view password) const;

  // How many distinct entries the list holds.
  size_t size() const { return entries_.size(); }

 private:
  std::unordered_set<std::string> entries_;  // trimmed, ASCII lower case
};

// Checks a password a user is choosing (not one being typed to log in).
// OK when the password has min_length..max_length characters, every character is printable
// (ASCII 0x20-0x7E, or a well-formed UTF-8 sequence for a code point that is not a control
// character), it is not on `banned`, and it is not the username (ignoring case and
// surrounding spaces). Otherwise kInvalidArgument with a message a user can act on; the
// message never contains the password.
Status CheckNewPassword(std::string_view password, const PasswordRules& rules,
                        const BannedPasswords& banned, std::string_view username);

// Hashes a password with Argon2id (libsodium crypto_pwhash_str_alg, interactive limits, a
// random salt per call). Returns the self-describing "$argon2id$..." string to store.
// kInternal when libsodium cannot initialise or runs out of memory.
Result<std::string> HashPassword(std::string_view password);

// Whether `password` matches `hash` (a string from HashPassword). False for a wrong password,
// a malformed hash, or when libsodium cannot initialise. Takes the time of one Argon2id hash.
// Waits for one of PasswordHashLimit() slots (two per core): a flood of logons queues
// instead of running hundreds of 64 MiB hashes at once.
bool VerifyPassword(std::string_view hash, std::string_view password);

// How many Argon2id runs may go at once, and the most that have (for tests and metrics).
int PasswordHashLimit();
int PasswordHashPeak();

}  // namespace custodian::policy
