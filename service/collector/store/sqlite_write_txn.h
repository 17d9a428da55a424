#pragma once

#include <string>
#include <vector>

#include "service/collector/store/sqlite_db.h"
#include "service/collector/store/store.h"

namespace xiaoan::collector {

// WriteTxn on an SqliteDb where BEGIN IMMEDIATE has already run.
class SqliteWriteTxn final : public WriteTxn {
 public:
  explicit SqliteWriteTxn(SqliteDb& db) : db_(db) {}
  ~SqliteWriteTxn() override;

  Status savepoint() override;
  Status releaseSavepoint() override;
  Status rollbackToSavepoint() override;
  Status commit() override;

  Result<std::optional<AgentRow>> findAgent(const std::string& agent_id) override;
  Result<bool> insertEvent(const std::string& agent_id, const EventRow& event,
                           int64_t received_at_ms) override;
  Status advanceHead(const std::string& agent_id, const AckRow& head, int64_t now_ms) override;
  Status insertCollectorEvent(const std::string& agent_id, const std::string& type,
                              const std::string& payload_json, int64_t now_ms) override;
  Status addTerminalEvents(const std::string& terminal_id, uint64_t count) override;
  Result<AgentRow> recordCheckin(const CheckinUpdate& update) override;
  Result<std::vector<AckRow>> agentHeads(const std::string& agent_id) override;
  Result<EnrollOutcome> enroll(const EnrollParams& params) override;
  Result<std::optional<TerminalPolicyLayers>> terminalPolicyLayers(
      const std::string& terminal_id) override;
  Result<std::optional<IssuedContentRow>> findIssuedContent(const std::string& agent_id) override;
  Status putIssuedContent(const IssuedContentRow& row) override;
  Result<uint64_t> nextContentVersion() override;
  Status recordAudit(const AuditRow& audit) override;
  Result<uint64_t> nextSignaturesVersion() override;
  Status insertSignatureBundle(const SignatureBundleRow& row, std::string_view data) override;
  Result<std::optional<SignatureBundleRow>> latestSignatureBundle() override;
  Result<std::string> signatureBundleData(uint64_t version) override;
  Result<TerminalPlace> terminalPlace(const AgentRow& agent) override;
  Result<uint64_t> insertVisits(const TerminalPlace& place, const std::vector<VisitRow>& visits,
                                int64_t now_ms) override;
  Status upsertSession(const TerminalPlace& place, const SessionRow& session,
                       int64_t now_ms) override;
  Result<bool> insertAlert(const TerminalPlace& place, const AlertRow& alert,
                           int64_t now_ms) override;

 private:
  Status checkToken(const EnrollParams& params, std::string& school_id);
  Result<std::optional<std::string>> terminalByMac(const std::string& school_id,
                                                   const std::vector<std::string>& macs);
  Result<std::vector<AckRow>> terminalHeads(const std::string& terminal_id);
  Status rememberMacs(const std::string& school_id, const std::string& terminal_id,
                      const std::vector<std::string>& macs);
  Status linkTerminal(const EnrollParams& params, EnrollOutcome& outcome);

  SqliteDb& db_;
  bool done_ = false;
};

}  // namespace xiaoan::collector
