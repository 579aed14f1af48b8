// custodian cameras / agencies / keys: the cameras and agencies the store knows, and the
// per-camera API keys. Acts as the logged-in user (manage_cameras; `cameras list` needs
// only a full session).
//   custodian cameras add --id ID --name NAME [--kind fixed|mobile|parking]
//                         [--class public_safety|non_public_safety] [--agency CODE]
//                         [--lat LAT --lon LON] [--heading DEG]
//   custodian cameras list
//   custodian agencies add --code CODE --name NAME --state XX --kind local|county|state|federal|tribal|private
//   custodian keys issue --camera ID --name NAME   (prints the key once)
//   custodian keys list
//   custodian keys revoke --id N
// `cameras add` with an existing id updates that camera. --agency defaults to the user's
// own agency.
#include <iostream>
#include <optional>

#include "commands.h"
#include "custodian/core/utc_time.h"
#include "custodian/policy/api_keys.h"
#include "custodian/policy/governed_ops.h"
#include "session.h"

namespace custodian::app {
namespace {

struct CameraAddArgs {
  GovFlags store;
  std::string id, name, kind = "fixed", data_class = "public_safety", agency;
  std::optional<double> lat, lon, heading;
};

struct AgencyAddArgs {
  GovFlags store;
  std::string code, name, state, kind;
};

struct KeyIssueArgs {
  GovFlags store;
  std::string camera, name;
};

struct KeyRevokeArgs {
  GovFlags store;
  int64_t id = 0;
};

struct ListArgs {
  GovFlags store;
};

int RunCameraAdd(const CameraAddArgs& a) {
  const std::string what = "cameras add";
  auto kind = store::ParseCameraKind(a.kind);
  if (!kind.ok()) return FailWith(what, kind.status());
  auto cls = store::ParseDataClass(a.data_class);
  if (!cls.ok()) return FailWith(what, cls.status());
  if (a.lat.has_value() != a.lon.has_value()) {
    return FailWith(what, Status::InvalidArgument("--lat and --lon go together"));
  }
  auto g = OpenAsUser(a.store);
  if (!g.ok()) return FailWith(what, g.status());
  store::Camera cam{.id = a.id,
                    .name = a.name,
                    .kind = *kind,
                    .heading_deg = a.heading,
                    .agency_code = a.agency.empty() ? g->who.agency_code : a.agency,
                    .data_class = *cls};
  if (a.lat) cam.location = store::GeoPoint{*a.lat, *a.lon};
  if (Status st = policy::PutCamera(*g->gov, g->who, cam); !st.ok()) return FailWith(what, st);
  std::cout << "camera " << cam.id << " (" << cam.name << "): " << store::CameraKindName(cam.kind) << ", "
            << store::DataClassName(cam.data_class) << ", agency " << cam.agency_code << "\n";
  return 0;
}

int RunCameraList(const ListArgs& a) {
  auto g = OpenAsUser(a.store);
  if (!g.ok()) return FailWith("cameras list", g.status());
  auto cams = policy::ListCameras(*g->gov, g->who);
  if (!cams.ok()) return FailWith("cameras list", cams.status());
  if (cams->empty()) std::cout << "no cameras\n";
  for (const auto& c : *cams) {
    std::cout << c.id << " " << store::CameraKindName(c.kind) << " " << store::DataClassName(c.data_class) << " "
              << c.agency_code;
    if (c.location) std::cout << " " << c.location->lat << "," << c.location->lon;
    if (c.heading_deg) std::cout << " heading " << *c.heading_deg;
    std::cout << " " << c.name << "\n";
  }
  return 0;
}

int RunAgencyAdd(const AgencyAddArgs& a) {
  auto g = OpenAsUser(a.store);
  if (!g.ok()) return FailWith("agencies add", g.status());
  if (Status st = policy::PutAgency(*g->gov, g->who, {.code = a.code, .name = a.name, .state = a.state, .kind = a.kind});
      !st.ok()) {
    return FailWith("agencies add", st);
  }
  std::cout << "agency " << a.code << " (" << a.name << "), " << a.kind << ", " << a.state << "\n";
  return 0;
}

int RunKeyIssue(const KeyIssueArgs& a) {
  auto g = OpenAsUser(a.store);
  if (!g.ok()) return FailWith("keys issue", g.status());
  auto key = policy::CreateApiKey(*g->gov, g->who, a.camera, a.name);
  if (!key.ok()) return FailWith("keys issue", key.status());
  std::cerr << "key " << key->id << " for camera " << key->camera_id << " (" << key->name
            << "); it is shown once, now:\n";
  std::cout << key->secret << "\n";
  return 0;
}

int RunKeyList(const ListArgs& a) {
  auto g = OpenAsUser(a.store);
  if (!g.ok()) return FailWith("keys list", g.status());
  auto keys = policy::ListApiKeys(*g->gov, g->who);
  if (!keys.ok()) return FailWith("keys list", keys.status());
  if (keys->empty()) std::cout << "no keys\n";
  for (const auto& k : *keys) {
    std::cout << k.id << " " << k.camera_id << " " << k.scope << " "
              << (k.revoked_at ? "revoked " + FormatUtcTime(*k.revoked_at) + " by " + k.revoked_by : "valid")
              << " created " << FormatUtcTime(k.created_at) << " by " << k.created_by << " " << k.name << "\n";
  }
  return 0;
}

int RunKeyRevoke(const KeyRevokeArgs& a) {
  auto g = OpenAsUser(a.store);
  if (!g.ok()) return FailWith("keys revoke", g.status());
  if (Status st = policy::RevokeApiKey(*g->gov, g->who, a.id); !st.ok()) return FailWith("keys revoke", st);
  std::cout << "key " << a.id << " revoked\n";
  return 0;
}

}  // namespace

void RegisterCameras(CLI::App& app, Action* run) {
  CLI::App* cams = app.add_subcommand("cameras", "Cameras: add (or update), list");
  cams->require_subcommand(1);
  auto add_args = std::make_shared<CameraAddArgs>();
  CLI::App* add = cams->add_subcommand("add", "Add a camera, or update the one with this id");
  AddGovFlags(add, &add_args->store);
  add->add_option("--id", add_args->id, "The camera's id")->required();
  add->add_option("--name", add_args->name, "Its display name, e.g. the place")->required();
  add->add_option("--kind", add_args->kind, "fixed, mobile or parking")->capture_default_str();
  add->add_option("--class", add_args->data_class, "public_safety or non_public_safety")->capture_default_str();
  add->add_option("--agency", add_args->agency, "The owning agency's code (default: your own)");
  add->add_option("--lat", add_args->lat, "Where it stands: latitude")->check(CLI::Range(-90.0, 90.0));
  add->add_option("--lon", add_args->lon, "Where it stands: longitude")->check(CLI::Range(-180.0, 180.0));
  add->add_option("--heading", add_args->heading, "Degrees clockwise from north")->check(CLI::Range(0.0, 360.0));
  add->callback([add_args, run] { *run = [add_args] { return RunCameraAdd(*add_args); }; });
  auto list_args = std::make_shared<ListArgs>();
  CLI::App* list = cams->add_subcommand("list", "Every camera: id, kind, class, agency, place, name");
  AddGovFlags(list, &list_args->store);
  list->callback([list_args, run] { *run = [list_args] { return RunCameraList(*list_args); }; });

  CLI::App* agencies = app.add_subcommand("agencies", "Agencies: add (or rename)");
  agencies->require_subcommand(1);
  auto agency_args = std::make_shared<AgencyAddArgs>();
  CLI::App* agency_add = agencies->add_subcommand("add", "Add an agency, or rename the one with this code");
  AddGovFlags(agency_add, &agency_args->store);
  agency_add->add_option("--code", agency_args->code, "The agency's short code, e.g. CITYPD")->required();
  agency_add->add_option("--name", agency_args->name, "Its name")->required();
  agency_add->add_option("--state", agency_args->state, "Its state, two letters (sharing: CA only)")->required();
  agency_add->add_option("--kind", agency_args->kind,
                         "local, county, state, federal, tribal or private (sharing: local, county or state only)")
      ->required();
  agency_add->callback([agency_args, run] { *run = [agency_args] { return RunAgencyAdd(*agency_args); }; });

  CLI::App* keys = app.add_subcommand("keys", "Camera API keys: issue, list, revoke");
  keys->require_subcommand(1);
  auto issue_args = std::make_shared<KeyIssueArgs>();
  CLI::App* issue = keys->add_subcommand("issue", "Issue an ingest key for one camera (printed once)");
  AddGovFlags(issue, &issue_args->store);
  issue->add_option("--camera", issue_args->camera, "The camera's id")->required();
  issue->add_option("--name", issue_args->name, "What the key is for, e.g. the unit")->required();
  issue->callback([issue_args, run] { *run = [issue_args] { return RunKeyIssue(*issue_args); }; });
  auto key_list_args = std::make_shared<ListArgs>();
  CLI::App* key_list = keys->add_subcommand("list", "Every key (never its secret)");
  AddGovFlags(key_list, &key_list_args->store);
  key_list->callback([key_list_args, run] { *run = [key_list_args] { return RunKeyList(*key_list_args); }; });
  auto revoke_args = std::make_shared<KeyRevokeArgs>();
  CLI::App* revoke = keys->add_subcommand("revoke", "Revoke a key at once");
  AddGovFlags(revoke, &revoke_args->store);
  revoke->add_option("--id", revoke_args->id, "The key's id")->required();
  revoke->callback([revoke_args, run] { *run = [revoke_args] { return RunKeyRevoke(*revoke_args); }; });
}

}  // namespace custodian::app
