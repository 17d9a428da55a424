// POST /v1/enroll body: decoding, token split, facts normalisation and CSR verification, as
// the handler does before any database work.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/crypto/pki.h"
#include "service/collector/agent_api/agent_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto decoded = xiaoan::collector::decodeEnrollRequest(body);
  if (decoded.isOk()) {
    (void)xiaoan::pki::parseAndVerifyCsr(decoded->csr_pem);
    for (const auto& mac : decoded->facts.macs) {
      if (mac.size() != 17) __builtin_trap();
    }
  }
  return 0;
}
