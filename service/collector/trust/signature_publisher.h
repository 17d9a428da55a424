#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "platform/result.h"
#include "service/collector/store/artifact_store.h"
#include "service/collector/store/store.h"
#include "xiaoan/v1/admin_api.pb.h"

// Publishing signature bundles (`xiaoan-admin signatures publish`): the collector compiles the
// whole bundle before anything is stored, so agents are only ever offered rules that compile.
namespace xiaoan::collector {

// Compiler warnings kept per bundle (a rule set may warn about thousands of slow strings).
inline constexpr size_t kMaxStoredWarnings = 1000;

// Checks the bundle's shape (sig::checkBundleShape: E_INVALID_ARGUMENT / E_TOO_LARGE), compiles
// every file (any error: E_RULES_INVALID, every error in *rule_errors), then takes the next
// bundle version, writes the SignatureBundle artifact, records the bundle and the audit in one
// transaction. On any failure nothing is stored and no version is taken (a rejected bundle
// leaves no trace but its error). From the next check-in on, every agent's content targets
// name it (content_issuer.h).
Result<v1::SignatureBundleInfo> publishSignatures(Store& store, ArtifactStore& artifacts,
                                                  v1::PublishSignaturesRequest request,
                                                  const std::string& admin, int64_t now_ms,
                                                  std::vector<v1::RuleDiagnostic>* rule_errors);

// The API form of a stored bundle (warnings decoded).
v1::SignatureBundleInfo bundleInfo(const SignatureBundleRow& row);

// The API form of stored detections; a record whose stored body cannot be decoded keeps its
// terminal and times without the detection.
v1::DetectionList detectionList(const std::vector<DetectionRow>& rows);

}  // namespace xiaoan::collector
