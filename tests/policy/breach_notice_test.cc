// The Civil Code 1798.29 / 1798.82 notice: headings in order, date wording, the delay sentence,
// HTML escaping, and refusals naming the missing field.
#include "custodian/policy/breach_notice.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "custodian/core/utc_time.h"

namespace custodian::policy {
namespace {

TimePoint At(std::string_view text) { return *ParseUtcTime(text); }

BreachIncident Incident() {
  return BreachIncident{
      .agency_name = "City of Example Police Department",
      .contact_name = "Records Unit",
      .contact_phone = "(555) 010-0100",
      .contact_email = "records@example.gov",
      .contact_address = "1 Civic Center Plaza\nExample, CA 90000",
      .what_happened = "An account used a search without a permitted purpose.",
      .information_involved = {"License plate numbers", "Vehicle locations and times"},
      .what_we_are_doing = "We suspended the account.",
      .what_you_can_do = "No action is needed.",
      .notice_date = At("2026-03-05"),
      .account = "jdoe",
      .account_window = std::pair{At("2026-02-01"), At("2026-02-03T12:00:00Z")},
      .touched = {{.read_id = 42,
                   .plate = "7ABC123",
                   .captured_at = At("2026-01-20T08:15:00Z"),
                   .camera_id = "cam-north-1",
                   .accessed_at = At("2026-02-02T09:30:05Z")}},
  };
}

const std::vector<std::string> kHeadings = {"What Happened", "What Information Was Involved",
                                            "What We Are Doing", "What You Can Do",
                                            "For More Information"};

// The title, then each heading searched after the previous one.
void ExpectHeadingsInOrder(const std::string& doc, const std::string& title, std::string_view open,
                           std::string_view close) {
  size_t pos = doc.find(title);
  ASSERT_NE(pos, std::string::npos) << "title";
  for (const std::string& h : kHeadings) {
    const size_t next = doc.find(std::string(open) + h + std::string(close), pos);
    ASSERT_NE(next, std::string::npos) << h << " missing or out of order";
    pos = next;
  }
}

TEST(BreachNoticeText, HasTitleAndHeadingsInStatutoryOrder) {
  auto text = RenderBreachNoticeText(Incident());
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(text->rfind("Notice of Data Breach\n", 0), 0u);
  ExpectHeadingsInOrder(*text, "Notice of Data Breach\n", "\n", "\n");
  EXPECT_NE(text->find("Date of this notice: March 5, 2026"), std::string::npos);
}

TEST(BreachNoticeHtml, HasTitleAndHeadingsInStatutoryOrder) {
  auto html = RenderBreachNoticeHtml(Incident());
  ASSERT_TRUE(html.ok()) << html.status().ToString();
  ExpectHeadingsInOrder(*html, "<h1>Notice of Data Breach</h1>", "<h2>", "</h2>");
  EXPECT_NE(html->find("<title>Notice of Data Breach"), std::string::npos);
}

TEST(BreachNoticeHtml, IsAStandaloneDocumentWithoutExternalResources) {
  const std::string html = *RenderBreachNoticeHtml(Incident());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<html lang=\"en\">"), std::string::npos);
  EXPECT_NE(html.find("<meta charset=\"utf-8\">"), std::string::npos);
  EXPECT_NE(html.find("</html>"), std::string::npos);
  for (const char* banned : {"<script", "<link", "<img", "src=", "href=", "@import", "url("}) {
    EXPECT_EQ(html.find(banned), std::string::npos) << banned;
  }
}

TEST(BreachNotice, ContactDetailsAppearUnderForMoreInformation) {
  for (bool as_html : {false, true}) {
    const BreachIncident in = Incident();
    const std::string doc = as_html ? *RenderBreachNoticeHtml(in) : *RenderBreachNoticeText(in);
    const size_t section = doc.find("For More Information");
    ASSERT_NE(section, std::string::npos);
    for (const char* detail : {"Records Unit", "records@example.gov", "1 Civic Center Plaza",
                               "Example, CA 90000"}) {
      EXPECT_GT(doc.find(detail, section), section) << detail << (as_html ? " (html)" : "");
      EXPECT_NE(doc.find(detail, section), std::string::npos) << detail;
    }
    EXPECT_NE(doc.find(as_html ? "(555) 010-0100" : "Telephone: (555) 010-0100", section),
              std::string::npos);
  }
}

TEST(BreachNotice, SaysWhetherNotificationWasDelayedBothWays) {
  BreachIncident in = Incident();
  const std::string not_delayed =
      "Notification was not delayed as a result of a law enforcement investigation.";
  const std::string delayed =
      "Notification was delayed as a result of a law enforcement investigation.";
  EXPECT_NE(RenderBreachNoticeText(in)->find(not_delayed), std::string::npos);
  EXPECT_NE(RenderBreachNoticeHtml(in)->find(not_delayed), std::string::npos);
  EXPECT_EQ(RenderBreachNoticeText(in)->find(delayed), std::string::npos);
  in.delayed_for_law_enforcement = true;
  EXPECT_NE(RenderBreachNoticeText(in)->find(delayed), std::string::npos);
  EXPECT_NE(RenderBreachNoticeHtml(in)->find(delayed), std::string::npos);
  EXPECT_EQ(RenderBreachNoticeText(in)->find(not_delayed), std::string::npos);
}

TEST(BreachNotice, DateIsKnownEstimatedRangeOrUnknownAndSaysWhich) {
  BreachIncident in = Incident();
  EXPECT_NE(RenderBreachNoticeText(in)->find("Date of the breach: unknown."), std::string::npos);

  in.breach_date = At("2026-02-02T09:30:05Z");
  EXPECT_NE(RenderBreachNoticeText(in)->find("Date of the breach: February 2, 2026."),
            std::string::npos);

  in.breach_date.reset();
  in.estimated_date = At("2026-01-31");
  const std::string est = *RenderBreachNoticeHtml(in);
  EXPECT_NE(est.find("Estimated date of the breach: January 31, 2026"), std::string::npos);
  EXPECT_NE(est.find("estimate"), std::string::npos);

  in.estimated_date.reset();
  in.date_range = std::pair{At("2026-02-01"), At("2026-02-03")};
  EXPECT_NE(RenderBreachNoticeText(in)->find(
                "Date range of the breach: between February 1, 2026 and February 3, 2026"),
            std::string::npos);
}

TEST(BreachNotice, ListsInformationTypesAndTheReadsTheAccountTouched) {
  const std::string text = *RenderBreachNoticeText(Incident());
  const size_t info = text.find("What Information Was Involved");
  const size_t doing = text.find("What We Are Doing");
  for (const char* s : {"- License plate numbers", "Records accessed by the account \"jdoe\"",
                        "between 2026-02-01 00:00:00 UTC and 2026-02-03 12:00:00 UTC",
                        "Read 42: plate 7ABC123, captured 2026-01-20 08:15:00 UTC by camera "
                        "cam-north-1, accessed 2026-02-02 09:30:05 UTC"}) {
    const size_t at = text.find(s);
    ASSERT_NE(at, std::string::npos) << s;
    EXPECT_GT(at, info) << s;
    EXPECT_LT(at, doing) << s;
  }

  const std::string html = *RenderBreachNoticeHtml(Incident());
  EXPECT_NE(html.find("<table>"), std::string::npos);
  for (const char* col : {"Read ID", "Plate", "Captured (UTC)", "Camera", "Accessed (UTC)"}) {
    EXPECT_NE(html.find(std::string("<th scope=\"col\">") + col + "</th>"), std::string::npos)
        << col;
  }
  EXPECT_NE(html.find("<td>42</td><td>7ABC123</td><td>2026-01-20 08:15:00 UTC</td>"
                      "<td>cam-north-1</td><td>2026-02-02 09:30:05 UTC</td>"),
            std::string::npos);
}

TEST(BreachNotice, AccountWithNoReadsSaysNoneAndNoAccountOmitsTheSection) {
  BreachIncident in = Incident();
  in.touched.clear();
  EXPECT_NE(RenderBreachNoticeText(in)->find(": none."), std::string::npos);
  EXPECT_EQ(RenderBreachNoticeHtml(in)->find("<table>"), std::string::npos);
  in.account.clear();
  in.account_window.reset();
  EXPECT_EQ(RenderBreachNoticeText(in)->find("Records accessed"), std::string::npos);
}

TEST(BreachNoticeHtml, EscapesEveryString) {
  const std::string evil = "<script>alert(1)</script>&\"'";
  const std::string escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&#39;";
  BreachIncident in = Incident();
  in.title = in.agency_name = in.contact_name = in.contact_phone = in.contact_email = in.contact_address =
      in.what_happened = in.what_we_are_doing = in.what_you_can_do = in.account = evil;
  in.information_involved = {evil};
  in.touched[0].plate = evil;
  in.touched[0].camera_id = evil;
  const std::string html = *RenderBreachNoticeHtml(in);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("alert(1)</script>"), std::string::npos);
  EXPECT_EQ(html.find("&\""), std::string::npos);
  EXPECT_EQ(html.find('\''), std::string::npos);
  // Each field's text appears escaped: 9 strings, the list item, the two table cells, the
  // agency in <title> and twice more, and the account inside the sentence.
  size_t count = 0;
  for (size_t pos = 0; (pos = html.find(escaped, pos)) != std::string::npos; pos += escaped.size()) {
    ++count;
  }
  EXPECT_GE(count, 12u);
}

TEST(BreachNotice, TitleDefaultsToTheStatuteAndCanBeSetByTheAgency) {
  BreachIncident in = Incident();
  EXPECT_EQ(in.title, "Notice of Data Breach");
  in.title = "Notification of Data Breach";
  EXPECT_EQ(RenderBreachNoticeText(in)->rfind("Notification of Data Breach\n====", 0), 0u);
  EXPECT_NE(RenderBreachNoticeHtml(in)->find("<h1>Notification of Data Breach</h1>"),
            std::string::npos);
  in.title = " ";
  EXPECT_EQ(RenderBreachNoticeText(in)->rfind("Notice of Data Breach\n", 0), 0u);
}

TEST(BreachNoticeHtml, LineBreaksBecomeParagraphsAndBreaks) {
  BreachIncident in = Incident();
  in.what_happened = "First line.\nSecond line.\n\nNew paragraph.";
  const std::string html = *RenderBreachNoticeHtml(in);
  EXPECT_NE(html.find("<p>First line.<br>\nSecond line.</p>\n<p>New paragraph.</p>"),
            std::string::npos);
}

TEST(BreachNotice, MissingRequiredFieldsAreRefusedNamingTheField) {
  const struct {
    const char* field;
    void (*clear)(BreachIncident&);
  } cases[] = {
      {"agency_name", [](BreachIncident& in) { in.agency_name = "  "; }},
      {"contact", [](BreachIncident& in) { in.contact_phone = in.contact_email = in.contact_address = ""; }},
      {"what_happened", [](BreachIncident& in) { in.what_happened.clear(); }},
      {"information_involved", [](BreachIncident& in) { in.information_involved.clear(); }},
      {"notice_date", [](BreachIncident& in) { in.notice_date = TimePoint{}; }},
      {"breach_date", [](BreachIncident& in) { in.breach_date = in.estimated_date = At("2026-01-01"); }},
      {"date_range", [](BreachIncident& in) { in.date_range = std::pair{At("2026-02-02"), At("2026-02-01")}; }},
      {"account_window", [](BreachIncident& in) { in.account_window = std::pair{At("2026-02-02"), At("2026-02-01")}; }},
      {"account", [](BreachIncident& in) { in.account.clear(); }},
  };
  for (const auto& c : cases) {
    BreachIncident in = Incident();
    c.clear(in);
    for (const Result<std::string>& r : {RenderBreachNoticeText(in), RenderBreachNoticeHtml(in)}) {
      ASSERT_FALSE(r.ok()) << c.field;
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << c.field;
      EXPECT_NE(r.status().message().find(c.field), std::string::npos) << r.status().message();
    }
  }
}

TEST(BreachNotice, OneContactMethodIsEnoughAndEmptyOptionalSectionsGetDefaults) {
  BreachIncident in = Incident();
  in.contact_name.clear();
  in.contact_phone.clear();
  in.contact_address.clear();
  in.what_we_are_doing.clear();
  in.what_you_can_do.clear();
  auto text = RenderBreachNoticeText(in);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_NE(text->find("contact us using the details below"), std::string::npos);
  EXPECT_NE(text->find("We are investigating"), std::string::npos);
}

}  // namespace
}  // namespace custodian::policy
