#pragma once

#include <memory>
#include <string>

#include "service/collector/store/sqlite_db.h"
#include "service/collector/store/store.h"

namespace xiaoan::collector {

// Store on one SQLite connection (WAL, synchronous=FULL, cached prepared statements).
// Several SqliteStore instances may share one file: SQLite serialises writers, WAL lets
// readers run beside them.
class SqliteStore final : public Store {
 public:
  // Opens `path`; with `create` also creates the file and schema. Otherwise the file must exist.
  static Result<std::unique_ptr<SqliteStore>> open(const std::string& path, bool create);

  Result<std::unique_ptr<WriteTxn>> beginWrite() override;
  Status addSchool(const SchoolRow& school, const AuditRow& audit) override;
  Result<std::vector<SchoolRow>> listSchools() override;
  Status setReenrollPolicy(const std::string& school_id, ReenrollPolicy policy,
                           const AuditRow& audit) override;
  Result<std::vector<PendingEnrollmentRow>> listPendingEnrollments(
      const std::string& school_filter) override;
  Result<PendingEnrollmentRow> approvePendingEnrollment(const std::string& id,
                                                        const AuditRow& audit) override;
  Status addToken(const TokenRow& token, const AuditRow& audit) override;
  Result<std::vector<TokenRow>> listTokens(const std::string& school_filter) override;
  Result<TokenRow> revokeToken(const std::string& token_id, const AuditRow& audit) override;
  Result<std::vector<TerminalRow>> listTerminals(const std::string& school_filter) override;
  Result<std::vector<StoredEventRow>> listEvents(const EventQuery& query) override;
  Result<std::vector<AuditRow>> listAudit(uint32_t limit) override;
  Result<std::optional<PolicyLayerRow>> findPolicyLayer(const std::string& scope,
                                                        const std::string& id) override;
  Result<PolicyLayerRow> putPolicyLayer(const PolicyLayerRow& layer,
                                        const AuditRow& audit) override;
  Status deletePolicyLayer(const std::string& scope, const std::string& id,
                           const AuditRow& audit) override;
  Status setTerminalRoom(const std::string& terminal_id, const std::string& room,
                         const AuditRow& audit) override;
  Result<std::optional<TerminalPolicyLayers>> terminalPolicyLayers(
      const std::string& terminal_id) override;
  Result<std::optional<IssuedContentRow>> findIssuedContent(const std::string& agent_id) override;
  Result<std::vector<RoomRow>> listRooms(const std::string& school_id) override;
  Status addRoom(const std::string& school_id, const std::string& name,
                 const AuditRow& audit) override;
  Status renameRoom(const std::string& school_id, const std::string& from, const std::string& to,
                    const AuditRow& audit) override;
  Status deleteRoom(const std::string& school_id, const std::string& name,
                    const AuditRow& audit) override;
  Result<RegistryKeys> registryKeys(const std::string& school_id) override;
  Status replaceRegistry(const std::string& school_id, const std::vector<RegistryEntry>& entries,
                         const std::vector<std::string>& new_rooms, int64_t now_ms,
                         const AuditRow& audit) override;
  Result<std::vector<RegistryEntryRow>> listRegistry(const std::string& school_id,
                                                     const std::string& room) override;
  Result<std::vector<ComplianceRow>> complianceRows(const std::string& school_id,
                                                    const std::string& room) override;
  Result<std::vector<std::string>> resolveTerminal(const std::string& ref) override;
  Result<std::vector<SignatureBundleRow>> listSignatureBundles(uint32_t limit) override;
  Result<std::vector<DetectionRow>> listDetections(const DetectionQuery& query) override;
  Result<std::vector<StoredVisit>> searchVisits(const RecordQuery& query) override;
  Result<std::vector<StoredSession>> listSessions(const RecordQuery& query) override;
  Result<std::vector<StoredAlert>> listAlerts(const RecordQuery& query) override;
  Result<std::vector<RetentionCandidate>> retentionCandidates(RetentionTable table,
                                                              int64_t before_ms,
                                                              std::pair<int64_t, int64_t> after,
                                                              uint32_t limit) override;
  Result<RetentionDeletion> deleteRows(
      RetentionTable table, const std::vector<std::pair<int64_t, int64_t>>& rows) override;
  Status recordAudit(const AuditRow& audit) override;
  Status putAdmin(const AdminRow& admin) override;
  Result<std::optional<AdminRow>> findAdmin(const std::string& name) override;

 private:
  explicit SqliteStore(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}
  Status insertAudit(const AuditRow& audit);
  Result<std::optional<TokenRow>> findToken(const std::string& token_id);
  Status checkLayerTarget(const std::string& scope, const std::string& id);
  // E_NOT_FOUND unless the school exists.
  Status checkSchool(const std::string& school_id);
  Result<bool> exists(const std::string& sql, const std::string& key);

  std::unique_ptr<SqliteDb> db_;
};

}  // namespace xiaoan::collector
