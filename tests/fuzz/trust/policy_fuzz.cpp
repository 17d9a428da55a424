// Fuzzes policy input at every trust boundary: the PolicyDocument an agent downloads, the JSON
// an admin sends (xiaoan-admin policy apply) and the FIELD=VALUE of xiaoan-admin policy set.
//
// Input: byte 0 selects (value % 3), the rest is the input.
//   0: parsePolicyDocument(rest, "agent-1")
//   1: policyFromJson(rest)
//   2: "PATH=VALUE" -> setPolicyField on an empty layer, then validateLayer for every scope
// Invariants (abort = finding): an accepted policy validates, and so does its merge over the
// built-in defaults; every rejection names the right code; errors carry field paths.
#include <google/protobuf/stubs/logging.h>

#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "common/policy/policy_edit.h"
#include "common/policy/policy_rules.h"

namespace {

using namespace xiaoan;

// Malformed UTF-8 in string fields is expected input; keep protobuf's parser quiet about it.
[[maybe_unused]] const bool kQuietProtobuf = [] {
  google::protobuf::SetLogHandler(nullptr);
  return true;
}();

void mustMergeValid(const v1::Policy& policy) {
  if (!policy::validatePolicy(policy).empty()) std::abort();
  const std::vector<v1::Policy> layers = {policy::builtinDefaults(), policy};
  if (!policy::validatePolicy(policy::mergeLayers(layers)).empty()) std::abort();
}

void document(std::string_view bytes) {
  auto doc = policy::parsePolicyDocument(bytes, "agent-1");
  if (!doc.isOk()) {
    if (doc.status().code() != ErrorCode::kPolicyInvalid) std::abort();
    return;
  }
  if (doc->agent_id() != "agent-1" || doc->version() == 0) std::abort();
  mustMergeValid(doc->policy());
}

void adminJson(std::string_view json) {
  std::vector<policy::FieldIssue> issues;
  auto p = policy::policyFromJson(json, &issues);
  if (!p.isOk()) {
    const ErrorCode code = p.status().code();
    if (code != ErrorCode::kInvalidArgument && code != ErrorCode::kTooLarge) std::abort();
    if (code == ErrorCode::kInvalidArgument && issues.empty()) std::abort();
    (void)policy::summarizeIssues(issues);
    return;
  }
  if (!issues.empty()) std::abort();
  mustMergeValid(*p);
}

void setField(std::string_view line) {
  const size_t eq = line.find('=');
  if (eq == std::string_view::npos) return;
  v1::Policy layer;
  std::vector<policy::FieldIssue> issues;
  auto st = policy::setPolicyField(layer, line.substr(0, eq), line.substr(eq + 1), &issues);
  if (!st.isOk()) {
    if (st.code() != ErrorCode::kInvalidArgument) std::abort();
    return;
  }
  for (auto scope : {v1::POLICY_SCOPE_SCHOOL, v1::POLICY_SCOPE_ROOM, v1::POLICY_SCOPE_TERMINAL}) {
    (void)policy::validateLayer(scope, layer);
  }
  if (policy::validateLayer(v1::POLICY_SCOPE_TERMINAL, layer).empty()) mustMergeValid(layer);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 512 * 1024) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 3) {
    case 0:
      document(rest);
      break;
    case 1:
      adminJson(rest);
      break;
    default:
      setField(rest);
      break;
  }
  return 0;
}
