#pragma once

#include "platform/result.h"

namespace xiaoan::ctl {

// xiaoanctl exit codes; scripts and monitoring depend on them (documented in --help).
enum ExitCode : int {
  kExitHealthy = 0,           // status: running, enrolled, connected, no errors; others: success
  kExitDegraded = 1,          // status: running but offline / error / not enrolled / errors
  kExitUsage = 2,             // bad command line
  kExitDaemonNotRunning = 3,  // the agent does not answer (status shows the persisted state)
  kExitPermissionDenied = 4,  // needs root, or the agent refused
  kExitFailure = 5,           // anything else
};

// Exit code for a failed operation.
inline int exitCodeFor(const Status& status) {
  switch (status.code()) {
    case ErrorCode::kOk:
      return kExitHealthy;
    case ErrorCode::kInvalidArgument:
      return kExitUsage;
    case ErrorCode::kDaemonNotRunning:
      return kExitDaemonNotRunning;
    case ErrorCode::kPermissionDenied:
      return kExitPermissionDenied;
    default:
      return kExitFailure;
  }
}

}  // namespace xiaoan::ctl
