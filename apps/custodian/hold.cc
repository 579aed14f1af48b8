// custodian hold: legal holds (policy section 3). A held read is never purged until every
// hold on it is released.
// Acts as the logged-in user through the governance layer (place_holds; plate data: the
// purpose is stated, the case number is the hold's).
//   custodian hold place --purpose CODE --case NUMBER --reason TEXT
//                        [--read ID]... [--plate TERM [--match exact|wildcard|fuzzy]
//                        [--from TIME] [--to TIME] [--camera ID]...]
//   custodian hold release --purpose CODE --id N
//   custodian hold list [--all]
#include <iostream>

#include "commands.h"
#include "custodian/policy/governed_ops.h"
#include "governed_subcommand.h"
#include "session.h"
#include "store_flags.h"

namespace custodian::app {
namespace {

struct PlaceArgs {
  GovFlags flags;
  std::string purpose, case_number, reason;
  std::vector<int64_t> read_ids;
  std::string plate, match = "exact", from, to;
  std::vector<std::string> cameras;
};

struct ReleaseArgs {
  GovFlags flags;
  int64_t id = 0;
  std::string purpose;
};

struct ListArgs {
  GovFlags flags;
  bool all = false;
};

void PrintHold(const store::Hold& h) {
  std::cout << "hold " << h.id << ": case " << h.case_number << ", " << h.reads << " reads, placed by "
            << h.placed_by << " at " << FormatUtc(h.placed_at);
  if (h.released_at) std::cout << ", released by " << h.released_by << " at " << FormatUtc(*h.released_at);
  std::cout << "; reason: " << h.reason << "\n";
}

Result<store::SearchQuery> QueryOf(const PlaceArgs& a) {
  store::SearchQuery q;
  auto m = store::ParsePlateMatch(a.match);
  if (!m.ok() || *m == store::PlateMatch::kAny) return Status::InvalidArgument("--match is exact, wildcard or fuzzy");
  q.match = *m;
  q.plate = a.plate;
  if (!a.from.empty()) {
    CUSTODIAN_ASSIGN_OR_RETURN(q.from, ParseUtc(a.from));
  }
  if (!a.to.empty()) {
    CUSTODIAN_ASSIGN_OR_RETURN(q.to, ParseUtc(a.to));
  }
  q.camera_ids = a.cameras;
  return q;
}

int RunPlace(const PlaceArgs& a) {
  store::HoldRequest req{.case_number = a.case_number, .reason = a.reason, .read_ids = a.read_ids};
  if (!a.plate.empty()) {
    auto q = QueryOf(a);
    if (!q.ok()) return FailWith("hold place", q.status());
    req.matching = *q;
  } else if (!a.from.empty() || !a.to.empty() || !a.cameras.empty()) {
    return FailWith("hold place",
                    Status::InvalidArgument("--from, --to and --camera narrow a --plate search; give --plate"));
  }
  return RunAsUser("hold place", a.flags, [&](Governed& g) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto h, policy::PlaceHold(*g.gov, g.who, a.purpose, std::move(req)));
    PrintHold(h);
    return Status::Ok();
  });
}

int RunRelease(const ReleaseArgs& a) {
  return RunAsUser("hold release", a.flags, [&](Governed& g) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto h, policy::ReleaseHold(*g.gov, g.who, a.purpose, a.id));
    PrintHold(h);
    return Status::Ok();
  });
}

int RunList(const ListArgs& a) {
  return RunAsUser("hold list", a.flags, [&](Governed& g) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto holds, policy::ListHolds(*g.gov, g.who, a.all));
    PrintEach(holds, a.all ? "no holds\n" : "no holds in force\n", PrintHold);
    return Status::Ok();
  });
}

}  // namespace

void RegisterHold(CLI::App& app, Action* run) {
  CLI::App* cmd = AddCommandGroup(app, "hold", "Legal holds (policy section 3): place, release, list");

  auto [place, place_args] =
      AddGovSubcommand<PlaceArgs>(cmd, "place", "Hold reads (by id, or every read matching a search)", run, RunPlace);
  place->add_option("--purpose", place_args->purpose, "Why: a purpose code (see custodian roles)")->required();
  place->add_option("--case", place_args->case_number, "Case number")->required();
  place->add_option("--reason", place_args->reason, "Why the reads are held")->required();
  place->add_option("--read", place_args->read_ids, "A read id to hold (repeatable)");
  place->add_option("--plate", place_args->plate, "Hold every read matching this plate term");
  place->add_option("--match", place_args->match, "exact, wildcard or fuzzy")->capture_default_str();
  place->add_option("--from", place_args->from, "Search from this UTC time (YYYY-MM-DD[THH:MM:SSZ])");
  place->add_option("--to", place_args->to, "Search up to this UTC time (exclusive)");
  place->add_option("--camera", place_args->cameras, "Only reads from this camera (repeatable)");

  auto [release, release_args] = AddGovSubcommand<ReleaseArgs>(
      cmd, "release", "Release a hold: its reads return to normal retention", run, RunRelease);
  release->add_option("--id", release_args->id, "The hold")->required();
  release->add_option("--purpose", release_args->purpose, "Why: a purpose code")->required();

  auto [list, list_args] = AddGovSubcommand<ListArgs>(cmd, "list", "Holds in force, newest first", run, RunList);
  list->add_flag("--all", list_args->all, "Include released holds");
}

}  // namespace custodian::app
