#pragma once

#include <map>
#include <string>

#include "platform/text_codec.h"
#include "service/collector/registry/registry_csv.h"
#include "xiaoan/v1/policy.pb.h"

namespace xiaoan::collector {

// Hostname collisions of an import: each entry's naming (its own rule, else the naming policy
// of its room, else of the school: `naming_by_room[room]`, then `naming_by_room[""]`) rendered
// with its owner, room, seat and `school_abbr` for Linux and Windows (common/naming). An entry
// whose name equals an earlier entry's (case-insensitive) is reported at its line, naming the
// earlier line, the OS and the fix; so is a rule that renders no usable name at all (with the
// naming module's reason). Only entries whose naming is enabled (by the layers) or that have a
// rule of their own are checked.
void checkNameCollisions(ParsedRegistry& parsed,
                         const std::map<std::string, v1::NamingPolicy>& naming_by_room,
                         const std::string& school_abbr, const TextCodec& codec);

}  // namespace xiaoan::collector
