#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "platform/result.h"
#include "xiaoan/v1/status.pb.h"

// Scheduled full scans (issue 4): every full_scan_interval_days, inside the policy's time
// windows, paused while the user is active, resumed after a restart. decide() is the pure
// decision the service's schedule loop takes at each tick; ScheduleStore persists what must
// survive a reboot.

namespace xiaoan::agent::scan {

struct ScheduleInput {
  bool enabled = false;
  bool has_rules = false;
  bool in_window = true;
  bool user_active = false;
  bool job_running = false;  // a scheduled pass runs (possibly paused)
  bool pending = false;      // a scheduled pass was started and has not completed
  std::optional<std::chrono::system_clock::time_point> last_full_scan;
  std::optional<std::chrono::system_clock::time_point> not_before;  // after a failure
  std::chrono::system_clock::time_point now;
  uint32_t interval_days = 7;
};

enum class ScheduleAction {
  kNone,
  kStart,   // start (or resume the pending) scheduled pass
  kPause,   // hold the running pass (window closed, user active)
  kResume,  // let the running pass go on
  kStop,    // stop the running pass (scanning disabled); it stays pending
};

struct ScheduleDecision {
  ScheduleAction action = ScheduleAction::kNone;
  v1::ScanState state = v1::SCAN_STATE_IDLE;  // what status says about scheduled scanning
};

ScheduleDecision decide(const ScheduleInput& in);

// <state_dir>/scan/schedule.pb, a ScanStatus holding only: last_full_scan,
// last_full_scan_summary, and in `running` at most one entry: the pending scheduled pass
// (scan_id, and in its summary the roots and started_at).
class ScheduleStore {
 public:
  explicit ScheduleStore(const std::string& state_dir);
  // Empty when absent; a damaged file is set aside (schedule.pb.bad) and empty returned.
  v1::ScanStatus load() const;
  Status save(const v1::ScanStatus& state) const;
  std::string path() const { return dir_ + "/schedule.pb"; }

 private:
  std::string dir_;
};

}  // namespace xiaoan::agent::scan
