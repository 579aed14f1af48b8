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

// A region of a country (a US state): the words printed on its plates, by which the engine
// recognises it (MatchRegion), and its serial formats, by which 0/O and 1/I are settled
// (SettleByRegion).
struct Region {
  std::string code;                  // "in", "ma", ...
  std::vector<std::string> names;    // upper case letters and digits: "INDIANA", "CROSSROADSOFAMERICA"
  std::vector<std::string> formats;  // over L and N
};

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
  std::vector<Region> regions;  // empty: the profile's plates name no region the engine reads
};

// The result of fitting a reading to a profile.
struct FormatFit {
  bool fits = false;
  std::string text;    // the reading after confusable-character correction
  std::string format;  // the format it fits, or ""
  int corrections = 0; // characters changed
};

// Which region printed words name (e.g. a US state from "INDIANA" or "OCEANSTATE").
struct RegionMatch {
  int index = -1;          // into the profile's regions; -1: none
  float confidence = 0;    // 0..1: (evidence - the runner-up's evidence) / evidence
  int evidence = 0;        // characters of the region's words matched
};

// Matches each text (words read off a plate, spaces dropped, upper case) against every
// region's names: a name counts where some stretch of a text spells it with at most 35% of
// its characters wrong, for the characters it gets right. A region wins with at least 5
// characters of evidence and 2 more than the runner-up; no region otherwise.
RegionMatch MatchRegion(const std::vector<Region>& regions, const std::vector<std::string>& texts);

// Settles 0/O and 1/I in `text` by the region's formats: the formats of its length that
// agree with its other characters (letters in L places, digits in N places) vote, and
// where they all agree that a place holds a letter (or a digit), a 0 or 1 there becomes
// O or I (or back). No change if no format agrees, or if the change would break a run of
// letters or digits (DR1FTER from DRIFTER: vanity plates keep what was read).
std::string SettleByRegion(const Region& region, const std::string& text);

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
