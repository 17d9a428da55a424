#pragma once

#include <string_view>

namespace xiaoan {

// Stable error codes. Their names ("E_...") are part of the product: they appear in
// xiaoanctl status, check-ins, the admin API and the docs, so never rename one.
enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,
  kConfigInvalid,
  kNotFound,
  kIo,
  kPermissionDenied,
  kAlreadyRunning,
  kSpoolFull,
  kSpoolCorrupt,
  kTlsPinMismatch,
  kTlsHandshake,
  kCollectorUnreachable,
  kTimeout,
  kHttpStatus,
  kProtocol,
  kTooLarge,
  kUnauthorized,
  kForbidden,
  kOverloaded,
  kNotEnrolled,
  kEnrollRejected,
  kCrypto,
  kDatabase,
  kDaemonNotRunning,
  kUnsupported,
  kCancelled,
  kInternal,
};

// "E_SPOOL_FULL" etc.
std::string_view errorCodeName(ErrorCode code);

// One short line for a person, in Simplified Chinese or English.
enum class Lang { kZhCn, kEn };
std::string_view errorCodeLine(ErrorCode code, Lang lang);

// Parses "E_..." back to a code; kInternal when unknown.
ErrorCode errorCodeFromName(std::string_view name);

}  // namespace xiaoan
