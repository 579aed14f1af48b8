#include "custodian/store/plate_key.h"

#include <algorithm>

#include "custodian/store/types.h"

namespace custodian::store {
namespace {

bool IsAlnum(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
char Upper(char c) { return (c >= 'a' && c <= 'z') ? char(c - 'a' + 'A') : c; }

// The representatives of every confusion class and every other character a key holds.
constexpr std::string_view kKeyAlphabet = "0123456789ACEFHJKMNPRTUVWXY";

}  // namespace

Result<std::string> NormalisePlate(std::string_view raw) {
  if (raw.size() > kMaxRawPlateLength) {
    return Status::InvalidArgument("plate is ", raw.size(), " bytes; the limit is ", kMaxRawPlateLength);
  }
  if (raw.find('\0') != std::string_view::npos) return Status::InvalidArgument("plate holds a NUL byte");
  std::string out;
  for (char c : raw) {
    if (IsAlnum(c)) out.push_back(Upper(c));
  }
  if (out.empty()) return Status::InvalidArgument("plate has no letter or digit");
  if (out.size() > kMaxPlateLength) {
    return Status::InvalidArgument("plate has ", out.size(), " characters; the limit is ", kMaxPlateLength);
  }
  return out;
}

Result<std::string> NormaliseSearchTerm(std::string_view term, bool allow_wildcards) {
  if (term.size() > kMaxRawPlateLength) {
    return Status::InvalidArgument("search term is ", term.size(), " bytes; the limit is ", kMaxRawPlateLength);
  }
  std::string out;
  for (char c : term) {
    if (IsAlnum(c)) {
      out.push_back(Upper(c));
    } else if (c == ' ' || c == '-') {
      continue;
    } else if (allow_wildcards && (c == '*' || c == '?')) {
      if (c == '*' && !out.empty() && out.back() == '*') continue;  // "**" is "*"
      out.push_back(c);
    } else {
      return Status::InvalidArgument("search term holds a character that is not a letter, digit",
                                     allow_wildcards ? ", '*' or '?'" : "", " (byte ", int(static_cast<unsigned char>(c)),
                                     ")");
    }
  }
  if (out.empty()) return Status::InvalidArgument("search term is empty");
  if (out.size() > kMaxPlateLength) return Status::InvalidArgument("search term is longer than a plate can be");
  return out;
}

std::string ConfusionKey(std::string_view normalised) {
  std::string key(normalised);
  for (char& c : key) {
    switch (c) {
      case 'O': case 'D': case 'Q': c = '0'; break;
      case 'I': case 'L': c = '1'; break;
      case 'B': c = '8'; break;
      case 'S': c = '5'; break;
      case 'Z': c = '2'; break;
      case 'G': c = '6'; break;
      default: break;
    }
  }
  return key;
}

std::vector<std::string> ConfusionKeysWithinOneEdit(std::string_view key) {
  std::vector<std::string> out;
  std::string k(key);
  out.push_back(k);
  for (size_t i = 0; i < k.size(); ++i) {
    std::string del = k.substr(0, i) + k.substr(i + 1);
    if (!del.empty()) out.push_back(del);
    for (char c : kKeyAlphabet) {
      if (c == k[i]) continue;
      std::string sub = k;
      sub[i] = c;
      out.push_back(std::move(sub));
    }
  }
  if (k.size() < kMaxPlateLength) {
    for (size_t i = 0; i <= k.size(); ++i) {
      for (char c : kKeyAlphabet) out.push_back(k.substr(0, i) + c + k.substr(i));
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string Reversed(std::string_view s) { return std::string(s.rbegin(), s.rend()); }

std::set<std::string> Trigrams(std::string_view plate) {
  std::set<std::string> grams;
  for (size_t i = 0; i + 3 <= plate.size(); ++i) grams.emplace(plate.substr(i, 3));
  return grams;
}

std::string PrefixEnd(std::string_view prefix) {
  // Every plate character sorts below '~' bytewise, so prefix + '~' bounds the range.
  return std::string(prefix) + '~';
}

}  // namespace custodian::store
