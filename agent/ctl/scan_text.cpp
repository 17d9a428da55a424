#include "agent/ctl/scan_text.h"

#include <cstdio>
#include <utility>
#include <vector>

#include "agent/ctl/text_format.h"
#include "common/text/text_width.h"
#include "common/text/time_format.h"
#include "common/text/tr.h"

namespace xiaoan::ctl {
namespace {

std::string rate(double files_per_second) {
  char buf[32];
  std::snprintf(buf, sizeof buf, files_per_second < 10 ? "%.1f" : "%.0f", files_per_second);
  return buf;
}

std::string outcomeText(v1::ScanSummaryEvent::Outcome o, Lang lang) {
  switch (o) {
    case v1::ScanSummaryEvent::OUTCOME_COMPLETED:
      return tr(lang, "扫描完成", "scan completed");
    case v1::ScanSummaryEvent::OUTCOME_INTERRUPTED:
      return tr(lang, "扫描被中断", "scan interrupted");
    case v1::ScanSummaryEvent::OUTCOME_CANCELLED:
      return tr(lang, "扫描已取消", "scan cancelled");
    case v1::ScanSummaryEvent::OUTCOME_FAILED:
      return tr(lang, "扫描失败", "scan failed");
    default:
      return tr(lang, "扫描结束", "scan ended");
  }
}

// "3 个文件，12 MiB（上限 1000 个文件、1024 MiB）"
std::string quarantineText(const v1::ScanStatus& s, Lang lang) {
  const std::string n = std::to_string(s.quarantined());
  auto mib = [](uint64_t b) { return std::to_string((b + (1u << 19)) >> 20) + " MiB"; };
  std::string out = tr(lang, n + " 个文件", n + (s.quarantined() == 1 ? " file" : " files"));
  if (s.quarantine_max_files() == 0) return out;
  const std::string cap_files = std::to_string(s.quarantine_max_files());
  return out + tr(lang,
                  "，" + mib(s.quarantine_bytes()) + "（上限 " + cap_files + " 个文件、" +
                      mib(s.quarantine_max_bytes()) + "）",
                  ", " + mib(s.quarantine_bytes()) + " (cap " + cap_files + " files, " +
                      mib(s.quarantine_max_bytes()) + ")");
}

std::string actionText(const v1::DetectionEvent& d, Lang lang) {
  switch (d.action()) {
    case v1::DETECTION_ACTION_QUARANTINED:
      return tr(lang, "已隔离（" + d.quarantine_id() + "）",
                "quarantined (" + d.quarantine_id() + ")");
    case v1::DETECTION_ACTION_QUARANTINE_FAILED:
      return tr(lang, "隔离失败：", "quarantine failed: ") +
             sanitizeForTerminal(d.error().code() + " " + d.error().message());
    case v1::DETECTION_ACTION_QUARANTINE_SKIPPED:
      return tr(lang, "隔离区已满，未隔离：", "not quarantined, quarantine full: ") +
             sanitizeForTerminal(d.error().message());
    default:
      return tr(lang, "仅上报", "reported");
  }
}

}  // namespace

std::string scanKindText(v1::ScanKind kind, Lang lang) {
  switch (kind) {
    case v1::SCAN_KIND_ON_DEMAND:
      return tr(lang, "手动扫描", "on-demand scan");
    case v1::SCAN_KIND_SCHEDULED:
      return tr(lang, "计划全盘扫描", "scheduled full scan");
    case v1::SCAN_KIND_ON_ACCESS:
      return tr(lang, "实时扫描", "on-access scan");
    case v1::SCAN_KIND_REMOVABLE:
      return tr(lang, "移动存储扫描", "removable media scan");
    default:
      return tr(lang, "扫描", "scan");
  }
}

std::string scanProgressLine(const v1::ScanProgress& p, Lang lang) {
  const std::string done = std::to_string(p.files_done());
  const std::string found = std::to_string(std::max(p.files_found(), p.files_done()));
  std::string line =
      tr(lang, "已检查 " + done + " / " + found + " 个文件，", done + " / " + found + " files, ") +
      formatBytes(p.bytes_done()) + tr(lang, "，", ", ") +
      tr(lang, rate(p.files_per_second()) + " 个/秒", rate(p.files_per_second()) + " files/s");
  if (p.eta_seconds() > 0) {
    line += tr(lang, "，预计还需 ", ", ETA ") + formatDuration(p.eta_seconds(), lang);
  }
  if (p.detections() > 0) {
    const auto n = std::to_string(p.detections());
    line += tr(lang, "，检出 " + n, ", " + n + " detected");
  }
  if (p.paused()) line += tr(lang, "（已暂停）", " (paused)");
  return line;
}

std::string skipText(const v1::ScanSkipCounts& k, Lang lang) {
  const std::vector<std::pair<uint64_t, std::pair<const char*, const char*>>> reasons = {
      {k.unreadable(), {"无法读取", "unreadable"}},
      {k.too_large(), {"过大", "too large"}},
      {k.too_deep(), {"层级过深", "too deep"}},
      {k.timeout(), {"超时", "timed out"}},
      {k.faulted(), {"曾导致扫描崩溃", "crashed the scanner before"}},
      {k.excluded(), {"已排除", "excluded"}},
      {k.not_regular(), {"非普通文件", "not regular files"}},
      {k.vanished(), {"扫描时消失或变化", "vanished or changed"}},
      {k.duplicate(), {"重复（同一文件）", "duplicates (same file)"}},
      {k.other_errors(), {"其他错误", "other errors"}}};
  std::string out;
  for (const auto& [n, text] : reasons) {
    if (n == 0) continue;
    if (!out.empty()) out += tr(lang, "，", ", ");
    out += tr(lang, std::string(text.first) + " " + std::to_string(n),
              std::string(text.second) + " " + std::to_string(n));
  }
  return out;
}

std::string ruleList(const google::protobuf::RepeatedPtrField<v1::RuleMatch>& matches) {
  std::string out;
  for (const auto& m : matches) out += (out.empty() ? "" : ", ") + sanitizeForTerminal(m.rule());
  return out;
}

std::string scanSummaryText(const v1::ScanProgress& p, Lang lang) {
  const auto& s = p.summary();
  std::string out = outcomeText(s.outcome(), lang) + tr(lang, "（", " (") +
                    scanKindText(s.kind(), lang) + " " + sanitizeForTerminal(s.scan_id()) +
                    tr(lang, "）\n", ")\n");
  if (s.has_error()) {
    out += "  " + sanitizeForTerminal(s.error().code() + ": " + s.error().message()) + "\n";
  }
  const auto secs = s.finished_at().seconds() - s.started_at().seconds();
  out += tr(lang, "  已扫描：", "  scanned: ") + std::to_string(s.files_scanned()) +
         tr(lang, " 个文件（", " files (") + formatBytes(s.bytes_scanned()) +
         tr(lang, "），用时 ", "), in ") +
         formatDuration(secs > 0 ? static_cast<uint64_t>(secs) : 0, lang) + "\n";
  out += tr(lang, "  未变化（缓存）：", "  unchanged (cached): ") +
         std::to_string(s.files_cached()) + "\n";
  const std::string skipped = skipText(s.skipped(), lang);
  out += tr(lang, "  跳过：", "  skipped: ") +
         (skipped.empty() ? tr(lang, "无", "none") : skipped) + "\n";
  for (const auto& ex : s.skipped_examples()) {
    out +=
        "    " + sanitizeForTerminal(ex.path()) + " (" + sanitizeForTerminal(ex.reason()) + ")\n";
  }
  out += tr(lang, "  检出：", "  detections: ") + std::to_string(s.detections()) + "\n";
  for (const auto& d : p.detected()) {
    out += "    " + sanitizeForTerminal(d.path()) + tr(lang, "：", ": ") + ruleList(d.matches()) +
           tr(lang, "（", " (") + actionText(d, lang) + tr(lang, "）\n", ")\n");
  }
  if (static_cast<uint64_t>(p.detected_size()) < s.detections()) {
    const auto more = std::to_string(s.detections() - p.detected_size());
    out += tr(lang, "    ……另有 " + more + " 个（见管理服务器）\n",
              "    ... and " + more + " more (see the collector)\n");
  }
  return out;
}

}  // namespace xiaoan::ctl

namespace xiaoan::ctl {
namespace {

std::string stateText(v1::ScanState state, Lang lang) {
  switch (state) {
    case v1::SCAN_STATE_DISABLED:
      return tr(lang, "后台扫描已停用（策略），仍可手动扫描",
                "background scanning disabled by policy (on-demand scans work)");
    case v1::SCAN_STATE_IDLE:
      return tr(lang, "空闲", "idle");
    case v1::SCAN_STATE_RUNNING:
      return tr(lang, "正在扫描", "scanning");
    case v1::SCAN_STATE_WAITING_WINDOW:
      return tr(lang, "等待允许扫描的时间段", "waiting for the scan time window");
    case v1::SCAN_STATE_PAUSED_USER_ACTIVE:
      return tr(lang, "用户正在使用电脑，已暂停", "paused while the user is active");
    case v1::SCAN_STATE_NO_RULES:
      return tr(lang, "未加载病毒特征库，无法扫描", "no signature rules loaded; cannot scan");
    default:
      return tr(lang, "未知", "unknown");
  }
}

std::string percent(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", v);
  return buf;
}

}  // namespace

namespace {

// "v12，发布于 …" / "v0 (rules shipped with the agent)"
std::string bundleText(const v1::ScanStatus& s, Lang lang, int64_t now) {
  std::string bundle = "v" + std::to_string(s.bundle_version());
  if (s.bundle_version() == 0) {
    bundle += tr(lang, "（随代理安装的内置规则）", " (rules shipped with the agent)");
  } else if (s.has_bundle_issued_at()) {
    bundle += tr(lang, "，发布于 ", ", published ") +
              formatTimeWithAge(s.bundle_issued_at().seconds(), now, lang);
  }
  return bundle;
}

std::string cpuText(const v1::ScanStatus& s, Lang lang) {
  if (s.cpu_cap_percent() == 0) return tr(lang, "无", "none");
  return std::to_string(s.cpu_cap_percent()) +
         tr(lang, "%（单核，实测 ", "% of one core (measured ") + percent(s.cpu_percent()) +
         tr(lang, "）", ")");
}

}  // namespace

std::vector<std::pair<std::string, std::string>> scanStatusRows(const v1::ScanStatus& s, Lang lang,
                                                                int64_t now) {
  std::vector<std::pair<std::string, std::string>> rows;
  auto when = [&](const google::protobuf::Timestamp& t) {
    return formatTimeWithAge(t.seconds(), now, lang);
  };
  rows.emplace_back(tr(lang, "特征库", "signatures"), bundleText(s, lang, now));
  if (s.has_bundle_loaded_at())
    rows.emplace_back(tr(lang, "加载时间", "loaded"), when(s.bundle_loaded_at()));
  rows.emplace_back(tr(lang, "规则数", "rules"), std::to_string(s.rule_count()));
  rows.emplace_back(tr(lang, "扫描状态", "state"), stateText(s.state(), lang));
  rows.emplace_back(tr(lang, "上次全盘扫描", "last full scan"),
                    s.has_last_full_scan() ? when(s.last_full_scan()) : tr(lang, "从未", "never"));
  rows.emplace_back(
      tr(lang, "已扫描文件", "files scanned"),
      std::to_string(s.files_scanned()) + tr(lang, "（自代理启动）", " (since the agent started)"));
  rows.emplace_back(tr(lang, "检出", "detections"), std::to_string(s.detections()));
  rows.emplace_back(tr(lang, "隔离区", "quarantined"), quarantineText(s, lang));
  rows.emplace_back(tr(lang, "CPU 限制", "CPU cap"), cpuText(s, lang));
  rows.emplace_back(tr(lang, "实时监控目录", "watched paths"), std::to_string(s.watched_paths()));
  for (const auto& p : s.running()) {
    rows.emplace_back(scanKindText(p.kind(), lang),
                      sanitizeForTerminal(p.scan_id()) + " " + scanProgressLine(p, lang));
  }
  if (const auto& e = s.last_bundle_error(); !e.code().empty()) {
    rows.emplace_back(
        tr(lang, "特征库错误", "bundle error"),
        sanitizeForTerminal(e.code()) + tr(lang, "：", ": ") + sanitizeForTerminal(e.message()));
  }
  return rows;
}

}  // namespace xiaoan::ctl
