// Plate normalisation and the keys the store indexes plates by. Pure functions.
//
// Basic usage:
//   auto p = store::NormalisePlate("7ab-c 123");   // "7ABC123"
//   std::string k = store::ConfusionKey(*p);          // "7A8C123": 8/B share a class
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "custodian/core/status.h"

namespace custodian::store {

// The plate as read, reduced to upper-case ASCII letters and digits. Every other byte
// (spaces, dashes, punctuation, quotes, non-ASCII) is dropped.
// Returns kInvalidArgument when the input holds a NUL byte, is longer than
// kMaxRawPlateLength, or leaves no letter or digit.
Result<std::string> NormalisePlate(std::string_view raw);

// A search term normalised: letters and digits upper-cased, spaces and '-' dropped, and
// '*' / '?' kept when `allow_wildcards`. Any other character is kInvalidArgument (a '%',
// '_' or quote in a search term is refused, never interpreted).
Result<std::string> NormaliseSearchTerm(std::string_view term, bool allow_wildcards);

// Maps each character of a normalised plate to its OCR confusion class: 0/O/D/Q -> '0',
// 1/I/L -> '1', 8/B -> '8', 5/S -> '5', 2/Z -> '2', 6/G -> '6'; others unchanged.
// Two plates a reader may confuse share a key.
std::string ConfusionKey(std::string_view normalised);

// The confusion keys within one edit (substitution, insertion, deletion) of `key`,
// including `key` itself, sorted and unique.
std::vector<std::string> ConfusionKeysWithinOneEdit(std::string_view key);

// `s` reversed; the store indexes it so that a suffix search is a range scan.
std::string Reversed(std::string_view s);

// The distinct three-character runs of `plate` (none when shorter than 3); the store's
// wildcard index keeps one row per trigram of each plate.
std::set<std::string> Trigrams(std::string_view plate);

// The smallest string greater than every string that starts with `prefix`, for a range
// scan [prefix, PrefixEnd(prefix)). REQUIRES: prefix holds only letters and digits.
std::string PrefixEnd(std::string_view prefix);

}  // namespace custodian::store
