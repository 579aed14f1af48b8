// Evidence export for portable media (policy section 3): a hold's reads, their images,
// the hold's details and a SHA-256 manifest signed with the agency's Ed25519 key.
//
// Basic usage:
//   auto ex = store::ExportEvidence(*read_store, hold_id,
//                                   {.out_dir = "/media/usb/24-CR-0117",
//                                    .signing_key_file = "/etc/custodian/evidence.key"}, clock);
//   auto check = store::VerifyEvidence("/media/usb/24-CR-0117", {.public_key_file = "agency.pub"});
//   if (!check->ok()) ...  // check->changed, added, missing name the files
//
// Layout of an export folder:
//   hold.json            the hold: id, case number, reason, who placed it and when
//   reads/<id>.json      one record per read: the one shape of a read with its image
//                        hashes (store::ReadToJson(read, {.image_hashes = true}))
//   images/<sha256>.jpg  the decrypted images (.png, or .bin when neither)
//   manifest.json        {"version": 2, "created_ms": ms, "public_key": hex,
//                         "files": [{"path", "sha256", "size"}, ...]} sorted by path
//   manifest.sig         the Ed25519 signature of manifest.json's bytes, hex
// The manifest's "version" is the format of the package (kExportFormatVersion).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "custodian/core/clock.h"
#include "custodian/core/status.h"
#include "custodian/store/read_store.h"

namespace custodian::store {

// The format of the signed packages this release writes (evidence exports here, records-
// request packages in policy/records_requests.h, which share the manifest), as their
// manifest's "version":
//   2  each read in the one shape of a read (read_json.h): times RFC 3339 UTC
//      ("captured_at", "ingested_at"), "box" and "location" as objects, "has_crop",
//      "has_frame" and the image hashes.
//   1  (releases before) each read with "captured_ms" and "ingested_ms" (Unix milliseconds)
//      for the times and no has_crop/has_frame; in records-request packages "box" and
//      "location" were arrays ([x, y, width, height], [lat, lon]).
// VerifyEvidence checks every version from 1 to this one.
inline constexpr int kExportFormatVersion = 2;

struct EvidenceExportOptions {
  // The folder to write; must not exist or be empty. REQUIRED.
  std::filesystem::path out_dir;
  // The agency's Ed25519 key pair: 64 bytes (libsodium's secret key, which holds the
  // public key), mode 0600. REQUIRED.
  std::filesystem::path signing_key_file;
  // Create the key file when absent. Default: true.
  bool create_key = true;
};

struct EvidenceExport {
  int64_t reads = 0;
  int64_t images = 0;
  std::string public_key_hex;  // publish this so recipients can pin it
};

// Writes hold `hold_id`'s export. kNotFound for an unknown hold; kInvalidArgument for a
// non-empty out_dir; image errors as ReadStore::GetImage (a missing or undecryptable
// image fails the export rather than leaving it out).
Result<EvidenceExport> ExportEvidence(ReadStore& store, int64_t hold_id, const EvidenceExportOptions& options,
                                      const Clock& clock);

// The agency's Ed25519 secret key (libsodium's 64 bytes, which hold the public key) from
// `file`, created 0600 when absent and `create` is set. The same key signs evidence
// manifests and access-log checkpoints. kPermissionDenied when others can read the file;
// kInvalidArgument for a file of the wrong size; kNotFound when absent and !create.
Result<std::vector<unsigned char>> LoadSigningKey(const std::filesystem::path& file, bool create);

// The public key (hex) of the key pair in `signing_key_file`.
Result<std::string> EvidencePublicKey(const std::filesystem::path& signing_key_file);

struct EvidenceVerifyOptions {
  // A file holding the expected public key, hex. Default (empty): the key named in the
  // manifest, which proves the files match the manifest but not who signed it.
  std::filesystem::path public_key_file;
};

struct EvidenceCheck {
  int version = 0;                    // the package's format (kExportFormatVersion)
  bool signature_ok = false;
  bool key_pinned = false;            // checked against public_key_file
  std::vector<std::string> changed;   // listed, present, different content
  std::vector<std::string> added;     // present, not listed
  std::vector<std::string> missing;   // listed, absent
  bool ok() const { return signature_ok && changed.empty() && added.empty() && missing.empty(); }
};

// Checks an export folder (an evidence export or a records-request package) of any format
// version from 1 to kExportFormatVersion. kInvalidArgument when manifest.json or
// manifest.sig is missing or malformed, or the manifest's version is not one of those; a
// bad signature or differing files are reported in the result.
Result<EvidenceCheck> VerifyEvidence(const std::filesystem::path& dir, const EvidenceVerifyOptions& options = {});

}  // namespace custodian::store
