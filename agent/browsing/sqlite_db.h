#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "platform/result.h"

// A small RAII wrapper over the SQLite C API for reading browser history copies: one
// connection, prepared statements that finalize themselves, errors as E_DATABASE with SQLite's
// message. Not thread-safe; one reader owns one connection.
namespace xiaoan::agent::browsing {

class SqliteStatement {
 public:
  SqliteStatement() = default;
  explicit SqliteStatement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~SqliteStatement() { sqlite3_finalize(stmt_); }
  SqliteStatement(SqliteStatement&& o) noexcept : stmt_(o.stmt_) { o.stmt_ = nullptr; }
  SqliteStatement& operator=(SqliteStatement&& o) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  void bind(int index, int64_t value) { sqlite3_bind_int64(stmt_, index, value); }
  void bindText(int index, std::string_view value) {
    sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  }
  // true: a row is ready; false: done. E_DATABASE on error (corrupt page, ...).
  Result<bool> step();
  void reset() { sqlite3_reset(stmt_); }
  int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
  bool isNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  // The column's bytes (not necessarily UTF-8), at most `max_bytes` of them.
  std::string text(int column, size_t max_bytes) const;

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

class SqliteDb {
 public:
  SqliteDb() = default;
  ~SqliteDb() { sqlite3_close_v2(db_); }
  SqliteDb(SqliteDb&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
  SqliteDb& operator=(SqliteDb&& o) noexcept;
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Opens `path` read-write (so SQLite can roll back a hot journal or replay a WAL of this
  // private copy), never creating it, then makes the connection query-only: nothing the reader
  // runs can change the file afterwards. Untrusted files: the schema is not trusted (no
  // functions or views from it run), cell sizes are checked.
  static Result<SqliteDb> openCopy(const std::string& path);

  Result<SqliteStatement> prepare(std::string_view sql) const;
  // Runs SQL without results.
  Status exec(const std::string& sql) const;
  // Whether a table (not a view) of that name exists.
  Result<bool> hasTable(std::string_view name) const;
  // Whether `table` has a column `column` (pragma table_info).
  Result<bool> hasColumn(std::string_view table, std::string_view column) const;

 private:
  explicit SqliteDb(sqlite3* db) : db_(db) {}
  Status error(std::string_view what) const;
  sqlite3* db_ = nullptr;
};

}  // namespace xiaoan::agent::browsing
