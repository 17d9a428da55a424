// Matching terminals to registry entries, stored compliance and terminal references
// (issue 11): see sqlite_registry.h.
#include <algorithm>
#include <map>

#include "service/collector/registry/registry_csv.h"
#include "service/collector/store/sqlite_registry.h"

namespace xiaoan::collector {
namespace {

std::vector<int> splitInts(const std::string& text) {
  std::vector<int> out;
  for (const auto& s : splitList(text)) out.push_back(std::atoi(s.c_str()));
  return out;
}

// The room of the school's entry `mac`, nullopt when the school has no such entry.
Result<std::optional<std::string>> entryRoomOf(SqliteDb& db, const std::string& mac,
                                               const std::string& school_id) {
  XIAOAN_ASSIGN_OR_RETURN(
      auto st, db.prepare("SELECT room FROM registry_entries WHERE mac = ?1 AND school_id = ?2"));
  st->bind(1, mac).bind(2, school_id);
  XIAOAN_ASSIGN_OR_RETURN(bool row, st->step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(st->columnText(0));
}

// The holder of the entry `mac`: the terminal that claimed it first.
Result<std::string> holderOf(SqliteDb& db, const std::string& mac) {
  XIAOAN_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT id FROM terminals WHERE registry_mac = ?1 "
                                              "ORDER BY registry_since, id LIMIT 1"));
  st->bind(1, mac);
  XIAOAN_ASSIGN_OR_RETURN(bool row, st->step());
  return row ? st->columnText(0) : std::string();
}

Result<std::vector<std::string>> idsFrom(SqliteDb& db, const std::string& sql,
                                         const std::vector<std::string>& params) {
  XIAOAN_ASSIGN_OR_RETURN(auto st, db.prepare(sql));
  for (size_t i = 0; i < params.size(); ++i) st->bind(static_cast<int>(i + 1), params[i]);
  std::vector<std::string> out;
  for (;;) {
    XIAOAN_ASSIGN_OR_RETURN(bool row, st->step());
    if (!row) break;
    out.push_back(st->columnText(0));
  }
  return out;
}

}  // namespace

Status matchTerminal(SqliteDb& db, const std::string& terminal_id, const std::string& school_id,
                     const std::vector<std::string>& permanent_macs,
                     const std::vector<std::string>& macs, int64_t now_ms) {
  std::string match;
  std::optional<std::string> room;
  for (const auto* list : {&permanent_macs, &macs}) {
    for (const auto& mac : *list) {
      if (!match.empty()) break;
      XIAOAN_ASSIGN_OR_RETURN(auto found, entryRoomOf(db, mac, school_id));
      if (found) {
        match = mac;
        room = found;
      }
    }
  }
  XIAOAN_ASSIGN_OR_RETURN(
      auto current, idsFrom(db, "SELECT registry_mac FROM terminals WHERE id = ?1", {terminal_id}));
  if (current.empty() || current[0] == match) return Status::ok();
  XIAOAN_ASSIGN_OR_RETURN(
      auto st, db.prepare("UPDATE terminals SET registry_mac = ?2, registry_since = ?3, "
                          "room = CASE WHEN ?4 <> '' THEN ?4 ELSE room END WHERE id = ?1"));
  st->bind(1, terminal_id).bind(2, match).bind(4, room.value_or(""));
  if (match.empty()) {
    st->bindNull(3);
  } else {
    st->bind(3, now_ms);
  }
  return st->run();
}

Status rematchSchool(SqliteDb& db, const std::string& school_id, int64_t now_ms) {
  XIAOAN_ASSIGN_OR_RETURN(
      auto st, db.prepare("SELECT id, permanent_macs, macs FROM terminals WHERE school_id = ?1"));
  st->bind(1, school_id);
  struct Row {
    std::string id, permanent, macs;
  };
  std::vector<Row> rows;
  for (;;) {
    XIAOAN_ASSIGN_OR_RETURN(bool row, st->step());
    if (!row) break;
    rows.push_back({st->columnText(0), st->columnText(1), st->columnText(2)});
  }
  for (const auto& r : rows) {
    XIAOAN_RETURN_IF_ERROR(
        matchTerminal(db, r.id, school_id, splitList(r.permanent), splitList(r.macs), now_ms));
  }
  return Status::ok();
}

Status readTerminalRegistry(SqliteDb& db, TerminalPolicyLayers& layers) {
  XIAOAN_ASSIGN_OR_RETURN(
      auto st, db.prepare("SELECT t.registry_mac, s.abbr FROM terminals t JOIN schools s ON "
                          "s.id = t.school_id WHERE t.id = ?1"));
  st->bind(1, layers.terminal_id);
  XIAOAN_ASSIGN_OR_RETURN(bool row, st->step());
  if (!row) return Status::ok();
  std::string mac = st->columnText(0);
  layers.school_abbr = st->columnText(1);
  if (mac.empty()) return Status::ok();
  XIAOAN_ASSIGN_OR_RETURN(std::string holder, holderOf(db, mac));
  if (holder != layers.terminal_id) return Status::ok();  // a conflict: the first claimant wins
  XIAOAN_ASSIGN_OR_RETURN(auto entry, db.prepare(std::string("SELECT ") + kRegistryEntryColumns +
                                                 " FROM registry_entries e WHERE e.mac = ?1"));
  entry->bind(1, mac);
  XIAOAN_ASSIGN_OR_RETURN(bool found, entry->step());
  if (found) {
    layers.registry = registryRowFrom(*entry, 0);
    layers.registry->terminal_id = layers.terminal_id;
  }
  return Status::ok();
}

Status writeCompliance(SqliteDb& db, const std::string& terminal_id, const ComplianceUpdate& u,
                       int64_t now_ms) {
  std::vector<std::string> kinds;
  for (int k : u.kinds) kinds.push_back(std::to_string(k));
  XIAOAN_ASSIGN_OR_RETURN(
      auto st, db.prepare("INSERT OR REPLACE INTO terminal_compliance(terminal_id, state, kinds, "
                          "status, updated_at) VALUES(?1, ?2, ?3, ?4, ?5)"));
  st->bind(1, terminal_id)
      .bind(2, static_cast<int64_t>(u.state))
      .bind(3, joinList(kinds))
      .bindBlob(4, u.status)
      .bind(5, now_ms);
  return st->run();
}

Result<std::vector<ComplianceRow>> readComplianceRows(SqliteDb& db, const std::string& school_id,
                                                      const std::string& room) {
  XIAOAN_ASSIGN_OR_RETURN(
      auto st,
      db.prepare(std::string("SELECT t.id, t.school_id, t.room, t.hostname, t.macs, t.ipv4, "
                             "t.last_checkin, t.enrolled_at, c.status, c.state, c.kinds, "
                             "t.registry_mac, t.registry_since, ") +
                 kRegistryEntryColumns +
                 " FROM terminals t LEFT JOIN terminal_compliance c ON c.terminal_id = t.id "
                 "LEFT JOIN registry_entries e ON e.mac = t.registry_mac AND t.registry_mac <> '' "
                 "WHERE (?1 = '' OR t.school_id = ?1) AND (?2 = '' OR t.room = ?2) "
                 "ORDER BY t.school_id, t.room, e.seat, t.hostname, t.id"));
  st->bind(1, school_id).bind(2, room);
  std::vector<ComplianceRow> out;
  std::map<std::string, std::pair<int64_t, std::string>> first_claim;  // mac -> (since, id)
  for (;;) {
    XIAOAN_ASSIGN_OR_RETURN(bool row, st->step());
    if (!row) break;
    ComplianceRow r;
    r.terminal_id = st->columnText(0);
    r.school_id = st->columnText(1);
    r.room = st->columnText(2);
    r.hostname = st->columnText(3);
    r.macs = splitList(st->columnText(4));
    r.ipv4 = splitList(st->columnText(5));
    r.last_checkin_ms = st->columnOptionalInt64(6);
    r.enrolled_at_ms = st->columnOptionalInt64(7);
    r.status = st->columnIsNull(8) ? "" : st->columnBlob(8);
    r.state = static_cast<int>(st->columnInt64(9));
    r.kinds = splitInts(st->columnText(10));
    std::string mac = st->columnText(11);
    if (!mac.empty() && !st->columnIsNull(13)) {
      r.entry = registryRowFrom(*st, 13).entry;
      auto claim = std::make_pair(st->columnInt64(12), r.terminal_id);
      auto [it, fresh] = first_claim.emplace(mac, claim);
      if (!fresh && claim < it->second) it->second = claim;
    }
    out.push_back(std::move(r));
  }
  for (auto& r : out) {
    auto it = first_claim.find(r.entry.mac);
    r.holder = it != first_claim.end() && it->second.second == r.terminal_id;
  }
  return out;
}

Result<std::vector<std::string>> resolveTerminalRef(SqliteDb& db, const std::string& ref) {
  XIAOAN_ASSIGN_OR_RETURN(auto by_id, idsFrom(db, "SELECT id FROM terminals WHERE id = ?1", {ref}));
  if (!by_id.empty()) return by_id;
  size_t first = ref.find('/');
  if (first != std::string::npos) {
    std::string school = ref.substr(0, first);
    std::string rest = ref.substr(first + 1);
    size_t last = rest.rfind('/');
    std::string mac_sql = "SELECT mac FROM registry_entries WHERE school_id = ?1 AND ";
    std::vector<std::string> macs;
    if (last != std::string::npos) {  // school/room/seat
      XIAOAN_ASSIGN_OR_RETURN(
          macs, idsFrom(db,
                        mac_sql + "replace(replace(room, ' ', ''), '\u3000', '') = ?2 AND "
                                  "CAST(seat AS TEXT) = ltrim(?3, '0')",
                        {school, roomKey(rest.substr(0, last)), rest.substr(last + 1)}));
    } else {  // school/owner
      XIAOAN_ASSIGN_OR_RETURN(macs, idsFrom(db, mac_sql + "owner = ?2", {school, rest}));
    }
    std::vector<std::string> out;
    for (const auto& mac : macs) {
      XIAOAN_ASSIGN_OR_RETURN(std::string holder, holderOf(db, mac));
      if (!holder.empty()) out.push_back(holder);
    }
    return out;
  }
  return idsFrom(db, "SELECT id FROM terminals WHERE hostname = ?1 COLLATE NOCASE ORDER BY id",
                 {ref});
}

}  // namespace xiaoan::collector
