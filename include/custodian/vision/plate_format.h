// Country profiles for plate text, kept as data (models/plate_formats.json).
//
// A format is a string over the alphabet L (letter), N (digit), A (either):
// "LLLNLNN" is a Mercosul plate. A profile lists its formats, whether only those are
// accepted (strict), and the confusable characters that may be swapped to make a
// reading fit a format (e.g. 'O' read where a digit must be becomes '0').
//
// Basic usage:
//   auto book = FormatBook::Load("models/plate_formats.json");
//   auto fit = book->Fit("br", "ABC1Z34");   // -> text "ABC1234"? no: Mercosul "ABC1Z34" fits as is
#pragma once

#include <map>
#include <string>
#include <array>
#include <vector>

#include "custodian/core/status.h"

namespace custodian::vision {

struct CountryProfile {
  std::string name;                  // "us", "eu", "br"
  std::vector<std::string> formats;  // over L, N, A
  bool strict = false;               // readings that fit no format are dropped
  float unfit_weight = 0.85f;        // lenient profiles: score factor of a reading fitting no format
  int min_length = 4;
  int max_length = 8;
  // Score factor per occurrence of a character, for characters the profile's plates rarely
  // use where a look-alike is common (US: letter O against digit 0). Default: none (1).
  std::array<float, 128> char_weight = [] {
    std::array<float, 128> w{};
    w.fill(1.f);
    return w;
  }();
};

// The result of fitting a reading to a profile.
struct FormatFit {
  bool fits = false;
  std::string text;    // the reading after confusable-character correction
  std::string format;  // the format it fits, or ""
  int corrections = 0; // characters changed
};

// Immutable after Load; thread-safe.
class FormatBook {
 public:
  // Parses the JSON file. kNotFound if missing, kInvalidArgument if malformed.
  static Result<FormatBook> Load(const std::string& path);
  static Result<FormatBook> Parse(const std::string& json_text);

  // Profiles to try for a country option: one for "us"/"eu"/"br", all for "auto".
  // kInvalidArgument for an unknown country.
  Result<std::vector<const CountryProfile*>> ProfilesFor(const std::string& country) const;

  // Tries to fit `text` to any format of `profile`, swapping confusable characters
  // where the format demands a letter or a digit. Prefers the fit with fewest changes.
  FormatFit Fit(const CountryProfile& profile, const std::string& text) const;

  const std::vector<CountryProfile>& profiles() const { return profiles_; }

 private:
  std::vector<CountryProfile> profiles_;
  std::map<char, char> to_digit_;   // 'O' -> '0', ...
  std::map<char, char> to_letter_;  // '0' -> 'O', ...
};

}  // namespace custodian::vision
