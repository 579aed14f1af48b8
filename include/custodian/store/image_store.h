// Images on disk, content-addressed by SHA-256 and encrypted at rest with the agency's key.
//
// Basic usage:
//   auto images = store::ImageStore::Open({.dir = "/var/lib/custodian/images",
//                                          .key_file = "/etc/custodian/image.key"});
//   auto sha = (*images)->Put(jpeg_bytes);      // durable on return
//   auto bytes = (*images)->Get(*sha);           // decrypted, checked against the hash
//
// Each file is dir/ab/cd/<sha256 hex>: an 8-byte magic, a random 24-byte nonce, then the
// image sealed with XChaCha20-Poly1305 (libsodium), the hash bound as associated data. A
// wrong key, an altered file or a file moved to another name fails authentication and is
// reported as an error; decrypted bytes are never returned unchecked.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "custodian/core/clock.h"
#include "custodian/core/status.h"

namespace custodian::store {

struct ImageStoreOptions {
  // The folder for image files; created if absent. REQUIRED.
  std::filesystem::path dir;
  // The 32-byte key file. Default (empty): dir.parent_path() / "image.key". Keep it on
  // other media than the images where possible.
  std::filesystem::path key_file;
  // Create a fresh key (mode 0600) when the key file is absent and `dir` holds no image
  // encrypted with another key. Default: true.
  bool create_key = true;
};

// Thread-safe: Put, Get, Remove and ForEach may be called from several threads.
class ImageStore {
 public:
  // Opens or creates the store. Errors: kPermissionDenied for a wrong key (it does not
  // open the key check written with the first key), a key file readable by others, or a
  // missing key file while images exist; kUnavailable for file-system failures.
  static Result<std::unique_ptr<ImageStore>> Open(const ImageStoreOptions& options);
  ~ImageStore();
  ImageStore(const ImageStore&) = delete;
  ImageStore& operator=(const ImageStore&) = delete;

  // Stores `bytes` encrypted and returns their SHA-256 (64 lower-case hex digits). The file
  // is written to a temporary name, fsynced, renamed and its folder fsynced, so it is
  // durable when this returns. Storing the same bytes again writes nothing.
  Result<std::string> Put(std::span<const uint8_t> bytes);

  // Put for many images, their hashes in input order. Durable on return, like Put; from
  // kPutManySyncAllFrom images on, the batch shares two file-system syncs (syncfs) instead
  // of two fsyncs per image. On error, images of the batch may remain as orphan files
  // (ReadStore::VerifyImages removes them).
  Result<std::vector<std::string>> PutMany(std::span<const std::span<const uint8_t>> images);
  static constexpr size_t kPutManySyncAllFrom = 8;

  // The plaintext of image `sha256`. kNotFound when absent; kPermissionDenied when
  // authentication fails (wrong key or altered file); kInvalidArgument for a malformed hash.
  Result<std::vector<uint8_t>> Get(std::string_view sha256) const;

  bool Exists(std::string_view sha256) const;

  // Deletes image `sha256` (no error when already absent) and syncs its folder.
  Status Remove(std::string_view sha256);

  // Calls fn(sha256, age) for each stored image file, age from its modification time to
  // `now`. Stops and returns the first non-OK status fn returns.
  Status ForEach(TimePoint now,
                 const std::function<Status(const std::string& sha256, std::chrono::milliseconds age)>& fn) const;

  const std::filesystem::path& dir() const { return dir_; }

  // SHA-256 of `bytes` as 64 lower-case hex digits.
  static std::string Sha256Hex(std::span<const uint8_t> bytes);
  static bool IsSha256Hex(std::string_view s);

 private:
  ImageStore(std::filesystem::path dir, std::vector<uint8_t> key);
  std::filesystem::path PathOf(std::string_view sha256) const;
  Result<std::vector<uint8_t>> Seal(std::span<const uint8_t> plain, std::string_view ad) const;
  Result<std::vector<uint8_t>> Unseal(std::span<const uint8_t> sealed, std::string_view ad) const;

  std::filesystem::path dir_;
  std::vector<uint8_t> key_;  // 32 bytes, wiped in the destructor
};

}  // namespace custodian::store
