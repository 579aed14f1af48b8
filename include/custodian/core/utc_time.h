// UTC time text: the one parser for the dates and times operators type.
//
// Basic usage:
//   CUSTODIAN_ASSIGN_OR_RETURN(TimePoint t, custodian::ParseUtcTime("2026-01-01T00:00:00Z"));
#pragma once

#include <string>
#include <string_view>

#include "custodian/core/clock.h"
#include "custodian/core/status.h"

namespace custodian {

// Parses "YYYY-MM-DD" (midnight UTC) or "YYYY-MM-DDTHH:MM:SSZ", years 1970-2199; the
// latter may carry a fraction of a second, 1 to 9 digits ("…:SS.123Z"), kept to the
// millisecond (cut, not rounded), so every time FormatUtcTime writes reads back.
// kInvalidArgument otherwise, with the message
// "'<text, at most 40 bytes>' is not YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC)";
// callers put their own words in front (e.g. "time ").
Result<TimePoint> ParseUtcTime(std::string_view text);

// "YYYY-MM-DDTHH:MM:SS.mmmZ" (RFC 3339, UTC, milliseconds).
std::string FormatUtcTime(TimePoint t);

}  // namespace custodian
