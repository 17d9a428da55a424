// parseRegistryCsv(): decoding, header, and the checks of each line on its own.
#include "service/collector/registry/registry_csv.h"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <optional>

#include "common/naming/name_template.h"
#include "common/net/ipv4.h"
#include "common/text/utf8.h"
#include "service/collector/admin_api/display_name.h"
#include "service/collector/registry/csv_reader.h"

namespace xiaoan::collector {
namespace {

enum class Column { kRoom, kSeat, kOwner, kMac, kIp, kNetmask, kGateway, kDns, kNaming };

struct ColumnName {
  std::string_view alias;
  Column column;
};

// Header names as admins write them (English compared case-insensitively, blanks ignored).
constexpr std::array<ColumnName, 28> kAliases = {{
    {"房间", Column::kRoom},        {"机房", Column::kRoom},
    {"教室", Column::kRoom},        {"room", Column::kRoom},
    {"座位号", Column::kSeat},      {"座位", Column::kSeat},
    {"机位", Column::kSeat},        {"seat", Column::kSeat},
    {"使用人", Column::kOwner},     {"姓名", Column::kOwner},
    {"owner", Column::kOwner},      {"name", Column::kOwner},
    {"mac", Column::kMac},          {"mac地址", Column::kMac},
    {"物理地址", Column::kMac},     {"ip", Column::kIp},
    {"ip地址", Column::kIp},        {"ipv4", Column::kIp},
    {"子网掩码", Column::kNetmask}, {"netmask", Column::kNetmask},
    {"prefix", Column::kNetmask},   {"网关", Column::kGateway},
    {"默认网关", Column::kGateway}, {"gateway", Column::kGateway},
    {"dns", Column::kDns},          {"dns服务器", Column::kDns},
    {"命名规则", Column::kNaming},  {"naming", Column::kNaming},
}};

constexpr std::array<std::string_view, 9> kCanonical = {
    "room", "seat", "owner", "mac", "ip", "netmask", "gateway", "dns", "naming"};

std::string_view canonical(Column c) { return kCanonical[static_cast<size_t>(c)]; }

std::string foldHeader(std::string_view h) {
  std::string out;
  for (char c : h) {
    if (c == ' ' || c == '\t') continue;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
  }
  return out;
}

std::string trim(std::string_view s) {
  auto blank = [](char c) { return c == ' ' || c == '\t'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return std::string(s);
}

// A line's issue collector.
struct LineIssues {
  int line;
  std::vector<RegistryIssue>& out;
  bool any = false;
  void add(std::string_view column, std::string zh, std::string en) {
    out.push_back({line, std::string(column), std::move(zh), std::move(en)});
    any = true;
  }
};

Result<std::string> decode(std::string_view bytes, CsvEncoding encoding, const TextCodec& codec,
                           std::string& used) {
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  bool bom = bytes.substr(0, 3) == kBom;
  if (encoding == CsvEncoding::kGbk ||
      (encoding == CsvEncoding::kAuto && !bom && !isWellFormedUtf8(bytes))) {
    used = "GB18030";
    auto text = codec.toUtf8(bytes, Charset::kGb18030);
    if (!text.isOk()) {
      return Status(ErrorCode::kInvalidArgument,
                    "the file is neither UTF-8 nor GBK/GB18030: " + text.status().message());
    }
    return text;
  }
  if (bom) bytes.remove_prefix(3);
  used = bom ? "UTF-8 (BOM)" : "UTF-8";
  if (!isWellFormedUtf8(bytes)) {
    return Status(ErrorCode::kInvalidArgument, "the file is not valid UTF-8");
  }
  return std::string(bytes);
}

// Column index per canonical column (-1 = absent).
using HeaderMap = std::array<int, kCanonical.size()>;

Result<HeaderMap> readHeader(const CsvRecord& header, std::vector<RegistryIssue>& fatal) {
  HeaderMap map;
  map.fill(-1);
  for (size_t i = 0; i < header.fields.size(); ++i) {
    std::string key = foldHeader(header.fields[i]);
    if (key.empty()) continue;
    auto it = std::find_if(kAliases.begin(), kAliases.end(),
                           [&](const ColumnName& a) { return a.alias == key; });
    if (it == kAliases.end()) {
      fatal.push_back(
          {header.line, "",
           "未知列“" + header.fields[i] +
               "”：请使用 房间、座位号、使用人、MAC地址、IP地址、子网掩码、网关、DNS、命名规则",
           "unknown column \"" + header.fields[i] +
               "\": use room, seat, owner, mac, ip, netmask, gateway, dns, naming"});
      continue;
    }
    int& slot = map[static_cast<size_t>(it->column)];
    if (slot >= 0) {
      fatal.push_back({header.line, std::string(canonical(it->column)),
                       "列“" + header.fields[i] + "”重复：删除其中一列",
                       "column \"" + header.fields[i] + "\" appears twice: remove one"});
    }
    slot = static_cast<int>(i);
  }
  for (Column required : {Column::kMac, Column::kIp}) {
    if (map[static_cast<size_t>(required)] < 0) {
      fatal.push_back({header.line, std::string(canonical(required)),
                       "缺少必需的列 " +
                           std::string(required == Column::kMac ? "MAC地址" : "IP地址") +
                           "：在第一行加上该列标题",
                       "the required column " + std::string(canonical(required)) +
                           " is missing: add it to the header line"});
    }
  }
  if (!fatal.empty()) {
    return Status(ErrorCode::kInvalidArgument, "the header line is unusable: " + fatal.front().en);
  }
  return map;
}

std::optional<uint32_t> parseUint(std::string_view s, uint32_t max) {
  uint32_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size() || v > max) return std::nullopt;
  return v;
}

// "24" or "255.255.255.0" -> 24; nullopt when neither (or a non-contiguous mask).
std::optional<uint32_t> parsePrefix(std::string_view s) {
  if (auto p = parseUint(s, 32)) return *p >= 1 ? p : std::nullopt;
  auto mask = net::parseIpv4(s);
  if (!mask || *mask == 0) return std::nullopt;
  uint32_t inverted = ~*mask;
  if ((inverted & (inverted + 1)) != 0) return std::nullopt;
  return 32 - static_cast<uint32_t>(std::popcount(inverted));
}

uint32_t maskOf(uint32_t prefix) { return prefix == 32 ? 0xffffffffu : ~(0xffffffffu >> prefix); }

// The fields of one CSV record by canonical column.
struct RowFields {
  std::array<std::string, kCanonical.size()> v;
  const std::string& operator[](Column c) const { return v[static_cast<size_t>(c)]; }
};

void checkNames(const RowFields& f, RegistryEntry& e, LineIssues& li) {
  e.room = f[Column::kRoom];
  e.owner = f[Column::kOwner];
  if (!e.room.empty() && !checkDisplayName(e.room, kRoomNameRule, Lang::kEn).isOk()) {
    li.add("room", "房间名称无效（不能含 /、控制字符，最多 64 字节）：改正房间名称",
           "invalid room name (no '/', control characters; at most 64 bytes): correct it");
  }
  static constexpr DisplayNameRule kOwnerRule{"使用人", "owner", 64, false, false};
  if (!e.owner.empty() && (!checkDisplayName(e.owner, kOwnerRule, Lang::kEn).isOk() ||
                           std::string_view("=+-@").find(e.owner[0]) != std::string_view::npos)) {
    li.add("owner", "使用人姓名无效（最多 64 字节，不能含控制字符或以 = + - @ 开头）：改正姓名",
           "invalid owner name (at most 64 bytes, no control characters, not starting with = + - "
           "@): correct it");
  }
  if (const std::string& seat = f[Column::kSeat]; !seat.empty()) {
    if (auto n = parseUint(seat, 9999); n && *n >= 1) {
      e.seat = *n;
    } else {
      li.add("seat", "座位号“" + seat + "”无效：应为 1 到 9999 的整数",
             "seat \"" + seat + "\" is invalid: use a whole number 1..9999");
    }
  }
  if (e.seat == 0 && e.owner.empty() && !li.any) {
    li.add("", "既没有座位号也没有使用人：至少填写一项", "neither seat nor owner: fill in one");
  }
  if (e.seat != 0 && e.room.empty()) {
    li.add("room", "有座位号但没有房间：填写房间", "a seat without a room: fill in the room");
  }
}

void checkAddress(const RowFields& f, RegistryEntry& e, LineIssues& li) {
  const std::string& mac = f[Column::kMac];
  e.mac = normalizeMac(mac);
  if (e.mac.empty()) {
    li.add("mac",
           "MAC 地址“" + mac +
               "”格式错误：写成 AA-BB-CC-DD-EE-FF、aa:bb:cc:dd:ee:ff 或 aabb.ccdd.eeff",
           "malformed MAC \"" + mac +
               "\": write AA-BB-CC-DD-EE-FF, aa:bb:cc:dd:ee:ff or aabb.ccdd.eeff");
  } else if (e.mac == "00:00:00:00:00:00" ||
             std::string_view("13579bdf").find(e.mac[1]) != std::string_view::npos) {
    li.add(
        "mac", "MAC 地址“" + mac + "”不是网卡地址（组播）：抄写网卡的物理地址",
        "MAC \"" + mac + "\" is not a NIC's address (multicast): copy the NIC's physical address");
    e.mac.clear();
  }
  std::string ip = f[Column::kIp];
  std::string prefix_text = f[Column::kNetmask];
  if (size_t slash = ip.find('/'); slash != std::string::npos) {
    prefix_text = ip.substr(slash + 1);
    ip.resize(slash);
  }
  auto addr = net::parseIpv4(ip);
  auto prefix = parsePrefix(prefix_text);
  if (!addr) {
    li.add(
        "ip",
        "IP 地址“" + f[Column::kIp] + "”格式错误：写成 10.1.2.3/24，或在子网掩码列写 255.255.255.0",
        "malformed IP \"" + f[Column::kIp] +
            "\": write 10.1.2.3/24, or put 255.255.255.0 in a netmask column");
    return;
  }
  if (!prefix || *prefix < 8 || *prefix > 30) {
    li.add("ip", "IP 地址缺少或有无效的前缀/子网掩码：写成 10.1.2.3/24（前缀 8 到 30）",
           "the IP has no or an invalid prefix/netmask: write 10.1.2.3/24 (prefix 8..30)");
    return;
  }
  const uint32_t mask = maskOf(*prefix);
  if ((*addr & ~mask) == 0 || (*addr & ~mask) == ~mask) {
    li.add("ip", "IP 地址 " + ip + " 是子网的网络地址或广播地址：换一个主机地址",
           "IP " + ip + " is the subnet's network or broadcast address: use a host address");
  }
  e.ipv4 = ip + "/" + std::to_string(*prefix);
  if (const std::string& gw = f[Column::kGateway]; !gw.empty()) {
    auto g = net::parseIpv4(gw);
    if (!g) {
      li.add("gateway", "网关“" + gw + "”格式错误：写成 10.1.2.1",
             "malformed gateway \"" + gw + "\": write 10.1.2.1");
    } else if ((*g & mask) != (*addr & mask) || *g == *addr) {
      li.add("gateway",
             "网关 " + gw + " 不在 " + e.ipv4 + " 的子网内（或与 IP 相同）：改正网关或前缀",
             "gateway " + gw + " is outside the subnet of " + e.ipv4 +
                 " (or equals the IP): correct the gateway or prefix");
    } else {
      e.gateway = gw;
    }
  }
}

void checkDnsAndNaming(const RowFields& f, RegistryEntry& e, LineIssues& li) {
  std::string dns = f[Column::kDns];
  std::replace_if(
      dns.begin(), dns.end(), [](char c) { return c == ';' || c == ',' || c == '|'; }, ' ');
  for (size_t pos = 0; pos < dns.size();) {
    size_t end = std::min(dns.find(' ', pos), dns.size());
    std::string server = dns.substr(pos, end - pos);
    pos = end + 1;
    if (server.empty()) continue;
    if (!net::parseIpv4(server)) {
      li.add("dns", "DNS 服务器“" + server + "”格式错误：写成 10.1.0.53，多个用分号隔开",
             "malformed DNS server \"" + server + "\": write 10.1.0.53, several separated by ';'");
    } else {
      e.dns.push_back(server);
    }
  }
  if (e.dns.size() > kMaxRegistryDns) {
    li.add("dns", "DNS 服务器最多 4 个：删去多余的", "at most 4 DNS servers: remove the others");
  }
  e.naming = f[Column::kNaming];
  if (!e.naming.empty()) {
    auto t = naming::parseTemplate(e.naming);
    if (!t.isOk()) {
      li.add("naming", "命名规则“" + e.naming + "”无效：" + t.status().message(),
             "naming rule \"" + e.naming + "\" is invalid: " + t.status().message());
    }
  }
}

RegistryEntry parseRow(const CsvRecord& rec, const HeaderMap& map,
                       std::vector<RegistryIssue>& issues) {
  LineIssues li{rec.line, issues};
  if (rec.field_too_long) {
    li.add("", "有字段超过 256 字节：缩短它", "a field is longer than 256 bytes: shorten it");
  }
  RowFields f;
  for (size_t c = 0; c < kCanonical.size(); ++c) {
    if (map[c] >= 0 && static_cast<size_t>(map[c]) < rec.fields.size()) {
      f.v[c] = trim(rec.fields[static_cast<size_t>(map[c])]);
    }
  }
  RegistryEntry e;
  e.line = rec.line;
  checkNames(f, e, li);
  checkAddress(f, e, li);
  checkDnsAndNaming(f, e, li);
  return e;
}

}  // namespace

Result<ParsedRegistry> parseRegistryCsv(std::string_view bytes, CsvEncoding encoding,
                                        const TextCodec& codec, std::vector<RegistryIssue>* fatal) {
  std::vector<RegistryIssue> local;
  std::vector<RegistryIssue>& fat = fatal != nullptr ? *fatal : local;
  if (bytes.size() > kMaxRegistryCsvBytes) {
    fat.push_back(
        {0, "", "文件超过 8 MiB：拆分后分别导入", "the file is larger than 8 MiB: split it"});
    return Status(ErrorCode::kTooLarge, "the file is larger than 8 MiB");
  }
  ParsedRegistry out;
  auto text = decode(bytes, encoding, codec, out.encoding);
  if (!text.isOk()) {
    fat.push_back({0, "", "文件编码无法识别：另存为“CSV UTF-8”，或用 --encoding gbk",
                   text.status().message() + ": save as \"CSV UTF-8\" or pass --encoding gbk"});
    return text.status();
  }
  CsvLimits limits{kMaxRegistryRows + 1, 32, kMaxRegistryFieldBytes};
  auto records = readCsv(*text, limits);
  if (!records.isOk()) {
    fat.push_back({0, "", "CSV 格式错误：" + records.status().message(),
                   "CSV format error: " + records.status().message()});
    return records.status();
  }
  if (records->empty()) {
    fat.push_back({0, "", "文件是空的", "the file is empty"});
    return Status(ErrorCode::kInvalidArgument, "the file is empty");
  }
  XIAOAN_ASSIGN_OR_RETURN(HeaderMap map, readHeader(records->front(), fat));
  for (size_t i = 1; i < records->size(); ++i) {
    out.entries.push_back(parseRow((*records)[i], map, out.issues));
  }
  checkDuplicates(out);
  sortIssuesByLine(out.issues);
  return out;
}

}  // namespace xiaoan::collector
