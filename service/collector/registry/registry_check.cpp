// The registry checks across lines and against the database, MAC and room normalisation, and
// the CSV export.
#include <algorithm>
#include <map>
#include <tuple>

#include "service/collector/registry/csv_reader.h"
#include "service/collector/registry/registry_csv.h"

namespace xiaoan::collector {
namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string ipOf(const std::string& cidr) { return cidr.substr(0, cidr.find('/')); }

// Reports `key` at `line` when an earlier line had it.
void firstUse(std::map<std::string, int>& seen, const std::string& key, int line,
              std::vector<RegistryIssue>& issues, const char* column, const std::string& zh_what,
              const std::string& en_what) {
  if (key.empty()) return;
  auto [it, fresh] = seen.emplace(key, line);
  if (fresh) return;
  const std::string first = std::to_string(it->second);
  issues.push_back(
      {line, column, zh_what + " 与第 " + first + " 行重复：每台电脑一行，改正其中一行",
       en_what + " duplicates line " + first + ": one line per PC, correct one of them"});
}

}  // namespace

std::string normalizeMac(std::string_view text) {
  std::string hex;
  const bool dotted = text.size() == 14 && text[4] == '.' && text[9] == '.';
  const bool separated = text.size() == 17;
  if (!dotted && !separated && text.size() != 12) return "";
  for (size_t i = 0; i < text.size(); ++i) {
    bool sep_pos = dotted ? (i == 4 || i == 9) : separated && i % 3 == 2;
    if (sep_pos) {
      if (dotted ? text[i] != '.' : (text[i] != ':' && text[i] != '-')) return "";
      if (separated && text[i] != text[2]) return "";  // one separator style
      continue;
    }
    int v = hexValue(text[i]);
    if (v < 0) return "";
    hex.push_back("0123456789abcdef"[v]);
  }
  if (hex == "000000000000") return "";
  std::string out;
  for (size_t i = 0; i < 12; i += 2) {
    if (!out.empty()) out.push_back(':');
    out += hex.substr(i, 2);
  }
  return out;
}

std::string roomKey(std::string_view name) {
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] == ' ' || name[i] == '\t') continue;
    if (name.substr(i, 3) == "\u3000") {
      i += 2;
      continue;
    }
    out.push_back(name[i]);
  }
  return out;
}

void checkDuplicates(ParsedRegistry& parsed) {
  std::map<std::string, int> macs, ips, seats;
  for (const auto& e : parsed.entries) {
    firstUse(macs, e.mac, e.line, parsed.issues, "mac", "MAC " + e.mac, "MAC " + e.mac);
    std::string ip = ipOf(e.ipv4);
    firstUse(ips, ip, e.line, parsed.issues, "ip", "IP " + ip, "IP " + ip);
    if (e.seat != 0) {
      std::string seat = e.room + " #" + std::to_string(e.seat);
      firstUse(seats, roomKey(e.room) + "\n" + std::to_string(e.seat), e.line, parsed.issues,
               "seat", "座位 " + seat, "seat " + seat);
    }
  }
}

void sortIssuesByLine(std::vector<RegistryIssue>& issues) {
  std::stable_sort(issues.begin(), issues.end(),
                   [](const RegistryIssue& a, const RegistryIssue& b) { return a.line < b.line; });
}

std::set<std::string> checkAgainstDatabase(ParsedRegistry& parsed, const RegistryContext& ctx) {
  std::set<std::string> to_create;
  std::map<std::string, std::string> new_rooms;  // key -> first spelling in the file
  for (auto& e : parsed.entries) {
    if (auto it = ctx.other_macs.find(e.mac); !e.mac.empty() && it != ctx.other_macs.end()) {
      parsed.issues.push_back(
          {e.line, "mac",
           "MAC " + e.mac + " 已登记在学校 " + it->second + "：先从那所学校删除，或改正 MAC",
           "MAC " + e.mac + " is registered at school " + it->second +
               ": remove it there first, or correct the MAC"});
    }
    std::string ip = ipOf(e.ipv4);
    if (auto it = ctx.other_ips.find(ip); !ip.empty() && it != ctx.other_ips.end()) {
      parsed.issues.push_back(
          {e.line, "ip", "IP " + ip + " 已分配给学校 " + it->second + "：改正 IP",
           "IP " + ip + " is assigned at school " + it->second + ": correct the IP"});
    }
    if (e.room.empty()) continue;
    const std::string key = roomKey(e.room);
    if (auto it = ctx.rooms.find(key); it != ctx.rooms.end()) {
      e.room = it->second;  // the stored spelling
      continue;
    }
    if (!ctx.create_rooms) {
      parsed.issues.push_back(
          {e.line, "room",
           "房间“" + e.room +
               "”不存在：先用 xiaoan-admin rooms add 创建，或导入时加 --create-rooms",
           "unknown room \"" + e.room +
               "\": create it with xiaoan-admin rooms add, or import with --create-rooms"});
      continue;
    }
    auto [it, fresh] = new_rooms.emplace(key, e.room);
    if (!fresh && it->second != e.room) {
      parsed.issues.push_back({e.line, "room",
                               "房间“" + e.room + "”与“" + it->second + "”只差空格：统一写法",
                               "room \"" + e.room + "\" differs from \"" + it->second +
                                   "\" only by spaces: spell them the same"});
      continue;
    }
    to_create.insert(e.room);
  }
  sortIssuesByLine(parsed.issues);
  return to_create;
}

std::string exportRegistryCsv(const std::vector<RegistryEntry>& entries) {
  std::string out = "\xEF\xBB\xBF";
  out += csvLine({"房间", "座位号", "使用人", "MAC地址", "IP地址", "网关", "DNS", "命名规则"});
  out += "\r\n";
  for (const auto& e : entries) {
    std::string dns;
    for (const auto& d : e.dns) dns += (dns.empty() ? "" : ";") + d;
    out += csvLine({e.room, e.seat == 0 ? "" : std::to_string(e.seat), e.owner, e.mac, e.ipv4,
                    e.gateway, dns, e.naming});
    out += "\r\n";
  }
  return out;
}

}  // namespace xiaoan::collector
