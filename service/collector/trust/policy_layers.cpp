#include "service/collector/trust/policy_layers.h"

#include <algorithm>

#include "common/policy/policy_rules.h"
#include "service/collector/admin_api/admin_request.h"

namespace xiaoan::collector {
namespace {

constexpr size_t kMaxRoomBytes = 64;

// Well-formed UTF-8 (RFC 3629): no stray or missing continuation bytes, overlong forms,
// surrogates or code points past U+10FFFF. Room names end up in protobuf string fields, which
// must be UTF-8; a percent-encoded URL could carry anything.
bool isWellFormedUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto lead = static_cast<unsigned char>(s[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t cp = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
      len = 2;
      cp = lead & 0x1Fu;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      len = 3;
      cp = lead & 0x0Fu;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      len = 4;
      cp = lead & 0x07u;
    } else {
      return false;
    }
    if (s.size() - i < len) return false;
    for (size_t k = 1; k < len; ++k) {
      auto next = static_cast<unsigned char>(s[i + k]);
      if ((next & 0xC0u) != 0x80u) return false;
      cp = (cp << 6) | (next & 0x3Fu);
    }
    bool bad3 = len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF));
    bool bad4 = len == 4 && (cp < 0x10000 || cp > 0x10FFFF);
    if (bad3 || bad4) return false;
    i += len;
  }
  return true;
}

}  // namespace

std::optional<v1::PolicyScope> scopeFromName(std::string_view name) {
  if (name == kScopeSchool) return v1::POLICY_SCOPE_SCHOOL;
  if (name == kScopeRoom) return v1::POLICY_SCOPE_ROOM;
  if (name == kScopeTerminal) return v1::POLICY_SCOPE_TERMINAL;
  return std::nullopt;
}

std::string scopeName(v1::PolicyScope scope) {
  switch (scope) {
    case v1::POLICY_SCOPE_SCHOOL:
      return kScopeSchool;
    case v1::POLICY_SCOPE_ROOM:
      return kScopeRoom;
    case v1::POLICY_SCOPE_TERMINAL:
      return kScopeTerminal;
    default:
      return "";
  }
}

bool isValidRoomName(std::string_view room) {
  if (room.empty() || room.size() > kMaxRoomBytes || room.front() == ' ' || room.back() == ' ') {
    return false;
  }
  return isWellFormedUtf8(room) && std::none_of(room.begin(), room.end(), [](char c) {
           return c == '/' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
         });
}

bool isValidTerminalId(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

bool isValidLayerId(v1::PolicyScope scope, std::string_view id) {
  switch (scope) {
    case v1::POLICY_SCOPE_SCHOOL:
      return isValidSchoolId(id);
    case v1::POLICY_SCOPE_ROOM: {
      size_t slash = id.find('/');
      return slash != std::string_view::npos && isValidSchoolId(id.substr(0, slash)) &&
             isValidRoomName(id.substr(slash + 1));
    }
    case v1::POLICY_SCOPE_TERMINAL:
      return isValidTerminalId(id);
    default:
      return false;
  }
}

v1::Policy collectorDefaults(uint32_t checkin_interval_seconds) {
  v1::Policy p = policy::builtinDefaults();
  p.mutable_agent()->set_checkin_interval_seconds(checkin_interval_seconds);
  return p;
}

Result<ResolvedPolicy> resolvePolicy(const v1::Policy& defaults,
                                     const TerminalPolicyLayers& layers) {
  std::vector<v1::Policy> stack = {defaults};
  ResolvedPolicy out;
  for (const auto& row : layers.layers) {
    v1::Policy layer;
    auto scope = scopeFromName(row.scope);
    if (!scope || !layer.ParseFromString(row.policy)) {
      return Status(ErrorCode::kDatabase,
                    "stored policy layer " + row.scope + "/" + row.id + " is unreadable");
    }
    stack.push_back(std::move(layer));
    auto& source = out.sources.emplace_back();
    source.set_scope(*scope);
    source.set_id(row.id);
    source.set_revision(row.revision);
  }
  out.policy = policy::mergeLayers(stack);
  return out;
}

}  // namespace xiaoan::collector
