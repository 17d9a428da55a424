#include "service/collector/data_dir_guard.h"

#include "common/text/tr.h"
#include "platform/logging.h"
#include "service/collector/data_dir_layout.h"
#include "service/collector/db_identity.h"

namespace xiaoan::collector {

Result<InstanceLock> lockDataDir(const std::string& data_dir, Lang lang) {
  auto lock = InstanceLock::acquire(dataDirLockPath(data_dir));
  if (lock.isOk() || lock.status().code() != ErrorCode::kAlreadyRunning) return lock;
  return Status(ErrorCode::kAlreadyRunning,
                tr(lang, "数据目录 ", "data dir ") + data_dir +
                    tr(lang, " 正被另一个 xiaoan-collector 使用：",
                       " is in use by another xiaoan-collector: ") +
                    lock.status().message(),
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
