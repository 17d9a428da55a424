#pragma once

#include <optional>
#include <string>
#include <vector>

#include "platform/result.h"
#include "service/collector/store/sqlite_db.h"
#include "service/collector/store/store.h"

// SQL of rooms, the seat registry, terminal-to-entry matching and stored compliance (issue 11),
// shared by the admin session (SqliteStore) and the writer's transactions (SqliteWriteTxn).
namespace xiaoan::collector {

// Registry entry columns as `registryRowFrom` reads them (table alias "e").
inline constexpr const char* kRegistryEntryColumns =
    "e.school_id, e.room, e.seat, e.owner, e.mac, e.ipv4, e.gateway, e.dns, e.naming, e.line, "
    "e.revision, e.updated_at";
// The entry whose kRegistryEntryColumns start at column `first`.
RegistryEntryRow registryRowFrom(const SqliteStatement& st, int first);

Result<std::vector<RoomRow>> readRooms(SqliteDb& db, const std::string& school_id);
// The stored spelling of the room whose key is roomKey(name), nullopt when none.
Result<std::optional<std::string>> findRoom(SqliteDb& db, const std::string& school_id,
                                            const std::string& name);
// Creates the room; E_EXISTS when one with the same key exists (named in the message) —
// unless `reuse_same` and it is spelled exactly `name`.
Status insertRoom(SqliteDb& db, const std::string& school_id, const std::string& name,
                  bool reuse_same, int64_t now_ms);
Status renameRoomRows(SqliteDb& db, const std::string& school_id, const std::string& from,
                      const std::string& to);
Status deleteRoomRows(SqliteDb& db, const std::string& school_id, const std::string& name);

Result<RegistryKeys> readRegistryKeys(SqliteDb& db, const std::string& school_id);
Status writeRegistry(SqliteDb& db, const std::string& school_id,
                     const std::vector<RegistryEntry>& entries, int64_t now_ms);
Result<std::vector<RegistryEntryRow>> readRegistry(SqliteDb& db, const std::string& school_id,
                                                   const std::string& room);
// Matches one terminal to the school's entry by MAC (permanent MACs first, then current ones);
// a changed match is recorded with `now_ms` and moves the terminal to the entry's room.
Status matchTerminal(SqliteDb& db, const std::string& terminal_id, const std::string& school_id,
                     const std::vector<std::string>& permanent_macs,
                     const std::vector<std::string>& macs, int64_t now_ms);
// matchTerminal for every terminal of the school (after an import).
Status rematchSchool(SqliteDb& db, const std::string& school_id, int64_t now_ms);
// The entry `terminal_id` holds (nullopt when unmatched or another terminal claimed it first),
// and the school's abbreviation.
Status readTerminalRegistry(SqliteDb& db, TerminalPolicyLayers& layers);

Status writeCompliance(SqliteDb& db, const std::string& terminal_id, const ComplianceUpdate& update,
                       int64_t now_ms);
Result<std::vector<ComplianceRow>> readComplianceRows(SqliteDb& db, const std::string& school_id,
                                                      const std::string& room);
Result<std::vector<std::string>> resolveTerminalRef(SqliteDb& db, const std::string& ref);

}  // namespace xiaoan::collector
