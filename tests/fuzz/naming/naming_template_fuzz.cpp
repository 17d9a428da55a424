// Naming templates: parse, then render what parses for both OSes with fixed Chinese values and
// explain the decision. The first input byte picks the seat, the rest is the template.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/naming/name_template.h"
#include "common/naming/naming_rule.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace xiaoan;
  static const std::unique_ptr<TextCodec> codec = makeTextCodec();
  if (size == 0) return 0;
  std::string pattern(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto parsed = naming::parseTemplate(pattern);
  if (!parsed.isOk()) return 0;
  v1::NamingPolicy n;
  n.set_pattern(pattern);
  n.set_fallback(pattern + "1");
  n.set_school_abbr("沙中");
  n.set_owner("尉迟恭");
  n.set_room("机房 2");
  n.set_seat(data[0]);
  for (auto os : {naming::HostOs::kLinux, naming::HostOs::kWindows}) {
    auto d = naming::decideHostname(n, os, *codec);
    (void)naming::describeDecision(d, os, Lang::kZhCn);
    if (d.usable && d.hostname.empty()) __builtin_trap();  // a usable name is never empty
  }
  return 0;
}
