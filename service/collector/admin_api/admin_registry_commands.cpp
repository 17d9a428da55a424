// The admin API's rooms, seat registry, compliance report and terminal references (issue 11).
#include <google/protobuf/util/time_util.h>

#include <map>
#include <set>

#include "common/policy/policy_rules.h"
#include "common/proto_json.h"
#include "service/collector/admin_api/admin_commands.h"
#include "service/collector/registry/compliance_report.h"
#include "service/collector/registry/registry_naming.h"
#include "service/collector/trust/policy_layers.h"

namespace xiaoan::collector {
namespace {

using google::protobuf::util::TimeUtil;

v1::RegistryEntry entryProto(const RegistryEntryRow& r) {
  v1::RegistryEntry p;
  p.set_school_id(r.school_id);
  p.set_room(r.entry.room);
  p.set_seat(r.entry.seat);
  p.set_owner(r.entry.owner);
  p.set_mac(r.entry.mac);
  p.set_ipv4(r.entry.ipv4);
  p.set_gateway(r.entry.gateway);
  for (const auto& d : r.entry.dns) p.add_dns(d);
  p.set_naming(r.entry.naming);
  p.set_revision(r.revision);
  p.set_terminal_id(r.terminal_id);
  p.set_claimants(r.claimants);
  return p;
}

RegistryContext contextOf(const RegistryKeys& keys, bool create_rooms) {
  RegistryContext ctx;
  ctx.rooms.insert(keys.rooms.begin(), keys.rooms.end());
  ctx.other_macs.insert(keys.other_macs.begin(), keys.other_macs.end());
  ctx.other_ips.insert(keys.other_ips.begin(), keys.other_ips.end());
  ctx.create_rooms = create_rooms;
  return ctx;
}

void addIssues(v1::RegistryImportReport& report, const std::vector<RegistryIssue>& issues) {
  for (const auto& i : issues) {
    auto* p = report.add_issues();
    p->set_line(static_cast<uint32_t>(i.line));
    p->set_column(i.column);
    p->set_message_zh(i.zh);
    p->set_message_en(i.en);
  }
}

// added / changed / removed against the stored entries.
void countChanges(v1::RegistryImportReport& report, const std::vector<RegistryEntry>& entries,
                  const std::vector<RegistryEntryRow>& stored) {
  std::map<std::string, const RegistryEntry*> old;
  for (const auto& r : stored) old.emplace(r.entry.mac, &r.entry);
  std::set<std::string> in_file;
  for (const auto& e : entries) {
    in_file.insert(e.mac);
    auto it = old.find(e.mac);
    if (it == old.end()) {
      report.set_added(report.added() + 1);
      continue;
    }
    RegistryEntry a = *it->second, b = e;
    a.line = b.line = 0;
    if (!(a == b)) report.set_changed(report.changed() + 1);
  }
  for (const auto& [mac, entry] : old) {
    if (in_file.count(mac) == 0) report.set_removed(report.removed() + 1);
  }
}

}  // namespace

Result<std::string> AdminCommands::listRooms(const ListRooms& cmd) {
  XIAOAN_ASSIGN_OR_RETURN(auto rows, store_.listRooms(cmd.school_id));
  v1::RoomList list;
  for (const auto& r : rows) {
    auto* p = list.add_rooms();
    p->set_school_id(r.school_id);
    p->set_name(r.name);
    *p->mutable_created_at() = TimeUtil::MillisecondsToTimestamp(r.created_at_ms);
    p->set_terminals(r.terminals);
    p->set_entries(r.entries);
    p->set_has_policy(r.has_policy);
  }
  return toCompactJson(list);
}

Result<std::string> AdminCommands::changeRoom(const AdminCommand& cmd, const std::string& admin) {
  v1::RoomRequest detail;
  if (const auto* add = std::get_if<AddRoom>(&cmd)) {
    detail.set_name(add->name);
    XIAOAN_RETURN_IF_ERROR(store_.addRoom(
        add->school_id, add->name, auditRow(nowMs(), admin, "room.add", add->school_id, detail)));
  } else if (const auto* rename = std::get_if<RenameRoom>(&cmd)) {
    detail.set_name(rename->to);
    XIAOAN_RETURN_IF_ERROR(store_.renameRoom(
        rename->school_id, rename->from, rename->to,
        auditRow(nowMs(), admin, "room.rename", rename->school_id + "/" + rename->from, detail)));
  } else if (const auto* del = std::get_if<DeleteRoom>(&cmd)) {
    detail.set_name(del->name);
    XIAOAN_RETURN_IF_ERROR(store_.deleteRoom(
        del->school_id, del->name,
        auditRow(nowMs(), admin, "room.delete", del->school_id + "/" + del->name, detail)));
  }
  return toCompactJson(detail);
}

Result<std::string> AdminCommands::importRegistry(const ImportRegistry& cmd,
                                                  const std::string& admin) {
  v1::RegistryImportReport report;
  report.set_dry_run(cmd.dry_run);
  XIAOAN_ASSIGN_OR_RETURN(RegistryKeys keys, store_.registryKeys(cmd.school_id));
  std::vector<RegistryIssue> fatal;
  auto parsed = parseRegistryCsv(cmd.csv, cmd.encoding, *codec_, &fatal);
  if (!parsed.isOk()) {
    addIssues(report, fatal);
    return toCompactJson(report);
  }
  report.set_encoding(parsed->encoding);
  report.set_rows(static_cast<uint32_t>(parsed->entries.size()));
  auto new_rooms = checkAgainstDatabase(*parsed, contextOf(keys, cmd.create_rooms));
  XIAOAN_RETURN_IF_ERROR(checkNames(cmd.school_id, *parsed));
  for (const auto& room : new_rooms) report.add_rooms_created(room);
  addIssues(report, parsed->issues);
  XIAOAN_ASSIGN_OR_RETURN(auto stored, store_.listRegistry(cmd.school_id, ""));
  countChanges(report, parsed->entries, stored);
  if (!parsed->issues.empty() || cmd.dry_run) return toCompactJson(report);
  v1::RegistryImportReport detail = report;  // the audit keeps the summary
  XIAOAN_RETURN_IF_ERROR(store_.replaceRegistry(
      cmd.school_id, parsed->entries, {new_rooms.begin(), new_rooms.end()}, nowMs(),
      auditRow(nowMs(), admin, "registry.import", cmd.school_id, detail)));
  report.set_written(true);
  return toCompactJson(report);
}

// The naming policies of the school and of each room of the file, for the collision check.
Status AdminCommands::checkNames(const std::string& school_id, ParsedRegistry& parsed) {
  XIAOAN_ASSIGN_OR_RETURN(auto schools, store_.listSchools());
  std::string abbr;
  for (const auto& s : schools) {
    if (s.id == school_id) abbr = s.abbr;
  }
  std::map<std::string, v1::NamingPolicy> by_room;
  std::set<std::string> rooms = {""};
  for (const auto& e : parsed.entries) rooms.insert(e.room);
  for (const auto& room : rooms) {
    TerminalPolicyLayers layers;
    for (const auto& [scope, id] :
         {std::pair{kScopeSchool, school_id}, std::pair{kScopeRoom, school_id + "/" + room}}) {
      if (scope == kScopeRoom && room.empty()) continue;
      XIAOAN_ASSIGN_OR_RETURN(auto layer, store_.findPolicyLayer(scope, id));
      if (layer) layers.layers.push_back(std::move(*layer));
    }
    XIAOAN_ASSIGN_OR_RETURN(auto resolved, resolvePolicy(v1::Policy(), layers));
    by_room[room] = resolved.policy.naming();
  }
  checkNameCollisions(parsed, by_room, abbr, *codec_);
  return Status::ok();
}

Result<AdminAnswer> AdminCommands::listRegistry(const ListRegistry& cmd) {
  XIAOAN_ASSIGN_OR_RETURN(auto rows, store_.listRegistry(cmd.school_id, cmd.room));
  if (cmd.csv) {
    std::vector<RegistryEntry> entries;
    for (const auto& r : rows) entries.push_back(r.entry);
    return AdminAnswer{exportRegistryCsv(entries), "text/csv; charset=utf-8"};
  }
  v1::RegistryEntryList list;
  for (const auto& r : rows) *list.add_entries() = entryProto(r);
  XIAOAN_ASSIGN_OR_RETURN(std::string json, toCompactJson(list));
  return AdminAnswer{std::move(json)};
}

// Check-in intervals per school and per room from the school and room layers (a terminal
// layer that changes the interval is not looked at: it would cost a merge per terminal).
Result<std::string> AdminCommands::compliance(const GetCompliance& cmd) {
  XIAOAN_ASSIGN_OR_RETURN(auto rows, store_.complianceRows(cmd.school_id, ""));
  ComplianceOptions options;
  options.now_ms = nowMs();
  options.room = cmd.room;
  options.default_interval_seconds = issuer_.defaults().agent().checkin_interval_seconds();
  for (const auto& r : rows) {
    std::string key = r.school_id + "/" + r.room;
    if (options.intervals.count(key) != 0) continue;
    TerminalPolicyLayers layers;
    layers.school_id = r.school_id;
    for (const auto& [scope, id] :
         {std::pair{kScopeSchool, r.school_id}, std::pair{kScopeRoom, key}}) {
      XIAOAN_ASSIGN_OR_RETURN(auto layer, store_.findPolicyLayer(scope, id));
      if (layer) layers.layers.push_back(std::move(*layer));
    }
    auto resolved = resolvePolicy(issuer_.defaults(), layers);
    if (resolved.isOk())
      options.intervals[key] = resolved->policy.agent().checkin_interval_seconds();
  }
  return toCompactJson(buildComplianceReport(rows, options));
}

Result<std::string> AdminCommands::resolveTerminal(const ResolveTerminal& cmd) {
  XIAOAN_ASSIGN_OR_RETURN(auto ids, store_.resolveTerminal(cmd.ref));
  v1::TerminalRef ref;
  ref.set_ref(cmd.ref);
  for (const auto& id : ids) ref.add_terminal_ids(id);
  return toCompactJson(ref);
}

}  // namespace xiaoan::collector
