#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/result.h"
#include "service/collector/store/sqlite_db.h"
#include "service/collector/store/store.h"

// SQL of the antivirus tables: signature bundles (written by the admin session's publish
// transaction, read by the writer's check-in transactions) and the detection query over the
// event table, with the reading of stored events it shares with the event listing.
namespace xiaoan::collector {

// The columns of a stored event (events e LEFT JOIN agents a), in storedEventFromRow's order.
extern const char* const kStoredEventColumns;
StoredEventRow storedEventFromRow(const SqliteStatement& st);

// E_INVALID_ARGUMENT when the version exists.
Status writeSignatureBundle(SqliteDb& db, const SignatureBundleRow& row, std::string_view data);
Result<std::optional<SignatureBundleRow>> readLatestSignatureBundle(SqliteDb& db);
// E_NOT_FOUND when there is no such bundle.
Result<std::string> readSignatureBundleData(SqliteDb& db, uint64_t version);
// Newest first, without data.
Result<std::vector<SignatureBundleRow>> readSignatureBundles(SqliteDb& db, uint32_t limit);
// Stored `detection` events, newest first.
Result<std::vector<DetectionRow>> readDetections(SqliteDb& db, const DetectionQuery& query);

}  // namespace xiaoan::collector
