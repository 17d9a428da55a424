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
  kExists,  // a file or entry that must not exist yet does
  kIo,
  kPermissionDenied,
  kAlreadyRunning,
  kSpoolFull,
  kSpoolCorrupt,
  kTlsPinMismatch,
  kTlsHandshake,
  kTlsCertTime,  // the server certificate is outside its validity period by our clock
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
  // Signed content channel (DESIGN.md §6, RELIABILITY.md U1-U12).
  kMetaSignature,     // threshold of valid signatures by the role's keys not met
  kMetaRollback,      // version lower than the trusted one (or same version, other bytes)
  kMetaExpired,       // metadata expired by the time floor: updates blocked, shown as STALE
  kMetaMismatch,      // metadata disagree (timestamp vs targets, other agent, wrong role)
  kMetaInvalid,       // malformed, oversized or inconsistent metadata
  kRootChain,         // root rotation not N -> N+1 signed by both thresholds
  kArtifactHash,      // artifact length or SHA-256 differs from the signed metadata
  kDownloadTooSlow,   // download below the minimum rate or past its deadline
  kPolicyInvalid,     // policy failed validation; the whole policy is rejected
  kTrustRootMissing,  // no pinned root metadata: signed updates are disabled
  kRulesInvalid,      // a rule file does not compile: the whole signature bundle is rejected
  kRulesMissing,      // no signature rules loaded: scanning is not possible
  kScanTimeout,       // a file exceeded the per-file scan timeout
  kScanFaulted,       // a file crashed or hung the scanner before and is skipped
  kQuarantine,        // moving a file into (or out of) the quarantine failed
  kWatchLimit,        // no more directories can be watched (our bound or the OS limit)
  kRateLimited,       // too many requests of this kind from this peer/token: retry later (429)
  kEnrollPending,     // re-enrollment of a known terminal waits for an admin's approval
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
