#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/result.h"
#include "service/collector/store/store.h"
#include "xiaoan/v1/policy.pb.h"

// Policy layers as the collector keeps them: scope names, layer ids, and the merge of a
// terminal's stored layers over the collector's defaults.
namespace xiaoan::collector {

// "school" <-> POLICY_SCOPE_SCHOOL etc.; nullopt / "" for anything else.
std::optional<v1::PolicyScope> scopeFromName(std::string_view name);
std::string scopeName(v1::PolicyScope scope);

// Room names: checkDisplayName(kRoomNameRule): 1..64 bytes of UTF-8 without '/', "..", control
// or bidi characters or leading/trailing blanks (they appear in URLs as "school_id/room" and
// in tables).
bool isValidRoomName(std::string_view room);
// Terminal ids: 1..64 of [0-9a-f] (what enrollment generates).
bool isValidTerminalId(std::string_view id);
// Whether `id` is well-formed for `scope`: a school id, "school_id/room" or a terminal id.
bool isValidLayerId(v1::PolicyScope scope, std::string_view id);

// A terminal's merged policy and the layers that went into it, in merge order.
struct ResolvedPolicy {
  v1::Policy policy;
  std::vector<v1::PolicySource> sources;
};

// The built-in defaults of this collector: policy::builtinDefaults() with the check-in interval
// of `xiaoan-collector serve --checkin-interval`.
v1::Policy collectorDefaults(uint32_t checkin_interval_seconds);

// The layer a terminal's seat-registry entry contributes (issue 11): binding.mac/ipv4/gateway/
// dns and naming.owner/room/seat/pattern (the entry's own rule) and naming.school_abbr (the
// school's abbreviation). Whether binding and naming are enabled, and their modes, stay with
// the school, room and terminal layers. Its source is scope TERMINAL with id "registry/<mac>"
// and the entry's revision.
v1::Policy registryLayer(const RegistryEntryRow& row, const std::string& school_abbr);

// Merges `defaults` and the stored layers, with the registry layer (when the terminal holds an
// entry) between the room and the terminal layer, so an admin's terminal layer still wins.
// E_DATABASE when a stored layer does not parse.
Result<ResolvedPolicy> resolvePolicy(const v1::Policy& defaults,
                                     const TerminalPolicyLayers& layers);

}  // namespace xiaoan::collector
