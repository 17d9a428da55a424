#pragma once

#include <optional>
#include <string>

#include "platform/result.h"
#include "service/collector/store/sqlite_db.h"
#include "service/collector/store/store.h"

// SQL of the signed content channel's tables (policy_layers, issued_content, counters) and of
// the audit table, shared by the admin session (SqliteStore) and the writer's transactions
// (SqliteWriteTxn).
namespace xiaoan::collector {

Result<std::optional<PolicyLayerRow>> readPolicyLayer(SqliteDb& db, const std::string& scope,
                                                      const std::string& id);
Result<std::optional<TerminalPolicyLayers>> readTerminalPolicyLayers(
    SqliteDb& db, const std::string& terminal_id);
Result<std::optional<IssuedContentRow>> readIssuedContent(SqliteDb& db,
                                                          const std::string& agent_id);
Status writeIssuedContent(SqliteDb& db, const IssuedContentRow& row);
Result<uint64_t> takeContentVersion(SqliteDb& db);
// The next value of the counter `name` ("content_version", "signatures_version").
Result<uint64_t> takeCounter(SqliteDb& db, const std::string& name);
// One admin_audit row (admin mutations, from either session).
Status writeAudit(SqliteDb& db, const AuditRow& audit);

}  // namespace xiaoan::collector
