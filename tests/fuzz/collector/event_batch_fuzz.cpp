// POST /v1/events body: the decoder and validation the handler runs on untrusted bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "service/collector/agent_api/agent_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto decoded = xiaoan::collector::decodeEventBatch(body);
  if (decoded.isOk()) {
    // Invariants the writer relies on.
    if (decoded->events.size() > xiaoan::collector::kMaxEventsPerBatch) __builtin_trap();
    for (const auto& e : decoded->events) {
      if (e.seq < 1 || (e.stream != "security" && e.stream != "activity")) __builtin_trap();
    }
  }
  return 0;
}
