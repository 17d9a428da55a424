#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "service/collector/store/sqlite_db.h"
#include "service/collector/store/store.h"

// Browsing visits, seat sessions and site alerts in SQLite (schema version 6), and the reads
// and deletes of the retention job. The functions behind SqliteStore and SqliteWriteTxn.
namespace xiaoan::collector {

// "www.baidu.com" -> "com.baidu.www.": a domain and all its subdomains share this prefix.
std::string reversedDomain(std::string_view domain);

Result<TerminalPlace> readTerminalPlace(SqliteDb& db, const AgentRow& agent);
Result<uint64_t> storeVisits(SqliteDb& db, const TerminalPlace& place,
                             const std::vector<VisitRow>& visits, int64_t now_ms);
Status storeSession(SqliteDb& db, const TerminalPlace& place, const SessionRow& session,
                    int64_t now_ms);
Result<bool> storeAlert(SqliteDb& db, const TerminalPlace& place, const AlertRow& alert,
                        int64_t now_ms);

Result<std::vector<StoredVisit>> readVisits(SqliteDb& db, const RecordQuery& query);
Result<std::vector<StoredSession>> readSessions(SqliteDb& db, const RecordQuery& query);
Result<std::vector<StoredAlert>> readAlerts(SqliteDb& db, const RecordQuery& query);

Result<std::vector<RetentionCandidate>> readRetentionCandidates(SqliteDb& db, RetentionTable table,
                                                                int64_t before_ms,
                                                                std::pair<int64_t, int64_t> after,
                                                                uint32_t limit);
// Runs its own BEGIN IMMEDIATE ... COMMIT.
Result<RetentionDeletion> deleteRetained(SqliteDb& db, RetentionTable table,
                                         const std::vector<std::pair<int64_t, int64_t>>& rows);

}  // namespace xiaoan::collector
