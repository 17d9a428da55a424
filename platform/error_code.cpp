#include "platform/error_code.h"

#include <array>

namespace xiaoan {
namespace {

struct CodeText {
  ErrorCode code;
  std::string_view name;
  std::string_view zh;
  std::string_view en;
};

constexpr std::array kCodes = {
    CodeText{ErrorCode::kOk, "OK", "正常", "OK"},
    CodeText{ErrorCode::kInvalidArgument, "E_INVALID_ARGUMENT", "参数无效", "invalid argument"},
    CodeText{ErrorCode::kConfigInvalid, "E_CONFIG_INVALID", "配置文件无效",
             "configuration is invalid"},
    CodeText{ErrorCode::kNotFound, "E_NOT_FOUND", "未找到", "not found"},
    CodeText{ErrorCode::kExists, "E_EXISTS", "已存在同名文件",
             "a file of that name exists already"},
    CodeText{ErrorCode::kIo, "E_IO", "读写磁盘失败", "disk I/O failed"},
    CodeText{ErrorCode::kPermissionDenied, "E_PERMISSION_DENIED", "权限不足，需要管理员（root）",
             "permission denied: administrator (root) required"},
    CodeText{ErrorCode::kAlreadyRunning, "E_ALREADY_RUNNING",
             "另一个进程（代理或收集服务）正在使用同一状态目录或数据目录",
             "another agent or collector is already running on this state or data directory"},
    CodeText{ErrorCode::kSpoolFull, "E_SPOOL_FULL", "本地缓存已满，部分活动记录被丢弃",
             "local spool is full; activity records are being dropped"},
    CodeText{ErrorCode::kSpoolCorrupt, "E_SPOOL_CORRUPT", "本地缓存有损坏记录，已跳过并计数",
             "local spool had corrupt records; they were skipped and counted"},
    CodeText{ErrorCode::kTlsPinMismatch, "E_TLS_PIN_MISMATCH",
             "服务器证书不受信任（可能被代理或认证网关拦截）",
             "server certificate is not trusted (intercepting proxy or captive portal?)"},
    CodeText{ErrorCode::kTlsHandshake, "E_TLS_HANDSHAKE", "TLS 握手失败", "TLS handshake failed"},
    CodeText{ErrorCode::kTlsCertTime, "E_TLS_CERT_TIME",
             "服务器证书不在有效期内，请检查本机日期和时间",
             "server certificate is not valid at this PC's time; check the date and clock"},
    CodeText{ErrorCode::kCollectorUnreachable, "E_COLLECTOR_UNREACHABLE", "无法连接管理服务器",
             "collector is unreachable"},
    CodeText{ErrorCode::kTimeout, "E_TIMEOUT", "操作超时", "operation timed out"},
    CodeText{ErrorCode::kHttpStatus, "E_HTTP_STATUS", "服务器返回错误", "server returned an error"},
    CodeText{ErrorCode::kProtocol, "E_PROTOCOL", "收到无法识别的应答",
             "unrecognised response from peer"},
    CodeText{ErrorCode::kTooLarge, "E_TOO_LARGE", "数据超出大小限制", "data exceeds size limit"},
    CodeText{ErrorCode::kUnauthorized, "E_UNAUTHORIZED", "身份验证失败", "authentication failed"},
    CodeText{ErrorCode::kForbidden, "E_FORBIDDEN", "操作被拒绝", "operation forbidden"},
    CodeText{ErrorCode::kOverloaded, "E_OVERLOADED", "服务器繁忙，稍后自动重试",
             "server busy; will retry later"},
    CodeText{ErrorCode::kNotEnrolled, "E_NOT_ENROLLED", "尚未注册到管理服务器",
             "not enrolled with a collector yet"},
    CodeText{ErrorCode::kEnrollRejected, "E_ENROLL_REJECTED",
             "注册被拒绝：注册令牌无效、过期或已撤销",
             "enrollment rejected: token invalid, expired, used up or revoked"},
    CodeText{ErrorCode::kCrypto, "E_CRYPTO", "密钥或证书处理失败", "key or certificate error"},
    CodeText{ErrorCode::kDatabase, "E_DATABASE", "数据库错误", "database error"},
    CodeText{ErrorCode::kDaemonNotRunning, "E_DAEMON_NOT_RUNNING", "代理服务未运行",
             "agent service is not running"},
    CodeText{ErrorCode::kUnsupported, "E_UNSUPPORTED", "此系统不支持该功能",
             "not supported on this system"},
    CodeText{ErrorCode::kCancelled, "E_CANCELLED", "操作已取消", "operation cancelled"},
    CodeText{ErrorCode::kMetaSignature, "E_META_SIGNATURE",
             "更新签名无效（密钥未知、角色不符或签名不足）",
             "update signature invalid (unknown key, wrong role or below threshold)"},
    CodeText{ErrorCode::kMetaRollback, "E_META_ROLLBACK", "收到比当前更旧的更新，已拒绝（回滚）",
             "update is older than the trusted one (rollback); rejected"},
    CodeText{ErrorCode::kMetaExpired, "E_META_EXPIRED",
             "更新元数据已过期，暂停更新（当前策略继续执行）",
             "update metadata expired; updates paused, current policy still enforced"},
    CodeText{ErrorCode::kMetaMismatch, "E_META_MISMATCH", "更新元数据互不一致，已拒绝",
             "update metadata do not match each other; rejected"},
    CodeText{ErrorCode::kMetaInvalid, "E_META_INVALID", "更新元数据格式无效",
             "update metadata malformed"},
    CodeText{ErrorCode::kRootChain, "E_ROOT_CHAIN", "根密钥轮换链不完整或签名无效",
             "root key rotation chain broken or not signed by both key sets"},
    CodeText{ErrorCode::kArtifactHash, "E_ARTIFACT_HASH", "下载内容与签名记录不符（可能被篡改）",
             "downloaded content does not match its signed hash (tampered?)"},
    CodeText{ErrorCode::kDownloadTooSlow, "E_DOWNLOAD_TOO_SLOW", "下载过慢或超时，稍后重试",
             "download too slow or past its deadline; will retry"},
    CodeText{ErrorCode::kPolicyInvalid, "E_POLICY_INVALID",
             "策略无效，整份拒绝，继续使用上一份有效策略",
             "policy invalid; rejected as a whole, last good policy kept"},
    CodeText{ErrorCode::kTrustRootMissing, "E_TRUST_ROOT_MISSING",
             "未安装根密钥信息，无法接收签名更新",
             "no pinned root metadata installed; signed updates disabled"},
    CodeText{ErrorCode::kRulesInvalid, "E_RULES_INVALID", "特征库规则无法编译，整个特征库被拒绝",
             "signature rules do not compile; the whole bundle is rejected"},
    CodeText{ErrorCode::kRulesMissing, "E_RULES_MISSING", "未加载任何病毒特征库，无法扫描",
             "no signature rules loaded; cannot scan"},
    CodeText{ErrorCode::kScanTimeout, "E_SCAN_TIMEOUT", "文件扫描超时，已跳过并上报",
             "file scan timed out; skipped and reported"},
    CodeText{ErrorCode::kScanFaulted, "E_SCAN_FAULTED", "该文件曾导致扫描崩溃或卡死，已跳过并上报",
             "file crashed or hung the scanner before; skipped and reported"},
    CodeText{ErrorCode::kQuarantine, "E_QUARANTINE", "隔离或恢复文件失败",
             "moving the file into or out of quarantine failed"},
    CodeText{ErrorCode::kWatchLimit, "E_WATCH_LIMIT", "监视的目录数已达上限，其余目录不再实时扫描",
             "watched directory limit reached; further directories are not scanned on access"},
    CodeText{ErrorCode::kRateLimited, "E_RATE_LIMITED", "请求过于频繁，稍后自动重试",
             "too many requests; will retry later"},
    CodeText{ErrorCode::kEnrollPending, "E_ENROLL_PENDING",
             "本机已登记过，重新注册需管理员批准（xiaoan-admin enrollment approve）",
             "this PC is known; re-enrollment waits for an admin's approval"},
    CodeText{ErrorCode::kInternal, "E_INTERNAL", "内部错误", "internal error"},
};

const CodeText& lookup(ErrorCode code) {
  for (const auto& c : kCodes) {
    if (c.code == code) return c;
  }
  return kCodes.back();
}

}  // namespace

std::string_view errorCodeName(ErrorCode code) { return lookup(code).name; }

std::string_view errorCodeLine(ErrorCode code, Lang lang) {
  const auto& c = lookup(code);
  return lang == Lang::kZhCn ? c.zh : c.en;
}

ErrorCode errorCodeFromName(std::string_view name) {
  for (const auto& c : kCodes) {
    if (c.name == name) return c.code;
  }
  return ErrorCode::kInternal;
}

}  // namespace xiaoan
