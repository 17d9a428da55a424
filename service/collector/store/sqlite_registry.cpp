// Rooms and the seat registry (issue 11): see sqlite_registry.h.
#include "service/collector/store/sqlite_registry.h"

#include <map>
#include <tuple>

#include "service/collector/registry/registry_csv.h"

namespace xiaoan::collector {
namespace {

std::string joinDns(const std::vector<std::string>& dns) { return joinList(dns); }

auto contentOf(const RegistryEntry& e) {
  return std::tie(e.room, e.seat, e.owner, e.ipv4, e.gateway, e.dns, e.naming);
}

}  // namespace

RegistryEntryRow registryRowFrom(const SqliteStatement& st, int first) {
  RegistryEntryRow r;
  r.school_id = st.columnText(first);
  r.entry.room = st.columnText(first + 1);
  r.entry.seat = static_cast<uint32_t>(st.columnInt64(first + 2));
  r.entry.owner = st.columnText(first + 3);
  r.entry.mac = st.columnText(first + 4);
  r.entry.ipv4 = st.columnText(first + 5);
  r.entry.gateway = st.columnText(first + 6);
  r.entry.dns = splitList(st.columnText(first + 7));
  r.entry.naming = st.columnText(first + 8);
  r.entry.line = static_cast<int>(st.columnInt64(first + 9));
  r.revision = static_cast<uint64_t>(st.columnInt64(first + 10));
  r.updated_at_ms = st.columnInt64(first + 11);
  return r;
}

Result<std::vector<RoomRow>> readRooms(SqliteDb& db, const std::string& school_id) {
  XIAOAN_ASSIGN_OR_RETURN(
      auto st,
      db.prepare("SELECT r.school_id, r.name, r.created_at, "
                 "(SELECT count(*) FROM terminals t WHERE t.school_id = r.school_id AND "
                 "t.room = r.name), "
                 "(SELECT count(*) FROM registry_entries e WHERE e.school_id = r.school_id AND "
                 "e.room = r.name), "
                 "EXISTS(SELECT 1 FROM policy_layers p WHERE p.scope = 'room' AND "
                 "p.id = r.school_id || '/' || r.name) "
                 "FROM rooms r WHERE ?1 = '' OR r.school_id = ?1 ORDER BY r.school_id, r.name"));
  st->bind(1, school_id);
  std::vector<RoomRow> out;
  for (;;) {
    XIAOAN_ASSIGN_OR_RETURN(bool row, st->step());
    if (!row) break;
    out.push_back({st->columnText(0), st->columnText(1), st->columnInt64(2),
                   static_cast<uint32_t>(st->columnInt64(3)),
                   static_cast<uint32_t>(st->columnInt64(4)), st->columnInt64(5) != 0});
  }
  return out;
}

Result<std::optional<std::string>> findRoom(SqliteDb& db, const std::string& school_id,
                                            const std::string& name) {
  XIAOAN_ASSIGN_OR_RETURN(
      auto st, db.prepare("SELECT name FROM rooms WHERE school_id = ?1 AND name_key = ?2"));
  st->bind(1, school_id).bind(2, roomKey(name));
  XIAOAN_ASSIGN_OR_RETURN(bool row, st->step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(st->columnText(0));
}

Status insertRoom(SqliteDb& db, const std::string& school_id, const std::string& name,
                  bool reuse_same, int64_t now_ms) {
  XIAOAN_ASSIGN_OR_RETURN(auto existing, findRoom(db, school_id, name));
  if (existing) {
    if (reuse_same && *existing == name) return Status::ok();
    return Status(ErrorCode::kExists,
                  *existing == name ? "room \"" + name + "\" exists"
                                    : "room \"" + name + "\" differs from the existing room \"" +
                                          *existing + "\" only by blanks");
  }
  XIAOAN_ASSIGN_OR_RETURN(auto st, db.prepare("INSERT INTO rooms(school_id, name_key, name, "
                                              "created_at) VALUES(?1, ?2, ?3, ?4)"));
  st->bind(1, school_id).bind(2, roomKey(name)).bind(3, name).bind(4, now_ms);
  return st->run();
}

Status renameRoomRows(SqliteDb& db, const std::string& school_id, const std::string& from,
                      const std::string& to) {
  XIAOAN_ASSIGN_OR_RETURN(auto old_name, findRoom(db, school_id, from));
  if (!old_name || *old_name != from) {
    return Status(ErrorCode::kNotFound, "room \"" + from + "\" not found");
  }
  XIAOAN_ASSIGN_OR_RETURN(auto clash, findRoom(db, school_id, to));
  if (clash && roomKey(to) != roomKey(from)) {
    return Status(ErrorCode::kExists, "room \"" + *clash + "\" exists (same name up to blanks)");
  }
  {
    XIAOAN_ASSIGN_OR_RETURN(
        auto st, db.prepare("UPDATE rooms SET name = ?3, name_key = ?4 WHERE school_id = ?1 AND "
                            "name = ?2"));
    st->bind(1, school_id).bind(2, from).bind(3, to).bind(4, roomKey(to));
    XIAOAN_RETURN_IF_ERROR(st->run());
  }
  for (const char* sql :
       {"UPDATE terminals SET room = ?3 WHERE school_id = ?1 AND room = ?2",
        "UPDATE registry_entries SET room = ?3, revision = revision + 1 WHERE school_id = ?1 AND "
        "room = ?2",
        "UPDATE policy_layers SET id = ?1 || '/' || ?3, revision = revision + 1 WHERE "
        "scope = 'room' AND id = ?1 || '/' || ?2"}) {
    XIAOAN_ASSIGN_OR_RETURN(auto st, db.prepare(sql));
    st->bind(1, school_id).bind(2, from).bind(3, to);
    XIAOAN_RETURN_IF_ERROR(st->run());
  }
  return Status::ok();
}

Status deleteRoomRows(SqliteDb& db, const std::string& school_id, const std::string& name) {
  XIAOAN_ASSIGN_OR_RETURN(auto rooms, readRooms(db, school_id));
  for (const auto& r : rooms) {
    if (r.name != name) continue;
    if (r.terminals > 0 || r.entries > 0) {
      return Status(ErrorCode::kInvalidArgument,
                    "room \"" + name + "\" is not empty: " + std::to_string(r.terminals) +
                        " terminals and " + std::to_string(r.entries) + " registry entries");
    }
    for (const char* sql : {"DELETE FROM rooms WHERE school_id = ?1 AND name = ?2",
                            "DELETE FROM policy_layers WHERE scope = 'room' AND "
                            "id = ?1 || '/' || ?2"}) {
      XIAOAN_ASSIGN_OR_RETURN(auto st, db.prepare(sql));
      st->bind(1, school_id).bind(2, name);
      XIAOAN_RETURN_IF_ERROR(st->run());
    }
    return Status::ok();
  }
  return Status(ErrorCode::kNotFound, "room \"" + name + "\" not found");
}

Result<RegistryKeys> readRegistryKeys(SqliteDb& db, const std::string& school_id) {
  RegistryKeys out;
  XIAOAN_ASSIGN_OR_RETURN(auto rooms,
                          db.prepare("SELECT name_key, name FROM rooms WHERE school_id = ?1"));
  rooms->bind(1, school_id);
  for (;;) {
    XIAOAN_ASSIGN_OR_RETURN(bool row, rooms->step());
    if (!row) break;
    out.rooms.emplace_back(rooms->columnText(0), rooms->columnText(1));
  }
  XIAOAN_ASSIGN_OR_RETURN(
      auto others,
      db.prepare("SELECT mac, ip, school_id FROM registry_entries WHERE school_id <> ?1"));
  others->bind(1, school_id);
  for (;;) {
    XIAOAN_ASSIGN_OR_RETURN(bool row, others->step());
    if (!row) break;
    out.other_macs.emplace_back(others->columnText(0), others->columnText(2));
    out.other_ips.emplace_back(others->columnText(1), others->columnText(2));
  }
  return out;
}

Status writeRegistry(SqliteDb& db, const std::string& school_id,
                     const std::vector<RegistryEntry>& entries, int64_t now_ms) {
  // Old entries by MAC, so that an unchanged entry keeps its revision (and its terminals'
  // policies their version); then the school's table is replaced as a whole, which also lets
  // an import swap two PCs' addresses.
  XIAOAN_ASSIGN_OR_RETURN(auto old_rows, readRegistry(db, school_id, ""));
  std::map<std::string, RegistryEntryRow> old;
  for (auto& r : old_rows) old.emplace(r.entry.mac, std::move(r));
  XIAOAN_ASSIGN_OR_RETURN(auto del,
                          db.prepare("DELETE FROM registry_entries WHERE school_id = ?1"));
  del->bind(1, school_id);
  XIAOAN_RETURN_IF_ERROR(del->run());
  XIAOAN_ASSIGN_OR_RETURN(
      auto ins, db.prepare("INSERT INTO registry_entries(mac, school_id, room, seat, owner, ipv4, "
                           "ip, gateway, dns, naming, line, revision, updated_at) "
                           "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"));
  for (const auto& e : entries) {
    uint64_t revision = 1;
    int64_t updated = now_ms;
    if (auto it = old.find(e.mac); it != old.end()) {
      bool same = contentOf(it->second.entry) == contentOf(e);
      revision = it->second.revision + (same ? 0 : 1);
      updated = same ? it->second.updated_at_ms : now_ms;
    }
    ins->reset();
    ins->bind(1, e.mac)
        .bind(2, school_id)
        .bind(3, e.room)
        .bind(4, static_cast<int64_t>(e.seat))
        .bind(5, e.owner)
        .bind(6, e.ipv4)
        .bind(7, e.ipv4.substr(0, e.ipv4.find('/')))
        .bind(8, e.gateway)
        .bind(9, joinDns(e.dns))
        .bind(10, e.naming)
        .bind(11, static_cast<int64_t>(e.line))
        .bind(12, static_cast<int64_t>(revision))
        .bind(13, updated);
    XIAOAN_RETURN_IF_ERROR(ins->run());
  }
  return Status::ok();
}

Result<std::vector<RegistryEntryRow>> readRegistry(SqliteDb& db, const std::string& school_id,
                                                   const std::string& room) {
  XIAOAN_ASSIGN_OR_RETURN(
      auto st, db.prepare(std::string("SELECT ") + kRegistryEntryColumns +
                          ", (SELECT t.id FROM terminals t WHERE t.registry_mac = e.mac "
                          "ORDER BY t.registry_since, t.id LIMIT 1), "
                          "(SELECT count(*) FROM terminals t WHERE t.registry_mac = e.mac) "
                          "FROM registry_entries e WHERE e.school_id = ?1 AND (?2 = '' OR "
                          "replace(replace(e.room, ' ', ''), '\u3000', '') = ?2) "
                          "ORDER BY e.room, e.seat, e.owner, e.mac"));
  st->bind(1, school_id).bind(2, roomKey(room));
  std::vector<RegistryEntryRow> out;
  for (;;) {
    XIAOAN_ASSIGN_OR_RETURN(bool row, st->step());
    if (!row) break;
    RegistryEntryRow r = registryRowFrom(*st, 0);
    r.terminal_id = st->columnIsNull(12) ? "" : st->columnText(12);
    r.claimants = static_cast<uint32_t>(st->columnInt64(13));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace xiaoan::collector
