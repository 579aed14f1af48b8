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
#include "session.h"
#include "store_flags.h"

namespace custodian::app {
namespace {

constexpr std::uintmax_t kMaxHotlistFileBytes = 1ull << 30;

struct CreateArgs {
  GovFlags store;
  std::string name, agency, category;
  bool fuzzy = false;
};

struct ImportArgs {
  GovFlags store;
  std::string list, format, file;
  double retro_hours = 72;
};

struct ListArgs {
  GovFlags store;
};

int Fail(std::string_view what, const Status& st) { return FailWith("hotlist " + std::string(what), st); }

int RunCreate(const CreateArgs& a) {
  auto category = store::ParseHotlistCategory(a.category);
  if (!category.ok()) return Fail("create", category.status());
  auto g = OpenAsUser(a.store);
  if (!g.ok()) return Fail("create", g.status());
  auto h = policy::PutHotlist(*g->gov, g->who, {.name = a.name, .agency_code = a.agency, .category = *category, .fuzzy = a.fuzzy});
  if (!h.ok()) return Fail("create", h.status());
  std::cout << "hotlist " << h->name << " (" << store::HotlistCategoryName(h->category) << ", agency "
            << h->agency_code << (h->fuzzy ? ", OCR-tolerant" : ", exact") << "): " << h->entries << " entries\n";
  return 0;
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
  if (a.format != "csv" && a.format != "svs") return Fail("import", Status::InvalidArgument("--format is csv or svs"));
  auto text = ReadFile(a.file);
  if (!text.ok()) return Fail("import", text.status());
  auto parsed = a.format == "csv" ? policy::ParseHotlistCsv(*text) : policy::ParseHotlistSvs(*text);
  for (const auto& e : parsed.errors) std::cerr << a.file << ":" << e.line << ": " << e.message << "\n";
  auto g = OpenAsUser(a.store);
  if (!g.ok()) return Fail("import", g.status());
  store::HotlistImportResult r;
  if (!parsed.entries.empty()) {
    auto window = std::chrono::milliseconds(int64_t(a.retro_hours * 3'600'000));
    auto imported = policy::ImportHotlistEntries(*g->gov, g->who, a.list, parsed.entries, window);
    if (!imported.ok()) return Fail("import", imported.status());
    r = *imported;
  }
  std::cout << "imported " << parsed.entries.size() << " entries into " << a.list << " (" << r.added << " added, "
            << r.updated << " updated); " << parsed.errors.size() << " malformed lines skipped; " << r.retro_alerts
            << " alerts on earlier reads\n";
  return parsed.errors.empty() ? 0 : 1;
}

int RunList(const ListArgs& a) {
  auto g = OpenAsUser(a.store);
  if (!g.ok()) return Fail("list", g.status());
  auto lists = policy::ListHotlists(*g->gov, g->who);
  if (!lists.ok()) return Fail("list", lists.status());
  if (lists->empty()) std::cout << "no hotlists\n";
  for (const auto& h : *lists) {
    std::cout << h.name << ": " << store::HotlistCategoryName(h.category) << ", agency " << h.agency_code
              << (h.fuzzy ? ", OCR-tolerant" : ", exact") << ", " << h.entries << " entries\n";
  }
  return 0;
}

}  // namespace

void RegisterHotlist(CLI::App& app, Action* run) {
  CLI::App* cmd = app.add_subcommand("hotlist", "Hotlists: create, import, list");
  cmd->require_subcommand(1);

  auto create_args = std::make_shared<CreateArgs>();
  CLI::App* create = cmd->add_subcommand("create", "Create or update a hotlist");
  AddGovFlags(create, &create_args->store);
  create->add_option("--name", create_args->name, "The list's name")->required();
  create->add_option("--agency", create_args->agency, "The owning agency's code")->required();
  create->add_option("--category", create_args->category,
                     "stolen_vehicle, stolen_plate, amber_missing_person, wanted, bolo or parking_scofflaw_permit")
      ->required();
  create->add_flag("--fuzzy", create_args->fuzzy, "Also match OCR look-alikes (0/O/D/Q, 1/I/L, 8/B ...)");
  create->callback([create_args, run] { *run = [create_args] { return RunCreate(*create_args); }; });

  auto import_args = std::make_shared<ImportArgs>();
  CLI::App* import = cmd->add_subcommand("import", "Import entries from a CSV or CA DOJ SVS file");
  AddGovFlags(import, &import_args->store);
  import->add_option("--list", import_args->list, "The hotlist")->required();
  import->add_option("--format", import_args->format, "csv or svs")->required();
  import->add_option("--retro-hours", import_args->retro_hours, "Match reads captured this many hours back")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 24.0 * 365));
  import->add_option("file", import_args->file, "The file")->required();
  import->callback([import_args, run] { *run = [import_args] { return RunImport(*import_args); }; });

  auto list_args = std::make_shared<ListArgs>();
  CLI::App* list = cmd->add_subcommand("list", "The hotlists and their entry counts");
  AddGovFlags(list, &list_args->store);
  list->callback([list_args, run] { *run = [list_args] { return RunList(*list_args); }; });
}

}  // namespace custodian::app
