#pragma once

#include <string>
#include <vector>

#include "platform/result.h"
#include "xiaoan/v1/control.pb.h"

namespace xiaoan::agent::scan {

// What the control socket may ask of the antivirus (ScanService implements it; the control
// handler decides who may ask what).
class ScanControl {
 public:
  virtual ~ScanControl() = default;
  // Starts an on-demand scan of absolute paths at full speed; answers with its id.
  virtual Result<v1::ScanProgress> startScan(const std::vector<std::string>& paths) = 0;
  // Progress of a running scan or the summary of a recent one; E_NOT_FOUND otherwise.
  virtual Result<v1::ScanProgress> getScan(const std::string& scan_id) const = 0;
  virtual Result<v1::ScanProgress> cancelScan(const std::string& scan_id) = 0;
  virtual Result<v1::QuarantineList> quarantineList() const = 0;
  // Restores or deletes an entry; `by_uid` is who asked (for the event).
  virtual Result<v1::QuarantineEntry> quarantineAction(const v1::QuarantineActionRequest& request,
                                                       uint32_t by_uid) = 0;
};

}  // namespace xiaoan::agent::scan
