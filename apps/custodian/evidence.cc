// custodian evidence: evidence export for portable media (policy section 3).
//   custodian evidence export --purpose CODE --hold N --out DIR   (as the logged-in user;
//                             signed with the agency key, --signing-key FILE to name it)
//   custodian evidence verify DIR [--public-key FILE]
//   custodian evidence public-key --signing-key FILE
// verify exits 0 only when the signature holds and no file was changed, added or removed.
#include <iostream>

#include "commands.h"
#include "custodian/policy/governed_ops.h"
#include "custodian/store/evidence.h"
#include "governed_subcommand.h"
#include "session.h"
#include "store_flags.h"

namespace custodian::app {
namespace {

struct ExportArgs {
  GovFlags flags;
  int64_t hold = 0;
  std::string out, purpose;
};

struct VerifyArgs {
  std::string dir, public_key;
};

struct KeyArgs {
  std::string key;
};

int RunExport(const ExportArgs& a) {
  return RunAsUser("evidence export", a.flags, [&](Governed& g) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto ex, policy::ExportEvidence(*g.gov, g.who, a.purpose, a.hold, a.out));
    std::cout << "exported hold " << a.hold << ": " << ex.reads << " reads, " << ex.images << " images to " << a.out
              << "\nsigned with public key " << ex.public_key_hex << "\n";
    return Status::Ok();
  });
}

int RunVerify(const VerifyArgs& a) {
  auto check = store::VerifyEvidence(a.dir, {.public_key_file = a.public_key});
  if (!check.ok()) return FailWith("evidence verify", check.status());
  std::cout << "signature: " << (check->signature_ok ? "good" : "BAD")
            << (check->key_pinned ? " (key given)" : " (key from the manifest; give --public-key to pin it)") << "\n";
  for (const auto& f : check->changed) std::cout << "changed: " << f << "\n";
  for (const auto& f : check->added) std::cout << "added: " << f << "\n";
  for (const auto& f : check->missing) std::cout << "missing: " << f << "\n";
  std::cout << (check->ok() ? "verified\n" : "NOT verified\n");
  return check->ok() ? 0 : 1;
}

int RunKey(const KeyArgs& a) {
  auto pk = store::EvidencePublicKey(a.key);
  if (!pk.ok()) return FailWith("evidence public-key", pk.status());
  std::cout << *pk << "\n";
  return 0;
}

}  // namespace

void RegisterEvidence(CLI::App& app, Action* run) {
  CLI::App* cmd = AddCommandGroup(app, "evidence", "Evidence export: export, verify, public-key");

  auto [ex, export_args] = AddGovSubcommand<ExportArgs>(
      cmd, "export", "Write a hold's reads, images and signed manifest to a folder", run, RunExport);
  ex->add_option("--purpose", export_args->purpose, "Why: a purpose code (the case is the hold's)")->required();
  ex->add_option("--hold", export_args->hold, "The hold")->required();
  ex->add_option("--out", export_args->out, "The folder to write (absent or empty)")->required();

  auto [verify, verify_args] =
      AddSubcommand<VerifyArgs>(cmd, "verify", "Check an export's signature and every file in it", run, RunVerify);
  verify->add_option("dir", verify_args->dir, "The export folder")->required();
  verify->add_option("--public-key", verify_args->public_key, "A file holding the agency's public key (hex)");

  auto [key, key_args] =
      AddSubcommand<KeyArgs>(cmd, "public-key", "Print the public key of a signing key file", run, RunKey);
  key->add_option("--signing-key", key_args->key, "The key file")->required();
}

}  // namespace custodian::app
