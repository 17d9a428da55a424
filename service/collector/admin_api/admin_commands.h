#pragma once

#include <string>

#include <memory>

#include "platform/clock.h"
#include "platform/text_codec.h"
#include "service/collector/admin_api/admin_request.h"
#include "service/collector/store/artifact_store.h"
#include "service/collector/store/store.h"
#include "service/collector/trust/content_issuer.h"

namespace xiaoan::collector {

// The body of an admin answer: JSON, except offline bundles (protobuf bytes).
struct AdminAnswer {
  std::string body;
  std::string content_type = "application/json; charset=utf-8";
};

// An audit record with `detail` rendered as JSON.
AuditRow auditRow(int64_t now, const std::string& admin, const char* action,
                  const std::string& target, const google::protobuf::Message& detail);

// Between the API's and the store's re-enrollment policy (UNSPECIFIED is AUTO).
ReenrollPolicy toStoreReenrollPolicy(v1::ReenrollPolicy policy);
v1::ReenrollPolicy toProtoReenrollPolicy(ReenrollPolicy policy);

// Executes parsed admin commands against the store and renders the answer as JSON.
// Mutations are recorded in the admin audit table in the same transaction.
class AdminCommands {
 public:
  AdminCommands(Store& store, const Clock& clock, const ContentIssuer& issuer,
                ArtifactStore& artifacts)
      : store_(store), clock_(clock), issuer_(issuer), artifacts_(artifacts) {}

  // Errors carry E_NOT_FOUND / E_INVALID_ARGUMENT / E_DATABASE / E_TRUST_ROOT_MISSING /
  // E_RULES_INVALID; for the latter every compiler error is appended to *rule_errors.
  // The command is taken by value: a signature bundle is moved, not copied.
  Result<AdminAnswer> run(AdminCommand command, const std::string& admin,
                          std::vector<v1::RuleDiagnostic>* rule_errors = nullptr);

 private:
  // Policies, rooms and bundles (admin_policy_commands.cpp).
  Result<std::string> getPolicyLayer(const GetPolicyLayer& cmd);
  Result<std::string> putPolicyLayer(const PutPolicyLayer& cmd, const std::string& admin);
  Result<std::string> deletePolicyLayer(const DeletePolicyLayer& cmd, const std::string& admin);
  Result<std::string> getEffectivePolicy(const GetEffectivePolicy& cmd);
  Result<std::string> setTerminalRoom(const SetTerminalRoom& cmd, const std::string& admin);
  Result<AdminAnswer> exportBundle(const ExportBundle& cmd, const std::string& admin);
  // Signature bundles and detections (admin_scan_commands.cpp).
  Result<std::string> publishSignatures(PublishSignatures& cmd, const std::string& admin,
                                        std::vector<v1::RuleDiagnostic>* rule_errors);
  Result<std::string> listSignatures();
  Result<std::string> listDetections(const ListDetections& cmd);
  // Re-enrollment policy and approvals (admin_enrollment_commands.cpp).
  Result<std::string> setReenrollPolicy(const SetReenrollPolicy& cmd, const std::string& admin);
  Result<std::string> listPendingEnrollments(const ListPendingEnrollments& cmd);
  Result<std::string> approvePendingEnrollment(const ApprovePendingEnrollment& cmd,
                                               const std::string& admin);
  // Rooms, the seat registry, compliance, terminal references (admin_registry_commands.cpp).
  Result<std::string> listRooms(const ListRooms& cmd);
  // AddRoom, RenameRoom or DeleteRoom.
  Result<std::string> changeRoom(const AdminCommand& cmd, const std::string& admin);
  Result<std::string> importRegistry(const ImportRegistry& cmd, const std::string& admin);
  Status checkNames(const std::string& school_id, ParsedRegistry& parsed);
  Result<AdminAnswer> listRegistry(const ListRegistry& cmd);
  Result<std::string> compliance(const GetCompliance& cmd);
  Result<std::string> resolveTerminal(const ResolveTerminal& cmd);
  // The check-in interval a terminal's agent has been told (for "silent").
  uint32_t checkinIntervalOf(const std::string& terminal_id);

  // Browsing visits, seat sessions, alerts (admin_records_commands.cpp).
  Result<std::string> searchVisits(const SearchVisits& cmd);
  Result<std::string> listSessions(const ListSessions& cmd);
  Result<std::string> listAlerts(const ListAlerts& cmd);

  Result<std::string> listSchools();
  Result<std::string> addSchool(const AddSchool& cmd, const std::string& admin);
  Result<std::string> createToken(const CreateToken& cmd, const std::string& admin);
  Result<std::string> listTokens(const ListTokens& cmd);
  Result<std::string> revokeToken(const RevokeToken& cmd, const std::string& admin);
  Result<std::string> listTerminals(const ListTerminals& cmd);
  Result<std::string> listEvents(const ListEvents& cmd);
  int64_t nowMs() const;

  Store& store_;
  const Clock& clock_;
  const ContentIssuer& issuer_;
  ArtifactStore& artifacts_;
  // GBK/GB18030 decoding of registry files (pure conversion, no state: one per session).
  std::unique_ptr<TextCodec> codec_ = makeTextCodec();
};

}  // namespace xiaoan::collector
