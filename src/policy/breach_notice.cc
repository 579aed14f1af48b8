#include "custodian/policy/breach_notice.h"

#include <array>
#include <chrono>
#include <cstdio>
#include <string_view>

namespace custodian::policy {
namespace {

constexpr std::string_view kWhatHappened = "What Happened";
constexpr std::string_view kInformationInvolved = "What Information Was Involved";
constexpr std::string_view kWhatWeAreDoing = "What We Are Doing";
constexpr std::string_view kWhatYouCanDo = "What You Can Do";
constexpr std::string_view kMoreInformation = "For More Information";

constexpr std::string_view kDefaultWhatWeAreDoing =
    "We are investigating this incident and reviewing how access to these records is "
    "controlled. We will contact you again if we learn more that affects you.";
constexpr std::string_view kDefaultWhatYouCanDo =
    "If you have questions about this notice, please contact us using the details below.";

bool Blank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

// "March 5, 2026" (UTC).
std::string FormatDate(TimePoint t) {
  static constexpr std::array<const char*, 12> kMonths = {
      "January", "February", "March",     "April",   "May",      "June",
      "July",    "August",   "September", "October", "November", "December"};
  const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(t)};
  return std::string(kMonths[static_cast<unsigned>(ymd.month()) - 1]) + " " +
         std::to_string(static_cast<unsigned>(ymd.day())) + ", " +
         std::to_string(static_cast<int>(ymd.year()));
}

// "2026-03-05 14:03:09 UTC".
std::string FormatDateTime(TimePoint t) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{std::chrono::floor<std::chrono::seconds>(t - day)};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d:%02d UTC", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

Status Validate(const BreachIncident& in) {
  if (Blank(in.agency_name)) return Status::InvalidArgument("breach notice: agency_name is required");
  if (Blank(in.contact_phone) && Blank(in.contact_email) && Blank(in.contact_address)) {
    return Status::InvalidArgument(
        "breach notice: contact is required (contact_phone, contact_email or contact_address)");
  }
  if (Blank(in.what_happened)) {
    return Status::InvalidArgument("breach notice: what_happened is required");
  }
  bool any_information = false;
  for (const std::string& item : in.information_involved) any_information |= !Blank(item);
  if (!any_information) {
    return Status::InvalidArgument(
        "breach notice: information_involved is required (the types of personal information)");
  }
  if (in.notice_date == TimePoint{}) {
    return Status::InvalidArgument("breach notice: notice_date is required");
  }
  const int dates = int{in.breach_date.has_value()} + int{in.estimated_date.has_value()} +
                    int{in.date_range.has_value()};
  if (dates > 1) {
    return Status::InvalidArgument(
        "breach notice: give at most one of breach_date, estimated_date and date_range");
  }
  if (in.date_range && in.date_range->first > in.date_range->second) {
    return Status::InvalidArgument("breach notice: date_range ends before it starts");
  }
  if (in.account_window && in.account_window->first > in.account_window->second) {
    return Status::InvalidArgument("breach notice: account_window ends before it starts");
  }
  if (Blank(in.account) && (!in.touched.empty() || in.account_window)) {
    return Status::InvalidArgument(
        "breach notice: account is required when touched reads or account_window are given");
  }
  return Status::Ok();
}

std::string DateSentence(const BreachIncident& in) {
  if (in.breach_date) return "Date of the breach: " + FormatDate(*in.breach_date) + ".";
  if (in.estimated_date) {
    return "Estimated date of the breach: " + FormatDate(*in.estimated_date) +
           " (an estimate; the exact date is not known).";
  }
  if (in.date_range) {
    return "Date range of the breach: between " + FormatDate(in.date_range->first) + " and " +
           FormatDate(in.date_range->second) + " (the exact date within this range is not known).";
  }
  return "Date of the breach: unknown.";
}

std::string DelaySentence(const BreachIncident& in) {
  return in.delayed_for_law_enforcement
             ? "Notification was delayed as a result of a law enforcement investigation."
             : "Notification was not delayed as a result of a law enforcement investigation.";
}

std::string AccountSentence(const BreachIncident& in) {
  std::string s = "Records accessed by the account \"" + in.account + "\"";
  if (in.account_window) {
    s += " between " + FormatDateTime(in.account_window->first) + " and " +
         FormatDateTime(in.account_window->second);
  }
  if (in.touched.empty()) return s + ": none.";
  return s + " (" + std::to_string(in.touched.size()) +
         (in.touched.size() == 1 ? " license plate read):" : " license plate reads):");
}

// ---- Plain text ----

void TextHeading(std::string& out, std::string_view heading) {
  out += "\n";
  out += heading;
  out += "\n";
  out.append(heading.size(), '-');
  out += "\n\n";
}

void TextParagraphs(std::string& out, std::string_view text) {
  out += text;
  if (!text.empty() && text.back() != '\n') out += "\n";
}

// ---- HTML ----

std::string Escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

// Escaped text as <p> paragraphs: a blank line separates paragraphs, a line break is <br>.
void HtmlParagraphs(std::string& out, std::string_view text) {
  std::string para;  // escaped lines of the paragraph being built, joined by <br>
  auto flush = [&] {
    if (!para.empty()) out += "<p>" + para + "</p>\n";
    para.clear();
  };
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (Blank(line)) {
      flush();
    } else {
      if (!para.empty()) para += "<br>\n";
      para += Escape(line);
    }
    start = end + 1;
  }
  flush();
}

constexpr std::string_view kStyle =
    "body{font-family:sans-serif;font-size:12pt;line-height:1.4;max-width:48em;margin:2em auto;"
    "padding:0 1em;color:#000;background:#fff}"
    "h1{font-size:20pt}h2{font-size:15pt;margin-top:1.5em}h3{font-size:12pt}"
    "table{border-collapse:collapse;font-size:11pt}"
    "th,td{border:1px solid #444;padding:0.25em 0.5em;text-align:left}";

std::string_view TitleOf(const BreachIncident& in) {
  return Blank(in.title) ? kBreachNoticeTitle : std::string_view(in.title);
}

}  // namespace

Result<std::string> RenderBreachNoticeText(const BreachIncident& in) {
  CUSTODIAN_RETURN_IF_ERROR(Validate(in));
  const std::string_view title = TitleOf(in);
  std::string out;
  out += title;
  out += "\n";
  out.append(title.size(), '=');
  out += "\n\n";
  out += in.agency_name + "\n";
  out += "Date of this notice: " + FormatDate(in.notice_date) + "\n";

  TextHeading(out, kWhatHappened);
  TextParagraphs(out, in.what_happened);
  // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on "\n" + std::string&&.
  out += '\n';
  out += DateSentence(in);
  out += '\n';
  out += DelaySentence(in);
  out += '\n';

  TextHeading(out, kInformationInvolved);
  for (const std::string& item : in.information_involved) {
    if (!Blank(item)) out += "- " + item + "\n";
  }
  if (!Blank(in.account)) {
    out += '\n';
    out += AccountSentence(in);
    out += '\n';
    for (const TouchedRead& r : in.touched) {
      out += "- Read " + std::to_string(r.read_id) + ": plate " + r.plate + ", captured " +
             FormatDateTime(r.captured_at) + " by camera " + r.camera_id + ", accessed " +
             FormatDateTime(r.accessed_at) + "\n";
    }
  }

  TextHeading(out, kWhatWeAreDoing);
  TextParagraphs(out, Blank(in.what_we_are_doing) ? kDefaultWhatWeAreDoing : in.what_we_are_doing);

  TextHeading(out, kWhatYouCanDo);
  TextParagraphs(out, Blank(in.what_you_can_do) ? kDefaultWhatYouCanDo : in.what_you_can_do);

  TextHeading(out, kMoreInformation);
  out += "Contact " + in.agency_name + ":\n";
  if (!Blank(in.contact_name)) out += in.contact_name + "\n";
  if (!Blank(in.contact_phone)) out += "Telephone: " + in.contact_phone + "\n";
  if (!Blank(in.contact_email)) out += "Email: " + in.contact_email + "\n";
  if (!Blank(in.contact_address)) {
    out += "Address:\n";
    TextParagraphs(out, in.contact_address);
  }
  return out;
}

Result<std::string> RenderBreachNoticeHtml(const BreachIncident& in) {
  CUSTODIAN_RETURN_IF_ERROR(Validate(in));
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  const std::string title = Escape(TitleOf(in));
  out += "<title>" + title + " - " + Escape(in.agency_name) + "</title>\n";
  out += "<style>";
  out += kStyle;
  out += "</style>\n</head>\n<body>\n";
  out += "<h1>" + title + "</h1>\n";
  out += "<p>" + Escape(in.agency_name) + "<br>\nDate of this notice: " +
         Escape(FormatDate(in.notice_date)) + "</p>\n";

  auto heading = [&out](std::string_view h) {
    out += "<h2>";
    out += h;
    out += "</h2>\n";
  };

  heading(kWhatHappened);
  HtmlParagraphs(out, in.what_happened);
  out += "<p>" + Escape(DateSentence(in)) + "</p>\n";
  out += "<p>" + Escape(DelaySentence(in)) + "</p>\n";

  heading(kInformationInvolved);
  out += "<ul>\n";
  for (const std::string& item : in.information_involved) {
    if (!Blank(item)) out += "<li>" + Escape(item) + "</li>\n";
  }
  out += "</ul>\n";
  if (!Blank(in.account)) {
    out += "<h3>Records accessed by the account</h3>\n";
    out += "<p>" + Escape(AccountSentence(in)) + "</p>\n";
    if (!in.touched.empty()) {
      out += "<table>\n<thead>\n<tr><th scope=\"col\">Read ID</th><th scope=\"col\">Plate</th>"
             "<th scope=\"col\">Captured (UTC)</th><th scope=\"col\">Camera</th>"
             "<th scope=\"col\">Accessed (UTC)</th></tr>\n</thead>\n<tbody>\n";
      for (const TouchedRead& r : in.touched) {
        out += "<tr><td>" + std::to_string(r.read_id) + "</td><td>" + Escape(r.plate) +
               "</td><td>" + Escape(FormatDateTime(r.captured_at)) + "</td><td>" +
               Escape(r.camera_id) + "</td><td>" + Escape(FormatDateTime(r.accessed_at)) +
               "</td></tr>\n";
      }
      out += "</tbody>\n</table>\n";
    }
  }

  heading(kWhatWeAreDoing);
  HtmlParagraphs(out, Blank(in.what_we_are_doing) ? kDefaultWhatWeAreDoing : in.what_we_are_doing);

  heading(kWhatYouCanDo);
  HtmlParagraphs(out, Blank(in.what_you_can_do) ? kDefaultWhatYouCanDo : in.what_you_can_do);

  heading(kMoreInformation);
  out += "<p>Contact " + Escape(in.agency_name) + ":</p>\n<address>\n";
  if (!Blank(in.contact_name)) out += Escape(in.contact_name) + "<br>\n";
  if (!Blank(in.contact_phone)) out += "Telephone: " + Escape(in.contact_phone) + "<br>\n";
  if (!Blank(in.contact_email)) out += "Email: " + Escape(in.contact_email) + "<br>\n";
  if (!Blank(in.contact_address)) {
    HtmlParagraphs(out, in.contact_address);
  }
  out += "</address>\n</body>\n</html>\n";
  return out;
}

}  // namespace custodian::policy
