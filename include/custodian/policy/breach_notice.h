// Breach notices (policy section 6): the notice California Civil Code 1798.29 (public
// agencies: the city's duty) and 1798.82 (persons and businesses) require, in the same form,
// when personal information is acquired without authorization; rendered as plain text and
// as a standalone HTML page. Pure rendering; the caller gathers the facts (and, from the
// audit log, the reads an account touched) and sends the result.
//
// Basic usage:
//   policy::BreachIncident incident{.agency_name = "City of Example Police Department",
//                                   .contact_name = "Records Unit",
//                                   .contact_phone = "555-0100", ...,
//                                   .what_happened = "On ..., an account ...",
//                                   .information_involved = {"License plate numbers", ...},
//                                   .notice_date = clock.Now()};
//   CUSTODIAN_ASSIGN_OR_RETURN(std::string html, policy::RenderBreachNoticeHtml(incident));
//
// Both renderings are titled "Notice of Data Breach" (by default) and carry the headings the statute
// requires, in its order: "What Happened", "What Information Was Involved", "What We Are
// Doing", "What You Can Do", "For More Information". Dates are written in UTC.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "custodian/core/clock.h"
#include "custodian/core/status.h"

namespace custodian::policy {

// The title 1798.29(d)(1) and 1798.82(d)(1) prescribe. (The city policy says "Notification of Data Breach";
// an agency may set BreachIncident::title to that.)
inline constexpr std::string_view kBreachNoticeTitle = "Notice of Data Breach";

// One read an account looked at: a row of the notice's table.
struct TouchedRead {
  // The read's id in the records store.
  int64_t read_id = 0;
  // The plate text as read.
  std::string plate;
  // When the camera captured the read.
  TimePoint captured_at;
  // The camera that captured it.
  std::string camera_id;
  // When the account accessed the read.
  TimePoint accessed_at;
};

// The facts of one breach. Multi-line text fields may contain line breaks; a blank line
// starts a new paragraph.
struct BreachIncident {
  // The notice's title. Default: the statute's wording, kBreachNoticeTitle. A blank title
  // falls back to the default.
  std::string title = std::string(kBreachNoticeTitle);
  // The agency giving notice (the "agency" of 1798.29). Required.
  std::string agency_name;
  // Who to contact: a person or unit. Optional, but at least one of contact_phone,
  // contact_email and contact_address is required.
  std::string contact_name;
  // Contact telephone number (a toll-free one where the agency has it).
  std::string contact_phone;
  // Contact email address.
  std::string contact_email;
  // Contact postal address; may span lines.
  std::string contact_address;
  // A general description of the incident. Required.
  std::string what_happened;
  // The types of personal information involved, one per entry. Required: at least one.
  std::vector<std::string> information_involved;
  // What the agency has done and is doing. Optional; a neutral sentence stands in if empty.
  std::string what_we_are_doing;
  // What the recipient can do. Optional; a sentence pointing to the contact stands in if empty.
  std::string what_you_can_do;
  // At most one of the next three: the known date of the breach, an estimate, or the range
  // within which it occurred. With none, the notice says the date is unknown.
  std::optional<TimePoint> breach_date;
  std::optional<TimePoint> estimated_date;
  // (first, last); REQUIRES first <= last.
  std::optional<std::pair<TimePoint, TimePoint>> date_range;
  // Whether notification was delayed as a result of a law enforcement investigation.
  // The notice says so either way. Default: false.
  bool delayed_for_law_enforcement = false;
  // The date of the notice. Required (the Unix epoch counts as unset).
  TimePoint notice_date;
  // The account whose access is the breach (a user name). Empty: no section listing reads.
  std::string account;
  // The period over which `touched` was gathered (first, last); REQUIRES first <= last.
  std::optional<std::pair<TimePoint, TimePoint>> account_window;
  // The reads `account` accessed in `account_window`. REQUIRES: empty when account is empty.
  std::vector<TouchedRead> touched;
};

// The notice as plain text (UTF-8, "\n" line ends).
// kInvalidArgument naming the field when a required field is missing, more than one of
// breach_date / estimated_date / date_range is set, a range runs backwards, or reads are
// given without an account.
Result<std::string> RenderBreachNoticeText(const BreachIncident& incident);

// The notice as a complete, standalone HTML document: no scripts or external resources,
// inline CSS only, every string from `incident` escaped, <h1>/<h2> headings, and the
// touched reads as a <table> with <th scope="col"> headers. Errors as for the text form.
Result<std::string> RenderBreachNoticeHtml(const BreachIncident& incident);

}  // namespace custodian::policy
