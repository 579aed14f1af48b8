// custodian audit: the access log (Civil Code 1798.90.52; policy 4.A.1 and 5.C). Every
// read of the log is itself logged.
//   custodian audit log [--user NAME] [--action A] [--outcome allowed|denied|failed] [--case N]
//                       [--term TEXT] [--from TIME] [--to TIME] [--after SEQ] [--limit N] [--json]
//   custodian audit verify [--system] [--against FILE]
//                                       exit status 1, naming the first bad entry, when broken
//   custodian audit checkpoint          sign the head of the chain now
//   custodian audit head [--system]     the newest signed head, one JSON line
// --system runs verify (or head) as a maintenance job (logged as the system) without a
// session. --against FILE also checks the log against signed heads saved earlier (from the
// system journal or /api/v1/transparency): one head object, a JSON array of heads, JSON
// lines of heads, or a saved /api/v1/transparency answer. A head not signed by the agency
// key, beyond the log's end (the log was cut off), or whose hash differs from the log's
// entry at its seq (the log was rewritten) fails, naming the seq.
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "session.h"

namespace custodian::app {
namespace {

struct Args {
  GovFlags flags;
  std::string user, action, outcome, case_number, term, from, to;
  int64_t after = 0;
  int limit = 100;
  bool json = false, system = false;
  std::string against;
};

int RunLog(const Args& a) {
  policy::LogFilter f{.username = a.user, .action = a.action, .outcome = a.outcome, .case_number = a.case_number,
                      .term = a.term, .after_seq = a.after, .limit = a.limit};
  if (!a.from.empty()) {
    auto t = ParseUtc(a.from);
    if (!t.ok()) return FailWith("audit log", t.status());
    f.from = *t;
  }
  if (!a.to.empty()) {
    auto t = ParseUtc(a.to);
    if (!t.ok()) return FailWith("audit log", t.status());
    f.to = *t;
  }
  auto g = OpenAsUser(a.flags);
  if (!g.ok()) return FailWith("audit log", g.status());
  auto entries = g->gov->ReadLog(g->who, f);
  if (!entries.ok()) return FailWith("audit log", entries.status());
  for (const auto& e : *entries) {
    if (a.json) {
      std::cout << nlohmann::json{{"seq", e.seq},           {"at", FormatUtc(e.at)},   {"username", e.username},
                                  {"agency", e.agency_code}, {"source", e.source},      {"action", e.action},
                                  {"outcome", e.outcome},    {"terms", e.terms},        {"purpose", e.purpose},
                                  {"case", e.case_number},   {"records", e.records},    {"detail", e.detail},
                                  {"hash", e.hash}}
                       .dump()
                << "\n";
    } else {
      std::cout << e.seq << " " << FormatUtc(e.at) << " " << e.username << "@" << e.source << " " << e.action << " "
                << e.outcome << " terms=" << e.terms;
      if (!e.purpose.empty() || !e.case_number.empty()) std::cout << " purpose=" << e.purpose << " case=" << e.case_number;
      std::cout << " records=" << e.records;
      if (!e.detail.empty()) std::cout << " - " << e.detail;
      std::cout << "\n";
    }
  }
  return 0;
}

int RunVerify(const Args& a) {
  std::vector<policy::SignedHead> heads;
  if (!a.against.empty()) {
    std::ifstream in(a.against, std::ios::binary);
    if (!in) return FailWith("audit verify", Status::NotFound("cannot read ", a.against));
    std::ostringstream text;
    text << in.rdbuf();
    auto parsed = policy::ParseSignedHeads(text.str());
    if (!parsed.ok()) {
      return FailWith("audit verify", Status::InvalidArgument(a.against, ": ", parsed.status().message()));
    }
    heads = std::move(*parsed);
  }
  auto g = a.system ? OpenAsSystem(a.flags, "verify") : OpenAsUser(a.flags);
  if (!g.ok()) return FailWith("audit verify", g.status());
  auto v = g->gov->VerifyLog(g->who, heads);
  if (!v.ok()) return FailWith("audit verify", v.status());
  if (v->ok) {
    std::cout << "access log intact: " << v->entries << " entries, " << v->checkpoints << " signed checkpoints";
    if (!a.against.empty()) std::cout << ", " << v->heads << " saved heads match";
    std::cout << "\n";
    return 0;
  }
  std::cout << "access log BROKEN at entry " << v->first_bad_seq << ": " << v->problem << " (" << v->entries
            << " entries checked)\n";
  return 1;
}

int RunCheckpoint(const Args& a) {
  auto g = OpenAsUser(a.flags);
  if (!g.ok()) return FailWith("audit checkpoint", g.status());
  auto seq = g->gov->CheckpointLog(g->who);
  if (!seq.ok()) return FailWith("audit checkpoint", seq.status());
  std::cout << "signed checkpoint at entry " << *seq << "\n";
  return 0;
}

int RunHead(const Args& a) {
  auto g = a.system ? OpenAsSystem(a.flags, "head") : OpenAsUser(a.flags);
  if (!g.ok()) return FailWith("audit head", g.status());
  auto head = g->gov->LatestHead();
  if (!head.ok()) return FailWith("audit head", head.status());
  if (!*head) {
    return FailWith("audit head", Status::NotFound("the access log has no signed checkpoint yet; sign one with: "
                                                   "custodian audit checkpoint"));
  }
  std::cout << policy::SignedHeadJson(**head) << "\n";
  return 0;
}

}  // namespace

void RegisterAudit(CLI::App& app, Action* run) {
  CLI::App* cmd = app.add_subcommand("audit", "The access log: log, verify, checkpoint, head");
  cmd->require_subcommand(1);
  auto la = std::make_shared<Args>();
  CLI::App* log = cmd->add_subcommand("log", "Entries of the access log, oldest first");
  AddGovFlags(log, &la->flags);
  log->add_option("--user", la->user, "Only this user's entries");
  log->add_option("--action", la->action, "Only this action, e.g. search_reads");
  log->add_option("--outcome", la->outcome, "allowed, denied or failed");
  log->add_option("--case", la->case_number, "Only this case number");
  log->add_option("--term", la->term, "Entries whose terms contain this text");
  log->add_option("--from", la->from, "From this UTC time");
  log->add_option("--to", la->to, "Up to this UTC time (exclusive)");
  log->add_option("--after", la->after, "Entries after this sequence number (paging)");
  log->add_option("--limit", la->limit, "At most this many")->capture_default_str()->check(CLI::Range(1, 1000));
  log->add_flag("--json", la->json, "One JSON object per line");
  log->callback([la, run] { *run = [la] { return RunLog(*la); }; });

  auto va = std::make_shared<Args>();
  CLI::App* verify = cmd->add_subcommand("verify", "Check the hash chain and signed checkpoints");
  AddGovFlags(verify, &va->flags);
  verify->add_flag("--system", va->system, "Run as the system (a maintenance job; no session)");
  verify->add_option("--against", va->against,
                     "Also check signed heads saved earlier: a file of one head, a JSON array or JSON lines of "
                     "heads, or a saved /api/v1/transparency answer");
  verify->callback([va, run] { *run = [va] { return RunVerify(*va); }; });

  auto ca = std::make_shared<Args>();
  CLI::App* cp = cmd->add_subcommand("checkpoint", "Sign the head of the chain");
  AddGovFlags(cp, &ca->flags);
  cp->callback([ca, run] { *run = [ca] { return RunCheckpoint(*ca); }; });

  auto ha = std::make_shared<Args>();
  CLI::App* head = cmd->add_subcommand("head", "The newest signed head of the log (one JSON line) to keep a copy of");
  AddGovFlags(head, &ha->flags);
  head->add_flag("--system", ha->system, "Run as the system (no session)");
  head->callback([ha, run] { *run = [ha] { return RunHead(*ha); }; });
}

}  // namespace custodian::app
