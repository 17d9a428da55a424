#pragma once

#include <string>

#include "platform/error_code.h"
#include "platform/instance_lock.h"
#include "platform/result.h"
#include "service/collector/store/db_check.h"

namespace xiaoan::collector {

// Locks the data dir for this process (D/collector.lock): E_ALREADY_RUNNING naming the pid of
// the collector (or restore) that holds it. The lock lasts as long as the returned object.
Result<InstanceLock> lockDataDir(const std::string& data_dir, Lang lang);

// What `serve` does before it opens the database for use: lock the data dir, verify that the
// database is the one `init` made (db_identity.h; a data dir of an earlier release gets its id
// here), then run the `check` on it (E_DATABASE "failed its integrity check": refuse to serve a
// damaged file). Messages are in `lang`.
Result<InstanceLock> claimDataDir(const std::string& data_dir, DbCheck check, Lang lang);

}  // namespace xiaoan::collector
