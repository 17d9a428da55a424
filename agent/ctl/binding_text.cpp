#include "agent/ctl/binding_text.h"

#include "common/text/text_width.h"
#include "common/text/tr.h"

namespace xiaoan::ctl {
namespace {

std::string kindText(v1::ViolationKind k, Lang lang) {
  switch (k) {
    case v1::VIOLATION_KIND_WRONG_IP:
      return tr(lang, "IP 地址不符", "wrong IP address");
    case v1::VIOLATION_KIND_EXTRA_IP:
      return tr(lang, "多余的 IP 地址", "extra IP address");
    case v1::VIOLATION_KIND_WRONG_GATEWAY:
      return tr(lang, "网关不符", "wrong gateway");
    case v1::VIOLATION_KIND_WRONG_DNS:
      return tr(lang, "DNS 不符", "wrong DNS servers");
    case v1::VIOLATION_KIND_MAC_CHANGED:
      return tr(lang, "MAC 地址被修改", "MAC address changed");
    case v1::VIOLATION_KIND_NIC_REPLACED:
      return tr(lang, "网卡被更换", "network card replaced");
    case v1::VIOLATION_KIND_IP_CONFLICT:
      return tr(lang, "IP 地址冲突", "IP address conflict");
    case v1::VIOLATION_KIND_HOSTNAME:
      return tr(lang, "计算机名不符", "hostname does not match");
    case v1::VIOLATION_KIND_NAMING_RULE_UNUSABLE:
      return tr(lang, "命名规则无法使用", "naming rule unusable");
    default:
      return tr(lang, "未知问题", "unknown problem");
  }
}

}  // namespace

std::string violationText(const v1::Violation& v, Lang lang) {
  const std::string itf = v.interface().empty() ? "" : sanitizeForTerminal(v.interface());
  const std::string none = tr(lang, "无", "none");
  std::string detail;
  if (v.kind() == v1::VIOLATION_KIND_IP_CONFLICT) {
    detail = tr(
        lang,
        sanitizeForTerminal(v.expected()) + " 被 " + sanitizeForTerminal(v.other_mac()) + " 使用",
        sanitizeForTerminal(v.expected()) + " used by " + sanitizeForTerminal(v.other_mac()));
  } else {
    const std::string actual = v.actual().empty() ? none : sanitizeForTerminal(v.actual());
    detail = tr(lang, "应为 " + sanitizeForTerminal(v.expected()) + "，实际 " + actual,
                "expected " + sanitizeForTerminal(v.expected()) + ", have " + actual);
  }
  if (!itf.empty()) detail = itf + tr(lang, "：", ": ") + detail;
  return kindText(v.kind(), lang) + tr(lang, "（" + detail + "）", " (" + detail + ")");
}

std::string complianceLine(const v1::ComplianceStatus& c, Lang lang) {
  std::string reason;
  if (c.violations_size() > 0) {
    reason = violationText(c.violations(0), lang);
    const int more = c.violations_size() - 1;
    if (more > 0) {
      reason += tr(lang, "等 " + std::to_string(c.violations_size()) + " 项",
                   " (+" + std::to_string(more) + " more)");
    }
  }
  std::string line;
  switch (c.state()) {
    case v1::COMPLIANCE_STATE_DISABLED:
      return tr(lang, "未启用", "off");
    case v1::COMPLIANCE_STATE_COMPLIANT:
      line = tr(lang, "合规", "compliant");
      break;
    case v1::COMPLIANCE_STATE_VIOLATION:
      line = tr(lang, "违规：", "violation: ") + reason;
      break;
    case v1::COMPLIANCE_STATE_ISOLATED:
      line =
          tr(lang, "已隔离（仅可访问管理服务器）：", "isolated (only the collector reachable): ") +
          reason;
      break;
    case v1::COMPLIANCE_STATE_PENDING_REBOOT:
      line = tr(lang, "重启后生效", "takes effect after a reboot");
      break;
    default:
      return tr(lang, "尚未检查", "not checked yet");
  }
  if (c.restore_fights() > 0) {
    const std::string n = std::to_string(c.restore_fights());
    line += tr(lang, "；恢复后又被改回 " + n + " 次", "; restore undone " + n + " times");
  }
  return line;
}

}  // namespace xiaoan::ctl
