// Record searches of the admin API (browsing visits, seat sessions, alerts): input = route
// byte, then the query string; also the page cursor decoder on its own.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "service/collector/admin_api/admin_request.h"
#include "service/collector/admin_api/record_cursor.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static constexpr std::string_view kPaths[] = {"/api/v1/browsing/visits", "/api/v1/sessions",
                                                "/api/v1/alerts"};
  static constexpr char kKinds[] = {'v', 's', 'a'};
  const size_t route = data[0] % 3;
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  (void)xiaoan::collector::parseAdminRequest(
      "GET", std::string(kPaths[route]) + "?" + std::string(rest), "");
  auto decoded = xiaoan::collector::decodeRecordCursor(kKinds[route], rest);
  if (decoded.isOk()) {
    // Whatever decodes must encode back to itself.
    std::string again =
        xiaoan::collector::encodeRecordCursor(kKinds[route], decoded->first, decoded->second);
    if (again != rest) __builtin_trap();
  }
  return 0;
}
