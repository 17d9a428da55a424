// Registry CSV import: the first byte picks the encoding mode and whether rooms are created,
// the rest is the file. Everything that parses is checked against a small database context
// and exported; the export must parse back with no issues.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "service/collector/registry/registry_csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace xiaoan;
  using namespace xiaoan::collector;
  static const std::unique_ptr<TextCodec> codec = makeTextCodec();
  if (size == 0) return 0;
  const auto mode = static_cast<CsvEncoding>(data[0] % 3);
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::vector<RegistryIssue> fatal;
  auto parsed = parseRegistryCsv(bytes, mode, *codec, &fatal);
  if (!parsed.isOk()) {
    if (fatal.empty()) __builtin_trap();  // a refusal always says why
    return 0;
  }
  RegistryContext ctx;
  ctx.rooms = {{roomKey("机房1"), "机房1"}};
  ctx.other_macs = {{"02:00:00:00:00:01", "other"}};
  ctx.create_rooms = (data[0] & 4) != 0;
  (void)checkAgainstDatabase(*parsed, ctx);
  if (!parsed->issues.empty()) return 0;
  auto again =
      parseRegistryCsv(exportRegistryCsv(parsed->entries), CsvEncoding::kAuto, *codec, nullptr);
  if (!again.isOk() || !again->issues.empty() || again->entries.size() != parsed->entries.size()) {
    __builtin_trap();  // what was accepted exports to a file that imports back
  }
  return 0;
}
