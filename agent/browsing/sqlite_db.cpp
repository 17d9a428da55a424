#include "agent/browsing/sqlite_db.h"

#include <algorithm>

namespace xiaoan::agent::browsing {

SqliteStatement& SqliteStatement::operator=(SqliteStatement&& o) noexcept {
  if (this != &o) {
    sqlite3_finalize(stmt_);
    stmt_ = o.stmt_;
    o.stmt_ = nullptr;
  }
  return *this;
}

Result<bool> SqliteStatement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Status(ErrorCode::kDatabase,
                std::string("reading history: ") + sqlite3_errmsg(sqlite3_db_handle(stmt_)));
}

std::string SqliteStatement::text(int column, size_t max_bytes) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
  const int n = sqlite3_column_bytes(stmt_, column);
  if (p == nullptr || n <= 0) return {};
  return std::string(p, std::min(static_cast<size_t>(n), max_bytes));
}

SqliteDb& SqliteDb::operator=(SqliteDb&& o) noexcept {
  if (this != &o) {
    sqlite3_close_v2(db_);
    db_ = o.db_;
    o.db_ = nullptr;
  }
  return *this;
}

Result<SqliteDb> SqliteDb::openCopy(const std::string& path) {
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  SqliteDb db(raw);
  if (rc != SQLITE_OK) {
    return Status(ErrorCode::kDatabase, std::string("opening history copy: ") +
                                            (raw ? sqlite3_errmsg(raw) : "out of memory"));
  }
  // A history file is someone else's: its schema may carry triggers or views meant to run code.
  sqlite3_db_config(raw, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  sqlite3_db_config(raw, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_limit(raw, SQLITE_LIMIT_LENGTH, 16 * 1024 * 1024);
  sqlite3_limit(raw, SQLITE_LIMIT_SQL_LENGTH, 64 * 1024);
  // The first read recovers the copy (hot journal rolled back, WAL replayed); after that the
  // connection may not write at all.
  XIAOAN_RETURN_IF_ERROR(db.exec("PRAGMA cell_size_check=ON"));
  // The first read of a large history joins every visit with its URL in time order: a 16 MiB
  // page cache keeps the urls pages it revisits (SQLite's default 2 MiB made this read ~40 %
  // slower on a 100 000-visit, 8 MiB History; browsing_bench).
  XIAOAN_RETURN_IF_ERROR(db.exec("PRAGMA cache_size=-16384"));
  XIAOAN_RETURN_IF_ERROR(db.exec("SELECT count(*) FROM sqlite_master"));
  XIAOAN_RETURN_IF_ERROR(db.exec("PRAGMA query_only=ON"));
  return db;
}

Status SqliteDb::error(std::string_view what) const {
  return Status(ErrorCode::kDatabase, std::string(what) + ": " + sqlite3_errmsg(db_));
}

Result<SqliteStatement> SqliteDb::prepare(std::string_view sql) const {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) !=
      SQLITE_OK) {
    sqlite3_finalize(stmt);
    return error("preparing history query");
  }
  return SqliteStatement(stmt);
}

Status SqliteDb::exec(const std::string& sql) const {
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    return error("history database");
  }
  return Status::ok();
}

Result<bool> SqliteDb::hasTable(std::string_view name) const {
  XIAOAN_ASSIGN_OR_RETURN(auto stmt,
                          prepare("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?1"));
  stmt.bindText(1, name);
  return stmt.step();
}

Result<bool> SqliteDb::hasColumn(std::string_view table, std::string_view column) const {
  XIAOAN_ASSIGN_OR_RETURN(auto stmt, prepare("SELECT 1 FROM pragma_table_info(?1) WHERE name=?2"));
  stmt.bindText(1, table);
  stmt.bindText(2, column);
  return stmt.step();
}

}  // namespace xiaoan::agent::browsing
