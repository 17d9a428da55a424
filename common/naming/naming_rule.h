#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/naming/name_template.h"
#include "platform/error_code.h"
#include "platform/text_codec.h"
#include "xiaoan/v1/policy.pb.h"

// Which hostname a NamingPolicy asks for on one OS, within that OS's limits:
//   Linux: the static hostname is ASCII (letters, digits, '-'), at most 64 bytes; Chinese text
//          is romanised to pinyin there and kept as written in the pretty hostname.
//   Windows: the computer name is the written form (Chinese allowed): its DNS label at most
//          63 bytes of UTF-8, its NetBIOS name at most 15 bytes in GBK (a Chinese character is
//          2 bytes), every character encodable in GBK, not digits only.
// Candidates are tried in order: naming.hostname (fixed per terminal), naming.pattern,
// naming.fallback; the first that gives a name the OS accepts wins, and every candidate passed
// over is kept with its reason so the admin sees why the fallback applied. Pure: the GBK
// measurements go through the TextCodec seam.
namespace xiaoan::naming {

enum class HostOs { kLinux, kWindows };

inline constexpr size_t kLinuxHostnameMaxBytes = 64;
inline constexpr size_t kDnsLabelMaxBytes = 63;
inline constexpr size_t kNetbiosMaxBytes = 15;

enum class NameProblem {
  kNone,
  kBadTemplate,     // the template does not parse (detail: the parser's message)
  kMissingValue,    // a placeholder has no value (detail: its name)
  kEmpty,           // nothing usable left after dropping characters the OS refuses
  kNotRomanizable,  // a character has no pinyin reading, so no ASCII static name (Linux)
  kTooLongLinux,    // static hostname over kLinuxHostnameMaxBytes
  kTooLongDns,      // UTF-8 over kDnsLabelMaxBytes (Windows)
  kTooLongNetbios,  // GBK over kNetbiosMaxBytes (Windows)
  kNotGbk,          // a character GBK cannot encode (Windows)
  kDigitsOnly,      // Windows refuses computer names made of digits only
};

enum class NameSource { kNone, kFixedHostname, kPattern, kFallback };

// One candidate that was tried.
struct NameAttempt {
  NameSource source = NameSource::kNone;
  std::string rule;    // the template (or the fixed hostname)
  std::string name;    // what it rendered to ("" when it could not render)
  std::string pretty;  // Linux: the written form for the pretty hostname; Windows: = name
  NameProblem problem = NameProblem::kNone;
  std::string detail;  // placeholder name or parser message
  size_t bytes = 0;    // measured length for the kTooLong* problems
};

struct HostnameDecision {
  bool usable = false;   // a candidate fits; false also when naming asks for nothing
  std::string hostname;  // Linux: the ASCII static hostname; Windows: the computer name
  std::string pretty;    // Linux: the pretty hostname (may hold Chinese); Windows: = hostname
  NameSource source = NameSource::kNone;
  std::vector<NameAttempt> passed_over;  // candidates before the chosen one, with reasons
};

// The values the placeholders take.
struct NamingValues {
  std::string school_abbr;
  std::string owner;
  std::string room;
  uint32_t seat = 0;  // 0 = none
};

NamingValues valuesOf(const v1::NamingPolicy& naming);

// Renders one template for `os` and checks the limits (problem kNone when it fits).
NameAttempt renderTemplate(const NameTemplate& t, const NamingValues& values, HostOs os,
                           const TextCodec& codec);

// The decision for `naming` (hostname, pattern, fallback in that order).
HostnameDecision decideHostname(const v1::NamingPolicy& naming, HostOs os, const TextCodec& codec);

// One line in `lang`: why candidates were passed over and which one applied ("" when the first
// candidate fits or nothing was asked for).
std::string describeDecision(const HostnameDecision& decision, HostOs os, Lang lang);

// Whether two hostnames collide for the OS: Windows and DNS compare names case-insensitively.
bool sameHostname(std::string_view a, std::string_view b);

}  // namespace xiaoan::naming
