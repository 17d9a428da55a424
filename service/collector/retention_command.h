#pragma once

#include <string>
#include <vector>

#include "common/text/tr.h"

namespace xiaoan::collector {

// `xiaoan-collector retention run --data-dir D [--batch N] [--json]`: one retention pass now,
// beside a running collector (its own database connection; SQLite serialises the writes).
// Recorded in the audit log as "retention.run" by "xiaoan-collector".
int runRetentionCommand(const std::vector<std::string>& args, Lang lang);

}  // namespace xiaoan::collector
