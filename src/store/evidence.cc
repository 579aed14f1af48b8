#include "custodian/store/evidence.h"

#include <sodium.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "custodian/store/read_json.h"
#include "store/file_util.h"

namespace custodian::store {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string HexOf(const unsigned char* p, size_t n) {
  std::vector<char> buf(n * 2 + 1);
  sodium_bin2hex(buf.data(), buf.size(), p, n);
  return std::string(buf.data(), n * 2);
}

bool FromHex(std::string_view hex, unsigned char* out, size_t n) {
  size_t len = 0;
  return hex.size() == n * 2 &&
         sodium_hex2bin(out, n, hex.data(), hex.size(), nullptr, &len, nullptr) == 0 && len == n;
}

Result<std::string> ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return Status::NotFound("cannot read ", p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Writes `data` to `path` (new file) and syncs it. A partly written file is left in place.
Status WriteFile(const fs::path& path, std::string_view data, mode_t mode = 0644) {
  return internal::WriteNewFile(path, {reinterpret_cast<const uint8_t*>(data.data()), data.size()},
                                {.mode = mode, .sync = true, .remove_on_error = false});
}

std::string Sha256Of(std::string_view data) {
  unsigned char d[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(d, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return HexOf(d, sizeof d);
}

Result<std::vector<unsigned char>> LoadOrCreateKey(const fs::path& file, bool create) {
  std::vector<unsigned char> sk(crypto_sign_SECRETKEYBYTES);
  std::error_code ec;
  if (fs::exists(file, ec)) {
    struct stat st {};
    if (::stat(file.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
      return Status::PermissionDenied("signing key file ", file.string(), " is readable by others; chmod 600 it");
    }
    CUSTODIAN_ASSIGN_OR_RETURN(std::string bytes, ReadAll(file));
    if (bytes.size() != sk.size()) {
      return Status::InvalidArgument("signing key file ", file.string(), " holds ", bytes.size(), " bytes; a key is ",
                                     sk.size());
    }
    std::memcpy(sk.data(), bytes.data(), sk.size());
    return sk;
  }
  if (!create) return Status::NotFound("signing key file ", file.string(), " does not exist");
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  crypto_sign_keypair(pk, sk.data());
  if (!file.parent_path().empty()) fs::create_directories(file.parent_path(), ec);
  CUSTODIAN_RETURN_IF_ERROR(
      WriteFile(file, std::string_view(reinterpret_cast<const char*>(sk.data()), sk.size()), 0600));
  return sk;
}

std::string ImageExtension(const std::vector<uint8_t>& b) {
  if (b.size() >= 2 && b[0] == 0xFF && b[1] == 0xD8) return ".jpg";
  if (b.size() >= 4 && b[0] == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') return ".png";
  return ".bin";
}

// Every regular file under `dir`, as paths relative to it with '/' separators.
Result<std::vector<std::string>> ListFiles(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_directory(ec)) continue;
    out.push_back(fs::relative(it->path(), dir, ec).generic_string());
  }
  if (ec) return Status::Unavailable("list ", dir.string(), ": ", ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

Result<std::vector<unsigned char>> LoadSigningKey(const fs::path& file, bool create) {
  return LoadOrCreateKey(file, create);
}

Result<std::string> EvidencePublicKey(const fs::path& signing_key_file) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  CUSTODIAN_ASSIGN_OR_RETURN(auto sk, LoadOrCreateKey(signing_key_file, /*create=*/false));
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  crypto_sign_ed25519_sk_to_pk(pk, sk.data());
  sodium_memzero(sk.data(), sk.size());
  return HexOf(pk, sizeof pk);
}

Result<EvidenceExport> ExportEvidence(ReadStore& store, int64_t hold_id, const EvidenceExportOptions& o,
                                      const Clock& clock) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  if (o.out_dir.empty() || o.signing_key_file.empty()) {
    return Status::InvalidArgument("evidence export needs an output folder and a signing key file");
  }
  std::error_code ec;
  if (fs::exists(o.out_dir, ec) && !fs::is_empty(o.out_dir, ec)) {
    return Status::InvalidArgument("output folder ", o.out_dir.string(), " is not empty");
  }
  CUSTODIAN_ASSIGN_OR_RETURN(Hold hold, store.GetHold(hold_id));
  CUSTODIAN_ASSIGN_OR_RETURN(auto ids, store.HeldReadIds(hold_id));
  CUSTODIAN_ASSIGN_OR_RETURN(auto sk, LoadOrCreateKey(o.signing_key_file, o.create_key));
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  crypto_sign_ed25519_sk_to_pk(pk, sk.data());

  fs::create_directories(o.out_dir / "reads", ec);
  if (!ec) fs::create_directories(o.out_dir / "images", ec);
  if (ec) return Status::Unavailable("create ", o.out_dir.string(), ": ", ec.message());
  std::map<std::string, std::string> files;  // relative path -> content hash; sorted
  std::map<std::string, int64_t> sizes;
  auto put = [&](const std::string& rel, std::string_view data) -> Status {
    CUSTODIAN_RETURN_IF_ERROR(WriteFile(o.out_dir / rel, data));
    files[rel] = Sha256Of(data);
    sizes[rel] = int64_t(data.size());
    return Status::Ok();
  };
  json hold_json = {{"id", hold.id},
                    {"case_number", hold.case_number},
                    {"reason", hold.reason},
                    {"placed_by", hold.placed_by},
                    {"placed_ms", ToUnixMillis(hold.placed_at)},
                    {"released_by", hold.released_by},
                    {"reads", ids}};
  if (hold.released_at) hold_json["released_ms"] = ToUnixMillis(*hold.released_at);
  CUSTODIAN_RETURN_IF_ERROR(put("hold.json", hold_json.dump(2) + "\n"));
  EvidenceExport result;
  std::map<std::string, bool> images_done;
  for (int64_t id : ids) {
    CUSTODIAN_ASSIGN_OR_RETURN(StoredRead r, store.GetRead(id));
    CUSTODIAN_RETURN_IF_ERROR(
        put("reads/" + std::to_string(id) + ".json", ReadToJson(r, {.image_hashes = true}).dump(2) + "\n"));
    ++result.reads;
    for (const std::string* sha : {&r.plate_crop_sha256, &r.frame_sha256}) {
      if (sha->empty() || images_done.count(*sha)) continue;
      CUSTODIAN_ASSIGN_OR_RETURN(auto bytes, store.GetImage(*sha));
      CUSTODIAN_RETURN_IF_ERROR(
          put("images/" + *sha + ImageExtension(bytes),
              std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size())));
      images_done[*sha] = true;
      ++result.images;
    }
  }
  json manifest = {{"version", kExportFormatVersion},
                   {"created_ms", ToUnixMillis(clock.Now())},
                   {"public_key", HexOf(pk, sizeof pk)}};
  manifest["files"] = json::array();
  for (const auto& [path, sha] : files) {
    manifest["files"].push_back({{"path", path}, {"sha256", sha}, {"size", sizes[path]}});
  }
  const std::string manifest_text = manifest.dump(2) + "\n";
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(manifest_text.data()),
                       manifest_text.size(), sk.data());
  sodium_memzero(sk.data(), sk.size());
  CUSTODIAN_RETURN_IF_ERROR(WriteFile(o.out_dir / "manifest.json", manifest_text));
  CUSTODIAN_RETURN_IF_ERROR(WriteFile(o.out_dir / "manifest.sig", HexOf(sig, sizeof sig) + "\n"));
  result.public_key_hex = HexOf(pk, sizeof pk);
  return result;
}

Result<EvidenceCheck> VerifyEvidence(const fs::path& dir, const EvidenceVerifyOptions& options) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  auto manifest_text = ReadAll(dir / "manifest.json");
  if (!manifest_text.ok()) return Status::InvalidArgument(dir.string(), " has no manifest.json");
  auto sig_text = ReadAll(dir / "manifest.sig");
  if (!sig_text.ok()) return Status::InvalidArgument(dir.string(), " has no manifest.sig");
  json manifest = json::parse(*manifest_text, nullptr, /*allow_exceptions=*/false);
  if (!manifest.is_object() || !manifest.contains("files") || !manifest["files"].is_array() ||
      !manifest.contains("public_key") || !manifest["public_key"].is_string()) {
    return Status::InvalidArgument("manifest.json is malformed");
  }
  EvidenceCheck check;
  if (!manifest.contains("version") || !manifest["version"].is_number_integer()) {
    return Status::InvalidArgument("manifest.json has no format version");
  }
  const int64_t version = manifest["version"].get<int64_t>();
  if (version < 1 || version > kExportFormatVersion) {
    return Status::InvalidArgument("manifest.json is format version ", version, "; this release reads versions 1 to ",
                                   kExportFormatVersion);
  }
  check.version = int(version);
  std::string key_hex = manifest["public_key"].get<std::string>();
  if (!options.public_key_file.empty()) {
    CUSTODIAN_ASSIGN_OR_RETURN(std::string pinned, ReadAll(options.public_key_file));
    while (!pinned.empty() && (pinned.back() == '\n' || pinned.back() == ' ' || pinned.back() == '\r')) pinned.pop_back();
    key_hex = pinned;
    check.key_pinned = true;
  }
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  unsigned char sig[crypto_sign_BYTES];
  std::string sig_hex = *sig_text;
  while (!sig_hex.empty() && (sig_hex.back() == '\n' || sig_hex.back() == '\r')) sig_hex.pop_back();
  if (!FromHex(key_hex, pk, sizeof pk)) return Status::InvalidArgument("the public key is not 64 hex digits");
  check.signature_ok =
      FromHex(sig_hex, sig, sizeof sig) &&
      crypto_sign_verify_detached(sig, reinterpret_cast<const unsigned char*>(manifest_text->data()),
                                  manifest_text->size(), pk) == 0;
  std::map<std::string, std::string> listed;
  for (const auto& f : manifest["files"]) {
    if (!f.is_object() || !f.contains("path") || !f["path"].is_string() || !f.contains("sha256") ||
        !f["sha256"].is_string()) {
      return Status::InvalidArgument("manifest.json lists a malformed file entry");
    }
    std::string path = f["path"].get<std::string>();
    if (path.empty() || path.front() == '/' || path.find("..") != std::string::npos) {
      return Status::InvalidArgument("manifest.json lists a path outside the folder: ", path.substr(0, 200));
    }
    listed[path] = f["sha256"].get<std::string>();
  }
  CUSTODIAN_ASSIGN_OR_RETURN(auto present, ListFiles(dir));
  for (const auto& path : present) {
    if (path == "manifest.json" || path == "manifest.sig") continue;
    auto it = listed.find(path);
    if (it == listed.end()) {
      check.added.push_back(path);
      continue;
    }
    auto data = ReadAll(dir / path);
    if (!data.ok() || Sha256Of(*data) != it->second) check.changed.push_back(path);
  }
  std::error_code ec;
  for (const auto& [path, sha] : listed) {
    if (!fs::is_regular_file(dir / path, ec)) check.missing.push_back(path);
  }
  return check;
}

}  // namespace custodian::store
