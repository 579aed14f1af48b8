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
#include "governed_subcommand.h"
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

void PrintEntry(const policy::LogEntry& e, bool as_json) {
  if (as_json) {
    std::cout << nlohmann::json{{"seq", e.seq},           {"at", FormatUtc(e.at)},
                                {"username", e.username}, {"agency", e.agency_code},
                                {"source", e.source},     {"action", e.action},
                                {"outcome", e.outcome},   {"terms", e.terms},
                                {"purpose", e.purpose},   {"case", e.case_number},
                                {"records", e.records},   {"detail", e.detail},
                                {"hash", e.hash}}
                     .dump()
              << "\n";
    return;
  }
  std::cout << e.seq << " " << FormatUtc(e.at) << " " << e.username << "@" << e.source << " " << e.action << " "
            << e.outcome << " terms=" << e.terms;
  if (!e.purpose.empty() || !e.case_number.empty()) std::cout << " purpose=" << e.purpose << " case=" << e.case_number;
  std::cout << " records=" << e.records;
  if (!e.detail.empty()) std::cout << " - " << e.detail;
  std::cout << "\n";
}

// The filter `audit log` reads the log with; kInvalidArgument for a malformed time.
Result<policy::LogFilter> FilterOf(const Args& a) {
  policy::LogFilter f{.username = a.user, .action = a.action, .outcome = a.outcome, .case_number = a.case_number,
                      .term = a.term, .after_seq = a.after, .limit = a.limit};
  if (!a.from.empty()) {
    CUSTODIAN_ASSIGN_OR_RETURN(f.from, ParseUtc(a.from));
  }
  if (!a.to.empty()) {
    CUSTODIAN_ASSIGN_OR_RETURN(f.to, ParseUtc(a.to));
  }
  return f;
}

// The store opened as the `--system` maintenance job `job`, or as the logged-in user.
Result<Governed> OpenFor(const Args& a, std::string_view job) {
  return a.system ? OpenAsSystem(a.flags, job) : OpenAsUser(a.flags);
}

int RunLog(const Args& a) {
  auto f = FilterOf(a);
  if (!f.ok()) return FailWith("audit log", f.status());
  return RunAsUser("audit log", a.flags, [&](Governed& g) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto entries, g.gov->ReadLog(g.who, *f));
    for (const auto& e : entries) PrintEntry(e, a.json);
    return Status::Ok();
  });
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
  bool intact = false;
  int rc = RunGoverned("audit verify", OpenFor(a, "verify"), [&](Governed& g) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto v, g.gov->VerifyLog(g.who, heads));
    intact = v.ok;
    if (v.ok) {
      std::cout << "access log intact: " << v.entries << " entries, " << v.checkpoints << " signed checkpoints";
      if (!a.against.empty()) std::cout << ", " << v.heads << " saved heads match";
      std::cout << "\n";
    } else {
      std::cout << "access log BROKEN at entry " << v.first_bad_seq << ": " << v.problem << " (" << v.entries
                << " entries checked)\n";
    }
    return Status::Ok();
  });
  return rc != 0 || !intact ? 1 : 0;
}

int RunCheckpoint(const Args& a) {
  return RunAsUser("audit checkpoint", a.flags, [&](Governed& g) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t seq, g.gov->CheckpointLog(g.who));
    std::cout << "signed checkpoint at entry " << seq << "\n";
    return Status::Ok();
  });
}

int RunHead(const Args& a) {
  return RunGoverned("audit head", OpenFor(a, "head"), [&](Governed& g) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto head, g.gov->LatestHead());
    if (!head) {
      return Status::NotFound("the access log has no signed checkpoint yet; sign one with: custodian audit checkpoint");
    }
    std::cout << policy::SignedHeadJson(*head) << "\n";
    return Status::Ok();
  });
}

}  // namespace

void RegisterAudit(CLI::App& app, Action* run) {
  CLI::App* cmd = AddCommandGroup(app, "audit", "The access log: log, verify, checkpoint, head");
  auto [log, la] = AddGovSubcommand<Args>(cmd, "log", "Entries of the access log, oldest first", run, RunLog);
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

  auto [verify, va] =
      AddGovSubcommand<Args>(cmd, "verify", "Check the hash chain and signed checkpoints", run, RunVerify);
  verify->add_flag("--system", va->system, "Run as the system (a maintenance job; no session)");
  verify->add_option("--against", va->against,
                     "Also check signed heads saved earlier: a file of one head, a JSON array or JSON lines of "
                     "heads, or a saved /api/v1/transparency answer");

  AddGovSubcommand<Args>(cmd, "checkpoint", "Sign the head of the chain", run, RunCheckpoint);

  auto [head, ha] = AddGovSubcommand<Args>(
      cmd, "head", "The newest signed head of the log (one JSON line) to keep a copy of", run, RunHead);
  head->add_flag("--system", ha->system, "Run as the system (no session)");
}

}  // namespace custodian::app
