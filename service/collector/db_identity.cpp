#include "service/collector/db_identity.h"

#include "common/text/tr.h"
#include "platform/file.h"
#include "platform/file_util.h"
#include "service/collector/data_dir_layout.h"
#include "service/collector/store/db_check.h"

namespace xiaoan::collector {
namespace {

constexpr size_t kIdBytes = 16;
constexpr size_t kMaxMarkerBytes = 256;

bool isDatabaseId(const std::string& text) {
  if (text.size() != 2 * kIdBytes) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Status mismatch(const std::string& message) { return Status(ErrorCode::kDatabase, message); }

std::string restoreHint(const std::string& data_dir, Lang lang) {
  return tr(lang, "。请用备份恢复：xiaoan-collector restore --data-dir ",
            ". Restore it from a backup: xiaoan-collector restore --data-dir ") +
         data_dir + " --from FILE";
}

// With a marker: the database must be there, non-empty, and carry the marker's id.
Result<std::string> verifyAgainstMarker(const std::string& data_dir, const std::string& marker,
                                        Lang lang) {
  const std::string db_path = dbPath(data_dir);
  auto st = statPath(db_path, /*follow=*/true);
  if (!st.isOk() && st.status().code() == ErrorCode::kNotFound) {
    return mismatch(tr(lang, "数据库文件 ", "database file ") + db_path +
                    tr(lang, " 不存在（本数据目录初始化时的数据库标识为 ",
                       " is missing (this data dir was initialised with database id ") +
                    marker + tr(lang, "）", ")") + restoreHint(data_dir, lang));
  }
  if (!st.isOk()) return st.status();
  if (st->size == 0) {
    return mismatch(tr(lang, "数据库文件 ", "database file ") + db_path +
                    tr(lang, " 为空（0 字节），所有数据已丢失，拒绝重新创建空数据库",
                       " is empty (0 bytes): its data is gone; refusing to recreate it empty") +
                    restoreHint(data_dir, lang));
  }
  XIAOAN_ASSIGN_OR_RETURN(auto db, SqliteDb::openExisting(db_path, /*read_only=*/false));
  XIAOAN_ASSIGN_OR_RETURN(auto id, readDatabaseId(*db, lang));
  if (id == marker) return marker;
  return mismatch(tr(lang, "数据库文件 ", "database file ") + db_path +
                  tr(lang, " 不是本数据目录的数据库（其标识为 ",
                     " is not this data dir's database (its id is ") +
                  id.value_or(tr(lang, "无", "none")) + tr(lang, "，应为 ", ", expected ") +
                  marker + tr(lang, "）", ")") + restoreHint(data_dir, lang));
}

// Without a marker: only a collector database of a release before markers is accepted.
Result<std::string> verifyWithoutMarker(const std::string& data_dir, Lang lang) {
  const std::string db_path = dbPath(data_dir);
  auto st = statPath(db_path, /*follow=*/true);
  if (!st.isOk() || st->size == 0) {
    return mismatch(tr(lang, "数据目录 ", "data dir ") + data_dir +
                    tr(lang, " 中没有数据库和标识文件，请先运行 xiaoan-collector init",
                       " holds neither a database nor its id marker; run xiaoan-collector init"));
  }
  XIAOAN_ASSIGN_OR_RETURN(auto db, SqliteDb::openExisting(db_path, /*read_only=*/false));
  XIAOAN_ASSIGN_OR_RETURN(auto id, readDatabaseId(*db, lang));
  if (id) {
    return mismatch(tr(lang, "标识文件 ", "id marker ") + dbIdMarkerPath(data_dir) +
                    tr(lang, " 丢失；若此数据库（标识 ", " is missing; if this database (id ") +
                    *id +
                    tr(lang, "）正是本服务器的，请把该标识写入标识文件",
                       ") is this collector's, write that id into the marker"));
  }
  XIAOAN_ASSIGN_OR_RETURN(auto version, db->prepare("PRAGMA user_version"));
  XIAOAN_ASSIGN_OR_RETURN(bool row, version->step());
  if (!row || version->columnInt64(0) < 1) {
    return mismatch(db_path + tr(lang, " 不是收集服务的数据库", " is not a collector database"));
  }
  return std::string();
}

}  // namespace

Result<std::string> newDatabaseId() {
  XIAOAN_ASSIGN_OR_RETURN(std::string bytes, randomBytes(kIdBytes));
  return toHex(bytes);
}

Status stampDatabaseId(SqliteDb& db, const std::string& id) {
  XIAOAN_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::begin(db));
  XIAOAN_RETURN_IF_ERROR(
      db.exec("CREATE TABLE IF NOT EXISTS collector_identity(id TEXT NOT NULL)"));
  XIAOAN_RETURN_IF_ERROR(db.exec("DELETE FROM collector_identity"));
  XIAOAN_ASSIGN_OR_RETURN(auto insert, db.prepare("INSERT INTO collector_identity(id) VALUES(?1)"));
  XIAOAN_RETURN_IF_ERROR(insert->bind(1, id).run());
  return txn.commit();
}

Result<std::optional<std::string>> readDatabaseId(SqliteDb& db, Lang lang) {
  const std::string where = db.fileName();
  auto has_table = db.prepare(
      "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'collector_identity'");
  if (!has_table.isOk()) return corruptionAsCode(db.raw(), has_table.status(), where, lang);
  auto row = (*has_table)->step();
  if (!row.isOk()) return corruptionAsCode(db.raw(), row.status(), where, lang);
  if (!*row || (*has_table)->columnInt64(0) == 0) return std::optional<std::string>();
  XIAOAN_ASSIGN_OR_RETURN(auto select, db.prepare("SELECT id FROM collector_identity LIMIT 1"));
  XIAOAN_ASSIGN_OR_RETURN(bool found, select->step());
  if (!found) return std::optional<std::string>();
  return std::optional<std::string>(select->columnText(0));
}

Status writeIdMarker(const std::string& data_dir, const std::string& id) {
  return atomicWriteFile(dbIdMarkerPath(data_dir), id + "\n", 0600);
}

Result<std::optional<std::string>> readIdMarker(const std::string& data_dir, Lang lang) {
  const std::string path = dbIdMarkerPath(data_dir);
  auto text = readFile(path, kMaxMarkerBytes);
  if (!text.isOk() && text.status().code() == ErrorCode::kNotFound) {
    return std::optional<std::string>();
  }
  if (!text.isOk()) return text.status();
  std::string id = *text;
  while (!id.empty() && (id.back() == '\n' || id.back() == '\r')) id.pop_back();
  if (!isDatabaseId(id)) {
    return mismatch(tr(lang, "标识文件 ", "id marker ") + path +
                    tr(lang, " 内容无效", " does not hold a database id"));
  }
  return std::optional<std::string>(id);
}

Result<std::string> verifyDatabaseIdentity(const std::string& data_dir, Lang lang) {
  XIAOAN_ASSIGN_OR_RETURN(auto marker, readIdMarker(data_dir, lang));
  if (marker) return verifyAgainstMarker(data_dir, *marker, lang);
  return verifyWithoutMarker(data_dir, lang);
}

Result<std::string> adoptLegacyDatabase(const std::string& data_dir) {
  XIAOAN_ASSIGN_OR_RETURN(std::string id, newDatabaseId());
  XIAOAN_ASSIGN_OR_RETURN(auto db, SqliteDb::openExisting(dbPath(data_dir), false));
  XIAOAN_RETURN_IF_ERROR(stampDatabaseId(*db, id));
  XIAOAN_RETURN_IF_ERROR(writeIdMarker(data_dir, id));
  return id;
}

}  // namespace xiaoan::collector
