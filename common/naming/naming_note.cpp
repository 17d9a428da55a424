// describeDecision(): the one-line note an admin reads when a naming rule's fallback applied or
// no rule fits (ComplianceStatus.naming_note, xiaoanctl status, xiaoan-admin compliance).
#include <string>

#include "common/naming/naming_rule.h"
#include "common/text/tr.h"

namespace xiaoan::naming {
namespace {

std::string q(const std::string& s) { return "\u201c" + s + "\u201d"; }

std::string sourceText(NameSource s, Lang lang) {
  switch (s) {
    case NameSource::kFixedHostname:
      return tr(lang, "指定主机名", "fixed hostname");
    case NameSource::kPattern:
      return tr(lang, "命名规则", "rule");
    case NameSource::kFallback:
      return tr(lang, "备用规则", "fallback rule");
    default:
      return "";
  }
}

std::string problemText(const NameAttempt& a, Lang lang) {
  const std::string n = std::to_string(a.bytes);
  switch (a.problem) {
    case NameProblem::kBadTemplate:
      return tr(lang, "规则无效：", "invalid: ") + a.detail;
    case NameProblem::kMissingValue:
      return tr(lang, "缺少 {" + a.detail + "} 的值", "no value for {" + a.detail + "}");
    case NameProblem::kEmpty:
      return tr(lang, "得到空名称", "renders an empty name");
    case NameProblem::kNotRomanizable:
      return tr(lang, q(a.pretty) + " 含无拼音的字符，无法生成 ASCII 主机名",
                q(a.pretty) + " holds a character without pinyin: no ASCII hostname");
    case NameProblem::kTooLongLinux:
      return tr(lang, q(a.name) + " 为 " + n + " 字节，超过 Linux 主机名上限 64 字节",
                q(a.name) + " is " + n + " bytes, over the Linux hostname limit of 64");
    case NameProblem::kTooLongDns:
      return tr(lang, q(a.name) + " 为 " + n + " 字节，超过 DNS 名称上限 63 字节",
                q(a.name) + " is " + n + " bytes, over the DNS label limit of 63");
    case NameProblem::kTooLongNetbios:
      return tr(lang, q(a.name) + " 在 GBK 中为 " + n + " 字节，超过 NetBIOS 名称上限 15 字节",
                q(a.name) + " is " + n + " bytes in GBK, over the NetBIOS limit of 15");
    case NameProblem::kNotGbk:
      return tr(lang, q(a.name) + " 含 GBK 无法表示的字符",
                q(a.name) + " holds a character GBK cannot encode");
    case NameProblem::kDigitsOnly:
      return tr(lang, q(a.name) + " 只有数字，Windows 不接受",
                q(a.name) + " is digits only, which Windows refuses");
    default:
      return "";
  }
}

}  // namespace

std::string describeDecision(const HostnameDecision& d, HostOs os, Lang lang) {
  if (d.passed_over.empty()) return "";
  std::string out;
  for (const auto& a : d.passed_over) {
    if (!out.empty()) out += tr(lang, "；", "; ");
    out +=
        sourceText(a.source, lang) + " " + q(a.rule) + tr(lang, "：", ": ") + problemText(a, lang);
  }
  if (d.usable) {
    return out + tr(lang, "；已改用" + sourceText(d.source, lang) + "，得到 " + q(d.hostname),
                    "; using the " + sourceText(d.source, lang) + ": " + q(d.hostname));
  }
  return out + tr(lang,
                  os == HostOs::kLinux ? "；没有可用于 Linux 的主机名"
                                       : "；没有可用于 Windows 的计算机名",
                  os == HostOs::kLinux ? "; no usable Linux hostname"
                                       : "; no usable Windows computer name");
}

}  // namespace xiaoan::naming
