#pragma once

#include <string>
#include <vector>

#include "platform/error_code.h"
#include "service/collector/store/db_check.h"

namespace xiaoan::collector {

// `xiaoan-collector backup --data-dir D --out FILE`: an online backup while the collector serves.
int runBackupCommand(const std::vector<std::string>& args, Lang lang);
// `xiaoan-collector restore --data-dir D --from FILE`: only while no collector runs on D.
int runRestoreCommand(const std::vector<std::string>& args, Lang lang);
// `xiaoan-collector check --data-dir D [--full]`: identity and quick_check (integrity_check).
int runCheckCommand(const std::vector<std::string>& args, Lang lang);

// The value of `serve --check-db`: "quick" or "full"; false for anything else.
bool parseDbCheck(const std::string& text, DbCheck& out);

}  // namespace xiaoan::collector
