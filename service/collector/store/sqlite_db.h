#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/result.h"

struct sqlite3;       // NOLINT
struct sqlite3_stmt;  // NOLINT

namespace xiaoan::collector {

// Owner of one prepared statement. Bind errors are remembered and reported by step().
class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  // Parameters are 1-based, as in SQLite.
  SqliteStatement& bind(int index, int64_t value);
  SqliteStatement& bind(int index, std::string_view text);
  SqliteStatement& bindBlob(int index, std::string_view bytes);
  SqliteStatement& bindNull(int index);
  SqliteStatement& bind(int index, const std::optional<int64_t>& value);

  // True when a row is available, false when done.
  Result<bool> step();
  // Steps to completion (for statements without rows).
  Status run();

  int64_t columnInt64(int column) const;
  std::string columnText(int column) const;
  std::string columnBlob(int column) const;
  bool columnIsNull(int column) const;
  std::optional<int64_t> columnOptionalInt64(int column) const;

  // Makes the statement reusable: resets it and clears bindings.
  void reset();

 private:
  void noteBind(int rc);
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  Status bind_error_;
};

// Borrowed cached statement; resets it when done so it can be reused.
class StatementLease {
 public:
  explicit StatementLease(SqliteStatement* stmt) : stmt_(stmt) {}
  ~StatementLease() {
    if (stmt_ != nullptr) stmt_->reset();
  }
  StatementLease(StatementLease&& other) noexcept : stmt_(other.stmt_) { other.stmt_ = nullptr; }
  StatementLease(const StatementLease&) = delete;
  StatementLease& operator=(const StatementLease&) = delete;
  StatementLease& operator=(StatementLease&&) = delete;
  SqliteStatement* operator->() const { return stmt_; }
  SqliteStatement& operator*() const { return *stmt_; }

 private:
  SqliteStatement* stmt_;
};

// Owner of one sqlite3 connection with a cache of prepared statements. One thread at a time.
class SqliteDb {
 public:
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Opens (create = also creates) the database file and applies the connection settings:
  // WAL, synchronous=FULL, foreign keys, busy timeout.
  static Result<std::unique_ptr<SqliteDb>> open(const std::string& path, bool create);

  // Opens an existing file as it is, without changing it (no journal mode or other pragma, no
  // creation): for checking, identifying and backing up a database. E_DATABASE when it cannot.
  static Result<std::unique_ptr<SqliteDb>> openExisting(const std::string& path, bool read_only);

  Status exec(const std::string& sql);
  // A cached prepared statement for `sql`.
  Result<StatementLease> prepare(const std::string& sql);
  int64_t changes() const;
  sqlite3* raw() const { return db_; }
  // The main database file's path, for messages.
  std::string fileName() const;

 private:
  explicit SqliteDb(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::map<std::string, std::unique_ptr<SqliteStatement>, std::less<>> cache_;
};

// "what: sqlite message" as E_DATABASE.
Status sqliteError(sqlite3* db, const std::string& what);

}  // namespace xiaoan::collector

namespace xiaoan::collector {

// BEGIN IMMEDIATE ... COMMIT; rolls back when destroyed uncommitted.
class SqliteTransaction {
 public:
  static Result<SqliteTransaction> begin(SqliteDb& db);
  SqliteTransaction(SqliteTransaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(SqliteTransaction&&) = delete;
  ~SqliteTransaction();
  Status commit();

 private:
  explicit SqliteTransaction(SqliteDb* db) : db_(db) {}
  SqliteDb* db_;
};

// Lists are stored as comma-joined text (MACs and IPv4 CIDRs never contain commas).
std::string joinList(const std::vector<std::string>& items);
std::vector<std::string> splitList(const std::string& text);

}  // namespace xiaoan::collector
