#include "custodian/policy/hotlist_import.h"

#include "custodian/core/utc_time.h"
#include "custodian/store/plate_key.h"

namespace custodian::policy {
namespace {

// The same checks the store applies, so a line that parses is a line the store takes.
Status CheckField(std::string_view what, std::string_view v, size_t max) {
  if (v.size() > max) return Status::InvalidArgument(what, " is ", v.size(), " bytes; the limit is ", max);
  for (unsigned char c : v) {
    if (c == 0 || c >= 0x80 || (c < 0x20 && c != '\t')) {
      return Status::InvalidArgument(what, " holds a control or non-ASCII byte");
    }
  }
  return Status::Ok();
}

Result<store::HotlistEntryInput> MakeEntry(std::string_view plate, std::string_view state, std::string_view reason,
                                           std::string_view expires) {
  CUSTODIAN_RETURN_IF_ERROR(CheckField("plate", plate, store::kMaxRawPlateLength));
  CUSTODIAN_RETURN_IF_ERROR(store::NormalisePlate(plate).status());
  CUSTODIAN_RETURN_IF_ERROR(CheckField("state", state, store::kMaxRegionLength));
  for (char c : state) {
    if (!std::isalpha(static_cast<unsigned char>(c))) return Status::InvalidArgument("state is not letters");
  }
  CUSTODIAN_RETURN_IF_ERROR(CheckField("reason", reason, store::kMaxHotlistReasonLength));
  store::HotlistEntryInput e{.plate = std::string(plate), .state = std::string(state), .reason = std::string(reason)};
  if (!expires.empty()) {
    Result<TimePoint> t = ParseUtcTime(expires);
    if (!t.ok()) return Status::InvalidArgument("expiry is not YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
    e.expires = *t;
  }
  return e;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Splits one CSV line into fields. kInvalidArgument for an unterminated quote or text
// after a closing quote.
Result<std::vector<std::string>> SplitCsv(std::string_view line) {
  std::vector<std::string> fields;
  std::string cur;
  size_t i = 0;
  for (;;) {
    cur.clear();
    while (i < line.size() && line[i] == ' ') ++i;
    if (i < line.size() && line[i] == '"') {
      ++i;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            cur += '"';
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        cur += line[i++];
      }
      if (!closed) return Status::InvalidArgument("unterminated quoted field");
      while (i < line.size() && line[i] == ' ') ++i;
      if (i < line.size() && line[i] != ',') return Status::InvalidArgument("text after a closing quote");
    } else {
      size_t j = line.find(',', i);
      if (j == std::string_view::npos) j = line.size();
      cur = std::string(Trim(line.substr(i, j - i)));
      i = j;
    }
    fields.push_back(cur);
    if (i >= line.size()) break;
    ++i;  // the comma
  }
  return fields;
}

template <typename LineFn>
ParsedHotlist ParseLines(std::string_view text, LineFn&& fn) {
  ParsedHotlist out;
  int64_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (Trim(line).empty()) continue;
    if (line.size() > kMaxHotlistLineLength) {
      out.errors.push_back({line_no, "line is " + std::to_string(line.size()) + " bytes; the limit is " +
                                         std::to_string(kMaxHotlistLineLength)});
      continue;
    }
    auto entry = fn(line, line_no);
    if (!entry.ok()) {
      out.errors.push_back({line_no, entry.status().message()});
      continue;
    }
    if (!entry->has_value()) continue;  // a header
    out.entries.push_back(std::move(**entry));
    out.entry_lines.push_back(line_no);
  }
  return out;
}

}  // namespace

ParsedHotlist ParseHotlistCsv(std::string_view text) {
  return ParseLines(text, [](std::string_view line, int64_t line_no) -> Result<std::optional<store::HotlistEntryInput>> {
    CUSTODIAN_ASSIGN_OR_RETURN(auto f, SplitCsv(line));
    if (line_no == 1 && !f.empty()) {
      std::string first = f[0];
      for (char& c : first) c = char(std::tolower(static_cast<unsigned char>(c)));
      if (first == "plate") return std::optional<store::HotlistEntryInput>();
    }
    if (f.size() < 1 || f.size() > 4) {
      return Status::InvalidArgument(f.size(), " fields; a line is plate,state,reason,expires");
    }
    f.resize(4);
    CUSTODIAN_ASSIGN_OR_RETURN(auto e, MakeEntry(f[0], f[1], f[2], f[3]));
    return std::optional<store::HotlistEntryInput>(std::move(e));
  });
}

ParsedHotlist ParseHotlistSvs(std::string_view text) {
  return ParseLines(text, [](std::string_view line, int64_t) -> Result<std::optional<store::HotlistEntryInput>> {
    if (line.size() < 10) {
      return Status::InvalidArgument("line is ", line.size(),
                                     " characters; an SVS line has the plate in columns 0-8 and the state in 8-10");
    }
    std::string_view plate = Trim(line.substr(0, 8));
    std::string_view state = Trim(line.substr(8, 2));
    if (plate.empty()) return Status::InvalidArgument("no plate in columns 0-8");
    CUSTODIAN_ASSIGN_OR_RETURN(auto e, MakeEntry(plate, state, "CA DOJ SVS", ""));
    return std::optional<store::HotlistEntryInput>(std::move(e));
  });
}

Result<store::HotlistImportResult> ImportHotlist(store::ReadStore& store, const std::string& list,
                                                 const std::vector<store::HotlistEntryInput>& entries,
                                                 std::chrono::milliseconds retro_window) {
  store::HotlistImportResult total;
  for (size_t start = 0; start < entries.size(); start += store::kMaxHotlistBatch) {
    size_t n = std::min(store::kMaxHotlistBatch, entries.size() - start);
    CUSTODIAN_ASSIGN_OR_RETURN(
        auto r, store.ImportHotlistEntries({.list = list,
                                            .entries = std::span<const store::HotlistEntryInput>(&entries[start], n),
                                            .retro_window = retro_window}));
    total.added += r.added;
    total.updated += r.updated;
    total.retro_alerts += r.retro_alerts;
  }
  return total;
}

Result<std::vector<store::Alert>> UnreviewedAlertsOlderThan(store::ReadStore& store, const Clock& clock,
                                                            std::chrono::milliseconds max_age) {
  if (max_age.count() < 0) return Status::InvalidArgument("the alert age is negative");
  std::vector<store::Alert> out;
  store::AlertQuery q{.unreviewed_only = true, .created_before = clock.Now() - max_age, .limit = store::kMaxPageSize};
  for (;;) {
    CUSTODIAN_ASSIGN_OR_RETURN(auto page, store.ListAlerts(q));
    out.insert(out.end(), page.begin(), page.end());
    if (int(page.size()) < q.limit) return out;
    q.after_id = page.back().id;
  }
}

}  // namespace custodian::policy
