#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "service/collector/store/store.h"
#include "xiaoan/v1/admin_api.pb.h"

// The compliance report (xiaoan-admin compliance): per school and room how many terminals are
// compliant, in violation (by kind), isolated, pending reboot, silent, unregistered or in a
// conflict, and the offending terminals with the reason in one line (zh and en). Conflicts are
// found here, across the terminals of the rows: two terminals claiming the same registry entry,
// reporting the same IP or MAC, and a holder whose reported IP or hostname disagrees with its
// entry. Pure: the rows and the time come from the caller.
namespace xiaoan::collector {

struct ComplianceOptions {
  int64_t now_ms = 0;
  // Check-in interval in seconds per "school_id/room" (and per "school_id" for terminals
  // without a room or rooms not listed); `default_interval_seconds` for anything else. A
  // terminal is silent after 3 intervals without a check-in.
  std::map<std::string, uint32_t> intervals;
  uint32_t default_interval_seconds = 60;
  // Only rows of this room count and are listed ("" = all); conflicts are still found across
  // all rows given.
  std::string room;
};

v1::ComplianceReport buildComplianceReport(const std::vector<ComplianceRow>& rows,
                                           const ComplianceOptions& options);

}  // namespace xiaoan::collector
