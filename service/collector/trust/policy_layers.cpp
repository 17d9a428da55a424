#include "service/collector/trust/policy_layers.h"

#include <algorithm>

#include "common/policy/policy_rules.h"
#include "service/collector/admin_api/admin_request.h"
#include "service/collector/admin_api/display_name.h"

namespace xiaoan::collector {

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
  return checkDisplayName(room, kRoomNameRule, Lang::kEn).isOk();
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

v1::Policy registryLayer(const RegistryEntryRow& row, const std::string& school_abbr) {
  const RegistryEntry& e = row.entry;
  v1::Policy p;
  auto* b = p.mutable_binding();
  b->set_mac(e.mac);
  b->set_ipv4(e.ipv4);
  if (!e.gateway.empty()) b->set_gateway(e.gateway);
  for (const auto& d : e.dns) b->add_dns(d);
  auto* n = p.mutable_naming();
  if (!e.owner.empty()) n->set_owner(e.owner);
  if (!e.room.empty()) n->set_room(e.room);
  if (e.seat != 0) n->set_seat(e.seat);
  if (!e.naming.empty()) n->set_pattern(e.naming);
  if (!school_abbr.empty()) n->set_school_abbr(school_abbr);
  return p;
}

std::string registrySourceId(const RegistryEntryRow& row) { return "registry/" + row.entry.mac; }

Result<ResolvedPolicy> resolvePolicy(const v1::Policy& defaults,
                                     const TerminalPolicyLayers& layers) {
  std::vector<v1::Policy> stack = {defaults};
  ResolvedPolicy out;
  bool registry_done = !layers.registry.has_value();
  auto addRegistry = [&] {
    stack.push_back(registryLayer(*layers.registry, layers.school_abbr));
    auto& source = out.sources.emplace_back();
    source.set_scope(v1::POLICY_SCOPE_TERMINAL);
    source.set_id(registrySourceId(*layers.registry));
    source.set_revision(layers.registry->revision);
    registry_done = true;
  };
  for (const auto& row : layers.layers) {
    if (!registry_done && row.scope == kScopeTerminal) addRegistry();
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
  if (!registry_done) addRegistry();
  out.policy = policy::mergeLayers(stack);
  return out;
}

}  // namespace xiaoan::collector
