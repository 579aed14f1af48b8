// custodian hotlist: hotlists and their entries (policy 4.A.3).
// Acts as the logged-in user (manage_hotlists; view_hotlists to list).
//   custodian hotlist create --name NAME --agency CODE --category CATEGORY [--fuzzy]
//   custodian hotlist import --list NAME --format csv|svs [--retro-hours H] FILE
//   custodian hotlist list
// File formats: include/custodian/policy/hotlist_import.h. A malformed line is reported
// on stderr with its line number, the rest is imported, and the exit status is 1.
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.h"
#include "custodian/policy/governed_ops.h"
#include "custodian/policy/hotlist_import.h"
#include "governed_subcommand.h"
#include "session.h"
#include "store_flags.h"

namespace custodian::app {
namespace {

constexpr std::uintmax_t kMaxHotlistFileBytes = 1ull << 30;

struct CreateArgs {
  GovFlags flags;
  std::string name, agency, category;
  bool fuzzy = false;
};

struct ImportArgs {
  GovFlags flags;
  std::string list, format, file;
  double retro_hours = 72;
};

// ", OCR-tolerant" or ", exact": how a hotlist matches.
const char* MatchingOf(const store::Hotlist& h) {
  return h.fuzzy ? ", OCR-tolerant" : ", exact";
}

int RunCreate(const CreateArgs& a) {
  auto category = store::ParseHotlistCategory(a.category);
  if (!category.ok()) return FailWith("hotlist create", category.status());
  return RunAsUser("hotlist create", a.flags, [&](Governed& g) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(
        auto h, policy::PutHotlist(*g.gov, g.who,
                                   {.name = a.name, .agency_code = a.agency, .category = *category, .fuzzy = a.fuzzy}));
    std::cout << "hotlist " << h.name << " (" << store::HotlistCategoryName(h.category) << ", agency " << h.agency_code
              << MatchingOf(h) << "): " << h.entries << " entries\n";
    return Status::Ok();
  });
}

Result<std::string> ReadFile(const std::string& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) return Status::NotFound("cannot read ", path, ": ", ec.message());
  if (size > kMaxHotlistFileBytes) return Status::InvalidArgument(path, " is larger than 1 GiB");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open ", path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int RunImport(const ImportArgs& a) {
  const std::string what = "hotlist import";
  if (a.format != "csv" && a.format != "svs") return FailWith(what, Status::InvalidArgument("--format is csv or svs"));
  auto text = ReadFile(a.file);
  if (!text.ok()) return FailWith(what, text.status());
  auto parsed = a.format == "csv" ? policy::ParseHotlistCsv(*text) : policy::ParseHotlistSvs(*text);
  for (const auto& e : parsed.errors) std::cerr << a.file << ":" << e.line << ": " << e.message << "\n";
  int rc = RunAsUser(what, a.flags, [&](Governed& g) -> Status {
    store::HotlistImportResult r;
    if (!parsed.entries.empty()) {
      auto window = std::chrono::milliseconds(int64_t(a.retro_hours * 3'600'000));
      CUSTODIAN_ASSIGN_OR_RETURN(r, policy::ImportHotlistEntries(*g.gov, g.who, a.list, parsed.entries, window));
    }
    std::cout << "imported " << parsed.entries.size() << " entries into " << a.list << " (" << r.added << " added, "
              << r.updated << " updated); " << parsed.errors.size() << " malformed lines skipped; " << r.retro_alerts
              << " alerts on earlier reads\n";
    return Status::Ok();
  });
  return rc != 0 || !parsed.errors.empty() ? 1 : 0;
}

int RunList(const GovArgs& a) {
  return RunAsUser("hotlist list", a.flags, [&](Governed& g) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto lists, policy::ListHotlists(*g.gov, g.who));
    PrintEach(lists, "no hotlists\n", [](const store::Hotlist& h) {
      std::cout << h.name << ": " << store::HotlistCategoryName(h.category) << ", agency " << h.agency_code
                << MatchingOf(h) << ", " << h.entries << " entries\n";
    });
    return Status::Ok();
  });
}

}  // namespace

void RegisterHotlist(CLI::App& app, Action* run) {
  CLI::App* cmd = AddCommandGroup(app, "hotlist", "Hotlists: create, import, list");

  auto [create, create_args] =
      AddGovSubcommand<CreateArgs>(cmd, "create", "Create or update a hotlist", run, RunCreate);
  create->add_option("--name", create_args->name, "The list's name")->required();
  create->add_option("--agency", create_args->agency, "The owning agency's code")->required();
  create->add_option("--category", create_args->category,
                     "stolen_vehicle, stolen_plate, amber_missing_person, wanted, bolo or parking_scofflaw_permit")
      ->required();
  create->add_flag("--fuzzy", create_args->fuzzy, "Also match OCR look-alikes (0/O/D/Q, 1/I/L, 8/B ...)");

  auto [import, import_args] =
      AddGovSubcommand<ImportArgs>(cmd, "import", "Import entries from a CSV or CA DOJ SVS file", run, RunImport);
  import->add_option("--list", import_args->list, "The hotlist")->required();
  import->add_option("--format", import_args->format, "csv or svs")->required();
  import->add_option("--retro-hours", import_args->retro_hours, "Match reads captured this many hours back")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 24.0 * 365));
  import->add_option("file", import_args->file, "The file")->required();

  AddGovSubcommand<GovArgs>(cmd, "list", "The hotlists and their entry counts", run, RunList);
}

}  // namespace custodian::app
