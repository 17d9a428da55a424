#include "service/collector/trust/signature_publisher.h"

#include <google/protobuf/util/time_util.h>

#include "common/crypto/ed25519.h"
#include "common/trust/metadata.h"
#include "platform/file_util.h"
#include "platform/logging.h"
#include "service/collector/admin_api/admin_commands.h"
#include "service/collector/admin_api/rule_errors.h"
#include "signatures/bundle.h"
#include "xiaoan/v1/event.pb.h"

namespace xiaoan::collector {
namespace {

using google::protobuf::util::TimeUtil;

// What the compile of a valid bundle yields.
struct Compiled {
  uint32_t rule_count = 0;
  std::vector<v1::RuleDiagnostic> warnings;
};

Result<Compiled> compileBundle(const v1::SignatureBundle& bundle,
                               std::vector<v1::RuleDiagnostic>* rule_errors) {
  std::vector<sig::RuleSource> sources = sig::sourcesOf(bundle);
  std::vector<sig::CompileDiagnostic> diagnostics;
  auto rules = sig::compileRules(sources, &diagnostics);
  if (!rules.isOk()) {
    if (rules.status().code() == ErrorCode::kRulesInvalid && rule_errors != nullptr) {
      *rule_errors = everyRuleError(std::move(sources), diagnostics, rules.status());
    }
    return rules.status();
  }
  Compiled out;
  out.rule_count = rules->ruleCount();
  for (const auto& d : diagnostics) {
    if (out.warnings.size() == kMaxStoredWarnings) break;
    if (d.warning) out.warnings.push_back(sig::toProto(d));
  }
  return out;
}

SignatureBundleRow rowOf(const v1::SignatureBundle& bundle, const std::string& bytes,
                         const Compiled& compiled, const std::string& admin) {
  SignatureBundleRow row;
  row.version = bundle.version();
  row.sha256_hex = toHex(crypto::sha256(bytes));
  row.size = bytes.size();
  row.rule_count = compiled.rule_count;
  row.file_count = static_cast<uint32_t>(bundle.files_size());
  row.published_at_ms = TimeUtil::TimestampToMilliseconds(bundle.issued_at());
  row.published_by = admin;
  row.description = bundle.description();
  v1::SignatureBundleInfo warnings;
  for (const auto& w : compiled.warnings) *warnings.add_warnings() = w;
  row.warnings = trust::serializeDeterministic(warnings);
  return row;
}

// Version, artifact, row and audit: one transaction, so a failure takes no version.
Result<SignatureBundleRow> storeBundle(Store& store, ArtifactStore& artifacts,
                                       v1::SignatureBundle bundle, const Compiled& compiled,
                                       const std::string& admin, int64_t now_ms) {
  XIAOAN_ASSIGN_OR_RETURN(auto txn, store.beginWrite());
  XIAOAN_ASSIGN_OR_RETURN(uint64_t version, txn->nextSignaturesVersion());
  bundle.set_version(version);
  *bundle.mutable_issued_at() = TimeUtil::MillisecondsToTimestamp(now_ms);
  bundle.set_rule_count(compiled.rule_count);
  std::string bytes = trust::serializeDeterministic(bundle);
  if (bytes.size() > sig::kMaxBundleBytes) {
    return Status(ErrorCode::kTooLarge, "signature bundle larger than " +
                                            std::to_string(sig::kMaxBundleBytes) + " bytes");
  }
  SignatureBundleRow row = rowOf(bundle, bytes, compiled, admin);
  // Written before the commit: a failed commit leaves an unnamed file, never a named bundle
  // without its artifact.
  XIAOAN_RETURN_IF_ERROR(artifacts.put(bytes).status());
  XIAOAN_RETURN_IF_ERROR(txn->insertSignatureBundle(row, bytes));
  v1::SignatureBundleInfo detail = bundleInfo(row);
  detail.clear_warnings();
  XIAOAN_RETURN_IF_ERROR(txn->recordAudit(
      auditRow(now_ms, admin, "signatures.publish", std::to_string(version), detail)));
  XIAOAN_RETURN_IF_ERROR(txn->commit());
  return row;
}

}  // namespace

Result<v1::SignatureBundleInfo> publishSignatures(Store& store, ArtifactStore& artifacts,
                                                  v1::PublishSignaturesRequest request,
                                                  const std::string& admin, int64_t now_ms,
                                                  std::vector<v1::RuleDiagnostic>* rule_errors) {
  v1::SignatureBundle bundle;
  bundle.mutable_files()->Swap(request.mutable_files());
  bundle.set_description(request.description());
  XIAOAN_RETURN_IF_ERROR(sig::checkBundleShape(bundle));
  XIAOAN_ASSIGN_OR_RETURN(Compiled compiled, compileBundle(bundle, rule_errors));
  XIAOAN_ASSIGN_OR_RETURN(SignatureBundleRow row, storeBundle(store, artifacts, std::move(bundle),
                                                              compiled, admin, now_ms));
  componentLogger(LogComponent::kCollectorSignatures)
      ->info("signature bundle {} published by {}: {} rules in {} files, {} bytes", row.version,
             admin, row.rule_count, row.file_count, row.size);
  return bundleInfo(row);
}

v1::SignatureBundleInfo bundleInfo(const SignatureBundleRow& row) {
  v1::SignatureBundleInfo info;
  // Only the warnings are stored in this form; a damaged copy loses them, not the bundle.
  if (!info.ParseFromString(row.warnings)) info.Clear();
  info.set_warning_count(static_cast<uint32_t>(info.warnings_size()));
  info.set_version(row.version);
  info.set_sha256(row.sha256_hex);
  info.set_rule_count(row.rule_count);
  info.set_file_count(row.file_count);
  info.set_size(row.size);
  *info.mutable_published_at() = TimeUtil::MillisecondsToTimestamp(row.published_at_ms);
  info.set_published_by(row.published_by);
  info.set_description(row.description);
  return info;
}

v1::DetectionList detectionList(const std::vector<DetectionRow>& rows) {
  v1::DetectionList list;
  for (const auto& r : rows) {
    auto* d = list.add_detections();
    d->set_event_id(static_cast<uint64_t>(r.event.id));
    d->set_terminal_id(r.event.terminal_id);
    d->set_school_id(r.event.school_id);
    d->set_hostname(r.hostname);
    d->set_agent_id(r.event.agent_id);
    *d->mutable_time() = TimeUtil::MillisecondsToTimestamp(r.event.wall_time_ms);
    *d->mutable_received_at() = TimeUtil::MillisecondsToTimestamp(r.event.received_at_ms);
    v1::Event event;
    if (event.ParseFromString(r.event.body) && event.has_detection()) {
      *d->mutable_detection() = std::move(*event.mutable_detection());
    }
  }
  return list;
}

}  // namespace xiaoan::collector
