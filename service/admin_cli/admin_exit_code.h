#pragma once

#include "platform/result.h"

namespace xiaoan::admin {

// xiaoan-admin exit codes (documented in --help).
enum AdminExitCode : int {
  kExitOk = 0,
  kExitUsage = 2,    // bad command line, missing password
  kExitAuth = 4,     // the collector said 401 or 403
  kExitFailure = 5,  // anything else (TLS, network, server errors)
};

// Exit code for a failed API call.
inline int apiExitCode(const Status& status) {
  return status.code() == ErrorCode::kUnauthorized || status.code() == ErrorCode::kForbidden
             ? kExitAuth
             : kExitFailure;
}

}  // namespace xiaoan::admin
