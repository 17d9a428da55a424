#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "platform/result.h"
#include "platform/text_codec.h"
#include "service/collector/store/store.h"

// A school's IP allocation table as CSV (xiaoan-admin registry import/export): what a Chinese
// admin's Excel writes. Decoding (UTF-8 with or without BOM, GBK/GB18030: valid UTF-8 is taken
// as UTF-8, anything else as GB18030, unless forced), Chinese or English headers, MACs in the
// Windows (AA-BB-…), Linux (aa:bb:…) and switch (aabb.ccdd.eeff) forms, IPv4 as CIDR or with a
// netmask column. Every bad line is reported with its line number and the fix, in zh and en;
// nothing is thrown away silently. Pure: decoding goes through the TextCodec seam.
namespace xiaoan::collector {

inline constexpr size_t kMaxRegistryCsvBytes = size_t{8} << 20;
inline constexpr size_t kMaxRegistryRows = 50'000;
inline constexpr size_t kMaxRegistryFieldBytes = 256;
inline constexpr size_t kMaxRegistryDns = 4;

enum class CsvEncoding { kAuto, kUtf8, kGbk };  // kGbk decodes GB18030, GBK's superset

// One problem of one line, with the fix.
struct RegistryIssue {
  int line = 0;        // 0 = the file as a whole
  std::string column;  // canonical column name ("mac", "ip", ...), "" = the line
  std::string zh;
  std::string en;
};

struct ParsedRegistry {
  std::string encoding;  // "UTF-8", "UTF-8 (BOM)" or "GB18030"
  std::vector<RegistryEntry> entries;
  std::vector<RegistryIssue> issues;
};

// Decodes and parses the file, checking each line on its own (formats, ranges, gateway inside
// the subnet) and lines against each other (duplicate MAC, IP, room+seat). E_TOO_LARGE over
// kMaxRegistryCsvBytes or kMaxRegistryRows; E_INVALID_ARGUMENT when the bytes are not in the
// encoding, the quoting is broken or the header is unusable (message in English; the issue
// list also holds it in zh and en at line 0 or 1).
Result<ParsedRegistry> parseRegistryCsv(std::string_view bytes, CsvEncoding encoding,
                                        const TextCodec& codec, std::vector<RegistryIssue>* fatal);

// The checks of lines against each other: a MAC, an IPv4 address or a room + seat used by an
// earlier line is reported at every later line, naming the first. (parseRegistryCsv runs it.)
void checkDuplicates(ParsedRegistry& parsed);

// Orders issues by line, keeping the order of each line's issues.
void sortIssuesByLine(std::vector<RegistryIssue>& issues);

// What the database already holds, for the checks that need it.
struct RegistryContext {
  // Rooms of the school by key (roomKey), with their stored names.
  std::map<std::string, std::string> rooms;
  // Whether rooms named in the file that do not exist are created by the import.
  bool create_rooms = false;
  // MACs and IPv4 addresses (without prefix) of OTHER schools' entries -> that school's id.
  std::map<std::string, std::string> other_macs;
  std::map<std::string, std::string> other_ips;
};

// The checks against the database: unknown rooms (or, with create_rooms, a new room that
// differs from an existing one only by spaces), MAC or IP used by another school. Rewrites each
// entry's room to the stored spelling. Appends issues; returns the rooms to create.
std::set<std::string> checkAgainstDatabase(ParsedRegistry& parsed, const RegistryContext& context);

// The key that identifies a room: its name without any blank (ASCII or ideographic space), so
// that "机房 1" and "机房1" are one room.
std::string roomKey(std::string_view name);

// "aa:bb:cc:dd:ee:ff" from AA-BB-CC-DD-EE-FF, aa:bb:cc:dd:ee:ff, aabb.ccdd.eeff or aabbccddeeff;
// "" when it is none of them or all zero.
std::string normalizeMac(std::string_view text);

// The export: UTF-8 with BOM (Excel opens it as UTF-8), Chinese headers that import reads back,
// CRLF line ends.
std::string exportRegistryCsv(const std::vector<RegistryEntry>& entries);

}  // namespace xiaoan::collector
