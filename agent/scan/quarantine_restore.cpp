// Quarantine::restore: decrypt to a temp file beside the target, check authenticity and the
// SHA-256, give it the original owner, mode and mtime, then rename it into place without ever
// replacing an existing file (RenameMode::kNoReplace).
#include <algorithm>

#include "agent/scan/path_text.h"
#include "agent/scan/quarantine.h"
#include "agent/scan/quarantine_cipher.h"
#include "agent/scan/safe_path.h"
#include "platform/file.h"
#include "platform/file_util.h"
#include "platform/logging.h"

namespace xiaoan::agent::scan {
namespace {

// Owner (root only: others cannot give files away), then mode (chown clears set-id bits),
// then times. Each is best effort: the bytes are what matters, a missing attribute is logged.
void applyAttributes(File& out, const v1::QuarantineEntry& entry) {
  auto log = componentLogger(LogComponent::kAgentScan);
  Status st = out.setOwner(entry.uid(), entry.gid());
  if (!st.isOk()) {
    log->warn("restore {}: cannot restore owner {}:{}: {}", entry.id(), entry.uid(), entry.gid(),
              st.toString());
  }
  st = out.setMode(entry.mode() & 07777);
  if (!st.isOk()) log->warn("restore {}: cannot restore mode: {}", entry.id(), st.toString());
  st = out.setModificationTime(entry.mtime().seconds() * 1'000'000'000 + entry.mtime().nanos());
  if (!st.isOk()) log->warn("restore {}: cannot restore mtime: {}", entry.id(), st.toString());
}

// Best effort removal of our temp file (a leftover is removed before the next restore).
void removeTemp(const File& dir, const std::string& tmp) {
  Status st = unlinkAt(dir, tmp);
  if (!st.isOk() && st.code() != ErrorCode::kNotFound) {
    componentLogger(LogComponent::kAgentScan)->warn("restore: {}", st.toString());
  }
}

// "what: <OS reason>", or the cause's own message when it carries no OS error.
Status restoreError(const std::string& what, const Status& cause) {
  return cause.sysErrno() != 0 ? errnoStatus(ErrorCode::kQuarantine, what, cause.sysErrno())
                               : Status(ErrorCode::kQuarantine, what + ": " + cause.message());
}

// Renames `tmp` to `name` in `dir` unless `name` exists (link+unlink where the file system
// cannot rename without replacing).
Status placeNoReplace(const File& dir, const std::string& tmp, const std::string& name,
                      const std::string& shown) {
  Status st = renameAt(dir, tmp, dir, name, RenameMode::kNoReplace);
  if (st.isOk()) return st;
  if (st.code() != ErrorCode::kUnsupported) return restoreError("restore to " + shown, st);
  st = linkAt(dir, tmp, dir, name);
  if (!st.isOk()) return restoreError("restore to " + shown, st);
  removeTemp(dir, tmp);
  return Status::ok();
}

Status decryptInto(const std::string& bin, File& out, std::string_view key,
                   const v1::QuarantineEntry& entry) {
  auto in = File::open(bin, OpenOptions::read());
  if (!in.isOk()) return restoreError("open " + bin, in.status());
  XIAOAN_ASSIGN_OR_RETURN(StreamDigest digest,
                          decryptStream(*in, out, key, "xiaoan-quarantine-v1:" + entry.id()));
  if (digest.sha256 != entry.sha256() || digest.bytes != entry.size()) {
    return Status(ErrorCode::kQuarantine,
                  "quarantine entry " + entry.id() + " does not decrypt to the file it recorded");
  }
  applyAttributes(out, entry);
  Status synced = out.sync();
  if (!synced.isOk()) return restoreError("fsync", synced);
  return Status::ok();
}

std::string identityLine(uint64_t dev, uint64_t ino, uint64_t size, int64_t mtime_ns) {
  return std::to_string(dev) + " " + std::to_string(ino) + " " + std::to_string(size) + " " +
         std::to_string(mtime_ns);
}

}  // namespace

void Quarantine::loadRestored() {
  auto text = readFile(dir_ + "/restored", 1 << 20);
  if (!text.isOk()) return;
  size_t pos = 0;
  while (pos < text->size() && restored_.size() < kMaxRestoredKept) {
    size_t nl = text->find('\n', pos);
    if (nl == std::string::npos) nl = text->size();
    if (nl > pos) restored_.push_back(text->substr(pos, nl - pos));
    pos = nl + 1;
  }
}

// Best effort: losing it means a restored file may be quarantined again, nothing worse.
void Quarantine::rememberRestored(const File& dir, const std::string& name) {
  auto st = statAt(dir, name);
  if (!st.isOk()) return;
  restored_.push_back(identityLine(st->dev, st->ino, st->size, st->mtime_ns));
  if (restored_.size() > kMaxRestoredKept) restored_.erase(restored_.begin());
  std::string text;
  for (const auto& line : restored_) text += line + "\n";
  Status saved = atomicWriteFile(dir_ + "/restored", text, 0600);
  if (!saved.isOk())
    componentLogger(LogComponent::kAgentScan)->warn("quarantine: {}", saved.toString());
}

bool Quarantine::wasRestored(uint64_t dev, uint64_t ino, uint64_t size, int64_t mtime_ns) const {
  const std::string line = identityLine(dev, ino, size, mtime_ns);
  std::lock_guard lock(mu_);
  return std::find(restored_.begin(), restored_.end(), line) != restored_.end();
}

// Leaves either the whole file, durable, as `name` in `dir`, or nothing there.
Status Quarantine::restoreInto(File& dir, const std::string& name, const v1::QuarantineEntry& entry,
                               const std::string& shown) const {
  // The temp name is ours: a leftover of a restore a crash interrupted goes first (else every
  // later restore of this entry would fail on it).
  const std::string tmp = ".xiaoan-restore-" + entry.id();
  removeTemp(dir, tmp);
  auto out = dir.openAt(tmp, OpenOptions::write(OpenCreate::kNew, 0600));
  if (!out.isOk()) return restoreError("create a file beside " + shown, out.status());
  Status restored = decryptInto(binPath(entry.id()), *out, key_, entry);
  out->close();
  if (restored.isOk()) restored = placeNoReplace(dir, tmp, name, shown);
  if (!restored.isOk()) {
    removeTemp(dir, tmp);
    return restored;
  }
  // The restored name must survive a crash before the entry is erased: else both could be lost.
  Status synced = dir.sync();
  if (!synced.isOk()) {
    return restoreError(shown +
                            " is restored but may not survive a crash (the quarantine entry "
                            "is kept); fsync of its directory",
                        synced);
  }
  return Status::ok();
}

Result<v1::QuarantineEntry> Quarantine::restore(const std::string& id, const std::string& to,
                                                std::string* restored_to) {
  std::lock_guard lock(mu_);
  XIAOAN_ASSIGN_OR_RETURN(v1::QuarantineEntry entry, load(id));
  const std::string target =
      !to.empty() ? to : (entry.raw_path().empty() ? entry.path() : entry.raw_path());
  if (target.empty() || target.front() != '/') {
    return Status(ErrorCode::kInvalidArgument, "restore needs an absolute path");
  }
  const std::string shown = displayPath(target);
  std::string name;
  auto dir = openTargetParent(target, &name);
  if (!dir.isOk()) return Status(ErrorCode::kQuarantine, dir.status().message());
  if (statAt(*dir, name).isOk()) {
    return Status(ErrorCode::kQuarantine,
                  shown + " exists; refusing to overwrite it (use --to PATH)");
  }
  XIAOAN_RETURN_IF_ERROR(restoreInto(*dir, name, entry, shown));
  rememberRestored(*dir, name);
  XIAOAN_RETURN_IF_ERROR(erase(id));
  uncount(entry);
  if (restored_to != nullptr) *restored_to = target;
  return entry;
}

}  // namespace xiaoan::agent::scan
