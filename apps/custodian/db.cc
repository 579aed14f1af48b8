// custodian db: the records store's database.
//   custodian db migrate --db URL [--server-role ROLE]
//                                              bring the schema to this binary's version; on
//                                              PostgreSQL, as the owner, grant ROLE what the
//                                              server needs (and no DDL, no log rewrite)
//   custodian db status --db URL               print the schema version (exit 1 if not current)
//                                              and whether the URL's role is confined
//   custodian db verify-images --db URL [--images DIR] [--key FILE] [--remove-orphans]
// The URL may come from $CUSTODIAN_DB instead of --db, keeping a password out of `ps`.
#include <iostream>

#include "commands.h"
#include "custodian/store/read_store.h"
#include "store_flags.h"

namespace custodian::app {
namespace {

struct DbArgs {
  std::string url;
  std::string images;
  std::string key;
  std::string server_role;
  bool remove_orphans = false;
  double grace_hours = 1;
};

int Fail(std::string_view what, const Status& st) {
  std::cerr << "custodian db " << what << ": " << st.ToString() << "\n";
  return 1;
}

bool ResolveUrl(DbArgs& a, std::string_view what) {
  auto url = StoreUrl(a.url);
  if (!url.ok()) {
    std::cerr << "custodian db " << what << ": " << url.status().message() << "\n";
    return false;
  }
  a.url = *url;
  return true;
}

int RunMigrate(DbArgs a) {
  if (!ResolveUrl(a, "migrate")) return 2;
  auto before = store::InspectDatabase(a.url);
  auto after = store::MigrateDatabase(a.url);
  if (!after.ok()) return Fail("migrate", after.status());
  int from = before.ok() ? before->version : 0;
  if (from == after->version) {
    std::cout << after->backend << " database already at schema version " << after->version << "\n";
  } else {
    std::cout << after->backend << " database migrated from schema version " << from << " to " << after->version
              << "\n";
  }
  if (!a.server_role.empty()) {
    Status granted = store::GrantServerRole(a.url, a.server_role);
    if (!granted.ok()) return Fail("migrate", granted);
    std::cout << "role " << a.server_role
              << " may now run custodian serve: read and write the records, append to the access log; "
                 "no schema change, no log rewrite\n";
  }
  return 0;
}

int RunStatus(DbArgs a) {
  if (!ResolveUrl(a, "status")) return 2;
  auto st = store::InspectDatabase(a.url);
  if (!st.ok()) return Fail("status", st.status());
  std::cout << st->backend << " database at schema version " << st->version << "; this binary's is " << st->latest
            << (st->version == st->latest  ? " (current)"
                : st->version < st->latest ? " (run custodian db migrate)"
                                           : " (newer than this binary)")
            << "\n";
  auto role = store::InspectDatabaseRole(a.url);
  if (!role.ok()) return Fail("status", role.status());
  if (role->backend == "postgresql") {
    std::cout << "connected as role " << role->name << ": "
              << (role->confined ? "confined (no schema change, no access-log rewrite)"
                                 : "not confined: it " + role->why +
                                       " (fine for migrations; give custodian serve a role made with "
                                       "custodian db migrate --server-role)")
              << "\n";
  }
  return st->version == st->latest ? 0 : 1;
}

int RunVerifyImages(DbArgs a) {
  if (!ResolveUrl(a, "verify-images")) return 2;
  auto s = store::OpenStore(a.url, {.image_dir = a.images, .key_file = a.key, .create_key = false});
  if (!s.ok()) return Fail("verify-images", s.status());
  auto grace = std::chrono::milliseconds(int64_t(a.grace_hours * 3'600'000));
  auto report = (*s)->VerifyImages({.remove_orphans = a.remove_orphans, .grace = grace});
  if (!report.ok()) return Fail("verify-images", report.status());
  std::cout << "image files: " << report->files << "\norphans: " << report->orphans
            << "\norphans removed: " << report->orphans_removed << "\nmissing: " << report->missing << "\n";
  return report->missing == 0 ? 0 : 1;
}

void AddDbFlag(CLI::App* cmd, DbArgs* a) {
  cmd->add_option("--db", a->url, "Store URL: sqlite:///abs/path/file.db or postgresql://... (default: $CUSTODIAN_DB)");
}

}  // namespace

void RegisterDb(CLI::App& app, Action* run) {
  CLI::App* db = AddCommandGroup(app, "db", "The records store's database: migrate, status, verify-images");

  auto [migrate, migrate_args] =
      AddSubcommand<DbArgs>(db, "migrate", "Apply pending schema migrations (creates a SQLite file)", run, RunMigrate);
  AddDbFlag(migrate, migrate_args.get());
  migrate->add_option("--server-role", migrate_args->server_role,
                      "PostgreSQL: an existing role to grant what custodian serve needs (run as the owner)");

  auto [status, status_args] =
      AddSubcommand<DbArgs>(db, "status", "Print the schema version; exit status 1 unless current", run, RunStatus);
  AddDbFlag(status, status_args.get());

  auto [verify, verify_args] = AddSubcommand<DbArgs>(
      db, "verify-images", "Count orphan and missing image files; optionally delete orphans", run, RunVerifyImages);
  AddDbFlag(verify, verify_args.get());
  verify->add_option("--images", verify_args->images, "Image folder (default: images beside a SQLite file)");
  verify->add_option("--key", verify_args->key, "Image key file (default: image.key beside the image folder)");
  verify->add_flag("--remove-orphans", verify_args->remove_orphans, "Delete orphan files");
  verify->add_option("--grace-hours", verify_args->grace_hours, "Files younger than this are never orphans")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
}

}  // namespace custodian::app
