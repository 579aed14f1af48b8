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
#include "governed_subcommand.h"
#include "session.h"

namespace custodian::app {
namespace {

struct GrantArgs {
  GovFlags flags;
  std::string agency, expires;
  std::vector<std::string> classes, cameras;
};

struct AttestArgs {
  GovFlags flags;
  int64_t grant = 0;
  std::string signatory, signed_on, text_file;
};

struct GrantIdArgs {
  GovFlags flags;
  int64_t grant = 0;
  bool all = false;
};

// "YYYY-MM-DD" (midnight UTC) or a full RFC 3339 time.
Result<TimePoint> Day(const std::string& text) {
  return ParseUtcTime(text.size() == 10 ? text + "T00:00:00Z" : text);
}

// What `sharing list` says of a grant's standing.
std::string StandingOf(const policy::SharingGrant& gr) {
  if (gr.in_force) return "in force (attested by " + gr.attested_signatory + ")";
  if (gr.revoked_at) return "revoked by " + gr.revoked_by;
  return !gr.attested_on ? "awaiting attestation" : "not in force";
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
  return RunAsUser(what, a.flags, [&](Governed& g) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, policy::GrantSharing(*g.gov, g.who, spec));
    std::cout << "grant " << id << " to " << a.agency << " until " << FormatUtcTime(spec.expires)
              << "; not in force until the partner's attestation is recorded: custodian sharing attest --grant " << id
              << " --signatory NAME\n";
    return Status::Ok();
  });
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
  return RunAsUser(what, a.flags, [&](Governed& g) -> Status {
    if (a.signed_on.empty()) {
      att.signed_on = g.gov->clock().Now();
    } else {
      CUSTODIAN_ASSIGN_OR_RETURN(att.signed_on, Day(a.signed_on));
    }
    CUSTODIAN_RETURN_IF_ERROR(policy::AttestSharing(*g.gov, g.who, a.grant, att));
    std::cout << "grant " << a.grant << " attested by " << a.signatory << "; in force\n";
    return Status::Ok();
  });
}

int RunList(const GrantIdArgs& a) {
  return RunAsUser("sharing list", a.flags, [&](Governed& g) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto grants, policy::ListGrants(*g.gov, g.who, a.all));
    for (const auto& gr : grants) {
      std::cout << gr.id << "\t" << gr.agency_code << "\t";
      for (size_t i = 0; i < gr.data_classes.size(); ++i) {
        std::cout << (i ? "," : "") << store::DataClassName(gr.data_classes[i]);
      }
      std::cout << "\t"
                << (gr.camera_ids.empty() ? std::string("all cameras")
                                          : std::to_string(gr.camera_ids.size()) + " cameras")
                << "\tuntil " << FormatUtcTime(gr.expires) << "\t" << StandingOf(gr) << "\n";
    }
    return Status::Ok();
  });
}

int RunRevoke(const GrantIdArgs& a) {
  return RunAsUser("sharing revoke", a.flags, [&](Governed& g) -> Status {
    CUSTODIAN_RETURN_IF_ERROR(policy::RevokeSharing(*g.gov, g.who, a.grant));
    std::cout << "grant " << a.grant << " revoked\n";
    return Status::Ok();
  });
}

}  // namespace

void RegisterSharing(CLI::App& app, Action* run) {
  CLI::App* sharing = AddCommandGroup(app, "sharing", "Sharing grants to other California public agencies");
  auto [g, grant] = AddGovSubcommand<GrantArgs>(
      sharing, "grant", "Grant a partner agency data classes (and cameras) until a date", run, RunGrant);
  g->add_option("--agency", grant->agency, "The partner agency's code")->required();
  g->add_option("--class", grant->classes, "public_safety or non_public_safety (repeat for both)")->required();
  g->add_option("--camera", grant->cameras, "Only this camera (repeat; default: every camera of the classes)");
  g->add_option("--expires", grant->expires, "When it ends, YYYY-MM-DD (at most a year ahead)")->required();
  auto [at, attest] = AddGovSubcommand<AttestArgs>(
      sharing, "attest",
      std::string("Record the partner's signed attestation; the grant is in force from then. Standard text: ") +
          policy::kStandardAttestation,
      run, RunAttest);
  at->add_option("--grant", attest->grant, "The grant's id")->required();
  at->add_option("--signatory", attest->signatory, "Who signed for the partner agency")->required();
  at->add_option("--signed", attest->signed_on, "The date it was signed, YYYY-MM-DD (default: today)");
  at->add_option("--text", attest->text_file, "A file with the text signed (default: the standard text)");
  auto [l, list] =
      AddGovSubcommand<GrantIdArgs>(sharing, "list", "Every grant and whether it is in force", run, RunList);
  l->add_flag("--all", list->all, "Revoked grants too");
  auto [r, revoke] = AddGovSubcommand<GrantIdArgs>(sharing, "revoke", "End a grant at once", run, RunRevoke);
  r->add_option("--grant", revoke->grant, "The grant's id")->required();
}

}  // namespace custodian::app
