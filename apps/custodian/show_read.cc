// custodian show-read: one read (and optionally its image) through the governance layer.
//   custodian show-read --purpose CODE --case NUMBER --id N [--image crop|frame --out FILE]
#include <fstream>
#include <iostream>

#include "custodian/policy/governed_ops.h"
#include "governed_subcommand.h"

namespace custodian::app {
namespace {

struct Args {
  GovFlags flags;
  policy::AccessPurpose why;
  std::string image, out;
  int64_t id = 0;
};

int RunShow(const Args& a) {
  if (!a.image.empty() && a.image != "crop" && a.image != "frame") {
    return FailWith("show-read", Status::InvalidArgument("--image is crop or frame"));
  }
  if (!a.image.empty() && a.out.empty()) return FailWith("show-read", Status::InvalidArgument("--image needs --out FILE"));
  auto g = OpenAsUser(a.flags);
  if (!g.ok()) return FailWith("show-read", g.status());
  auto r = policy::GetRead(*g->gov, g->who, a.why, a.id);
  if (!r.ok()) return FailWith("show-read", r.status());
  std::cout << "read " << r->id << " " << r->plate << " (raw " << r->plate_raw << ")"
            << (r->region.empty() ? "" : " " + r->region) << " at " << r->camera_id << " " << FormatUtc(r->captured_at)
            << "; " << store::DataClassName(r->data_class) << "; confidence " << r->confidence << "\n";
  for (const auto& c : r->candidates) std::cout << "  candidate " << c.plate << " " << c.confidence << "\n";
  if (!a.image.empty()) {
    auto bytes = policy::GetReadImage(*g->gov, g->who, a.why, a.id, a.image == "frame");
    if (!bytes.ok()) return FailWith("show-read", bytes.status());
    std::ofstream out(a.out, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes->data()), std::streamsize(bytes->size()));
    if (!out) return FailWith("show-read", Status::Unavailable("cannot write ", a.out));
    std::cout << "wrote the " << a.image << " to " << a.out << " (" << bytes->size() << " bytes)\n";
  }
  return 0;
}

}  // namespace

void RegisterShowRead(CLI::App& app, Action* run) {
  auto [cmd, a] =
      AddGovSubcommand<Args>(&app, "show-read", "One read, and its plate crop or frame (logged)", run, RunShow);
  AddPurposeFlags(cmd, &a->why);
  cmd->add_option("--id", a->id, "The read")->required();
  cmd->add_option("--image", a->image, "crop or frame");
  cmd->add_option("--out", a->out, "Where to write the image");
}

}  // namespace custodian::app
