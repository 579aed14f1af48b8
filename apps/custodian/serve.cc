// custodian serve: the HTTPS server (API and web application) with its maintenance jobs.
//   custodian serve [--config FILE] [--data-dir DIR] [--listen HOST:PORT] [--db URL]
//                   [--web-root DIR] [--demo]
// With no options: the embedded SQLite default under ./custodian-data, listening on
// 127.0.0.1:8443 with a self-signed certificate (created on the first run, fingerprint
// printed). On the first run the first coordinator account is created and its one-time
// password printed once. Maintenance jobs (purge, inactivity sweep, log checkpoint) run
// as the system and are logged as such.
#include <signal.h>

#include <cctype>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <string_view>
#include <thread>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "custodian/policy/governed_ops.h"
#include "custodian/policy/retention.h"
#include "custodian/server/server.h"
#include "custodian/server/webhooks.h"
#include "custodian/vision/image.h"

namespace custodian::app {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

struct ServeArgs {
  std::string config;
  std::string data_dir = "custodian-data";
  std::string listen = "127.0.0.1:8443";
  std::string db;
  std::string web_root;
  std::string models;
  bool demo = false;
  // From the config file only (documented in docs/configuration.md).
  std::string cert, key, client_ca;
  std::string agency_code = "CITY", agency_name = "City of Custodian";
  std::string first_user = "coordinator";
  int threads = 0;
  std::string metrics_token;
  bool allow_unconfined_db_role = false;  // PostgreSQL: run as a role that may alter the schema
  int max_streams = 0, max_streams_per_user = 0;  // 0: the server's defaults
  int public_safety_days = 365, non_public_safety_days = 365;
  int purge_interval_minutes = 60;
  int checkpoint_interval_minutes = 10;
  int sqlite_cache_mib = store::StoreOptions{}.cache_mib;
  int sqlite_resident_mib = store::kServerResidentMib;
  std::vector<server::WebhookTarget> webhooks;  // alerts pushed to other systems
};

std::atomic<bool> g_stop{false};
std::mutex g_mu;
std::condition_variable g_cv;

void OnSignal(int) {
  g_stop = true;
  g_cv.notify_all();
}

// Applies a JSON config file: every key optional; unknown keys are an error (typos must
// not silently fall back to defaults).
Status ApplyConfig(const std::string& file, ServeArgs& a) {
  std::ifstream in(file);
  if (!in) return Status::NotFound("config file ", file, " cannot be read");
  json j = json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument(file, " is not a JSON object");
  // The keys that take a string, and those that take an integer, and where each goes.
  const std::map<std::string_view, std::string*> strings = {{"data_dir", &a.data_dir},
                                                            {"listen", &a.listen},
                                                            {"database", &a.db},
                                                            {"web_root", &a.web_root},
                                                            {"models", &a.models},
                                                            {"tls_cert", &a.cert},
                                                            {"tls_key", &a.key},
                                                            {"client_ca", &a.client_ca},
                                                            {"agency_code", &a.agency_code},
                                                            {"agency_name", &a.agency_name},
                                                            {"first_user", &a.first_user},
                                                            {"metrics_token", &a.metrics_token}};
  const std::map<std::string_view, int*> numbers = {{"threads", &a.threads},
                                                    {"max_alert_streams", &a.max_streams},
                                                    {"max_alert_streams_per_user", &a.max_streams_per_user},
                                                    {"retention_public_safety_days", &a.public_safety_days},
                                                    {"retention_non_public_safety_days", &a.non_public_safety_days},
                                                    {"purge_interval_minutes", &a.purge_interval_minutes},
                                                    {"checkpoint_interval_minutes", &a.checkpoint_interval_minutes},
                                                    {"sqlite_cache_mib", &a.sqlite_cache_mib},
                                                    {"sqlite_resident_mib", &a.sqlite_resident_mib}};
  for (auto& [k, v] : j.items()) {
    if (auto s = strings.find(k); s != strings.end()) {
      if (!v.is_string()) return Status::InvalidArgument(file, ": ", k, " must be a string");
      *s->second = v.get<std::string>();
    } else if (auto n = numbers.find(k); n != numbers.end()) {
      if (!v.is_number_integer()) return Status::InvalidArgument(file, ": ", k, " must be an integer");
      *n->second = v.get<int>();
    } else if (k == "allow_unconfined_db_role") {
      if (!v.is_boolean()) return Status::InvalidArgument(file, ": ", k, " must be true or false");
      a.allow_unconfined_db_role = v.get<bool>();
    } else if (k == "webhooks") {
      constexpr const char* kShape =
          ": each webhook is {\"url\": ..., \"secret\": ..., \"agency\": \"<agency code>\", \"classes\": "
          "[\"public_safety\" and/or \"non_public_safety\"]}";
      if (!v.is_array()) return Status::InvalidArgument(file, ": webhooks is an array", kShape);
      for (const auto& w : v) {
        if (!w.is_object() || !w.contains("url") || !w.contains("secret") || !w["url"].is_string() ||
            !w["secret"].is_string() || !w.contains("agency") || !w["agency"].is_string() || !w.contains("classes") ||
            !w["classes"].is_array()) {
          return Status::InvalidArgument(file, kShape);
        }
        server::WebhookTarget t{.url = w["url"].get<std::string>(),
                                .secret = w["secret"].get<std::string>(),
                                .agency_code = w["agency"].get<std::string>()};
        for (const auto& c : w["classes"]) {
          auto dc = store::ParseDataClass(c.is_string() ? c.get<std::string>() : "");
          if (!dc.ok()) return Status::InvalidArgument(file, ": webhook classes: ", dc.status().message());
          t.data_classes.push_back(*dc);
        }
        CUSTODIAN_RETURN_IF_ERROR(server::CheckWebhookTarget(t));
        a.webhooks.push_back(std::move(t));
      }
    } else if (k == "demo") {
      if (!v.is_boolean()) return Status::InvalidArgument(file, ": demo must be true or false");
      a.demo = v.get<bool>();
    } else if (k.rfind("_", 0) == 0) {
      continue;  // comments
    } else {
      return Status::InvalidArgument(file, ": unknown option '", k, "' (see docs/configuration.md)");
    }
  }
  return Status::Ok();
}

// The built web application: --web-root, else beside the binary (build/web), else the
// installed copy.
fs::path FindWebRoot(const std::string& flag) {
  if (!flag.empty()) return flag;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  for (const fs::path& p : {exe.parent_path() / "web", fs::path("/usr/share/custodian/web")}) {
    if (fs::exists(p / "index.html", ec)) return p;
  }
  return {};
}

// Waits up to `d` or until a stop is asked; true when stopping.
bool WaitOrStop(std::chrono::milliseconds d) {
  std::unique_lock lock(g_mu);
  return g_cv.wait_for(lock, d, [] { return g_stop.load(); });
}

// Feeds the project's sample scenes through the engine as camera "demo-1", so a new user
// sees reads (and, from the demo hotlist, an alert) within a minute.
void DemoFeeder(store::ReadStore& store, const std::string& models) {
  auto eng = OpenEngineSession(ToEngineOptions({.country = "auto", .models = models}));
  if (!eng.ok()) {
    std::cerr << "custodian serve: demo: " << eng.status().ToString() << "\n";
    return;
  }
  std::vector<fs::path> scenes;
  std::error_code ec;
  for (const fs::path& dir : {fs::path("samples"), DefaultModelDir().parent_path() / "samples",
                              fs::path("/usr/share/custodian/samples")}) {
    for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
      if (IsImageFileName(it->path())) scenes.push_back(it->path());
    }
    if (!scenes.empty()) break;
  }
  std::sort(scenes.begin(), scenes.end());
  if (scenes.empty()) {
    std::cerr << "custodian serve: demo: no sample images found (samples/)\n";
    return;
  }
  int64_t n = 0;
  while (!g_stop) {
    const fs::path& scene = scenes[size_t(n) % scenes.size()];
    std::ifstream in(scene, std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto img = vision::DecodeImage(bytes, {});
    if (img.ok()) {
      auto rec = eng->session->Recognize(vision::View(*img));
      if (rec.ok()) {
        for (const auto& p : rec->plates) {
          store::ReadInput r;
          r.event_id = "demo-" + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                    std::chrono::system_clock::now().time_since_epoch())
                                                    .count()) +
                       "-" + std::to_string(n);
          r.camera_id = "demo-1";
          r.captured_at = SystemClock::Default().Now();
          r.plate = p.text;
          r.confidence = p.confidence;
          r.country = p.country;
          for (char c : p.region) r.region.push_back(char(std::toupper(static_cast<unsigned char>(c))));
          for (const auto& c : p.candidates) r.candidates.push_back({c.text, c.confidence});
          r.frame = bytes;
          auto res = store.IngestOne(r);
          if (!res.ok()) std::cerr << "custodian serve: demo ingest: " << res.status().ToString() << "\n";
        }
      }
    }
    ++n;
    if (WaitOrStop(std::chrono::seconds(5))) break;
  }
}

int Serve(ServeArgs a) {
  if (!a.config.empty()) {
    if (Status st = ApplyConfig(a.config, a); !st.ok()) {
      std::cerr << "custodian serve: " << st.ToString() << "\n";
      return 2;
    }
  }
  auto colon = a.listen.rfind(':');
  if (colon == std::string::npos) {
    std::cerr << "custodian serve: --listen is HOST:PORT\n";
    return 2;
  }
  server::ServerOptions so;
  so.listen_host = a.listen.substr(0, colon);
  so.listen_port = std::atoi(a.listen.c_str() + colon + 1);
  so.threads = a.threads;
  so.log_requests = true;
  so.metrics_token = a.metrics_token;
  if (a.max_streams > 0) so.max_streams = a.max_streams;
  if (a.max_streams_per_user > 0) so.max_streams_per_user = a.max_streams_per_user;
  std::error_code ec;
  const fs::path data = fs::absolute(a.data_dir, ec);
  fs::create_directories(data, ec);
  fs::permissions(data, fs::perms::owner_all, fs::perm_options::replace, ec);
  const bool embedded = a.db.empty();
  const std::string url = embedded ? "sqlite://" + (data / "custodian.db").string() : a.db;
  // PostgreSQL: the server's role must not be able to alter the schema (drop the access
  // log's append-only triggers) or rewrite the log; migrations run as the owner.
  if (url.starts_with("postgres")) {
    auto role = store::InspectDatabaseRole(url);
    if (!role.ok()) {
      std::cerr << "custodian serve: " << role.status().ToString() << "\n";
      return 1;
    }
    if (!role->confined) {
      std::cerr << "custodian serve: the database role '" << role->name << "' " << role->why
                << ", so it could alter the schema or rewrite the access log.\n"
                   "  Give the server a role of its own; as the owner:\n"
                   "    psql -c 'CREATE ROLE custodian_server LOGIN'\n"
                   "    custodian db migrate --db OWNER_URL --server-role custodian_server\n"
                   "  and a database URL with user=custodian_server"
                << (a.allow_unconfined_db_role ? ".\n  Going on: allow_unconfined_db_role is set.\n"
                                               : ".\n  (allow_unconfined_db_role in the config overrides this.)\n");
      if (!a.allow_unconfined_db_role) return 1;
    }
  }
  auto store = store::OpenStore(url, {.image_dir = data / "images",
                                      .key_file = data / "image.key",
                                      .migrate = embedded,
                                      .cache_mib = a.sqlite_cache_mib,
                                      .resident_mib = a.sqlite_resident_mib});
  if (!store.ok()) {
    std::cerr << "custodian serve: " << store.status().ToString() << "\n";
    return 1;
  }
  // Every signed checkpoint goes to the system journal as well as the database (and the
  // newest is on /api/v1/transparency): copies the database's owner cannot take back.
  auto gov = policy::Governance::Open(**store, {.signing_key_file = data / "agency.key",
                                                .on_checkpoint = policy::PublishHeadToSyslog});
  if (!gov.ok()) {
    std::cerr << "custodian serve: " << gov.status().ToString() << "\n";
    return 1;
  }
  // First run: the agency and its first coordinator (one-time password shown once).
  auto first = policy::BootstrapInstallation(**gov, a.agency_code, a.agency_name, a.first_user, "ALPR Coordinator");
  if (first.ok()) {
    std::cout << "\nFirst run: created the ALPR coordinator account.\n  user:     " << first->username
              << "\n  password: " << first->initial_password
              << "\n(shown once; you will set your own password and enrol an authenticator app at first logon)\n\n";
  }
  so.cert_file = a.cert.empty() ? data / "tls" / "cert.pem" : fs::path(a.cert);
  so.key_file = a.key.empty() ? data / "tls" / "key.pem" : fs::path(a.key);
  so.client_ca_file = a.client_ca;
  if (a.cert.empty()) {
    auto fp = server::EnsureSelfSignedCertificate(so.cert_file, so.key_file);
    if (!fp.ok()) {
      std::cerr << "custodian serve: " << fp.status().ToString() << "\n";
      return 1;
    }
    std::cout << "TLS certificate " << so.cert_file.string() << "\n  SHA-256 fingerprint " << *fp << "\n";
  }
  so.web_root = FindWebRoot(a.web_root);
  so.export_dir = data / "exports";
  so.retention = {std::chrono::days(a.public_safety_days), std::chrono::days(a.non_public_safety_days)};
  if (a.demo) {
    // A demo camera and hotlist (as the system, logged) so reads and an alert appear.
    policy::Principal sys = policy::Governance::System("demo setup");
    (void)(*store)->PutCamera({.id = "demo-1", .name = "Demo camera (sample images)", .agency_code = a.agency_code});
    auto list = (*store)->PutHotlist({.name = "demo-stolen", .agency_code = a.agency_code,
                                      .category = store::HotlistCategory::kStolenVehicle});
    if (list.ok()) {
      std::vector<store::HotlistEntryInput> entries{{"7VTR735", "", "demo: reported stolen", std::nullopt}};
      (void)(*store)->ImportHotlistEntries({.list = "demo-stolen", .entries = entries});
    }
    (void)sys;
  }
  auto srv = server::Server::Create(**store, **gov, nullptr, so);
  if (!srv.ok()) {
    std::cerr << "custodian serve: " << srv.status().ToString() << "\n";
    return 1;
  }
  if (Status st = (*srv)->Start(); !st.ok()) {
    std::cerr << "custodian serve: " << st.ToString() << "\n";
    return 1;
  }
  std::cout << "Custodian is serving https://" << (so.listen_host == "127.0.0.1" ? "localhost" : so.listen_host) << ":"
            << (*srv)->port() << "/ (database " << (embedded ? url : std::string("(configured)")) << ")"
            << (so.web_root.empty() ? "; no web application found (API only)" : "") << std::endl;
  signal(SIGINT, OnSignal);
  signal(SIGTERM, OnSignal);
  std::thread demo;
  if (a.demo) demo = std::thread([&] { DemoFeeder(**store, a.models); });
  std::unique_ptr<server::WebhookDispatcher> hooks;
  if (!a.webhooks.empty()) {
    hooks = std::make_unique<server::WebhookDispatcher>(
        **store, **gov, server::WebhookOptions{.targets = a.webhooks, .cursor_file = data / "webhooks.cursor"});
    if (Status st = hooks->Start(); !st.ok()) {
      std::cerr << "custodian serve: webhooks: " << st.ToString() << "\n";
      return 1;
    }
  }
  // Maintenance jobs, as the system.
  policy::RetentionPeriods periods{std::chrono::days(a.public_safety_days), std::chrono::days(a.non_public_safety_days)};
  auto next_purge = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  auto next_checkpoint = std::chrono::steady_clock::now() + std::chrono::minutes(a.checkpoint_interval_minutes);
  while (!WaitOrStop(std::chrono::seconds(5))) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= next_purge) {
      next_purge = now + std::chrono::minutes(a.purge_interval_minutes);
      auto purged = policy::RunPurge(**gov, policy::Governance::System("retention purge"), periods, {});
      if (!purged.ok()) std::cerr << "custodian serve: purge: " << purged.status().ToString() << "\n";
      auto swept = (*gov)->DisableInactiveAccounts(policy::Governance::System("inactivity sweep"));
      if (!swept.ok()) std::cerr << "custodian serve: inactivity sweep: " << swept.status().ToString() << "\n";
    }
    if (now >= next_checkpoint) {
      next_checkpoint = now + std::chrono::minutes(a.checkpoint_interval_minutes);
      auto cp = (*gov)->CheckpointLog(policy::Governance::System("log checkpoint"));
      if (!cp.ok()) {
        // CJIS: logging failures are alerted at once.
        std::cerr << "custodian serve: ALERT: the access log cannot be checkpointed: " << cp.status().ToString() << "\n";
      }
    }
  }
  std::cout << "custodian serve: stopping" << std::endl;
  (*srv)->Stop();
  if (hooks) hooks->Stop();
  if (demo.joinable()) demo.join();
  return 0;
}

}  // namespace

void RegisterServe(CLI::App& app, Action* run) {
  auto [cmd, args] =
      AddSubcommand<ServeArgs>(&app, "serve", "Serve the HTTPS API and the web application", run, Serve);
  cmd->add_option("--config", args->config, "JSON config file (docs/configuration.md)");
  cmd->add_option("--data-dir", args->data_dir, "Data folder for the embedded default")->capture_default_str();
  cmd->add_option("--listen", args->listen, "HOST:PORT to listen on")->capture_default_str();
  cmd->add_option("--db", args->db, "Store URL (default: SQLite in the data folder)");
  cmd->add_option("--web-root", args->web_root, "Folder of the built web application");
  cmd->add_option("--models", args->models, "Model folder for --demo");
  cmd->add_flag("--demo", args->demo, "Feed the sample images as a demo camera, with a demo hotlist");
}

}  // namespace custodian::app
