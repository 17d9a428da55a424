// POST /v1/checkin body: decoding and facts normalisation.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "service/collector/agent_api/agent_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  (void)xiaoan::collector::decodeCheckinRequest(body);
  return 0;
}
