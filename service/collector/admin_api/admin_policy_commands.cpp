// The admin API's policy layers, room assignment, effective policy and offline bundles.
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/time_util.h>

#include "common/proto_json.h"
#include "common/trust/metadata.h"
#include "platform/file_util.h"
#include "service/collector/admin_api/admin_commands.h"
#include "xiaoan/v1/trust.pb.h"

namespace xiaoan::collector {
namespace {

using google::protobuf::util::TimeUtil;

constexpr const char* kBundleFormat = "xiaoan-bundle-v1";
constexpr const char* kProtobufType = "application/x-protobuf";
// What `xiaoanctl apply-bundle` reads at most (agent/content/offline_bundle.h): a bundle that
// a terminal would refuse is not produced.
constexpr size_t kMaxOfflineBundleBytes = size_t{64} * 1024 * 1024;

Result<v1::PolicyLayer> layerProto(const PolicyLayerRow& row) {
  v1::PolicyLayer out;
  auto scope = scopeFromName(row.scope);
  if (!scope || !out.mutable_policy()->ParseFromString(row.policy)) {
    return Status(ErrorCode::kDatabase, "stored policy layer " + row.id + " is unreadable");
  }
  out.set_scope(*scope);
  out.set_id(row.id);
  out.set_revision(row.revision);
  *out.mutable_updated_at() = TimeUtil::MillisecondsToTimestamp(row.updated_at_ms);
  out.set_updated_by(row.updated_by);
  return out;
}

std::string layerTarget(v1::PolicyScope scope, const std::string& id) {
  return scopeName(scope) + "/" + id;
}

google::protobuf::Struct roomDetail(const std::string& terminal_id, const std::string& room) {
  google::protobuf::Struct detail;
  (*detail.mutable_fields())["terminal_id"].set_string_value(terminal_id);
  (*detail.mutable_fields())["room"].set_string_value(room);
  return detail;
}

}  // namespace

Result<std::string> AdminCommands::getPolicyLayer(const GetPolicyLayer& cmd) {
  XIAOAN_ASSIGN_OR_RETURN(auto row, store_.findPolicyLayer(scopeName(cmd.scope), cmd.id));
  if (!row) {
    return Status(ErrorCode::kNotFound, "no policy layer " + layerTarget(cmd.scope, cmd.id));
  }
  XIAOAN_ASSIGN_OR_RETURN(v1::PolicyLayer layer, layerProto(*row));
  return toCompactJson(layer);
}

Result<std::string> AdminCommands::putPolicyLayer(const PutPolicyLayer& cmd,
                                                  const std::string& admin) {
  int64_t now = nowMs();
  PolicyLayerRow row{
      scopeName(cmd.scope), cmd.id, trust::serializeDeterministic(cmd.policy), 0, now, admin};
  v1::PolicyLayer detail;
  detail.set_scope(cmd.scope);
  detail.set_id(cmd.id);
  *detail.mutable_policy() = cmd.policy;
  XIAOAN_ASSIGN_OR_RETURN(
      auto stored, store_.putPolicyLayer(row, auditRow(now, admin, "policy.put",
                                                       layerTarget(cmd.scope, cmd.id), detail)));
  XIAOAN_ASSIGN_OR_RETURN(v1::PolicyLayer layer, layerProto(stored));
  return toCompactJson(layer);
}

Result<std::string> AdminCommands::deletePolicyLayer(const DeletePolicyLayer& cmd,
                                                     const std::string& admin) {
  XIAOAN_ASSIGN_OR_RETURN(auto row, store_.findPolicyLayer(scopeName(cmd.scope), cmd.id));
  if (!row) {
    return Status(ErrorCode::kNotFound, "no policy layer " + layerTarget(cmd.scope, cmd.id));
  }
  // The audit record keeps what was deleted.
  XIAOAN_ASSIGN_OR_RETURN(v1::PolicyLayer layer, layerProto(*row));
  std::string target = layerTarget(cmd.scope, cmd.id);
  XIAOAN_RETURN_IF_ERROR(store_.deletePolicyLayer(
      row->scope, row->id, auditRow(nowMs(), admin, "policy.delete", target, layer)));
  return toCompactJson(layer);
}

Result<std::string> AdminCommands::getEffectivePolicy(const GetEffectivePolicy& cmd) {
  XIAOAN_ASSIGN_OR_RETURN(auto layers, store_.terminalPolicyLayers(cmd.terminal_id));
  if (!layers) return Status(ErrorCode::kNotFound, "terminal " + cmd.terminal_id + " not found");
  XIAOAN_ASSIGN_OR_RETURN(ResolvedPolicy resolved, resolvePolicy(issuer_.defaults(), *layers));
  v1::EffectivePolicy out;
  out.set_terminal_id(cmd.terminal_id);
  *out.mutable_policy() = std::move(resolved.policy);
  for (auto& s : resolved.sources) *out.add_sources() = std::move(s);
  if (!layers->agent_id.empty()) {
    XIAOAN_ASSIGN_OR_RETURN(auto issued, store_.findIssuedContent(layers->agent_id));
    if (issued) out.set_issued_version(issued->policy_version);
  }
  return toCompactJson(out);
}

Result<std::string> AdminCommands::setTerminalRoom(const SetTerminalRoom& cmd,
                                                   const std::string& admin) {
  google::protobuf::Struct detail = roomDetail(cmd.terminal_id, cmd.room);
  XIAOAN_RETURN_IF_ERROR(
      store_.setTerminalRoom(cmd.terminal_id, cmd.room,
                             auditRow(nowMs(), admin, "terminal.room", cmd.terminal_id, detail)));
  v1::Terminal out;
  out.set_id(cmd.terminal_id);
  out.set_room(cmd.room);
  return toCompactJson(out);
}

uint32_t AdminCommands::checkinIntervalOf(const std::string& terminal_id) {
  uint32_t fallback = issuer_.defaults().agent().checkin_interval_seconds();
  auto layers = store_.terminalPolicyLayers(terminal_id);
  if (!layers.isOk() || !*layers) return fallback;
  auto resolved = resolvePolicy(issuer_.defaults(), **layers);
  return resolved.isOk() ? resolved->policy.agent().checkin_interval_seconds() : fallback;
}

// Issues (or re-uses) the terminal's current metadata, exactly as a check-in would, and packs
// it with the root chain from version 1 and the artifacts it names.
Result<AdminAnswer> AdminCommands::exportBundle(const ExportBundle& cmd, const std::string& admin) {
  if (!issuer_.hasKeys()) {
    return Status(ErrorCode::kTrustRootMissing,
                  "no content keys imported on the collector (xiaoan-collector keys import)");
  }
  XIAOAN_ASSIGN_OR_RETURN(auto layers, store_.terminalPolicyLayers(cmd.terminal_id));
  if (!layers || layers->agent_id.empty()) {
    return Status(ErrorCode::kNotFound, "terminal " + cmd.terminal_id + " has no enrolled agent");
  }
  v1::OfflineBundle bundle;
  bundle.set_format(kBundleFormat);
  *bundle.mutable_created_at() = TimeUtil::MillisecondsToTimestamp(nowMs());
  auto* entry = bundle.add_entries();
  entry->set_agent_id(layers->agent_id);
  {
    XIAOAN_ASSIGN_OR_RETURN(auto txn, store_.beginWrite());
    XIAOAN_ASSIGN_OR_RETURN(AgentContent content,
                            issuer_.issue(*txn, layers->agent_id, cmd.terminal_id, 0));
    google::protobuf::Struct detail;
    (*detail.mutable_fields())["agent_id"].set_string_value(layers->agent_id);
    (*detail.mutable_fields())["policy_version"].set_number_value(
        static_cast<double>(content.policy_version));
    auto audit = auditRow(nowMs(), admin, "bundle.export", cmd.terminal_id, detail);
    XIAOAN_RETURN_IF_ERROR(txn->recordAudit(audit));
    XIAOAN_RETURN_IF_ERROR(txn->commit());
    *entry->mutable_update() = std::move(*content.trust);
    for (const auto& sha : content.artifacts) {
      auto* artifact = bundle.add_artifacts();
      artifact->set_sha256(sha);
      XIAOAN_ASSIGN_OR_RETURN(*artifact->mutable_data(),
                              artifacts_.read(toHex(sha), trust::kMaxArtifactBytes));
    }
  }
  std::string bytes = bundle.SerializeAsString();
  if (bytes.size() > kMaxOfflineBundleBytes) {
    return Status(ErrorCode::kTooLarge, "the offline bundle would be " +
                                            std::to_string(bytes.size()) +
                                            " bytes; terminals accept at most 64 MiB");
  }
  return AdminAnswer{std::move(bytes), kProtobufType};
}

}  // namespace xiaoan::collector
