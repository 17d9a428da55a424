#include "agent/scan/quarantine.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <tuple>

#include "agent/scan/path_text.h"
#include "agent/scan/quarantine_cipher.h"
#include "agent/scan/safe_path.h"
#include "platform/file_util.h"
#include "platform/logging.h"
#include "platform/unique_fd.h"

namespace xiaoan::agent::scan {
namespace {

constexpr size_t kMaxEntryBytes = 1 << 20;

std::string aadFor(const std::string& id) { return "xiaoan-quarantine-v1:" + id; }

Status quarantineError(const std::string& what, int err = 0) {
  return err != 0 ? errnoStatus(ErrorCode::kQuarantine, what, err)
                  : Status(ErrorCode::kQuarantine, what);
}

// Written whole or not at all (temp file, fsync, rename): a crash mid-write must not leave a
// short key that disables quarantine for good.
Result<std::string> createKey(const std::string& path) {
  XIAOAN_ASSIGN_OR_RETURN(std::string key, randomBytes(kQuarantineKeyBytes));
  Status st = atomicWriteFile(path, key, 0600);
  if (!st.isOk()) return quarantineError("create " + path + ": " + st.message());
  componentLogger("agent.scan")->info("created the quarantine key {}", path);
  return key;
}

// The key is created once: a damaged key is reported, never replaced (that would make every
// quarantined file unreadable for good).
Result<std::string> loadKey(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid() && errno == ENOENT) return createKey(path);
  if (!fd.valid()) return errnoStatus(ErrorCode::kQuarantine, "open " + path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) ||
      st.st_size != static_cast<off_t>(kQuarantineKeyBytes)) {
    return quarantineError(path + " is not a " + std::to_string(kQuarantineKeyBytes) +
                           "-byte key file; quarantine disabled");
  }
  if ((st.st_mode & 077) != 0) (void)::fchmod(fd.get(), 0600);
  std::string key(kQuarantineKeyBytes, '\0');
  if (::read(fd.get(), key.data(), key.size()) != static_cast<ssize_t>(key.size())) {
    return errnoStatus(ErrorCode::kQuarantine, "read " + path);
  }
  return key;
}

std::string newId() {
  auto bytes = randomBytes(8);
  return bytes.isOk() ? toHex(*bytes) : std::string();
}

google::protobuf::Timestamp protoTime(int64_t sec, int64_t nsec) {
  google::protobuf::Timestamp t;
  t.set_seconds(sec);
  t.set_nanos(static_cast<int32_t>(nsec));
  return t;
}

}  // namespace

bool isQuarantineId(const std::string& id) {
  return id.size() == 16 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

Quarantine::Quarantine(std::string dir, std::string key, const Clock& clock)
    : dir_(std::move(dir)), key_(std::move(key)), clock_(clock) {}

Result<std::unique_ptr<Quarantine>> Quarantine::open(const std::string& dir, const Clock& clock) {
  XIAOAN_RETURN_IF_ERROR(makeDirs(dir, 0700));
  XIAOAN_ASSIGN_OR_RETURN(std::string key, loadKey(dir + "/key"));
  std::unique_ptr<Quarantine> q(new Quarantine(dir, std::move(key), clock));
  // Left-overs of an interrupted add or restore: a .part, or a .bin without its .pb (the
  // original was not removed yet, so nothing is lost).
  q->removeLeftovers();
  q->loadRestored();
  return q;
}

void Quarantine::removeLeftovers() const {
  DIR* d = ::opendir(dir_.c_str());
  if (d == nullptr) return;
  while (dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    const std::string id = name.substr(0, 16);
    const bool part = name.size() > 5 && name.compare(name.size() - 5, 5, ".part") == 0;
    const bool orphan = name == id + ".bin" && ::access(pbPath(id).c_str(), F_OK) != 0;
    if (isQuarantineId(id) && (part || orphan)) ::unlink((dir_ + "/" + name).c_str());
  }
  ::closedir(d);
}

namespace {

// The file to quarantine, opened through its directory: no symlink anywhere in the path
// (safe_path.h), and the very file (device, inode) that was scanned.
struct Victim {
  UniqueFd dir;
  std::string name;
  UniqueFd fd;
  struct stat st {};
};

Result<Victim> openVictim(const QuarantineRequest& request) {
  const std::string shown = displayPath(request.path);
  Victim v;
  auto dir = openParentNoFollow(request.path, &v.name);
  if (!dir.isOk()) return Status(ErrorCode::kQuarantine, dir.status().message());
  v.dir = std::move(dir).value();
  v.fd.reset(::openat(v.dir.get(), v.name.c_str(), O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC));
  if (!v.fd.valid()) return errnoStatus(ErrorCode::kQuarantine, "open " + shown);
  if (::fstat(v.fd.get(), &v.st) != 0 || !S_ISREG(v.st.st_mode)) {
    return quarantineError(shown + " is not a regular file");
  }
  if ((request.dev != 0 || request.ino != 0) &&
      (v.st.st_dev != request.dev || v.st.st_ino != request.ino)) {
    return quarantineError(shown + " was replaced after it was scanned");
  }
  return v;
}

// Removes the original only if its name still holds the file that was copied.
Status removeOriginal(const Victim& v, const std::string& shown) {
  struct stat now {};
  if (::fstatat(v.dir.get(), v.name.c_str(), &now, AT_SYMLINK_NOFOLLOW) != 0 ||
      now.st_dev != v.st.st_dev || now.st_ino != v.st.st_ino) {
    return quarantineError(shown + " changed while it was quarantined");
  }
  if (::unlinkat(v.dir.get(), v.name.c_str(), 0) != 0) {
    return errnoStatus(ErrorCode::kQuarantine, "remove " + shown);
  }
  (void)::fsync(v.dir.get());
  return Status::ok();
}

}  // namespace

// <id>.bin.part, encrypted and fsynced, then renamed to <id>.bin.
Result<StreamDigest> Quarantine::writeEncrypted(int in_fd, const std::string& id) const {
  const std::string part = binPath(id) + ".part";
  UniqueFd out(::open(part.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600));
  if (!out.valid()) return errnoStatus(ErrorCode::kQuarantine, "create " + part);
  auto digest = encryptStream(in_fd, out.get(), key_, aadFor(id));
  Status st = digest.isOk() ? Status::ok() : digest.status();
  if (st.isOk() && ::fsync(out.get()) != 0) st = errnoStatus(ErrorCode::kIo, "fsync " + part);
  if (st.isOk() && ::rename(part.c_str(), binPath(id).c_str()) != 0) {
    st = errnoStatus(ErrorCode::kIo, "rename " + part);
  }
  if (!st.isOk()) {
    ::unlink(part.c_str());
    return Status(ErrorCode::kQuarantine, st.message());
  }
  return digest;
}

v1::QuarantineEntry Quarantine::entryFor(const QuarantineRequest& request, const std::string& id,
                                         const StreamDigest& digest, const struct stat& st) const {
  v1::QuarantineEntry entry;
  entry.set_id(id);
  setPathFields(request.path, entry.mutable_path(), entry.mutable_raw_path());
  entry.set_size(digest.bytes);
  entry.set_sha256(digest.sha256);
  for (const auto& m : request.matches) *entry.add_matches() = m;
  const auto now =
      std::chrono::duration_cast<std::chrono::nanoseconds>(clock_.now().time_since_epoch()).count();
  *entry.mutable_quarantined_at() = protoTime(now / 1'000'000'000, now % 1'000'000'000);
  entry.set_uid(st.st_uid);
  entry.set_gid(st.st_gid);
  entry.set_mode(st.st_mode & 07777);
  *entry.mutable_mtime() = protoTime(st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
  entry.set_bundle_version(request.bundle_version);
  return entry;
}

Result<v1::QuarantineEntry> Quarantine::add(const QuarantineRequest& request) {
  XIAOAN_ASSIGN_OR_RETURN(Victim victim, openVictim(request));
  std::lock_guard lock(mu_);
  const std::string id = newId();
  if (id.empty()) return quarantineError("no random id");
  XIAOAN_ASSIGN_OR_RETURN(StreamDigest digest, writeEncrypted(victim.fd.get(), id));
  v1::QuarantineEntry entry = entryFor(request, id, digest, victim.st);
  // The copy and its metadata are durable before the original goes.
  Status st = atomicWriteFile(pbPath(id), entry.SerializeAsString(), 0600);
  if (st.isOk()) st = removeOriginal(victim, displayPath(request.path));
  if (!st.isOk()) {
    (void)erase(id);
    return Status(ErrorCode::kQuarantine, st.message());
  }
  return entry;
}

Result<v1::QuarantineEntry> Quarantine::load(const std::string& id) const {
  if (!isQuarantineId(id)) {
    return Status(ErrorCode::kNotFound, "no quarantine entry '" + displayPath(id) + "'");
  }
  auto bytes = readFile(pbPath(id), kMaxEntryBytes);
  if (!bytes.isOk()) {
    if (bytes.status().code() == ErrorCode::kNotFound) {
      return Status(ErrorCode::kNotFound, "no quarantine entry " + id);
    }
    return bytes.status();
  }
  v1::QuarantineEntry entry;
  if (!entry.ParseFromString(*bytes) || entry.id() != id) {
    return quarantineError("quarantine entry " + id + " is damaged");
  }
  return entry;
}

Status Quarantine::erase(const std::string& id) const {
  // Metadata first: a .bin without its .pb is cleaned up at the next open.
  if (::unlink(pbPath(id).c_str()) != 0 && errno != ENOENT) {
    return errnoStatus(ErrorCode::kQuarantine, "remove " + pbPath(id));
  }
  ::unlink(binPath(id).c_str());
  return fsyncDir(dir_);
}

std::vector<v1::QuarantineEntry> Quarantine::list() const {
  std::lock_guard lock(mu_);
  std::vector<v1::QuarantineEntry> out;
  DIR* d = ::opendir(dir_.c_str());
  if (d == nullptr) return out;
  while (dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name.size() != 19 || name.compare(16, 3, ".pb") != 0) continue;
    auto entry = load(name.substr(0, 16));
    if (entry.isOk()) {
      out.push_back(std::move(entry).value());
    } else {
      componentLogger("agent.scan")->warn("quarantine: {}", entry.status().toString());
    }
  }
  ::closedir(d);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    const auto& x = a.quarantined_at();
    const auto& y = b.quarantined_at();
    return std::make_tuple(x.seconds(), x.nanos(), a.id()) <
           std::make_tuple(y.seconds(), y.nanos(), b.id());
  });
  return out;
}

// Counted by name (status asks often; list() parses every entry).
size_t Quarantine::count() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  DIR* d = ::opendir(dir_.c_str());
  if (d == nullptr) return 0;
  while (dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name.size() == 19 && name.compare(16, 3, ".pb") == 0 && isQuarantineId(name.substr(0, 16)))
      ++n;
  }
  ::closedir(d);
  return n;
}

Result<v1::QuarantineEntry> Quarantine::remove(const std::string& id) {
  std::lock_guard lock(mu_);
  XIAOAN_ASSIGN_OR_RETURN(v1::QuarantineEntry entry, load(id));
  XIAOAN_RETURN_IF_ERROR(erase(id));
  return entry;
}

}  // namespace xiaoan::agent::scan
