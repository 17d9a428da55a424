#include "service/collector/registry/registry_naming.h"

#include "common/naming/naming_rule.h"
#include "platform/error_code.h"

namespace xiaoan::collector {
namespace {

std::string lowerAscii(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return s;
}

// The naming policy of one entry, or nullopt when it has no rule.
std::optional<v1::NamingPolicy> namingOf(const RegistryEntry& e,
                                         const std::map<std::string, v1::NamingPolicy>& by_room,
                                         const std::string& school_abbr) {
  v1::NamingPolicy n;
  auto it = by_room.find(e.room);
  if (it == by_room.end()) it = by_room.find("");
  if (it != by_room.end()) n = it->second;
  // Checked when naming is on for the entry's room, or the entry has a rule of its own.
  if (!n.enabled() && e.naming.empty()) return std::nullopt;
  if (!e.naming.empty()) n.set_pattern(e.naming);
  if (!n.has_pattern()) return std::nullopt;
  n.clear_hostname();  // fixed per terminal, not per entry
  if (!e.owner.empty()) n.set_owner(e.owner);
  if (!e.room.empty()) n.set_room(e.room);
  if (e.seat != 0) n.set_seat(e.seat);
  if (!school_abbr.empty()) n.set_school_abbr(school_abbr);
  return n;
}

}  // namespace

void checkNameCollisions(ParsedRegistry& parsed,
                         const std::map<std::string, v1::NamingPolicy>& naming_by_room,
                         const std::string& school_abbr, const TextCodec& codec) {
  using naming::HostOs;
  std::map<std::string, int> seen[2];
  for (const auto& e : parsed.entries) {
    auto n = namingOf(e, naming_by_room, school_abbr);
    if (!n) continue;
    for (HostOs os : {HostOs::kLinux, HostOs::kWindows}) {
      const char* os_name = os == HostOs::kLinux ? "Linux" : "Windows";
      auto d = naming::decideHostname(*n, os, codec);
      if (!d.usable) {
        parsed.issues.push_back(
            {e.line, "naming",
             naming::describeDecision(d, os, Lang::kZhCn) + "：改短命名规则或设置备用规则",
             naming::describeDecision(d, os, Lang::kEn) + ": shorten the rule or set a fallback"});
        continue;
      }
      auto [it, fresh] = seen[os == HostOs::kLinux ? 0 : 1].emplace(lowerAscii(d.hostname), e.line);
      if (fresh) continue;
      const std::string first = std::to_string(it->second);
      parsed.issues.push_back({e.line, "naming",
                               std::string(os_name) + " 计算机名“" + d.hostname + "”与第 " + first +
                                   " 行相同：给其中一行写自己的命名规则",
                               std::string(os_name) + " hostname \"" + d.hostname +
                                   "\" is the same as line " + first +
                                   "'s: give one of them its own naming rule"});
    }
  }
  sortIssuesByLine(parsed.issues);
}

}  // namespace xiaoan::collector
