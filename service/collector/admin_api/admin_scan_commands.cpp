// The admin API's signature bundles (publish, list) and detections.
#include "common/proto_json.h"
#include "service/collector/admin_api/admin_commands.h"
#include "service/collector/trust/signature_publisher.h"

namespace xiaoan::collector {
namespace {

// Bundles listed by GET /api/v1/signatures (newest first); one a week is 20 years.
constexpr uint32_t kMaxListedBundles = 1000;

}  // namespace

// No roles yet: any admin may publish (DESIGN.md §7 gives this to county admins once roles
// exist).
Result<std::string> AdminCommands::publishSignatures(PublishSignatures& cmd,
                                                     const std::string& admin,
                                                     std::vector<v1::RuleDiagnostic>* rule_errors) {
  XIAOAN_ASSIGN_OR_RETURN(v1::SignatureBundleInfo info,
                          collector::publishSignatures(store_, artifacts_, std::move(cmd.request),
                                                       admin, nowMs(), rule_errors));
  return toCompactJson(info);
}

Result<std::string> AdminCommands::listSignatures() {
  XIAOAN_ASSIGN_OR_RETURN(auto rows, store_.listSignatureBundles(kMaxListedBundles));
  v1::SignatureBundleList list;
  for (const auto& r : rows) {
    // Counts only: up to 1 000 warnings each would make the list grow past any sane answer.
    v1::SignatureBundleInfo info = bundleInfo(r);
    info.clear_warnings();
    *list.add_bundles() = std::move(info);
  }
  return toCompactJson(list);
}

// No school scoping yet: every admin sees every school (school admins will see theirs).
Result<std::string> AdminCommands::listDetections(const ListDetections& cmd) {
  XIAOAN_ASSIGN_OR_RETURN(auto rows, store_.listDetections(cmd.query));
  return toCompactJson(detectionList(rows));
}

}  // namespace xiaoan::collector
