#include "service/collector/store/db_check.h"

#include <sqlite3.h>

#include <string>

#include "common/text/tr.h"

namespace xiaoan::collector {
namespace {

// Enough rows to say what is wrong without flooding a terminal or a log line.
constexpr int kMaxProblemsShown = 5;

std::string pragmaFor(DbCheck level) {
  return level == DbCheck::kFull
             ? "PRAGMA integrity_check(" + std::to_string(kMaxProblemsShown) + ")"
             : "PRAGMA quick_check(" + std::to_string(kMaxProblemsShown) + ")";
}

bool isCorruptionCode(int rc) {
  int primary = rc & 0xff;
  return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
}

Status corruptStatus(const std::string& what, const std::string& detail, Lang lang) {
  return Status(ErrorCode::kDatabase,
                tr(lang, "数据库 ", "database ") + what +
                    tr(lang, " 未通过完整性检查：", " failed its integrity check: ") + detail);
}

}  // namespace

Status corruptionAsCode(sqlite3* db, const Status& st, const std::string& path, Lang lang) {
  if (st.isOk() || db == nullptr || !isCorruptionCode(sqlite3_extended_errcode(db))) return st;
  return corruptStatus(path, sqlite3_errmsg(db), lang);
}

Status checkIntegrity(SqliteDb& db, DbCheck level, Lang lang) {
  const std::string where = db.fileName();
  auto stmt = db.prepare(pragmaFor(level));
  if (!stmt.isOk()) return corruptionAsCode(db.raw(), stmt.status(), where, lang);
  std::string problems;
  int rows = 0;
  for (;;) {
    auto row = (*stmt)->step();
    if (!row.isOk()) return corruptionAsCode(db.raw(), row.status(), where, lang);
    if (!*row) break;
    std::string line = (*stmt)->columnText(0);
    if (rows++ == 0 && line == "ok") continue;
    if (!problems.empty()) problems += "; ";
    problems += line;
  }
  if (rows == 1 && problems.empty()) return Status::ok();
  if (rows == 0) problems = "no answer";
  return corruptStatus(where, problems, lang);
}

Status checkDatabaseFile(const std::string& path, bool read_only, DbCheck level, Lang lang) {
  XIAOAN_ASSIGN_OR_RETURN(auto db, SqliteDb::openExisting(path, read_only));
  return checkIntegrity(*db, level, lang);
}

}  // namespace xiaoan::collector
