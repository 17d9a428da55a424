#include "service/collector/registry/compliance_report.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <set>

#include "common/naming/naming_rule.h"
#include "xiaoan/v1/network.pb.h"

namespace xiaoan::collector {
namespace {

using google::protobuf::util::TimeUtil;

constexpr int kSilentIntervals = 3;

// zh and en text side by side.
struct Text {
  std::string zh, en;
  void add(const std::string& z, const std::string& e) {
    zh += (zh.empty() ? "" : "；") + z;
    en += (en.empty() ? "" : "; ") + e;
  }
};

std::pair<const char*, const char*> kindName(int kind) {
  switch (kind) {
    case v1::VIOLATION_KIND_WRONG_IP:
      return {"IP 地址错误", "wrong IP"};
    case v1::VIOLATION_KIND_EXTRA_IP:
      return {"多余的 IP 地址", "extra IP"};
    case v1::VIOLATION_KIND_WRONG_GATEWAY:
      return {"网关错误", "wrong gateway"};
    case v1::VIOLATION_KIND_WRONG_DNS:
      return {"DNS 错误", "wrong DNS"};
    case v1::VIOLATION_KIND_MAC_CHANGED:
      return {"MAC 被修改", "MAC changed"};
    case v1::VIOLATION_KIND_NIC_REPLACED:
      return {"网卡被更换", "NIC replaced"};
    case v1::VIOLATION_KIND_IP_CONFLICT:
      return {"IP 冲突", "IP conflict"};
    case v1::VIOLATION_KIND_HOSTNAME:
      return {"计算机名不符", "hostname"};
    case v1::VIOLATION_KIND_NAMING_RULE_UNUSABLE:
      return {"命名规则不可用", "naming rule unusable"};
    default:
      return {"未知问题", "unknown"};
  }
}

void describeViolations(const v1::ComplianceStatus& status, Text& t) {
  for (const auto& v : status.violations()) {
    auto [zh, en] = kindName(v.kind());
    std::string actual = v.actual().empty() ? "-" : v.actual();
    std::string other = v.other_mac().empty() ? "" : " (" + v.other_mac() + ")";
    t.add(std::string(zh) + "：" + actual + "（应为 " + v.expected() + "）" + other,
          std::string(en) + ": " + actual + ", expected " + v.expected() + other);
  }
}

std::string ipOf(const std::string& cidr) { return cidr.substr(0, cidr.find('/')); }

// Conflicts of each row (index -> text).
std::map<size_t, Text> findConflicts(const std::vector<ComplianceRow>& rows) {
  std::map<size_t, Text> out;
  auto flagShared = [&](auto keysOf, const char* zh_what, const char* en_what) {
    std::map<std::string, std::vector<size_t>> users;
    for (size_t i = 0; i < rows.size(); ++i) {
      for (const auto& key : keysOf(rows[i])) users[key].push_back(i);
    }
    for (const auto& [key, list] : users) {
      if (list.size() < 2) continue;
      for (size_t i : list) {
        std::string others;
        for (size_t j : list) {
          if (j != i) others += (others.empty() ? "" : ", ") + rows[j].hostname;
        }
        out[i].add(std::string(zh_what) + " " + key + " 也被 " + others + " 使用",
                   std::string(en_what) + " " + key + " also claimed by " + others);
      }
    }
  };
  flagShared(
      [](const ComplianceRow& r) {
        return r.entry.mac.empty() ? std::vector<std::string>{} : std::vector{r.entry.mac};
      },
      "登记表中的座位（MAC", "registry entry (MAC");
  flagShared(
      [](const ComplianceRow& r) {
        std::vector<std::string> ips;
        for (const auto& c : r.ipv4) ips.push_back(ipOf(c));
        return ips;
      },
      "IP", "IP");
  flagShared([](const ComplianceRow& r) { return r.macs; }, "MAC", "MAC");
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    if (r.entry.mac.empty() || !r.holder) continue;
    bool has_ip = std::any_of(r.ipv4.begin(), r.ipv4.end(),
                              [&](const std::string& c) { return ipOf(c) == ipOf(r.entry.ipv4); });
    if (!has_ip) {
      std::string now = r.ipv4.empty() ? "-" : r.ipv4.front();
      out[i].add("报告的 IP " + now + " 与登记的 " + r.entry.ipv4 + " 不符",
                 "reports IP " + now + ", the registry says " + r.entry.ipv4);
    }
    // The agent's own HOSTNAME violation (or a rename waiting for a reboot) already says so;
    // a conflict is a reported name that the agent's status claims to be fine.
    v1::ComplianceStatus status;
    if (!r.status.empty() && status.ParseFromString(r.status) &&
        !status.expected_hostname().empty() &&
        !naming::sameHostname(status.expected_hostname(), r.hostname) &&
        status.state() != v1::COMPLIANCE_STATE_PENDING_REBOOT &&
        std::none_of(
            status.violations().begin(), status.violations().end(),
            [](const v1::Violation& v) { return v.kind() == v1::VIOLATION_KIND_HOSTNAME; })) {
      out[i].add(
          "主机名 " + r.hostname + " 与命名规则的 " + status.expected_hostname() + " 不符",
          "hostname " + r.hostname + ", its naming rule asks for " + status.expected_hostname());
    }
  }
  return out;
}

std::string roomKeyOf(const ComplianceRow& r) { return r.school_id + "/" + r.room; }

uint32_t intervalOf(const ComplianceRow& r, const ComplianceOptions& o) {
  if (auto it = o.intervals.find(roomKeyOf(r)); it != o.intervals.end()) return it->second;
  if (auto it = o.intervals.find(r.school_id); it != o.intervals.end()) return it->second;
  return o.default_interval_seconds;
}

void addKinds(v1::ComplianceCounts& c, const std::vector<int>& kinds) {
  std::set<int> distinct(kinds.begin(), kinds.end());
  for (int k : distinct) {
    v1::ViolationCount* found = nullptr;
    for (auto& v : *c.mutable_by_kind()) {
      if (v.kind() == k) found = &v;
    }
    if (found == nullptr) {
      found = c.add_by_kind();
      found->set_kind(static_cast<v1::ViolationKind>(k));
    }
    found->set_terminals(found->terminals() + 1);
  }
}

// The state bucket of one terminal; counts it.
std::string countState(v1::ComplianceCounts& c, const ComplianceRow& r, bool silent) {
  c.set_terminals(c.terminals() + 1);
  if (silent) {
    c.set_silent(c.silent() + 1);
    return "silent";
  }
  switch (r.state) {
    case v1::COMPLIANCE_STATE_COMPLIANT:
      c.set_compliant(c.compliant() + 1);
      return "";
    case v1::COMPLIANCE_STATE_VIOLATION:
      c.set_violation(c.violation() + 1);
      return "violation";
    case v1::COMPLIANCE_STATE_ISOLATED:
      c.set_isolated(c.isolated() + 1);
      return "isolated";
    case v1::COMPLIANCE_STATE_PENDING_REBOOT:
      c.set_pending_reboot(c.pending_reboot() + 1);
      return "pending_reboot";
    case v1::COMPLIANCE_STATE_DISABLED:
      c.set_disabled(c.disabled() + 1);
      return "";
    default:
      c.set_unknown(c.unknown() + 1);
      return "";
  }
}

struct Counted {
  std::string category;
  bool conflict = false;
  bool unregistered = false;
};

Counted count(v1::ComplianceCounts& c, const ComplianceRow& r, bool silent, bool conflict) {
  Counted out{countState(c, r, silent), conflict, r.entry.mac.empty()};
  if (!silent) addKinds(c, r.kinds);
  if (out.unregistered) c.set_unregistered(c.unregistered() + 1);
  if (conflict) c.set_conflicts(c.conflicts() + 1);
  return out;
}

v1::ComplianceOffender offender(const ComplianceRow& r, const Counted& k, const Text& conflict,
                                int64_t silent_for_ms) {
  v1::ComplianceOffender o;
  o.set_terminal_id(r.terminal_id);
  o.set_school_id(r.school_id);
  o.set_room(r.room);
  o.set_seat(r.entry.seat);
  o.set_owner(r.entry.owner);
  o.set_hostname(r.hostname);
  if (r.last_checkin_ms)
    *o.mutable_last_checkin() = TimeUtil::MillisecondsToTimestamp(*r.last_checkin_ms);
  v1::ComplianceStatus status;
  if (!r.status.empty() && status.ParseFromString(r.status))
    *o.mutable_violations() = status.violations();
  Text t;
  std::string category = k.category;
  if (category == "silent") {
    std::string minutes = std::to_string(silent_for_ms / 60000);
    t.add("已 " + minutes + " 分钟无签到", "no check-in for " + minutes + " min");
  } else if (category == "violation" || category == "isolated") {
    if (category == "isolated") t.add("已隔离", "isolated");
    describeViolations(status, t);
  } else if (category == "pending_reboot") {
    t.add("改名为 " + status.expected_hostname() + " 需重启生效",
          "rename to " + status.expected_hostname() + " takes effect after a reboot");
  }
  if (k.conflict) t.add(conflict.zh, conflict.en);
  if (k.unregistered) {
    std::string macs;
    for (const auto& m : r.macs) macs += (macs.empty() ? "" : ",") + m;
    t.add("MAC " + macs + " 不在登记表中", "MAC " + macs + " is not in the registry");
  }
  if (category.empty() || category == "pending_reboot") {
    category = k.conflict ? "conflict" : k.unregistered ? "unregistered" : category;
  }
  o.set_category(category);
  o.set_reason_zh(t.zh);
  o.set_reason_en(t.en);
  return o;
}

}  // namespace

v1::ComplianceReport buildComplianceReport(const std::vector<ComplianceRow>& rows,
                                           const ComplianceOptions& options) {
  v1::ComplianceReport report;
  const auto conflicts = findConflicts(rows);
  std::map<std::string, v1::ComplianceGroup*> groups;
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    if (!options.room.empty() && r.room != options.room) continue;
    int64_t last = r.last_checkin_ms.value_or(r.enrolled_at_ms.value_or(0));
    int64_t silent_after = int64_t{kSilentIntervals} * intervalOf(r, options) * 1000;
    bool silent = options.now_ms - last > silent_after;
    auto conflict = conflicts.find(i);
    auto& group = groups[roomKeyOf(r)];
    if (group == nullptr) {
      group = report.add_groups();
      group->set_school_id(r.school_id);
      group->set_room(r.room);
    }
    bool in_conflict = conflict != conflicts.end();
    Counted k = count(*group->mutable_counts(), r, silent, in_conflict);
    (void)count(*report.mutable_total(), r, silent, in_conflict);
    if (!k.category.empty() || k.conflict || k.unregistered) {
      *report.add_offenders() =
          offender(r, k, in_conflict ? conflict->second : Text{}, options.now_ms - last);
    }
  }
  return report;
}

}  // namespace xiaoan::collector
