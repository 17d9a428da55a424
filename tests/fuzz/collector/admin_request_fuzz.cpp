// Admin API requests: input = method byte, target line, JSON body. Also the Basic-auth
// base64 decoding of the Authorization header.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "service/collector/admin_api/admin_request.h"
#include "service/collector/trust/crypto_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static constexpr std::string_view kMethods[] = {"GET", "POST", "PUT", "DELETE"};
  std::string_view method = kMethods[data[0] % 4];
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  size_t nl = rest.find('\n');
  std::string_view target = rest.substr(0, nl);
  std::string_view body = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  (void)xiaoan::collector::parseAdminRequest(method, target, body);
  (void)xiaoan::collector::base64Decode(target);
  return 0;
}
