#include "common/policy/policy_rules.h"

namespace xiaoan::policy {
namespace {

Status invalid(const std::string& why) {
  return Status(ErrorCode::kPolicyInvalid, "policy document rejected: " + why);
}

}  // namespace

Result<v1::PolicyDocument> parsePolicyDocument(std::string_view bytes, std::string_view agent_id) {
  if (bytes.size() > kMaxPolicyDocumentBytes) {
    return invalid(std::to_string(bytes.size()) + " bytes, more than the limit of " +
                   std::to_string(kMaxPolicyDocumentBytes));
  }
  v1::PolicyDocument doc;
  if (!doc.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return invalid("not a decodable PolicyDocument");
  }
  if (doc.version() == 0) return invalid("version 0");
  if (doc.agent_id() != agent_id) {
    // Bounded: the text ends up in status and events.
    return invalid("issued to agent '" + doc.agent_id().substr(0, 64) + "', not to this agent");
  }
  if (!doc.has_policy()) return invalid("no policy");
  std::vector<FieldIssue> issues = validatePolicy(doc.policy());
  if (!issues.empty()) return invalid(summarizeIssues(issues));
  return doc;
}

}  // namespace xiaoan::policy
