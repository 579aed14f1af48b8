#include "custodian/core/utc_time.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <string>

namespace custodian {

Result<TimePoint> ParseUtcTime(std::string_view text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  char extra = 0;
  std::string t(text);
  bool ok = false;
  int64_t ms = 0;
  // A fraction of a second, ".d" to ".ddddddddd" before the Z, is kept to the millisecond.
  if (t.size() >= 22 && t[19] == '.' && t.back() == 'Z' && t.size() <= 30) {
    const std::string_view digits = std::string_view(t).substr(20, t.size() - 21);
    ok = std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
    for (size_t i = 0; ok && i < 3; ++i) ms = ms * 10 + (i < digits.size() ? digits[i] - '0' : 0);
    if (ok) t = t.substr(0, 19) + "Z";
  }
  if (t.size() == 10) {
    ok = std::sscanf(t.c_str(), "%4d-%2d-%2d%c", &y, &mo, &d, &extra) == 3;
  } else if (t.size() == 20 && t[10] == 'T' && t[19] == 'Z') {
    ok = std::sscanf(t.c_str(), "%4d-%2d-%2dT%2d:%2d:%2dZ%c", &y, &mo, &d, &h, &mi, &s, &extra) == 6;
  }
  if (!ok || y < 1970 || y >= 2200 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) {
    return Status::InvalidArgument("'", std::string(text.substr(0, 40)),
                                   "' is not YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC)");
  }
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return FromUnixMillis(int64_t(timegm(&tm)) * 1000 + ms);
}

std::string FormatUtcTime(TimePoint t) {
  const int64_t ms = ToUnixMillis(t);
  const int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  const std::time_t tt = std::time_t(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, int(ms - secs * 1000));
  return buf;
}

}  // namespace custodian
