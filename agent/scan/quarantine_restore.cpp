// Quarantine::restore: decrypt to a temp file beside the target, check authenticity and the
// SHA-256, give it the original owner, mode and mtime, then rename it into place without ever
// replacing an existing file (RENAME_NOREPLACE).
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "agent/scan/path_text.h"
#include "agent/scan/quarantine.h"
#include "agent/scan/quarantine_cipher.h"
#include "agent/scan/safe_path.h"
#include "platform/file_util.h"
#include "platform/logging.h"
#include "platform/unique_fd.h"

namespace xiaoan::agent::scan {
namespace {

// Owner (root only: others cannot give files away), then mode (chown clears set-id bits),
// then times.
void applyAttributes(int fd, const v1::QuarantineEntry& entry) {
  auto log = componentLogger("agent.scan");
  if (::fchown(fd, entry.uid(), entry.gid()) != 0) {
    log->warn("restore {}: cannot restore owner {}:{}: {}", entry.id(), entry.uid(), entry.gid(),
              std::strerror(errno));
  }
  if (::fchmod(fd, entry.mode() & 07777) != 0) {
    log->warn("restore {}: cannot restore mode: {}", entry.id(), std::strerror(errno));
  }
  struct timespec times[2] = {{0, UTIME_NOW}, {entry.mtime().seconds(), entry.mtime().nanos()}};
  if (::futimens(fd, times) != 0) {
    log->warn("restore {}: cannot restore mtime: {}", entry.id(), std::strerror(errno));
  }
}

// Renames `tmp` to `name` in `dir` unless `name` exists (link+unlink where renameat2 is missing).
Status placeNoReplace(int dir, const std::string& tmp, const std::string& name,
                      const std::string& shown) {
  if (::renameat2(dir, tmp.c_str(), dir, name.c_str(), RENAME_NOREPLACE) == 0) return Status::ok();
  if (errno != EINVAL && errno != ENOSYS) {
    return errnoStatus(ErrorCode::kQuarantine, "restore to " + shown);
  }
  if (::linkat(dir, tmp.c_str(), dir, name.c_str(), 0) != 0) {
    return errnoStatus(ErrorCode::kQuarantine, "restore to " + shown);
  }
  ::unlinkat(dir, tmp.c_str(), 0);
  return Status::ok();
}

Status decryptInto(const std::string& bin, int out_fd, std::string_view key,
                   const v1::QuarantineEntry& entry) {
  UniqueFd in(::open(bin.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!in.valid()) return errnoStatus(ErrorCode::kQuarantine, "open " + bin);
  XIAOAN_ASSIGN_OR_RETURN(StreamDigest digest, decryptStream(in.get(), out_fd, key,
                                                             "xiaoan-quarantine-v1:" + entry.id()));
  if (digest.sha256 != entry.sha256() || digest.bytes != entry.size()) {
    return Status(ErrorCode::kQuarantine,
                  "quarantine entry " + entry.id() + " does not decrypt to the file it recorded");
  }
  applyAttributes(out_fd, entry);
  if (::fsync(out_fd) != 0) return errnoStatus(ErrorCode::kQuarantine, "fsync");
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
void Quarantine::rememberRestored(int dir, const std::string& name) {
  struct stat st {};
  if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return;
  const int64_t mtime_ns =
      static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  restored_.push_back(
      identityLine(st.st_dev, st.st_ino, static_cast<uint64_t>(st.st_size), mtime_ns));
  if (restored_.size() > kMaxRestoredKept) restored_.erase(restored_.begin());
  std::string text;
  for (const auto& line : restored_) text += line + "\n";
  Status saved = atomicWriteFile(dir_ + "/restored", text, 0600);
  if (!saved.isOk()) componentLogger("agent.scan")->warn("quarantine: {}", saved.toString());
}

bool Quarantine::wasRestored(uint64_t dev, uint64_t ino, uint64_t size, int64_t mtime_ns) const {
  const std::string line = identityLine(dev, ino, size, mtime_ns);
  std::lock_guard lock(mu_);
  return std::find(restored_.begin(), restored_.end(), line) != restored_.end();
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
  auto dir = openParentNoFollow(target, &name);
  if (!dir.isOk()) return Status(ErrorCode::kQuarantine, dir.status().message());
  struct stat st {};
  if (::fstatat(dir->get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    return Status(ErrorCode::kQuarantine,
                  shown + " exists; refusing to overwrite it (use --to PATH)");
  }
  // The temp name is ours: a leftover of a restore a crash interrupted goes first (else every
  // later restore of this entry would fail on it).
  const std::string tmp = ".xiaoan-restore-" + id;
  ::unlinkat(dir->get(), tmp.c_str(), 0);
  UniqueFd out(::openat(dir->get(), tmp.c_str(),
                        O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!out.valid()) return errnoStatus(ErrorCode::kQuarantine, "create a file beside " + shown);
  Status restored = decryptInto(binPath(id), out.get(), key_, entry);
  out.reset();
  if (restored.isOk()) restored = placeNoReplace(dir->get(), tmp, name, shown);
  if (!restored.isOk()) {
    ::unlinkat(dir->get(), tmp.c_str(), 0);
    return restored;
  }
  (void)::fsync(dir->get());
  rememberRestored(dir->get(), name);
  XIAOAN_RETURN_IF_ERROR(erase(id));
  if (restored_to != nullptr) *restored_to = target;
  return entry;
}

}  // namespace xiaoan::agent::scan
