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
#include "governed_subcommand.h"
#include "session.h"

namespace custodian::app {
namespace {

struct CameraAddArgs {
  GovFlags flags;
  std::string id, name, kind = "fixed", data_class = "public_safety", agency;
  std::optional<double> lat, lon, heading;
};

struct AgencyAddArgs {
  GovFlags flags;
  std::string code, name, state, kind;
};

struct KeyIssueArgs {
  GovFlags flags;
  std::string camera, name;
};

struct KeyRevokeArgs {
  GovFlags flags;
  int64_t id = 0;
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
  return RunAsUser(what, a.flags, [&](Governed& g) -> Status {
    store::Camera cam{.id = a.id,
                      .name = a.name,
                      .kind = *kind,
                      .heading_deg = a.heading,
                      .agency_code = a.agency.empty() ? g.who.agency_code : a.agency,
                      .data_class = *cls};
    if (a.lat) cam.location = store::GeoPoint{*a.lat, *a.lon};
    CUSTODIAN_RETURN_IF_ERROR(policy::PutCamera(*g.gov, g.who, cam));
    std::cout << "camera " << cam.id << " (" << cam.name << "): " << store::CameraKindName(cam.kind) << ", "
              << store::DataClassName(cam.data_class) << ", agency " << cam.agency_code << "\n";
    return Status::Ok();
  });
}

int RunCameraList(const GovArgs& a) {
  return RunAsUser("cameras list", a.flags, [&](Governed& g) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto cams, policy::ListCameras(*g.gov, g.who));
    PrintEach(cams, "no cameras\n", [](const store::Camera& c) {
      std::cout << c.id << " " << store::CameraKindName(c.kind) << " " << store::DataClassName(c.data_class) << " "
                << c.agency_code;
      if (c.location) std::cout << " " << c.location->lat << "," << c.location->lon;
      if (c.heading_deg) std::cout << " heading " << *c.heading_deg;
      std::cout << " " << c.name << "\n";
    });
    return Status::Ok();
  });
}

int RunAgencyAdd(const AgencyAddArgs& a) {
  return RunAsUser("agencies add", a.flags, [&](Governed& g) -> Status {
    CUSTODIAN_RETURN_IF_ERROR(
        policy::PutAgency(*g.gov, g.who, {.code = a.code, .name = a.name, .state = a.state, .kind = a.kind}));
    std::cout << "agency " << a.code << " (" << a.name << "), " << a.kind << ", " << a.state << "\n";
    return Status::Ok();
  });
}

int RunKeyIssue(const KeyIssueArgs& a) {
  return RunAsUser("keys issue", a.flags, [&](Governed& g) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto key, policy::CreateApiKey(*g.gov, g.who, a.camera, a.name));
    std::cerr << "key " << key.id << " for camera " << key.camera_id << " (" << key.name
              << "); it is shown once, now:\n";
    std::cout << key.secret << "\n";
    return Status::Ok();
  });
}

int RunKeyList(const GovArgs& a) {
  return RunAsUser("keys list", a.flags, [&](Governed& g) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto keys, policy::ListApiKeys(*g.gov, g.who));
    PrintEach(keys, "no keys\n", [](const policy::ApiKey& k) {
      std::cout << k.id << " " << k.camera_id << " " << k.scope << " "
                << (k.revoked_at ? "revoked " + FormatUtcTime(*k.revoked_at) + " by " + k.revoked_by : "valid")
                << " created " << FormatUtcTime(k.created_at) << " by " << k.created_by << " " << k.name << "\n";
    });
    return Status::Ok();
  });
}

int RunKeyRevoke(const KeyRevokeArgs& a) {
  return RunAsUser("keys revoke", a.flags, [&](Governed& g) -> Status {
    CUSTODIAN_RETURN_IF_ERROR(policy::RevokeApiKey(*g.gov, g.who, a.id));
    std::cout << "key " << a.id << " revoked\n";
    return Status::Ok();
  });
}

}  // namespace

void RegisterCameras(CLI::App& app, Action* run) {
  CLI::App* cams = AddCommandGroup(app, "cameras", "Cameras: add (or update), list");
  auto [add, add_args] =
      AddGovSubcommand<CameraAddArgs>(cams, "add", "Add a camera, or update the one with this id", run, RunCameraAdd);
  add->add_option("--id", add_args->id, "The camera's id")->required();
  add->add_option("--name", add_args->name, "Its display name, e.g. the place")->required();
  add->add_option("--kind", add_args->kind, "fixed, mobile or parking")->capture_default_str();
  add->add_option("--class", add_args->data_class, "public_safety or non_public_safety")->capture_default_str();
  add->add_option("--agency", add_args->agency, "The owning agency's code (default: your own)");
  add->add_option("--lat", add_args->lat, "Where it stands: latitude")->check(CLI::Range(-90.0, 90.0));
  add->add_option("--lon", add_args->lon, "Where it stands: longitude")->check(CLI::Range(-180.0, 180.0));
  add->add_option("--heading", add_args->heading, "Degrees clockwise from north")->check(CLI::Range(0.0, 360.0));
  AddGovSubcommand<GovArgs>(cams, "list", "Every camera: id, kind, class, agency, place, name", run, RunCameraList);

  CLI::App* agencies = AddCommandGroup(app, "agencies", "Agencies: add (or rename)");
  auto [agency_add, agency_args] = AddGovSubcommand<AgencyAddArgs>(
      agencies, "add", "Add an agency, or rename the one with this code", run, RunAgencyAdd);
  agency_add->add_option("--code", agency_args->code, "The agency's short code, e.g. CITYPD")->required();
  agency_add->add_option("--name", agency_args->name, "Its name")->required();
  agency_add->add_option("--state", agency_args->state, "Its state, two letters (sharing: CA only)")->required();
  agency_add
      ->add_option("--kind", agency_args->kind,
                   "local, county, state, federal, tribal or private (sharing: local, county or state only)")
      ->required();

  CLI::App* keys = AddCommandGroup(app, "keys", "Camera API keys: issue, list, revoke");
  auto [issue, issue_args] = AddGovSubcommand<KeyIssueArgs>(
      keys, "issue", "Issue an ingest key for one camera (printed once)", run, RunKeyIssue);
  issue->add_option("--camera", issue_args->camera, "The camera's id")->required();
  issue->add_option("--name", issue_args->name, "What the key is for, e.g. the unit")->required();
  AddGovSubcommand<GovArgs>(keys, "list", "Every key (never its secret)", run, RunKeyList);
  auto [revoke, revoke_args] =
      AddGovSubcommand<KeyRevokeArgs>(keys, "revoke", "Revoke a key at once", run, RunKeyRevoke);
  revoke->add_option("--id", revoke_args->id, "The key's id")->required();
}

}  // namespace custodian::app
