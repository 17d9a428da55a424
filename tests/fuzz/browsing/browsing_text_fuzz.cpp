// The small text parsers of browsing records: a user's Firefox profiles.ini (written by the
// user), the agent's cursor file (state that may be torn or corrupted), URL hosts and listed
// domains. The first byte picks the parser.
#include <cstddef>
#include <cstdint>
#include <string>

#include "agent/browsing/cursor_store.h"
#include "agent/browsing/profile_discovery.h"
#include "agent/browsing/visit_builder.h"
#include "common/net/domain_name.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace xiaoan;
  using namespace xiaoan::agent::browsing;
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0: {
      const auto dirs = parseProfilesIni(text, "/home/s/.mozilla/firefox");
      if (dirs.size() > kMaxProfilesPerRoot) __builtin_trap();
      for (const auto& d : dirs) {
        if (d.empty() || d.front() != '/' || d.find("..") != std::string::npos) __builtin_trap();
      }
      break;
    }
    case 1: {
      CursorStore store("/nonexistent/cursors");
      store.parse(text);
      if (store.size() > kMaxSavedCursors) __builtin_trap();
      CursorStore again("/nonexistent/cursors");
      again.parse(store.serialize());  // what it writes it reads back the same
      if (again.serialize() != store.serialize()) __builtin_trap();
      break;
    }
    case 2: {
      const std::string host = net::urlHost(text);
      const std::string clean = sanitizeUtf8(text, 4096);
      if (clean.size() > 4096) __builtin_trap();
      (void)hostInDomain(host, "bet.com");
      break;
    }
    default: {
      auto d = net::normalizeDomain(text);
      if (d && (d->empty() || d->size() > net::kMaxDomainBytes || net::normalizeDomain(*d) != d)) {
        __builtin_trap();
      }
      break;
    }
  }
  return 0;
}
