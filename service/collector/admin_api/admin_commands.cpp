#include "service/collector/admin_api/admin_commands.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/time_util.h>

#include "common/proto_json.h"
#include "service/collector/trust/crypto_util.h"

namespace xiaoan::collector {
namespace {

using google::protobuf::util::TimeUtil;

constexpr size_t kTokenIdBytes = 8;
constexpr size_t kTokenSecretBytes = 32;
constexpr int kSilentIntervals = 3;

google::protobuf::Timestamp ts(int64_t ms) { return TimeUtil::MillisecondsToTimestamp(ms); }

v1::EnrollmentToken tokenProto(const TokenRow& t) {
  v1::EnrollmentToken p;
  p.set_id(t.id);
  p.set_school_id(t.school_id);
  if (t.expires_at_ms) *p.mutable_expires_at() = ts(*t.expires_at_ms);
  p.set_max_uses(t.max_uses);
  p.set_uses(t.uses);
  p.set_revoked(t.revoked);
  p.set_note(t.note);
  *p.mutable_created_at() = ts(t.created_at_ms);
  return p;
}

v1::StoredEvent eventProto(const StoredEventRow& e) {
  v1::StoredEvent p;
  p.set_id(static_cast<uint64_t>(e.id));
  p.set_agent_id(e.agent_id);
  p.set_terminal_id(e.terminal_id);
  p.set_school_id(e.school_id);
  p.set_stream(e.stream);
  p.set_epoch(e.epoch);
  p.set_seq(e.seq.value_or(0));
  p.set_type(e.type);
  *p.mutable_time() = ts(e.wall_time_ms);
  *p.mutable_received_at() = ts(e.received_at_ms);
  p.set_payload_json(e.payload_json.empty() ? "{}" : e.payload_json);
  return p;
}

}  // namespace

AuditRow auditRow(int64_t now, const std::string& admin, const char* action,
                  const std::string& target, const google::protobuf::Message& detail) {
  auto json = toCompactJson(detail);
  return AuditRow{now, admin, action, target, json.isOk() ? *json : "{}"};
}

int64_t AdminCommands::nowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch())
      .count();
}

Result<AdminAnswer> AdminCommands::run(AdminCommand command, const std::string& admin,
                                       std::vector<v1::RuleDiagnostic>* rule_errors) {
  struct Visitor {
    AdminCommands& self;
    const std::string& admin;
    std::vector<v1::RuleDiagnostic>* rule_errors;
    static Result<AdminAnswer> json(Result<std::string> body) {
      if (!body.isOk()) return body.status();
      return AdminAnswer{std::move(*body)};
    }
    Result<AdminAnswer> operator()(const ListSchools&) { return json(self.listSchools()); }
    Result<AdminAnswer> operator()(const AddSchool& c) { return json(self.addSchool(c, admin)); }
    Result<AdminAnswer> operator()(const CreateToken& c) {
      return json(self.createToken(c, admin));
    }
    Result<AdminAnswer> operator()(const ListTokens& c) { return json(self.listTokens(c)); }
    Result<AdminAnswer> operator()(const RevokeToken& c) {
      return json(self.revokeToken(c, admin));
    }
    Result<AdminAnswer> operator()(const ListTerminals& c) { return json(self.listTerminals(c)); }
    Result<AdminAnswer> operator()(const ListEvents& c) { return json(self.listEvents(c)); }
    Result<AdminAnswer> operator()(const GetPolicyLayer& c) { return json(self.getPolicyLayer(c)); }
    Result<AdminAnswer> operator()(const PutPolicyLayer& c) {
      return json(self.putPolicyLayer(c, admin));
    }
    Result<AdminAnswer> operator()(const DeletePolicyLayer& c) {
      return json(self.deletePolicyLayer(c, admin));
    }
    Result<AdminAnswer> operator()(const GetEffectivePolicy& c) {
      return json(self.getEffectivePolicy(c));
    }
    Result<AdminAnswer> operator()(const SetTerminalRoom& c) {
      return json(self.setTerminalRoom(c, admin));
    }
    Result<AdminAnswer> operator()(const ExportBundle& c) { return self.exportBundle(c, admin); }
    Result<AdminAnswer> operator()(PublishSignatures& c) {
      return json(self.publishSignatures(c, admin, rule_errors));
    }
    Result<AdminAnswer> operator()(const ListSignatures&) { return json(self.listSignatures()); }
    Result<AdminAnswer> operator()(const ListDetections& c) { return json(self.listDetections(c)); }
    Result<AdminAnswer> operator()(const SetReenrollPolicy& c) {
      return json(self.setReenrollPolicy(c, admin));
    }
    Result<AdminAnswer> operator()(const ListPendingEnrollments& c) {
      return json(self.listPendingEnrollments(c));
    }
    Result<AdminAnswer> operator()(const ApprovePendingEnrollment& c) {
      return json(self.approvePendingEnrollment(c, admin));
    }
    Result<AdminAnswer> operator()(const ListRooms& c) { return json(self.listRooms(c)); }
    Result<AdminAnswer> operator()(const AddRoom& c) { return json(self.changeRoom(c, admin)); }
    Result<AdminAnswer> operator()(const RenameRoom& c) { return json(self.changeRoom(c, admin)); }
    Result<AdminAnswer> operator()(const DeleteRoom& c) { return json(self.changeRoom(c, admin)); }
    Result<AdminAnswer> operator()(const ImportRegistry& c) {
      return json(self.importRegistry(c, admin));
    }
    Result<AdminAnswer> operator()(const ListRegistry& c) { return self.listRegistry(c); }
    Result<AdminAnswer> operator()(const GetCompliance& c) { return json(self.compliance(c)); }
    Result<AdminAnswer> operator()(const ResolveTerminal& c) {
      return json(self.resolveTerminal(c));
    }
    Result<AdminAnswer> operator()(const SearchVisits& c) { return json(self.searchVisits(c)); }
    Result<AdminAnswer> operator()(const ListSessions& c) { return json(self.listSessions(c)); }
    Result<AdminAnswer> operator()(const ListAlerts& c) { return json(self.listAlerts(c)); }
  };
  return std::visit(Visitor{*this, admin, rule_errors}, command);
}

Result<std::string> AdminCommands::listSchools() {
  XIAOAN_ASSIGN_OR_RETURN(auto rows, store_.listSchools());
  v1::SchoolList list;
  for (const auto& r : rows) {
    auto* s = list.add_schools();
    s->set_id(r.id);
    s->set_name(r.name);
    s->set_abbr(r.abbr);
    *s->mutable_created_at() = ts(r.created_at_ms);
    s->set_reenroll_policy(toProtoReenrollPolicy(r.reenroll_policy));
  }
  return toCompactJson(list);
}

Result<std::string> AdminCommands::addSchool(const AddSchool& cmd, const std::string& admin) {
  int64_t now = nowMs();
  SchoolRow row{cmd.school.id(), cmd.school.name(), cmd.school.abbr(), now,
                toStoreReenrollPolicy(cmd.school.reenroll_policy())};
  v1::School out = cmd.school;
  out.set_reenroll_policy(toProtoReenrollPolicy(row.reenroll_policy));
  *out.mutable_created_at() = ts(now);
  XIAOAN_RETURN_IF_ERROR(store_.addSchool(row, auditRow(now, admin, "school.add", row.id, out)));
  return toCompactJson(out);
}

Result<std::string> AdminCommands::createToken(const CreateToken& cmd, const std::string& admin) {
  int64_t now = nowMs();
  const auto& req = cmd.request;
  TokenRow row;
  XIAOAN_ASSIGN_OR_RETURN(row.id, randomHexId(kTokenIdBytes));
  XIAOAN_ASSIGN_OR_RETURN(std::string secret, randomHexId(kTokenSecretBytes));
  row.secret_sha256_hex = sha256Hex(secret);
  row.school_id = req.school_id();
  if (req.ttl_seconds() > 0)
    row.expires_at_ms = now + static_cast<int64_t>(req.ttl_seconds()) * 1000;
  row.max_uses = req.max_uses();
  row.note = req.note();
  row.created_at_ms = now;
  v1::EnrollmentToken out = tokenProto(row);
  // The audit record never contains the secret.
  XIAOAN_RETURN_IF_ERROR(store_.addToken(row, auditRow(now, admin, "token.create", row.id, out)));
  out.set_secret(row.id + "." + secret);
  return toCompactJson(out);
}

Result<std::string> AdminCommands::listTokens(const ListTokens& cmd) {
  XIAOAN_ASSIGN_OR_RETURN(auto rows, store_.listTokens(cmd.school_id));
  v1::TokenList list;
  for (const auto& r : rows) *list.add_tokens() = tokenProto(r);
  return toCompactJson(list);
}

Result<std::string> AdminCommands::revokeToken(const RevokeToken& cmd, const std::string& admin) {
  google::protobuf::Struct detail;
  (*detail.mutable_fields())["token_id"].set_string_value(cmd.token_id);
  XIAOAN_ASSIGN_OR_RETURN(
      auto row, store_.revokeToken(cmd.token_id,
                                   auditRow(nowMs(), admin, "token.revoke", cmd.token_id, detail)));
  return toCompactJson(tokenProto(row));
}

Result<std::string> AdminCommands::listTerminals(const ListTerminals& cmd) {
  XIAOAN_ASSIGN_OR_RETURN(auto rows, store_.listTerminals(cmd.school_id));
  int64_t now = nowMs();
  v1::TerminalList list;
  for (const auto& r : rows) {
    auto* t = list.add_terminals();
    t->set_id(r.id);
    t->set_school_id(r.school_id);
    t->set_hostname(r.hostname);
    for (const auto& m : r.macs) t->add_macs(m);
    for (const auto& a : r.ipv4) t->add_ipv4(a);
    t->set_agent_id(r.agent_id);
    t->set_agent_version(r.agent_version);
    if (r.enrolled_at_ms) *t->mutable_enrolled_at() = ts(*r.enrolled_at_ms);
    if (r.last_checkin_ms) *t->mutable_last_checkin() = ts(*r.last_checkin_ms);
    t->set_events_stored(r.events_stored);
    t->set_os_version(r.os_version);
    t->set_policy_version(r.policy_version);
    t->set_spool_pending(r.spool_pending);
    t->set_room(r.room);
    t->set_signatures_version(r.signatures_version);
    if (r.last_full_scan_ms) *t->mutable_last_full_scan() = ts(*r.last_full_scan_ms);
    // Never checked in: silent once the enrollment is that old.
    int64_t silent_after = int64_t{kSilentIntervals} * checkinIntervalOf(r.id) * 1000;
    int64_t last = r.last_checkin_ms.value_or(r.enrolled_at_ms.value_or(0));
    t->set_silent(now - last > silent_after);
  }
  return toCompactJson(list);
}

Result<std::string> AdminCommands::listEvents(const ListEvents& cmd) {
  XIAOAN_ASSIGN_OR_RETURN(auto rows, store_.listEvents(cmd.query));
  v1::EventList list;
  for (const auto& r : rows) *list.add_events() = eventProto(r);
  return toCompactJson(list);
}

}  // namespace xiaoan::collector
