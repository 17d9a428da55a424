#include "agent/ctl/status_text_renderer.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "agent/ctl/binding_text.h"
#include "agent/ctl/browsing_text.h"
#include "agent/ctl/records_text.h"
#include "agent/ctl/scan_text.h"
#include "agent/ctl/status_health.h"
#include "agent/ctl/text_format.h"
#include "common/text/text_width.h"
#include "common/text/time_format.h"
#include "common/text/tr.h"

namespace xiaoan::ctl {
namespace {

struct Row {
  std::string key;
  std::string value;
};

struct Section {
  std::string title;
  std::vector<Row> rows;
};

class Renderer {
 public:
  Renderer(const v1::AgentStatus& s, const TextRenderOptions& o)
      : s_(s), lang_(o.lang), now_(o.now_unix_seconds) {}

  std::string render() const {
    std::string out = headline() + "\n";
    std::vector<Section> main = {agentSection(), connectionSection(), spoolSection(),
                                 policySection()};
    if (s_.has_scan()) main.push_back(antivirusSection());
    if (s_.has_browsing()) main.push_back(browsingSection());
    size_t width = 0;
    for (const auto& sec : main) {
      for (const auto& row : sec.rows) width = std::max(width, displayWidth(row.key));
    }
    for (const auto& sec : main) appendSection(sec, width, &out);
    appendErrors(&out);
    return out;
  }

 private:
  std::string t(const std::string& zh, const std::string& en) const { return tr(lang_, zh, en); }

  std::string when(const google::protobuf::Timestamp& ts) const {
    return formatTimeWithAge(ts.seconds(), now_, lang_);
  }

  std::string orNone(const std::string& v) const {
    return v.empty() ? t("（无）", "(none)") : sanitizeForTerminal(v);
  }

  // "E_COLLECTOR_UNREACHABLE：无法连接管理服务器"
  std::string codeLine(const std::string& code) const {
    const ErrorCode parsed = errorCodeFromName(code);
    std::string out = sanitizeForTerminal(code);
    if (errorCodeName(parsed) == code)
      out += t("：", ": ") + std::string(errorCodeLine(parsed, lang_));
    return out;
  }

  std::string headline() const {
    const Assessment a = assess(s_);
    if (a.health == Health::kNotRunning) {
      std::string saved;
      if (s_.has_generated_at()) {
        saved = t("（保存于 ", " (saved ") + formatLocalTime(s_.generated_at().seconds()) +
                t("，", ", ") + formatAge(now_ - s_.generated_at().seconds(), lang_) + t("）", ")");
      }
      return t("代理服务未运行：以下为最后保存的状态",
               "agent is not running: showing the last saved state") +
             saved;
    }
    if (a.health == Health::kHealthy) return t("代理运行正常", "agent is healthy");
    std::string list;
    for (Concern c : a.concerns) {
      if (!list.empty()) list += t("、", ", ");
      list += concernText(c);
    }
    return t("代理正在运行，但需要注意：", "agent is running but degraded: ") + list;
  }

  std::string concernText(Concern c) const {
    switch (c) {
      case Concern::kNotEnrolled:
        return t("未注册", "not enrolled");
      case Concern::kEnrollRejected:
        return t("注册被拒绝", "enrollment rejected");
      case Concern::kNotConnectedYet:
        return t("尚未连接管理服务器", "not connected yet");
      case Concern::kOffline:
        return t("离线", "offline");
      case Concern::kConnectionError:
        return t("连接出错", "connection error");
      case Concern::kErrors: {
        const auto n = std::to_string(s_.errors_size());
        return t("有 " + n + " 个错误", n + (s_.errors_size() == 1 ? " error" : " errors"));
      }
      case Concern::kContentStale:
        return t("签名元数据过期（STALE）", "signed metadata STALE");
      case Concern::kContentRejected:
        return t("最近一次签名更新被拒绝", "last signed update rejected");
    }
    return {};
  }

  Section agentSection() const {
    Section sec{t("代理", "Agent"), {}};
    sec.rows.push_back({t("版本", "version"), s_.agent_version().empty()
                                                  ? t("未知", "unknown")
                                                  : sanitizeForTerminal(s_.agent_version())});
    std::string process = s_.daemon_running() ? t("运行中", "running") : t("未运行", "not running");
    if (s_.daemon_running() && s_.pid() != 0)
      process += t("（PID ", " (pid ") + std::to_string(s_.pid()) + t("）", ")");
    sec.rows.push_back({t("进程", "process"), process});
    if (s_.has_started_at()) sec.rows.push_back({t("启动时间", "started"), when(s_.started_at())});
    sec.rows.push_back({t("注册状态", "enrollment"), enrollmentText()});
    sec.rows.push_back({t("代理 ID", "agent id"), orNone(s_.agent_id())});
    sec.rows.push_back({t("终端 ID", "terminal id"), orNone(s_.terminal_id())});
    sec.rows.push_back({t("状态时间", "status time"),
                        s_.has_generated_at() ? when(s_.generated_at()) : t("未知", "unknown")});
    return sec;
  }

  std::string enrollmentText() const {
    switch (s_.enrollment()) {
      case v1::ENROLLMENT_STATE_ENROLLED:
        return t("已注册", "enrolled");
      case v1::ENROLLMENT_STATE_NOT_ENROLLED:
        return t("未注册（正在用注册令牌重试）",
                 "not enrolled (retrying with the enrollment token)");
      case v1::ENROLLMENT_STATE_REJECTED:
        return t("注册被拒绝", "rejected by the collector");
      default:
        return t("未知", "unknown");
    }
  }

  Section connectionSection() const {
    Section sec{t("连接", "Connection"), {}};
    sec.rows.push_back({t("管理服务器", "collector"),
                        s_.collector_url().empty() ? t("（未配置）", "(not configured)")
                                                   : sanitizeForTerminal(s_.collector_url())});
    // From a persisted file the state is history, not the present.
    const std::string when_saved = s_.daemon_running() ? "" : t("（保存时）", " (when saved)");
    sec.rows.push_back({t("连接状态", "state"), connectionText() + when_saved});
    if (!s_.last_error().code().empty()) {
      sec.rows.push_back({t("最近错误", "last error"), codeLine(s_.last_error().code())});
    }
    if (!s_.last_error().message().empty()) {
      sec.rows.push_back(
          {t("错误详情", "error detail"), sanitizeForTerminal(s_.last_error().message())});
    }
    const std::string never = t("从未", "never");
    sec.rows.push_back(
        {t("上次签到", "last check-in"), s_.has_last_checkin() ? when(s_.last_checkin()) : never});
    sec.rows.push_back(
        {t("上次上传", "last upload"), s_.has_last_upload() ? when(s_.last_upload()) : never});
    if (s_.checkin_interval_seconds() > 0) {
      const auto secs = std::to_string(s_.checkin_interval_seconds());
      sec.rows.push_back({t("签到间隔", "check-in interval"), t(secs + " 秒", secs + " s")});
    }
    return sec;
  }

  // "离线（自 2026-11-21 13:00:00 起，1 小时前）" / "offline since 2026-11-21 13:00:00 (1 h ago)"
  std::string connectionText() const {
    auto since = [&](const std::string& zh, const std::string& en) {
      if (!s_.has_offline_since()) return t(zh, en);
      const int64_t at = s_.offline_since().seconds();
      return t(zh + "（自 " + formatLocalTime(at) + " 起，" + formatAge(now_ - at, lang_) + "）",
               en + " since " + formatLocalTime(at) + " (" + formatAge(now_ - at, lang_) + ")");
    };
    switch (s_.connection()) {
      case v1::CONNECTION_STATE_CONNECTED:
        return t("已连接", "connected");
      case v1::CONNECTION_STATE_OFFLINE:
        return since("离线", "offline");
      case v1::CONNECTION_STATE_ERROR:
        return since("出错", "error");
      default:
        return t("未知（尚未与管理服务器通信）", "unknown (no exchange with the collector yet)");
    }
  }

  Section spoolSection() const {
    Section sec{t("本地缓存", "Spool"), {}};
    std::vector<const v1::SpoolClassStats*> classes;
    for (const auto& c : s_.spool()) classes.push_back(&c);
    // Security first, then activity, then anything a newer agent adds.
    std::stable_sort(classes.begin(), classes.end(), [](const auto* a, const auto* b) {
      auto rank = [](int p) { return p == 0 ? 1000 : p; };
      return rank(a->priority()) < rank(b->priority());
    });
    for (const auto* c : classes) sec.rows.push_back({className(c->priority()), classText(*c)});
    if (classes.empty()) sec.rows.push_back({t("待发送", "pending"), t("无数据", "no data")});
    std::string usage = formatBytes(s_.spool_bytes());
    if (s_.spool_max_bytes() > 0) usage += " / " + formatBytes(s_.spool_max_bytes());
    sec.rows.push_back({t("磁盘占用", "disk usage"), usage});
    sec.rows.push_back(
        {t("损坏记录", "corrupt records"), std::to_string(s_.spool_corrupt_records())});
    return sec;
  }

  std::string className(v1::Priority p) const {
    switch (p) {
      case v1::PRIORITY_SECURITY:
        return t("安全事件", "security");
      case v1::PRIORITY_ACTIVITY:
        return t("活动事件", "activity");
      default:
        return t("其他事件", "other");
    }
  }

  // "待发送 12 条（1.2 KiB），最早 2026-11-21 11:00:00（3 小时前），已丢弃 5 条"
  std::string classText(const v1::SpoolClassStats& c) const {
    std::string out;
    if (c.pending_records() == 0) {
      out = t("无待发送", "nothing pending");
    } else {
      const auto n = std::to_string(c.pending_records());
      out = t("待发送 " + n + " 条（" + formatBytes(c.bytes()) + "）",
              n + " pending (" + formatBytes(c.bytes()) + ")");
      if (c.has_oldest_pending()) out += t("，最早 ", ", oldest ") + when(c.oldest_pending());
    }
    if (c.dropped_records() > 0) {
      const auto d = std::to_string(c.dropped_records());
      out += t("，已丢弃 " + d + " 条", ", " + d + " dropped");
    }
    return out;
  }

  // The running policy and the signed content channel it came through.
  Section policySection() const {
    Section sec{t("策略", "Policy"), {}};
    const auto& c = s_.content();
    const auto v = std::to_string(s_.policy_version());
    sec.rows.push_back(
        {t("策略版本", "version"),
         s_.policy_version() == 0 ? t(v + "（内置默认策略）", v + " (built-in defaults)") : v});
    if (s_.has_compliance()) {
      sec.rows.push_back({t("网络绑定", "binding"), complianceLine(s_.compliance(), lang_)});
    }
    if (c.has_policy_issued_at()) {
      sec.rows.push_back({t("签发时间", "issued"), when(c.policy_issued_at())});
    }
    if (c.has_policy_applied_at()) {
      const std::string source =
          c.from_offline_bundle() ? t("（来自离线包）", " (offline bundle)") : "";
      sec.rows.push_back({t("应用时间", "applied"), when(c.policy_applied_at()) + source});
    }
    const auto root = std::to_string(c.root_version());
    sec.rows.push_back({t("根元数据", "root metadata"),
                        c.root_version() == 0 ? t("未安装（无法验证签名更新）",
                                                  "not installed (signed updates disabled)")
                                              : "v" + root});
    if (c.has_expires()) sec.rows.push_back({t("有效期", "valid until"), expiryText()});
    if (c.has_last_verified_at()) {
      sec.rows.push_back({t("上次验证", "last verified"), when(c.last_verified_at())});
    }
    appendRejection(sec);
    return sec;
  }

  Section antivirusSection() const {
    Section sec{t("防病毒", "Antivirus"), {}};
    for (auto& [key, value] : scanStatusRows(s_.scan(), lang_, now_)) {
      sec.rows.push_back({std::move(key), std::move(value)});
    }
    return sec;
  }

  Section browsingSection() const {
    Section sec{t("上网记录", "Browsing"), {}};
    for (auto& [key, value] : browsingStatusRows(s_.browsing(), lang_, now_)) {
      sec.rows.push_back({std::move(key), std::move(value)});
    }
    sec.rows.push_back({t("网站拦截", "site blocking"), blockingLine(s_.browsing(), lang_)});
    sec.rows.push_back({t("上机记录", "seat sessions"), sessionsLine(s_.browsing(), lang_)});
    return sec;
  }

  // "2026-11-28 14:00:00" or "过期（STALE）：2026-11-20 14:00:00
  // 到期，更新已暂停，当前策略继续执行"
  std::string expiryText() const {
    const auto& c = s_.content();
    const std::string at = formatLocalTime(c.expires().seconds());
    if (!c.stale()) return at;
    return t("过期（STALE）：" + at + " 到期，更新已暂停，当前策略继续执行",
             "STALE: expired " + at + "; updates blocked, the current policy stays in force");
  }

  void appendRejection(Section& sec) const {
    const auto& c = s_.content();
    if (c.last_rejection().code().empty()) return;
    if (c.has_last_rejection_at()) {
      sec.rows.push_back({t("上次拒绝", "last rejection"), when(c.last_rejection_at())});
    }
    sec.rows.push_back({t("拒绝原因", "rejected for"), codeLine(c.last_rejection().code())});
    if (!c.last_rejection().message().empty()) {
      sec.rows.push_back(
          {t("拒绝详情", "rejection detail"), sanitizeForTerminal(c.last_rejection().message())});
    }
  }

  void appendErrors(std::string* out) const {
    Section sec{t("错误", "Errors"), {}};
    for (const auto& e : s_.errors()) {
      const ErrorCode parsed = errorCodeFromName(e.code());
      std::string value = errorCodeName(parsed) == e.code()
                              ? std::string(errorCodeLine(parsed, lang_))
                              : std::string();
      if (!e.message().empty()) {
        const std::string detail = sanitizeForTerminal(e.message());
        value += value.empty() ? detail : t("（" + detail + "）", " (" + detail + ")");
      }
      if (value.empty()) value = t("未知错误", "unknown error");
      const std::string key = e.code().empty() ? t("（无代码）", "(no code)") : e.code();
      sec.rows.push_back({sanitizeForTerminal(key), value});
    }
    if (sec.rows.empty()) {
      *out += "\n" + sec.title + "\n  " + t("无", "none") + "\n";
      return;
    }
    size_t width = 0;
    for (const auto& row : sec.rows) width = std::max(width, displayWidth(row.key));
    appendSection(sec, width, out);
  }

  static void appendSection(const Section& sec, size_t width, std::string* out) {
    *out += "\n" + sec.title + "\n";
    for (const auto& row : sec.rows)
      *out += "  " + padRight(row.key, width) + " | " + row.value + "\n";
  }

  const v1::AgentStatus& s_;
  Lang lang_;
  int64_t now_;
};

}  // namespace

std::string renderStatusText(const v1::AgentStatus& status, const TextRenderOptions& options) {
  return Renderer(status, options).render();
}

}  // namespace xiaoan::ctl
