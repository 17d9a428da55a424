#include "service/collector/data_dir_guard.h"

#include "common/text/text_width.h"
#include "common/text/tr.h"
#include "platform/file_util.h"
#include "platform/logging.h"
#include "service/collector/data_dir_layout.h"
#include "service/collector/db_identity.h"

namespace xiaoan::collector {

namespace {

// The pid the holder wrote into the lock file ("?" when unreadable).
std::string lockHolder(const std::string& lock_path) {
  auto text = readFile(lock_path, 64);
  std::string pid = text.isOk() ? *text : "";
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == '\0')) pid.pop_back();
  return pid.empty() ? "?" : sanitizeForTerminal(pid);
}

}  // namespace

Result<InstanceLock> lockDataDir(const std::string& data_dir, Lang lang) {
  const std::string path = dataDirLockPath(data_dir);
  auto lock = InstanceLock::acquire(path);
  if (lock.isOk() || lock.status().code() != ErrorCode::kAlreadyRunning) return lock;
  return Status(ErrorCode::kAlreadyRunning,
                tr(lang, "数据目录 ", "data dir ") + data_dir +
                    tr(lang, " 正被另一个 xiaoan-collector（pid ",
                       " is in use by another xiaoan-collector (pid ") +
                    lockHolder(path) + tr(lang, "，锁文件 ", ", lock file ") + path +
                    tr(lang, "）", ")"),
                lock.status().sysErrno());
}

Result<InstanceLock> claimDataDir(const std::string& data_dir, DbCheck check, Lang lang) {
  XIAOAN_ASSIGN_OR_RETURN(InstanceLock lock, lockDataDir(data_dir, lang));
  XIAOAN_ASSIGN_OR_RETURN(std::string id, verifyDatabaseIdentity(data_dir, lang));
  auto log = componentLogger(LogComponent::kCollector);
  if (id.empty()) {
    XIAOAN_ASSIGN_OR_RETURN(id, adoptLegacyDatabase(data_dir));
    log->info("database of an earlier release given the id {} (marker {})", id,
              dbIdMarkerPath(data_dir));
  }
  log->info("checking database {} (id {}, {})", dbPath(data_dir), id,
            check == DbCheck::kFull ? "integrity_check" : "quick_check");
  XIAOAN_RETURN_IF_ERROR(checkDatabaseFile(dbPath(data_dir), /*read_only=*/false, check, lang));
  return lock;
}

}  // namespace xiaoan::collector
