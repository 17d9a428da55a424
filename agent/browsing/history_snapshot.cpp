#include "agent/browsing/history_snapshot.h"

#include <chrono>
#include <thread>
#include <vector>

#include "platform/file_util.h"

namespace xiaoan::agent::browsing {
namespace {

constexpr size_t kCopyChunk = 256 * 1024;
const char* const kSidecars[] = {"-journal", "-wal"};

Result<SourceFile> statOne(const File& dir, const std::string& name, uint32_t owner_uid,
                           uint64_t max_bytes) {
  auto st = statAt(dir, name);
  if (!st.isOk()) {
    if (st.status().code() == ErrorCode::kNotFound) return SourceFile{};
    return st.status();
  }
  if (!st->isRegular()) {
    return Status(ErrorCode::kPermissionDenied, name + " is not a regular file");
  }
  if (st->uid != owner_uid && st->uid != 0) {
    return Status(ErrorCode::kPermissionDenied, name + " belongs to another user");
  }
  if (st->size > max_bytes) {
    return Status(ErrorCode::kTooLarge,
                  name + " is larger than " + std::to_string(max_bytes) + " bytes");
  }
  return SourceFile{true, FileId{st->dev, st->ino}, st->size, st->mtime_ns};
}

Result<File> openDir(const std::string& db_path, std::string* name) {
  if (db_path.empty() || db_path.front() != '/') {
    return Status(ErrorCode::kInvalidArgument, "history path must be absolute: " + db_path);
  }
  return openParentNoFollow(db_path, name, "/");
}

}  // namespace

Result<SourceState> HistorySnapshot::statIn(const File& dir, const std::string& name,
                                            uint32_t owner_uid) const {
  SourceState s;
  XIAOAN_ASSIGN_OR_RETURN(s.db, statOne(dir, name, owner_uid, options_.max_db_bytes));
  if (!s.db.present) return Status(ErrorCode::kNotFound, name + " not found");
  XIAOAN_ASSIGN_OR_RETURN(s.journal,
                          statOne(dir, name + kSidecars[0], owner_uid, options_.max_db_bytes));
  XIAOAN_ASSIGN_OR_RETURN(s.wal,
                          statOne(dir, name + kSidecars[1], owner_uid, options_.max_db_bytes));
  return s;
}

Result<SourceState> HistorySnapshot::stat(const std::string& db_path, uint32_t owner_uid) const {
  std::string name;
  XIAOAN_ASSIGN_OR_RETURN(File dir, openDir(db_path, &name));
  return statIn(dir, name, owner_uid);
}

Status HistorySnapshot::copyFile(const File& dir, const std::string& from, const std::string& to,
                                 const SourceFile& expected) const {
  OpenOptions ro;
  ro.non_blocking = true;  // a FIFO swapped in after the stat never blocks the open
  XIAOAN_ASSIGN_OR_RETURN(File in, dir.openAt(from, ro));
  XIAOAN_ASSIGN_OR_RETURN(FileStat st, in.stat());
  if (!st.isRegular() || FileId{st.dev, st.ino} != expected.id) {
    return Status(ErrorCode::kTimeout, from + " was replaced during the copy");
  }
  XIAOAN_ASSIGN_OR_RETURN(File out, File::open(to, OpenOptions::write(OpenCreate::kTruncate)));
  std::vector<char> buf(kCopyChunk);
  uint64_t offset = 0;
  while (offset <= options_.max_db_bytes) {
    XIAOAN_ASSIGN_OR_RETURN(size_t n, in.readAt(buf.data(), buf.size(), offset));
    if (n == 0) return Status::ok();
    XIAOAN_RETURN_IF_ERROR(out.writeAll(std::string_view(buf.data(), n)));
    offset += n;
  }
  return Status(ErrorCode::kTooLarge, from + " grew past the copy limit");
}

Status HistorySnapshot::copyOnce(const File& dir, const std::string& name,
                                 const SourceState& state) const {
  const std::string to = copyPath();
  // Sidecars first: a journal copied after the database could describe pages the copy lacks.
  const SourceFile* sidecars[] = {&state.journal, &state.wal};
  for (int i = 0; i < 2; ++i) {
    if (!sidecars[i]->present) continue;
    XIAOAN_RETURN_IF_ERROR(copyFile(dir, name + kSidecars[i], to + kSidecars[i], *sidecars[i]));
  }
  return copyFile(dir, name, to, state.db);
}

Result<SourceState> HistorySnapshot::copy(const std::string& db_path, uint32_t owner_uid) {
  XIAOAN_RETURN_IF_ERROR(makeDirs(options_.work_dir, 0700));
  XIAOAN_RETURN_IF_ERROR(setPathMode(options_.work_dir, 0700));
  std::string name;
  XIAOAN_ASSIGN_OR_RETURN(File dir, openDir(db_path, &name));
  Status last = Status::ok();
  for (int attempt = 0; attempt < options_.attempts; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(50 * attempt));
    discard();
    XIAOAN_ASSIGN_OR_RETURN(SourceState before, statIn(dir, name, owner_uid));
    last = copyOnce(dir, name, before);
    if (!last.isOk() && last.code() != ErrorCode::kTimeout && last.code() != ErrorCode::kNotFound) {
      break;
    }
    if (!last.isOk()) continue;
    XIAOAN_ASSIGN_OR_RETURN(SourceState after, statIn(dir, name, owner_uid));
    if (after == before) return before;
    last = Status(ErrorCode::kTimeout, name + " changed during the copy");
  }
  discard();
  return last;
}

void HistorySnapshot::discard() const {
  const std::string base = copyPath();
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) {
    (void)removeFile(base + suffix);  // absent is fine
  }
}

}  // namespace xiaoan::agent::browsing
