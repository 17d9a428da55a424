#include "agent/scan/quarantine.h"

#include <algorithm>
#include <tuple>

#include "agent/scan/path_text.h"
#include "agent/scan/quarantine_cipher.h"
#include "agent/scan/safe_path.h"
#include "common/proto_time.h"
#include "platform/file.h"
#include "platform/file_util.h"
#include "platform/logging.h"

namespace xiaoan::agent::scan {
namespace {

constexpr size_t kMaxEntryBytes = 1 << 20;
// Upper bound of what the encrypted copy adds to a file: the header, one tag per 1 MiB chunk,
// and the metadata file beside it.
constexpr uint64_t kCopyOverheadPerMiB = 64;
constexpr uint64_t kCopyOverheadFixed = 64 * 1024;

std::string mib(uint64_t bytes) {
  return std::to_string((bytes + (uint64_t{1} << 19)) >> 20) + " MiB";
}

std::string aadFor(const std::string& id) { return "xiaoan-quarantine-v1:" + id; }

Status quarantineError(const std::string& what) { return Status(ErrorCode::kQuarantine, what); }

// "what: <OS reason>" (the wording the quarantine always had), or the cause's own message
// when it carries no OS error.
Status quarantineError(const std::string& what, const Status& cause) {
  return cause.sysErrno() != 0 ? errnoStatus(ErrorCode::kQuarantine, what, cause.sysErrno())
                               : quarantineError(what + ": " + cause.message());
}

// Best effort, for our own temp files and left-overs: one that stays is removed at the next
// open (removeLeftovers), so a failure is only logged.
void removeQuietly(const std::string& path) {
  Status st = removeFile(path);
  if (!st.isOk() && st.code() != ErrorCode::kNotFound) {
    componentLogger(LogComponent::kAgentScan)->warn("quarantine: {}", st.toString());
  }
}

// Written whole or not at all (temp file, fsync, rename): a crash mid-write must not leave a
// short key that disables quarantine for good.
Result<std::string> createKey(const std::string& path) {
  XIAOAN_ASSIGN_OR_RETURN(std::string key, randomBytes(kQuarantineKeyBytes));
  Status st = atomicWriteFile(path, key, 0600);
  if (!st.isOk()) return quarantineError("create " + path + ": " + st.message());
  componentLogger(LogComponent::kAgentScan)->info("created the quarantine key {}", path);
  return key;
}

// The key is created once: a damaged key is reported, never replaced (that would make every
// quarantined file unreadable for good).
Result<std::string> loadKey(const std::string& path) {
  auto file = File::open(path, OpenOptions::read());
  if (!file.isOk() && file.status().code() == ErrorCode::kNotFound) return createKey(path);
  if (!file.isOk()) return quarantineError("open " + path, file.status());
  auto st = file->stat();
  if (!st.isOk() || !st->isRegular() || st->size != kQuarantineKeyBytes) {
    return quarantineError(path + " is not a " + std::to_string(kQuarantineKeyBytes) +
                           "-byte key file; quarantine disabled");
  }
  if ((st->mode & 077) != 0) {
    Status tightened = file->setMode(0600);
    if (!tightened.isOk()) {
      componentLogger(LogComponent::kAgentScan)
          ->warn("quarantine key {}: {}", path, tightened.toString());
    }
  }
  std::string key(kQuarantineKeyBytes, '\0');
  auto got = file->readAt(key.data(), key.size(), 0);
  if (!got.isOk()) return quarantineError("read " + path, got.status());
  if (*got != key.size()) return quarantineError("read " + path + ": shorter than its size");
  return key;
}

std::string newId() {
  auto bytes = randomBytes(8);
  return bytes.isOk() ? toHex(*bytes) : std::string();
}

// Nanoseconds since the epoch as a Timestamp (common/proto_time keeps nanos in [0, 1e9) before
// 1970 too).
google::protobuf::Timestamp protoTime(int64_t ns) {
  return toTimestamp(std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::nanoseconds(ns))));
}

}  // namespace

bool isQuarantineId(const std::string& id) {
  return id.size() == 16 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

Quarantine::Quarantine(std::string dir, std::string key, const Clock& clock, SpaceProbe space)
    : dir_(std::move(dir)), key_(std::move(key)), clock_(clock), space_(std::move(space)) {}

Result<std::unique_ptr<Quarantine>> Quarantine::open(const std::string& dir, const Clock& clock,
                                                     SpaceProbe space) {
  XIAOAN_RETURN_IF_ERROR(makeDirs(dir, 0700));
  XIAOAN_ASSIGN_OR_RETURN(std::string key, loadKey(dir + "/key"));
  std::unique_ptr<Quarantine> q(new Quarantine(dir, std::move(key), clock, std::move(space)));
  // Left-overs of an interrupted add or restore: a .part, or a .bin without its .pb (the
  // original was not removed yet, so nothing is lost).
  q->removeLeftovers();
  q->loadRestored();
  for (const auto& entry : q->list()) {
    ++q->usage_.files;
    q->usage_.bytes += entry.size();
  }
  return q;
}

void Quarantine::setLimits(const QuarantineLimits& limits) {
  std::lock_guard lock(mu_);
  limits_ = limits;
}

QuarantineLimits Quarantine::limits() const {
  std::lock_guard lock(mu_);
  return limits_;
}

QuarantineUsage Quarantine::usage() const {
  std::lock_guard lock(mu_);
  return usage_;
}

// Room for one more file of `size` bytes: under both caps, and the copy leaves the reserve
// free. A file system that cannot say how full it is does not stop the quarantine (a full disk
// then fails the write, which is reported as such).
Status Quarantine::checkRoom(uint64_t size) const {
  if (usage_.files >= limits_.max_files) {
    return quarantineError("quarantine full: it holds " + std::to_string(usage_.files) +
                           " files, the cap is " + std::to_string(limits_.max_files));
  }
  if (usage_.bytes + size > limits_.max_bytes) {
    return quarantineError("quarantine full: it holds " + mib(usage_.bytes) + ", this file (" +
                           std::to_string(size) + " bytes) would pass the cap of " +
                           mib(limits_.max_bytes));
  }
  auto free = space_ ? space_(dir_) : Result<uint64_t>(Status(ErrorCode::kUnsupported, "none"));
  if (!free.isOk()) {
    componentLogger(LogComponent::kAgentScan)
        ->warn("quarantine: free space unknown: {}", free.status().toString());
    return Status::ok();
  }
  const uint64_t copy = size + (size >> 20) * kCopyOverheadPerMiB + kCopyOverheadFixed;
  if (*free < copy + limits_.reserve_bytes) {
    return quarantineError("free space reserve: " + mib(*free) +
                           " free on the file system, the copy of this file (" +
                           std::to_string(size) + " bytes) would leave less than the reserve of " +
                           mib(limits_.reserve_bytes));
  }
  return Status::ok();
}

void Quarantine::uncount(const v1::QuarantineEntry& entry) {
  usage_.files -= std::min<uint64_t>(usage_.files, 1);
  usage_.bytes -= std::min<uint64_t>(usage_.bytes, entry.size());
}

void Quarantine::removeLeftovers() const {
  auto names = listDir(dir_);
  if (!names.isOk()) {
    componentLogger(LogComponent::kAgentScan)->warn("quarantine: {}", names.status().toString());
    return;
  }
  for (const std::string& name : *names) {
    const std::string id = name.substr(0, 16);
    const bool part = name.size() > 5 && name.compare(name.size() - 5, 5, ".part") == 0;
    const bool orphan = name == id + ".bin" && !pathExists(pbPath(id));
    if (isQuarantineId(id) && (part || orphan)) removeQuietly(dir_ + "/" + name);
  }
}

namespace {

// The file to quarantine, opened through its directory: no symlink anywhere in the path
// (safe_path.h), and the very file (device, inode) that was scanned.
struct Victim {
  File dir;
  std::string name;
  File file;
  FileStat st;
};

Result<Victim> openVictim(const QuarantineRequest& request) {
  const std::string shown = displayPath(request.path);
  Victim v;
  auto dir = openTargetParent(request.path, &v.name);
  if (!dir.isOk()) return Status(ErrorCode::kQuarantine, dir.status().message());
  v.dir = std::move(dir).value();
  // Never blocks: a FIFO swapped in for the file would hang the open (reads of a regular file
  // ignore the flag).
  OpenOptions options = OpenOptions::read();
  options.non_blocking = true;
  auto file = v.dir.openAt(v.name, options);
  if (!file.isOk()) return quarantineError("open " + shown, file.status());
  v.file = std::move(file).value();
  auto st = v.file.stat();
  if (!st.isOk() || !st->isRegular()) return quarantineError(shown + " is not a regular file");
  v.st = *st;
  if ((request.dev != 0 || request.ino != 0) &&
      (v.st.dev != request.dev || v.st.ino != request.ino)) {
    return quarantineError(shown + " was replaced after it was scanned");
  }
  return v;
}

// Removes the original only if its name still holds the file that was copied.
Status removeOriginal(Victim& v, const std::string& shown) {
  auto now = statAt(v.dir, v.name);
  if (!now.isOk() || now->dev != v.st.dev || now->ino != v.st.ino) {
    return quarantineError(shown + " changed while it was quarantined");
  }
  Status removed = unlinkAt(v.dir, v.name);
  if (!removed.isOk()) return quarantineError("remove " + shown, removed);
  // The copy is durable already: a removal a crash loses only brings the original back, so
  // this is no reason to undo the quarantine.
  Status synced = v.dir.sync();
  if (!synced.isOk()) {
    componentLogger(LogComponent::kAgentScan)
        ->warn("quarantine: removed {}, {}", shown, synced.toString());
  }
  return Status::ok();
}

}  // namespace

// <id>.bin.part, encrypted and fsynced, then renamed to <id>.bin and the directory fsynced:
// the copy must survive a crash before the original is removed.
Result<StreamDigest> Quarantine::writeEncrypted(const File& in, const std::string& id) const {
  const std::string part = binPath(id) + ".part";
  auto out = File::open(part, OpenOptions::write(OpenCreate::kNew, 0600));
  if (!out.isOk()) return quarantineError("create " + part, out.status());
  auto digest = encryptStream(in, *out, key_, aadFor(id));
  Status st = digest.isOk() ? Status::ok() : digest.status();
  if (st.isOk()) {
    st = out->sync();
    if (!st.isOk()) st = Status(st.code(), part + ": " + st.message(), st.sysErrno());
  }
  out->close();
  if (st.isOk()) st = renamePath(part, binPath(id));
  if (st.isOk()) st = fsyncDir(dir_);
  if (!st.isOk()) {
    removeQuietly(part);
    removeQuietly(binPath(id));
    return Status(ErrorCode::kQuarantine, st.message());
  }
  return digest;
}

v1::QuarantineEntry Quarantine::entryFor(const QuarantineRequest& request, const std::string& id,
                                         const StreamDigest& digest, const FileStat& st) const {
  v1::QuarantineEntry entry;
  entry.set_id(id);
  setPathFields(request.path, entry.mutable_path(), entry.mutable_raw_path());
  entry.set_size(digest.bytes);
  entry.set_sha256(digest.sha256);
  for (const auto& m : request.matches) *entry.add_matches() = m;
  const auto now =
      std::chrono::duration_cast<std::chrono::nanoseconds>(clock_.now().time_since_epoch()).count();
  *entry.mutable_quarantined_at() = protoTime(now);
  entry.set_uid(st.uid);
  entry.set_gid(st.gid);
  entry.set_mode(st.mode & 07777);
  *entry.mutable_mtime() = protoTime(st.mtime_ns);
  entry.set_bundle_version(request.bundle_version);
  return entry;
}

Result<v1::QuarantineEntry> Quarantine::add(const QuarantineRequest& request,
                                            QuarantineRefusal* why) {
  if (why != nullptr) *why = QuarantineRefusal::kFailed;
  XIAOAN_ASSIGN_OR_RETURN(Victim victim, openVictim(request));
  std::lock_guard lock(mu_);
  if (Status room = checkRoom(victim.st.size); !room.isOk()) {
    if (why != nullptr) *why = QuarantineRefusal::kNoRoom;
    return room;
  }
  const std::string id = newId();
  if (id.empty()) return quarantineError("no random id");
  XIAOAN_ASSIGN_OR_RETURN(StreamDigest digest, writeEncrypted(victim.file, id));
  v1::QuarantineEntry entry = entryFor(request, id, digest, victim.st);
  // The copy and its metadata are durable before the original goes.
  Status st = atomicWriteFile(pbPath(id), entry.SerializeAsString(), 0600);
  if (st.isOk()) st = removeOriginal(victim, displayPath(request.path));
  if (!st.isOk()) {
    Status undone = erase(id);
    if (!undone.isOk()) {
      componentLogger(LogComponent::kAgentScan)
          ->warn("quarantine: undo {}: {}", id, undone.toString());
    }
    return Status(ErrorCode::kQuarantine, st.message());
  }
  ++usage_.files;
  usage_.bytes += entry.size();
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
  Status meta = removeFile(pbPath(id));
  if (!meta.isOk() && meta.code() != ErrorCode::kNotFound) {
    return quarantineError("remove " + pbPath(id), meta);
  }
  removeQuietly(binPath(id));
  return fsyncDir(dir_);
}

std::vector<v1::QuarantineEntry> Quarantine::list() const {
  std::lock_guard lock(mu_);
  std::vector<v1::QuarantineEntry> out;
  auto names = listDir(dir_);
  if (!names.isOk()) {
    componentLogger(LogComponent::kAgentScan)->warn("quarantine: {}", names.status().toString());
    return out;
  }
  for (const std::string& name : *names) {
    if (name.size() != 19 || name.compare(16, 3, ".pb") != 0) continue;
    auto entry = load(name.substr(0, 16));
    if (entry.isOk()) {
      out.push_back(std::move(entry).value());
    } else {
      componentLogger(LogComponent::kAgentScan)->warn("quarantine: {}", entry.status().toString());
    }
  }
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
  auto names = listDir(dir_);
  if (!names.isOk()) return 0;
  return static_cast<size_t>(std::count_if(names->begin(), names->end(), [](const auto& name) {
    return name.size() == 19 && name.compare(16, 3, ".pb") == 0 &&
           isQuarantineId(name.substr(0, 16));
  }));
}

Result<v1::QuarantineEntry> Quarantine::remove(const std::string& id) {
  std::lock_guard lock(mu_);
  XIAOAN_ASSIGN_OR_RETURN(v1::QuarantineEntry entry, load(id));
  XIAOAN_RETURN_IF_ERROR(erase(id));
  uncount(entry);
  return entry;
}

}  // namespace xiaoan::agent::scan
