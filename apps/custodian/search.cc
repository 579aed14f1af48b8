// custodian search: search plate reads through the governance layer (policy 4.A; every
// search states a purpose and a case number and is logged with its terms and count).
//   custodian search --purpose CODE --case NUMBER [--plate TERM --match exact|wildcard|fuzzy]
//                    [--from TIME] [--to TIME] [--camera ID]... [--class CLASS] [--json] [-n N] [--cursor C]
// --json prints {"reads": [...], "next_cursor": "..."}, each read in the one shape of a read
// (store::ReadToJson, as GET /api/v1/reads answers).
#include <iostream>

#include <nlohmann/json.hpp>

#include "custodian/policy/governed_ops.h"
#include "custodian/store/read_json.h"
#include "governed_subcommand.h"

namespace custodian::app {
namespace {

struct Args {
  GovFlags flags;
  policy::AccessPurpose why;
  std::string plate, match, from, to, data_class, cursor;
  std::vector<std::string> cameras;
  bool json = false;
  int limit = 20;
};

Result<store::SearchQuery> QueryOf(const Args& a) {
  store::SearchQuery q;
  std::string match = a.match.empty() ? (a.plate.empty() ? "any" : "exact") : a.match;
  auto m = store::ParsePlateMatch(match);
  if (!m.ok()) return Status::InvalidArgument("--match is exact, wildcard or fuzzy");
  q.match = *m;
  if (q.match != store::PlateMatch::kAny && a.plate.empty()) return Status::InvalidArgument("--match needs --plate");
  q.plate = a.plate;
  if (!a.from.empty()) {
    CUSTODIAN_ASSIGN_OR_RETURN(q.from, ParseUtc(a.from));
  }
  if (!a.to.empty()) {
    CUSTODIAN_ASSIGN_OR_RETURN(q.to, ParseUtc(a.to));
  }
  if (!a.data_class.empty()) {
    CUSTODIAN_ASSIGN_OR_RETURN(q.data_class, store::ParseDataClass(a.data_class));
  }
  q.camera_ids = a.cameras;
  q.limit = a.limit;
  q.cursor = a.cursor;
  return q;
}

int RunSearch(const Args& a) {
  auto q = QueryOf(a);
  if (!q.ok()) return FailWith("search", q.status());
  auto g = OpenAsUser(a.flags);
  if (!g.ok()) return FailWith("search", g.status());
  auto page = policy::SearchReads(*g->gov, g->who, a.why, *q);
  if (!page.ok()) return FailWith("search", page.status());
  if (a.json) {
    nlohmann::json out = {{"reads", nlohmann::json::array()}, {"next_cursor", page->next_cursor}};
    for (const auto& r : page->reads) out["reads"].push_back(store::ReadToJson(r));
    std::cout << out.dump() << "\n";
    return 0;
  }
  for (const auto& r : page->reads) {
    std::cout << "read " << r.id << " " << r.plate << (r.region.empty() ? "" : " " + r.region) << " at " << r.camera_id
              << " " << FormatUtc(r.captured_at) << " (" << store::DataClassName(r.data_class) << ", confidence "
              << r.confidence << ")\n";
  }
  std::cout << page->reads.size() << " reads" << (page->next_cursor.empty() ? "" : "; more with --cursor " + page->next_cursor)
            << "\n";
  return 0;
}

}  // namespace

void RegisterSearch(CLI::App& app, Action* run) {
  auto [cmd, a] = AddGovSubcommand<Args>(
      &app, "search", "Search plate reads (purpose and case number required; logged)", run, RunSearch);
  AddPurposeFlags(cmd, &a->why);
  cmd->add_option("--plate", a->plate, "The plate term");
  cmd->add_option("--match", a->match, "exact, wildcard or fuzzy (default: exact with --plate)");
  cmd->add_option("--from", a->from, "From this UTC time (YYYY-MM-DD[THH:MM:SSZ])");
  cmd->add_option("--to", a->to, "Up to this UTC time (exclusive)");
  cmd->add_option("--camera", a->cameras, "Only this camera (repeatable)");
  cmd->add_option("--class", a->data_class, "public_safety or non_public_safety");
  cmd->add_flag("--json", a->json, "One JSON object");
  cmd->add_option("-n,--limit", a->limit, "Reads per page")->capture_default_str()->check(
      CLI::Range(1, store::kMaxPageSize));
  cmd->add_option("--cursor", a->cursor, "The next page (from a previous search)");
}

}  // namespace custodian::app
