#include "custodian/store/image_store.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <random>
#include <set>

#include "custodian/store/types.h"
#include "store/file_util.h"

namespace custodian::store {
namespace fs = std::filesystem;
namespace {

constexpr char kMagic[8] = {'C', 'U', 'S', 'T', 'I', 'M', 'G', '1'};
constexpr size_t kKeyBytes = crypto_aead_xchacha20poly1305_ietf_KEYBYTES;
constexpr size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr std::string_view kKeyCheckName = "key-check";
constexpr std::string_view kKeyCheckText = "custodian image key check v1";
constexpr size_t kMaxSealedBytes = kMaxImageBytes + 1024;

std::string Errno(int e) { return std::strerror(e); }

Status SyncFd(int fd, const fs::path& p) {
  if (::fsync(fd) != 0) return Status::Unavailable("fsync ", p.string(), ": ", Errno(errno));
  return Status::Ok();
}

Status SyncDir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::Unavailable("open folder ", dir.string(), ": ", Errno(errno));
  Status st = SyncFd(fd, dir);
  ::close(fd);
  return st;
}

Result<std::vector<uint8_t>> ReadWholeFile(const fs::path& p, size_t limit) {
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("no file ", p.string());
    return Status::Unavailable("open ", p.string(), ": ", Errno(errno));
  }
  std::vector<uint8_t> out;
  uint8_t buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      return Status::Unavailable("read ", p.string(), ": ", Errno(e));
    }
    if (n == 0) break;
    out.insert(out.end(), buf, buf + n);
    if (out.size() > limit) {
      ::close(fd);
      return Status::InvalidArgument(p.string(), " is larger than ", limit, " bytes");
    }
  }
  ::close(fd);
  return out;
}

// Writes `data` to a fresh temporary file beside `final_path`, fsynced when `sync`.
Result<fs::path> WriteTemp(const fs::path& final_path, std::span<const uint8_t> data, mode_t mode, bool sync) {
  static std::atomic<uint64_t> counter{0};
  fs::path tmp = final_path;
  tmp += ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1));
  CUSTODIAN_RETURN_IF_ERROR(internal::WriteNewFile(tmp, data, {.mode = mode, .sync = sync, .remove_on_error = true}));
  return tmp;
}

// Writes `data` to `final_path` atomically and durably: temp file, fsync, rename, fsync dir.
Status WriteFileDurably(const fs::path& final_path, std::span<const uint8_t> data, mode_t mode) {
  CUSTODIAN_ASSIGN_OR_RETURN(fs::path tmp, WriteTemp(final_path, data, mode, /*sync=*/true));
  if (::rename(tmp.c_str(), final_path.c_str()) != 0) {
    Status st = Status::Unavailable("rename ", tmp.string(), ": ", Errno(errno));
    ::unlink(tmp.c_str());
    return st;
  }
  return SyncDir(final_path.parent_path());
}

// Flushes the whole file system holding `dir` (every file and directory entry on it).
Status SyncFileSystem(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::Unavailable("open folder ", dir.string(), ": ", Errno(errno));
  int rc = ::syncfs(fd);
  int e = errno;
  ::close(fd);
  if (rc != 0) return Status::Unavailable("syncfs ", dir.string(), ": ", Errno(e));
  return Status::Ok();
}

bool DirHoldsImages(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return false;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    if (it->path().filename() == kKeyCheckName) return true;
    if (it->is_directory(ec)) return true;  // a fan-out folder: images were stored
  }
  return false;
}

}  // namespace

ImageStore::ImageStore(fs::path dir, std::vector<uint8_t> key) : dir_(std::move(dir)), key_(std::move(key)) {}

ImageStore::~ImageStore() { sodium_memzero(key_.data(), key_.size()); }

Result<std::unique_ptr<ImageStore>> ImageStore::Open(const ImageStoreOptions& options) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  if (options.dir.empty()) return Status::InvalidArgument("image store: no folder given");
  fs::path dir = options.dir;
  fs::path key_file = options.key_file.empty() ? dir.parent_path() / "image.key" : options.key_file;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::Unavailable("create image folder ", dir.string(), ": ", ec.message());
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);  // 0700: plate images

  std::vector<uint8_t> key(kKeyBytes);
  struct stat st {};
  if (::stat(key_file.c_str(), &st) == 0) {
    if ((st.st_mode & 077) != 0) {
      return Status::PermissionDenied("image key file ", key_file.string(),
                                      " is readable or writable by others; chmod 600 it");
    }
    CUSTODIAN_ASSIGN_OR_RETURN(auto bytes, ReadWholeFile(key_file, 1024));
    if (bytes.size() != kKeyBytes) {
      return Status::InvalidArgument("image key file ", key_file.string(), " holds ", bytes.size(),
                                     " bytes; a key is ", kKeyBytes);
    }
    key = std::move(bytes);
  } else if (errno != ENOENT) {
    return Status::Unavailable("stat ", key_file.string(), ": ", Errno(errno));
  } else {
    if (DirHoldsImages(dir)) {
      return Status::PermissionDenied("image key file ", key_file.string(), " is missing but ", dir.string(),
                                      " holds images encrypted with a key; restore the key file (a new key "
                                      "cannot read them)");
    }
    if (!options.create_key) return Status::NotFound("image key file ", key_file.string(), " does not exist");
    randombytes_buf(key.data(), key.size());
    fs::create_directories(key_file.parent_path(), ec);
    int fd = ::open(key_file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return Status::Unavailable("create key file ", key_file.string(), ": ", Errno(errno));
    bool ok = ::write(fd, key.data(), key.size()) == ssize_t(key.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) return Status::Unavailable("write key file ", key_file.string());
    CUSTODIAN_RETURN_IF_ERROR(SyncDir(key_file.parent_path()));
  }

  std::unique_ptr<ImageStore> store(new ImageStore(dir, std::move(key)));
  // The key check: a known text sealed with the first key, so a wrong key is reported at
  // open, before any image is read.
  fs::path check = dir / kKeyCheckName;
  auto sealed = ReadWholeFile(check, 4096);
  if (sealed.ok()) {
    auto plain = store->Unseal(*sealed, kKeyCheckText);
    if (!plain.ok()) {
      return Status::PermissionDenied("wrong image key: ", key_file.string(), " is not the key the images in ",
                                      dir.string(), " were encrypted with");
    }
  } else if (sealed.status().code() == StatusCode::kNotFound) {
    std::span<const uint8_t> text(reinterpret_cast<const uint8_t*>(kKeyCheckText.data()), kKeyCheckText.size());
    CUSTODIAN_ASSIGN_OR_RETURN(auto blob, store->Seal(text, kKeyCheckText));
    CUSTODIAN_RETURN_IF_ERROR(WriteFileDurably(check, blob, 0600));
  } else {
    return sealed.status();
  }
  return store;
}

std::string ImageStore::Sha256Hex(std::span<const uint8_t> bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, bytes.data(), bytes.size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(2 * sizeof digest, '0');
  for (size_t i = 0; i < sizeof digest; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 15];
  }
  return out;
}

bool ImageStore::IsSha256Hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

fs::path ImageStore::PathOf(std::string_view sha) const {
  return dir_ / std::string(sha.substr(0, 2)) / std::string(sha.substr(2, 2)) / std::string(sha);
}

Result<std::vector<uint8_t>> ImageStore::Seal(std::span<const uint8_t> plain, std::string_view ad) const {
  std::vector<uint8_t> out(sizeof kMagic + kNonceBytes + plain.size() + kTagBytes);
  std::memcpy(out.data(), kMagic, sizeof kMagic);
  uint8_t* nonce = out.data() + sizeof kMagic;
  randombytes_buf(nonce, kNonceBytes);
  unsigned long long clen = 0;
  if (crypto_aead_xchacha20poly1305_ietf_encrypt(nonce + kNonceBytes, &clen, plain.data(), plain.size(),
                                                 reinterpret_cast<const unsigned char*>(ad.data()), ad.size(),
                                                 nullptr, nonce, key_.data()) != 0) {
    return Status::Internal("image encryption failed");
  }
  return out;
}

Result<std::vector<uint8_t>> ImageStore::Unseal(std::span<const uint8_t> sealed, std::string_view ad) const {
  if (sealed.size() < sizeof kMagic + kNonceBytes + kTagBytes || std::memcmp(sealed.data(), kMagic, sizeof kMagic) != 0) {
    return Status::PermissionDenied("not an encrypted image file (bad header)");
  }
  const uint8_t* nonce = sealed.data() + sizeof kMagic;
  size_t clen = sealed.size() - sizeof kMagic - kNonceBytes;
  std::vector<uint8_t> plain(clen - kTagBytes);
  unsigned long long plen = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain.data(), &plen, nullptr, nonce + kNonceBytes, clen,
                                                 reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nonce,
                                                 key_.data()) != 0) {
    return Status::PermissionDenied("authentication failed (wrong key or altered file)");
  }
  plain.resize(plen);
  return plain;
}

Result<std::string> ImageStore::Put(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return Status::InvalidArgument("image is empty");
  std::string sha = Sha256Hex(bytes);
  fs::path p = PathOf(sha);
  // Already stored: refresh its modification time, so an orphan sweep running now sees a
  // young file and leaves it for the read about to refer to it.
  if (::utimensat(AT_FDCWD, p.c_str(), nullptr, 0) == 0) return sha;
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  if (ec) return Status::Unavailable("create ", p.parent_path().string(), ": ", ec.message());
  CUSTODIAN_ASSIGN_OR_RETURN(auto sealed, Seal(bytes, sha));
  CUSTODIAN_RETURN_IF_ERROR(WriteFileDurably(p, sealed, 0600));
  return sha;
}

Result<std::vector<std::string>> ImageStore::PutMany(std::span<const std::span<const uint8_t>> images) {
  std::vector<std::string> out;
  out.reserve(images.size());
  if (images.size() < kPutManySyncAllFrom) {
    for (auto bytes : images) {
      CUSTODIAN_ASSIGN_OR_RETURN(auto sha, Put(bytes));
      out.push_back(std::move(sha));
    }
    return out;
  }
  struct Pending {
    fs::path tmp;
    fs::path final_path;
  };
  std::vector<Pending> pending;
  auto discard = [&pending] {
    for (const auto& p : pending) ::unlink(p.tmp.c_str());
  };
  std::set<std::string> seen;
  for (auto bytes : images) {
    if (bytes.empty()) {
      discard();
      return Status::InvalidArgument("image is empty");
    }
    out.push_back(Sha256Hex(bytes));
    const std::string& sha = out.back();
    if (!seen.insert(sha).second) continue;
    fs::path p = PathOf(sha);
    if (::utimensat(AT_FDCWD, p.c_str(), nullptr, 0) == 0) continue;  // stored already (see Put)
    std::error_code ec;
    fs::create_directories(p.parent_path(), ec);
    auto sealed = Seal(bytes, sha);
    auto tmp = ec ? Result<fs::path>(Status::Unavailable("create ", p.parent_path().string(), ": ", ec.message()))
               : sealed.ok() ? WriteTemp(p, *sealed, 0600, /*sync=*/false)
                             : Result<fs::path>(sealed.status());
    if (!tmp.ok()) {
      discard();
      return tmp.status();
    }
    pending.push_back({std::move(*tmp), std::move(p)});
  }
  if (pending.empty()) return out;
  // Two file-system syncs for the whole batch instead of two fsyncs per image: one makes
  // every temporary file durable before any is renamed, the other makes the renames so.
  if (Status st = SyncFileSystem(dir_); !st.ok()) {
    discard();
    return st;
  }
  for (size_t i = 0; i < pending.size(); ++i) {
    if (::rename(pending[i].tmp.c_str(), pending[i].final_path.c_str()) != 0) {
      Status st = Status::Unavailable("rename ", pending[i].tmp.string(), ": ", Errno(errno));
      for (size_t k = i; k < pending.size(); ++k) ::unlink(pending[k].tmp.c_str());
      return st;
    }
  }
  CUSTODIAN_RETURN_IF_ERROR(SyncFileSystem(dir_));
  return out;
}

Result<std::vector<uint8_t>> ImageStore::Get(std::string_view sha) const {
  if (!IsSha256Hex(sha)) return Status::InvalidArgument("not an image hash");
  auto sealed = ReadWholeFile(PathOf(sha), kMaxSealedBytes);
  if (!sealed.ok()) {
    if (sealed.status().code() == StatusCode::kNotFound) return Status::NotFound("image ", sha, " is missing");
    return sealed.status();
  }
  auto plain = Unseal(*sealed, sha);
  if (!plain.ok()) return Status::PermissionDenied("image ", sha, ": ", plain.status().message());
  if (Sha256Hex(*plain) != sha) return Status::Internal("image ", sha, ": content does not match its hash");
  return plain;
}

bool ImageStore::Exists(std::string_view sha) const {
  std::error_code ec;
  return IsSha256Hex(sha) && fs::exists(PathOf(sha), ec);
}

Status ImageStore::Remove(std::string_view sha) {
  if (!IsSha256Hex(sha)) return Status::InvalidArgument("not an image hash");
  fs::path p = PathOf(sha);
  if (::unlink(p.c_str()) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return Status::Unavailable("delete ", p.string(), ": ", Errno(errno));
  }
  return SyncDir(p.parent_path());
}

Status ImageStore::ForEach(TimePoint now,
                           const std::function<Status(const std::string&, std::chrono::milliseconds)>& fn) const {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir_, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string name = it->path().filename().string();
    if (!IsSha256Hex(name)) continue;
    struct stat st {};
    if (::stat(it->path().c_str(), &st) != 0) continue;  // removed meanwhile
    int64_t mtime_ms = int64_t(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1'000'000;
    CUSTODIAN_RETURN_IF_ERROR(fn(name, std::chrono::milliseconds(ToUnixMillis(now) - mtime_ms)));
  }
  if (ec) return Status::Unavailable("list ", dir_.string(), ": ", ec.message());
  return Status::Ok();
}

}  // namespace custodian::store
