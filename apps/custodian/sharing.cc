// custodian sharing: grants of ALPR data to other California public agencies (policy 5.D;
// Civil Code 1798.90.55(b)), as the logged-in coordinator (manage_grants).
//   custodian sharing grant --agency CODE --class public_safety [--class ...] [--camera ID]...
//                           --expires YYYY-MM-DD
//   custodian sharing attest --grant ID --signatory NAME [--signed YYYY-MM-DD] [--text FILE]
//   custodian sharing list [--all]
//   custodian sharing revoke --grant ID
// A grant is in force only once the partner's written attestation is recorded (`attest`;
// without --text the standard text, which `sharing attest --help` names, is recorded).
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.h"
#include "custodian/core/utc_time.h"
#include "custodian/policy/sharing.h"
#include "session.h"

namespace custodian::app {
namespace {

struct GrantArgs {
  GovFlags store;
  std::string agency, expires;
  std::vector<std::string> classes, cameras;
};

struct AttestArgs {
  GovFlags store;
  int64_t grant = 0;
  std::string signatory, signed_on, text_file;
};

struct GrantIdArgs {
  GovFlags store;
  int64_t grant = 0;
  bool all = false;
};

// "YYYY-MM-DD" (midnight UTC) or a full RFC 3339 time.
Result<TimePoint> Day(const std::string& text) {
  return ParseUtcTime(text.size() == 10 ? text + "T00:00:00Z" : text);
}

int RunGrant(const GrantArgs& a) {
  const std::string what = "sharing grant";
  policy::GrantSpec spec{.agency_code = a.agency, .camera_ids = a.cameras};
  for (const auto& c : a.classes) {
    auto dc = store::ParseDataClass(c);
    if (!dc.ok()) return FailWith(what, dc.status());
    spec.data_classes.push_back(*dc);
  }
  auto expires = Day(a.expires);
  if (!expires.ok()) return FailWith(what, expires.status());
  spec.expires = *expires;
  auto g = OpenAsUser(a.store);
  if (!g.ok()) return FailWith(what, g.status());
  auto id = policy::GrantSharing(*g->gov, g->who, spec);
  if (!id.ok()) return FailWith(what, id.status());
  std::cout << "grant " << *id << " to " << a.agency << " until " << FormatUtcTime(spec.expires)
            << "; not in force until the partner's attestation is recorded: custodian sharing attest --grant " << *id
            << " --signatory NAME\n";
  return 0;
}

int RunAttest(const AttestArgs& a) {
  const std::string what = "sharing attest";
  policy::Attestation att{.signatory = a.signatory};
  if (!a.text_file.empty()) {
    std::ifstream in(a.text_file);
    if (!in) return FailWith(what, Status::NotFound("cannot read ", a.text_file));
    std::stringstream ss;
    ss << in.rdbuf();
    att.text = ss.str();
  }
  auto g = OpenAsUser(a.store);
  if (!g.ok()) return FailWith(what, g.status());
  if (a.signed_on.empty()) {
    att.signed_on = g->gov->clock().Now();
  } else {
    auto t = Day(a.signed_on);
    if (!t.ok()) return FailWith(what, t.status());
    att.signed_on = *t;
  }
  if (Status st = policy::AttestSharing(*g->gov, g->who, a.grant, att); !st.ok()) return FailWith(what, st);
  std::cout << "grant " << a.grant << " attested by " << a.signatory << "; in force\n";
  return 0;
}

int RunList(const GrantIdArgs& a) {
  auto g = OpenAsUser(a.store);
  if (!g.ok()) return FailWith("sharing list", g.status());
  auto grants = policy::ListGrants(*g->gov, g->who, a.all);
  if (!grants.ok()) return FailWith("sharing list", grants.status());
  for (const auto& gr : *grants) {
    std::cout << gr.id << "\t" << gr.agency_code << "\t";
    for (size_t i = 0; i < gr.data_classes.size(); ++i) {
      std::cout << (i ? "," : "") << store::DataClassName(gr.data_classes[i]);
    }
    std::cout << "\t" << (gr.camera_ids.empty() ? std::string("all cameras") : std::to_string(gr.camera_ids.size()) + " cameras")
              << "\tuntil " << FormatUtcTime(gr.expires) << "\t"
              << (gr.in_force        ? "in force (attested by " + gr.attested_signatory + ")"
                  : gr.revoked_at    ? "revoked by " + gr.revoked_by
                  : !gr.attested_on  ? std::string("awaiting attestation")
                                     : std::string("not in force"))
              << "\n";
  }
  return 0;
}

int RunRevoke(const GrantIdArgs& a) {
  auto g = OpenAsUser(a.store);
  if (!g.ok()) return FailWith("sharing revoke", g.status());
  if (Status st = policy::RevokeSharing(*g->gov, g->who, a.grant); !st.ok()) return FailWith("sharing revoke", st);
  std::cout << "grant " << a.grant << " revoked\n";
  return 0;
}

}  // namespace

void RegisterSharing(CLI::App& app, Action* run) {
  CLI::App* sharing = app.add_subcommand("sharing", "Sharing grants to other California public agencies");
  sharing->require_subcommand(1);
  auto grant = std::make_shared<GrantArgs>();
  CLI::App* g = sharing->add_subcommand("grant", "Grant a partner agency data classes (and cameras) until a date");
  AddGovFlags(g, &grant->store);
  g->add_option("--agency", grant->agency, "The partner agency's code")->required();
  g->add_option("--class", grant->classes, "public_safety or non_public_safety (repeat for both)")->required();
  g->add_option("--camera", grant->cameras, "Only this camera (repeat; default: every camera of the classes)");
  g->add_option("--expires", grant->expires, "When it ends, YYYY-MM-DD (at most a year ahead)")->required();
  g->callback([grant, run] { *run = [grant] { return RunGrant(*grant); }; });
  auto attest = std::make_shared<AttestArgs>();
  CLI::App* at = sharing->add_subcommand(
      "attest", std::string("Record the partner's signed attestation; the grant is in force from then. Standard text: ") +
                    policy::kStandardAttestation);
  AddGovFlags(at, &attest->store);
  at->add_option("--grant", attest->grant, "The grant's id")->required();
  at->add_option("--signatory", attest->signatory, "Who signed for the partner agency")->required();
  at->add_option("--signed", attest->signed_on, "The date it was signed, YYYY-MM-DD (default: today)");
  at->add_option("--text", attest->text_file, "A file with the text signed (default: the standard text)");
  at->callback([attest, run] { *run = [attest] { return RunAttest(*attest); }; });
  auto list = std::make_shared<GrantIdArgs>();
  CLI::App* l = sharing->add_subcommand("list", "Every grant and whether it is in force");
  AddGovFlags(l, &list->store);
  l->add_flag("--all", list->all, "Revoked grants too");
  l->callback([list, run] { *run = [list] { return RunList(*list); }; });
  auto revoke = std::make_shared<GrantIdArgs>();
  CLI::App* r = sharing->add_subcommand("revoke", "End a grant at once");
  AddGovFlags(r, &revoke->store);
  r->add_option("--grant", revoke->grant, "The grant's id")->required();
  r->callback([revoke, run] { *run = [revoke] { return RunRevoke(*revoke); }; });
}

}  // namespace custodian::app
